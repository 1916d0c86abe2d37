"""The web UI and JSON API: ``create_app(settings) -> FastAPI``.

Server-rendered Jinja2 pages (no build step, no CDN: CSS and the one small
script ship in web/static/), Chinese by default.  Pages work without
JavaScript; charts are inline SVG drawn on the server.

Run it with ``radar web`` (alone) or ``radar serve`` (with the scheduler).
"""

from __future__ import annotations

import logging

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Path as PathParam, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from alerts.render import cn_date
from pipeline.taxonomy import Taxonomy, load_taxonomy
from core.settings import Settings
from pipeline.textutil import shown_text
from storage.db import get_engine
from storage.faults import StorageProblem, describe
from web import security
from storage.search_index import ensure_index
from web.search import QueryError

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; larger ids cannot exist and must not reach the driver
MAX_PAGE = 100_000  # page numbers beyond this are refused (400): offsets must stay small integers for every driver
DbId = Annotated[int, PathParam(ge=1, le=MAX_ID)]


class LoginRequired(Exception):
    """Raised by the access dependencies; HTML requests are sent to /login, API calls get 401."""


class AdminDisabled(Exception):
    """No admin password hash or token is configured: admin pages stay off rather than open."""


@dataclass
class WebState:
    """Everything a request handler needs, built once per app."""

    settings: Settings
    config: security.WebConfig
    taxonomy: Taxonomy
    env: Environment

    @property
    def key(self) -> str:
        return self.settings.signing_key()

    def track_names(self) -> dict[str, str]:
        return {t.id: t.name for t in self.taxonomy.tracks}

    def track_ids(self) -> dict[str, str]:
        """Name → id (filters accept either)."""
        return {t.name: t.id for t in self.taxonomy.tracks}


def local_dt(value: datetime | None, tz: str = "Asia/Shanghai") -> str:
    """2025年3月5日 14:03 in the service's time zone (stored times are UTC)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        from datetime import timezone

        value = value.replace(tzinfo=timezone.utc)
    v = value.astimezone(ZoneInfo(tz))
    return f"{cn_date(v)} {v:%H:%M}"


def period_zh(key: str | None, tz: str = "Asia/Shanghai") -> str:
    """A digest period's key as a reader says it: 2026年第49周, 2026年3月5日, or 截至… for an ad-hoc window.

    The key itself (2026-W49, upto-20261203T202310) is the exactly-once constraint's value, kept as stored.
    """
    import re
    from datetime import timezone

    if not key:
        return "—"
    if m := re.fullmatch(r"(\d{4})-W(\d{2})", key):
        return f"{m[1]}年第{int(m[2])}周"
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", key):
        return f"{m[1]}年{int(m[2])}月{int(m[3])}日"
    if m := re.fullmatch(r"upto-(\d{8}T\d{6})", key):
        end = datetime.strptime(m[1], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
        return f"截至{local_dt(end, tz)}"
    return key


def _filesize(n: int | None) -> str:
    if not n:
        return "0 B"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def parse_day(value: str | None) -> date | None:
    """Filter dates from forms (2025-03-05); a malformed one is not applied (and :func:`date_filter_notes` says so)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def date_filter_notes(since: str | None, until: str | None) -> list[str]:
    """What the list pages say about date filters they could not apply.

    The form's date pickers send only valid days, but an edited or shared
    address can carry 2025-13-01: listing everything without a word would
    read as "these match", so the page names the date it ignored.
    """
    notes = [
        f"{label}“{raw}”无法识别（应为 2025-03-05 这样的日期），未按它筛选。"
        for label, raw in (("起始日期", since), ("截止日期", until))
        if raw and raw.strip() and parse_day(raw) is None
    ]
    first, last = parse_day(since), parse_day(until)
    if first and last and first > last:
        notes.append(f"起始日期{cn_date(first)}晚于截止日期{cn_date(last)}，没有文件能同时满足。")
    return notes


def _make_env(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "j2"]),  # crawled text is never trusted markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown_text,  # crawled text: no control characters, no bidi overrides reordering what readers see
    )
    env.filters["cn_date"] = cn_date
    env.filters["local_dt"] = lambda v: local_dt(v, settings.timezone)
    env.filters["period_zh"] = lambda v: period_zh(v, settings.timezone)
    env.filters["filesize"] = _filesize
    from core.status_words import DELIVERY_STATUS_ZH, FREQUENCY_ZH, LANGUAGE_ZH, RUN_STATUS_ZH, date_source_zh

    env.globals["run_status"] = lambda status: RUN_STATUS_ZH.get(status, status)  # ok → 成功, as the CLI says it
    env.globals["delivery_status"] = lambda status: DELIVERY_STATUS_ZH.get(status, status)
    env.globals["frequency_zh"] = lambda value: FREQUENCY_ZH.get(value, value)  # weekly → 每周
    env.globals["language_zh"] = lambda value: LANGUAGE_ZH.get(value, value)
    env.globals["date_filter_notes"] = date_filter_notes
    env.globals["date_source"] = date_source_zh  # why this publish date: 页面标注“发布日期”, 列表页上的日期 …
    return env


