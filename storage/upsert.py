"""Race-free "create if missing" for rows with a natural key, on SQLite and PostgreSQL alike.

Select-then-insert loses when two processes store the same page at once: both
see nothing, both insert, one gets an IntegrityError and its whole transaction
is gone.  ``INSERT … ON CONFLICT`` lets the database decide atomically; both
dialects spell it the same way in SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def _insert(session: Session, table: Table) -> Any:
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no ON CONFLICT support written for {name}")


def _values(row: SQLModel) -> dict[str, Any]:
    # Python-side defaults (timestamps, empty lists) are already on the instance; the id is the database's.
    return {k: v for k, v in row.model_dump().items() if k != "id"}


def insert_if_absent(session: Session, row: SQLModel, keys: Sequence[str]) -> bool:
    """Insert ``row`` unless a row with the same ``keys`` exists; True when this call inserted it.

    On PostgreSQL a conflicting row that another transaction has inserted but
    not yet committed makes this wait for that transaction, so afterwards the
    row is visible either way.
    """
    table: Table = row.__table__  # type: ignore[attr-defined]
    stmt = _insert(session, table).values(**_values(row)).on_conflict_do_nothing(index_elements=list(keys))
    # RETURNING rather than rowcount: drivers report -1 for an INSERT that returns the new primary key.
    return session.connection().execute(stmt.returning(*table.primary_key.columns)).first() is not None


def upsert(session: Session, row: SQLModel, keys: Sequence[str], update: Sequence[str]) -> None:
    """Insert ``row``, or set the ``update`` columns of the existing row with the same ``keys``."""
    table: Table = row.__table__  # type: ignore[attr-defined]
    stmt = _insert(session, table).values(**_values(row))
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})
    session.connection().execute(stmt)
