"""Race-free "create if missing" for rows with a natural key, on SQLite and PostgreSQL alike.

Select-then-insert loses when two processes store the same page at once: both
see nothing, both insert, one gets an IntegrityError and its whole transaction
is gone.  ``INSERT … ON CONFLICT`` lets the database decide atomically; both
dialects spell it the same way in SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


@lru_cache(maxsize=64)
def _statement(dialect: str, table: Table, keys: tuple[str, ...], update: tuple[str, ...] | None) -> Any:
    """The ON CONFLICT statement for one table and key, built once per process.

    Values are bound at execution: building the statement (and its RETURNING
    clause) for every row cost more Python than the INSERT itself, once per
    release stored.
    """
    stmt: sqlite.Insert | postgresql.Insert
    if dialect == "sqlite":
        stmt = sqlite.insert(table)
    elif dialect == "postgresql":
        stmt = postgresql.insert(table)
    else:
        raise NotImplementedError(f"no ON CONFLICT support written for {dialect}")
    if update is None:
        # RETURNING rather than rowcount: drivers report -1 for an INSERT that returns the new primary key.
        return stmt.on_conflict_do_nothing(index_elements=list(keys)).returning(*table.primary_key.columns)
    return stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})


def _values(row: SQLModel) -> dict[str, Any]:
    # Python-side defaults (timestamps, empty lists) are already on the instance; the id is the database's.
    return {k: v for k, v in row.model_dump().items() if k != "id"}


def insert_if_absent(session: Session, row: SQLModel, keys: Sequence[str]) -> bool:
    """Insert ``row`` unless a row with the same ``keys`` exists; True when this call inserted it.

    On PostgreSQL a conflicting row that another transaction has inserted but
    not yet committed makes this wait for that transaction, so afterwards the
    row is visible either way.
    """
    return insert_returning_id(session.connection(), row.__table__, _values(row), keys) is not None  # type: ignore[attr-defined]


def insert_returning_id(conn: Connection, table: Table, values: dict[str, Any], keys: Sequence[str]) -> Any:
    """``insert_if_absent`` for a plain dict of column values: the new row's id, or None when the key exists."""
    row = conn.execute(_statement(conn.dialect.name, table, tuple(keys), None), values).first()
    return None if row is None else row[0]


def upsert(session: Session, row: SQLModel, keys: Sequence[str], update: Sequence[str]) -> None:
    """Insert ``row``, or set the ``update`` columns of the existing row with the same ``keys``."""
    conn = session.connection()
    conn.execute(_statement(conn.dialect.name, row.__table__, tuple(keys), tuple(update)), _values(row))  # type: ignore[attr-defined]