def state(request: Request) -> WebState:
    return request.app.state.web


def is_admin(request: Request) -> bool:
    """Admin by bearer token (API, scripts), X-Radar-Token header, or the signed login cookie."""
    st = state(request)
    if not st.config.admin_configured:
        return False
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and security.check_token(auth[7:].strip(), st.config):
        return True
    if security.check_token(request.headers.get("x-radar-token"), st.config):
        return True
    return security.session_valid(st.settings, st.config, request.cookies.get(security.SESSION_COOKIE))


def require_reader(request: Request) -> None:
    """Reading pages: public unless RADAR_PUBLIC_READ=0, then the admin login is needed."""
    if state(request).config.public_read or is_admin(request):
        return
    raise LoginRequired()


def require_admin(request: Request) -> None:
    if not state(request).config.admin_configured:
        raise AdminDisabled()
    if not is_admin(request):
        raise LoginRequired()


async def require_csrf(request: Request) -> None:
    """Signed double submit: the form's token must be the signature of the cookie's nonce."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and security.check_token(auth[7:].strip(), state(request).config):
        return  # not cookie-authenticated, so not forgeable by another site
    form = await request.form()
    token = form.get(security.CSRF_FIELD) or request.headers.get("x-csrf-token")
    if not security.csrf_valid(state(request).key, request.cookies.get(security.CSRF_COOKIE), str(token) if token else None):
        raise HTTPException(status_code=403, detail="表单已失效，请刷新页面后重试（CSRF 校验失败）")


def _token_auth(request: Request) -> bool:
    config = state(request).config
    auth = request.headers.get("authorization", "")
    return (auth.lower().startswith("bearer ") and security.check_token(auth[7:].strip(), config)) or security.check_token(
        request.headers.get("x-radar-token"), config
    )


def require_api_csrf(request: Request) -> None:
    """JSON writes authenticated only by the login cookie need proof they come from our own pages.

    A browser adds the cookie to a cross-site form POST or fetch; it cannot
    add our CSRF header without reading the nonce cookie, and it cannot fake
    ``Origin``.  Token-authenticated calls (scripts) carry no ambient cookie
    credential, so they pass.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or _token_auth(request):
        return
    st = state(request)
    token = request.headers.get("x-csrf-token")
    if token and security.csrf_valid(st.key, request.cookies.get(security.CSRF_COOKIE), token):
        return
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") in _own_origins(request):
        return
    raise HTTPException(status_code=403, detail="跨站请求被拒绝：需要 X-CSRF-Token 头或同源 Origin / cross-site request refused")


def _own_origins(request: Request) -> set[str]:
    from urllib.parse import urlsplit

    public = urlsplit(state(request).settings.public_url)
    return {f"{public.scheme}://{public.netloc}", f"{request.url.scheme}://{request.headers.get('host', '')}"}


