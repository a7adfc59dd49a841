"""Access audit: who has seen a customer's data, and whose data was read in a time window.

Reads of personal data are audit rows like any other (``contact.viewed``, ``conversation.viewed``,
``order.listed``, ``attachment.downloaded``, ``contact.names_listed``, ...). They name the customer in one of
three ways, and both questions below resolve all three:

- ``target_type == "contact"`` and ``target_id`` = the contact id;
- ``details.contact_id`` or ``details.contact_ids`` (ids only, never values);
- a conversation or attachment target whose conversation belongs to the contact.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hushdesk.models import Attachment, AuditEvent, Conversation, Message
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

# Actions that show a customer's personal data to somebody (raw or redacted), or hand it out.
READ_ACTIONS: frozenset[str] = frozenset({
    "contact.viewed", "contact.names_listed", "conversation.viewed", "conversation.viewed_redacted",
    "order.listed", "attachment.downloaded", "dsr.export.downloaded", "dsr.export.built", "dsr.viewed",
})


def contact_ids_of(event: AuditEvent, conversations: dict[str, str | None],
                   attachments: dict[str, str | None]) -> set[str]:
    """Every contact an audit row names (``conversations`` / ``attachments`` map ids to contact ids)."""
    found: set[str] = set()
    if event.target_type == "contact" and event.target_id:
        found.add(event.target_id)
    elif event.target_type == "conversation" and event.target_id:
        owner = conversations.get(event.target_id)
        if owner:
            found.add(owner)
    elif event.target_type == "attachment" and event.target_id:
        owner = attachments.get(event.target_id)
        if owner:
            found.add(owner)
    try:
        details = json.loads(event.details_json or "{}")
    except ValueError:
        details = {}
    if isinstance(details, dict):
        single = details.get("contact_id")
        if isinstance(single, str):
            found.add(single)
        many = details.get("contact_ids")
        if isinstance(many, list):
            found.update(c for c in many if isinstance(c, str))
    return found


def _owners(session: Session, workspace_id: str, events: list[AuditEvent]) -> tuple[dict[str, str | None],
                                                                                    dict[str, str | None]]:
    conv_ids = {e.target_id for e in events if e.target_type == "conversation" and e.target_id}
    att_ids = {e.target_id for e in events if e.target_type == "attachment" and e.target_id}
    conversations: dict[str, str | None] = {}
    attachments: dict[str, str | None] = {}
    if conv_ids:
        conversations = {row[0]: row[1] for row in session.execute(
            select(Conversation.id, Conversation.contact_id)
            .where(Conversation.workspace_id == workspace_id, Conversation.id.in_(conv_ids)))}
    if att_ids:
        attachments = {row[0]: row[1] for row in session.execute(
            select(Attachment.id, Conversation.contact_id)
            .join(Message, Message.id == Attachment.message_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Attachment.workspace_id == workspace_id, Attachment.id.in_(att_ids)))}
    return conversations, attachments


def who_has_seen(session: Session, actor: Actor, contact_id: str, *, limit: int = 500) -> list[AuditEvent]:
    """Every read of this contact's data, newest first (privacy officers and auditors)."""
    actor.require(Perm.AUDIT_READ)
    ws = actor.workspace_id
    conv_ids = select(Conversation.id).where(Conversation.workspace_id == ws, Conversation.contact_id == contact_id)
    att_ids = (select(Attachment.id).join(Message, Message.id == Attachment.message_id)
               .where(Attachment.workspace_id == ws, Message.conversation_id.in_(conv_ids)))
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.chain == ws, AuditEvent.action.in_(READ_ACTIONS))
        .where(or_(
            (AuditEvent.target_type == "contact") & (AuditEvent.target_id == contact_id),
            (AuditEvent.target_type == "conversation") & AuditEvent.target_id.in_(conv_ids),
            (AuditEvent.target_type == "attachment") & AuditEvent.target_id.in_(att_ids),
            # Contact ids are random and unique: a quoted id in the details names exactly this contact.
            AuditEvent.details_json.contains(f'"{contact_id}"'),
        ))
        .order_by(AuditEvent.seq.desc()).limit(min(max(limit, 1), 5000))
    )
    return list(session.execute(stmt).scalars())


def contacts_read_between(session: Session, workspace_id: str, since: datetime, until: datetime,
                          batch: int = 2000) -> Counter[str]:
    """Contact id -> number of reads of their data in [since, until) (the incident module's question)."""
    counts: Counter[str] = Counter()
    last_seq = 0
    while True:
        events = list(session.execute(
            select(AuditEvent)
            .where(AuditEvent.chain == workspace_id, AuditEvent.action.in_(READ_ACTIONS),
                   AuditEvent.created_at >= since, AuditEvent.created_at < until, AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq).limit(batch)
        ).scalars())
        if not events:
            return counts
        conversations, attachments = _owners(session, workspace_id, events)
        for event in events:
            for contact_id in contact_ids_of(event, conversations, attachments):
                counts[contact_id] += 1
        last_seq = events[-1].seq
