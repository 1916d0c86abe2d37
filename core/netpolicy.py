"""Which network addresses PolicyRadar may talk to (SSRF policy).

A source file, a list page or a redirect could point the crawler at the
machine's own services (a database admin page on 127.0.0.1, cloud metadata on
169.254.169.254, an intranet host).  Every outgoing request is therefore
checked after name resolution: a target whose addresses are not globally
routable is refused unless the operator opted in for that source
(``network.allow_private``) or, for webhooks, with
``RADAR_WEBHOOK_ALLOW_PRIVATE``.

The opt-in says what it opens: ``loopback``, a list of CIDRs (and/or
``loopback``), or ``true`` for loopback plus the private ranges (10/8,
172.16/12, 192.168/16, 100.64/10, fc00::/7).  Link-local addresses
(169.254/16 with the cloud metadata service, fe80::/10), multicast,
unspecified and reserved addresses are never opened by ``true`` or
``loopback``: only a CIDR listed explicitly allows them.  The check resolves the host itself, so a
public-looking name that resolves to a private address is refused as well.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx

__all__ = ["AllowPrivate", "BlockedAddress", "check_url", "guarded_client", "non_public_reason", "private_allowed", "resolve"]

AllowPrivate = Union[bool, str, Sequence[str], None]  # False/None, True, "loopback", ["loopback", "10.8.0.0/16", …]

# What ``allow_private: true`` opens: loopback and the private ranges, never link-local (cloud metadata),
# multicast, unspecified or reserved addresses.
_OPENED_BY_TRUE = ("loopback", "private", "not globally routable")


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
        ("is_reserved", "reserved"),  # before private: 240/4 is both, and reserved is not opened by allow_private: true
        ("is_private", "private"),
    ):
        if getattr(ip, attr):
            return what
    return None if ip.is_global else "not globally routable"


def private_allowed(address: str, why: str, allow: AllowPrivate) -> bool:
    """Whether the opt-in ``allow`` covers ``address`` (whose non-public reason is ``why``)."""
    if not allow:
        return False
    if allow is True:
        return why in _OPENED_BY_TRUE
    items = [allow] if isinstance(allow, str) else list(allow)
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for item in items:
        if item == "loopback":
            if why == "loopback":
                return True
            continue
        try:
            if ip in ipaddress.ip_network(item, strict=False):
                return True
        except (ValueError, TypeError):
            continue
    return False


def resolve(host: str, port: int | None) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str, allow_private: AllowPrivate) -> None:
    """Raise BlockedAddress when ``url`` is not http(s) or points at a non-public address its opt-in does not cover."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddress(f"{url}: scheme {parts.scheme!r} is not fetched (http and https only)")
    host = parts.hostname
    if not host:
        raise BlockedAddress(f"{url}: no host in URL")
    try:
        addresses = resolve(host, parts.port)
    except (OSError, UnicodeError) as exc:
        raise BlockedAddress(f"{url}: host {host!r} cannot be resolved ({exc})") from exc
    for address in addresses:
        why = non_public_reason(address)
        if why and not private_allowed(address, why, allow_private):
            hint = f"list it in network.allow_private (loopback, or a CIDR such as {address}/32) in the source file to allow it"
            if why == "link-local":
                hint = f"link-local addresses (cloud metadata) are allowed only when listed, e.g. allow_private: [{address}/32]"
            raise BlockedAddress(f"{url}: refused, {host} resolves to {why} address {address} ({hint})")


def guarded_client(allow_private: AllowPrivate, **kwargs: Any) -> "httpx.Client":
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
