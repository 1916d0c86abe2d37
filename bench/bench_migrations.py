"""What bringing a database to the schema costs: Alembic migrations vs the old create_all.

get_engine now migrates every new database to the newest revision (under a
database lock) instead of calling SQLModel.metadata.create_all; the test
suite and every first start pay that once per database.  Baseline, measured
in the same run: create_all of the same models on an equally new database.
Also shown: reopening a database that is already at head (a new process),
which is a single revision check.

Run: python bench/bench_migrations.py [--n 20]   (PostgreSQL too when DATABASE_URL is set)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from core.settings import Settings  # noqa: E402
from storage import models  # noqa: E402,F401
from storage.db import dispose_engines, get_engine  # noqa: E402


def _new_settings(pg_url: str | None, schemas: list[str]) -> Settings:
    data = Path(tempfile.mkdtemp(prefix="bench-migrate-"))
    if pg_url is None:
        return Settings(RADAR_DATA_DIR=data, DATABASE_URL=None)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with sa.create_engine(pg_url).begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    schemas.append(schema)
    sep = "&" if "?" in pg_url else "?"
    return Settings(RADAR_DATA_DIR=data, DATABASE_URL=f"{pg_url}{sep}options=-csearch_path%3D{schema}")


def _mean_ms(n: int, make: Callable[[], Settings], run: Callable[[Settings], None]) -> float:
    total = 0.0
    for _ in range(n):
        s = make()
        t0 = time.perf_counter()
        run(s)
        total += time.perf_counter() - t0
    return total / n * 1000


def _create_all(s: Settings) -> None:
    s.ensure_dirs()
    engine = sa.create_engine(s.db_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()


def _migrate(s: Settings) -> None:
    s.ensure_dirs()
    get_engine(s)
    dispose_engines()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20, help="databases per measurement")
    args = ap.parse_args()
    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if os.environ.get("DATABASE_URL"):
        backends.append(("postgresql", os.environ["DATABASE_URL"]))
    schemas: list[str] = []
    for name, pg in backends:

        def make(pg: str | None = pg) -> Settings:
            return _new_settings(pg, schemas)

        _migrate(make())  # imports and the revision scripts, once
        base = _mean_ms(args.n, make, _create_all)
        mig = _mean_ms(args.n, make, _migrate)
        at_head = make()
        _migrate(at_head)
        reopen = _mean_ms(args.n, lambda at_head=at_head: at_head, _migrate)
        print(
            f"{name:10s} new database: migrate {mig:7.1f} ms   create_all (baseline) {base:7.1f} ms   "
            f"ratio {mig / base:4.2f}   reopen at head {reopen:6.1f} ms"
        )
    if schemas:
        with sa.create_engine(backends[-1][1]).begin() as conn:  # type: ignore[arg-type]
            for schema in schemas:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
