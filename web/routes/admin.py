"""Admin pages: login, sources (health, runs, errors, re-run), crawl history with archived responses,
subscribers, and the digest archive.

The digest archive renders each delivery again from its period (the
DigestRun's start/end) with alerts.select + alerts.render, rather than
storing every sent HTML: the inputs (versions, labels) are append-only, so
the selection is reproducible, and nothing per-subscriber needs storing.
Two honest caveats are shown on the page: the subscriber's *current*
preferences are applied, and personal links are blanked (they are
credentials).  When the digest went to the file outbox, the exact .eml
that was written is offered too.
"""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, func, select

from alerts.digest import track_order
from alerts.period import Period
from alerts.render import render_digest
from alerts.select import select_digest
from alerts.trend import weekly_publications
from storage.health import source_health
from storage.db import get_engine
from storage.models import CrawlRun, Delivery, DigestRun, FetchLog, Source, Subscriber
from storage.warc import read_payload
from web import queries, security
from web.app import MAX_PAGE, DbId, page, require_admin, require_csrf, state
from web.render import sparkline

router = APIRouter(include_in_schema=False)
admin = [Depends(require_admin)]

_crawls: dict[str, threading.Thread] = {}  # source name → running re-run, so a double click does not start two


def _session(request: Request) -> Session:
    return Session(get_engine(state(request).settings), expire_on_commit=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/sources") -> HTMLResponse:  # noqa: A002 - the conventional name
    return page(
        request, "login.html", title="管理员登录", next=next if next.startswith("/") and not next.startswith("//") else "/", error=None
    )


def _login_throttled(request: Request, wait: float) -> Response:
    target = "/"
    resp = page(request, "login.html", status_code=429, title="管理员登录", next=target, error=f"尝试次数过多，请 {int(wait) + 1} 秒后再试")
    resp.headers["Retry-After"] = str(int(wait) + 1)
    return resp


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
def login(request: Request, password: str = Form(""), next: str = Form("/")) -> Response:  # noqa: A002
    """Throttled before any password hashing: per client (token bucket, then an exponential delay after
    repeated failures) and for the account (a gentler delay, so many clients cannot lock the admin out for long)."""
    from storage.ratelimit import Limit, clear_failures, failure_delay, record_failure, take

    st = state(request)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    if not st.config.admin_configured:
        return page(
            request,
            "login.html",
            status_code=403,
            title="管理员登录",
            next=target,
            error="管理功能未启用：请设置 RADAR_ADMIN_PASSWORD_HASH 或 RADAR_ADMIN_TOKEN",
        )
    client = request.client.host if request.client else "unknown"
    client_fail, account_fail = f"login-fail:{client}", "login-fail:account"
    wait = max(failure_delay(st.settings, client_fail, free=3), failure_delay(st.settings, account_fail, free=10, cap=60))
    if not wait:
        per_min = st.settings.login_per_minute
        wait = take(st.settings, {f"login:{client}": Limit(per_min, 60 / per_min)})
    if wait:
        return _login_throttled(request, wait)
    ok = bool(password) and (
        (st.config.admin_password_hash and security.verify_password(password, st.config.admin_password_hash))
        or security.check_token(password, st.config)
    )
    if not ok:
        record_failure(st.settings, client_fail)
        record_failure(st.settings, account_fail)
        return page(request, "login.html", status_code=401, title="管理员登录", next=target, error="密码错误")
    clear_failures(st.settings, client_fail)
    clear_failures(st.settings, account_fail)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(
        security.SESSION_COOKIE,
        security.session_value(st.settings, st.config),
        max_age=security.SESSION_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=st.settings.public_url.startswith("https"),
        path="/",
    )
    return resp


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> Response:
    security.revoke_session(state(request).settings, request.cookies.get(security.SESSION_COOKIE))
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(security.SESSION_COOKIE, path="/")
    return resp


# Why a re-crawl button press did not start a crawl; codes travel in the redirect, the words stay here.
REFUSALS = {
    "demo": "这是演示来源，但数据目录中没有演示站点的副本（demo-sites）：请运行 `radar demo`。",
    "demo_port": "演示站点的端口正被占用（可能 `radar demo` 正在运行）：请等它结束后再试。",
    "disabled": "该来源已停用（配置中 enabled: false），不会抓取。",
    "unconfigured": "该来源不在当前来源配置目录（RADAR_SOURCES_DIR）中，无法抓取。",
    "config": "来源配置有误，无法抓取：请运行 `radar sources validate` 查看。",
    "running": "该来源正在抓取中。",
}


def _known(settings: Any) -> dict[str, Any] | None:
    """Name → KnownSource, or None when the source files do not load (the page still shows what is stored)."""
    from core.known_sources import known_sources
    from core.yamlconfig import ConfigError

    try:
        return {k.config.name: k for k in known_sources(settings)}
    except ConfigError:
        return None


def crawl_refusal(settings: Any, name: str) -> str | None:
    """The REFUSALS code when a crawl of ``name`` cannot start from the web, or None."""
    known = _known(settings)
    if known is None:
        return "config"
    k = known.get(name)
    if k is None:
        return "unconfigured"
    if k.demo:
        from crawl.demo_sources import demo_port_free

        if not (settings.data_dir / "demo-sites").is_dir():
            return "demo"
        if not demo_port_free(settings):
            return "demo_port"
    if not k.config.enabled:
        return "disabled"
    return None


@router.get("/sources", response_class=HTMLResponse, dependencies=admin)
def sources_page(request: Request, started: str | None = None, refused: str | None = None, why: str | None = None) -> HTMLResponse:
    from storage.health import STATE_CLASS

    st = state(request)
    settings = st.settings
    periods = queries.weeks_back(_now(), 12, settings.timezone)
    known = _known(settings) or {}
    rows = []
    with _session(request) as s:
        stored = {src.name: src for src in s.exec(select(Source).order_by(Source.name)).all()}
        for name in sorted(set(stored) | set(known)):
            k = known.get(name)
            src = (
                stored.get(name) or Source(name=name, title=k.config.title, region=k.config.region, agency=k.config.agency)
                if k is not None
                else stored[name]
            )
            health = source_health(s, name)
            enabled = k.config.enabled if k is not None else True
            health_state = health.state(enabled, settings.partial_failure_share)
            rows.append(
                {
                    "source": src,
                    "health": health,
                    "runs": queries.last_runs(s, name, 5),
                    "state": health_state,
                    "state_class": STATE_CLASS[health_state],
                    "demo": bool(k and k.demo),
                    "refusal": crawl_refusal(settings, name) if known else "config",
                    "spark": sparkline(queries.items_per_week(s, name, periods)),
                    "running": _running(name),
                }
            )
        errors = queries.error_log(s, 50)
        failed = list(s.exec(select(CrawlRun).where(CrawlRun.status == "failed").order_by(col(CrawlRun.id).desc()).limit(20)).all())
    refusal = REFUSALS.get(why or "") if refused else None
    return page(
        request,
        "sources.html",
        title="来源 · PolicyRadar",
        rows=rows,
        errors=errors,
        failed=failed,
        threshold=settings.fail_alert_runs,
        started=started,
        refused=refused if refusal else None,
        refusal=refusal,
        partial_share=settings.partial_failure_share,
    )


def _now():
    from storage.models import utcnow

    return utcnow()


def _running(name: str) -> bool:
    t = _crawls.get(name)
    return t is not None and t.is_alive()


def start_crawl(request: Request, name: str) -> bool:
    """Re-run a source's crawl in a background thread (the crawl itself runs in a child process)."""
    settings = state(request).settings
    if crawl_refusal(settings, name) == "unconfigured":
        raise HTTPException(404, f"没有这个来源：{name}")
    if _running(name):
        return False
    demo = (_known(settings) or {}).get(name)
    demo = demo is not None and demo.demo

    def run() -> None:
        from crawl.launcher import crawl_sources

        try:
            if demo:  # served from the data dir's replica copy for the length of the crawl, here (workers do not have it)
                from crawl.demo_sources import crawl_demo_source

                crawl_demo_source(settings, name)
            elif settings.executor == "celery":  # a worker crawls it; the web process only enqueues
                from workers.app import enqueue

                enqueue(settings, [name])
            else:
                crawl_sources(settings, [name])
        except Exception:
            import logging

            logging.getLogger(__name__).exception("re-run of %s failed", name)

    t = threading.Thread(target=run, name=f"crawl-{name}", daemon=True)
    _crawls[name] = t
    t.start()
    return True


@router.post("/sources/{name}/crawl", dependencies=admin + [Depends(require_csrf)])
def rerun(request: Request, name: str) -> Response:
    from urllib.parse import urlencode

    why = crawl_refusal(state(request).settings, name)
    if why is None and not start_crawl(request, name):
        why = "running"
    if why is not None:
        return RedirectResponse("/sources?" + urlencode({"refused": name, "why": why}), status_code=303)
    return RedirectResponse("/sources?" + urlencode({"started": name}), status_code=303)


@router.get("/history", response_class=HTMLResponse, dependencies=admin)
def history(request: Request, source: str | None = None, page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE)) -> HTMLResponse:
    per = 50
    with _session(request) as s:
        q = select(CrawlRun)
        if source:
            q = q.where(CrawlRun.source_name == source)
        total = s.exec(select(func.count()).select_from(q.subquery())).one()
        runs = s.exec(q.order_by(col(CrawlRun.id).desc()).offset((page_no - 1) * per).limit(per)).all()
        names = [r for r in s.exec(select(Source.name).order_by(Source.name)).all()]
    return page(
        request,
        "history.html",
        title="抓取历史 · PolicyRadar",
        runs=runs,
        total=total,
        page_no=page_no,
        per_page=per,
        source=source or "",
        names=names,
    )


