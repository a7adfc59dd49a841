"""Redaction at ingestion: the conversation's placeholder state, the workspace's configuration, known names."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

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
    raw = cipher.decrypt(conversation.placeholders_ct, _placeholders_place(conversation.id))
    return PlaceholderState.from_json(raw)


def save_state(conversation: Conversation, cipher: ContactCipher, state: PlaceholderState) -> None:
    conversation.placeholders_ct = cipher.encrypt(state.to_json(), _placeholders_place(conversation.id))


def workspace_config(uow: UnitOfWork, workspace_id: str, extra_names: list[str]) -> RedactionConfig:
    """Per-workspace settings plus the names we already know (the contact's, the agents')."""
    ws = uow.session.get(Workspace, workspace_id)
    settings: dict[str, Any] = workspace_settings(ws).get("redaction", {}) if ws else {}
    agent_names = uow.session.execute(
        select(User.name).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
    ).scalars().all()
    base = RedactionConfig.from_dict(settings)
    return replace(base, deny_list=base.deny_list + known_name_terms([*agent_names, *extra_names]))


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
    state = load_state(conversation, cipher)
    config = workspace_config(uow, conversation.workspace_id, known_names)
    result = get_engine().redact(text, config=config, state=state)
    save_state(conversation, cipher, result.state)
    return result.text
