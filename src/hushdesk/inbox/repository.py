"""Inbox queries: filtered conversation lists and full-text search over redacted text only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from hushdesk.kit.repository import scoped
from hushdesk.models import Conversation, ConversationTag, Message, Tag


@dataclass(frozen=True)
class ConversationFilter:
    status: str | None = None
    assignee_id: str | None = None  # a user id, or "none" for unassigned
    channel: str | None = None
    tag: str | None = None
    contact_id: str | None = None
    # Spam folder: False (the default) leaves spam out, True lists only spam, None lists both.
    spam: bool | None = False


def filtered_conversations(workspace_id: str, flt: ConversationFilter) -> Select[Conversation]:
    stmt = scoped(Conversation, workspace_id=workspace_id)
    if flt.spam is not None:
        stmt = stmt.where(Conversation.spam == flt.spam)
    if flt.status:
        stmt = stmt.where(Conversation.status == flt.status)
    if flt.assignee_id == "none":
        stmt = stmt.where(Conversation.assignee_id.is_(None))
    elif flt.assignee_id:
        stmt = stmt.where(Conversation.assignee_id == flt.assignee_id)
    if flt.channel:
        stmt = stmt.where(Conversation.channel == flt.channel)
    if flt.contact_id:
        stmt = stmt.where(Conversation.contact_id == flt.contact_id)
    if flt.tag:
        stmt = stmt.where(
            Conversation.id.in_(
                select(ConversationTag.conversation_id).join(Tag, Tag.id == ConversationTag.tag_id)
                .where(Tag.workspace_id == workspace_id, Tag.name == flt.tag)
            )
        )
    return stmt.order_by(Conversation.last_message_at.desc(), Conversation.id)


def list_conversations(session: Session, workspace_id: str, flt: ConversationFilter, limit: int,
                       offset: int) -> list[Conversation]:
    stmt = filtered_conversations(workspace_id, flt).limit(limit).offset(offset)
    return list(session.execute(stmt).scalars())


def count_by_status(session: Session, workspace_id: str) -> dict[str, int]:
    """Counts per status of the normal inbox, plus ``"spam"``: the Spam folder's size (any status)."""
    rows = session.execute(
        select(Conversation.spam, Conversation.status, func.count()).where(Conversation.workspace_id == workspace_id)
        .group_by(Conversation.spam, Conversation.status)
    ).all()
    out: dict[str, int] = {"spam": 0}
    for spam, status, count in rows:
        key = "spam" if spam else status
        out[key] = out.get(key, 0) + count
    return out


def tags_of(session: Session, workspace_id: str, conversation_ids: list[str]) -> dict[str, list[str]]:
    if not conversation_ids:
        return {}
    rows = session.execute(
        select(ConversationTag.conversation_id, Tag.name).join(Tag, Tag.id == ConversationTag.tag_id)
        .where(Tag.workspace_id == workspace_id, ConversationTag.conversation_id.in_(conversation_ids))
        .order_by(Tag.name)
    ).all()
    out: dict[str, list[str]] = {}
    for conv_id, name in rows:
        out.setdefault(conv_id, []).append(name)
    return out


def _fts_query(terms: list[str]) -> str:
    """Quote each term so user input cannot inject FTS5 syntax."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _queued_matches(session: Session, workspace_id: str, terms: list[str], limit: int) -> list[tuple[str, str]]:
    """Messages still queued for the full-text index (inbox.search_index; usually none, at most a second's worth)
    whose redacted text contains every term. A substring match, case-insensitive for ASCII: a little wider than
    the index's token match, for those few seconds only."""
    conditions = " AND ".join(f"m.body_redacted LIKE :t{i} ESCAPE '\\'" for i in range(len(terms)))
    params: dict[str, object] = {f"t{i}": _like(term) for i, term in enumerate(terms)}
    rows = session.execute(
        text(
            "SELECT m.id, m.conversation_id FROM message_search_pending p "
            "JOIN messages m ON m.rowid = p.message_rowid "
            f"WHERE m.workspace_id = :ws AND {conditions} ORDER BY m.created_at DESC LIMIT :limit"
        ),
        {**params, "ws": workspace_id, "limit": limit},
    ).all()
    return [(r[0], r[1]) for r in rows]


def search_message_ids(session: Session, workspace_id: str, query: str, limit: int) -> list[tuple[str, str]]:
    """(message id, conversation id) pairs whose REDACTED text matches, newest first."""
    if not query.strip():
        return []
    if session.get_bind().dialect.name == "sqlite":
        terms = query.split()[:20]
        if not terms:
            return []
        fresh = _queued_matches(session, workspace_id, terms, limit)  # newest first, ahead of the index's
        indexed = session.execute(
            text(
                "SELECT m.id, m.conversation_id FROM message_search s JOIN messages m ON m.rowid = s.rowid "
                "WHERE message_search MATCH :q AND m.workspace_id = :ws ORDER BY bm25(message_search), "
                "m.created_at DESC LIMIT :limit"
            ),
            {"q": _fts_query(terms), "ws": workspace_id, "limit": limit},
        ).all()
        rows: Sequence[Any] = [*fresh, *indexed[: max(limit - len(fresh), 0)]]
    else:
        rows = session.execute(
            text(
                "SELECT id, conversation_id FROM messages WHERE workspace_id = :ws AND "
                "to_tsvector('simple', body_redacted) @@ websearch_to_tsquery('simple', :q) "
                "ORDER BY created_at DESC LIMIT :limit"
            ),
            {"q": query, "ws": workspace_id, "limit": limit},
        ).all()
    return [(r[0], r[1]) for r in rows]


def conversation_messages(session: Session, workspace_id: str, conversation_id: str) -> list[Message]:
    stmt = scoped(Message, workspace_id=workspace_id).where(Message.conversation_id == conversation_id)
    return list(session.execute(stmt.order_by(Message.created_at, Message.id)).scalars())
