"""`radar`: the one entry point for operators, analysts and the service itself."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from core.settings import Settings
from core.status_words import FREQUENCY_ZH, RUN_STATUS_ZH
from core.yamlconfig import ConfigError
from radar.clierrors import RadarGroup, UsageProblem, print_error, require_database

if TYPE_CHECKING:
    from core.sources import SourceConfig

app = typer.Typer(
    cls=RadarGroup, help="PolicyRadar：未来产业政策雷达 / future-industry policy watch.", no_args_is_help=True, add_completion=False
)
sources_app = typer.Typer(help="Source site configs (config/sources/*.yaml).", no_args_is_help=True)
subscribers_app = typer.Typer(help="Digest subscribers.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(subscribers_app, name="subscribers")
webhooks_app = typer.Typer(help="Instant-alert webhooks (WeCom, DingTalk, Feishu, Slack, JSON).", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")
from storage.cli import db_app  # noqa: E402 - the sub-app lives with the migrations it drives

app.add_typer(db_app, name="db")
console = Console()


def _settings() -> Settings:
    return Settings()


def mask_url(url: str) -> str:
    """A webhook URL for screens and logs: query values (access_token, key, sign …), user info and long path ids hidden.

    WeCom, DingTalk, Feishu and Slack put the credential in the URL itself, so
    whoever sees the full URL can post as the bot.
    """
    import re as _re
    from urllib.parse import parse_qsl, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    query = "&".join(f"{k}=***" for k, _v in parse_qsl(parts.query, keep_blank_values=True))
    # Slack, Feishu and others put the token in the path: hide every id-like segment (8+ characters with a digit).
    path = "/".join(seg[:3] + "***" if len(seg) >= 8 and _re.search(r"\d", seg) else seg for seg in parts.path.split("/"))
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def _fail(msg: str, code: int = 2) -> None:
    print_error(msg)
    raise typer.Exit(code)


def local_time(value: datetime | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) time in the service's time zone, as the web pages show it; columns name the zone."""
    if value is None:
        return "—"
    from zoneinfo import ZoneInfo

    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


