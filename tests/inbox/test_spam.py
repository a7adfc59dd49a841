"""Spam: the scorer's signals (each one on and off, and near misses), the Spam folder, and what agents do with it."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from hushdesk.assistant.settings import SettingsForm, update_settings
from hushdesk.channels import webchat
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox import conversations as conv_svc
from hushdesk.inbox import service as inbox_service
from hushdesk.inbox.service import receive_message
from hushdesk.kit.errors import Forbidden, ValidationFailed
from hushdesk.models import AuditEvent, Conversation, Message, Widget
from hushdesk.spam import service as spam_svc
from hushdesk.spam.scoring import DEFAULT_THRESHOLD, score, spam_phrases
from hushdesk.spam.window import RecentMessages
from hushdesk.tenancy.permissions import Role
from hushdesk.web.inbox_view import InboxFilters, build_inbox
from tests.support.factories import World
from tests.web.conftest import HTML, session_csrf, sign_in

pytestmark = pytest.mark.timeout(120)
OWN = {"origin": "http://testserver"}
SPAMMY = "Cheap viagra from our online pharmacy, click here: bit.ly/x9Kq2 and https://pills.example.net/buy"


# -- the scorer ------------------------------------------------------------------------------------------
def _names(text: str, **kw: Any) -> set[str]:
    return {s.name for s in score(text, **kw).signals}


@pytest.mark.parametrize(
    ("text", "kw", "signal"),
    [
        ("see https://a.example/1 https://b.example/2 https://c.example/3 now", {}, "links"),
        ("https://only-a-link.example/path/to/something", {}, "link_ratio"),
        ("my order page is tinyurl.com/abc123, can you check", {}, "shortener"),
        ("We offer SEO services to rank your website on the first page of google", {}, "phrases"),
        ("WHY HAS NOBODY ANSWERED MY EMAIL ABOUT THE REFUND", {}, "caps"),
        ("hello!!!!!!!!", {}, "repeated_chars"),
        ("buy buy buy buy now", {}, "repeated_words"),
        ("where is my parcel, it is late", {"repeats": 2}, "repeats"),
        ("Limited offer for every store owner reading this message today", {"crowd": 3}, "same_text_elsewhere"),
        ("hi", {"hints": ("honeypot",)}, "honeypot"),
    ],
)
def test_each_signal_fires(text: str, kw: dict[str, Any], signal: str) -> None:
    assert signal in _names(text, **kw)


@pytest.mark.parametrize(
    ("text", "kw", "signal"),
    [
        ("Hi, the product at https://shop.example.com/p/123 shows the wrong size. Can you help?", {}, "links"),
        ("Hi, the product at https://shop.example.com/p/123 shows the wrong size. Can you help?", {}, "link_ratio"),
        ("is https://bit.ly.evil.example/x a real link of yours?", {}, "shortener"),
        ("Can you help me with my order? The parcel never arrived.", {}, "phrases"),
        ("HELP ME", {}, "caps"),  # too short to be shouting
        ("I ordered 1000000 units, order 00000012", {}, "repeated_chars"),  # digits never count
        ("order 12345 12345 12345 12345 please check 12345", {}, "repeated_words"),  # numbers are not words
        ("where is my parcel, it is late", {"repeats": 0}, "repeats"),
        ("Limited offer for every store owner reading this message today", {"crowd": 2}, "same_text_elsewhere"),
        ("Where is my order?", {"crowd": 10}, "same_text_elsewhere"),  # common short questions are not campaigns
        ("hi", {"hints": ()}, "honeypot"),
    ],
)
def test_each_signal_stays_off_for_near_misses(text: str, kw: dict[str, Any], signal: str) -> None:
    assert signal not in _names(text, **kw)


@pytest.mark.parametrize(
    "text",
    [
        "Hi! I bought the blue jacket (https://shop.example.com/products/blue-jacket) but got a red one. Refund?",
        "My order number is 48213-XY. Again: 48213-XY. Order 48213-XY still not shipped!!",
        "I NEED THIS FIXED TODAY PLEASE, MY SHOP IS DOWN",
        "Thanks so so much, great help",
        "https://shop.example.com/cart",
    ],
)
def test_legitimate_messages_stay_below_the_default_threshold(text: str) -> None:
    assert score(text).score < DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("text", "kw"),
    [
        (SPAMMY, {}),
        ("Grow your followers! buy followers http://a.example http://b.example http://c.example", {}),
        ("any text", {"hints": ("honeypot",)}),
        ("please call me back about the thing", {"repeats": 3}),
    ],
)
def test_spam_reaches_the_default_threshold(text: str, kw: dict[str, Any]) -> None:
    assert score(text, **kw).score >= DEFAULT_THRESHOLD


def test_a_short_repeated_hello_is_impatience_not_spam() -> None:
    assert score("hello?", repeats=5).score < DEFAULT_THRESHOLD
    assert score("hello, is anyone there to help me?", repeats=3).score >= DEFAULT_THRESHOLD


def test_reasons_are_names_and_numbers_only() -> None:
    verdict = score(SPAMMY)
    assert verdict.reasons and "viagra" not in verdict.reasons and "bit.ly" not in verdict.reasons
    for part in verdict.reasons.split():
        name, _, value = part.partition("=")
        assert name.replace("_", "").isalpha() and float(value) >= 0


def test_the_phrase_list_ships_with_the_package() -> None:
    phrases = spam_phrases()
    assert len(phrases) >= 40 and "seo services" in phrases and all(p == p.lower() for p in phrases)


def test_recent_messages_window_counts_and_expires() -> None:
    recent = RecentMessages(window=60)
    fp = recent.fingerprint("Same   TEXT")
    assert fp == recent.fingerprint("same text") and fp != RecentMessages().fingerprint("same text")
    recent.remember("w1", "c1", fp, now=100)
    recent.remember("w1", "c1", fp, now=110)
    recent.remember("w1", "c2", fp, now=120)
    recent.remember("w2", "c9", fp, now=120)  # another workspace never counts
    assert recent.counts("w1", "c1", fp, now=130) == (2, 1)
    assert recent.counts("w1", "c3", fp, now=130) == (0, 2)
    assert recent.counts("w1", "c1", fp, now=175) == (0, 1)  # c1's two are older than the window


def test_recent_messages_stay_bounded() -> None:
    recent = RecentMessages(window=60, max_keys=10)
    for i in range(50):
        recent.remember("w", f"c{i}", recent.fingerprint(f"text {i}"), now=1)
    assert recent.counts("w", "c0", recent.fingerprint("text 0"), now=2) == (0, 0)
    assert recent.counts("w", "c49", recent.fingerprint("text 49"), now=2) == (1, 0)


# -- the pipeline ----------------------------------------------------------------------------------------
def _visitor(world: World, *, honeypot: bool = False) -> str:
    with world.ctx.unit_of_work() as uow:
        widget = uow.session.execute(select(Widget).where(Widget.workspace_id == world.workspace_id)).scalar_one()
        return webchat.start_session(uow, widget, name=None, email=None, honeypot=honeypot)


def _visitor_says(world: World, token: str, body: str) -> str:
    with world.ctx.unit_of_work() as uow:
        widget = webchat.widget_by_key(uow, world.widget_key)
        return webchat.visitor_send(uow, widget, token, body, str(uuid.uuid4())).conversation.id


def _conv(world: World, conv_id: str) -> Conversation:
    with world.ctx.db.session() as s:
        conv = s.get(Conversation, conv_id)
        assert conv is not None
        s.expunge(conv)
        return conv


def _audit(world: World, action: str, target_id: str) -> list[dict[str, Any]]:
    with world.ctx.db.session() as s:
        rows = (
            s.execute(
                select(AuditEvent).where(
                    AuditEvent.chain == world.workspace_id,
                    AuditEvent.action == action,
                    AuditEvent.target_id == target_id,
                )
            )
            .scalars()
            .all()
        )
        return [json.loads(r.details_json) for r in rows]


def _inbox_ids(world: World, status: str) -> tuple[set[str], dict[str, int]]:
    with world.ctx.unit_of_work() as uow:
        data = build_inbox(uow, world.owner.actor, InboxFilters.parse(status, None, None, None, None))
        return {r.id for r in data.rows}, data.counts


@pytest.fixture
def recorded(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What was published to agents and which jobs were queued (the real bus and queue still run)."""
    seen: dict[str, list[str]] = {"topics": [], "jobs": []}
    bus, jobs = world.ctx.events, world.ctx.jobs
    publish, enqueue = bus.publish, jobs.enqueue

    def record_publish(topic: str, event: Any) -> None:
        seen["topics"].append(topic)
        publish(topic, event)

    def record_enqueue(name: str, payload: Any, *args: Any, **kwargs: Any) -> Any:
        seen["jobs"].append(name)
        return enqueue(name, payload, *args, **kwargs)

    monkeypatch.setattr(bus, "publish", record_publish)
    monkeypatch.setattr(jobs, "enqueue", record_enqueue)
    return seen


