"""Which network addresses PolicyRadar may talk to (SSRF policy).

A source file, a list page or a redirect could point the crawler at the
machine's own services (a database admin page on 127.0.0.1, cloud metadata on
169.254.169.254, an intranet host).  Every outgoing request is therefore
checked after name resolution: a target whose addresses are not globally
routable is refused unless the operator opted in for that source
(``network.allow_private: true``) or, for webhooks, with
``RADAR_WEBHOOK_ALLOW_PRIVATE``.  The check resolves the host itself, so a
public-looking name that resolves to a private address is refused as well.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx

__all__ = ["BlockedAddress", "check_url", "guarded_client", "non_public_reason", "resolve"]


class BlockedAddress(Exception):
    """A request was refused by the address policy; str() names the URL and the address."""


def non_public_reason(address: str) -> str | None:
    """Why ``address`` is not a public internet address, or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attr, what in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(ip, attr):
            return what
    return None if ip.is_global else "not globally routable"


def resolve(host: str, port: int | None) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str, allow_private: bool) -> None:
    """Raise BlockedAddress when ``url`` is not http(s) or points at a non-public address without opt-in."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddress(f"{url}: scheme {parts.scheme!r} is not fetched (http and https only)")
    host = parts.hostname
    if not host:
        raise BlockedAddress(f"{url}: no host in URL")
    if allow_private:
        return
    try:
        addresses = resolve(host, parts.port)
    except (OSError, UnicodeError) as exc:
        raise BlockedAddress(f"{url}: host {host!r} cannot be resolved ({exc})") from exc
    for address in addresses:
        why = non_public_reason(address)
        if why:
            raise BlockedAddress(
                f"{url}: refused, {host} resolves to {why} address {address} "
                "(set network.allow_private: true in the source file to allow it)"
            )


def guarded_client(allow_private: bool, **kwargs: Any) -> "httpx.Client":
    """An httpx client that applies the policy to every request it sends, redirect hops included."""
    import httpx

    class RefusedAddress(httpx.TransportError):
        """The policy refused the request (an httpx error, so callers' httpx handlers record it)."""

    def guard(request: httpx.Request) -> None:
        try:
            check_url(str(request.url), allow_private)
        except BlockedAddress as exc:
            raise RefusedAddress(str(exc), request=request) from exc

    return httpx.Client(event_hooks={"request": [guard]}, **kwargs)