def _reason(exc: Exception) -> str:
    """A pydantic error as one line per field ("frequency: Input should be …"), without its documentation links."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors())
    return str(exc)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("policyradar")
        except PackageNotFoundError:  # run from a source tree without an install
            v = "unknown"
        console.print(f"PolicyRadar {v}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at INFO level."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _crawl_table(results: list) -> Table:
    table = Table(title="抓取结果 / crawl results")
    for col in ("来源 source", "状态 status", "请求 requests", "新增 new", "更新 changed", "未变 unchanged", "错误 errors"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r.source, RUN_STATUS_ZH.get(r.status, r.status), str(r.requests), str(r.new), str(r.changed), str(r.unchanged), str(r.errors)
        )
    return table


@app.command()
def crawl(
    sources: list[str] = typer.Argument(None, help="Source names; all enabled sources when omitted."),
    all_sources: bool = typer.Option(False, "--all", help="Every enabled source (the same as naming none)."),
    batch_size: Optional[int] = typer.Option(
        None,
        "--batch-size",
        min=1,
        help="Sources per batch (one crawl process and one fetch process each); default RADAR_CRAWL_BATCH_SIZE or ~250 per core.",
    ),
) -> None:
    """Crawl sources now, in batches (a lone source in its own processes), and store what is new or changed."""
    if all_sources and sources:
        _fail("--all 与来源名称不能同时使用 / name sources or give --all, not both")
        return
    from crawl.progress import CrawlProgressView

    try:
        from crawl.launcher import crawl_sources

        with CrawlProgressView() as view:
            results = crawl_sources(_settings(), sources or None, batch_size=batch_size, progress=view.update)
    except ConfigError as exc:
        _fail(f"来源配置有误 / invalid source config:\n{exc}")
        return
    except KeyError as exc:
        from core.known_sources import known_sources

        demo = sorted(k.config.name for k in known_sources(_settings()) if k.demo and k.config.name in (sources or []))
        hint = (
            f"\n{', '.join(demo)}: 演示来源，请运行 `radar demo`（或在网页 /sources 上重新抓取）/ demo sources: run `radar demo`"
            if demo
            else ""
        )
        _fail(f"未知来源 / {exc.args[0]}" + hint)
        return
    if not results:
        console.print("没有可抓取的来源 / no sources configured")
    console.print(_crawl_table(results))
    if len(results) > 1:
        tally = {k: sum(r.status == k for r in results) for k in ("ok", "failed", "skipped")}
        console.print(
            f"共 {len(results)} 个来源：成功 {tally['ok']}，失败 {tally['failed']}，跳过 {tally['skipped']} / "
            f"{len(results)} sources: {tally['ok']} ok, {tally['failed']} failed, {tally['skipped']} skipped"
        )
    for r in results:
        if r.error:
            console.print(f"[yellow]{r.source}[/]: {r.error}", markup=True, highlight=False)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command()
def digest(
    period: str = typer.Option("last-week", help="last-week | this-week | yesterday | since-last"),
    to: list[str] = typer.Option(None, "--to", help="Only these subscriber addresses."),
    frequency: str = typer.Option("weekly", help="Which subscribers: weekly | daily."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List who would get what; send nothing."),
    preview: Optional[str] = typer.Option(None, "--preview", help="Render this subscriber's digest to a file; send nothing."),
    output: Path = typer.Option(Path("digest-preview.eml"), "--output", "-o", help="Where --preview writes (.eml, plus .html beside it)."),
) -> None:
    """Render and send the digest for a period (SMTP_URL, or .eml files in the outbox), exactly once per subscriber."""
    from alerts.digest import last_digest_end, render_preview, run_digest
    from alerts.period import day_containing, last_completed_week, since, week_containing

    settings = _settings()
    now = datetime.now(timezone.utc)
    periods = {
        "last-week": lambda: last_completed_week(now, settings.timezone),
        "this-week": lambda: week_containing(now, settings.timezone),
        "yesterday": lambda: day_containing(now - timedelta(days=1), settings.timezone),
        "since-last": lambda: since(last_digest_end(settings) or datetime(2000, 1, 1, tzinfo=timezone.utc), now, settings.timezone),
    }
    if period not in periods:
        from difflib import get_close_matches

        close = get_close_matches(period, list(periods), n=1)
        guess = f"；是否想用 / did you mean {close[0]}?" if close else ""
        _fail(f"未知周期 / unknown period {period!r}: 可用 / use {', '.join(periods)}{guess}")
        return
    if frequency not in ("weekly", "daily"):
        _fail(
            f"未知频率 / unknown frequency {frequency!r}: use weekly or daily (immediate subscribers get alerts as items arrive, not digests)"
        )
        return
    require_database(settings)
    _known_subscribers(settings, [*(to or []), *([preview] if preview else [])])
    p = periods[period]()
    if preview:
        try:
            path = render_preview(settings, p, preview, output)
        except LookupError as exc:
            _fail(str(exc))
            return
        console.print(f"预览已写入 / preview written: {path} and {path.with_suffix('.html')}", highlight=False)
        return
    from crawl.progress import DigestProgressView

    with DigestProgressView() as view:
        report = run_digest(settings, p, only=to or None, frequency=frequency, dry_run=dry_run, progress=view.update)
    if dry_run:
        table = Table(title=f"将发送 / would send: {p.label} ({p.key})")
        for col in ("email", "条目 items", "新增 new", "更新 changed"):
            table.add_column(col)
        for email, n, new, changed in report.planned:
            table.add_row(email, str(n), str(new), str(changed))
        console.print(table)
        for email in report.skipped:
            console.print(f"  已发送过 / already sent: {email}", highlight=False)
        return
    console.print(
        f"摘要 {p.label}（{p.key}）：已发送 {len(report.sent)}，此前已发送 {len(report.skipped)}，空摘要跳过 {len(report.empty)}，失败 {len(report.failed)}",
        highlight=False,
    )
    for email, where in report.destinations.items():
        console.print(f"  {email} → {where}", highlight=False)
    for email, err in report.failed:
        console.print(f"  [red]失败[/] {email}: {err}", markup=True, highlight=False)
    for email in report.uncertain:
        console.print(
            f"  [yellow]状态不明[/] {email}: a previous run stopped while sending to this address; not resent (check the mail server log)",
            markup=True,
            highlight=False,
        )
    if report.failed:
        raise typer.Exit(1)


def _known_subscribers(settings: Settings, emails: list[str]) -> None:
    """Refuse addresses that are not subscribers, instead of reporting "sent 0" or an empty table."""
    if not emails:
        return
    from alerts.subscriptions import list_subscribers

    known = {sub.email for sub in list_subscribers(settings)}
    unknown = [e for e in emails if e.strip().lower() not in known]
    if unknown:
        hint = f"; known: {', '.join(sorted(known))}" if known and len(known) <= 10 else ""
        raise UsageProblem(f"没有这个订阅者 / no such subscriber: {', '.join(unknown)}{hint} (see `radar subscribers list`)")


def _prefs_from_options(
    tracks: str,
    subtracks: str,
    regions: str,
    include: str,
    exclude: str,
    doctypes: str,
    frequency: str,
    immediate: str,
    language: str,
    skip_empty: bool,
):
    from alerts.subscriptions import Preferences

    # the same one-line message as an unknown track or region, not pydantic's English "Input should be …"
    if frequency not in ("weekly", "daily", "immediate"):
        raise UsageProblem(f"未知频率 / unknown frequency {frequency!r}: 可用 / use weekly, daily, immediate")
    if language not in ("zh", "en"):
        raise UsageProblem(f"未知语言 / unknown language {language!r}: 可用 / use zh（中文）, en")
    return Preferences(
        tracks=tracks,
        subtracks=subtracks,
        regions=regions,
        keywords_include=include,
        keywords_exclude=exclude,
        doctypes=doctypes,
        frequency=frequency,
        immediate_tracks=immediate,
        language=language,
        skip_empty=skip_empty,
    )


_TRACKS = typer.Option("", help="Tracks (names or ids, comma-separated, e.g. 未来能源,information); empty = all.")
_SUBTRACKS = typer.Option("", help="Sub-tracks (names or ids); empty = all.")
_REGIONS = typer.Option("", help="Regions, e.g. 全国,浙江; empty = all.")
_INCLUDE = typer.Option("", "--keywords", help="Only items containing one of these words.")
_EXCLUDE = typer.Option("", "--exclude", help="Drop items containing any of these words.")
_DOCTYPES = typer.Option("", help="Document types, e.g. 征求意见稿,实施意见; empty = all.")
_FREQ = typer.Option("weekly", help="weekly (Monday 08:00 Asia/Shanghai) | daily | immediate")
_IMMEDIATE = typer.Option("", help="Tracks to alert immediately (email and webhooks) as items arrive.")
_LANG = typer.Option("zh", help="zh (default) | en labels")


@app.command("subscribe")
def subscribe_cmd(
    email: str,
    tracks: str = _TRACKS,
    subtracks: str = _SUBTRACKS,
    regions: str = _REGIONS,
    keywords: str = _INCLUDE,
    exclude: str = _EXCLUDE,
    doctypes: str = _DOCTYPES,
    frequency: str = _FREQ,
    immediate: str = _IMMEDIATE,
    language: str = _LANG,
    skip_empty: bool = typer.Option(False, help="Send nothing for a period with nothing new."),
    name: Optional[str] = typer.Option(None),
    confirmed: bool = typer.Option(False, "--confirmed", help="The operator vouches for the address: skip the confirmation mail."),
) -> None:
    """Subscribe an address; a confirmation mail is sent first (double opt-in) unless --confirmed."""
    from pydantic import ValidationError

    from alerts.subscriptions import SubscriptionError, subscribe

    settings = _settings()
    try:
        prefs = _prefs_from_options(tracks, subtracks, regions, keywords, exclude, doctypes, frequency, immediate, language, skip_empty)
        sub = subscribe(settings, email, [], name=name, confirmed=confirmed, prefs=prefs)
    except (SubscriptionError, ValidationError) as exc:
        _fail(_reason(exc))
        return
    state = "已确认" if sub.confirmed else "待确认（确认邮件已发送）"
    console.print(
        f"已订阅 {sub.email}（{state}）：{'、'.join(sub.tracks) or '全部赛道'}；地区：{'、'.join(sub.regions) or '全部'}；频率：{FREQUENCY_ZH.get(sub.frequency, sub.frequency)}",
        highlight=False,
    )


@subscribers_app.command("list")
def subscribers_list() -> None:
    """List subscribers and what they receive."""
    from alerts.subscriptions import list_subscribers

    settings = _settings()
    require_database(settings)
    table = Table(title="订阅者 / subscribers")
    for col in ("email", "赛道 tracks", "地区 regions", "关键词", "频率", "语言", "状态"):
        table.add_column(col)
    for s in list_subscribers(settings):
        state = "已退订" if not s.active else ("有效" if s.confirmed else "待确认")
        words = "、".join(s.keywords_include) + (f" −{'、'.join(s.keywords_exclude)}" if s.keywords_exclude else "")
        table.add_row(s.email, "、".join(s.tracks) or "全部", "、".join(s.regions) or "全部", words or "—", s.frequency, s.language, state)
    console.print(table)


@subscribers_app.command("update")
def subscribers_update(
    email: str,
    tracks: str = _TRACKS,
    subtracks: str = _SUBTRACKS,
    regions: str = _REGIONS,
    keywords: str = _INCLUDE,
    exclude: str = _EXCLUDE,
    doctypes: str = _DOCTYPES,
    frequency: str = _FREQ,
    immediate: str = _IMMEDIATE,
    language: str = _LANG,
    skip_empty: bool = typer.Option(False),
) -> None:
    """Replace a subscriber's preferences (the confirmation state is kept)."""
    from pydantic import ValidationError
    from sqlmodel import select

    from alerts.subscriptions import SubscriptionError, subscribe, validate_email
    from storage.db import session_scope
    from storage.models import Subscriber

    settings = _settings()
    require_database(settings)
    try:
        addr = validate_email(email)
        with session_scope(settings) as s:
            existing = s.exec(select(Subscriber).where(Subscriber.email == addr)).first()
        if existing is None:
            _fail(f"没有这个订阅者 / no such subscriber: {addr} (see `radar subscribers list`)")
            return
        prefs = _prefs_from_options(tracks, subtracks, regions, keywords, exclude, doctypes, frequency, immediate, language, skip_empty)
        if existing.confirmed:
            subscribe(settings, addr, [], confirmed=True, prefs=prefs)
        else:
            from alerts.subscriptions import _apply, _normalise

            with session_scope(settings) as s:
                row = s.get(Subscriber, existing.id)
                assert row is not None
                _apply(row, _normalise(settings, prefs))
                s.add(row)
    except (SubscriptionError, ValidationError) as exc:
        _fail(_reason(exc))
        return
    console.print(f"已更新 / updated {addr}", highlight=False)


