"""Spam past its workspace's retention is deleted by the daily purge; nothing else is."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hushdesk.channels import webchat
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Forbidden, ValidationFailed
from hushdesk.models import AuditEvent, Conversation, Message, Widget
from hushdesk.spam import retention
from hushdesk.spam import service as spam_svc
from hushdesk.spam.tasks import PURGE_JOB
from hushdesk.tenancy.permissions import Role
from hushdesk.worker.jobs import registered_jobs
from tests.support.factories import World
from tests.web.conftest import HTML, sign_in


def _conversation(world: World, body: str, *, spam: bool, age_days: float) -> str:
    with world.ctx.unit_of_work() as uow:
        widget = uow.session.execute(select(Widget).where(Widget.workspace_id == world.workspace_id)).scalar_one()
        token = webchat.start_session(uow, widget, name=None, email=None)
    with world.ctx.unit_of_work() as uow:
        widget = webchat.widget_by_key(uow, world.widget_key)
        conv_id = webchat.visitor_send(uow, widget, token, body, str(uuid.uuid4())).conversation.id
    with world.ctx.unit_of_work() as uow:
        if spam:
            spam_svc.mark_spam(uow, world.owner.actor, conv_id)
        uow.session.execute(update(Conversation).where(Conversation.id == conv_id)
                            .values(last_message_at=utcnow() - timedelta(days=age_days)))
    return conv_id


def _exists(world: World, conv_id: str) -> bool:
    with world.ctx.db.session() as s:
        return s.get(Conversation, conv_id) is not None


def _purge(world: World, batch: int = 200) -> retention.PurgeReport:
    with world.ctx.unit_of_work() as uow:
        return retention.purge_expired_spam(uow, utcnow(), batch=batch)


def test_old_spam_goes_recent_spam_and_real_conversations_stay(world: World, other_world: World) -> None:
    old_spam = _conversation(world, "buy cheap followers now", spam=True, age_days=31)
    young_spam = _conversation(world, "buy cheap followers again", spam=True, age_days=29)
    old_ham = _conversation(world, "my order never came", spam=False, age_days=400)
    with other_world.ctx.unit_of_work() as uow:
        retention.set_retention_days(uow, other_world.owner.actor, 0)  # this workspace keeps its spam
    kept_elsewhere = _conversation(other_world, "buy cheap followers", spam=True, age_days=400)

    _purge(world)
    assert not _exists(world, old_spam)
    assert _exists(world, young_spam) and _exists(world, old_ham) and _exists(other_world, kept_elsewhere)
    with world.ctx.db.session() as s:
        assert s.execute(select(Message).where(Message.conversation_id == old_spam)).first() is None
        rows = s.execute(select(AuditEvent).where(AuditEvent.action == "conversation.deleted",
                                                  AuditEvent.target_id == old_spam)).scalars().all()
    assert len(rows) == 1 and rows[0].actor_name == "spam-retention" and '"reason":"spam_retention"' in \
        rows[0].details_json


def test_a_conversation_taken_out_of_spam_is_never_purged(world: World) -> None:
    conv = _conversation(world, "buy cheap followers", spam=True, age_days=90)
    with world.ctx.unit_of_work() as uow:
        spam_svc.mark_not_spam(uow, world.owner.actor, conv)
        uow.session.execute(update(Conversation).where(Conversation.id == conv)
                            .values(last_message_at=utcnow() - timedelta(days=90)))
    _purge(world)
    assert _exists(world, conv)


def test_the_purge_works_in_bounded_batches_and_the_job_finishes_them(world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        retention.set_retention_days(uow, world.owner.actor, 7)
    convs = [_conversation(world, f"spam number {i}", spam=True, age_days=8) for i in range(3)]
    report = _purge(world, batch=2)
    assert report.deleted == 2 and report.more
    assert PURGE_JOB in registered_jobs()
    world.ctx.jobs.bind(world.ctx)  # jobs run against the last bound context; some tests build their own
    world.ctx.jobs.enqueue(PURGE_JOB)  # the test queue runs it at once, batch after batch
    assert not any(_exists(world, c) for c in convs)


def test_retention_setting_is_validated_and_admin_only(world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        assert retention.get_retention_days(uow, world.owner.actor) == retention.DEFAULT_DAYS
    agent = world.member(Role.AGENT)
    with pytest.raises(Forbidden), world.ctx.unit_of_work() as uow:
        retention.set_retention_days(uow, agent.actor, 3)
    for bad in (-1, retention.MAX_DAYS + 1, True, 2.5):
        with pytest.raises(ValidationFailed), world.ctx.unit_of_work() as uow:
            retention.set_retention_days(uow, world.owner.actor, bad)  # type: ignore[arg-type]


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    address = "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))
    with TestClient(app, base_url="http://testserver", client=(address, 50000), follow_redirects=False) as c:
        yield c


def test_admins_set_retention_in_the_spam_folder_agents_only_see_it(web: TestClient, world: World,
                                                                   app: Any) -> None:
    csrf = sign_in(web, world.owner)
    folder = web.get("/?status=spam", headers=HTML).text
    assert 'name="days"' in folder and f'value="{retention.DEFAULT_DAYS}"' in folder
    assert web.post("/inbox/spam-retention", data={"csrf_token": csrf, "days": "14"}, headers=HTML).status_code == 303
    assert 'value="14"' in web.get("/?status=spam", headers=HTML).text
    assert web.post("/inbox/spam-retention", data={"csrf_token": csrf, "days": "soon"},
                    headers=HTML).status_code == 422
    with world.ctx.db.session() as s:
        row = s.execute(select(AuditEvent).where(AuditEvent.action == "settings.spam_retention_changed",
                                                 AuditEvent.target_id == world.workspace_id)).scalar_one()
    assert '"to":14' in row.details_json
    web.post("/logout", data={"csrf_token": csrf}, headers=HTML)
    agent = world.member(Role.AGENT)
    csrf = sign_in(web, agent)
    folder = web.get("/?status=spam", headers=HTML).text
    assert 'name="days"' not in folder and "deleted 14 days after its last message" in folder
    assert web.post("/inbox/spam-retention", data={"csrf_token": csrf, "days": "1"}, headers=HTML).status_code == 403
