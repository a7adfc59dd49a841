"""A real SMTP server (aiosmtpd) on loopback that collects every email the app sends, and helpers to read
one-time codes and links from them."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hushdesk.context import AppContext
from hushdesk.dsr import tasks as _dsr_tasks  # noqa: F401  (registers the dsr.* and mail.* jobs)
from tests.web.conftest import web

__all__ = ["web"]


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no email to {address}; got {[str(m['To']) for m in self.messages]}"
        return found[-1]

    def body(self, msg: EmailMessage) -> str:
        part = msg.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def code_for(self, address: str) -> str:
        """The code in the newest email to ``address`` that carries one."""
        for msg in reversed(self.to(address)):
            match = re.search(r"Your confirmation code: (\d{6})", self.body(msg))
            if match:
                return match.group(1)
        raise AssertionError(f"no code sent to {address}")

    def link_for(self, address: str, marker: str) -> str:
        for msg in reversed(self.to(address)):
            match = re.search(r"(http\S*" + re.escape(marker) + r"\S*)", self.body(msg))
            if match:
                return match.group(1)
        raise AssertionError(f"no link containing {marker!r} sent to {address}")

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        with self.box.lock:
            self.box.messages.append(msg)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def use_mailbox(context: AppContext, port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context.settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(context.settings, "smtp_port", port)
    monkeypatch.setattr(context.settings, "smtp_starttls", False)


@pytest.fixture
def mailbox(ctx: AppContext, smtp_server: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    box, port = smtp_server
    use_mailbox(ctx, port, monkeypatch)
    # Jobs run against the context bound last; a test that made its own context (fresh_ctx) may have left
    # itself bound, so bind the shared one again.
    ctx.jobs.bind(ctx)
    box.clear()
    return box