@subscribers_app.command("remove")
def subscribers_remove(email: str) -> None:
    """Unsubscribe an address (its delivery history is kept for the audit)."""
    from alerts.subscriptions import SubscriptionError, remove_subscriber

    settings = _settings()
    require_database(settings)
    try:
        ok = remove_subscriber(settings, email)
    except SubscriptionError as exc:
        _fail(str(exc))
        return
    if not ok:
        _fail(f"没有这个订阅者 / no such subscriber: {email} (see `radar subscribers list`)")
        return
    console.print(f"已退订 / unsubscribed {email}", highlight=False)


@webhooks_app.command("add")
def webhooks_add(
    email: str,
    kind: str = typer.Option(..., help="wecom | dingtalk | feishu | slack | json | apprise"),
    url: str = typer.Option(
        ..., help="The webhook URL the chat tool gave you, or any Apprise URL (ntfy://, tgram://, …) for --kind apprise."
    ),
    secret: Optional[str] = typer.Option(None, help="Signing secret (DingTalk 加签, Feishu 签名校验, or HMAC for json)."),
) -> None:
    """Attach a webhook channel to a subscriber; it receives their immediate alerts."""
    from sqlmodel import select

    from alerts.notify import CHANNEL_KINDS
    from core.netpolicy import BlockedAddress, check_url
    from storage.db import session_scope
    from storage.models import Subscriber, WebhookChannel

    settings = _settings()
    if kind not in CHANNEL_KINDS:
        _fail(f"未知类型 / unknown kind {kind!r}: 可用 / use one of {', '.join(CHANNEL_KINDS)}")
        return
    if kind == "apprise":
        import apprise

        if not apprise.Apprise().add(url):
            _fail("不是 Apprise 地址 / not an Apprise URL (see https://github.com/caronc/apprise/wiki for the forms)")
            return
    elif not url.startswith(("https://", "http://")):
        _fail("地址须以 http(s):// 开头 / url must be http(s)")
        return
    unresolved = None
    try:  # the same policy the sender applies, now: a refused target would otherwise fail silently at every alert
        check_url(url, allow_private=settings.webhook_allow_private)
    except BlockedAddress as exc:
        if "cannot be resolved" in str(exc):  # offline now, or a typo: the sender checks again before every alert
            unresolved = exc  # said once the channel is saved: "saved" before a refusal below would be untrue
        else:
            _fail(
                f"{exc}\n（私有/回环地址需设置 RADAR_WEBHOOK_ALLOW_PRIVATE=1 / set RADAR_WEBHOOK_ALLOW_PRIVATE=1 for private or loopback targets）"
            )
            return
    require_database(settings)
    with session_scope(settings) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == email.strip().lower())).first()
        if sub is None:
            _fail(f"没有这个订阅者 / no subscriber {email} (see `radar subscribers list`)")
            return
        if not sub.immediate_tracks and sub.frequency != "immediate":
            _fail(
                f"{sub.email} 没有即时提醒的赛道，webhook 永远不会触发 / has no immediate tracks, so a webhook would never fire: "
                f"first run `radar subscribers update {sub.email} --immediate 未来能源` (or --frequency immediate)"
            )
            return
        s.add(WebhookChannel(subscriber_id=sub.id, kind=kind, url=url, secret=secret))  # type: ignore[arg-type]
    if unresolved is not None:
        console.print(
            f"[yellow]注意 / warning:[/] {unresolved}; 已保存，发送前会再次检查 / saved; checked again before each alert",
            markup=True,
            highlight=False,
        )
    console.print(f"已添加 {kind} webhook → {email}", highlight=False)


