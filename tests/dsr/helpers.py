"""Small builders shared by the dsr tests."""

from __future__ import annotations

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.dsr import requester
from hushdesk.dsr.requester import VerifyOutcome
from hushdesk.dsr.service import SubmitInput, Submitted
from hushdesk.inbox.service import receive_message
from tests.dsr.conftest import Mailbox
from tests.support.factories import World


def customer(world: World, email: str, name: str = "Rita Canary", body: str = "hello there") -> str:
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", email, name=name, email=email), body=body))
        assert got.conversation.contact_id
        return got.conversation.contact_id


def submit(world: World, kind: str, email: str, **kw: object) -> tuple[str, str]:
    with world.ctx.unit_of_work() as uow:
        got: Submitted = requester.submit_request(uow, world.slug, SubmitInput(kind=kind, email=email, **kw))  # type: ignore[arg-type]
        return got.request.id, got.token


def verify(world: World, req_id: str, token: str, code: str, factor: str | None = None,
           slug: str | None = None) -> VerifyOutcome:
    with world.ctx.unit_of_work() as uow:
        return requester.verify(uow, slug or world.slug, req_id, token, code, factor)


def verified(world: World, box: Mailbox, kind: str, email: str, **kw: object) -> str:
    req_id, token = submit(world, kind, email, **kw)
    outcome = verify(world, req_id, token, box.code_for(email))
    assert outcome.ok, outcome
    return req_id
