"""A contact with unique canary strings in every place the product can hold their data, plus a bystander
contact with canaries of their own (for "nothing of anyone else" checks)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from hushdesk.channels import api as api_channel
from hushdesk.channels import webchat
from hushdesk.channels.base import ContactHint, InboundAttachment, InboundMessage
from hushdesk.context import AppContext
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import orders as order_svc
from hushdesk.inbox.service import add_note, receive_message, send_reply
from hushdesk.kit.ids import new_id
from hushdesk.models import AiCall, AiDraft, AudioClip, Contact, Conversation, Widget
from hushdesk.tenancy.actor import Actor


@dataclass
class Canary:
    first: str
    last: str
    email: str
    phone: str
    order: str
    file_text: str
    contact_id: str = ""
    conversation_ids: list[str] = field(default_factory=list)
    message_ids: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def strings(self) -> list[str]:
        """What must never be found after erasure (each a value of this contact)."""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return [self.first, self.last, self.email, self.phone, digits[-10:], self.order, self.file_text]


def _letters(n: int) -> str:
    return "".join(secrets.choice("bdfgklmnprstvz") + secrets.choice("aeiou") for _ in range(n))


def make_canary(tag: str) -> Canary:
    salt = secrets.token_hex(3)
    return Canary(
        first=f"Quil{_letters(2)}".title(), last=f"Zaph{_letters(3)}".title(),
        email=f"zq-{tag}-{salt}@canary.example.org", phone=f"+44 7700 9{secrets.randbelow(10**5):05d}",
        order=f"CNRY-{tag.upper()}{salt.upper()}", file_text=f"passport-scan-{tag}-{salt}",
    )


def populate(ctx: AppContext, workspace_id: str, agent: Actor, c: Canary) -> Canary:
    """Chat (web widget) + API messages + subject, attachment, order, phone, an agent's note and reply."""
    with ctx.unit_of_work() as uow:
        widget = uow.session.execute(select(Widget).where(Widget.workspace_id == workspace_id)).scalars().first()
        assert widget is not None
        token = webchat.start_session(uow, widget, name=c.name, email=c.email)
        got = webchat.visitor_send(uow, widget, token, f"Hi, I'm {c.name}. My order {c.order} never came. "
                                   f"Call me on {c.phone} or write to {c.email}.", "m1")
        c.contact_id = got.conversation.contact_id or ""
        c.conversation_ids.append(got.conversation.id)
        c.message_ids.append(got.message.id)
    with ctx.unit_of_work() as uow:
        got = api_channel.create_conversation(uow, agent, email=c.email, name=c.name,
                                              subject=f"Refund for {c.order} ({c.last})",
                                              body=f"{c.first} here again about {c.order}.", client_message_id=None)
        assert got.conversation.contact_id == c.contact_id
        c.conversation_ids.append(got.conversation.id)
        c.message_ids.append(got.message.id)
        api_conv = got.conversation.id
    with ctx.unit_of_work() as uow:
        got = receive_message(uow, workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", c.email, email=c.email), body="Attached my ID.",
            conversation_id=api_conv,
            attachments=(InboundAttachment(f"{c.file_text}.txt", "text/plain",
                                           f"ID of {c.name}: {c.file_text}".encode()),)))
        c.message_ids.append(got.message.id)
    with ctx.unit_of_work() as uow:
        contact_svc.update_contact(uow, agent, c.contact_id, phone=c.phone)
        order_svc.create_order(uow, agent, c.contact_id, order_svc.OrderData(
            number=c.order, placed_at=datetime(2026, 3, 1, tzinfo=UTC),
            items=(order_svc.OrderItem(f"Mug for {c.last}", 1, "9.90"),), amount="9.90", currency="EUR",
            status="shipped"))
    with ctx.unit_of_work() as uow:
        note = add_note(uow, agent, api_conv, f"{c.first} {c.last} is upset; order {c.order}, phone {c.phone}.")
        reply = send_reply(uow, agent, api_conv, f"Dear {c.first}, we are on it ({c.order}).")
        missed = add_note(uow, agent, api_conv, f"note: {c.last.lower()} wants a refund")
        # Simulate a value the detector missed (whatever the detector's current quality): only the erasure's
        # scrub of known values can catch it, and the full-text index has already indexed it.
        missed.message.body_redacted = f"note: {c.last.lower()} wants a refund for {c.order.lower()}"
        c.message_ids += [note.message.id, reply.message.id, missed.message.id]
    _assistant_rows(ctx, workspace_id, api_conv, c)
    with ctx.db.session() as s:
        convs = s.execute(select(Conversation.id).where(Conversation.contact_id == c.contact_id)).scalars().all()
        assert set(convs) == set(c.conversation_ids)
    return c


def _assistant_rows(ctx: AppContext, workspace_id: str, conv_id: str, c: Canary) -> None:
    """What the AI assistant keeps about a conversation, in the shapes it stores: the redacted call log (here
    with a value the detector missed), an encrypted draft and encrypted reply audio."""
    with ctx.unit_of_work() as uow:
        contact = uow.session.get(Contact, c.contact_id)
        assert contact is not None
        cipher = contact_svc.cipher_for(uow, contact)
        call = AiCall(id=new_id("ac"), workspace_id=workspace_id, conversation_id=conv_id, feature="draft",
                      provider="fake", prompt_redacted=f"Customer <PERSON_1> ({c.last.lower()}) asks about a refund",
                      response_redacted="Dear <PERSON_1>, we are on it.", status="ok")
        uow.session.add(call)
        draft_id, clip_id = new_id("ad"), new_id("clip")
        uow.session.add(AiDraft(id=draft_id, workspace_id=workspace_id, conversation_id=conv_id, kind="draft",
                                ai_call_id=call.id, key_id=contact.key_id, source="provider",
                                text_ct=cipher.encrypt(f"Dear {c.first}, order {c.order} is on its way.",
                                                       f"ai_drafts.text:{draft_id}")))
        uow.session.add(AudioClip(id=clip_id, workspace_id=workspace_id, owner_type="message", owner_id="x",
                                  conversation_id=conv_id, key_id=contact.key_id, content_hash="0" * 64,
                                  content_type="audio/wav", engine="test", duration_ms=1, chars=10,
                                  data_ct=cipher.encrypt(f"audio for {c.name}".encode(),
                                                         f"audio_clips.data:{clip_id}")))
