"""Canned replies: shared answers with a shortcut. Business text, not personal data."""

from __future__ import annotations

import re

from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.errors import Conflict, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.models import CannedReply
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

SHORTCUT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


def _check_text(title: str, body: str) -> None:
    if not title.strip() or len(title) > 200 or not body.strip() or len(body) > 5000:
        raise ValidationFailed("title (1-200) and body (1-5000 characters) are required")


def list_canned(uow: UnitOfWork, actor: Actor) -> list[CannedReply]:
    actor.require(Perm.CANNED_USE)
    stmt = scoped(CannedReply, workspace_id=actor.workspace_id).order_by(CannedReply.shortcut)
    return list(uow.session.execute(stmt).scalars())


def create_canned(uow: UnitOfWork, actor: Actor, *, shortcut: str, title: str, body: str) -> CannedReply:
    actor.require(Perm.CANNED_MANAGE)
    shortcut = shortcut.strip().lower()
    if not SHORTCUT_RE.match(shortcut):
        raise ValidationFailed("shortcut: 1-50 lowercase letters, digits, - or _")
    _check_text(title, body)
    if uow.session.execute(
        scoped(CannedReply, workspace_id=actor.workspace_id).where(CannedReply.shortcut == shortcut)
    ).first():
        raise Conflict(f"shortcut /{shortcut} already exists", code="shortcut_taken")
    reply = CannedReply(id=new_id("cr"), workspace_id=actor.workspace_id, shortcut=shortcut, title=title.strip(),
                        body=body.strip())
    uow.session.add(reply)
    record(uow.session, actor, "canned.created", target_type="canned_reply", target_id=reply.id,
           request_id=uow.request_id)
    return reply


def delete_canned(uow: UnitOfWork, actor: Actor, reply_id: str) -> None:
    actor.require(Perm.CANNED_MANAGE)
    reply = get_scoped(uow.session, CannedReply, reply_id, workspace_id=actor.workspace_id, what="canned reply")
    uow.session.delete(reply)
    record(uow.session, actor, "canned.deleted", target_type="canned_reply", target_id=reply_id,
           request_id=uow.request_id)


def update_canned(uow: UnitOfWork, actor: Actor, reply_id: str, *, title: str, body: str) -> CannedReply:
    actor.require(Perm.CANNED_MANAGE)
    reply = get_scoped(uow.session, CannedReply, reply_id, workspace_id=actor.workspace_id, what="canned reply")
    _check_text(title, body)
    reply.title, reply.body = title.strip(), body.strip()
    record(uow.session, actor, "canned.updated", target_type="canned_reply", target_id=reply_id,
           request_id=uow.request_id)
    return reply
