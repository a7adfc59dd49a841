"""End to end in real Chromium: a visitor on a shop site chats with an agent, live both ways; then the canary
test proves the personal data they exchanged exists nowhere on disk in plaintext, while the agent reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    NO_CHROMIUM,
    Stack,
    agent_page,
    canary_suffix,
    open_widget,
    send_visitor_message,
    start_chat,
)
from tests.e2e.stack import CHROMIUM, scan_files, scan_postgres
from tests.support.databases import backend

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
    pytest.mark.timeout(240),
]


def test_live_chat_between_visitor_and_agent_leaves_no_plaintext_on_disk(browser: Browser, stack: Stack) -> None:
    tag = canary_suffix()
    email = f"canary.e2e.{tag}@example.com"
    card = "4111 1111 1111 1111"
    name = f"Casey Canary{tag}"
    first = f"Hi! my email is {email} and card {card}"

    agent_context = browser.new_context()
    agent = agent_page(agent_context, stack)
    expect(agent.locator(".conv-row")).to_have_count(0)

    visitor_context = browser.new_context()
    visitor = visitor_context.new_page()
    stack.watch_console(visitor)
    frame = open_widget(visitor, stack)
    expect(frame.locator("#prechat")).to_be_visible()
    expect(frame.locator(".chat-privacy a")).to_have_attribute("href", f"/privacy/{stack.world.slug}")
    start_chat(frame, name=name, email=email)
    send_visitor_message(frame, first)
    expect(frame.locator(".chat-msg-me[data-message-id]")).to_have_count(1)
    expect(frame.locator(".chat-msg-me.is-pending")).to_have_count(0)

    # The agent's inbox shows the new conversation without a reload.
    row = agent.locator(".conv-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(name)
    row.click()
    agent.wait_for_url("**/conversations/**")
    expect(agent.locator("#messages .msg-inbound .msg-body")).to_have_text(first)
    expect(agent.locator(".contact-panel")).to_contain_text(email)
    agent.locator("#live-status[data-state=live]").wait_for()

    # Agent replies; the visitor sees it live. An internal note never reaches the visitor.
    agent.locator("#composer input[name=kind][value=note]").check()
    agent.locator("#composer textarea[name=body]").fill(f"internal {tag}: check the card")
    agent.locator("#composer button[type=submit]").click()
    expect(agent.locator("#messages .msg-note")).to_have_count(1)
    agent.locator("#composer input[name=kind][value=reply]").check()
    agent.locator("#composer textarea[name=body]").fill("Thanks Casey, we are on it.")
    agent.locator("#composer textarea[name=body]").press("Control+Enter")
    expect(agent.locator("#messages .msg-outbound")).to_have_count(1)
    expect(frame.locator(".chat-msg-them .chat-text")).to_have_text(["Thanks Casey, we are on it."])

    # The visitor writes again while the agent has the conversation open: it appears there live, once.
    send_visitor_message(frame, "Great, thank you!")
    expect(agent.locator("#messages .msg-inbound")).to_have_count(2)
    expect(agent.locator("#messages .msg-inbound .msg-body").nth(1)).to_have_text("Great, thank you!")
    expect(frame.locator(".chat-msg")).to_have_count(3)
    assert f"internal {tag}" not in frame.locator("#chat-messages").inner_text()
    agent.reload()
    expect(agent.locator("#messages .msg")).to_have_count(4)
    expect(agent.locator("#messages")).to_contain_text(email)
    expect(agent.locator("#messages")).to_contain_text(card)
    assert stack.csp_violations() == []

    # Canary: neither the email, the name nor the card number is stored in plaintext anywhere on disk.
    needles = [email, f"canary.e2e.{tag}", name, card, card.replace(" ", "")]
    assert stack.bodies().count(first) == 1
    hits = scan_files(stack.data_dir, needles)
    if backend() == "postgres":
        hits += scan_postgres(stack.settings.resolved_database_url, needles)
    else:
        names = {p.name for p in stack.data_dir.iterdir()}
        assert {"hushdesk.db", "keyvault.db"} <= names, names
    assert hits == []
    # Control: the scanner does see text that is meant to be stored readable (the redacted copy).
    control = ["we are on it"]
    found = scan_files(stack.data_dir, control) + (
        scan_postgres(stack.settings.resolved_database_url, control) if backend() == "postgres" else [])
    assert found, "the canary scanner found nothing at all: it is not looking at the data"
    agent_context.close()
    visitor_context.close()
    stack.server.stop()
    stack.ctx.close()  # checkpoints the SQLite WAL into the main file: scan once more
    assert scan_files(stack.data_dir, needles) == []