def _webhook_channel(s: Any, channel_id: int) -> Any:
    """The channel with this id, or one clear message and exit code 2."""
    from storage.models import WebhookChannel

    ch = s.get(WebhookChannel, channel_id)
    if ch is None:
        _fail(f"没有这个 webhook / no webhook with id {channel_id} (see `radar webhooks list`)")
    return ch


@webhooks_app.command("remove")
def webhooks_remove(channel_id: int = typer.Argument(..., help="The id shown by `radar webhooks list`.")) -> None:
    """Remove a webhook channel (its delivery history is removed with it)."""
    from sqlmodel import delete

    from storage.db import session_scope
    from storage.models import WebhookDelivery

    settings = _settings()
    require_database(settings)
    with session_scope(settings) as s:
        ch = _webhook_channel(s, channel_id)
        s.exec(delete(WebhookDelivery).where(WebhookDelivery.channel_id == channel_id))  # type: ignore[arg-type]
        s.delete(ch)
    console.print(f"已删除 webhook #{channel_id}", highlight=False)


@webhooks_app.command("test")
def webhooks_test(channel_id: int = typer.Argument(..., help="The id shown by `radar webhooks list`.")) -> None:
    """Send one sample alert to a webhook channel now and show the answer."""
    from alerts.webhooks import AlertItem, WebhookError, send
    from core.netpolicy import BlockedAddress, guarded_client
    from storage.db import session_scope

    settings = _settings()
    require_database(settings)
    with session_scope(settings) as s:
        ch = _webhook_channel(s, channel_id)
    item = AlertItem(
        title="PolicyRadar 测试消息",
        url=settings.public_url,
        tracks=["测试"],
        region=None,
        agency="PolicyRadar",
        date=None,
        doc_number=None,
        summary="这是一条测试消息：webhook 已接通。",
        changed=False,
        change_summary=None,
    )
    try:
        with guarded_client(settings.webhook_allow_private, timeout=10.0) as client:
            answer = send(client, ch.kind, ch.url, ch.secret, item)
    except (WebhookError, BlockedAddress) as exc:
        _fail(f"webhook #{channel_id} 测试失败 / test failed: {exc}", code=1)
        return
    console.print(f"webhook #{channel_id} 测试成功 / test sent: {answer[:200]}", highlight=False)


@webhooks_app.command("list")
def webhooks_list() -> None:
    """Webhook channels and their subscribers."""
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Subscriber, WebhookChannel

    settings = _settings()
    require_database(settings)
    table = Table(title="Webhooks")
    for col in ("id", "subscriber", "kind", "url", "signed"):
        table.add_column(col, overflow="fold")
    with session_scope(settings) as s:
        for ch, sub in s.exec(select(WebhookChannel, Subscriber).join(Subscriber, Subscriber.id == WebhookChannel.subscriber_id)).all():  # type: ignore[arg-type]
            table.add_row(str(ch.id), sub.email, ch.kind, mask_url(ch.url), "yes" if ch.secret else "no")
    console.print(table)


@sources_app.command("validate")
def sources_validate(directory: Optional[Path] = typer.Argument(None, help="Defaults to RADAR_SOURCES_DIR / config/sources.")) -> None:
    """Check every source YAML offline; errors name file, line and field."""
    from core.sources import load_sources

    d = directory or _settings().sources_dir
    if not d.is_dir():
        _fail(f"没有这个目录 / no such directory: {d}")
        return
    try:
        sources = load_sources(d)
    except ConfigError as exc:
        _fail(f"{len(exc.issues)} 处问题 / problem(s):\n{exc}")
        return
    console.print(f"{len(sources)} 个来源配置有效 / source files valid in {d}", highlight=False)


@sources_app.command("list")
def sources_list() -> None:
    """Configured sources (and the demo's, after `radar demo`) with their health state, last success, failed requests, items/week."""
    from core.known_sources import known_sources
    from storage.health import FAILED, NEVER, PARTIAL, source_health
    from storage.db import session_scope

    settings = _settings()
    known = known_sources(settings)
    require_database(settings)
    tz = settings.timezone
    table = Table(title="来源 / sources")
    for col in ("name", "名称", "地区", "状态", f"上次成功（{tz}）", "上次请求失败", "每周条数", "响应中位数", "最近错误"):
        table.add_column(col)
    colour = {FAILED: "red", PARTIAL: "yellow", NEVER: "dim"}
    with session_scope(settings) as s:
        for k in known:
            src = k.config
            h = source_health(s, src.name)
            state = h.state(src.enabled, settings.partial_failure_share)
            shown = f"[{colour[state]}]{state}[/]" if state in colour else state
            if h.flagged(settings.fail_alert_runs):
                shown += f" [red]连续失败{h.failing_streak}次[/]"
            table.add_row(
                src.name + (" [dim](演示 demo)[/]" if k.demo else ""),
                src.title,
                src.region,
                shown,
                local_time(h.last_success, tz),
                f"{h.last_failed_requests}/{h.last_requests}（{h.request_error_share:.0%}）" if h.last_requests else "—",
                f"{h.items_per_week:g}",
                f"{h.median_ms:.0f} ms" if h.median_ms is not None else "—",
                (h.last_error or "—")[:60],
            )
    console.print(table)
    if any(k.demo for k in known):
        console.print(
            "（演示）来源的站点由 `radar demo` 提供：再次运行 `radar demo`，或在网页 /sources 上重新抓取 / "
            "demo sources: run `radar demo` again, or re-crawl them on the web page /sources.",
            highlight=False,
        )


