"""The demo workspace `make run` creates: an owner, an agent, a widget and a few sample conversations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hushdesk.accounts.service import create_user, find_user_by_email
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.context import AppContext
from hushdesk.inbox import canned, orders
from hushdesk.inbox.service import receive_message, send_reply
from hushdesk.kit.ids import new_token
from hushdesk.models import Membership, Widget, Workspace
from hushdesk.tenancy.actor import Actor, system_actor
from hushdesk.tenancy.permissions import Role
from hushdesk.tenancy.service import create_workspace

DEMO_SLUG = "demo"
DEMO_EMAIL = "admin@demo.hushdesk.test"

SAMPLES = [
    ("Priya Sharma", "priya.sharma@example.com", "Where is my order?",
     "Hi, my name is Priya Sharma. Order HD-10023 hasn't arrived yet, can you check? My phone is +44 20 7946 0958."),
    ("Marco Rossi", "marco.rossi@example.org", "Refund",
     "Hello, I was charged twice on card 4242 4242 4242 4242. Please refund one. Thanks, Marco"),
    ("Lena Fischer", "lena@example.net", None,
     "Can I change the delivery address to Hauptstrasse 12, 10115 Berlin? Email me at lena@example.net"),
]


@dataclass(frozen=True)
class DemoResult:
    created: bool
    email: str
    password: str | None
    widget_key: str


def ensure_demo(ctx: AppContext) -> DemoResult:
    with ctx.unit_of_work() as uow:
        ws = uow.session.execute(select(Workspace).where(Workspace.slug == DEMO_SLUG)).scalar_one_or_none()
        if ws is not None:
            key = uow.session.execute(select(Widget.public_key).where(Widget.workspace_id == ws.id)).scalar_one()
            return DemoResult(False, DEMO_EMAIL, None, key)
        ws = create_workspace(uow, name="Demo Shop", slug=DEMO_SLUG)
        ws.privacy_policy_url = "/privacy/demo"
        ws.privacy_contact = "privacy@demo.hushdesk.test"
        password = new_token(12)
        owner = find_user_by_email(uow, DEMO_EMAIL) or create_user(
            uow, email=DEMO_EMAIL, name="Demo Owner", password=password)
        uow.session.add(Membership(id="m" + owner.id[1:], workspace_id=ws.id, user_id=owner.id, role=Role.OWNER.value))
        agent = create_user(uow, email="agent@demo.hushdesk.test", name="Alex Agent", password=new_token(12))
        uow.session.add(Membership(id="m" + agent.id[1:], workspace_id=ws.id, user_id=agent.id, role=Role.AGENT.value))
        widget = uow.session.execute(select(Widget).where(Widget.workspace_id == ws.id)).scalar_one()
        widget.allowed_origins = ctx.settings.base_url
        actor = Actor(workspace_id=ws.id, kind="user", id=owner.id, name=owner.name, role=Role.OWNER)
        canned.create_canned(uow, actor, shortcut="thanks", title="Thanks",
                             body="Thanks for reaching out! We're looking into it and will get back to you shortly.")
        canned.create_canned(uow, actor, shortcut="shipping", title="Shipping times",
                             body="Orders ship within 2 business days; delivery takes 3-5 days.")
        for i, (name, email, subject, body) in enumerate(SAMPLES):
            got = receive_message(uow, ws.id, InboundMessage(
                channel="api" if i else "webchat", sender=ContactHint("email", email, name=name, email=email),
                body=body, subject=subject, client_message_id=f"demo-{i}"))
            if i == 0:
                orders.create_order(uow, system_actor(ws.id), got.conversation.contact_id or "", orders.OrderData(
                    number="HD-10023", placed_at=datetime.now(UTC) - timedelta(days=6),
                    items=(orders.OrderItem("Ceramic mug", 2, "12.50"), orders.OrderItem("Tea sampler", 1, "19.00")),
                    amount="44.00", currency="EUR", status="shipped"))
                send_reply(uow, actor, got.conversation.id,
                           "Hi Priya, thanks for your patience. Your parcel is with the courier and should arrive "
                           "tomorrow.")
        return DemoResult(True, DEMO_EMAIL, password, widget.public_key)
