"""`radar db …`: schema migrations for operators (upgrade ahead of a deployment, see where a database stands)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from core.settings import Settings

db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
console = Console(highlight=False)


@contextmanager
def _connection(settings: Settings) -> Iterator[Connection]:
    """A plain connection that changes nothing (unlike get_engine, which migrates)."""
    if settings.db_url.startswith("sqlite"):
        settings.ensure_dirs()
    engine = create_engine(settings.db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@db_app.command("upgrade")
def upgrade_cmd(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply the missing migrations (get_engine also does this on first use)."""
    from storage import migrate  # alembic and the models load only for `radar db`

    settings = Settings()
    settings.ensure_dirs()
    done = migrate.upgrade(settings.db_url, revision)
    if done.stamped:
        console.print(f"已有表、无版本记录：标记为 {done.stamped} / pre-migration database stamped as {done.stamped}")
    console.print(f"数据库版本 / database revision: {done.before or '无 none'} → {done.after}")


@db_app.command("downgrade")
def downgrade_cmd(revision: str = typer.Argument(..., help="Target revision, or 'base' to drop every table.")) -> None:
    """Undo migrations down to REVISION."""
    from storage import migrate  # alembic and the models load only for `radar db`

    done = migrate.downgrade(Settings().db_url, revision)
    console.print(f"数据库版本 / database revision: {done.before or '无 none'} → {done.after or 'base'}")


@db_app.command("current")
def current_cmd() -> None:
    """The database's revision, and whether it is the newest."""
    from storage import migrate  # alembic and the models load only for `radar db`

    with _connection(Settings()) as conn:
        rev = migrate.current_revision(conn)
    head = migrate.head_revision()
    if rev is None:
        console.print(f"当前版本 / current: 无 none (最新 / head is {head})")
    elif rev == head:
        console.print(f"当前版本 / current: {rev} (head)")
    else:
        console.print(f"当前版本 / current: {rev} (落后 / behind head {head}; run `radar db upgrade`)")


@db_app.command("history")
def history_cmd() -> None:
    """Every revision, newest first; the database's own one is marked."""
    from storage import migrate  # alembic and the models load only for `radar db`

    with _connection(Settings()) as conn:
        rev = migrate.current_revision(conn)
    for script in migrate.script_directory().walk_revisions():
        marks = [m for m, on in (("head", script.is_head), ("current", script.revision == rev)) if on]
        tail = f" ({', '.join(marks)})" if marks else ""
        console.print(f"{script.down_revision or '<base>'} -> {script.revision}{tail}: {(script.doc or '').splitlines()[0]}", soft_wrap=True)


@db_app.command("revision")
def revision_cmd(message: str = typer.Option(..., "--message", "-m", help="What the change is for.")) -> None:
    """(Developers) write the next revision from the difference between models.py and the database at head."""
    from storage import migrate  # alembic and the models load only for `radar db`

    settings = Settings()
    settings.ensure_dirs()
    path = migrate.new_revision(settings.db_url, message)
    console.print(f"新迁移 / new revision: {path} — review it before committing")
