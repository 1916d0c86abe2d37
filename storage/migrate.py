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

Every process that opens the database comes through ``ensure_head``, and
almost always the database is already at head.  Alembic costs about 11 MB
of memory and a noticeable import time, so that check does without it: the
database's revision is one SELECT, and the newest revision is read from the
``revision = …`` / ``down_revision = …`` lines of the revision files
(``head_from_files``; a test holds it to Alembic's own answer).  Alembic is
imported inside the functions that migrate, compare or write revisions.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from storage import models  # noqa: F401  - registers the tables on SQLModel.metadata

if TYPE_CHECKING:  # alembic is imported where it is used: a process whose database is at head never loads it
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py does not change
BASELINE = "0001"  # the schema that create_all built before migrations existed
_LOCK_KEY = 0x7261646172  # "radar": PostgreSQL advisory lock id for migrating (database-wide: CREATE EXTENSION is too)
# Tables in the database that the models do not describe and migrations must neither compare nor drop.
_FOREIGN_TABLES = ("apscheduler_jobs",)  # APScheduler's SQLAlchemyJobStore creates and owns it
_SEARCH_PREFIX = "docsearch"  # search index (storage/search_index.py): raw DDL (FTS5 / pg_trgm), not in the metadata
# A line that may assign `revision` / `down_revision` at module level; ast decides whether it does.
_LINK_LINE = re.compile(r"^(?:revision|down_revision)\b")
_NOT_LITERAL = object()  # an id computed by code: only importing the file (Alembic) can tell
# The file names Alembic loads as revisions (alembic.script.base._only_source_rev_file).
_REVISION_FILE = re.compile(r"(?!\.#|__init__).*\.py$")


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
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR))


def head_revision() -> str:
    """Alembic's answer, which loads every revision module; ``head_from_files`` is the cheap one."""
    head = script_directory().get_current_head()
    assert head is not None, "storage/migrations/versions holds no revision"
    return head


def _as_tuple(value: object) -> tuple[str, ...] | None:
    """A down_revision as Alembic allows it (None, one id, or several for a merge); None if it is not one."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _literal_links(source: str) -> dict[str, object] | None:
    """Module-level ``revision`` / ``down_revision`` values in source; None while it is not yet complete Python.

    Parsing (not matching lines) is what keeps a ``revision = …`` line in a
    docstring from counting.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # the prefix ends inside a string or a statement
        return None
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            try:
                found[target.id] = ast.literal_eval(value)
            except (ValueError, TypeError):
                found[target.id] = _NOT_LITERAL
    return found


def _revision_links(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """(revision, its down revisions) from a revision file's text, or None if they are not plain literals there.

    The two assignments sit near the top of every file script.py.mako
    writes, so only the lines up to them are parsed, and the module is not
    imported (it would import alembic.op).
    """
    prefix: list[str] = []
    found: dict[str, object] | None = None
    candidate = False
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            prefix.append(line)
            candidate = candidate or _LINK_LINE.match(line) is not None
            if not candidate or (found := _literal_links("".join(prefix))) is None:
                continue
            candidate = False
            if any(value is _NOT_LITERAL for value in found.values()):
                return None
            if {"revision", "down_revision"} <= found.keys():
                break
    if found is None or not {"revision", "down_revision"} <= found.keys():
        return None
    revision, down = found["revision"], _as_tuple(found["down_revision"])
    if not isinstance(revision, str) or down is None:
        return None
    return revision, down


@lru_cache(maxsize=1)
def head_from_files() -> str | None:
    """The newest revision id, read from the revision files without Alembic; None when they do not say plainly.

    None (a file whose ids are not literals, several heads, no revisions)
    only costs speed: ``ensure_head`` then asks Alembic.
    """
    return head_in(VERSIONS_DIR)


def head_in(versions_dir: Path) -> str | None:
    """``head_from_files`` for any versions folder (the tests hold it to Alembic on made-up histories)."""
    parents: dict[str, tuple[str, ...]] = {}
    for path in versions_dir.iterdir():
        if not path.is_file() or not _REVISION_FILE.match(path.name):
            continue
        links = _revision_links(path)
        if links is None or links[0] in parents:
            return None
        parents[links[0]] = links[1]
    superseded = {down for downs in parents.values() for down in downs}
    heads = [rev for rev in parents if rev not in superseded]
    return heads[0] if len(heads) == 1 else None


def stored_revisions(connection: Connection) -> tuple[str, ...]:
    """The rows of the database's version table, read with plain SQL: () for a database Alembic never touched.

    Alembic would give the same answer (it checks for the table the same way)
    but importing it is what this function exists to avoid.
    """
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return tuple(sorted(row[0] for row in rows))


def alembic_config(connection: Connection) -> Config:
    """A Config without alembic.ini: the script location is the installed package, the connection is handed over."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(connection: Connection) -> str | None:
    """Alembic's reading, for the CLI and migrating (it rejects several rows); ``stored_revisions`` avoids Alembic."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def schema_differences(connection: Connection) -> list[Any]:
    """What autogenerate would put in a new revision; empty when the database matches the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    ctx = MigrationContext.configure(connection, opts=context_options(connection))
    return list(compare_metadata(ctx, SQLModel.metadata))


def _sqlite_migration_engine(url: str) -> Engine:
    engine = create_engine(url, poolclass=NullPool)

    def on_connect(dbapi_conn, _record) -> None:
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
    from alembic import command

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
    from alembic import command

    with locked_connection(url) as conn:
        return _migrate(conn, target, command.upgrade)


def downgrade(url: str, target: str) -> Migrated:
    from alembic import command

    with locked_connection(url) as conn:
        return _migrate(conn, target, command.downgrade)


def ensure_head(engine: Engine) -> None:
    """Bring the engine's database to head; a cheap revision check, without Alembic, when it already is (the usual case)."""
    with engine.connect() as conn:
        stored = stored_revisions(conn)
    if len(stored) > 1:
        # Alembic writes one row per branch head; radar's history is one line, so this is not a state it made.
        raise RuntimeError(
            f"database's {VERSION_TABLE} holds several revisions {list(stored)}, but radar's schema "
            "history has a single head; repair the table (`radar db current` shows what Alembic sees)"
        )
    current = stored[0] if stored else None
    if current is not None and current == head_from_files():
        return
    _bring_to_head(engine, current)


def _bring_to_head(engine: Engine, current: str | None) -> None:
    """The slow path of ``ensure_head``: Alembic decides (head_from_files may also have declined to answer)."""
    from alembic import command

    head = head_revision()
    if current == head:
        return
    if current is not None and current not in {rev.revision for rev in script_directory().walk_revisions()}:
        # E.g. a worker still running old code after another host upgraded the database.
        raise RuntimeError(
            f"database is at schema revision {current}, which this version of radar does not know "
            f"(its newest is {head}); upgrade radar on this host"
        )
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        with engine.begin() as conn:  # an in-memory database exists only on the engine's own connection
            _migrate(conn, "head", command.upgrade)
        return
    upgrade(engine.url.render_as_string(hide_password=False))


def new_revision(url: str, message: str) -> Path:
    """Write the next revision file from the difference between the models and a database at head.

    Revision ids are sequential ("0002", …) so the folder reads in order.
    """
    from alembic import command

    with locked_connection(url) as conn:
        _migrate(conn, "head", command.upgrade)
        rev_id = f"{sum(1 for _ in script_directory().walk_revisions()) + 1:04d}"
        script = command.revision(alembic_config(conn), message=message, autogenerate=True, rev_id=rev_id)
    script_directory.cache_clear()
    head_from_files.cache_clear()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
