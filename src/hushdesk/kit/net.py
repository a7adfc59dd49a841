"""Outbound URL checks against SSRF: a workspace-configurable URL must not reach our own network.

``check_outbound_url(url, allow_private=False)`` resolves the host and refuses loopback, private, link-local,
multicast, reserved and unspecified addresses (any one of the resolved addresses is enough to refuse). Call
it before every request to a configurable URL, and again for every redirect target (or disable redirects).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from hushdesk.kit.errors import ValidationFailed

ALLOWED_SCHEMES = ("http", "https")


class OutboundBlocked(ValidationFailed):
    code = "outbound_url_blocked"


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _is_public(address.ipv4_mapped)
        # IPv4 addresses tunnelled in IPv6 (6to4, Teredo) must be public too.
        teredo = address.teredo
        for embedded in (address.sixtofour, teredo[1] if teredo else None):
            if embedded is not None and not _is_public(embedded):
                return False
    if not address.is_global:  # also shared address space (100.64/10, carrier NAT) and documentation ranges
        return False
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
                or address.is_reserved or address.is_unspecified
                or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local))


def redirect_guard(allow_private: bool = False) -> Callable[[Any], None]:
    """An httpx ``request`` event hook that re-checks every request URL, redirects included: use it with
    ``event_hooks={"request": [redirect_guard(...)]}`` on any client that talks to a configurable URL."""

    def check(request: Any) -> None:
        check_outbound_url(str(request.url), allow_private)

    return check


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundBlocked(f"cannot resolve host {host!r}") from exc
    return sorted({str(info[4][0]) for info in infos})


def check_outbound_url(url: str, allow_private: bool = False) -> str:
    """Return the normalised URL, or raise ``OutboundBlocked`` with a message fit to show the admin."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OutboundBlocked("not a valid URL") from exc
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise OutboundBlocked("the URL must start with http:// or https:// and name a host")
    if parts.username or parts.password:
        raise OutboundBlocked("put credentials in the API key field, not in the URL")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    if not allow_private:
        for raw in resolve(host, port):
            address = ipaddress.ip_address(raw.split("%")[0])
            if not _is_public(address):
                raise OutboundBlocked(
                    f"{host} resolves to a private or local address; the operator must allow private "
                    "targets (HUSHDESK_AI_ALLOW_PRIVATE_URLS) to use a model server on the local network"
                )
    return url.strip().rstrip("/")
