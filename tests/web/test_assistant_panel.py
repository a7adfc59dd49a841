"""The assistant over HTTP against a local fake OpenAI-compatible server: the key is write-only (a canary never
appears in any page or response), test connection, the conversation panel's draft round trip with the AI label,
unfilled placeholders blocking the send, and the notice for a customer who restricted processing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hushdesk.app import create_app
from hushdesk.assistant.providers import close_clients
from hushdesk.context import AppContext
from hushdesk.migrate import upgrade
from hushdesk.models import AiDraft, Contact, Conversation
from hushdesk.privacy.service import set_flag
from hushdesk.tenancy.permissions import Role
from tests.assistant.conftest import PLANTED, configure, placeholder_of, plant_article, planted_conversation
from tests.assistant.fake_openai import FakeOpenAI
from tests.conftest import make_settings
from tests.support.databases import drop_database
from tests.support.factories import World
from tests.web.conftest import HTML, HTMX, session_csrf, sign_in
from tests.web.test_pages import _no_inline_code

CANARY = "sk-canary-7Hq2ZpXw91LmN0vB"  # noqa: S105 (a test key)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """Loopback provider URLs allowed: the fake provider listens on 127.0.0.1."""
    settings = make_settings(Path(tmp_path_factory.mktemp("assistant-web")), ai_allow_private_urls=True,
                             ai_timeout_seconds=1.5, ai_max_retries=0)
    upgrade(settings.resolved_database_url)
    context = AppContext.create(settings)
    yield context
    close_clients()
    context.close()
    drop_database(settings.resolved_database_url)


@pytest.fixture(scope="module")
def app(ctx: AppContext) -> FastAPI:
    return create_app(ctx.settings, ctx)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def _use_fake(web: TestClient, csrf: str, fake: FakeOpenAI) -> None:
    res = web.post("/admin/ai", data={"csrf_token": csrf, "provider": "openai", "base_url": fake.base_url,
                                      "model": "fake-model"}, headers=HTML)
    assert res.status_code == 200, res.text


def test_key_is_write_only_and_test_connection(web: TestClient, world: World, fake: FakeOpenAI) -> None:
    csrf = sign_in(web, world.owner)
    seen: list[str] = []
    _use_fake(web, csrf, fake)
    saved = web.post("/admin/ai/key", data={"csrf_token": csrf, "api_key": CANARY}, headers=HTML)
    assert saved.status_code == 200 and "…" + CANARY[-4:] in saved.text
    seen.append(saved.text)
    ok = web.post("/admin/ai/test", data={"csrf_token": csrf}, headers=HTML)
    assert ok.status_code == 200 and "Connected: model fake-model" in ok.text
    assert fake.requests[-1].headers["authorization"] == f"Bearer {CANARY}"  # it was really used
    seen.append(ok.text)
    fake.mode = "429"  # the fake's error text contains a key fragment: it must never be shown
    failed = web.post("/admin/ai/test", data={"csrf_token": csrf}, headers=HTML)
    assert failed.status_code == 200 and "rate-limiting" in failed.text and "alert-error" in failed.text
    assert "Rate limit reached" not in failed.text and "sk-test" not in failed.text
    seen.append(failed.text)
    fake.mode = "ok"
    conv_id = planted_conversation(world, messages=2)
    for path in ("/admin/ai", "/admin/kb", "/admin/billing", "/admin/billing.csv", "/admin/users", "/admin/tokens",
                 "/", f"/conversations/{conv_id}", f"/conversations/{conv_id}/assistant/panel"):
        res = web.get(path, headers=HTML)
        assert res.status_code == 200, path
        seen.append(res.text + str(res.headers))
    seen.append(web.post(f"/conversations/{conv_id}/assistant/draft", headers=HTMX).text)
    for text in seen:
        assert CANARY not in text and CANARY[:-4] not in text
    key_form = web.get("/admin/ai", headers=HTML).text
    assert re.search(r'<input type="password" name="api_key"[^>]*>', key_form)
    assert 'value="' + CANARY not in key_form
    deleted = web.post("/admin/ai/key/delete", data={"csrf_token": csrf}, headers=HTML)
    assert deleted.status_code == 200 and "No key saved." in deleted.text


def test_test_connection_when_the_provider_is_down(web: TestClient, world: World, fake: FakeOpenAI) -> None:
    csrf = sign_in(web, world.owner)
    _use_fake(web, csrf, fake)
    fake.stop()
    res = web.post("/admin/ai/test", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 200 and "could not be reached" in res.text


def test_draft_panel_round_trip(web: TestClient, world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    plant_article(world, "Tracking a delivery", "Every parcel has a tracking link. Deliveries take 2-4 days.")
    conv_id = planted_conversation(world)
    person, order = placeholder_of(world, conv_id, PLANTED["name"]), placeholder_of(world, conv_id, PLANTED["order"])
    fake.reply = lambda _req: f"Hello {person}, your order {order} is on its way."
    agent = world.member(Role.AGENT)
    sign_in(web, agent)
    page = web.get(f"/conversations/{conv_id}", headers=HTML)
    assert 'id="assistant-panel"' in page.text
    csrf = session_csrf(page.text)
    panel = web.get(f"/conversations/{conv_id}/assistant/panel", headers=HTMX)
    assert panel.status_code == 200 and "Draft reply" in panel.text and "Summarize" in panel.text
    _no_inline_code(panel.text)
    articles = web.get(f"/conversations/{conv_id}/assistant/articles", params={"q": "parcel tracking"},
                       headers=HTMX)
    assert "Tracking a delivery" in articles.text

    draft = web.post(f"/conversations/{conv_id}/assistant/draft", headers={**HTMX, "x-csrf-token": csrf})
    assert draft.status_code == 200, draft.text
    assert PLANTED["name"] in draft.text and PLANTED["order"] in draft.text  # rehydrated on our side
    assert 'class="badge badge-ai"' in draft.text and "AI-generated draft" in draft.text
    _no_inline_code(draft.text)
    sent_to_provider = "\n".join(r.everything() for r in fake.requests)
    for value in PLANTED.values():
        assert value not in sent_to_provider
    draft_id = re.search(r'data-draft-id="([^"]+)"', draft.text)
    assert draft_id
    body = f"Hello {PLANTED['name']}, your order {PLANTED['order']} is on its way."
    sent = web.post(f"/conversations/{conv_id}/assistant/drafts/{draft_id.group(1)}/send",
                    data={"body": body, "client_message_id": "c-1"}, headers={**HTMX, "x-csrf-token": csrf})
    assert sent.status_code == 200 and 'badge-ai' in sent.text and PLANTED["order"] in sent.text
    reloaded = web.get(f"/conversations/{conv_id}", headers=HTML).text
    outbound = [m for m in reloaded.split('<li class="msg ') if m.startswith("msg-outbound")]
    assert outbound and "badge-ai" in outbound[-1]

    summary = web.post(f"/conversations/{conv_id}/assistant/summary", headers={**HTMX, "x-csrf-token": csrf})
    assert summary.status_code == 200 and "AI-generated summary" in summary.text


def test_invented_placeholder_is_highlighted_and_blocks_sending(web: TestClient, world: World,
                                                               fake: FakeOpenAI) -> None:
    configure(world, fake)
    fake.reply = lambda _req: "Hello <PERSON_1>, your refund <IBAN_7> is ready."
    conv_id = planted_conversation(world, messages=2)
    csrf = sign_in(web, world.owner)
    draft = web.post(f"/conversations/{conv_id}/assistant/draft", headers={**HTMX, "x-csrf-token": csrf})
    assert draft.status_code == 200
    assert "<mark>&lt;IBAN_7&gt;</mark>" in draft.text and "sending is blocked" in draft.text
    assert re.search(r"<button[^>]*data-ai-send disabled", draft.text)
    with world.ctx.unit_of_work() as uow:
        draft_id = uow.session.execute(select(AiDraft.id).where(AiDraft.conversation_id == conv_id)).scalar_one()
    refused = web.post(f"/conversations/{conv_id}/assistant/drafts/{draft_id}/send",
                       data={"body": "Hello, your refund <IBAN_7> is ready."},
                       headers={**HTMX, "x-csrf-token": csrf})
    assert refused.status_code == 422 and "placeholders" in refused.text


def test_provider_failure_is_a_clear_message(web: TestClient, world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    fake.mode = "500"
    conv_id = planted_conversation(world, messages=1)
    csrf = sign_in(web, world.owner)
    res = web.post(f"/conversations/{conv_id}/assistant/draft", headers={**HTMX, "x-csrf-token": csrf})
    assert res.status_code == 502 and "answered with an error" in res.text and "boom" not in res.text


def test_restricted_customer_gets_a_notice_and_no_request(web: TestClient, world: World,
                                                          fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world, messages=1)
    with world.ctx.unit_of_work() as uow:
        conv = uow.session.get(Conversation, conv_id)
        assert conv is not None
        contact = uow.session.get(Contact, conv.contact_id)
        assert contact is not None
        set_flag(uow, None, contact, "restricted", "*")
    csrf = sign_in(web, world.owner)
    panel = web.get(f"/conversations/{conv_id}/assistant/panel", headers=HTMX)
    assert "AI features are off for this customer (restricted)" in panel.text and "Draft reply" not in panel.text
    res = web.post(f"/conversations/{conv_id}/assistant/draft", headers={**HTMX, "x-csrf-token": csrf})
    assert res.status_code == 403
    assert fake.requests == []


def test_auditor_cannot_draft(web: TestClient, world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world, messages=1)
    auditor = world.member(Role.AUDITOR)
    sign_in(web, auditor)
    page = web.get(f"/conversations/{conv_id}", headers=HTML)
    csrf = session_csrf(page.text)
    panel = web.get(f"/conversations/{conv_id}/assistant/panel", headers=HTMX)
    assert panel.status_code == 200 and "Draft reply" not in panel.text
    res = web.post(f"/conversations/{conv_id}/assistant/draft", headers={**HTMX, "x-csrf-token": csrf})
    assert res.status_code == 403 and fake.requests == []
