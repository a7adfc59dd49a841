"""Each role x each permission: the action is allowed or denied exactly as the documented matrix says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hushdesk.accounts.service import create_api_token, create_user
from hushdesk.audit.service import read_audit_log
from hushdesk.channels import api as api_channel
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.db import UnitOfWork
from hushdesk.dsr import officer as dsr_officer
from hushdesk.dsr.repository import QueueFilter
from hushdesk.inbox import canned, contacts, conversations, orders
from hushdesk.inbox.repository import ConversationFilter
from hushdesk.inbox.service import add_note, receive_message, send_reply
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Forbidden
from hushdesk.kit.ids import new_id
from hushdesk.models import Widget
from hushdesk.privacy import service as privacy_service
from hushdesk.security import incidents
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm, Role, render_permissions_markdown, role_allows
from hushdesk.tenancy.service import add_member, list_widgets, update_widget
from tests.support.factories import World

Action = Callable[[UnitOfWork, Actor, dict[str, str]], object]


def _order() -> orders.OrderData:
    return orders.OrderData(number=new_id("N"), placed_at=datetime.now(UTC), items=(), amount="1.00",
                            currency="EUR", status="paid")


ACTIONS: dict[Perm, Action] = {
    Perm.CONVERSATION_READ: lambda u, a, ids: conversations.list_conversations(u, a, ConversationFilter()),
    Perm.CONVERSATION_READ_RAW: lambda u, a, ids: (
        None if conversations.view_conversation(u, a, ids["conv"]).revealed else (_ for _ in ()).throw(
            Forbidden("not revealed"))),
    Perm.CONVERSATION_REPLY: lambda u, a, ids: send_reply(u, a, ids["conv"], "reply"),
    Perm.CONVERSATION_NOTE: lambda u, a, ids: add_note(u, a, ids["conv"], "note"),
    Perm.CONVERSATION_UPDATE: lambda u, a, ids: conversations.set_status(u, a, ids["conv"], "pending"),
    Perm.CONVERSATION_CREATE: lambda u, a, ids: api_channel.create_conversation(
        u, a, email="new@example.com", name=None, subject=None, body="hi", client_message_id=None),
    Perm.CONTACT_READ: lambda u, a, ids: contacts.get_contact(u, a, ids["contact"]),
    Perm.CONTACT_READ_RAW: lambda u, a, ids: contacts.reveal_contact(u, a, ids["contact"]),
    Perm.CONTACT_WRITE: lambda u, a, ids: contacts.update_contact(u, a, ids["contact"], locale="de"),
    Perm.ORDER_WRITE: lambda u, a, ids: orders.create_order(u, a, ids["contact"], _order()),
    Perm.CANNED_USE: lambda u, a, ids: canned.list_canned(u, a),
    Perm.CANNED_MANAGE: lambda u, a, ids: canned.create_canned(u, a, shortcut=new_id("s")[-8:], title="t",
                                                               body="b"),
    Perm.USERS_MANAGE: lambda u, a, ids: add_member(
        u, a, workspace_id=a.workspace_id, role=Role.AGENT,
        user=create_user(u, email=f"{new_id('x')}@example.com", name="New Person", password="long-enough-pw")),
    Perm.SETTINGS_MANAGE: lambda u, a, ids: update_widget(u, a, ids["widget"], greeting="Hello"),
    Perm.TOKENS_MANAGE: lambda u, a, ids: create_api_token(u, a, name="t", scopes=["contacts:read"]),
    Perm.AUDIT_READ: lambda u, a, ids: read_audit_log(u.session, a),
    Perm.SEARCH: lambda u, a, ids: conversations.search(u, a, "hello"),
    Perm.DSR_READ: lambda u, a, ids: dsr_officer.list_queue(u, a, QueueFilter()),
    Perm.DSR_SUBMIT: lambda u, a, ids: dsr_officer.start_for_contact(u, a, ids["contact"], "access"),
    Perm.DSR_MANAGE: lambda u, a, ids: privacy_service.lift_flag(u, a, ids["contact"], "restricted"),
    Perm.INCIDENT_MANAGE: lambda u, a, ids: incidents.open_incident(u, a, incidents.IncidentDraft(
        title="matrix", occurred_from=utcnow() - timedelta(hours=1), occurred_until=utcnow(), detected_at=utcnow())),
}


def test_every_permission_has_an_action() -> None:
    assert set(ACTIONS) == set(Perm)


@pytest.fixture(scope="module")
def seeded(ctx: object) -> tuple[World, dict[str, str], dict[Role, Actor]]:
    from hushdesk.context import AppContext
    from tests.support.factories import make_world

    assert isinstance(ctx, AppContext)
    world = make_world(ctx)
    with ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", "matrix@example.com", email="matrix@example.com"),
            body="hello matrix"))
        widget_id = uow.session.query(Widget.id).filter(Widget.workspace_id == world.workspace_id).scalar()
        ids = {"conv": got.conversation.id, "contact": got.conversation.contact_id or "", "widget": widget_id or ""}
    actors = {role: world.member(role).actor for role in Role}
    with ctx.unit_of_work() as uow:
        list_widgets(uow, world.owner.actor)
    return world, ids, actors


@pytest.mark.parametrize("perm", list(Perm), ids=lambda p: p.value)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_matrix(seeded: tuple[World, dict[str, str], dict[Role, Actor]], role: Role, perm: Perm) -> None:
    world, ids, actors = seeded
    actor = actors[role]
    allowed = role_allows(role, perm)
    with world.ctx.unit_of_work() as uow:
        try:
            ACTIONS[perm](uow, actor, ids)
            outcome = True
        except Forbidden:
            outcome = False
        uow.rollback()  # keep the shared fixture unchanged
    assert outcome == allowed, f"{role.value} {'should' if allowed else 'should not'} be able to {perm.value}"


def test_permissions_doc_matches_the_matrix() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
    expected = render_permissions_markdown()
    assert doc.read_text() == expected, "regenerate: hushdesk docs permissions > docs/permissions.md"
