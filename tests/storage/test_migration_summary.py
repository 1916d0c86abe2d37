"""Revision 0005 rewrites stored summaries: an upgraded install's digests stop quoting salutations."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from radar.settings import Settings
from storage import migrate
from storage.db import dispose_engines

TITLE = "关于印发《氢能产业创新发展行动方案》的通知"
BODY = ("各省、自治区、直辖市工业和信息化主管部门：\n现将《氢能产业创新发展行动方案》印发给你们，请认真贯彻执行。\n"
        "到2027年，建成加氢站200座以上，燃料电池汽车保有量达到5万辆。")
OLD = BODY.replace("\n", "")[:120]


def _summary(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT summary FROM documentversion")).scalar_one()
    finally:
        engine.dispose()


def test_upgrade_rewrites_summaries_and_downgrade_restores_the_lead(settings: Settings) -> None:
    url = settings.db_url
    migrate.upgrade(url, "0003")
    engine = sa.create_engine(url)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        doc_id = conn.execute(sa.text(
            "INSERT INTO document (source_name, url, title, doctype, first_seen, last_seen, current_version, is_draft)"
            " VALUES ('miit', 'http://127.0.0.1/1.html', :t, '行动计划·方案', :now, :now, 1, false) RETURNING id"), {"t": TITLE, "now": now}).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO documentversion (document_id, version_no, text_hash, title, text, summary, first_seen, last_seen)"
            " VALUES (:d, 1, 'h', :t, :text, :s, :now, :now)"), {"d": doc_id, "t": TITLE, "text": f"{TITLE}\n{BODY}", "s": OLD, "now": now})
    engine.dispose()
    assert _summary(url).startswith("各省")

    done = migrate.upgrade(url)
    assert done.after == migrate.head_revision()
    assert _summary(url) == "到2027年，建成加氢站200座以上，燃料电池汽车保有量达到5万辆。"

    migrate.downgrade(url, "0003")
    dispose_engines()
    assert _summary(url) == OLD
