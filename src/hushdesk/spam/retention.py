"""Old spam is deleted on schedule: a spam conversation holds a stranger's personal data and serves no purpose
once nobody has looked at it for a while (storage limitation). Per workspace, ``spam_retention_days`` in the
workspace settings (default 30; 0 keeps spam until an agent deletes it). The daily job (spam/tasks.py) deletes
every conversation still in the Spam folder whose last message is older than that, with its messages and
attachments (ON DELETE CASCADE), one audit row each (``conversation.deleted``, reason ``spam_retention``).
Conversations an agent took out of the Spam folder ("Not spam") are never touched; the contact record stays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.errors import NotFound, ValidationFailed
from hushdesk.kit.repository import unscoped_select
from hushdesk.models import Conversation, Workspace
from hushdesk.spam.service import remove_spam
from hushdesk.tenancy.actor import Actor, system_actor
from hushdesk.tenancy.permissions import Perm
from hushdesk.tenancy.service import workspace_settings

SETTING = "spam_retention_days"  # key in the workspace's settings_json
DEFAULT_DAYS = 30
MAX_DAYS = 3650


def retention_days_of(ws: Workspace) -> int:
    value = workspace_settings(ws).get(SETTING)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DAYS:
        return value
    return DEFAULT_DAYS


def get_retention_days(uow: UnitOfWork, actor: Actor) -> int:
    actor.require(Perm.CONVERSATION_READ)
    return retention_days_of(_workspace(uow, actor.workspace_id))


def set_retention_days(uow: UnitOfWork, actor: Actor, days: int) -> int:
    """Per workspace (settings manage permission, audited); 0 keeps spam until an agent deletes it."""
    actor.require(Perm.SETTINGS_MANAGE)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        raise ValidationFailed(f"spam is kept between 0 (until deleted by hand) and {MAX_DAYS} days")
    ws = _workspace(uow, actor.workspace_id)
    old = retention_days_of(ws)
    settings = workspace_settings(ws)
    settings[SETTING] = days
    ws.settings_json = json.dumps(settings, sort_keys=True)
    record(uow.session, actor, "settings.spam_retention_changed", target_type="workspace", target_id=ws.id,
           details={"from": old, "to": days}, request_id=uow.request_id)
    return days


def _workspace(uow: UnitOfWork, workspace_id: str) -> Workspace:
    ws = uow.session.get(Workspace, workspace_id)
    if ws is None:
        raise NotFound("workspace not found")
    return ws


@dataclass(frozen=True)
class PurgeReport:
    deleted: int
    more: bool  # a batch limit was reached: the job queues itself again


def purge_expired_spam(uow: UnitOfWork, now: datetime, batch: int = 200) -> PurgeReport:
    """Delete up to ``batch`` spam conversations past their workspace's retention (a system job, every
    workspace: the one deliberate cross-workspace query here)."""
    deleted = 0
    for ws in uow.session.execute(unscoped_select(Workspace).order_by(Workspace.id)).scalars():
        days = retention_days_of(ws)
        if days == 0:
            continue
        expired = uow.session.execute(
            select(Conversation).where(Conversation.workspace_id == ws.id, Conversation.spam.is_(True),
                                       Conversation.last_message_at < now - timedelta(days=days))
            .order_by(Conversation.last_message_at).limit(batch - deleted)
        ).scalars().all()
        for conv in expired:
            _delete(uow, conv, days)
            deleted += 1
        if deleted >= batch:
            return PurgeReport(deleted, more=True)
    return PurgeReport(deleted, more=False)


def _delete(uow: UnitOfWork, conv: Conversation, days: int) -> None:
    actor = system_actor(conv.workspace_id, "spam-retention")
    remove_spam(uow, actor, conv, {"reason": "spam_retention", "days": days})
