"""Test data for the web tests: a small, realistic database written through the storage models.

The data covers what the pages must show: a document with two versions (a
diff), evidence, an attachment, a republication (story_id), a draft and its
final version, a hostile title, crawl runs with an archived WARC response and
a failed fetch, a subscriber with a sent digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi.testclient import TestClient

from core.settings import Settings
from storage.db import get_engine, session_scope
from storage.models import (
    Attachment,
    CrawlRun,
    Delivery,
    DigestRun,
    Document,
    DocumentVersion,
    FetchLog,
    Source,
    Subscriber,
    TrackLabel,
    utcnow,
)
from storage.warc import RunWarc
from storage.search_index import ensure_index, index_document

TOKEN = "test-admin-token-0123456789"
XSS = "<img src=x onerror=alert(1)>量子科技发展通知"

V1 = "关于推动氢能产业高质量发展的实施意见\n各省、自治区、直辖市工业和信息化主管部门：\n到2027年，氢能产业链基本完善，燃料电池汽车保有量达到5万辆。\n加快核聚变前沿技术研究。\n本意见自印发之日起施行。"
V2 = "关于推动氢能产业高质量发展的实施意见\n各省、自治区、直辖市工业和信息化主管部门：\n到2027年，氢能产业链基本完善，燃料电池汽车保有量达到10万辆。\n加快核聚变前沿技术研究。\n支持建设一批氢能示范城市群。\n本意见自印发之日起施行。\n【附件：示范城市群名单.pdf】\n附件1 氢能示范城市群名单 北京 上海 广东"
WARC_BODY = (
    "<html><head><meta charset='utf-8'><title>氢能</title></head><body><h1>关于推动氢能产业高质量发展的实施意见</h1></body></html>".encode()
)


@dataclass
class Seeded:
    settings: Settings
    doc: int  # two versions, evidence, attachment, draft link, republished
    reprint: int  # same story on a provincial site
    draft: int  # the 征求意见稿 of ``doc``
    xss: int
    run_ok: int
    run_failed: int
    fetch_archived: int
    fetch_failed: int
    subscriber: int
    delivery: int


def seed(settings: Settings) -> Seeded:
    """Write the test data with the storage models and keep the search index in sync as the pipeline will."""
    engine = get_engine(settings)
    ensure_index(engine)
    now = utcnow()
    with session_scope(settings) as s:
        s.add(Source(name="miit-wjfb", title="工业和信息化部 文件发布", region="全国", agency="工业和信息化部"))
        s.add(Source(name="zj-gov", title="浙江省人民政府 文件库", region="浙江", agency="浙江省人民政府"))
        ok = CrawlRun(
            source_name="miit-wjfb",
            started_at=now - timedelta(minutes=5),
            finished_at=now,
            status="ok",
            requests=2,
            items_seen=3,
            items_new=2,
            items_changed=1,
        )
        bad = CrawlRun(
            source_name="zj-gov",
            started_at=now - timedelta(minutes=3),
            finished_at=now,
            status="failed",
            requests=1,
            errors=1,
            error="ConnectionRefusedError: 连接被拒绝",
        )
        s.add(ok)
        s.add(bad)
    # RunWarc records the payload in its own transaction, as during a crawl.
    warc = RunWarc(settings, "miit-wjfb", ok.id)  # type: ignore[arg-type]
    loc = warc.write(
        "http://127.0.0.1/miit/art1.html",
        200,
        "OK",
        [("Content-Type", "text/html; charset=utf-8")],
        WARC_BODY,
        hashlib.sha256(WARC_BODY).hexdigest(),
    )
    warc.close()
    with session_scope(settings) as s:
        f_ok = FetchLog(
            run_id=ok.id,
            source_name="miit-wjfb",
            url="http://127.0.0.1/miit/art1.html",
            status=200,
            bytes=len(WARC_BODY),
            duration_ms=12.5,
            content_type="text/html; charset=utf-8",
            content_hash=hashlib.sha256(WARC_BODY).hexdigest(),
            warc_path=loc.path,
            warc_offset=loc.offset,
        )
        f_bad = FetchLog(run_id=bad.id, source_name="zj-gov", url="http://127.0.0.1/zj/list.html", status=None, error="连接被拒绝")
        s.add(f_ok)
        s.add(f_bad)
        # how a guessed list page past the last one answers: the end of the list, not an error
        s.add(FetchLog(run_id=bad.id, source_name="zj-gov", url="http://127.0.0.1/zj/index_9.html", status=404, end_of_list=True))

        draft = Document(
            source_name="miit-wjfb",
            url="http://127.0.0.1/miit/draft.html",
            title="关于推动氢能产业高质量发展的实施意见（征求意见稿）",
            agency="工业和信息化部",
            region="全国",
            published=date(2025, 1, 10),
            doctype="征求意见稿",
            is_draft=True,
            current_version=1,
        )
        s.add(draft)
        s.flush()
        doc = Document(
            source_name="miit-wjfb",
            url="http://127.0.0.1/miit/art1.html",
            title="关于推动氢能产业高质量发展的实施意见",
            agency="工业和信息化部",
            region="全国",
            doc_number="工信部联规〔2025〕12号",
            published=date(2025, 3, 5),
            date_source="label:发布日期",
            written=date(2025, 2, 18),
            doctype="实施意见",
            current_version=2,
            draft_id=draft.id,
        )
        s.add(doc)
        s.flush()
        doc.story_id = doc.id
        reprint = Document(
            source_name="zj-gov",
            url="http://127.0.0.1/zj/art9.html",
            title="转发关于推动氢能产业高质量发展的实施意见的通知",
            agency="浙江省经济和信息化厅",
            region="浙江",
            published=date(2025, 3, 7),
            doctype="通知公告",
            current_version=1,
            story_id=doc.id,
        )
        xss = Document(
            source_name="zj-gov",
            url="http://127.0.0.1/zj/x.html",
            title=XSS,
            agency="<b>某厅</b>",
            region="浙江",
            published=date(2025, 3, 6),
            doctype="通知公告",
            current_version=1,
        )
        s.add(reprint)
        s.add(xss)
        s.flush()
        versions = [
            DocumentVersion(
                document_id=draft.id, version_no=1, text_hash="d1", title=draft.title, text="征求意见稿\n发展氢能产业。", run_id=ok.id
            ),  # type: ignore[arg-type]
            DocumentVersion(
                document_id=doc.id,
                version_no=1,
                text_hash="a1",
                title=doc.title,
                text=V1,
                run_id=ok.id,  # type: ignore[arg-type]
                first_seen=now - timedelta(days=1),
            ),
            DocumentVersion(
                document_id=doc.id,
                version_no=2,
                text_hash="a2",
                title=doc.title,
                text=V2,
                run_id=ok.id,  # type: ignore[arg-type]
                summary="到2027年，氢能产业链基本完善。",
                diff="~ 燃料电池汽车保有量达到[-5-]{+10+}万辆。",
                change_summary="新增1段，修改“到2027年，氢能产业链基本完善，…”一句",
            ),
            DocumentVersion(
                document_id=reprint.id, version_no=1, text_hash="r1", title=reprint.title, text="转发通知\n" + V1, run_id=ok.id
            ),  # type: ignore[arg-type]
            DocumentVersion(
                document_id=xss.id,
                version_no=1,
                text_hash="x1",
                title=XSS,
                run_id=ok.id,  # type: ignore[arg-type]
                text=XSS + "\n<script>alert(1)</script>推进量子计算与量子通信。",
            ),
        ]
        for v in versions:
            s.add(v)
        s.flush()
        v_doc1, v_doc2, v_rep, v_xss = versions[1], versions[2], versions[3], versions[4]
        energy = {
            "track_id": "energy",
            "track": "未来能源",
            "score": 0.91,
            "quote": "到2027年，氢能产业链基本完善。",
            "subtracks": [
                {"id": "hydrogen", "name": "氢能", "score": 0.9, "terms": {"氢能": 4}},
                {"id": "fusion_nuclear", "name": "核能与核聚变", "score": 0.3, "terms": {"核聚变": 1}},
            ],
            "terms": {"氢能": 4, "燃料电池": 1, "核聚变": 1},
        }
        s.add(TrackLabel(version_id=v_doc1.id, document_id=doc.id, **energy))  # type: ignore[arg-type]
        s.add(TrackLabel(version_id=v_doc2.id, document_id=doc.id, **energy))  # type: ignore[arg-type]
        s.add(TrackLabel(version_id=v_rep.id, document_id=reprint.id, **energy))  # type: ignore[arg-type]
        s.add(
            TrackLabel(
                version_id=v_xss.id,
                document_id=xss.id,
                track_id="information",
                track="未来信息",
                score=0.7,  # type: ignore[arg-type]
                subtracks=[{"id": "quantum", "name": "量子科技", "score": 0.7, "terms": {"量子计算": 1}}],
                terms={"量子计算": 1, "量子通信": 1},
                quote="推进量子计算与量子通信。",
            )
        )
        s.add(
            Attachment(
                document_id=doc.id,
                url="http://127.0.0.1/miit/list.pdf",
                filename="示范城市群名单.pdf",
                kind="pdf",  # type: ignore[arg-type]
                content_type="application/pdf",
                sha256="f" * 64,
                bytes=20480,
                page_count=2,
                text="附件1 氢能示范城市群名单 北京 上海 广东",
            )
        )
        for d in (draft, doc, reprint, xss):
            index_document(s, d.id)  # type: ignore[arg-type]

        sub = Subscriber(email="reader@example.com", tracks=["未来能源"], confirmed=True, confirmed_at=now)
        s.add(sub)
        s.flush()
        from alerts.period import week_containing

        week = week_containing(now, settings.timezone)
        drun = DigestRun(period_key=week.key, period_start=week.start, period_end=week.end, status="ok", finished_at=now)
        s.add(drun)
        s.flush()
        delivery = Delivery(
            run_id=drun.id,
            subscriber_id=sub.id,
            period_key=week.key,
            status="sent",
            items=1,  # type: ignore[arg-type]
            subject="未来产业政策周报 · 测试",
            sent_at=now,
        )
        s.add(delivery)
        s.flush()
        return Seeded(settings, doc.id, reprint.id, draft.id, xss.id, ok.id, bad.id, f_ok.id, f_bad.id, sub.id, delivery.id)  # type: ignore[arg-type]


def csrf_of(client: TestClient, path: str = "/subscribe") -> str:
    """The form token a page hands out (and the cookie it sets on the client)."""
    import re

    html = client.get(path).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, f"no CSRF field on {path}"
    return m.group(1)
