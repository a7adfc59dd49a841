"""What the assistant's HTML pages show: AI settings (the key only as its last four characters), the knowledge
base's management lists, and the conversation panel's state. Every function checks the permission itself."""

from __future__ import annotations

from dataclasses import dataclass

from hushdesk.assistant import kb
from hushdesk.assistant.calls import AI_PURPOSE
from hushdesk.assistant.service import PLACEHOLDER_LIKE
from hushdesk.assistant.settings import API_KEY_SECRET, ai_settings, key_hint
from hushdesk.db import UnitOfWork
from hushdesk.inbox.service import access_conversation
from hushdesk.kit.errors import NotFound
from hushdesk.models import AiSettings, KbArticle, KbCategory, Workspace
from hushdesk.privacy.service import check_processing
from hushdesk.secrets import service as secrets
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm


@dataclass(frozen=True)
class SettingsView:
    settings: AiSettings
    key_last4: str | None
    help_url: str


def _help_url(uow: UnitOfWork, workspace_id: str) -> str:
    ws = uow.session.get(Workspace, workspace_id)
    return f"/help/{ws.slug}" if ws else "/"


def settings_view(uow: UnitOfWork, actor: Actor) -> SettingsView:
    actor.require(Perm.SETTINGS_MANAGE)
    return SettingsView(ai_settings(uow, actor.workspace_id), key_hint(uow, actor.workspace_id),
                        _help_url(uow, actor.workspace_id))


def delete_api_key(uow: UnitOfWork, actor: Actor) -> None:
    actor.require(Perm.SETTINGS_MANAGE)
    secrets.delete_secret(uow, actor, API_KEY_SECRET)


@dataclass(frozen=True)
class KbOverview:
    categories: list[KbCategory]
    articles: list[KbArticle]
    category_names: dict[str, str]
    help_url: str


def kb_overview(uow: UnitOfWork, actor: Actor) -> KbOverview:
    actor.require(Perm.SETTINGS_MANAGE)
    cats = kb.categories(uow, actor.workspace_id)
    return KbOverview(cats, kb.articles(uow, actor.workspace_id, published_only=False),
                      {c.id: c.name for c in cats}, _help_url(uow, actor.workspace_id))


def kb_article(uow: UnitOfWork, actor: Actor, article_id: str) -> KbArticle:
    actor.require(Perm.SETTINGS_MANAGE)
    return kb.article(uow, actor.workspace_id, article_id)


@dataclass(frozen=True)
class PanelState:
    conversation_id: str
    allowed: bool
    reason: str | None  # why AI is off for this customer (restricted, objected, ...)
    provider: str  # none | openai
    can_reply: bool


def panel_state(uow: UnitOfWork, actor: Actor, conversation_id: str) -> PanelState:
    """The conversation page's assistant panel: whether the assistant may touch this customer's data at all."""
    actor.require(Perm.CONVERSATION_READ)
    conv = access_conversation(uow, actor, conversation_id)
    if conv.contact_id is None:
        raise NotFound("this conversation's contact was erased")
    decision = check_processing(uow, conv.contact_id, AI_PURPOSE)
    return PanelState(conv.id, decision.allowed, (decision.reason or "").replace("_", " ") or None,
                      ai_settings(uow, conv.workspace_id).provider,
                      actor.can(Perm.CONVERSATION_REPLY) and actor.can(Perm.CONVERSATION_READ_RAW))


def help_url(uow: UnitOfWork, actor: Actor) -> str:
    """The public help center's address (articles are public; any signed-in member may link to it)."""
    actor.require(Perm.CONVERSATION_READ)
    return _help_url(uow, actor.workspace_id)


def segments(text: str) -> list[tuple[str, bool]]:
    """A draft split into (text, is_unfilled_placeholder) pieces, for highlighting what the agent must fix."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in PLACEHOLDER_LIKE.finditer(text):
        if match.start() > pos:
            out.append((text[pos:match.start()], False))
        out.append((match.group(0), True))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out
