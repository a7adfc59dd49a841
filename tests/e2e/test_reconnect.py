"""Reconnecting loses nothing and duplicates nothing: a lost ack on a dropped socket, a server restart, and a
page reload with unsent messages, all in real Chromium against a real server."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Route, WebSocketRoute, expect

from tests.e2e.conftest import NO_CHROMIUM, Stack, open_widget, send_visitor_message, start_chat
from tests.e2e.stack import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
    pytest.mark.timeout(240),
]
WIDGET_SOCKET = re.compile(r".*/widget/ws\?.*")


def _frames(raw: str | bytes) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(raw)
    return parsed


def test_lost_ack_on_a_dropped_socket_is_resent_once(browser: Browser, stack: Stack) -> None:
    state: dict[str, Any] = {"drop_ack": True, "connections": 0, "sent": []}

    def route_socket(ws: WebSocketRoute) -> None:
        state["connections"] += 1
        server = ws.connect_to_server()

        def page_to_server(message: str | bytes) -> None:
            frame = _frames(message)
            if frame.get("type") == "message":
                state["sent"].append(frame["client_message_id"])
            server.send(message)

        def server_to_page(message: str | bytes) -> None:
            if state["drop_ack"] and _frames(message).get("type") == "ack":
                # The server committed the message, but the ack never reaches the page: the line drops.
                state["drop_ack"] = False
                ws.close(code=4000, reason="network drop")
                server.close()
                return
            ws.send(message)

        ws.on_message(page_to_server)
        server.on_message(server_to_page)

    history_calls = {"n": 0}

    def flaky_history(route: Route) -> None:
        history_calls["n"] += 1
        if history_calls["n"] == 2:  # the re-sync right after the reconnect fails too
            route.abort()
        else:
            route.continue_()

    context = browser.new_context()
    context.route_web_socket(WIDGET_SOCKET, route_socket)
    context.route(re.compile(r".*/widget/api/history.*"), flaky_history)
    page = context.new_page()
    stack.watch_console(page)
    frame = open_widget(page, stack)
    start_chat(frame, name="Rita Reconnect")
    send_visitor_message(frame, "my parcel never arrived")

    expect(frame.locator(".chat-msg-me[data-message-id]")).to_have_count(1)
    expect(frame.locator(".chat-msg-me.is-pending")).to_have_count(0)
    assert state["connections"] >= 2
    assert len(state["sent"]) == 2 and state["sent"][0] == state["sent"][1]  # resent with the same id
    assert stack.message_count() == 1 and stack.bodies() == ["my parcel never arrived"]

    page.reload()
    page.locator("button[data-hushdesk=launcher]").click()
    frame = page.frame_locator("iframe[data-hushdesk=frame]")
    expect(frame.locator(".chat-msg-me[data-message-id]")).to_have_count(1)
    expect(frame.locator(".chat-msg-me.is-pending")).to_have_count(0)
    assert stack.message_count() == 1
    context.close()


def test_server_restart_mid_conversation(browser: Browser, stack: Stack) -> None:
    context = browser.new_context()
    page = context.new_page()
    stack.watch_console(page)
    frame = open_widget(page, stack)
    start_chat(frame)
    send_visitor_message(frame, "before the restart")
    expect(frame.locator(".chat-msg-me[data-message-id]")).to_have_count(1)

    stack.server.stop()
    expect(frame.locator("#chat-status")).to_have_attribute("data-state", "offline")
    send_visitor_message(frame, "while the server is down")
    send_visitor_message(frame, "and one more")
    expect(frame.locator(".chat-msg-me.is-pending")).to_have_count(2)
    time.sleep(1.0)
    assert stack.message_count() == 1

    stack.server.start()
    expect(frame.locator(".chat-msg-me.is-pending")).to_have_count(0, timeout=30_000)
    expect(frame.locator(".chat-msg-me[data-message-id]")).to_have_count(3)
    expect(frame.locator(".chat-msg-me .chat-text")).to_have_text(
        ["before the restart", "while the server is down", "and one more"])
    assert sorted(stack.bodies()) == sorted(["before the restart", "while the server is down", "and one more"])
    context.close()


def test_unsent_messages_survive_a_page_reload(browser: Browser, stack: Stack) -> None:
    blocked = {"on": False}

    def route_socket(ws: WebSocketRoute) -> None:
        if blocked["on"]:
            ws.close(code=4000, reason="offline")
        else:
            ws.connect_to_server()

    context = browser.new_context()
    context.route_web_socket(WIDGET_SOCKET, route_socket)
    page = context.new_page()
    frame = open_widget(page, stack)
    start_chat(frame)
    send_visitor_message(frame, "hello")
    expect(frame.locator(".chat-msg-me[data-message-id]")).to_have_count(1)

    blocked["on"] = True
    page.reload()  # the old socket dies with the page; new ones are refused until we unblock
    page.locator("button[data-hushdesk=launcher]").click()
    frame = page.frame_locator("iframe[data-hushdesk=frame]")
    frame.locator("#chat-input").wait_for()
    send_visitor_message(frame, "typed while offline")
    expect(frame.locator(".chat-msg-me.is-pending")).to_have_count(1)
    page.reload()
    page.locator("button[data-hushdesk=launcher]").click()
    frame = page.frame_locator("iframe[data-hushdesk=frame]")
    expect(frame.locator(".chat-msg-me.is-pending .chat-text")).to_have_text(["typed while offline"])
    assert stack.message_count() == 1

    blocked["on"] = False
    expect(frame.locator(".chat-msg-me.is-pending")).to_have_count(0, timeout=30_000)
    expect(frame.locator(".chat-msg-me .chat-text")).to_have_text(["hello", "typed while offline"])
    assert stack.message_count() == 2
    context.close()
