"""The schema comes from Alembic revisions, and those revisions describe exactly what models.py declares.

If someone changes storage/models.py without adding a revision
(`radar db revision -m "…"`), test_upgrade_from_empty_matches_the_models fails
and prints what autogenerate would write.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from core.settings import Settings
from storage import migrate
from storage.db import dispose_engines, get_engine, session_scope
from storage.models import Document, Source, Subscriber


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _model_tables() -> set[str]:
    return set(SQLModel.metadata.tables)


def _state(settings: Settings) -> tuple[str | None, list]:
    """(revision, differences from the models), read on a fresh connection."""
    with get_engine(settings).connect() as conn:
        return migrate.current_revision(conn), migrate.schema_differences(conn)


def test_upgrade_from_empty_matches_the_models(settings: Settings) -> None:
    from radar.scheduler import build_scheduler
    from storage.search_index import ensure_index

    engine = get_engine(settings)
    # Tables the models do not describe: APScheduler's job store and the search index. They must be ignored, not absent.
    scheduler = build_scheduler(settings, blocking=False)
    scheduler.start(paused=True)
    scheduler.shutdown(wait=False)
    ensure_index(engine)
    tables = _tables(engine)
    assert {"apscheduler_jobs", "alembic_version"} <= tables
    assert "docsearch_fts" in tables or "docsearch" in tables
    assert _model_tables() <= tables
    rev, diffs = _state(settings)
    assert rev == migrate.head_revision()
    assert diffs == [], f"models.py differs from the migrations; add a revision (radar db revision -m ...): {diffs}"


def test_downgrade_to_base_and_upgrade_again(settings: Settings) -> None:
    engine = get_engine(settings)
    with session_scope(settings) as s:
        s.add(Source(name="miit", title="工信部", region="国家", agency="工业和信息化部"))
    done = migrate.downgrade(settings.db_url, "base")
    assert done.after is None
    dispose_engines()  # pooled connections may have cached the dropped tables
    assert not (_model_tables() | {"docsearch", "docsearch_fts"}) & _tables(engine)
    done = migrate.upgrade(settings.db_url)
    assert (done.before, done.after) == (None, migrate.head_revision())
    rev, diffs = _state(settings)
    assert rev == migrate.head_revision() and diffs == []
    with session_scope(settings) as s:
        assert s.exec(select(Source)).all() == []  # base really dropped the data


def _add_rows(engine: sa.Engine) -> None:
    with Session(engine) as s:
        s.add(Document(source_name="miit", url="http://x/1.html", title="关于推动未来产业创新发展的实施意见"))
        s.add(Subscriber(email="a@example.com", confirmed=True))
        s.commit()


def _assert_rows_kept(settings: Settings) -> None:
    with session_scope(settings) as s:
        assert [d.title for d in s.exec(select(Document)).all()] == ["关于推动未来产业创新发展的实施意见"]
        assert [x.email for x in s.exec(select(Subscriber)).all()] == ["a@example.com"]


def test_create_all_database_is_stamped_and_keeps_its_rows(settings: Settings) -> None:
    """A database made by create_all from the current models (no alembic_version) is adopted as head."""
    raw = sa.create_engine(settings.db_url)
    SQLModel.metadata.create_all(raw)
    _add_rows(raw)
    assert "alembic_version" not in _tables(raw)
    raw.dispose()
    rev, diffs = _state(settings)  # get_engine adopts it
    assert rev == migrate.head_revision() and diffs == []
    _assert_rows_kept(settings)


def test_pre_migration_database_at_the_baseline_is_stamped_and_upgraded(settings: Settings) -> None:
    """A database create_all built before migrations existed (= revision 0001's schema) is stamped 0001, then upgraded."""
    migrate.upgrade(settings.db_url, migrate.BASELINE)
    raw = sa.create_engine(settings.db_url)
    with raw.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
        now = datetime.now(timezone.utc)
        conn.execute(
            sa.text(
                "INSERT INTO document (source_name, url, title, first_seen, last_seen, current_version, is_draft)"
                " VALUES ('miit', 'http://x/1.html', '关于推动未来产业创新发展的实施意见', :now, :now, 1, false)"
            ),
            {"now": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO subscriber (email, frequency, language, skip_empty, confirmed, active, created_at, tracks)"
                " VALUES ('a@example.com', 'weekly', 'zh', false, true, true, :now, '[]')"
            ),
            {"now": now},
        )
    raw.dispose()
    done = migrate.upgrade(settings.db_url)
    expected = migrate.head_revision() if migrate.head_revision() == migrate.BASELINE else migrate.BASELINE
    assert (done.stamped, done.after) == (expected, migrate.head_revision())
    rev, diffs = _state(settings)
    assert rev == migrate.head_revision() and diffs == []
    _assert_rows_kept(settings)


def test_a_database_newer_than_the_code_is_refused_with_a_clear_error(settings: Settings) -> None:
    """A worker running old code must not touch a schema another host has already upgraded past it."""
    migrate.upgrade(settings.db_url)
    raw = sa.create_engine(settings.db_url)
    with raw.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    raw.dispose()
    with pytest.raises(RuntimeError, match="revision 9999, which this version of radar does not know"):
        get_engine(settings)


def test_upgrade_puts_the_doc_numbers_of_stored_documents_in_the_search_index(settings: Settings) -> None:
    """Revision 0009 adds the 发文字号/agency column to the search index; the next start fills it for old documents."""
    import storage.search_index
    from web.search import search

    migrate.upgrade(settings.db_url, "0007")
    raw = sa.create_engine(settings.db_url)
    now = datetime.now(timezone.utc)
    with raw.begin() as conn:
        doc_id = conn.execute(
            sa.text(
                "INSERT INTO document (source_name, url, title, first_seen, last_seen, current_version, is_draft, doc_number, agency)"
                " VALUES ('miit', 'http://x/1.html', '量子科技产业创新发展行动方案', :now, :now, 1, false, '工信部科〔2025〕18号', '工业和信息化部')"
                " RETURNING id"
            ),
            {"now": now},
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO documentversion (document_id, version_no, text_hash, title, text, first_seen, last_seen)"
                " VALUES (:id, 1, 'h', '量子科技产业创新发展行动方案', '加快量子计算原型机研制。', :now, :now)"
            ),
            {"id": doc_id, "now": now},
        )
        # the index row revision 0007's code wrote: title, body, attachments
        if raw.dialect.name == "sqlite":
            conn.execute(
                sa.text("INSERT INTO docsearch_fts(rowid, title, body, attachments) VALUES (:id, '量子科技 ', '量子计算 ', ' ')"),
                {"id": doc_id},
            )
        else:
            conn.execute(
                sa.text("INSERT INTO docsearch(document_id, title, body, attachments) VALUES (:id, '量子科技 ', '量子计算 ', ' ')"),
                {"id": doc_id},
            )
    raw.dispose()
    done = migrate.upgrade(settings.db_url)
    assert (done.before, done.after) == ("0007", migrate.head_revision())
    engine = get_engine(settings)
    storage.search_index._ready.discard(str(engine.url))  # a process starting on the upgraded database
    storage.search_index.ensure_index(engine)
    with Session(engine) as s:
        for q in ("工信部科〔2025〕18号", "工信部科[2025]18号", "〔2025〕18号", "量子计算"):
            assert [h.document_id for h in search(s, q).hits] == [doc_id], q
    migrate.downgrade(settings.db_url, "0007")  # and back: the old shape, refilled by the old code's ensure_index
    dispose_engines()
    with sa.create_engine(settings.db_url).connect() as conn:
        table = "docsearch_fts" if conn.dialect.name == "sqlite" else "docsearch"
        assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0
        assert "refs" not in {c["name"] for c in sa.inspect(conn).get_columns(table)} or conn.dialect.name == "sqlite"


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The CLI builds its own Settings from the environment: point it at this test's database."""
    monkeypatch.setenv("RADAR_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    return settings


def test_cli_upgrade_current_and_history(cli_env: Settings) -> None:
    from radar.cli import app

    runner = CliRunner()
    head = migrate.head_revision()
    before = runner.invoke(app, ["db", "current"])
    assert before.exit_code == 0, before.output
    assert "none" in before.output and head in before.output
    up = runner.invoke(app, ["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert f"→ {head}" in up.output
    now = runner.invoke(app, ["db", "current"])
    assert now.exit_code == 0 and f"current: {head} (head)" in now.output, now.output
    history = runner.invoke(app, ["db", "history"], terminal_width=200)
    assert history.exit_code == 0, history.output
    lines = history.output.strip().splitlines()
    assert f"-> {head} (head, current)" in lines[0]
    assert lines[-1].startswith(f"<base> -> {migrate.BASELINE}")


def test_cli_an_unknown_revision_is_named_without_a_traceback(cli_env: Settings) -> None:
    from radar.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for command in ("downgrade", "upgrade"):
        result = runner.invoke(app, ["db", command, "nosuch"], terminal_width=200)
        assert result.exit_code == 2, result.output
        assert "nosuch" in result.output and "radar db history" in result.output and "Traceback" not in result.output