def _unknown_source_to_check(settings: Settings, name: str, configured: list[str]) -> str:
    """Why `radar sources check NAME` cannot check a name, and how to, when the name is a demo source or a stored one."""
    from core.paths import DEMO_DIR
    from core.sources import load_sources

    where = settings.sources_dir.resolve()
    known = f"已配置 / configured in {where}: {', '.join(configured) or '—'}"
    demo_dir = (DEMO_DIR / "sources").resolve()
    if where != demo_dir and name in {src.name for src in load_sources(demo_dir)}:
        server = f"{sys.executable} -m demo.server"
        check = f"RADAR_SOURCES_DIR={demo_dir} radar sources check {name}"
        return (
            f"{name!r} 是演示来源（{demo_dir / (name + '.yaml')}），不在来源目录 {where} 中；它的站点只在演示服务器运行时存在。"
            f"检查方法：在另一个终端运行 `{server}`（回环地址 127.0.0.1:8765），再运行 `{check}`；"
            f"服务器换了端口（--port N）时再加 RADAR_DEMO_URL=http://127.0.0.1:N。\n"
            f"{name!r} is a demo source ({demo_dir / (name + '.yaml')}), not in the sources directory {where}; its site exists "
            f"only while the demo server runs. To check it: run `{server}` in another terminal (it serves 127.0.0.1:8765), "
            f"then `{check}`; if the server runs on another port (--port N), also set RADAR_DEMO_URL=http://127.0.0.1:N.\n{known}"
        )
    if _stored_source(settings, name):
        return (
            f"来源 {name!r} 在数据库中有记录，但来源目录 {where} 中没有 {name}.yaml；"
            "把 RADAR_SOURCES_DIR 指向存放它的目录后再检查。\n"
            f"source {name!r} is in the database but has no {name}.yaml in the sources directory {where}; "
            f"point RADAR_SOURCES_DIR at the folder that holds it and check again.\n{known}"
        )
    return f"未知来源 / unknown source {name!r}; {known}; 见 / see `radar sources list`"


def _stored_source(settings: Settings, name: str) -> bool:
    """Whether the database (if there is one: this never creates it) has a source or crawl runs under ``name``."""
    if not settings.database_url and not (Path(settings.data_dir) / "radar.db").exists():
        return False
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import CrawlRun, Source

    try:
        with session_scope(settings) as s:
            if s.exec(select(Source.id).where(Source.name == name)).first() is not None:
                return True
            return s.exec(select(CrawlRun.id).where(CrawlRun.source_name == name).limit(1)).first() is not None
    except SQLAlchemyError:  # only a hint: an unreachable database must not hide the answer about the name
        return False


@sources_app.command("check")
def sources_check(name: str) -> None:
    """Fetch the first list page and one detail page now and show what would be extracted."""
    from radar.source_tools import check_source
    from core.sources import load_sources

    settings = _settings()
    try:
        by_name = {src.name: src for src in load_sources(settings.sources_dir)}
    except ConfigError as exc:
        _fail(str(exc))
        return
    if name not in by_name:
        _fail(_unknown_source_to_check(settings, name, sorted(by_name)))
        return
    report = check_source(by_name[name], settings.user_agent)
    table = Table(title=f"{name}: {report.list_url}")
    for col in ("标题 title", "日期 date", "URL"):
        table.add_column(col, overflow="fold")
    for e in report.entries[:20]:
        table.add_row(e.title or "[red]（无标题）[/]", e.date or "[red]（无日期）[/]", e.url)
    console.print(table)
    console.print(f"列表条目 / list entries: {len(report.entries)}", highlight=False)
    if report.detail is not None:
        d = report.detail
        detail = Table(title=f"详情页 / detail: {report.detail_url}", show_header=False)
        detail.add_column("field")
        detail.add_column("value", overflow="fold")
        detail.add_row("标题", d.title or "—")
        detail.add_row("发布日期", str(d.published or "—"))
        detail.add_row("发文字号", d.doc_number or "—")
        detail.add_row("发布机构", d.agency or "—")
        detail.add_row("正文", (d.text[:200] + "…") if len(d.text) > 200 else (d.text or "—"))
        detail.add_row("附件", "\n".join(report.attachments) or "—")
        console.print(detail)
    if report.skipped:
        skipped = Table(title="跳过的条目 / entries not previewed")
        skipped.add_column("URL", overflow="fold")
        skipped.add_column("原因 why", overflow="fold")
        for u, why in report.skipped:
            skipped.add_row(u, why)
        console.print(skipped)
    for problem in report.problems:
        console.print(f"[yellow]⚠ {problem}[/]", markup=True, highlight=False)
    if report.problems and not report.entries:
        raise typer.Exit(1)


