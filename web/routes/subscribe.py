"""Subscription pages: subscribe (double opt-in), confirm, preferences and unsubscribe from the email links.

The signed token in the link is the credential for preferences and
unsubscribe; forms still carry a CSRF token, except RFC 8058's one-click
POST, which mail providers send without any page (body
``List-Unsubscribe=One-Click``) and which must answer 200.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import ValidationError

from alerts.subscriptions import (
    DOCTYPES,
    MailSendError,
    Preferences,
    SubscriptionError,
    TokenError,
    TooManyRequests,
    confirm_subscription,
    request_subscription,
    subscriber_for_token,
    unsubscribe,
    update_preferences,
)
from storage.models import Subscriber
from web.app import page, require_csrf, state

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

SEND_FAILED = "邮件发送失败，请稍后再试"  # what a visitor sees; the transport's detail goes to the operator log only


def _no_store(resp: HTMLResponse) -> HTMLResponse:
    """Pages whose URL or body holds a subscriber's token must not stay in shared or browser caches."""
    resp.headers["Cache-Control"] = "no-store"
    return resp


FREQUENCIES = [("weekly", "每周（周一 8:00）"), ("daily", "每天"), ("immediate", "即时（有新文件时立即推送）")]


def _prefs_from_form(form: dict[str, list[str]]) -> Preferences:
    def one(key: str, default: str = "") -> str:
        vals = form.get(key) or [default]
        return vals[0]

    return Preferences(
        tracks=form.get("tracks", []),
        subtracks=form.get("subtracks", []),
        regions=one("regions"),
        keywords_include=one("keywords_include"),
        keywords_exclude=one("keywords_exclude"),
        doctypes=form.get("doctypes", []),
        frequency=one("frequency", "weekly"),
        immediate_tracks=form.get("immediate_tracks", []),
        language=one("language", "zh"),
        skip_empty=one("skip_empty") in ("1", "on", "true"),
    )


async def _form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    out: dict[str, list[str]] = {}
    for k, v in form.multi_items():
        out.setdefault(k, []).append(str(v))
    return out


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(e.get("msg", "")) for e in exc.errors())
    return str(exc)


def _form_page(request: Request, template: str, status: int = 200, **ctx: object) -> HTMLResponse:
    return page(request, template, status_code=status, frequencies=FREQUENCIES, all_doctypes=DOCTYPES, **ctx)


@router.get("/subscribe", response_class=HTMLResponse)
def subscribe_form(request: Request) -> HTMLResponse:
    return _form_page(request, "subscribe.html", title="订阅未来产业政策周报", prefs=Preferences(), email="", error=None)


@router.post("/subscribe", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def subscribe_post(request: Request) -> HTMLResponse:
    form = await _form(request)
    email = (form.get("email") or [""])[0]
    name = (form.get("name") or [""])[0].strip() or None
    status, headers = 400, {}
    try:
        prefs = _prefs_from_form(form)
        request_subscription(state(request).settings, email, prefs, name=name, client=request.client.host if request.client else None)
    except (SubscriptionError, ValidationError, ValueError) as exc:
        error = _error_text(exc)
        if isinstance(exc, MailSendError):
            log.error("subscribe: %s", exc)
            status, error = 503, SEND_FAILED
        elif isinstance(exc, TooManyRequests):
            status, headers = 429, {"Retry-After": str(int(exc.retry_after) + 1)}
        prefs_shown = Preferences.model_construct(
            **cast(dict[str, Any], {k: v for k, v in form.items() if k in Preferences.model_fields and k in ("tracks", "doctypes")})
        )
        resp = _form_page(
            request, "subscribe.html", status=status, title="订阅未来产业政策周报", prefs=prefs_shown, email=email[:254], error=error
        )
        resp.headers.update(headers)
        return resp
    return page(
        request,
        "message.html",
        title="请查收确认邮件",
        heading="请查收确认邮件",
        message=f"我们已向 {email.strip()} 发送了一封确认邮件。点击邮件中的链接后订阅才会生效（链接 3 天内有效）。",
    )


@router.get("/subscribe/confirm", response_class=HTMLResponse)
def confirm(request: Request, token: str = "") -> HTMLResponse:
    try:
        sub = confirm_subscription(state(request).settings, token)
    except TokenError as exc:
        return page(request, "message.html", status_code=400, title="链接无效", heading="无法确认订阅", message=str(exc))
    from alerts.subscriptions import links_for

    links = links_for(state(request).settings, sub)
    return _no_store(
        page(
            request,
            "confirmed.html",
            title="订阅成功",
            sub=sub,
            prefs_link="/preferences" + links["preferences"].split("/preferences", 1)[1],
        )
    )


def _manage_sub(request: Request, token: str) -> Subscriber:
    try:
        return subscriber_for_token(state(request).settings, token, "manage")
    except TokenError as exc:
        raise HTTPException(400, str(exc)) from exc


@router.get("/preferences", response_class=HTMLResponse)
def preferences_form(request: Request, token: str = "") -> HTMLResponse:
    sub = _manage_sub(request, token)
    prefs = Preferences.model_validate({k: getattr(sub, k) for k in Preferences.model_fields})
    return _no_store(_form_page(request, "preferences.html", title="订阅偏好", sub=sub, prefs=prefs, token=token, saved=False, error=None))


@router.post("/preferences", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def preferences_post(request: Request, token: str = "") -> HTMLResponse:
    sub = _manage_sub(request, token)
    form = await _form(request)
    try:
        prefs = _prefs_from_form(form)
        sub = update_preferences(state(request).settings, token, prefs)
    except (SubscriptionError, ValidationError, ValueError) as exc:
        prefs = Preferences.model_validate({k: getattr(sub, k) for k in Preferences.model_fields})
        return _no_store(
            _form_page(
                request,
                "preferences.html",
                status=400,
                title="订阅偏好",
                sub=sub,
                prefs=prefs,
                token=token,
                saved=False,
                error=_error_text(exc),
            )
        )
    prefs = Preferences.model_validate({k: getattr(sub, k) for k in Preferences.model_fields})
    return _no_store(_form_page(request, "preferences.html", title="订阅偏好", sub=sub, prefs=prefs, token=token, saved=True, error=None))


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str = "") -> HTMLResponse:
    sub = _manage_sub(request, token)
    return _no_store(page(request, "unsubscribe.html", title="退订", sub=sub, token=token, done=False))


@router.post("/unsubscribe")
async def unsubscribe_post(request: Request, token: str = "") -> Response:
    """RFC 8058 one-click (exact body ``List-Unsubscribe=One-Click``, no CSRF token) or the page's button (CSRF)."""
    body = (await request.body()).decode("utf-8", "replace").strip()
    one_click = body == "List-Unsubscribe=One-Click"
    if not one_click:
        await require_csrf(request)
    try:
        sub = unsubscribe(state(request).settings, token)
    except TokenError as exc:
        if one_click:
            return PlainTextResponse(str(exc), status_code=400)
        raise HTTPException(400, str(exc)) from exc
    if one_click:
        return PlainTextResponse("已退订 / unsubscribed", status_code=200)
    return _no_store(page(request, "unsubscribe.html", title="已退订", sub=sub, token=token, done=True))
