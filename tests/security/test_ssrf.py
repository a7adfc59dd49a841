"""The outbound-URL guard (kit/net.py) refuses every way of reaching our own network: loopback, private and
link-local ranges (the cloud metadata address), IPv6-mapped and tunnelled IPv4, carrier-grade NAT, DNS names
resolving to private addresses (any one of several), and redirects to a private address."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from hushdesk.kit import net
from hushdesk.kit.net import OutboundBlocked, check_outbound_url, redirect_guard

PUBLIC = "93.184.216.34"


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A fake resolver: names map to address lists; IP literals resolve to themselves."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host in table:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                    for a in table[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(net.socket, "getaddrinfo", fake)
    return table


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://127.1.2.3:8080/v1", "http://localhost/", "http://[::1]/",
    "http://10.0.0.5/", "http://172.16.3.4/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
    "http://[fe80::1]/", "http://[fd00::1]/", "http://0.0.0.0/", "http://100.64.0.1/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:a00:5]/",
    "http://[2002:7f00:1::]/", "http://[64:ff9b::7f00:1]/", "http://[::127.0.0.1]/",
    "http://2130706433/", "http://0x7f000001/", "http://017700000001/", "http://127.1/",
    "http://224.0.0.1/", "http://[ff02::1]/",
])
def test_private_and_local_targets_are_refused(url: str) -> None:
    with pytest.raises(OutboundBlocked):
        check_outbound_url(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/",
                                 "http:///nohost", "ftp://example.com/"])
def test_other_schemes_and_credentials_are_refused(url: str) -> None:
    with pytest.raises(OutboundBlocked):
        check_outbound_url(url)


def test_dns_names_resolving_to_private_addresses_are_refused(dns: dict[str, list[str]]) -> None:
    dns["internal.example.com"] = ["10.1.2.3"]
    dns["sneaky.example.com"] = [PUBLIC, "192.168.0.10"]  # one private answer is enough
    dns["v6.example.com"] = ["::ffff:10.0.0.1"]
    dns["public.example.com"] = [PUBLIC]
    for host in ("internal", "sneaky", "v6"):
        with pytest.raises(OutboundBlocked):
            check_outbound_url(f"https://{host}.example.com/v1")
    assert check_outbound_url("https://public.example.com/v1/") == "https://public.example.com/v1"


def test_the_operator_can_allow_private_targets() -> None:
    assert check_outbound_url("http://127.0.0.1:11434/v1", allow_private=True) == "http://127.0.0.1:11434/v1"


def test_redirect_to_a_private_address_is_refused(dns: dict[str, list[str]]) -> None:
    dns["api.example.com"] = [PUBLIC]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.host == "api.example.com":
            return httpx.Response(302, headers={"location": "http://169.254.169.254/latest/meta-data"})
        return httpx.Response(200, text="metadata secrets")

    client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True,
                          event_hooks={"request": [redirect_guard(False)]})
    with pytest.raises(OutboundBlocked):
        client.get("https://api.example.com/v1/models")
    assert seen == ["https://api.example.com/v1/models"]  # the private target was never requested


def test_dns_rebinding_is_caught_when_the_answer_changes(dns: dict[str, list[str]]) -> None:
    """A name that resolves publicly at save time and privately later is refused at request time: the guard
    resolves again before every request (the remaining window is the resolver's own, see docs/security.md)."""
    dns["rebind.example.com"] = [PUBLIC]
    check_outbound_url("https://rebind.example.com/")
    dns["rebind.example.com"] = ["127.0.0.1"]
    guard = redirect_guard(False)
    with pytest.raises(OutboundBlocked):
        guard(httpx.Request("GET", "https://rebind.example.com/v1"))
