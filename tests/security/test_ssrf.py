"""The outbound-URL guard (kit/net.py) refuses every way of reaching our own network: loopback, private and
link-local ranges (the cloud metadata address), IPv6-mapped and tunnelled IPv4, carrier-grade NAT, DNS names
resolving to private addresses (any one of several), and redirects to a private address."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import httpcore2
import httpx
import httpx2
import pytest

from hushdesk.assistant import providers
from hushdesk.assistant.providers import ChatMessage, ProviderError
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
    resolves again before every request (and the connection itself is pinned: the tests below)."""
    dns["rebind.example.com"] = [PUBLIC]
    check_outbound_url("https://rebind.example.com/")
    dns["rebind.example.com"] = ["127.0.0.1"]
    guard = redirect_guard(False)
    with pytest.raises(OutboundBlocked):
        guard(httpx.Request("GET", "https://rebind.example.com/v1"))


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def loopback_server() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it receives."""
    handler = type("Handler", (_Counting,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler.hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The attacker's resolver: rebind.example.com answers a public address the first time it is asked and
    127.0.0.1 every time after. Returns the log of answers given."""
    answers: list[str] = []
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "rebind.example.com":
            return real(host, port, *args, **kwargs)
        answer = PUBLIC if not answers else "127.0.0.1"
        answers.append(answer)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)  # the module the HTTP stack connects through, too
    return answers


def test_without_pinning_a_rebinding_answer_reaches_loopback(
        rebinding_dns: list[str], loopback_server: tuple[int, list[str]]) -> None:
    """The attack this guards against, shown with a plain client: the check sees the public answer, the
    connect resolves again and gets 127.0.0.1 (this is why the transport must pin the checked address)."""
    port, hits = loopback_server
    url = f"http://rebind.example.com:{port}/v1/models"
    check_outbound_url(url)
    with httpx2.Client(trust_env=False) as client:
        assert client.get(url).status_code == 200
    assert rebinding_dns == [PUBLIC, "127.0.0.1"]
    assert hits == ["/v1/models"]


def test_pinned_connections_never_reach_an_address_that_was_not_checked(
        rebinding_dns: list[str], loopback_server: tuple[int, list[str]]) -> None:
    port, hits = loopback_server
    url = f"http://rebind.example.com:{port}/v1/models"
    check_outbound_url(url)  # the check sees the public answer and accepts the URL
    # The transport alone (no request hook re-checking first): the connect must not trust the name again.
    with httpx2.Client(transport=net.PinnedTransport(), trust_env=False, timeout=2.0) as client, \
            pytest.raises(OutboundBlocked):
        client.get(url)
    assert rebinding_dns[0] == PUBLIC and set(rebinding_dns[1:]) == {"127.0.0.1"}
    assert hits == []  # the loopback server never received the request


def test_pinned_backend_connects_to_the_address_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """One resolution per connection, and the socket is opened to that answer's address, not to the name."""
    answers = iter([[PUBLIC], ["127.0.0.1"]])
    monkeypatch.setattr(net, "resolve", lambda host, port: next(answers))
    opened: list[tuple[str, int]] = []

    def fake_connect(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        opened.append((host, port))
        raise httpcore2.ConnectError("offline test")

    monkeypatch.setattr(httpcore2.SyncBackend, "connect_tcp", fake_connect)
    with pytest.raises(httpcore2.ConnectError):
        net.PinnedBackend(allow_private=False).connect_tcp("api.example.com", 443, timeout=1.0)
    assert opened == [(PUBLIC, 443)]


def test_pinned_client_reaches_an_allowed_loopback_server(loopback_server: tuple[int, list[str]]) -> None:
    """The operator allowed private targets (a model server on the local network): pinning still connects."""
    port, hits = loopback_server
    with net.pinned_client(allow_private=True, timeout=5.0) as client:
        assert client.get(f"http://localhost:{port}/v1/models").json() == {"ok": True}
    assert hits == ["/v1/models"]
    with net.pinned_client(allow_private=False, timeout=5.0) as client, pytest.raises(OutboundBlocked):
        client.get(f"http://localhost:{port}/v1/models")
    assert hits == ["/v1/models"]


def test_the_provider_client_is_pinned(rebinding_dns: list[str], loopback_server: tuple[int, list[str]]) -> None:
    """The AI provider's cached client (the only outbound HTTP to a workspace-configured URL) is pinned."""
    port, hits = loopback_server
    cfg = providers.ProviderConfig(base_url=f"http://rebind.example.com:{port}/v1", model="m", api_key="k",
                                   timeout=2.0, max_retries=0, allow_private=False)
    provider = providers.OpenAICompatibleProvider(cfg)
    try:
        with pytest.raises(ProviderError):
            provider.complete([ChatMessage("user", "hi")], max_tokens=5)
        assert isinstance(provider._client()._client._transport, net.PinnedTransport)
    finally:
        providers.close_clients()
    assert hits == []
