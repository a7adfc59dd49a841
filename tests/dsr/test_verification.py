"""Verification: wrong codes, expired codes, too many attempts, replayed codes and links, another workspace's
request id, duplicates: all refused, nothing disclosed or changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hushdesk.dsr import requester
from hushdesk.dsr.verification import MAX_ATTEMPTS
from hushdesk.inbox.contacts import update_contact
from hushdesk.kit.clock import set_clock
from hushdesk.kit.errors import NotFound, RateLimited
from hushdesk.models import DataSubjectRequest, DsrExport, DsrVerification, ProcessingFlag
from tests.dsr.conftest import Mailbox
from tests.dsr.helpers import customer, submit, verify
from tests.support.factories import World


@pytest.fixture
def clock() -> Iterator[list[timedelta]]:
    shift = [timedelta(0)]
    set_clock(lambda: datetime.now(UTC) + shift[0])
    yield shift
    set_clock(None)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _nothing_happened(world: World, req_id: str, contact_id: str) -> None:
    with world.ctx.db.session() as s:
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None
        assert req.status in ("awaiting_verification", "denied") and req.verified_at is None
        assert req.contact_id is None  # not even linked to the customer
        assert s.execute(select(DsrExport).where(DsrExport.request_id == req_id)).first() is None
        assert s.execute(select(ProcessingFlag).where(ProcessingFlag.contact_id == contact_id)).first() is None


def test_wrong_code_is_refused_and_counted(world: World, mailbox: Mailbox) -> None:
    contact_id = customer(world, "v1@example.com")
    req_id, token = submit(world, "access", "v1@example.com")
    code = mailbox.code_for("v1@example.com")
    got = verify(world, req_id, token, _wrong(code))
    assert not got.ok and got.reason == "wrong" and got.attempts_left == MAX_ATTEMPTS - 1
    _nothing_happened(world, req_id, contact_id)
    assert verify(world, req_id, token, code).ok  # the right code still works within its attempts


def test_too_many_attempts_kill_the_code(world: World, mailbox: Mailbox) -> None:
    contact_id = customer(world, "v2@example.com")
    req_id, token = submit(world, "restriction", "v2@example.com")
    code = mailbox.code_for("v2@example.com")
    reasons = [verify(world, req_id, token, _wrong(code)).reason for _ in range(MAX_ATTEMPTS)]
    assert reasons == ["wrong", "wrong", "too_many_attempts"]
    got = verify(world, req_id, token, code)
    assert not got.ok and got.reason == "no_code"
    _nothing_happened(world, req_id, contact_id)
    with world.ctx.unit_of_work() as uow:
        assert requester.resend_code(uow, world.slug, req_id, token)
    assert verify(world, req_id, token, mailbox.code_for("v2@example.com")).ok


def test_expired_code_is_refused(world: World, mailbox: Mailbox, clock: list[timedelta]) -> None:
    contact_id = customer(world, "v3@example.com")
    req_id, token = submit(world, "erasure", "v3@example.com")
    code = mailbox.code_for("v3@example.com")
    clock[0] = timedelta(minutes=10, seconds=1)
    got = verify(world, req_id, token, code)
    assert not got.ok and got.reason == "expired"
    _nothing_happened(world, req_id, contact_id)


def test_a_used_code_and_an_old_link_cannot_be_replayed(world: World, mailbox: Mailbox) -> None:
    customer(world, "v4@example.com")
    req_id, token = submit(world, "restriction", "v4@example.com")
    code = mailbox.code_for("v4@example.com")
    assert verify(world, req_id, token, code).ok
    again = verify(world, req_id, token, code)
    assert not again.ok and again.reason == "not_waiting"
    with world.ctx.unit_of_work() as uow:
        assert not requester.resend_code(uow, world.slug, req_id, token)


def test_a_new_code_replaces_the_old_one(world: World, mailbox: Mailbox) -> None:
    customer(world, "v5@example.com")
    req_id, token = submit(world, "access", "v5@example.com")
    first = mailbox.code_for("v5@example.com")
    with world.ctx.unit_of_work() as uow:
        requester.resend_code(uow, world.slug, req_id, token)
    second = mailbox.code_for("v5@example.com")
    if first != second:
        assert verify(world, req_id, token, first).reason == "wrong"
    assert verify(world, req_id, token, second).ok


def test_another_workspaces_request_or_a_wrong_token_is_not_found(world: World, other_world: World,
                                                                   mailbox: Mailbox) -> None:
    customer(world, "v6@example.com")
    req_id, token = submit(world, "access", "v6@example.com")
    code = mailbox.code_for("v6@example.com")
    with pytest.raises(NotFound):
        verify(world, req_id, token, code, slug=other_world.slug)
    with pytest.raises(NotFound):
        verify(world, req_id, token[:-2] + "xx", code)
    with pytest.raises(NotFound), world.ctx.unit_of_work() as uow:
        requester.status(uow, other_world.slug, req_id, token)
    assert verify(world, req_id, token, code).ok  # none of that spent an attempt


def test_a_duplicate_open_request_never_bypasses_verification(world: World, mailbox: Mailbox) -> None:
    customer(world, "v7@example.com")
    first_id, first_token = submit(world, "access", "v7@example.com")
    assert verify(world, first_id, first_token, mailbox.code_for("v7@example.com")).ok
    second_id, second_token = submit(world, "access", "v7@example.com")
    with world.ctx.db.session() as s:
        second = s.get(DataSubjectRequest, second_id)
        assert second is not None and second.status == "awaiting_verification" and second.contact_id is None
    with pytest.raises(NotFound):  # the first request's link does not open the second
        verify(world, second_id, first_token, "000000")
    code = mailbox.code_for("v7@example.com")
    assert verify(world, second_id, second_token, code).ok


def test_unknown_email_gets_the_same_answer_and_no_data(world: World, mailbox: Mailbox) -> None:
    req_id, token = submit(world, "access", "nobody@example.com")
    with world.ctx.unit_of_work() as uow:
        before = requester.status(uow, world.slug, req_id, token)
    assert before.status == "awaiting_verification" and before.step == "code"
    assert verify(world, req_id, token, mailbox.code_for("nobody@example.com")).ok
    with world.ctx.unit_of_work() as uow:
        after = requester.status(uow, world.slug, req_id, token)
    assert after.status == "completed" and after.result["outcome"] == "no_data"


def test_erasure_step_up_needs_a_second_code_and_a_factor(world: World, mailbox: Mailbox) -> None:
    contact_id = customer(world, "v8@example.com")
    with world.ctx.unit_of_work() as uow:
        update_contact(uow, world.owner.actor, contact_id, phone="+44 20 7946 0000")
    req_id, token = submit(world, "erasure", "v8@example.com")
    first = verify(world, req_id, token, mailbox.code_for("v8@example.com"))
    assert first.ok and first.next_step == "step_up"
    with world.ctx.unit_of_work() as uow:
        assert requester.status(uow, world.slug, req_id, token).factor_required
    wrong_factor = verify(world, req_id, token, mailbox.code_for("v8@example.com"), factor="+44 20 7946 9999")
    assert not wrong_factor.ok and wrong_factor.reason == "factor_mismatch"
    with world.ctx.unit_of_work() as uow:
        requester.resend_code(uow, world.slug, req_id, token)
    ok = verify(world, req_id, token, mailbox.code_for("v8@example.com"), factor="+44 (20) 7946-0000")
    assert ok.ok and ok.next_step is None
    with world.ctx.db.session() as s:
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None and req.verification_level == 2 and req.status == "awaiting_approval"


def test_codes_are_stored_only_as_keyed_hashes(world: World, mailbox: Mailbox) -> None:
    customer(world, "v9@example.com")
    req_id, _ = submit(world, "access", "v9@example.com")
    code = mailbox.code_for("v9@example.com")
    with world.ctx.db.session() as s:
        rows = s.execute(select(DsrVerification).where(DsrVerification.request_id == req_id)).scalars().all()
    assert rows and all(code not in r.code_hash and len(r.code_hash) == 64 for r in rows)


def test_flooding_one_address_with_requests_is_refused(world: World, mailbox: Mailbox) -> None:
    for _ in range(5):
        submit(world, "access", "flood@example.com")
    with pytest.raises(RateLimited):
        submit(world, "access", "flood@example.com")
