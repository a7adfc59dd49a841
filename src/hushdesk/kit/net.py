"""Outbound URL checks against SSRF: a workspace-configurable URL must not reach our own network.

``check_outbound_url(url, allow_private=False)`` resolves the host and refuses loopback, private, link-local,
multicast, reserved and unspecified addresses (any one of the resolved addresses is enough to refuse). Call
it before every request to a configurable URL, and again for every redirect target (or disable redirects).

Checking a name and then letting the HTTP client resolve it again to connect leaves a gap: a DNS-rebinding
attacker's server answers a public address to the check and a private one a moment later to the connect.
``PinnedTransport`` closes it: its network backend resolves the host once per connection, checks every address
of that answer, and connects to those very addresses (never to the name). TLS still uses the host name for SNI
and certificate verification, because the TLS layer above gets the URL's host, not the address. Use it for
every client that talks to a workspace-configured URL (``pinned_client``).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore2
import httpx2

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
    # getaddrinfo's order, duplicates dropped: it already ranks addresses (RFC 6724), and connections try them
    # in this order.
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def vetted_addresses(host: str, port: int, allow_private: bool = False) -> list[str]:
    """Resolve ``host`` once and return the addresses to connect to, or raise ``OutboundBlocked`` if any one
    of them is private or local (unless the operator allows private targets)."""
    addresses = resolve(host, port)
    if not addresses:
        raise OutboundBlocked(f"cannot resolve host {host!r}")
    if not allow_private:
        for raw in addresses:
            if not _is_public(ipaddress.ip_address(raw.split("%")[0])):
                raise OutboundBlocked(
                    f"{host} resolves to a private or local address; the operator must allow private "
                    "targets (HUSHDESK_AI_ALLOW_PRIVATE_URLS) to use a model server on the local network"
                )
    return addresses


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
    port = port or (443 if parts.scheme == "https" else 80)
    if not allow_private:
        vetted_addresses(parts.hostname, port)
    return url.strip().rstrip("/")


class PinnedBackend(httpcore2.NetworkBackend):
    """httpcore's network backend, but the name is resolved and checked here, once, and the socket connects to
    the checked addresses (tried in order, like ``socket.create_connection``)."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = httpcore2.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None) -> httpcore2.NetworkStream:
        failure: Exception | None = None
        for address in vetted_addresses(host, port, self.allow_private):
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # vetted_addresses never returns an empty list
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None
                            ) -> httpcore2.NetworkStream:
        raise OutboundBlocked("outbound connections use TCP only")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx2.HTTPTransport):
    """An httpx2 transport whose connections go to the addresses that passed the check (``PinnedBackend``).
    No proxy support on purpose: a proxy would resolve the name itself."""

    def __init__(self, *, allow_private: bool = False, verify: ssl.SSLContext | bool = True,
                 limits: httpx2.Limits | None = None) -> None:
        # HTTPTransport.__init__ is not called: it would build a second SSL context and a pool we replace.
        limits = limits or httpx2.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=PinnedBackend(allow_private),
        )


def pinned_client(*, allow_private: bool = False, timeout: float | httpx2.Timeout = 30.0,
                  verify: ssl.SSLContext | bool = True) -> httpx2.Client:
    """An httpx2 client for a workspace-configured URL: no redirects followed, every request URL checked
    (redirect_guard, for a clear error early), and every connection pinned to checked addresses."""
    return httpx2.Client(transport=PinnedTransport(allow_private=allow_private, verify=verify),
                         follow_redirects=False, timeout=timeout, trust_env=False,
                         event_hooks={"request": [redirect_guard(allow_private)]})
