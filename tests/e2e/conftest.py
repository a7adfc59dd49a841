"""Browser fixtures: headless Debian Chromium (never a downloaded browser) and a fresh live stack per test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, FrameLocator, Page, sync_playwright
from sqlalchemy import select

from hushdesk.app import create_app
from hushdesk.config import Settings
from hushdesk.context import AppContext
from hushdesk.inbox import conversations as conv_svc
from hushdesk.migrate import upgrade
from hushdesk.models import Conversation, Message, Widget
from hushdesk.tenancy.permissions import Role
from tests.conftest import make_settings
from tests.e2e.stack import CHROMIUM, CHROMIUM_ARGS, LiveServer, ShopSite, free_port
from tests.support.databases import drop_database
from tests.support.factories import Member, World, make_world

NO_CHROMIUM = f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need Debian's Chromium"


@dataclass
class Stack:
    settings: Settings
    ctx: AppContext
    world: World
    agent: Member
    server: LiveServer
    shop: ShopSite
    data_dir: Path
    console: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.server.url

    def bodies(self) -> list[str]:
        """Every stored message of the workspace, decrypted (the test's view of the truth)."""
        out: list[str] = []
        with self.ctx.unit_of_work() as uow:
            convs = uow.session.execute(
                select(Conversation.id).where(Conversation.workspace_id == self.world.workspace_id)).scalars().all()
            for conv_id in convs:
                out += [m.body for m in conv_svc.view_conversation(uow, self.world.owner.actor, conv_id).messages]
        return out

    def message_count(self) -> int:
        with self.ctx.db.session() as s:
            return len(s.execute(select(Message.id).where(Message.workspace_id == self.world.workspace_id)).all())

    def watch_console(self, page: Page) -> None:
        def record(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                self.console.append(msg.text)

        page.on("console", record)
        page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))

    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    if not Path(CHROMIUM).exists():
        pytest.skip(NO_CHROMIUM)
    port = free_port()
    settings = make_settings(tmp_path, base_url=f"http://127.0.0.1:{port}")
    upgrade(settings.resolved_database_url)
    ctx = AppContext.create(settings)
    world = make_world(ctx, name="Canary Shop")
    shop = ShopSite(f"http://127.0.0.1:{port}", world.widget_key)
    with ctx.unit_of_work() as uow:
        widget = uow.session.execute(select(Widget).where(Widget.workspace_id == world.workspace_id)).scalar_one()
        widget.allowed_origins = shop.url
    agent = world.member(Role.AGENT, name="Alex Agent")
    server = LiveServer(create_app(settings, ctx), port)
    server.start()
    try:
        yield Stack(settings, ctx, world, agent, server, shop, tmp_path)
    finally:
        server.stop()
        shop.stop()
        ctx.close()
        drop_database(settings.resolved_database_url)


def open_widget(page: Page, stack: Stack) -> FrameLocator:
    page.goto(stack.shop.url)
    page.locator("button[data-hushdesk=launcher]").click()
    return page.frame_locator("iframe[data-hushdesk=frame]")


def start_chat(frame: FrameLocator, name: str = "", email: str = "") -> None:
    frame.locator("#prechat input[name=name]").fill(name)
    frame.locator("#prechat input[name=email]").fill(email)
    frame.locator("#prechat button[type=submit]").click()
    frame.locator("#chat-input").wait_for()


def send_visitor_message(frame: FrameLocator, text: str) -> None:
    frame.locator("#chat-input").fill(text)
    frame.locator("#chat-input").press("Enter")


def agent_page(context: BrowserContext, stack: Stack) -> Page:
    page = context.new_page()
    stack.watch_console(page)
    page.goto(stack.base + "/login")
    page.locator("input[name=email]").fill(stack.agent.email)
    page.locator("input[name=password]").fill(stack.agent.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(stack.base + "/")
    page.locator("#live-status[data-state=live]").wait_for()
    return page


def canary_suffix() -> str:
    return secrets.token_hex(4)
