"""The agent UI's JavaScript in a real browser: canned replies by /shortcut, htmx controls, live counts in a
second agent's inbox, and no Content-Security-Policy violations on any page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox import canned as canned_svc
from hushdesk.inbox.service import receive_message
from hushdesk.tenancy.permissions import Role
from tests.e2e.conftest import NO_CHROMIUM, Stack, agent_page
from tests.e2e.stack import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
    pytest.mark.timeout(240),
]


def _customer(stack: Stack, body: str) -> str:
    hint = ContactHint("email", "gus.guest@example.com", name="Gus Guest", email="gus.guest@example.com")
    with stack.ctx.unit_of_work() as uow:
        return receive_message(uow, stack.world.workspace_id, InboundMessage("api", hint, body)).conversation.id


def test_canned_replies_controls_and_live_counts(browser: Browser, stack: Stack) -> None:
    with stack.ctx.unit_of_work() as uow:
        canned_svc.create_canned(uow, stack.world.owner.actor, shortcut="thanks", title="Thanks",
                                 body="Thanks for reaching out! We are on it.")
    conv_id = _customer(stack, "Can I return the lamp?")
    colleague_ctx = browser.new_context()
    stack.agent = stack.world.member(Role.AGENT, name="Cleo Colleague")
    colleague = agent_page(colleague_ctx, stack)
    expect(colleague.locator('[data-status-count="open"]')).to_have_text("1")

    stack.agent = stack.world.owner
    owner_ctx = browser.new_context()
    owner = agent_page(owner_ctx, stack)
    owner.locator(f'.conv-row[data-conversation-id="{conv_id}"]').click()
    owner.wait_for_url(f"**/conversations/{conv_id}**")

    box = owner.locator("#composer textarea[name=body]")
    box.press_sequentially("/tha")
    expect(owner.locator("#canned-suggestions li")).to_have_count(1)
    box.press("Tab")
    expect(box).to_have_value("Thanks for reaching out! We are on it.")
    owner.locator("#composer button[type=submit]").click()
    expect(owner.locator("#messages .msg-outbound .msg-body")).to_have_text("Thanks for reaching out! We are on it.")
    expect(box).to_have_value("")

    owner.locator("#conv-controls select[name=status]").select_option("pending")
    expect(owner.locator("#conv-controls select[name=status]")).to_have_value("pending")
    owner.locator("#conv-controls input[name=tag]").fill("returns")
    owner.locator("#conv-controls input[name=tag]").press("Enter")
    expect(owner.locator("#conv-controls .tag-chip")).to_have_text(["returns×"])
    owner.locator("#conv-controls select[name=assignee_id]").select_option(stack.world.owner.user_id)
    expect(owner.locator("#conv-controls select[name=assignee_id]")).to_have_value(stack.world.owner.user_id)

    # The colleague's inbox follows live: the conversation left "open" for "pending".
    expect(colleague.locator('[data-status-count="open"]')).to_have_text("0")
    expect(colleague.locator('[data-status-count="pending"]')).to_have_text("1")

    for path in ("/admin/users", "/admin/widget", "/admin/canned", "/admin/tokens", "/?status=all"):
        owner.goto(stack.base + path)
        owner.wait_for_load_state("networkidle")
    assert stack.csp_violations() == []
    owner_ctx.close()
    colleague_ctx.close()
