"""Opening a database that is already at head does not load Alembic.

Every crawl process goes through get_engine → ensure_head; Alembic costs
about 11 MB and a noticeable import, and is only needed when the schema has
to change.  So ensure_head reads the database's revision with one SELECT and
the newest revision from the revision files' text (migrate.head_from_files).
That shortcut is only safe while it agrees with Alembic, which the first
tests here check — on the real history and on made-up ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.settings import Settings
from storage import migrate
from storage.db import dispose_engines, get_engine

ROOT = Path(__file__).resolve().parents[2]


def _alembic_head(script_location: Path) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(script_location)).get_current_head()


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    """Fails when a revision is added that the cheap reading gets wrong or cannot read (then every process pays Alembic)."""
    assert migrate.head_from_files() is not None, "revision files no longer readable without Alembic"
    assert migrate.head_from_files() == _alembic_head(migrate.MIGRATIONS_DIR) == migrate.head_revision()


def _revision_file(versions: Path, name: str, ids: str) -> None:
    (versions / name).write_text(
        f'"""{name}\n\nrevision = "docstring, not code"\n"""\n\n{ids}\n\n'
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )


HISTORIES: dict[str, dict[str, str]] = {
    "linear, as script.py.mako writes it": {
        "0001_a.py": 'revision: str = "0001"\ndown_revision: str | Sequence[str] | None = None',
        "0002_b.py": "revision: str = '0002'\ndown_revision: str | Sequence[str] | None = '0001'",
        "0003_c.py": "down_revision = '0002'  # the order of the two lines does not matter\nrevision = '0003'",
    },
    "a branch merged again": {
        "a.py": "revision = 'a'\ndown_revision = None",
        "b.py": "revision = 'b'\ndown_revision = 'a'",
        "c.py": "revision = 'c'\ndown_revision = 'a'",
        "m.py": "revision = 'm'\ndown_revision = (\n    'b',\n    'c',\n)",
    },
}


@pytest.mark.parametrize("history", HISTORIES, ids=list(HISTORIES))
def test_the_files_and_alembic_agree_on_made_up_histories(history: str, tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "__init__.py").write_text("")
    for name, ids in HISTORIES[history].items():
        _revision_file(versions, name, "from collections.abc import Sequence\n\n" + ids)
    assert migrate.head_in(versions) is not None
    assert migrate.head_in(versions) == _alembic_head(tmp_path)


def test_histories_the_files_cannot_answer_for_leave_it_to_alembic(tmp_path: Path) -> None:
    """Several heads, or ids that are not literals: no answer (ensure_head then asks Alembic), never a wrong one."""
    (tmp_path / "two_heads").mkdir()
    for name, ids in {
        "a.py": "revision = 'a'\ndown_revision = None",
        "b.py": "revision = 'b'\ndown_revision = 'a'",
        "c.py": "revision = 'c'\ndown_revision = 'a'",
    }.items():
        _revision_file(tmp_path / "two_heads", name, ids)
    (tmp_path / "computed").mkdir()
    _revision_file(tmp_path / "computed", "a.py", "revision = 'a'\ndown_revision = None")
    _revision_file(tmp_path / "computed", "b.py", "revision = 'b'\ndown_revision = str('a')")
    assert migrate.head_in(tmp_path / "two_heads") is None
    assert migrate.head_in(tmp_path / "computed") is None


_PROBE = """
import json, sys
import storage.db
from core.settings import Settings
loaded = {"after import": sorted(m for m in sys.modules if m.split(".")[0] == "alembic")}
engine = storage.db.get_engine(Settings())
loaded["after get_engine"] = sorted(m for m in sys.modules if m.split(".")[0] == "alembic")
with engine.connect() as conn:
    loaded["revisions"] = list(storage.migrate.stored_revisions(conn))
print(json.dumps(loaded))
"""


def _probe(settings: Settings) -> dict[str, list[str]]:
    """A new process, like a crawl child, that opens the test's database: which alembic modules did it load?"""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["RADAR_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_process_opening_a_database_at_head_never_imports_alembic(settings: Settings) -> None:
    get_engine(settings)  # migrates it
    dispose_engines()
    loaded = _probe(settings)
    assert loaded["after import"] == []
    assert loaded["after get_engine"] == []
    assert loaded["revisions"] == [migrate.head_revision()]


def test_a_process_opening_an_empty_database_loads_alembic_and_migrates_it(settings: Settings) -> None:
    """The other side of the test above: the probe does see Alembic when a migration is needed."""
    loaded = _probe(settings)
    assert loaded["after import"] == []
    assert "alembic.command" in loaded["after get_engine"]
    assert loaded["revisions"] == [migrate.head_revision()]


def test_stored_revisions_reads_the_version_table_and_an_empty_database_has_none(settings: Settings) -> None:
    raw = sa.create_engine(settings.db_url)
    try:
        with raw.connect() as conn:
            assert migrate.stored_revisions(conn) == ()
        migrate.upgrade(settings.db_url, migrate.BASELINE)
        with raw.connect() as conn:
            assert migrate.stored_revisions(conn) == (migrate.BASELINE,)
    finally:
        raw.dispose()


def test_a_version_table_with_several_rows_is_refused(settings: Settings) -> None:
    """radar's history is one line, so two rows mean someone edited the table: no guessing which is true."""
    migrate.upgrade(settings.db_url)
    raw = sa.create_engine(settings.db_url)
    with raw.begin() as conn:
        conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": migrate.BASELINE})
    raw.dispose()
    with pytest.raises(RuntimeError, match="holds several revisions"):
        get_engine(settings)


@pytest.mark.parametrize("at_head", [True, False], ids=["at head", "empty"])
def test_when_the_files_give_no_answer_alembic_decides(at_head: bool, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database at head is left alone, and an empty one migrated, even without the shortcut."""
    if at_head:
        migrate.upgrade(settings.db_url)
    monkeypatch.setattr(migrate, "head_from_files", lambda: None)
    engine = get_engine(settings)
    with engine.connect() as conn:
        assert migrate.stored_revisions(conn) == (migrate.head_revision(),)