def _bot_on(world: World) -> None:
    # The bot's job is queued only when the bot is on: turn it on so "not asked" means the spam gate held.
    with world.ctx.unit_of_work() as uow:
        update_settings(uow, world.owner.actor, SettingsForm(bot_enabled=True))


def test_spammy_widget_message_lands_in_the_spam_folder_stored_and_readable(
    world: World, recorded: dict[str, list[str]]
) -> None:
    _bot_on(world)
    conv_id = _visitor_says(world, _visitor(world), SPAMMY)
    conv = _conv(world, conv_id)
    assert conv.spam and conv.spam_source == "auto" and conv.spam_score and conv.spam_score >= DEFAULT_THRESHOLD
    assert conv.spam_reasons and "shortener=1" in conv.spam_reasons and "viagra" not in conv.spam_reasons
    open_ids, counts = _inbox_ids(world, "open")
    all_ids, _ = _inbox_ids(world, "all")
    spam_ids, _ = _inbox_ids(world, "spam")
    assert conv_id not in open_ids and conv_id not in all_ids and conv_id in spam_ids
    assert counts["open"] == 0 and counts["spam"] == 1
    # Nothing was dropped: the message is stored encrypted and the agent reads it (audited view).
    with world.ctx.db.session() as s:
        msg = s.execute(select(Message).where(Message.conversation_id == conv_id)).scalar_one()
        assert msg.body_ct is not None and b"viagra" not in msg.body_ct
    with world.ctx.unit_of_work() as uow:
        view = conv_svc.view_conversation(uow, world.owner.actor, conv_id)
    assert view.messages[0].body == SPAMMY
    assert _audit(world, "conversation.marked_spam", conv_id)[0]["source"] == "auto"
    # No live "new conversation" push to agents, and the AI bot was not asked to answer.
    assert f"workspace:{world.workspace_id}" not in " ".join(recorded["topics"])
    assert "assistant.bot_answer" not in recorded["jobs"]


