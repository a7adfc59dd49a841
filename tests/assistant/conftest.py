"""Assistant fixtures: an app context that allows loopback provider URLs (the fake server), the fake server,
and helpers to configure a workspace and plant a conversation full of personal values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from hushdesk.app import create_app
from hushdesk.assistant import kb
from hushdesk.assistant.settings import SettingsForm, set_api_key, update_settings
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.context import AppContext
from hushdesk.inbox.contacts import cipher_for
from hushdesk.inbox.redacting import load_state
from hushdesk.inbox.service import receive_message, send_reply
from hushdesk.migrate import upgrade
from hushdesk.models import Contact, Conversation
from tests.assistant.fake_openai import FakeOpenAI
from tests.conftest import make_settings
from tests.support.databases import drop_database
from tests.support.factories import World
from tests.web.conftest import web  # noqa: F401  (fixture re-export for the page tests)

API_KEY = "sk-test-SECRET-4f9c2b7e1d"  # noqa: S105 (a test key)

PLANTED = {
    "name": "Zofia Kowalczyk",
    "email": "zofia.kowalczyk@example.org",
    "phone": "+44 7700 900123",
    "order": "ORD-558812",
    "address": "221B Baker Street, London",
}


@pytest.fixture(scope="session")
def ctx(session_tmp: Path) -> Iterator[AppContext]:
    settings = make_settings(session_tmp, ai_allow_private_urls=True, ai_timeout_seconds=1.5, ai_max_retries=1)
    upgrade(settings.resolved_database_url)
    context = AppContext.create(settings)
    yield context
    context.close()
    drop_database(settings.resolved_database_url)


@pytest.fixture(scope="session")
def app(ctx: AppContext) -> FastAPI:
    """Our own app over our own context: the root ``app`` is session-cached, and building it from this
    overridden ``ctx`` made later test packages (tests/web) talk to the wrong database."""
    return create_app(ctx.settings, ctx)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def configure(world: World, fake: FakeOpenAI | None, **extra: object) -> None:
    form = SettingsForm(provider="openai" if fake else "none", base_url=fake.base_url if fake else "",
                        model="fake-model" if fake else "", **extra)  # type: ignore[arg-type]
    with world.ctx.unit_of_work() as uow:
        update_settings(uow, world.owner.actor, form)
        if fake:
            set_api_key(uow, world.owner.actor, API_KEY)


def plant_article(world: World, title: str, body: str) -> str:
    with world.ctx.unit_of_work() as uow:
        return kb.save_article(uow, world.owner.actor, title=title, body=body, publish=True).id


def planted_conversation(world: World, *, messages: int = 4, channel: str = "api") -> str:
    p = PLANTED
    hint = ContactHint("email", p["email"], name=p["name"], email=p["email"])
    bodies = [
        f"Hi, I'm {p['name']}. My order {p['order']} has not arrived. Call me on {p['phone']}.",
        f"It should go to {p['address']}. My email is {p['email']}.",
        f"Order {p['order']} was paid last week, please check. Thanks, {p['name'].split()[0]}",
        "Any news about my delivery? Where is my parcel?",
    ]
    with world.ctx.unit_of_work() as uow:
        received = receive_message(uow, world.workspace_id, InboundMessage(channel=channel, sender=hint,
                                                                          body=bodies[0]))
        conv_id = received.conversation.id
    for n in range(1, messages):
        with world.ctx.unit_of_work() as uow:
            if n % 3 == 2 and n > 3:
                send_reply(uow, world.owner.actor, conv_id, f"Thanks {p['name']}, checking {p['order']} now.")
            else:
                receive_message(uow, world.workspace_id, InboundMessage(
                    channel=channel, sender=hint, body=bodies[n % len(bodies)], conversation_id=conv_id))
    return conv_id


def mapping(world: World, conversation_id: str) -> dict[str, str]:
    """The conversation's placeholder -> original map (decrypted), to know what the prompt calls each value."""
    with world.ctx.unit_of_work() as uow:
        conv = uow.session.get(Conversation, conversation_id)
        assert conv is not None and conv.contact_id
        contact = uow.session.get(Contact, conv.contact_id)
        assert contact is not None
        return load_state(conv, cipher_for(uow, contact)).mapping()


def placeholder_of(world: World, conversation_id: str, value: str) -> str:
    found = [p for p, original in mapping(world, conversation_id).items() if value in original]
    assert found, f"{value!r} was not redacted"
    return found[0]
