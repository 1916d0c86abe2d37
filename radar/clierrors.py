"""Expected CLI failures become one clear line and a non-zero exit, never a traceback.

A newcomer who mistypes DATABASE_URL or a file name should read what went
wrong and what to do next; a traceback buries that under frames of library
code.  Commands raise or let through the usual exceptions and this one place
turns those that are about the user's input or environment into messages.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from core.settings import Settings
from core.yamlconfig import ConfigError


class UsageProblem(Exception):
    """A mistake in what the user asked for; its message is shown as is (exit code 2)."""


def masked_url(url: str) -> str:
    """The database URL as it may be printed: the password replaced by ***."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: show scheme and host part only, never the credentials
        scheme, _, rest = url.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}" if rest else "***"


def print_error(message: str) -> None:
    from rich.markup import escape

    # the message is text, not markup: file names, selectors ([a-z]) and URLs print as written
    Console(stderr=True).print(f"[bold red]错误 / error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True)


def require_database(settings: Settings) -> None:
    """Read-only commands refuse a data directory without a database instead of creating an empty one.

    A mistyped RADAR_DATA_DIR used to give a fresh empty database and empty
    tables, which reads as "nothing was ever crawled".
    """
    if settings.database_url:
        return
    db = Path(settings.data_dir) / "radar.db"
    if not db.exists():
        raise UsageProblem(
            f"数据目录 {Path(settings.data_dir).resolve()} 中没有数据库 radar.db / no database in this data directory. "
            "先运行 `radar demo` 或 `radar crawl`，或把 RADAR_DATA_DIR 指向已有的数据目录 / "
            "run `radar demo` or `radar crawl` first, or point RADAR_DATA_DIR at an existing data directory."
        )


def describe(exc: BaseException) -> str | None:
    """The message for an expected failure, or None when ``exc`` is a bug that should keep its traceback."""
    if isinstance(exc, UsageProblem):
        return str(exc)
    if isinstance(exc, ConfigError):
        return f"配置有误 / invalid configuration:\n{exc}"
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    if isinstance(exc, (DBAPIError, ArgumentError, NoSuchModuleError)):
        url = masked_url(Settings().db_url)
        first = (
            str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            if str(getattr(exc, "orig", None) or exc).strip()
            else type(exc).__name__
        )
        return (
            f"无法使用数据库 / cannot use the database {url}: {first}\n"
            "检查 DATABASE_URL（或 RADAR_DATA_DIR）并确认数据库服务在运行 / check DATABASE_URL (or RADAR_DATA_DIR) and that the server is up."
        )
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        name = getattr(exc, "filename", None)
        return f"{exc.strerror or type(exc).__name__}: {name}" if name else str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return f"文件不是 UTF-8 文本 / not UTF-8 text: {exc}"
    return None


class RadarGroup(TyperGroup):
    """The top-level command group: expected failures below it print one message and exit non-zero."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, typer.Exit):
            raise
        except Exception as exc:
            from core.settings import Settings
            from storage.faults import describe as storage_fault

            fault = storage_fault(exc, Settings().db_url)  # a damaged database or a full disk: what to do, exit 1
            if fault is not None:
                print_error(fault)
                raise typer.Exit(1) from None
            message = describe(exc)
            if message is None:
                raise
            print_error(message)
            raise typer.Exit(2) from None
