"""Key rotation: the master key and a workspace KEK are replaced; every message stays readable; no message
ciphertext changes; old keys are retired; a second process picks up the new master key without a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.context import AppContext
from hushdesk.crypto import aead, rotation
from hushdesk.crypto.keyring import CONTACT, WORKSPACE_KEK, Keyring
from hushdesk.crypto.providers import FileKeyProvider, read_key_file
from hushdesk.inbox.conversations import view_conversation
from hushdesk.inbox.service import receive_message
from hushdesk.models import Message, User
from hushdesk.security import twofactor
from hushdesk.tenancy.permissions import Role
from tests.conftest import make_settings
from tests.support.databases import drop_database
from tests.support.factories import make_world


@pytest.fixture
def rctx(tmp_path: Path) -> Iterator[AppContext]:
    from hushdesk.migrate import upgrade

    settings = make_settings(tmp_path)
    upgrade(settings.resolved_database_url)
    ctx = AppContext.create(settings)
    yield ctx
    ctx.close()
    drop_database(settings.resolved_database_url)


def _messages(ctx: AppContext, workspace_id: str, n: int) -> list[str]:
    ids = []
    for i in range(n):
        with ctx.unit_of_work() as uow:
            email = f"rot{i}@example.com"
            got = receive_message(uow, workspace_id, InboundMessage(
                channel="api", sender=ContactHint("email", email, email=email), body=f"secret body {i}"))
            ids.append(got.conversation.id)
    return ids


def _bodies(ctx: AppContext, world_actor: object, conv_ids: list[str]) -> list[str]:
    out = []
    for cid in conv_ids:
        with ctx.unit_of_work() as uow:
            view = view_conversation(uow, world_actor, cid)  # type: ignore[arg-type]
            out.extend(m.body for m in view.messages)
    return out


def _ciphertexts(ctx: AppContext) -> dict[str, bytes]:
    with ctx.unit_of_work() as uow:
        return {m.id: m.body_ct or b"" for m in uow.session.query(Message)}


def test_kek_rotation_rewraps_contact_keys_only(rctx: AppContext) -> None:
    world = make_world(rctx)
    convs = _messages(rctx, world.workspace_id, 7)
    before_bodies = _bodies(rctx, world.owner.actor, convs)
    before_ct = _ciphertexts(rctx)
    old_kek = rctx.keyring.vault.find(world.workspace_id, WORKSPACE_KEK)[0].id
    lines: list[str] = []
    report = rotation.rotate_workspace_kek(rctx, world.workspace_id, progress=lines.append, batch=3,
                                           grace_seconds=0)
    assert report.rewrapped == 7 and report.retired == [old_kek]
    assert any("contact keys re-wrapped: 6" in line for line in lines)  # batches of 3: progress per batch
    assert rctx.keyring.vault.get(old_kek) is None
    new_kek = rctx.keyring.vault.find(world.workspace_id, WORKSPACE_KEK)[0]
    assert new_kek.version == 2
    with rctx.keyring.vault.engine.connect() as conn:
        from sqlalchemy import select

        from hushdesk.crypto.vault import vault_keys
        wrapped_by = set(conn.execute(select(vault_keys.c.wrapped_by).where(
            vault_keys.c.workspace_id == world.workspace_id, vault_keys.c.kind == CONTACT)).scalars())
    assert wrapped_by == {new_kek.id}
    assert _ciphertexts(rctx) == before_ct  # no message re-encrypted
    # a fresh process (empty caches) reads everything, and new contacts use the new KEK
    fresh = Keyring(FileKeyProvider(rctx.settings.resolved_master_key_file), rctx.keyring.vault)
    rctx.keyring = fresh
    assert _bodies(rctx, world.owner.actor, convs) == before_bodies
    more = _messages(rctx, world.workspace_id, 1)
    assert _bodies(rctx, world.owner.actor, more) == ["secret body 0"]


def test_master_rotation_retires_the_old_key_without_restart(rctx: AppContext) -> None:
    world = make_world(rctx)
    convs = _messages(rctx, world.workspace_id, 3)
    member = world.member(Role.AGENT)
    with rctx.unit_of_work() as uow:
        user = uow.session.get(User, member.user_id)
        assert user is not None
        enrolment = twofactor.begin_enrolment(uow, user)
        twofactor.confirm_enrolment(uow, member.actor, user, pyotp.TOTP(enrolment.secret).now())
    path = rctx.settings.resolved_master_key_file
    old_key = read_key_file(path)
    # another running process, started before the rotation, with cold caches
    other = Keyring(FileKeyProvider(path), rctx.keyring.vault)
    report = rotation.rotate_master_key(rctx, progress=lambda _m: None, grace_seconds=0)
    assert report.rewrapped >= 3 + 1  # 3 workspace keys + 1 TOTP secret
    keys_now = read_key_file(path)
    assert len(keys_now) == 1 and keys_now[0] not in old_key
    assert (path.stat().st_mode & 0o077) == 0
    for kind in ("workspace_kek", "workspace_index", "workspace_secrets"):
        row = rctx.keyring.vault.find(world.workspace_id, kind)[0]
        assert aead.key_id_of(row.wrapped) == rctx.keyring.provider.key_id == row.wrapped_by
    rctx.keyring = other  # the other process reloads the key file by itself
    assert _bodies(rctx, world.owner.actor, convs) == [f"secret body {i}" for i in range(3)]
    with rctx.unit_of_work() as uow:
        assert twofactor.verify_second_factor(uow, member.user_id, "000000") in (None, "totp")
        from hushdesk.models import TotpCredential
        cred = uow.session.query(TotpCredential).filter_by(user_id=member.user_id).one()
        assert aead.key_id_of(cred.secret_ct) == rctx.keyring.provider.key_id


def test_cli_needs_a_target() -> None:
    from click.testing import CliRunner

    from hushdesk.security.cli import keys
    result = CliRunner().invoke(keys, ["rotate"])
    assert result.exit_code != 0 and "choose --master" in result.output
