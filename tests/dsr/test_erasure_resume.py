"""Erasure is batched and resumable: a crash half-way resumes from the ledger and finishes; so does the sweep."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hushdesk.dsr import erasure, officer, tasks
from hushdesk.dsr.tasks import sweep
from hushdesk.models import Contact, Conversation, DataSubjectRequest, DsrErasureStep, Message
from hushdesk.tenancy.permissions import Role
from tests.dsr.canary import make_canary, populate
from tests.dsr.conftest import Mailbox
from tests.dsr.helpers import submit, verify
from tests.support.factories import World


class Crash(Exception):
    pass


def _approved_but_not_run(world: World, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Any]:
    agent, po = world.member(Role.AGENT), world.member(Role.PRIVACY_OFFICER)
    c = populate(world.ctx, world.workspace_id, agent.actor, make_canary("r"))
    req_id, token = submit(world, "erasure", c.email)
    assert verify(world, req_id, token, mailbox.code_for(c.email)).ok
    assert verify(world, req_id, token, mailbox.code_for(c.email), factor=c.order).ok
    held: list[tuple[str, Any]] = []
    monkeypatch.setattr(world.ctx.jobs, "enqueue", lambda name, payload=None: held.append((name, payload)))
    with world.ctx.unit_of_work() as uow:
        officer.approve(uow, po.actor, req_id)
    monkeypatch.undo()
    assert ("dsr.erase", {"request_id": req_id}) in held
    return req_id, c


def _ledger(world: World, req_id: str) -> dict[str, tuple[str, int]]:
    with world.ctx.db.session() as s:
        rows = s.execute(select(DsrErasureStep).where(DsrErasureStep.request_id == req_id)).scalars()
        return {r.step: (r.status, r.count) for r in rows}


def test_a_crash_mid_erasure_resumes_and_finishes(world: World, mailbox: Mailbox,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    req_id, c = _approved_but_not_run(world, mailbox, monkeypatch)
    calls = {"n": 0}
    real_unlink = erasure.STEP_FUNCS["unlink"]

    def crashing(uow: Any, req: Any, row: Any, batch: int) -> bool:
        calls["n"] += 1
        if calls["n"] == 2:
            raise Crash("power cut")
        return real_unlink(uow, req, row, batch)

    monkeypatch.setitem(erasure.STEP_FUNCS, "unlink", crashing)
    with pytest.raises(Crash):
        erasure.run(world.ctx, req_id, batch=2)
    ledger = _ledger(world, req_id)
    assert ledger["scrub"][0] == ledger["revoke"][0] == ledger["shred"][0] == "done"
    assert ledger["unlink"] == ("pending", 2)  # the first batch of 2 is committed, the second rolled back
    with world.ctx.db.session() as s:
        contact = s.get(Contact, c.contact_id)
        assert contact is not None  # not deleted yet, but its key is already gone
        assert world.ctx.keyring.vault.get(contact.key_id) is None
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None and req.status == "in_progress"
    monkeypatch.setitem(erasure.STEP_FUNCS, "unlink", real_unlink)
    assert erasure.run(world.ctx, req_id, batch=2)
    ledger = _ledger(world, req_id)
    assert all(status == "done" for status, _ in ledger.values())
    assert ledger["unlink"][1] >= len(c.message_ids)  # messages, plus identities, orders, attachments, ...
    with world.ctx.db.session() as s:
        assert s.get(Contact, c.contact_id) is None
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None and req.status == "completed" and req.key_id is None
        msgs = s.execute(select(Message).where(Message.id.in_(c.message_ids))).scalars().all()
        assert len(msgs) == len(c.message_ids) and all(m.body_ct is None for m in msgs)
        assert all(cv.contact_id is None for cv in s.execute(
            select(Conversation).where(Conversation.id.in_(c.conversation_ids))).scalars())


def test_the_sweep_resumes_a_stalled_erasure(world: World, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    req_id, c = _approved_but_not_run(world, mailbox, monkeypatch)
    monkeypatch.setattr(tasks, "STALLED_AFTER", tasks.STALLED_AFTER * 0)
    report = sweep(world.ctx)
    assert report.erasures_resumed >= 1
    with world.ctx.db.session() as s:
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None and req.status == "completed"
        assert s.get(Contact, c.contact_id) is None


def test_running_a_finished_erasure_again_changes_nothing(world: World, mailbox: Mailbox,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    req_id, _ = _approved_but_not_run(world, mailbox, monkeypatch)
    assert erasure.run(world.ctx, req_id)
    before = _ledger(world, req_id)
    assert erasure.run(world.ctx, req_id)
    assert _ledger(world, req_id) == before