def test_a_normal_widget_message_is_pushed_and_stays_in_the_inbox(world: World, recorded: dict[str, list[str]]) -> None:
    _bot_on(world)
    conv_id = _visitor_says(world, _visitor(world), "Hi, https://shop.example.com/p/1 is out of stock, when back?")
    assert not _conv(world, conv_id).spam
    assert conv_id in _inbox_ids(world, "open")[0]
    assert any(world.workspace_id in t for t in recorded["topics"])
    assert "assistant.bot_answer" in recorded["jobs"]


def test_not_spam_moves_it_back_and_is_audited(world: World) -> None:
    token = _visitor(world)
    conv_id = _visitor_says(world, token, SPAMMY)
    with world.ctx.unit_of_work() as uow:
        spam_svc.mark_not_spam(uow, world.owner.actor, conv_id)
    conv = _conv(world, conv_id)
    assert not conv.spam and conv.spam_source == "cleared" and conv.status == "open"
    assert conv_id in _inbox_ids(world, "open")[0] and conv_id not in _inbox_ids(world, "spam")[0]
    details = _audit(world, "conversation.marked_not_spam", conv_id)
    assert details and details[0]["was_spam"] is True
    _visitor_says(world, token, SPAMMY)  # an agent vouched for it: scoring leaves it alone now
    assert not _conv(world, conv_id).spam


def test_repeated_identical_messages_trigger(world: World) -> None:
    token = _visitor(world)
    text = "Please call me back about my account"
    conv_id = ""
    flags = []
    for _ in range(4):
        conv_id = _visitor_says(world, token, text)
        flags.append(_conv(world, conv_id).spam)
    assert flags == [False, False, False, True]
    assert "repeats=3" in (_conv(world, conv_id).spam_reasons or "")


