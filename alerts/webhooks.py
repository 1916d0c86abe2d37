"""Instant alerts to chat tools: WeCom, DingTalk (signed), Feishu/Lark (signed), Slack, generic JSON.

Each kind wants its own body and, for DingTalk and Feishu, its own HMAC
signature scheme; the generic kind signs the body in an
``X-Radar-Signature: sha256=<hex>`` header so receivers can verify it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import quote_plus

import httpx


@dataclass
class AlertItem:
    """What an instant alert says about one new or changed release."""

    title: str
    url: str
    tracks: list[str]
    region: str | None
    agency: str | None
    date: str | None
    doc_number: str | None
    summary: str
    changed: bool
    change_summary: str | None

    def headline(self) -> str:
        tag = "【更新】" if self.changed else "【新增】"
        return f"{tag}{self.title}"

    def lines(self) -> list[str]:
        meta = " · ".join(x for x in (self.agency, self.date, self.doc_number, self.region) if x)
        out = [meta, f"赛道：{'、'.join(self.tracks)}", self.summary]
        if self.changed and self.change_summary:
            out.append(f"变化：{self.change_summary}")
        return [x for x in out if x]


class WebhookError(Exception):
    """The endpoint refused or failed; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


WebhookBody = tuple[str, dict[str, Any]]  # (URL to post to, JSON body) before serialisation


def _wecom(url: str, secret: str | None, item: AlertItem, now: float) -> WebhookBody:
    md = f"**{item.headline()}**\n" + "\n".join(f"> {ln}" for ln in item.lines()) + f"\n[原文链接]({item.url})"
    return url, {"msgtype": "markdown", "markdown": {"content": md}}


def _dingtalk(url: str, secret: str | None, item: AlertItem, now: float) -> WebhookBody:
    body = {
        "msgtype": "markdown",
        "markdown": {
            "title": item.title[:60],
            "text": f"### {item.headline()}\n" + "\n\n".join(item.lines()) + f"\n\n[原文链接]({item.url})",
        },
    }
    if secret:
        ts = int(now * 1000)
        url = f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
    return url, body


def _feishu(url: str, secret: str | None, item: AlertItem, now: float) -> WebhookBody:
    body: dict[str, Any] = {"msg_type": "text", "content": {"text": _plain(item)}}
    if secret:
        ts = int(now)
        body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
    return url, body


def _slack(url: str, secret: str | None, item: AlertItem, now: float) -> WebhookBody:
    return url, {
        "text": _plain(item),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*<{item.url}|{item.headline()}>*\n" + "\n".join(item.lines())}}
        ],
    }


def _json(url: str, secret: str | None, item: AlertItem, now: float) -> WebhookBody:
    return url, {"event": "release.changed" if item.changed else "release.new", **item.__dict__}


def _plain(item: AlertItem) -> str:
    return "\n".join([item.headline(), *item.lines(), item.url])


# Webhook kinds: a channel's ``kind`` → the builder of its request body.  The CLI and the web accept exactly these keys.
BUILDERS: Mapping[str, Callable[[str, str | None, AlertItem, float], WebhookBody]] = MappingProxyType(
    {
        "wecom": _wecom,
        "dingtalk": _dingtalk,
        "feishu": _feishu,
        "slack": _slack,
        "json": _json,
    }
)
KINDS = tuple(BUILDERS)


def build_request(kind: str, url: str, secret: str | None, item: AlertItem, now: float | None = None) -> tuple[str, bytes, dict[str, str]]:
    """(url, body, headers) for one alert; pure, so it is tested without a network."""
    builder = BUILDERS.get(kind)
    if builder is None:
        raise ValueError(f"unknown webhook kind {kind!r}; use one of {KINDS}")
    url, body = builder(url, secret, item, time.time() if now is None else now)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    if kind == "json" and secret:
        # Signed over the exact bytes sent, so it is computed after serialisation.
        headers["X-Radar-Signature"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return url, raw, headers


def send(client: httpx.Client, kind: str, url: str, secret: str | None, item: AlertItem) -> str:
    """POST one alert; returns the response text; raises WebhookError (retryable for 5xx/network)."""
    target, body, headers = build_request(kind, url, secret, item)
    try:
        resp = client.post(target, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise WebhookError(f"{type(exc).__name__}: {exc}", retryable=True) from exc
    if resp.status_code >= 500 or resp.status_code == 429:
        raise WebhookError(f"HTTP {resp.status_code}: {resp.text[:200]}", retryable=True)
    if resp.status_code >= 400:
        raise WebhookError(f"HTTP {resp.status_code}: {resp.text[:200]}", retryable=False)
    try:
        data = resp.json()
    except ValueError:
        data = None
    if isinstance(data, dict):  # chat APIs answer 200 with an error code inside
        code = data.get("errcode", data.get("code", data.get("StatusCode", 0)))
        if code not in (0, None, "0"):
            raise WebhookError(f"rejected: {resp.text[:200]}", retryable=False)
    return resp.text[:500]
