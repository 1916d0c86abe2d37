"""Alembic's entry point for `radar db …` commands.

It never builds its own engine or reads the environment: storage.migrate
hands it an open connection (inside the migration lock) through
``config.attributes``, so the CLI, ``get_engine`` and the tests all migrate
the database that their Settings name, with the same options.
"""

from __future__ import annotations

from alembic import context

from storage.migrate import context_options

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `radar db upgrade` (storage.migrate), which passes the connection")

context.configure(connection=connection, **context_options(connection))
with context.begin_transaction():
    context.run_migrations()
