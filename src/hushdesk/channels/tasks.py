"""Channel jobs: deliver an outbound message through its channel's adapter (after commit, retried)."""

from __future__ import annotations

import logging
from typing import Any

from hushdesk.channels.base import adapter_for
from hushdesk.db import UnitOfWork
from hushdesk.models import Conversation, Message
from hushdesk.worker.jobs import job

log = logging.getLogger(__name__)


@job("channel.deliver")
def deliver_message(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    msg = uow.session.get(Message, str(payload["message_id"]))
    if msg is None:
        return  # erased meanwhile: nothing to deliver
    conv = uow.session.get(Conversation, msg.conversation_id)
    adapter = adapter_for(conv.channel) if conv else None
    if adapter is None:
        log.info("no adapter for channel; message %s stays in the inbox", msg.id)
        return
    adapter.deliver(uow, msg.id)
