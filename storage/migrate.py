"""Schema migrations: every database is brought to the newest Alembic revision before it is used.

``create_all`` only adds missing tables and never changes an existing one,
so a deployed database silently drifted from the code.  The revisions in
storage/migrations/versions/ are now the schema's history and
``get_engine`` applies the missing ones on first use in a process (or
``radar db upgrade`` does, ahead of a deployment).

Several processes may open a brand-new database at the same moment (crawl
children, workers on other hosts), so migrating happens under a lock that
lives in the database itself: ``BEGIN IMMEDIATE`` on SQLite (its write lock)
and a transaction-scoped advisory lock on PostgreSQL.  Both run the whole
upgrade in one transaction, so a crash leaves the previous revision intact.

A database that ``create_all`` made before migrations existed has tables
but no ``alembic_version``: it is stamped, not re-created.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from storage import models  # noqa: F401  - registers the tables on SQLModel.metadata

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema that create_all built before migrations existed
_LOCK_KEY = 0x7261646172  # "radar": PostgreSQL advisory lock id for migrating (database-wide: CREATE EXTENSION is too)
# Tables in the database that the models do not describe and migrations must neither compare nor drop.
_FOREIGN_TABLES = ("apscheduler_jobs",)  # APScheduler's SQLAlchemyJobStore creates and owns it
_SEARCH_PREFIX = "docsearch"  # search index (web/search.py): raw DDL (FTS5 / pg_trgm), not in the metadata


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Autogenerate/compare filter: only tables the models own."""
    if type_ == "table" and name is not None:
        return name not in _FOREIGN_TABLES and not name.startswith(_SEARCH_PREFIX)
    return True


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Revisions must not depend on SQLModel internals: AutoString is a plain VARCHAR and
    # SQLModel's UTC datetime decorator a timezone-aware DateTime.
    if type_ == "type" and isinstance(obj, AutoString):
        return "sa.String()"
    if type_ == "type" and isinstance(obj, TypeDecorator) and isinstance(obj.impl, DateTime):
        return f"sa.DateTime(timezone={obj.impl.timezone!r})"
    return False


def context_options(connection: Connection) -> dict[str, Any]:
    """The options every migration context gets (env.py, compare, the tests): one definition."""
    return {
        "target_metadata": SQLModel.metadata,
        "include_name": include_name,
        "compare_type": True,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": connection.dialect.name == "sqlite",
        "render_item": _render_item,
    }


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    """The revisions, read once per process (the test suite creates hundreds of databases)."""
    return ScriptDirectory(str(MIGRATIONS_DIR))


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None, "storage/migrations/versions holds no revision"
    return head


def alembic_config(connection: Connection) -> Config:
    """A Config without alembic.ini: the script location is the installed package, the connection is handed over."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def schema_differences(connection: Connection) -> list[Any]:
    """What autogenerate would put in a new revision; empty when the database matches the models."""
    ctx = MigrationContext.configure(connection, opts=context_options(connection))
    return list(compare_metadata(ctx, SQLModel.metadata))


def _sqlite_migration_engine(url: str) -> Engine:
    engine = create_engine(url, poolclass=NullPool)

    def on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # SQLAlchemy emits BEGIN itself (below), so DDL is transactional and the lock is taken up front.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=60000")  # wait for another process's migration
        cur.execute("PRAGMA journal_mode=WAL")  # persistent: the file is WAL from its first schema on
        cur.close()

    def on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
    return engine


@contextmanager
def locked_connection(url: str) -> Iterator[Connection]:
    """A connection inside a transaction that no other migrating process can enter at the same time."""
    sqlite = url.startswith("sqlite")
    engine = _sqlite_migration_engine(url) if sqlite else create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            if not sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            yield conn
    finally:
        engine.dispose()


def _has_model_tables(connection: Connection) -> bool:
    return inspect(connection).has_table("document")


@dataclass(frozen=True)
class Migrated:
    """What ``upgrade`` did, for the CLI and the log."""

    before: str | None
    after: str | None
    stamped: str | None = None  # set when a pre-migration database was adopted


def _adopt_legacy(connection: Connection) -> str:
    """Stamp a create_all database: as head when it already matches the models, else as the baseline."""
    cfg = alembic_config(connection)
    if not schema_differences(connection):
        command.stamp(cfg, "head")
        return head_revision()
    command.stamp(cfg, BASELINE)
    return BASELINE


def _migrate(connection: Connection, target: str, action: Callable[[Config, str], None]) -> Migrated:
    before = current_revision(connection)
    stamped = None
    if before is None and _has_model_tables(connection):
        stamped = _adopt_legacy(connection)
        log.warning("database had tables but no alembic_version: stamped as revision %s", stamped)
    action(alembic_config(connection), target)
    return Migrated(before, current_revision(connection), stamped)


def upgrade(url: str, target: str = "head") -> Migrated:
    with locked_connection(url) as conn:
        return _migrate(conn, target, command.upgrade)


def downgrade(url: str, target: str) -> Migrated:
    with locked_connection(url) as conn:
        return _migrate(conn, target, command.downgrade)


def ensure_head(engine: Engine) -> None:
    """Bring the engine's database to head; a cheap revision check when it already is (the usual case)."""
    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
    if current == head:
        return
    if current is not None and current not in {rev.revision for rev in script_directory().walk_revisions()}:
        # E.g. a worker still running old code after another host upgraded the database.
        raise RuntimeError(f"database is at schema revision {current}, which this version of radar does not know "
                           f"(its newest is {head}); upgrade radar on this host")
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        with engine.begin() as conn:  # an in-memory database exists only on the engine's own connection
            _migrate(conn, "head", command.upgrade)
        return
    upgrade(engine.url.render_as_string(hide_password=False))


def new_revision(url: str, message: str) -> Path:
    """Write the next revision file from the difference between the models and a database at head.

    Revision ids are sequential ("0002", …) so the folder reads in order.
    """
    with locked_connection(url) as conn:
        _migrate(conn, "head", command.upgrade)
        rev_id = f"{sum(1 for _ in script_directory().walk_revisions()) + 1:04d}"
        script = command.revision(alembic_config(conn), message=message, autogenerate=True, rev_id=rev_id)
    script_directory.cache_clear()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
