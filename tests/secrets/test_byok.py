"""BYOK secrets: encrypted at rest, only the last four characters ever shown, changes audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from hushdesk.context import AppContext
from hushdesk.kit.errors import Forbidden, NotFound, ValidationFailed
from hushdesk.models import AuditEvent
from hushdesk.secrets.service import delete_secret, describe_secrets, put_secret, use_secret
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World, make_world

CANARY = "sk-live-CANARY-7f3a9c1e2d4b6a8f0e1d"


def test_secret_round_trip_and_only_last4_visible(world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        info = put_secret(uow, world.owner.actor, "ai.api_key", CANARY)
    assert info.last4 == CANARY[-4:]
    with world.ctx.unit_of_work() as uow:
        described = describe_secrets(uow, world.owner.actor)
        assert [(d.name, d.last4) for d in described] == [("ai.api_key", "0e1d")]
        assert CANARY not in repr(described)
        assert use_secret(uow, world.workspace_id, "ai.api_key") == CANARY
    with world.ctx.unit_of_work() as uow:
        put_secret(uow, world.owner.actor, "ai.api_key", "sk-second-value-9999")
        assert use_secret(uow, world.workspace_id, "ai.api_key") == "sk-second-value-9999"
    with world.ctx.unit_of_work() as uow:
        delete_secret(uow, world.owner.actor, "ai.api_key")
        assert use_secret(uow, world.workspace_id, "ai.api_key") is None
    with world.ctx.db.session() as s:
        actions = s.execute(select(AuditEvent.action).where(AuditEvent.chain == world.workspace_id,
                                                            AuditEvent.target_type == "secret")).scalars().all()
        details = " ".join(s.execute(select(AuditEvent.details_json).where(
            AuditEvent.chain == world.workspace_id)).scalars())
    assert sorted(actions) == ["secret.created", "secret.deleted", "secret.replaced"]
    assert CANARY not in details and "9999" not in details


def test_secret_is_not_plaintext_in_the_database(fresh_ctx: AppContext) -> None:
    world = make_world(fresh_ctx)
    with fresh_ctx.unit_of_work() as uow:
        put_secret(uow, world.owner.actor, "ai.api_key", CANARY)
    if fresh_ctx.db.dialect == "sqlite":
        data_dir = fresh_ctx.settings.data_dir
        blobs = b"".join(p.read_bytes() for p in data_dir.glob("*.db*"))
        assert CANARY.encode() not in blobs
    else:
        with fresh_ctx.db.session() as s:
            dump = s.execute(text("SELECT value_ct FROM workspace_secrets")).scalars().all()
        assert all(CANARY.encode() not in bytes(b) for b in dump)


def test_secret_permissions_and_validation(world: World, other_world: World) -> None:
    agent = world.member(Role.AGENT)
    with pytest.raises(Forbidden), world.ctx.unit_of_work() as uow:
        put_secret(uow, agent.actor, "ai.api_key", "x-1234")
    with pytest.raises(ValidationFailed), world.ctx.unit_of_work() as uow:
        put_secret(uow, world.owner.actor, "Bad Name!", "x-1234")
    with world.ctx.unit_of_work() as uow:
        put_secret(uow, world.owner.actor, "ai.api_key", "value-abcd")
    with pytest.raises(NotFound), world.ctx.unit_of_work() as uow:
        delete_secret(uow, other_world.owner.actor, "ai.api_key")
    with world.ctx.unit_of_work() as uow:
        assert use_secret(uow, other_world.workspace_id, "ai.api_key") is None
