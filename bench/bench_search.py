"""Full-text search latency on a synthetic corpus of policy documents: p50 / p95 per query.

Builds N documents (default 100,000, ~1,000 characters each, drawn from the
taxonomy's terms and common policy wording), indexes them with
storage.search_index.reindex_all, then times ``web.search.search`` (first page of 20
with the total, what the search page runs) for a mix of queries: track terms
of 3-6 characters, two-character terms (氢能, 6G), two-term queries,
a filtered query, and a term that matches nothing.

Baseline, measured in the same run on the same database: ``LIKE '%q%'`` over
the current version's text joined to its document (what a search without an
index costs), for the same queries with fewer repetitions.

Run: python bench/bench_search.py [--docs 100000] [--reps 20] [--db PATH]
     (DATABASE_URL=postgresql+psycopg://… benchmarks the pg_trgm path instead)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from pipeline.taxonomy import load_taxonomy  # noqa: E402
from core.settings import Settings  # noqa: E402
from storage.db import get_engine  # noqa: E402
from storage.search_index import ensure_index  # noqa: E402
from web.search import SearchFilters, search  # noqa: E402

REGIONS = ["全国", "浙江", "广东", "北京", "上海", "杭州", "深圳", "广州", "江苏", "四川"]
DOCTYPES = ["政策文件", "通知公告", "实施意见", "行动计划·方案", "政策解读", "研究报告", "征求意见稿"]
COMMON = (
    "推动 加快 发展 建设 产业 创新 支持 鼓励 完善 体系 培育 企业 项目 平台 示范 应用 场景 技术 研发 "
    "标准 政策 资金 人才 服务 园区 集群 生态 数字化 智能化 绿色化 高质量 融合 协同 开放 合作 试点 "
    "布局 规划 重点 任务 保障 措施 组织 实施 评估 考核 各地 各部门 有关单位 认真 贯彻 落实 通知 "
    "如下 现将 印发 给你们 请结合 实际 工作 年度 目标 到2027年 形成 一批 具有 国际 竞争力 领军 "
    "关键 核心 攻关 突破 能力 显著 提升 新型 基础设施 算力 数据 要素 市场 机制 改革 营商 环境"
).split()


def corpus_terms() -> list[str]:
    tax = load_taxonomy()
    terms: list[str] = []
    for t in tax.tracks:
        terms += list(t.terms)
        for st in t.subtracks:
            terms += list(st.terms)
    return terms


def make_text(rng: random.Random, terms: list[str], chars: int) -> str:
    out: list[str] = []
    n = 0
    while n < chars:
        words = rng.choices(COMMON, k=rng.randint(6, 14)) + rng.choices(terms, k=rng.randint(0, 2))
        rng.shuffle(words)
        sentence = "".join(words) + rng.choice("，。；。")
        out.append(sentence)
        n += len(sentence)
        if rng.random() < 0.15:
            out.append("\n")
    return "".join(out)


def build(settings: Settings, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    terms = corpus_terms()
    engine = get_engine(settings)
    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO source(name, title, region, agency, config_hash, updated_at) VALUES ('bench', '基准来源', '全国', '基准', '', :t)"
            ),
            {"t": base},
        )
        docs, vers = [], []
        for i in range(1, n + 1):
            seen = base + timedelta(minutes=5 * i)
            title = (
                "关于" + "".join(rng.choices(COMMON, k=2)) + rng.choice(terms) + rng.choice(["的通知", "实施方案", "行动计划", "若干措施"])
            )
            body = make_text(rng, terms, rng.randint(500, 1500))
            docs.append(
                {
                    "id": i,
                    "url": f"https://bench.example/{i}.html",
                    "title": title,
                    "region": rng.choice(REGIONS),
                    "doctype": rng.choice(DOCTYPES),
                    "published": (seen.date() - timedelta(days=rng.randint(0, 20))),
                    "seen": seen,
                }
            )
            vers.append({"d": i, "h": f"{i:064x}", "title": title, "text": title + "\n" + body, "seen": seen})
            if len(docs) == 5000 or i == n:
                conn.execute(
                    text(
                        "INSERT INTO document(id, source_name, url, title, agency, region, published, doctype, first_seen, last_seen, current_version, is_draft)"
                        " VALUES (:id, 'bench', :url, :title, '基准', :region, :published, :doctype, :seen, :seen, 1, false)"
                    ),
                    docs,
                )
                conn.execute(
                    text(
                        "INSERT INTO documentversion(document_id, version_no, text_hash, title, text, summary, first_seen, last_seen)"
                        " VALUES (:d, 1, :h, :title, :text, '', :seen, :seen)"
                    ),
                    vers,
                )
                docs, vers = [], []
    t1 = time.perf_counter()
    ensure_index(engine)  # creates the structures (and backfills: the same as reindex_all)
    t2 = time.perf_counter()
    print(f"corpus: {n:,} documents inserted in {t1 - t0:.1f}s, indexed in {t2 - t1:.1f}s")


QUERIES: list[tuple[str, SearchFilters | None]] = [
    ("人形机器人", None),
    ("量子计算", None),
    ("脑机接口", None),
    ("低空经济", None),
    ("固态电池", None),
    ("生物制造", None),
    ("卫星互联网", None),
    ("具身智能", None),
    ("核聚变", None),
    ("高质量", None),
    ("氢能", None),
    ("6G", None),
    ("算力", None),
    ("氢能 示范", None),
    ("量子 通信", None),
    ("人工智能 标准", None),
    ("人形机器人", SearchFilters(region="浙江")),
    ("生物制造", SearchFilters(doctype="通知公告", since=date(2025, 3, 1))),
    ("不存在的词语组合", None),
    ("政策", None),
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def like_baseline(session: Session, q: str) -> None:
    terms = q.split()
    where = " AND ".join(f"(doc.title LIKE :t{i} OR v.text LIKE :t{i})" for i in range(len(terms)))
    params = {f"t{i}": f"%{t}%" for i, t in enumerate(terms)}
    sql = (
        f"SELECT doc.id FROM document doc JOIN documentversion v ON v.document_id = doc.id AND v.version_no = doc.current_version"
        f" WHERE {where}"
    )
    session.execute(text(f"SELECT count(*) FROM ({sql}) c"), params).scalar()
    session.execute(text(f"{sql} ORDER BY doc.id DESC LIMIT 20"), params).all()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=20, help="timed repetitions of each query")
    ap.add_argument("--baseline-reps", type=int, default=2)
    ap.add_argument("--db", type=Path, default=None, help="reuse/keep the SQLite data dir here")
    args = ap.parse_args()
    data_dir = args.db or Path(tempfile.mkdtemp(prefix="bench-search-"))
    settings = Settings(RADAR_DATA_DIR=data_dir, DATABASE_URL=os.environ.get("DATABASE_URL"))
    engine = get_engine(settings)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM document")).scalar() or 0
    if have != args.docs:
        if have:
            sys.exit(f"{data_dir} holds {have} documents, not {args.docs}; use another --db")
        build(settings, args.docs)
    else:
        ensure_index(engine)
        print(f"corpus: reusing {have:,} documents in {data_dir}")
    print(f"backend: {engine.dialect.name}")
    times: dict[str, list[float]] = {}
    with Session(engine) as s:
        for q, f in QUERIES:  # warm-up: page cache, statement cache
            search(s, q, f)
        for _ in range(args.reps):
            for q, f in QUERIES:
                t = time.perf_counter()
                res = search(s, q, f)
                times.setdefault(q + (" [filtered]" if f else ""), []).append((time.perf_counter() - t) * 1000)
                if _ == 0:
                    print(f"  {q!r:28} {'filtered' if f else '':8} hits {res.total}{'+' if res.total_capped else ''}")
    all_ms = [v for vs in times.values() for v in vs]
    print(
        f"index search over {args.docs:,} docs, {len(all_ms)} queries: p50 {pct(all_ms, 50):.1f} ms, p95 {pct(all_ms, 95):.1f} ms, max {max(all_ms):.1f} ms"
    )
    # The default ranks by relevance (title hits, body hits, newest); sorting by date alone is the cheaper reference.
    date_ms: list[float] = []
    with Session(engine) as s:
        for _ in range(args.reps):
            for q, f in QUERIES:
                t = time.perf_counter()
                search(s, q, f, sort="date")
                date_ms.append((time.perf_counter() - t) * 1000)
    print(
        f"  same queries sorted by date only: p50 {pct(date_ms, 50):.1f} ms, p95 {pct(date_ms, 95):.1f} ms;"
        f" relevance costs {pct(all_ms, 50) / pct(date_ms, 50):.2f}x at p50, {pct(all_ms, 95) / pct(date_ms, 95):.2f}x at p95"
    )
    worst = sorted(times.items(), key=lambda kv: -pct(kv[1], 95))[:3]
    print("  slowest queries (p95): " + ", ".join(f"{q} {pct(v, 95):.1f} ms" for q, v in worst))
    base_ms: list[float] = []
    with Session(engine) as s:
        for _ in range(args.baseline_reps):
            for q, _f in QUERIES:
                t = time.perf_counter()
                like_baseline(s, q)
                base_ms.append((time.perf_counter() - t) * 1000)
    print(f"baseline LIKE '%q%' scan, {len(base_ms)} queries: p50 {pct(base_ms, 50):.1f} ms, p95 {pct(base_ms, 95):.1f} ms")
    print(f"speed-up at p50: {pct(base_ms, 50) / pct(all_ms, 50):.0f}x")


if __name__ == "__main__":
    main()
