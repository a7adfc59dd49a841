"""API tokens: the usual request reads its token on the event loop (SQLite), the rest take the unit of work;
either way a revoked token is refused at once and the last use is recorded at most once a minute."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hushdesk.accounts.service import resolve_api_token_inline, revoke_api_token
from hushdesk.kit.clock import utcnow
from hushdesk.models import ApiToken
from tests.support.factories import World


def _get(client: TestClient, token: str) -> int:
    return client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {token}"}).status_code


def _token_row(world: World) -> ApiToken:
    with world.ctx.db.session() as s:
        row = s.execute(select(ApiToken).where(ApiToken.workspace_id == world.workspace_id)).scalars().one()
        s.expunge(row)
        return row


def test_a_revoked_token_is_refused_on_the_very_next_request(client: TestClient, world: World) -> None:
    token = world.token()
    assert _get(client, token) == 200
    assert _get(client, token) == 200  # now recently used: the inline read answers
    assert resolve_api_token_inline(world.ctx.db, token) is not None or not world.ctx.db.reads_inline
    with world.ctx.unit_of_work() as uow:
        revoke_api_token(uow, world.owner.actor, _token_row(world).id)
    assert resolve_api_token_inline(world.ctx.db, token) is None
    assert _get(client, token) == 401


def test_last_use_is_recorded_when_due_and_unknown_tokens_fall_through(client: TestClient, world: World) -> None:
    token = world.token()
    assert resolve_api_token_inline(world.ctx.db, token) is None  # never used: the unit of work records it
    assert _get(client, token) == 200
    first = _token_row(world).last_used_at
    assert first is not None
    stale = utcnow() - timedelta(minutes=5)
    with world.ctx.db.session() as s, s.begin():
        s.execute(update(ApiToken).where(ApiToken.workspace_id == world.workspace_id).values(last_used_at=stale))
    assert resolve_api_token_inline(world.ctx.db, token) is None
    assert _get(client, token) == 200
    again = _token_row(world).last_used_at
    assert again is not None and again > stale + timedelta(minutes=4)
    assert resolve_api_token_inline(world.ctx.db, "hdt_not-a-real-token") is None
    assert resolve_api_token_inline(world.ctx.db, "garbage") is None
    assert _get(client, "hdt_not-a-real-token") == 401