@sources_app.command("new")
def sources_new(
    url: str,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of <sources dir>/<name>.yaml."),
) -> None:
    """Write a starting source YAML by guessing the list-item selector from the page."""
    import httpx
    import yaml

    from pipeline.html_extract import decode_html
    from radar.source_tools import guess_source

    settings = _settings()
    try:
        resp = httpx.get(url, headers={"User-Agent": settings.user_agent}, timeout=20, follow_redirects=True)
        resp.raise_for_status()
        draft = guess_source(str(resp.url), decode_html(resp.content, declared=resp.charset_encoding))
    except (httpx.HTTPError, ValueError) as exc:
        _fail(f"{url}: {exc}")
        return
    from core.netpolicy import BlockedAddress, check_url

    try:
        check_url(str(resp.url), allow_private=False)
    except BlockedAddress as exc:
        # The operator named this private/loopback address on purpose; open exactly that much (loopback, or its address).
        import re as _re

        m = _re.search(r"resolves to (\S+) address (\S+)", str(exc))
        allow: object = True
        if m:
            allow = "loopback" if m.group(1) == "loopback" else [f"{m.group(2)}/{128 if ':' in m.group(2) else 32}"]
        draft["network"] = {"allow_private": allow}
    if output is not None:  # the file name is the source's name (load_source insists): name the draft after it
        import re

        stem = output.stem
        if not re.match(r"^[a-z0-9][a-z0-9_-]*$", stem):
            _fail(
                f"{output.name}: 来源文件以来源名命名，只用 [a-z0-9_-] / a source file is named after the source, in [a-z0-9_-]"
                " (e.g. -o config/sources/zj-jxt.yaml)"
            )
            return
        draft["structure_source"] = str(draft["structure_source"]).replace(
            f"radar sources check {draft['name']}", f"radar sources check {stem}"
        )
        draft["name"] = stem
    path = output or settings.sources_dir / f"{draft['name']}.yaml"
    if path.exists():
        _fail(f"{path} 已存在 / exists; 用 --output 写到别处 / pass --output to write elsewhere")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Drafted by `radar sources new`; review every selector, then run `radar sources check`.\n"
        + yaml.safe_dump(draft, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    console.print(f"已写入 / written: {path}", highlight=False)


@app.command()
def history(
    source: Optional[str] = typer.Argument(None),
    url: Optional[str] = typer.Option(None, "--url", help="Every fetch of this URL instead of runs."),
    since: Optional[str] = typer.Option(None, "--since", help="Only runs/fetches on or after this date (2025-03-05)."),
    limit: int = typer.Option(20),
) -> None:
    """Crawl runs (newest first), or with --url every fetch of one URL with its WARC record."""
    from sqlmodel import select

    from pipeline.dates import parse_cn_date
    from storage.db import session_scope
    from storage.models import CrawlRun, FetchLog

    start = None
    day = None
    if since:
        day = parse_cn_date(since)
        if day is None:
            _fail(f"无法识别日期 / cannot read date {since!r}: 例如 / e.g. 2025-03-05 或 / or 2025年3月5日")
            return
    settings = _settings()
    tz = settings.timezone
    if day is not None:
        from zoneinfo import ZoneInfo

        start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)
    require_database(settings)
    with session_scope(settings) as s:
        if source:
            from storage.models import Source

            known = set(s.exec(select(Source.name)).all()) | set(s.exec(select(CrawlRun.source_name).distinct()).all())
            if source not in known:
                raise UsageProblem(f"未知来源 / unknown source {source!r}; known: {', '.join(sorted(known)) or '(none yet)'}")
        if url:
            table = Table(title=f"抓取记录 / fetches of {url}")
            for col in ("fetch", "run", f"时间（{tz}）", "状态", "字节", "耗时 ms", "sha256", "WARC", "错误"):
                table.add_column(col, overflow="fold")
            q = select(FetchLog).where(FetchLog.url == url).order_by(FetchLog.id.desc()).limit(limit)  # type: ignore[union-attr]
            if start:
                q = q.where(FetchLog.fetched_at >= start)
            for f in s.exec(q).all():
                table.add_row(
                    str(f.id),
                    str(f.run_id),
                    local_time(f.fetched_at, tz, "%Y-%m-%d %H:%M:%S"),
                    str(f.status or "—"),
                    str(f.bytes),
                    f"{f.duration_ms:.0f}" if f.duration_ms is not None else "—",
                    (f.content_hash or "—")[:12],
                    f"{f.warc_path}@{f.warc_offset}{' (revisit)' if f.revisit else ''}" if f.warc_path else "—",
                    f.error or "",
                )
            if table.row_count:
                console.print(table)
            else:  # an empty table reads like a broken command: say what was looked for
                when = f"（{since} 之后）" if since else ""
                console.print(f"没有抓取过该网址{when} / no fetch of {url}{' since ' + since if since else ''}")
            return
        table = Table(title="抓取历史 / crawl history")
        for col in ("run", "source", f"开始（{tz}）", "结束", "状态", "请求", "新增", "更新", "未变", "错误"):
            table.add_column(col)
        runs = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)  # type: ignore[union-attr]
        if source:
            runs = runs.where(CrawlRun.source_name == source)
        if start:
            runs = runs.where(CrawlRun.started_at >= start)
        for r in s.exec(runs).all():
            table.add_row(
                str(r.id),
                r.source_name,
                local_time(r.started_at, tz, "%Y-%m-%d %H:%M:%S"),
                local_time(r.finished_at, tz, "%H:%M:%S"),
                RUN_STATUS_ZH.get(r.status, r.status),
                str(r.requests),
                str(r.items_new),
                str(r.items_changed),
                str(r.items_unchanged),
                str(r.errors),
            )
    if table.row_count:
        console.print(table)
    else:
        who = f"来源 {source} " if source else ""
        when = f"{since} 之后" if since else ""
        console.print(
            f"{who}{when}还没有抓取记录 / no crawl runs yet{' of ' + source if source else ''}{' since ' + since if since else ''}"
        )


@app.command()
def classify(
    jsonl: str = typer.Option(..., "--jsonl", help="Input lines with id and text; - reads standard input."),
    taxonomy: Optional[Path] = typer.Option(None, help="Taxonomy YAML (default config/tracks.yaml)."),
    explain: bool = typer.Option(
        False, "--explain", help="Also print, per track a term touched, evidence, density and why it was or was not filed."
    ),
) -> None:
    """Classify JSON lines and print id, tracks, subtracks, scores, evidence (the evaluation interface).

    Bad lines are named on stderr (file:line: reason) and skipped; the exit code is then 1.
    """
    from pipeline.classify import classify_jsonl

    problems: list[tuple[int, str]] = []
    try:
        classify_jsonl(jsonl, sys.stdout, taxonomy, problems, explain=explain)
    except ConfigError as exc:
        _fail(str(exc))
    except FileNotFoundError:
        _fail(f"{jsonl}: 文件不存在 / no such file")
    except IsADirectoryError:
        _fail(f"{jsonl}: 是目录 / is a directory, not a JSON-lines file")
    except PermissionError:
        _fail(f"{jsonl}: 无权读取 / permission denied")
    if problems:  # plain lines, never wrapped: editors and grep read file:line
        name = "<stdin>" if jsonl == "-" else jsonl
        for no, why in problems:
            typer.echo(f"{name}:{no}: 已跳过 / skipped: {why}", err=True)
        typer.echo(f"{len(problems)} 行有误 / bad line(s) skipped", err=True)
        raise typer.Exit(1)


