"""A retried message is recognised even when the first try is still unflushed in the same unit of work (a job
storing several channel messages at once)."""

from __future__ import annotations

from hushdesk.channels import api as api_channel
from hushdesk.context import AppContext
from tests.support.factories import World


def test_the_same_client_message_id_twice_in_one_unit_of_work_stores_one_message(ctx: AppContext,
                                                                                   world: World) -> None:
    actor = world.owner.actor
    with ctx.unit_of_work() as uow:
        first = api_channel.create_conversation(uow, actor, email="twice@example.com", name=None, subject=None,
                                                body="hello", client_message_id=None)
        conv_id = first.conversation.id
        a = api_channel.add_inbound(uow, actor, conversation_id=conv_id, email="twice@example.com", body="again",
                                    client_message_id="dup-1")
        b = api_channel.add_inbound(uow, actor, conversation_id=conv_id, email="twice@example.com", body="again",
                                    client_message_id="dup-1")
    assert a.created and not b.created
    assert b.message.id == a.message.id