def test_the_same_order_number_again_is_not_spam(world: World) -> None:
    token = _visitor(world)
    for body in ("Where is order 48213?", "Order 48213", "48213 48213 48213", "Any news on 48213??"):
        conv_id = _visitor_says(world, token, body)
    assert not _conv(world, conv_id).spam


def test_honeypot_session_is_flagged_but_the_visitor_sees_a_normal_ack(client: TestClient, world: World) -> None:
    acks = []
    for website in (None, "https://seo.example"):
        res = client.post("/widget/api/session", json={"key": world.widget_key, "website": website}, headers=OWN)
        assert res.status_code == 201
        with client.websocket_connect(f"/widget/ws?key={world.widget_key}", headers=OWN) as ws:
            ws.send_json({"type": "auth", "token": res.json()["token"]})
            assert ws.receive_json()["type"] == "ready"
            ws.send_json({"type": "message", "client_message_id": str(uuid.uuid4()), "body": "hello there"})
            frame = ws.receive_json()
            while frame["type"] != "ack":
                frame = ws.receive_json()
            acks.append(frame)
    assert set(acks[0]) == set(acks[1])
    assert not _conv(world, acks[0]["conversation_id"]).spam
    bot = _conv(world, acks[1]["conversation_id"])
    assert bot.spam and "honeypot=1" in (bot.spam_reasons or "")


