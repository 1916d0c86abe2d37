"""`radar db …`: schema migrations for operators (upgrade ahead of a deployment, see where a database stands)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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

    from alembic.util.exc import CommandError

    settings = Settings()
    settings.ensure_dirs()
    try:
        done = migrate.upgrade(settings.db_url, revision)
    except CommandError as exc:  # an unknown revision: say which, not a traceback
        console.print(f"错误 / error: 无法升级到 / cannot upgrade to {revision!r}: {exc}；可用版本见 / see `radar db history`")
        raise typer.Exit(2) from None
    if done.stamped:
        console.print(f"已有表、无版本记录：标记为 {done.stamped} / pre-migration database stamped as {done.stamped}")
    console.print(f"数据库版本 / database revision: {done.before or '无 none'} → {done.after}")


@db_app.command("downgrade")
def downgrade_cmd(revision: str = typer.Argument(..., help="Target revision, or 'base' to drop every table.")) -> None:
    """Undo migrations down to REVISION."""
    from storage import migrate  # alembic and the models load only for `radar db`

    from alembic.util.exc import CommandError

    try:
        done = migrate.downgrade(Settings().db_url, revision)
    except CommandError as exc:  # an unknown or ambiguous revision: what `radar db history` lists, not a traceback
        console.print(f"错误 / error: 无法降级到 / cannot downgrade to {revision!r}: {exc}；可用版本见 / see `radar db history`")
        raise typer.Exit(2) from None
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
        console.print(
            f"{script.down_revision or '<base>'} -> {script.revision}{tail}: {(script.doc or '').splitlines()[0]}", soft_wrap=True
        )


@db_app.command("revision")
def revision_cmd(message: str = typer.Option(..., "--message", "-m", help="What the change is for.")) -> None:
    """(Developers) write the next revision from the difference between models.py and the database at head."""
    from storage import migrate  # alembic and the models load only for `radar db`

    settings = Settings()
    settings.ensure_dirs()
    path = migrate.new_revision(settings.db_url, message)
    console.print(f"新迁移 / new revision: {path} — review it before committing")


@db_app.command("backup")
def backup_cmd(path: Path = typer.Argument(..., help="Where to write the copy (a new file; mode 0600).")) -> None:
    """An online, consistent copy of the SQLite database (SQLite's backup API; the service may keep running).

    PostgreSQL has its own tool for this: the command prints the pg_dump line to use.
    """
    import os
    import sqlite3

    from storage.faults import sqlite_path

    settings = Settings()
    src_path = sqlite_path(settings.db_url)
    if src_path is None:
        console.print(
            "PostgreSQL：请用 pg_dump 备份 / use pg_dump for PostgreSQL, e.g.\n"
            '  pg_dump --format=custom --file=radar-$(date +%F).dump "$DATABASE_URL"'
        )
        raise typer.Exit(2)
    if not os.path.exists(src_path):
        console.print(f"错误 / error: 没有数据库 / no database at {src_path}")
        raise typer.Exit(2)
    if path.exists():
        console.print(f"错误 / error: {path} 已存在，请换一个文件名（备份从不覆盖）/ exists; choose a new file name")
        raise typer.Exit(2)
    tmp = path.with_name(path.name + ".part")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))  # the copy holds subscriber data too
    try:
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=1024)  # in steps: writers are blocked only for one step at a time
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        from storage.faults import describe

        console.print(f"错误 / error: {describe(exc, settings.db_url) or exc}")
        raise typer.Exit(1) from None
    if check != "ok":
        tmp.unlink(missing_ok=True)
        console.print(f"错误 / error: the copy failed its check ({check}); the source database may be damaged")
        raise typer.Exit(1)
    tmp.replace(path)
    console.print(f"已备份 / backed up {src_path} → {path} ({path.stat().st_size} bytes, quick_check ok)")