@app.command()
def reclassify(
    source: Optional[str] = typer.Option(None, "--source", help="Only this source's documents."),
    since: Optional[str] = typer.Option(None, "--since", help="Only documents published (else first seen) on or after this date."),
    examples: int = typer.Option(8, help="How many moved documents to show."),
) -> None:
    """Refile the current version of stored documents with today's taxonomy and show what moved between tracks."""
    from pipeline.dates import parse_cn_date
    from pipeline.reclassify import reclassify as run

    day = None
    if since:
        day = parse_cn_date(since)
        if day is None:
            _fail(f"无法识别日期 / cannot read date {since!r}: 例如 / e.g. 2025-03-05 或 / or 2025年3月5日")
            return
    settings = _settings()
    if source:
        from sqlmodel import select

        from storage.db import session_scope
        from storage.models import Document, Source

        require_database(settings)
        with session_scope(settings) as s:
            known = set(s.exec(select(Source.name)).all()) | set(s.exec(select(Document.source_name).distinct()).all())
        if source not in known:  # refiling nothing and saying "0 documents" reads as success
            _fail(f"未知来源 / unknown source {source!r}; known: {', '.join(sorted(known)) or '(none yet)'}")
    try:
        report = run(settings, source=source, since=day, max_examples=examples)
    except ConfigError as exc:
        _fail(str(exc))
        return
    scope = "".join([f" source={source}" if source else "", f" since={day:%Y-%m-%d}" if day else ""])
    console.print(
        f"重新分类 / reclassified {report.documents} 篇 documents{scope} with taxonomy {report.taxonomy_version} "
        f"({settings.taxonomy_path.name}); 变动 moved: {report.moved}, 未变 unchanged: {report.unchanged}; "
        f"摘要更新 summaries rewritten: {report.summaries}",
        highlight=False,
        soft_wrap=True,
    )
    if not report.documents:
        return
    table = Table(title="各赛道文件数 / documents per track")
    for col in ("赛道 track", "之前 before", "之后 after", "新增 gained", "移出 lost"):
        table.add_column(col)
    names = list(dict.fromkeys([*report.after, *report.before]))
    for name in names:
        table.add_row(name, str(report.before[name]), str(report.after[name]), f"+{report.gained[name]}", f"-{report.lost[name]}")
    console.print(table)
    if report.transitions:
        console.print("变动 / moves (before → after: documents)", highlight=False)
        for (before, after), n in report.transitions.most_common(10):
            console.print(f"  {'、'.join(before) or '无赛道'} → {'、'.join(after) or '无赛道'}: {n}", highlight=False, soft_wrap=True)
        console.print("示例 / examples", highlight=False)
        for m in report.examples:
            console.print(
                f"  #{m.document_id} [{m.source}] {m.title}: {'、'.join(m.before) or '无赛道'} → {'、'.join(m.after) or '无赛道'}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )


@app.command()
def extract(
    target: str = typer.Argument(..., help="A file path or an http(s) URL."),
    as_json: bool = typer.Option(False, "--json", help="Metadata and the full text as JSON."),
    max_chars: Optional[int] = typer.Option(
        None, "--max-chars", min=1, help="Cut the text to this many characters (said so in the output)."
    ),
    source_name: Optional[str] = typer.Option(
        None, "--source", help="Read the page with this source's rules (default: the source whose site the URL is on)."
    ),
) -> None:
    """Print what the pipeline extracts from a page or attachment (the whole text unless --max-chars).

    A page of a configured source is read with that source's selectors, encoding and date rules, as the crawl reads it.
    """
    from pipeline.extract_cli import extract_command

    sources = _extract_sources(_settings())
    chosen = None
    if source_name is not None:
        chosen = next((s for s in sources if s.name == source_name), None)
        if chosen is None:
            _fail(_unknown_extract_source(_settings(), source_name, sources))
    raise typer.Exit(extract_command(target, as_json, max_chars, report=print_error, sources=sources, source=chosen))


def _extract_sources(settings: Settings) -> list[SourceConfig]:
    """The sources a page may belong to: the sources directory's valid files, then the demo's (its replica runs on loopback)."""
    from core.paths import DEMO_DIR
    from core.sources import load_sources_lenient

    found, _issues = load_sources_lenient(settings.sources_dir)
    demo_dir = (DEMO_DIR / "sources").resolve()
    if Path(settings.sources_dir).resolve() != demo_dir and demo_dir.is_dir():
        names = {s.name for s in found}
        found += [s for s in load_sources_lenient(demo_dir)[0] if s.name not in names]
    return found


def _unknown_extract_source(settings: Settings, name: str, sources: list[SourceConfig]) -> str:
    """Why --source NAME cannot be used: its file is invalid (file, line, field), or there is no such source."""
    from core.sources import load_sources_lenient

    _found, issues = load_sources_lenient(settings.sources_dir)
    bad = [str(i) for i in issues if Path(i.path).stem == name]
    if bad:
        return f"来源 {name!r} 的配置文件有错误，无法使用 / source {name!r} has an invalid file:\n" + "\n".join(bad)
    known = ", ".join(sorted(s.name for s in sources)) or "(none)"
    return f"未知来源 / unknown source {name!r}; 已知 / known: {known}"


@app.command()
def jobs() -> None:
    """Scheduled jobs and their next run times."""
    from crawl.launcher import sync_sources
    from radar.scheduler import build_scheduler, configure

    settings = _settings()
    require_database(settings)
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
def serve(
    host: str = typer.Option("127.0.0.1", envvar="RADAR_WEB_HOST", help="Web UI address (0.0.0.0 in the container image)."),
    port: int = typer.Option(8000, envvar="RADAR_WEB_PORT", help="Web UI port; the image's HEALTHCHECK reads the same variable."),
    web: bool = typer.Option(True, "--web/--no-web", help="Also serve the web UI."),
) -> None:
    """The service: scheduler (each source's crawl, weekly Monday 08:00 and daily digests) plus the web UI."""
    import threading

    from crawl.launcher import sync_sources
    from radar.scheduler import build_scheduler, configure

    settings = _settings()
    from rich.markup import escape

    from core.sources import load_sources_lenient

    _valid, issues = load_sources_lenient(settings.sources_dir)
    if issues:  # reported, recorded as source-health errors and mailed once; the valid sources still run
        console.print(
            f"[yellow]{len(issues)} 个来源配置问题，这些文件暂不抓取 / invalid source files skipped:[/]\n"
            + escape("\n".join(str(i) for i in issues)),
            highlight=False,
        )
    sources = sync_sources(settings, lenient=True)
    from workers.leader import Leadership

    sched = build_scheduler(settings, blocking=False)
    configure(sched, settings, sources)
    sched.start(paused=True)
    leadership = Leadership(settings, sched)  # a second `radar serve` on this database stays on standby
    leadership.start()
    role = "主调度 / leader" if leadership.leading else "备用，主调度失联时接管 / standby"
    console.print(
        f"PolicyRadar 调度已启动（{role}，执行方式 {settings.executor}）：{len(sources)} 个来源，数据库 {settings.db_url}", highlight=False
    )
    try:
        if web:
            import uvicorn

            from web.app import create_app

            console.print(f"网页界面 / web UI: http://{host}:{port}/", highlight=False)
            uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        else:
            threading.Event().wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        leadership.stop()
        sched.shutdown(wait=False)


@app.command("web")
def web_cmd(
    host: str = typer.Option("127.0.0.1", envvar="RADAR_WEB_HOST"), port: int = typer.Option(8000, envvar="RADAR_WEB_PORT")
) -> None:
    """The web UI alone (no scheduler)."""
    import uvicorn

    from web.app import create_app

    console.print(f"网页界面 / web UI: http://{host}:{port}/", highlight=False)
    uvicorn.run(create_app(_settings()), host=host, port=port, log_level="warning")


@app.command()
def worker(
    concurrency: int = typer.Option(
        0, "--concurrency", "-c", help="Crawls at once in this worker (each in its own process); 0 = CPU count."
    ),
    queues: str = typer.Option("", "--queues", "-Q", help="Comma-separated queues to consume; default RADAR_CRAWL_QUEUE (crawl)."),
    hostname: Optional[str] = typer.Option(None, "--hostname", "-n", help="Unique worker name, e.g. w1@%h; recorded on each crawl run."),
    pool: str = typer.Option("threads", help="threads (default: each crawl runs in its own spawned process anyway) | prefork | solo"),
    loglevel: str = typer.Option("INFO", help="Celery log level."),
) -> None:
    """A crawl worker: takes crawl jobs from RADAR_BROKER_URL (redis:// or amqp://); run one or more per host."""
    import os

    settings = _settings()
    if not settings.broker_url:
        _fail("RADAR_BROKER_URL 未设置 / is not set: e.g. redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//")
        return
    from workers.app import app as celery_app

    argv = [
        "worker",
        f"--concurrency={concurrency or os.cpu_count() or 1}",
        f"--pool={pool}",
        f"--queues={queues or settings.crawl_queue}",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
    ]
    if hostname:
        argv.append(f"--hostname={hostname}")
    celery_app.worker_main(argv)


@app.command()
def enqueue(
    sources: list[str] = typer.Argument(None, help="Source names; all enabled sources when omitted."),
    batch_size: Optional[int] = typer.Option(
        None, "--batch-size", min=1, help="Send batch jobs of this many sources instead of a job per source."
    ),
) -> None:
    """Hand crawls to the workers through RADAR_BROKER_URL instead of crawling here."""
    from crawl.launcher import sync_sources
    from workers.app import enqueue as send
    from workers.app import enqueue_batches

    settings = _settings()
    try:
        known = {s.name: s for s in sync_sources(settings)}
    except ConfigError as exc:
        _fail(f"来源配置有误 / invalid source config:\n{exc}")
        return
    unknown = [n for n in sources or [] if n not in known]
    if unknown:
        _fail(f"未知来源 / unknown source(s): {', '.join(unknown)}; 已知 / known: {', '.join(sorted(known))}")
        return
    names = list(sources) if sources else [n for n, s in known.items() if s.enabled]
    try:
        if batch_size:
            batch_ids = enqueue_batches(settings, names, batch_size)
            for n, task_id in enumerate(batch_ids):
                batch = names[n * batch_size : (n + 1) * batch_size]
                console.print(f"已排队 / enqueued batch of {len(batch)} ({batch[0]} … {batch[-1]}): {task_id}", highlight=False)
            return
        ids = send(settings, names)
    except RuntimeError as exc:
        _fail(str(exc))
        return
    for name, task_id in zip(names, ids):
        console.print(f"已排队 / enqueued {name}: {task_id}", highlight=False)


@app.command()
def demo(
    port: int = typer.Option(8765, help="Loopback port for the replica sites; keep it the same between runs (URLs identify documents)."),
) -> None:
    """Run the whole flow on bundled offline replicas; run it again to see a changed document."""
    from radar.demo import DEMO_EMAIL, run_demo

    from crawl.progress import CrawlProgressView

    settings = _settings()
    try:
        with CrawlProgressView() as view:
            result = run_demo(settings, port=port, progress=view.update)
    except OSError as exc:
        _fail(
            f"无法在 127.0.0.1:{port} 上提供演示站点 / cannot serve the demo sites on 127.0.0.1:{port} ({exc}); 用 --port 换一个端口 / choose another port with --port"
        )
        return
    console.print(f"[bold]PolicyRadar 演示 · 第 {result.run_number} 次运行[/]", markup=True)
    if result.edited:
        console.print(f"演示站点已修改一页：{result.edited}", highlight=False)
    console.print(_crawl_table(result.crawls))
    from demo.build_pdfs import BROKEN

    for r in result.crawls:
        for line in (r.error or "").splitlines():
            if f"/{BROKEN}" in line:  # the demo shows how a broken attachment is recorded and the crawl goes on
                console.print(
                    f"[dim]{r.source} 记录的错误（演示中有意损坏的 PDF，属正常）/ intentionally broken demo PDF, expected: {line}[/]",
                    markup=True,
                    highlight=False,
                )
            elif line.strip():
                console.print(f"[yellow]{r.source} 记录的错误[/]: {line}", markup=True, highlight=False)
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
    env = "" if settings.data_dir.resolve() == Path("data").resolve() else f"RADAR_DATA_DIR={settings.data_dir} "
    console.print("\n[bold]接下来 / next:[/]", markup=True)
    for label, what in (
        ("浏览结果 / browse", f"{env}radar web   →   http://127.0.0.1:8000/"),
        ("摘要邮件 / digest mail", f"{where}"),
        ("来源健康 / source health", f"{env}radar sources list"),
        ("看到“更新” / see a change", f"{env}radar demo   （再运行一次 / run it again）"),
    ):
        console.print(f"  {label}: {what}", highlight=False, soft_wrap=True)


if __name__ == "__main__":
    app()
