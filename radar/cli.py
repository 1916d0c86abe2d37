"""`radar`: the one entry point for operators, analysts and the service itself."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from radar.settings import Settings
from radar.yamlconfig import ConfigError

app = typer.Typer(help="PolicyRadar：未来产业政策雷达 / future-industry policy watch.", no_args_is_help=True, add_completion=False)
sources_app = typer.Typer(help="Source site configs (config/sources/*.yaml).", no_args_is_help=True)
subscribers_app = typer.Typer(help="Digest subscribers.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(subscribers_app, name="subscribers")
console = Console()


def _settings() -> Settings:
    return Settings()


def _fail(msg: str, code: int = 2) -> None:
    Console(stderr=True).print(f"[bold red]错误 / error:[/] {msg}", markup=True, highlight=False)
    raise typer.Exit(code)


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at INFO level.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _crawl_table(results: list) -> Table:
    table = Table(title="抓取结果 / crawl results")
    for col in ("来源 source", "状态 status", "请求 requests", "新增 new", "更新 changed", "未变 unchanged", "错误 errors"):
        table.add_column(col)
    for r in results:
        table.add_row(r.source, r.status, str(r.requests), str(r.new), str(r.changed), str(r.unchanged), str(r.errors))
    return table


@app.command()
def crawl(sources: list[str] = typer.Argument(None, help="Source names; all enabled sources when omitted.")) -> None:
    """Crawl sources now (each in its own process) and store what is new or changed."""
    try:
        from radar.crawl import crawl_sources

        results = crawl_sources(_settings(), sources or None)
    except ConfigError as exc:
        _fail(f"invalid source config:\n{exc}")
        return
    except KeyError as exc:
        _fail(str(exc.args[0]))
        return
    if not results:
        console.print("没有可抓取的来源 / no sources configured")
    console.print(_crawl_table(results))
    for r in results:
        if r.error:
            console.print(f"[yellow]{r.source}[/]: {r.error}", markup=True, highlight=False)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command()
def digest(
    period: str = typer.Option("last-week", help="last-week | this-week | since-last"),
    to: list[str] = typer.Option(None, "--to", help="Only these subscriber addresses."),
) -> None:
    """Render and send the digest for a period to subscribers (SMTP_URL, or .eml files in the outbox)."""
    from alerts.digest import last_digest_end, run_digest
    from alerts.period import last_completed_week, since, week_containing

    settings = _settings()
    now = datetime.now(timezone.utc)
    if period == "last-week":
        p = last_completed_week(now, settings.timezone)
    elif period == "this-week":
        p = week_containing(now, settings.timezone)
    elif period == "since-last":
        p = since(last_digest_end(settings) or datetime(2000, 1, 1, tzinfo=timezone.utc), now, settings.timezone)
    else:
        _fail(f"unknown period {period!r}: use last-week, this-week or since-last")
        return
    report = run_digest(settings, p, only=to or None)
    console.print(f"摘要 {p.label}（{p.key}）：已发送 {len(report.sent)}，此前已发送 {len(report.skipped)}，失败 {len(report.failed)}")
    for email, where in report.destinations.items():
        console.print(f"  {email} → {where}", highlight=False)
    for email, err in report.failed:
        console.print(f"  [red]失败[/] {email}: {err}", markup=True, highlight=False)
    for email in report.uncertain:
        console.print(f"  [yellow]状态不明[/] {email}: a previous run crashed while sending; not resent", markup=True, highlight=False)
    if report.failed:
        raise typer.Exit(1)


@app.command("subscribe")
def subscribe_cmd(
    email: str,
    tracks: str = typer.Option("", help="Comma-separated track names or ids (e.g. 未来能源,information); empty = all."),
    regions: str = typer.Option("", help="Comma-separated regions (e.g. 全国,浙江); empty = all."),
    name: Optional[str] = typer.Option(None),
) -> None:
    """Add (or update) a digest subscriber."""
    from alerts.subscriptions import SubscriptionError, subscribe

    try:
        sub = subscribe(_settings(), email, tracks.replace("，", ",").split(","), regions.replace("，", ",").split(","), name)
    except SubscriptionError as exc:
        _fail(str(exc))
        return
    console.print(f"已订阅 {sub.email}：{'、'.join(sub.tracks) or '全部赛道'}；地区：{'、'.join(sub.regions) or '全部'}", highlight=False)


@subscribers_app.command("list")
def subscribers_list() -> None:
    """List subscribers and what they receive."""
    from alerts.subscriptions import list_subscribers

    table = Table(title="订阅者 / subscribers")
    for col in ("email", "赛道 tracks", "地区 regions", "频率", "状态"):
        table.add_column(col)
    for s in list_subscribers(_settings()):
        table.add_row(s.email, "、".join(s.tracks) or "全部", "、".join(s.regions) or "全部", s.frequency, "有效" if s.active else "停用")
    console.print(table)


@sources_app.command("validate")
def sources_validate(directory: Optional[Path] = typer.Argument(None, help="Defaults to RADAR_SOURCES_DIR / config/sources.")) -> None:
    """Check every source YAML offline; errors name file, line and field."""
    from radar.sources import load_sources

    d = directory or _settings().sources_dir
    try:
        sources = load_sources(d)
    except ConfigError as exc:
        _fail(f"{len(exc.issues)} problem(s):\n{exc}")
        return
    console.print(f"{len(sources)} 个来源配置有效 / source files valid in {d}", highlight=False)


@sources_app.command("list")
def sources_list() -> None:
    """Configured sources with their last crawl."""
    from sqlmodel import select

    from radar.sources import load_sources
    from storage.db import session_scope
    from storage.models import CrawlRun

    settings = _settings()
    try:
        sources = load_sources(settings.sources_dir)
    except ConfigError as exc:
        _fail(str(exc))
        return
    table = Table(title="来源 / sources")
    for col in ("name", "名称", "地区", "上次抓取", "状态", "新增/更新"):
        table.add_column(col)
    with session_scope(settings) as s:
        for src in sources:
            run = s.exec(select(CrawlRun).where(CrawlRun.source_name == src.name).order_by(CrawlRun.id.desc())).first()  # type: ignore[union-attr]
            table.add_row(
                src.name, src.title, src.region,
                f"{run.started_at:%Y-%m-%d %H:%M}" if run else "—",
                run.status if run else "—",
                f"{run.items_new}/{run.items_changed}" if run else "—",
            )
    console.print(table)


@app.command()
def history(source: Optional[str] = typer.Argument(None), limit: int = typer.Option(20)) -> None:
    """Recent crawl runs (newest first) with their request counts and errors."""
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import CrawlRun

    table = Table(title="抓取历史 / crawl history")
    for col in ("run", "source", "开始 started (UTC)", "结束 finished", "状态", "请求", "新增", "更新", "未变", "错误"):
        table.add_column(col)
    with session_scope(_settings()) as s:
        q = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)  # type: ignore[union-attr]
        if source:
            q = q.where(CrawlRun.source_name == source)
        for r in s.exec(q).all():
            table.add_row(
                str(r.id), r.source_name, f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                f"{r.finished_at:%H:%M:%S}" if r.finished_at else "—", r.status,
                str(r.requests), str(r.items_new), str(r.items_changed), str(r.items_unchanged), str(r.errors),
            )
    console.print(table)


@app.command()
def classify(
    jsonl: Path = typer.Option(..., "--jsonl", help="Input lines with id and text."),
    taxonomy: Optional[Path] = typer.Option(None, help="Taxonomy YAML (default config/tracks.yaml)."),
) -> None:
    """Classify JSON lines and print id, tracks, subtracks, scores, evidence (the evaluation interface)."""
    from pipeline.classify import classify_jsonl

    try:
        classify_jsonl(jsonl, sys.stdout, taxonomy)
    except ConfigError as exc:
        _fail(str(exc))


@app.command()
def extract(target: str = typer.Argument(..., help="A file path or an http(s) URL."), as_json: bool = typer.Option(False, "--json")) -> None:
    """Print what the pipeline extracts from a page or attachment."""
    from pipeline.extract_cli import extract_command

    raise typer.Exit(extract_command(target, as_json))


@app.command()
def jobs() -> None:
    """Scheduled jobs and their next run times."""
    from radar.crawl import sync_sources
    from radar.scheduler import build_scheduler, configure

    settings = _settings()
    sched = build_scheduler(settings, blocking=False)
    sched.start(paused=True)
    try:
        configure(sched, settings, sync_sources(settings))
        table = Table(title="计划任务 / jobs")
        for col in ("id", "名称", "下次运行 next run"):
            table.add_column(col)
        for job in sched.get_jobs():
            nxt = getattr(job, "next_run_time", None)
            table.add_row(job.id, job.name, f"{nxt:%Y-%m-%d %H:%M %Z}" if nxt else "—")
        console.print(table)
    finally:
        sched.shutdown(wait=False)


@app.command()
def serve() -> None:
    """Run the scheduler: each source's crawl on its schedule and the weekly digest (Monday 08:00 Asia/Shanghai)."""
    from radar.crawl import sync_sources
    from radar.scheduler import build_scheduler, configure

    settings = _settings()
    try:
        sources = sync_sources(settings)
    except ConfigError as exc:
        _fail(f"invalid source config:\n{exc}")
        return
    sched = build_scheduler(settings, blocking=True)
    configure(sched, settings, sources)
    console.print(f"PolicyRadar 调度已启动：{len(sources)} 个来源，数据库 {settings.db_url}", highlight=False)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@app.command()
def demo(port: int = typer.Option(0, help="Loopback port for the replica sites (0 = any free port).")) -> None:
    """Run the whole flow on bundled offline replicas; run it again to see a changed document."""
    from radar.demo import DEMO_EMAIL, run_demo

    settings = _settings()
    result = run_demo(settings, port=port)
    console.print(f"[bold]PolicyRadar 演示 · 第 {result.run_number} 次运行[/]", markup=True)
    if result.edited:
        console.print(f"演示站点已修改一页：{result.edited}", highlight=False)
    console.print(_crawl_table(result.crawls))
    for r in result.crawls:
        if r.error:
            console.print(f"[yellow]{r.source} 记录的错误[/]: {r.error}", markup=True, highlight=False)
    if result.changed:
        table = Table(title="更新的文件 / changed documents")
        table.add_column("标题")
        table.add_column("变化")
        for title, _url, summary in result.changed:
            table.add_row(title, summary)
        console.print(table)
    rep = result.digest
    where = rep.destinations.get(DEMO_EMAIL, "—")
    console.print(f"摘要（{rep.period.label}）已写入 / digest written: {where}", highlight=False)
    console.print(f"数据目录 / data dir: {settings.data_dir.resolve()}", highlight=False)


if __name__ == "__main__":
    app()