def test_threshold_is_per_workspace(world: World, other_world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        spam_svc.set_threshold(uow, world.owner.actor, 0)  # off
    with other_world.ctx.unit_of_work() as uow:
        spam_svc.set_threshold(uow, other_world.owner.actor, 2)
    assert not _conv(world, _visitor_says(world, _visitor(world), SPAMMY)).spam
    mild = "Do you accept a guest post on your blog?"  # one listed phrase: some points, below the default
    assert 2 <= score(mild).score < DEFAULT_THRESHOLD
    assert _conv(other_world, _visitor_says(other_world, _visitor(other_world), mild)).spam
    agent = world.member(Role.AGENT)
    with pytest.raises(Forbidden), world.ctx.unit_of_work() as uow:
        spam_svc.set_threshold(uow, agent.actor, 3)
    with pytest.raises(ValidationFailed), world.ctx.unit_of_work() as uow:
        spam_svc.set_threshold(uow, world.owner.actor, -1)


def test_conversations_opened_through_the_api_are_not_scored(world: World) -> None:
    inbound = InboundMessage(
        channel="api", sender=ContactHint("email", "a@example.com", email="a@example.com"), body=SPAMMY
    )
    with world.ctx.unit_of_work() as uow:
        conv_id = receive_message(uow, world.workspace_id, inbound).conversation.id
    assert not _conv(world, conv_id).spam


def _statements(world: World, token: str, body: str) -> int:
    count = 0

    def tick(*_args: Any) -> None:
        nonlocal count
        count += 1

    engine = world.ctx.db.engine
    event.listen(engine, "before_cursor_execute", tick)
    try:
        _visitor_says(world, token, body)
    finally:
        event.remove(engine, "before_cursor_execute", tick)
    return count


def test_screening_costs_no_query_for_a_clean_message_and_at_most_one_otherwise(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _visitor(world)
    _visitor_says(world, token, "first message, opens the conversation")
    clean = [_statements(world, token, f"Do you ship to Norway, order {i}?") for i in range(2)]
    mild = _statements(world, token, "Do you accept a guest post on your blog?")  # scores > 0, below threshold
    monkeypatch.setattr(inbox_service, "screen_spam", lambda *_a, **_k: None)
    unscreened = [_statements(world, token, f"Do you ship to Sweden, order {i}?") for i in range(2)]
    assert clean == unscreened
    assert mild <= unscreened[0] + 1


# -- the API and the pages -------------------------------------------------------------------------------
def test_api_filters_exposes_and_sets_the_spam_flag(client: TestClient, world: World) -> None:
    spam_id = _visitor_says(world, _visitor(world), SPAMMY)
    ham_id = _visitor_says(world, _visitor(world), "Do you ship to Norway?")
    auth = {"authorization": f"Bearer {world.token()}"}

    def listed(**params: str) -> dict[str, dict[str, Any]]:
        res = client.get("/api/v1/conversations", params=params, headers=auth)
        assert res.status_code == 200, res.text
        return {c["id"]: c for c in res.json()}

    assert set(listed()) == {ham_id}
    only = listed(spam="true")
    assert set(only) == {spam_id} and only[spam_id]["spam"] is True and "shortener" in only[spam_id]["spam_reasons"]
    assert set(listed(spam="any")) == {ham_id, spam_id}
    assert client.get("/api/v1/conversations", params={"spam": "maybe"}, headers=auth).status_code == 422
    res = client.patch(f"/api/v1/conversations/{ham_id}", json={"spam": True}, headers=auth)
    assert res.status_code == 200 and res.json()["spam"] is True and res.json()["spam_source"] == "agent"
    res = client.patch(f"/api/v1/conversations/{spam_id}", json={"spam": False}, headers=auth)
    assert res.json()["spam"] is False and res.json()["status"] == "open"
    assert set(listed()) == {spam_id} and set(listed(spam="true")) == {ham_id}
    assert _audit(world, "conversation.marked_spam", ham_id)[0]["source"] == "agent"


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    address = "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))
    with TestClient(app, base_url="http://testserver", client=(address, 50000), follow_redirects=False) as c:
        yield c


def test_agent_pages_spam_folder_mark_not_spam_and_delete(web: TestClient, world: World) -> None:
    agent = world.member(Role.AGENT)
    csrf = sign_in(web, agent)
    spam_id = _visitor_says(world, _visitor(world), SPAMMY)
    ham_id = _visitor_says(world, _visitor(world), "Is the shop open on Sunday?")
    inbox = web.get("/", headers=HTML).text
    assert ham_id in inbox and spam_id not in inbox and 'data-status-count="spam">1<' in inbox
    folder = web.get("/?status=spam", headers=HTML).text
    assert spam_id in folder and ham_id not in folder and "shortener=1" in folder
    page = web.get(f"/conversations/{spam_id}?status=spam", headers=HTML)
    assert page.status_code == 200 and "Not spam" in page.text and SPAMMY.split(",", maxsplit=1)[0] in page.text
    csrf = session_csrf(page.text)
    res = web.post(f"/conversations/{ham_id}/spam", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 303 and _conv(world, ham_id).spam
    res = web.post(f"/conversations/{ham_id}/not-spam", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 303 and not _conv(world, ham_id).spam
    res = web.post(f"/conversations/{ham_id}/delete-spam", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 422  # only spam can be deleted
    res = web.post(f"/conversations/{spam_id}/delete-spam", data={"csrf_token": csrf}, headers=HTML)
    assert res.status_code == 303
    with world.ctx.db.session() as s:
        assert s.get(Conversation, spam_id) is None
        assert s.execute(select(Message).where(Message.conversation_id == spam_id)).first() is None
    assert _audit(world, "conversation.deleted", spam_id)[0]["reason"] == "spam"


def test_a_role_without_update_permission_cannot_mark_spam(web: TestClient, world: World) -> None:
    officer = world.member(Role.PRIVACY_OFFICER)
    csrf = sign_in(web, officer)
    ham_id = _visitor_says(world, _visitor(world), "Is the shop open on Sunday?")
    assert web.post(f"/conversations/{ham_id}/spam", data={"csrf_token": csrf}, headers=HTML).status_code == 403
    assert not _conv(world, ham_id).spam


def test_admins_set_the_threshold_from_the_spam_folder(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    folder = web.get("/?status=spam", headers=HTML).text
    assert 'name="threshold"' in folder and f'value="{DEFAULT_THRESHOLD}"' in folder
    res = web.post("/inbox/spam-threshold", data={"csrf_token": csrf, "threshold": "8"}, headers=HTML)
    assert res.status_code == 303
    assert 'value="8.0"' in web.get("/?status=spam", headers=HTML).text
    assert (
        web.post("/inbox/spam-threshold", data={"csrf_token": csrf, "threshold": "lots"}, headers=HTML).status_code
        == 422
    )
    assert _audit(world, "settings.spam_threshold_changed", world.workspace_id)[0]["to"] == 8.0
