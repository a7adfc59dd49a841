"""The privacy officer's AI-call log: allowed roles only, only placeholders on the page (never the planted
personal values), filters, CSV export, foreign ids 404, and viewing is itself audited."""

from __future__ import annotations

import csv
import html
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hushdesk.assistant import service as assistant
from hushdesk.models import AiCall, AuditEvent
from hushdesk.tenancy.permissions import Role
from tests.assistant.conftest import PLANTED, configure, placeholder_of, planted_conversation
from tests.assistant.fake_openai import FakeOpenAI
from tests.support.factories import World
from tests.web.conftest import HTML, sign_in

VALUES = [PLANTED["name"], PLANTED["email"], PLANTED["order"], "7700 900123", "Kowalczyk", "Baker Street"]


def _one_call(world: World, fake: FakeOpenAI) -> tuple[str, str]:
    configure(world, fake)
    conv_id = planted_conversation(world)
    person = placeholder_of(world, conv_id, "Zofia")
    fake.reply = lambda _req: f"Hello {person}, we are checking."
    with world.ctx.unit_of_work() as uow:
        result = assistant.draft_reply(uow, world.owner.actor, conv_id)
    assert result.error is None, result.error
    with world.ctx.unit_of_work() as uow:
        call_id = uow.session.execute(select(AiCall.id).where(AiCall.workspace_id == world.workspace_id,
                                                              AiCall.conversation_id == conv_id)).scalar_one()
    return call_id, person


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.AUDITOR, Role.OWNER])
def test_allowed_roles_see_redacted_calls_only(web: TestClient, world: World, fake: FakeOpenAI, role: Role) -> None:
    call_id, person = _one_call(world, fake)
    member = world.owner if role == Role.OWNER else world.member(role)
    sign_in(web, member)
    listing = web.get("/audit/ai-calls", headers=HTML)
    assert listing.status_code == 200, listing.text
    assert call_id in listing.text and "fake-model" in listing.text
    detail = web.get(f"/audit/ai-calls/{call_id}", headers=HTML)
    assert detail.status_code == 200
    assert html.escape(person) in detail.text  # placeholders, as sent
    as_csv = web.get("/audit/ai-calls.csv", params={"status": "ok"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert any(r["id"] == call_id and r["feature"] == "draft" for r in rows)
    for text in (listing.text, detail.text, as_csv.text):
        for value in VALUES:
            assert value.lower() not in text.lower(), f"planted value {value!r} on the page"
    errors_only = web.get("/audit/ai-calls", params={"status": "error"}, headers=HTML)
    assert errors_only.status_code == 200 and call_id not in errors_only.text
    future = web.get("/audit/ai-calls", params={"since": "2999-01-01"}, headers=HTML)
    assert future.status_code == 200 and call_id not in future.text
    assert web.get("/audit/ai-calls", params={"since": "yesterday"}, headers=HTML).status_code == 422
    with world.ctx.unit_of_work() as uow:
        actions = set(uow.session.execute(select(AuditEvent.action).where(
            AuditEvent.chain == world.workspace_id, AuditEvent.actor_id == member.user_id)).scalars())
    assert {"ai_calls.viewed", "ai_call.viewed", "ai_calls.exported"} <= actions


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN])
def test_other_roles_get_403(web: TestClient, world: World, fake: FakeOpenAI, role: Role) -> None:
    call_id, _ = _one_call(world, fake)
    sign_in(web, world.member(role))
    assert web.get("/audit/ai-calls", headers=HTML).status_code == 403
    assert web.get(f"/audit/ai-calls/{call_id}", headers=HTML).status_code == 403
    assert web.get("/audit/ai-calls.csv").status_code == 403


def test_foreign_call_is_404(web: TestClient, world: World, other_world: World, fake: FakeOpenAI) -> None:
    call_id, _ = _one_call(world, fake)
    sign_in(web, other_world.member(Role.PRIVACY_OFFICER))
    assert web.get(f"/audit/ai-calls/{call_id}", headers=HTML).status_code == 404
    assert call_id not in web.get("/audit/ai-calls", headers=HTML).text
    assert web.get("/audit/ai-calls/aic_doesnotexist", headers=HTML).status_code == 404
