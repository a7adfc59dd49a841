"""The inbox list as the agent UI shows it: filters, counts, rows with names and redacted previews.

Previews are always the redacted text (like search and analytics); names are decrypted only for roles with
raw contact access, with one audit row per list (``contact_svc.display_names``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import func, select

from hushdesk.accounts.service import list_members
from hushdesk.db import UnitOfWork
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import conversations as conv_svc
from hushdesk.inbox import repository as repo
from hushdesk.inbox.service import STATUSES
from hushdesk.kit.errors import ValidationFailed
from hushdesk.kit.repository import scoped
from hushdesk.models import Contact, Conversation, Message
from hushdesk.spam import retention as spam_retention
from hushdesk.spam import service as spam_svc
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

ASSIGNEE_CHOICES = ("anyone", "me", "unassigned")
CHANNELS = ("webchat", "api", "email", "messenger")
SPAM = "spam"
PREVIEW_CHARS = 140
PAGE_SIZE = 50
MAX_OFFSET = 100_000


@dataclass(frozen=True)
class InboxFilters:
    status: str = "open"  # one of STATUSES, "all", or "spam" (the Spam folder, whatever the status)
    assignee: str = "anyone"
    channel: str = ""
    tag: str = ""
    q: str = ""

    @classmethod
    def parse(cls, status: str | None, assignee: str | None, channel: str | None, tag: str | None,
              q: str | None) -> InboxFilters:
        status = (status or "open").strip()
        if status not in (*STATUSES, "all", SPAM):
            raise ValidationFailed(f"status must be one of {', '.join((*STATUSES, 'all', SPAM))}")
        assignee = (assignee or "anyone").strip()
        if assignee not in ASSIGNEE_CHOICES:
            raise ValidationFailed("assignee must be anyone, me or unassigned")
        return cls(status, assignee, (channel or "").strip()[:20], (tag or "").strip().lower()[:50],
                   (q or "").strip()[:200])

    def query(self, **changes: str) -> str:
        values = {"status": self.status, "assignee": self.assignee, "channel": self.channel, "tag": self.tag,
                  "q": self.q}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v and not (k == "assignee" and v == "anyone")})

    def repo_filter(self, actor: Actor) -> repo.ConversationFilter:
        assignee_id = {"me": actor.user_id or "-", "unassigned": "none"}.get(self.assignee)
        return repo.ConversationFilter(status=None if self.status in ("all", SPAM) else self.status,
                                       assignee_id=assignee_id, channel=self.channel or None,
                                       tag=self.tag or None, spam=self.status == SPAM)

    def matches(self, conv: Conversation, actor: Actor, tags: list[str]) -> bool:
        """The same filters applied to search results (search ranks first, then filters)."""
        if conv.spam != (self.status == SPAM):  # spam only ever shows in the Spam folder
            return False
        if self.status not in ("all", SPAM, conv.status):
            return False
        if self.assignee == "me" and conv.assignee_id != actor.user_id:
            return False
        if self.assignee == "unassigned" and conv.assignee_id is not None:
            return False
        if self.channel and conv.channel != self.channel:
            return False
        return not (self.tag and self.tag not in tags)


@dataclass(frozen=True)
class ConversationRow:
    id: str
    number: int
    name: str
    subject: str | None
    preview: str
    status: str
    priority: str
    channel: str
    assignee_name: str | None
    tags: list[str]
    last_message_at: datetime
    message_count: int
    spam_reasons: str | None = None  # shown in the Spam folder: why it is there (signal names, no text)


@dataclass(frozen=True)
class InboxData:
    filters: InboxFilters
    rows: list[ConversationRow]
    counts: dict[str, int]
    all_tags: list[str]
    channels: tuple[str, ...] = CHANNELS
    statuses: tuple[str, ...] = STATUSES
    members: dict[str, str] = field(default_factory=dict)
    offset: int = 0
    page_size: int = PAGE_SIZE
    has_more: bool = False
    spam_threshold: float | None = None  # shown (and editable by admins) in the Spam folder only
    spam_retention_days: int | None = None  # likewise: spam older than this is deleted (0: kept)


def member_names(uow: UnitOfWork, actor: Actor) -> dict[str, str]:
    return {user.id: user.name for user, _role in list_members(uow, actor)}


def _previews(uow: UnitOfWork, workspace_id: str, conversation_ids: list[str]) -> dict[str, str]:
    """The latest customer-visible message of each conversation, redacted text only."""
    if not conversation_ids:
        return {}
    ranked = (
        scoped(Message, workspace_id=workspace_id)
        .where(Message.conversation_id.in_(conversation_ids), Message.kind != "note")
        .with_only_columns(
            Message.conversation_id, Message.body_redacted,
            func.row_number().over(partition_by=Message.conversation_id,
                                   order_by=(Message.created_at.desc(), Message.id.desc())).label("rn"),
        )
        .subquery()
    )
    rows = uow.session.execute(select(ranked.c.conversation_id, ranked.c.body_redacted).where(ranked.c.rn == 1))
    out: dict[str, str] = {}
    for conv_id, body in rows:
        text = " ".join(str(body).split())
        out[conv_id] = text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
    return out


def _names(uow: UnitOfWork, actor: Actor, convs: list[Conversation]) -> dict[str, str]:
    contact_ids = sorted({c.contact_id for c in convs if c.contact_id})
    if not contact_ids:
        return {}
    contacts = list(uow.session.execute(
        scoped(Contact, workspace_id=actor.workspace_id).where(Contact.id.in_(contact_ids))).scalars())
    return contact_svc.display_names(uow, actor, contacts)


def build_inbox(uow: UnitOfWork, actor: Actor, filters: InboxFilters, *, offset: int = 0,
                limit: int = PAGE_SIZE) -> InboxData:
    actor.require(Perm.CONVERSATION_READ)
    offset = min(max(offset, 0), MAX_OFFSET)
    if filters.q:
        found = conv_svc.search(uow, actor, filters.q, limit=offset + limit * 2)
        tags = repo.tags_of(uow.session, actor.workspace_id, [c.id for c in found])
        convs = [c for c in found if filters.matches(c, actor, tags.get(c.id, []))][offset:offset + limit + 1]
    else:
        convs = conv_svc.list_conversations(uow, actor, filters.repo_filter(actor), limit=limit + 1, offset=offset)
        tags = repo.tags_of(uow.session, actor.workspace_id, [c.id for c in convs])
    has_more = len(convs) > limit
    convs = convs[:limit]
    members = member_names(uow, actor)
    names = _names(uow, actor, convs)
    previews = _previews(uow, actor.workspace_id, [c.id for c in convs])
    rows = [
        ConversationRow(
            id=c.id, number=c.number, name=names.get(c.contact_id or "", "Erased contact"),
            subject=c.subject_redacted, preview=previews.get(c.id, ""), status=c.status, priority=c.priority,
            channel=c.channel, assignee_name=members.get(c.assignee_id) if c.assignee_id else None,
            tags=tags.get(c.id, []), last_message_at=c.last_message_at, message_count=c.message_count,
            spam_reasons=(c.spam_reasons or ("marked by an agent" if c.spam_source == "agent" else None))
            if c.spam else None,
        )
        for c in convs
    ]
    counts = repo.count_by_status(uow.session, actor.workspace_id)
    return InboxData(filters, rows, {s: counts.get(s, 0) for s in (*STATUSES, SPAM)},
                     conv_svc.tag_names(uow, actor), members=members, offset=offset, page_size=limit,
                     has_more=has_more,
                     spam_threshold=spam_svc.get_threshold(uow, actor) if filters.status == SPAM else None,
                     spam_retention_days=spam_retention.get_retention_days(uow, actor)
                     if filters.status == SPAM else None)
