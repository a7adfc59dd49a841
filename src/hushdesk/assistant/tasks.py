"""Assistant jobs (payloads are ids only)."""

from __future__ import annotations

from typing import Any

from hushdesk.assistant.bot import answer_visitor_unlocked
from hushdesk.assistant.settings import ai_settings
from hushdesk.db import UnitOfWork
from hushdesk.inbox.service import Received
from hushdesk.worker.jobs import job

BOT_JOB = "assistant.bot_answer"


@job(BOT_JOB)
def bot_answer(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    # The job's own unit of work stays unused (so it never begins): the bot opens short ones around the
    # provider call instead of holding a transaction while a model answers.
    answer_visitor_unlocked(uow.app, str(payload["message_id"]))


def schedule_bot(uow: UnitOfWork, received: Received) -> None:
    """Called by the web-chat channel for each new visitor message; runs after commit, off the request."""
    if not received.created:
        return
    # Most workspaces run without the bot: asking here (one primary-key read) spares every visitor message
    # a queued job and a worker's unit of work. The job still re-checks, since the setting can change.
    if not ai_settings(uow, received.conversation.workspace_id).bot_enabled:
        return
    message_id = received.message.id
    jobs = uow.app.jobs
    uow.after_commit(lambda: jobs.enqueue(BOT_JOB, {"message_id": message_id}))
