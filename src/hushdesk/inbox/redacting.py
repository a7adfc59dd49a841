"""Redaction at ingestion: the conversation's placeholder state, the workspace's configuration, known names."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork
from hushdesk.models import Conversation, Membership, User, Workspace
from hushdesk.redaction import PlaceholderState, RedactionConfig, get_engine
from hushdesk.tenancy.service import workspace_settings


def _placeholders_place(conversation_id: str) -> str:
    return f"conversations.placeholders:{conversation_id}"


def load_state(conversation: Conversation, cipher: ContactCipher) -> PlaceholderState:
    if conversation.placeholders_ct is None:
        return PlaceholderState()
    raw = cipher.decrypt_bytes(conversation.placeholders_ct, _placeholders_place(conversation.id))
    return PlaceholderState.from_bytes(raw)


def sealed_state(conversation: Conversation, cipher: ContactCipher, state: PlaceholderState) -> bytes:
    return cipher.encrypt(state.to_bytes(), _placeholders_place(conversation.id))


def save_state(conversation: Conversation, cipher: ContactCipher, state: PlaceholderState) -> None:
    conversation.placeholders_ct = sealed_state(conversation, cipher, state)


# Per-process memo of built configs (the automaton of known names is built once, not per message).
# Keyed by workspace and the message's extra names; bounded, short-lived (another process's change to
# the workspace's redaction settings or its agents shows here within CONFIG_TTL_SECONDS) and dropped at once
# when this process commits a change to a workspace, a membership or a user (see _forget_on_commit).
CONFIG_TTL_SECONDS = 10.0
_CONFIG_LIMIT = 512
_configs: OrderedDict[tuple[str, tuple[str, ...]], tuple[float, RedactionConfig]] = OrderedDict()
_configs_lock = threading.Lock()
_AGENT_NAMES = (
    select(User.name).join(Membership, Membership.user_id == User.id)
    .where(Membership.workspace_id == bindparam("ws"))
)


def workspace_config(uow: UnitOfWork, workspace_id: str, extra_names: list[str]) -> RedactionConfig:
    """Per-workspace settings plus the names we already know (the contact's, the agents')."""
    key = (workspace_id, tuple(extra_names))
    now = time.monotonic()
    with _configs_lock:
        held = _configs.get(key)
        if held is not None and held[0] > now:
            _configs.move_to_end(key)
            return held[1]
    config = _build_config(uow, workspace_id, extra_names)
    with _configs_lock:
        _configs[key] = (now + CONFIG_TTL_SECONDS, config)
        while len(_configs) > _CONFIG_LIMIT:
            _configs.popitem(last=False)
    return config


def _build_config(uow: UnitOfWork, workspace_id: str, extra_names: list[str]) -> RedactionConfig:
    ws = uow.session.get(Workspace, workspace_id)
    settings: dict[str, Any] = workspace_settings(ws).get("redaction", {}) if ws else {}
    agent_names = uow.session.execute(_AGENT_NAMES, {"ws": workspace_id}).scalars().all()
    base = RedactionConfig.from_dict(settings)
    return replace(base, deny_list=base.deny_list + known_name_terms([*agent_names, *extra_names]))


def forget_configs() -> None:
    with _configs_lock:
        _configs.clear()


@event.listens_for(Session, "before_flush")
def _forget_on_commit(session: Session, _context: Any, _instances: Any) -> None:
    """A flush that touches what a config is built from marks the session; its commit drops the memo."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (Workspace, Membership, User)):
            session.info["redaction.configs.stale"] = True
            return


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop("redaction.configs.stale", False):
        forget_configs()


def known_name_terms(names: list[str]) -> tuple[tuple[str, str], ...]:
    """Full names and their parts ("Marco Rossi" -> also "Marco", "Rossi"): customers sign with a first name."""
    terms: dict[str, None] = {}
    for raw in names:
        name = (raw or "").strip()
        if len(name) < 2:
            continue
        terms[name] = None
        for part in name.replace(",", " ").split():
            if len(part) >= 3 and part[0].isalpha():
                terms[part] = None
    return tuple((term, "PERSON") for term in terms)


def redact_for_conversation(
    uow: UnitOfWork, conversation: Conversation, cipher: ContactCipher, text: str, known_names: list[str]
) -> str:
    """Redact ``text`` with placeholders numbered consistently across the whole conversation."""
    redacted, placeholders_ct = redact_with_new_state(uow, conversation, cipher, text, known_names)
    conversation.placeholders_ct = placeholders_ct
    return redacted


def redact_with_new_state(
    uow: UnitOfWork, conversation: Conversation, cipher: ContactCipher, text: str, known_names: list[str]
) -> tuple[str, bytes]:
    """Like ``redact_for_conversation``, but the conversation's new placeholder state (encrypted) is returned
    for the caller to store, not set on the conversation (the ingest path writes it with one Core UPDATE)."""
    state = load_state(conversation, cipher)
    config = workspace_config(uow, conversation.workspace_id, known_names)
    result = get_engine().redact(text, config=config, state=state)
    return result.text, sealed_state(conversation, cipher, result.state)
