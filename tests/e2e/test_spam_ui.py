"""Spam in real Chromium: the pre-chat honeypot is invisible to people (and breaks no CSP rule), a spammy chat
goes to the Spam tab without reaching the agent's live inbox, and "Not spam" brings it back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from hushdesk.models import Conversation
from tests.e2e.conftest import NO_CHROMIUM, Stack, agent_page, open_widget, send_visitor_message, start_chat
from tests.e2e.stack import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
    pytest.mark.timeout(240),
]
SPAMMY = "Cheap viagra from our online pharmacy, click here: bit.ly/x9Kq2 and https://pills.example.net/buy"
SHOTS = os.environ.get("HUSHDESK_SCREENSHOTS")  # a directory: save screenshots there for a human to look at


def _conversations(stack: Stack) -> list[Conversation]:
    with stack.ctx.db.session() as s:
        rows = s.execute(select(Conversation).where(Conversation.workspace_id == stack.world.workspace_id))
        return list(rows.scalars())


def test_honeypot_is_hidden_and_spam_waits_in_the_spam_tab(browser: Browser, stack: Stack) -> None:
    agent_context = browser.new_context()
    agent = agent_page(agent_context, stack)

    visitor = browser.new_context().new_page()
    stack.watch_console(visitor)
    frame = open_widget(visitor, stack)
    expect(frame.locator("#prechat")).to_be_visible()
    honeypot = frame.locator("#prechat input[name=website]")
    expect(honeypot).to_have_count(1)
    box = honeypot.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0, f"the honeypot is on screen: {box}"
    if SHOTS:
        visitor.screenshot(path=f"{SHOTS}/spam-prechat.png")
    start_chat(frame, name="Pat Person", email="pat.person@example.com")
    send_visitor_message(frame, SPAMMY)
    # The sender sees an ordinary, delivered message.
    expect(frame.locator(".chat-msg-me[data-message-id]")).to_have_count(1)
    expect(frame.locator(".chat-msg-me.is-pending")).to_have_count(0)

    convs = _conversations(stack)
    assert len(convs) == 1 and convs[0].spam and convs[0].spam_source == "auto"
    # A person filled the form (honeypot left empty): the signals are the text's, not the trap's.
    assert "honeypot" not in (convs[0].spam_reasons or "")
    expect(agent.locator(".conv-row")).to_have_count(0)
    # The inbox did not refresh (no live push for spam; tests/inbox/test_spam.py checks the bus itself).
    expect(agent.locator("[data-status-count=spam]")).to_have_text("0")
    agent.goto(stack.base + "/?status=spam")
    row = agent.locator(".conv-row")
    expect(row).to_have_count(1)
    expect(row.locator(".conv-spam-reasons")).to_contain_text("shortener=1")
    row.click()
    agent.wait_for_url("**/conversations/**")
    expect(agent.locator(".spam-banner")).to_contain_text("Spam")
    expect(agent.locator("#messages .msg-inbound .msg-body")).to_have_text(SPAMMY)
    if SHOTS:
        agent.screenshot(path=f"{SHOTS}/spam-conversation.png", full_page=True)
    agent.locator(".spam-banner button", has_text="Not spam").click()
    agent.wait_for_url("**status=open**")
    expect(agent.locator(".spam-banner")).to_have_count(0)
    expect(agent.locator(".conv-row")).to_have_count(1)
    assert not _conversations(stack)[0].spam
    expect(agent.locator("#ctl-spam button")).to_have_text("Mark as spam")
    if SHOTS:
        agent.screenshot(path=f"{SHOTS}/spam-cleared.png", full_page=True)
    assert stack.csp_violations() == []
