"""Invitations: signed, expiring, single-use links for one role; tampering, expiry and revocation refused."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from hushdesk.accounts.service import login
from hushdesk.kit.clock import set_clock, utcnow
from hushdesk.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hushdesk.security import invitations
from hushdesk.tenancy.permissions import Role
from tests.support.factories import World


def _token(link: str) -> str:
    return link.rsplit("/invite/", 1)[1]


def test_invite_accept_and_sign_in(world: World) -> None:
    email = f"invited.{secrets.token_hex(4)}@example.com"  # users are global: never reuse another test's email
    with world.ctx.unit_of_work() as uow:
        issued = invitations.invite(uow, world.owner.actor, email=email.upper(), role=Role.AGENT)
    token = _token(issued.link)
    with world.ctx.unit_of_work() as uow, pytest.raises(ValidationFailed):
        invitations.accept(uow, token, name="New Agent", password="password123")  # common password
    with world.ctx.unit_of_work() as uow:
        invitations.accept(uow, token, name="New Agent", password="a-long-fresh-passphrase")
    with world.ctx.unit_of_work() as uow:
        result = login(uow, email=email, password="a-long-fresh-passphrase",
                       client_ip="10.3.3.3", user_agent=None)
        assert result.role == Role.AGENT and result.workspace_id == world.workspace_id
    with world.ctx.unit_of_work() as uow, pytest.raises(Conflict):
        invitations.accept(uow, token, name="Again", password="a-long-fresh-passphrase")


def test_tampered_expired_and_revoked_links_are_refused(world: World, other_world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        a = invitations.invite(uow, world.owner.actor, email="a@example.com", role=Role.AUDITOR)
        b = invitations.invite(uow, world.owner.actor, email="b@example.com", role=Role.AUDITOR)
    with world.ctx.unit_of_work() as uow, pytest.raises(NotFound):
        invitations.open_link(uow, _token(a.link)[:-2] + "xx")
    with world.ctx.unit_of_work() as uow, pytest.raises(NotFound):
        invitations.revoke(uow, other_world.owner.actor, b.invitation.id)
    with world.ctx.unit_of_work() as uow:
        invitations.revoke(uow, world.owner.actor, b.invitation.id)
    with world.ctx.unit_of_work() as uow, pytest.raises(Conflict):
        invitations.open_link(uow, _token(b.link))
    later = utcnow() + timedelta(days=invitations.INVITE_DAYS, minutes=1)
    set_clock(lambda: later)
    try:
        with world.ctx.unit_of_work() as uow, pytest.raises(Conflict):
            invitations.open_link(uow, _token(a.link))
    finally:
        set_clock(None)


def test_only_owners_invite_owners_and_agents_invite_nobody(world: World) -> None:
    admin = world.member(Role.ADMIN)
    agent = world.member(Role.AGENT)
    with world.ctx.unit_of_work() as uow, pytest.raises(Forbidden):
        invitations.invite(uow, admin.actor, email="boss@example.com", role=Role.OWNER)
    with world.ctx.unit_of_work() as uow, pytest.raises(Forbidden):
        invitations.invite(uow, agent.actor, email="x@example.com", role=Role.AGENT)
