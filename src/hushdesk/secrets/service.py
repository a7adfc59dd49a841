"""Store, replace, delete and use workspace secrets. Values are never returned to a caller that displays
them: ``describe_secrets`` gives names and last four characters; ``use_secret`` is for the code that calls the
provider, and its result must not be logged, audited or put in an error message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from hushdesk.audit.service import record
from hushdesk.crypto import aead
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import NotFound, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import scoped
from hushdesk.models.secret import WorkspaceSecret
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,99}$")
MAX_SECRET_CHARS = 4096


@dataclass(frozen=True)
class SecretInfo:
    name: str
    last4: str
    updated_at: datetime


def _key(uow: UnitOfWork, workspace_id: str) -> bytes:
    return uow.app.keyring.workspace_secret_key(workspace_id, "byok-secrets")


def _aad(workspace_id: str, name: str) -> bytes:
    return f"{workspace_id}|workspace_secrets|{name}".encode()


def _find(uow: UnitOfWork, workspace_id: str, name: str) -> WorkspaceSecret | None:
    return uow.session.execute(
        scoped(WorkspaceSecret, workspace_id=workspace_id).where(WorkspaceSecret.name == name)
    ).scalar_one_or_none()


def put_secret(uow: UnitOfWork, actor: Actor, name: str, value: str) -> SecretInfo:
    actor.require(Perm.SETTINGS_MANAGE)
    if not NAME_RE.match(name):
        raise ValidationFailed("secret name: lowercase letters, digits, '.', '_' or '-'", code="invalid_secret_name")
    value = value.strip()
    if not value or len(value) > MAX_SECRET_CHARS:
        raise ValidationFailed(f"the secret must be 1-{MAX_SECRET_CHARS} characters", code="invalid_secret")
    blob = aead.seal(_key(uow, actor.workspace_id), f"ws-secrets-{actor.workspace_id}", value.encode(),
                     _aad(actor.workspace_id, name))
    now = utcnow()
    row = _find(uow, actor.workspace_id, name)
    replaced = row is not None
    if row is None:
        row = WorkspaceSecret(id=new_id("sec"), workspace_id=actor.workspace_id, name=name)
        uow.session.add(row)
    row.value_ct, row.last4, row.updated_by, row.updated_at = blob, value[-4:], actor.user_id, now
    record(uow.session, actor, "secret.replaced" if replaced else "secret.created", target_type="secret",
           target_id=row.id, details={"name": name}, request_id=uow.request_id)
    return SecretInfo(name, row.last4, now)


def delete_secret(uow: UnitOfWork, actor: Actor, name: str) -> None:
    actor.require(Perm.SETTINGS_MANAGE)
    row = _find(uow, actor.workspace_id, name)
    if row is None:
        raise NotFound("secret not found")
    uow.session.delete(row)
    record(uow.session, actor, "secret.deleted", target_type="secret", target_id=row.id, details={"name": name},
           request_id=uow.request_id)


def describe_secrets(uow: UnitOfWork, actor: Actor) -> list[SecretInfo]:
    actor.require(Perm.SETTINGS_MANAGE)
    rows = uow.session.execute(
        scoped(WorkspaceSecret, workspace_id=actor.workspace_id).order_by(WorkspaceSecret.name)
    ).scalars()
    return [SecretInfo(r.name, r.last4, r.updated_at) for r in rows]


def describe_secret(uow: UnitOfWork, workspace_id: str, name: str) -> SecretInfo | None:
    row = _find(uow, workspace_id, name)
    return SecretInfo(row.name, row.last4, row.updated_at) if row else None


def use_secret(uow: UnitOfWork, workspace_id: str, name: str) -> str | None:
    """The plaintext, for the code that authenticates to the provider. Never display, log or audit it."""
    row = _find(uow, workspace_id, name)
    if row is None:
        return None
    return aead.open_sealed(_key(uow, workspace_id), row.value_ct, _aad(workspace_id, name)).decode()