@router.get("/history/{run_id}", response_class=HTMLResponse, dependencies=admin)
def run_page(request: Request, run_id: DbId, page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE)) -> HTMLResponse:
    per = 200
    with _session(request) as s:
        run = s.get(CrawlRun, run_id)
        if run is None:
            raise HTTPException(404, "没有这次抓取")
        total = s.exec(select(func.count()).select_from(FetchLog).where(FetchLog.run_id == run_id)).one()
        fetches = s.exec(
            select(FetchLog).where(FetchLog.run_id == run_id).order_by(col(FetchLog.id)).offset((page_no - 1) * per).limit(per)
        ).all()
        total_bytes = s.exec(select(func.coalesce(func.sum(FetchLog.bytes), 0)).where(FetchLog.run_id == run_id)).one()
    return page(
        request,
        "run.html",
        title=f"抓取 #{run_id} · PolicyRadar",
        run=run,
        fetches=fetches,
        total=total,
        page_no=page_no,
        per_page=per,
        total_bytes=total_bytes,
    )


_TEXTUAL = (
    "text/",
    "application/xml",
    "application/json",
    "application/xhtml",
    "application/rss",
    "application/atom",
    "application/javascript",
)


@router.get("/fetches/{fetch_id}/payload", dependencies=admin)
def payload(request: Request, fetch_id: DbId, download: bool = False) -> Response:
    """The archived response body from the WARC file: text shown as text (never rendered as a page), files downloaded."""
    settings = state(request).settings
    with _session(request) as s:
        f = s.get(FetchLog, fetch_id)
    if f is None or not f.warc_path or f.warc_offset is None:
        raise HTTPException(404, "这次请求没有存档的响应")
    try:
        _kind, data = read_payload(settings, f.warc_path, f.warc_offset)
    except (OSError, LookupError, StopIteration) as exc:
        raise HTTPException(404, f"存档读取失败：{exc}") from exc
    ctype = (f.content_type or "").lower()
    name = Path(f.url.split("?", 1)[0]).name or "payload"
    headers = {"X-Radar-Warc": f"{f.warc_path}@{f.warc_offset}", "Content-Security-Policy": "sandbox; default-src 'none'"}
    if not download and (ctype.startswith(_TEXTUAL) or not ctype):
        from pipeline.html_extract import decode_html

        text = decode_html(data, declared=None, override=None) if "html" in ctype or not ctype else data.decode("utf-8", "replace")
        return Response(text, media_type="text/plain; charset=utf-8", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{name.encode("ascii", "replace").decode()}"'
    return Response(data, media_type="application/octet-stream", headers=headers)


@router.get("/subscribers", response_class=HTMLResponse, dependencies=admin)
def subscribers(request: Request) -> HTMLResponse:
    with _session(request) as s:
        subs = s.exec(select(Subscriber).order_by(col(Subscriber.id))).all()
        sent = dict(
            s.exec(
                select(Delivery.subscriber_id, func.count()).where(Delivery.status == "sent").group_by(col(Delivery.subscriber_id))
            ).all()
        )
    return page(request, "subscribers.html", title="订阅者 · PolicyRadar", subs=subs, sent=sent)


@router.get("/digests", response_class=HTMLResponse, dependencies=admin)
def digests(request: Request, page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE)) -> HTMLResponse:
    per = 100
    with _session(request) as s:
        total = s.exec(select(func.count()).select_from(Delivery)).one()
        rows = s.exec(
            select(Delivery, Subscriber, DigestRun)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)  # type: ignore[arg-type]
            .join(DigestRun, DigestRun.id == Delivery.run_id, isouter=True)  # type: ignore[arg-type]
            .order_by(col(Delivery.id).desc())
            .offset((page_no - 1) * per)
            .limit(per)
        ).all()
    return page(request, "digests.html", title="邮件存档 · PolicyRadar", rows=rows, total=total, page_no=page_no, per_page=per)