def page(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page; sets the CSRF nonce cookie the first time so every form can carry its token."""
    st = state(request)
    nonce = request.cookies.get(security.CSRF_COOKIE)
    new_nonce = nonce is None
    if new_nonce:
        nonce = security.new_csrf_nonce()
    assert nonce is not None
    ctx.setdefault("title", "PolicyRadar")
    body = st.env.get_template(template).render(
        request=request,
        csrf_token=security.csrf_token_for(st.key, nonce),
        tracks=st.taxonomy.tracks,
        is_admin=is_admin(request),
        admin_enabled=st.config.admin_configured,
        public_read=st.config.public_read,
        qs=lambda **kw: _qs(request, **kw),
        today=date.today(),
        **ctx,
    )
    resp = HTMLResponse(body, status_code=status_code)
    if new_nonce:
        resp.set_cookie(
            security.CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=st.settings.public_url.startswith("https"), path="/"
        )
    return resp


def _qs(request: Request, **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination, filter links)."""
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None or v == "":
            params.pop(k, None)
        else:
            params[k] = str(v)
    return "?" + urlencode(params) if params else "?"


def create_app(settings: Settings, config: security.WebConfig | None = None) -> FastAPI:
    """The whole web app for ``settings``; ``config`` defaults to the environment (RADAR_PUBLIC_READ, …)."""
    from web.routes import admin, api, exports, pages, subscribe

    config = config or security.WebConfig()
    try:
        engine = get_engine(settings)
        ensure_index(engine)
    except (SQLAlchemyError, OSError, StorageProblem) as exc:  # damaged file, full disk, database down
        detail = describe(exc, settings.db_url) or f"{type(exc).__name__}: {exc}"
        log.error("web UI starts in degraded mode: %s", detail)
        return degraded_app(detail)
    app = FastAPI(
        title="PolicyRadar API",
        description="未来产业政策雷达：文件、赛道标签、抓取记录的 JSON 接口。管理接口需要 `Authorization: Bearer <RADAR_ADMIN_TOKEN>`。",
        version="1.0",
        docs_url=None,  # Swagger UI loads from a CDN; the schema itself is at /openapi.json
        redoc_url=None,
    )
    app.state.web = WebState(settings=settings, config=config, taxonomy=load_taxonomy(settings.taxonomy_path), env=_make_env(settings))
    app.add_middleware(security.SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith(("/api/", "/export/", "/feeds/")):
            return JSONResponse({"detail": "需要登录 / authentication required"}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return RedirectResponse(f"/login?{urlencode({'next': str(request.url.path)})}", status_code=303)

    @app.exception_handler(AdminDisabled)
    async def _disabled(request: Request, _exc: AdminDisabled) -> Response:
        msg = ADMIN_SETUP_SHORT
        if request.url.path.startswith(("/api/", "/export/")):
            return JSONResponse({"detail": msg}, status_code=403)
        return page(request, "admin_setup.html", status_code=403, title="管理功能未启用")

    @app.exception_handler(StarletteHTTPException)  # FastAPI's HTTPException and the router's own 404/405 alike
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not wants_html(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))
        heading = {404: "页面不存在", 403: "无法完成请求", 400: "请求有误", 405: "不支持这种请求"}.get(exc.status_code, "出错了")
        message = "没有这个页面，请检查地址，或从首页进入。" if exc.detail == "Not Found" else str(exc.detail)
        return page(request, "message.html", status_code=exc.status_code, title=heading, heading=heading, message=message)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        """A bug: logged with its traceback for the operator; the reader gets a page (or JSON), never a bare 500 text."""
        logging.getLogger("web").error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        if not wants_html(request):
            return JSONResponse({"detail": "服务器内部错误 / internal server error"}, status_code=500)
        try:
            return page(
                request,
                "message.html",
                status_code=500,
                title="出错了",
                heading="服务器出错了",
                message="处理这个请求时出错了，已记入服务器日志。请稍后再试；若一直出错，请联系管理员。",
            )
        except Exception:  # noqa: BLE001 - the page itself failed (e.g. the database is down): plain HTML
            return HTMLResponse(
                "<!doctype html><meta charset=utf-8><title>出错了</title><h1>服务器出错了</h1><p>请稍后再试。</p>", status_code=500
            )

    @app.exception_handler(QueryError)
    async def _bad_query(request: Request, exc: QueryError) -> Response:
        if request.url.path.startswith(("/api/", "/feeds/", "/export/")):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return page(request, "message.html", status_code=400, title="请求有误", heading="请求有误", message=str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
        return page(request, "message.html", status_code=400, title="请求有误", heading="请求有误", message="参数格式不正确。")

    @app.exception_handler(SQLAlchemyError)
    async def _storage(request: Request, exc: SQLAlchemyError) -> Response:
        """A storage fault during a request (full disk, lost database): a 503 with the banner, the detail to the log."""
        log.error("%s %s: %s", request.method, request.url.path, describe(exc, settings.db_url) or repr(exc))
        return _degraded_response(request.url.path)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        """Liveness for the container HEALTHCHECK and load balancers: 200 only while the database answers."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:  # a dead database means "not serving": say so, never 500
            return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    for module in (pages, subscribe, admin, exports, api):
        app.include_router(module.router)
    return app


ADMIN_SETUP_SHORT = (
    "管理功能未启用：请设置 RADAR_ADMIN_PASSWORD_HASH（登录密码的哈希，用 `python -m web.security` 生成）"
    "或 RADAR_ADMIN_TOKEN（API 令牌），然后重启 / admin is off: set RADAR_ADMIN_PASSWORD_HASH or RADAR_ADMIN_TOKEN and restart"
)


def wants_html(request: Request) -> bool:
    """Browsers get pages; the API, feeds, exports and programs (no text/html in Accept) get JSON."""
    if request.url.path.startswith(("/api/", "/openapi", "/export/", "/feeds/", "/healthz")):
        return False
    return "text/html" in request.headers.get("accept", "")


DEGRADED_BANNER = "数据库暂时不可用，网站以降级模式运行；请稍后再试。管理员请查看服务日志。"


def _degraded_response(path: str) -> Response:
    if path.startswith(("/api/", "/feeds/", "/export/", "/healthz")):
        return JSONResponse({"status": "degraded", "detail": DEGRADED_BANNER}, status_code=503, headers={"Retry-After": "60"})
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>PolicyRadar · 降级模式</title>'
        '<link rel="stylesheet" href="/static/style.css"></head><body>'
        f'<div class="banner degraded" role="alert">{DEGRADED_BANNER}</div></body></html>'
    )
    return HTMLResponse(body, status_code=503, headers={"Retry-After": "60", "Cache-Control": "no-store"})


def degraded_app(detail: str) -> FastAPI:
    """What ``create_app`` returns when the database cannot be opened: every page answers 503 with a banner.

    The process stays up (so the container is not restarted in a loop and the
    operator can read the log); the detail naming the file goes to the log, not to visitors.
    """
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.degraded = detail
    app.add_middleware(security.SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False)
    def everything(path: str) -> Response:
        return _degraded_response("/" + path)

    return app


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in exc.errors()]