def _rerender(request: Request, delivery_id: DbId) -> tuple[Delivery, Subscriber, DigestRun, Any, int]:
    st = state(request)
    with _session(request) as s:
        d = s.get(Delivery, delivery_id)
        if d is None:
            raise HTTPException(404, "没有这封邮件")
        sub = s.get(Subscriber, d.subscriber_id)
        run = s.get(DigestRun, d.run_id) if d.run_id else None
        if run is None:
            run = s.exec(select(DigestRun).where(DigestRun.period_key == d.period_key).order_by(col(DigestRun.id))).first()
        if sub is None or run is None:
            raise HTTPException(404, "无法重建这封邮件：缺少订阅者或摘要周期记录")
        period = Period(run.period_key, run.period_start, run.period_end, _period_label(run))
        digest = select_digest(s, period, sub, track_order(st.settings))
        digest.set_trend(weekly_publications(s, period.end, tz=st.settings.timezone))
        rendered = render_digest(
            digest,
            recipient=sub.email,
            public_url=st.settings.public_url,
            language=sub.language,
            links={"unsubscribe": "#", "preferences": "#"},
        )
    return d, sub, run, rendered, len(digest.items)


@router.get("/digests/{delivery_id}", response_class=HTMLResponse, dependencies=admin)
def digest_view(request: Request, delivery_id: DbId) -> HTMLResponse:
    d, sub, run, rendered, items = _rerender(request, delivery_id)
    exact = None
    if d.outbox_path and Path(d.outbox_path).exists():
        msg = message_from_bytes(Path(d.outbox_path).read_bytes(), policy=policy.default)
        part = msg.get_body(preferencelist=("plain",))
        exact = part.get_content() if part is not None else None
    return page(
        request,
        "digest_view.html",
        title=f"{rendered.subject} · 邮件存档",
        delivery=d,
        sub=sub,
        run=run,
        rendered=rendered,
        exact=exact,
        items=items,
    )


@router.get("/digests/{delivery_id}/html", dependencies=admin)
def digest_html(request: Request, delivery_id: DbId) -> Response:
    """The mail's HTML for the archive page's iframe: sandboxed (no scripts, no same-origin), inline styles allowed as in mail clients."""
    _d, _sub, _run, rendered, _n = _rerender(request, delivery_id)
    return HTMLResponse(
        rendered.html,
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
            "X-Frame-Options": "SAMEORIGIN",
        },
    )


def _period_label(run: DigestRun) -> str:
    """The period's human label, rebuilt from its key (2025-W10 → 2025年第10周; 2025-03-05 → 2025年3月5日)."""
    import re

    key = run.period_key
    if m := re.fullmatch(r"(\d{4})-W(\d{2})", key):
        return f"{m.group(1)}年第{int(m.group(2))}周"
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", key):
        return f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日"
    end = run.period_end
    year, week, _ = end.isocalendar()
    return f"{year}年第{week}周"
