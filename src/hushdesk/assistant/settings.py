"""Per-workspace AI settings: provider, model, bot, speech, limits; the API key lives in the BYOK store."""

from __future__ import annotations

from dataclasses import dataclass

from hushdesk.assistant.providers import (
    PROVIDERS,
    ChatMessage,
    NoProvider,
    OpenAICompatibleProvider,
    Provider,
    ProviderConfig,
    ProviderError,
    provider_error,
)
from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import ValidationFailed
from hushdesk.kit.net import check_outbound_url
from hushdesk.models import AiSettings
from hushdesk.secrets import service as secrets
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

API_KEY_SECRET = "ai.api_key"  # noqa: S105 (a secret's name, not a secret)
TTS_ENGINES = ("local", "openai", "off")


def ai_settings(uow: UnitOfWork, workspace_id: str) -> AiSettings:
    """The workspace's row, or the defaults (provider none, bot off) as an unsaved row."""
    row = uow.session.get(AiSettings, workspace_id)
    if row is None:
        row = AiSettings(workspace_id=workspace_id, provider="none", tts_engine="local", bot_enabled=False,
                         bot_handoff_topics="", bot_min_score=0.35, updated_at=utcnow())
    return row


@dataclass(frozen=True)
class SettingsForm:
    provider: str = "none"
    base_url: str = ""
    model: str = ""
    speech_model: str = ""
    speech_voice: str = ""
    tts_engine: str = "local"
    bot_enabled: bool = False
    bot_handoff_topics: str = ""
    bot_min_score: float = 0.35
    limit_ai_calls: int | None = None
    limit_tokens: int | None = None
    limit_speech_chars: int | None = None


def _limit(value: int | None, what: str) -> int | None:
    if value is not None and value < 0:
        raise ValidationFailed(f"{what} limit must be zero or more (empty means no limit)")
    return value


def update_settings(uow: UnitOfWork, actor: Actor, form: SettingsForm) -> AiSettings:
    actor.require(Perm.SETTINGS_MANAGE)
    if form.provider not in PROVIDERS:
        raise ValidationFailed("provider must be 'none' or 'openai'")
    if form.tts_engine not in TTS_ENGINES:
        raise ValidationFailed("speech engine must be local, openai or off")
    if not 0.0 <= form.bot_min_score <= 1.0:
        raise ValidationFailed("bot confidence threshold must be between 0 and 1")
    base_url = form.base_url.strip()
    if form.provider == "openai":
        if not base_url or not form.model.strip():
            raise ValidationFailed("an OpenAI-compatible provider needs a base URL and a model")
        base_url = check_outbound_url(base_url, uow.app.settings.ai_allow_private_urls)
    row = uow.session.get(AiSettings, actor.workspace_id)
    if row is None:
        row = ai_settings(uow, actor.workspace_id)
        uow.session.add(row)
    row.provider, row.base_url, row.model = form.provider, base_url or None, form.model.strip()[:100] or None
    row.speech_model = form.speech_model.strip()[:100] or None
    row.speech_voice = form.speech_voice.strip()[:50] or None
    row.tts_engine, row.bot_enabled = form.tts_engine, form.bot_enabled
    topics = [t.strip().lower() for t in form.bot_handoff_topics.replace(",", "\n").splitlines() if t.strip()]
    row.bot_handoff_topics = "\n".join(dict.fromkeys(t[:80] for t in topics))[:4000]
    row.bot_min_score = form.bot_min_score
    row.limit_ai_calls = _limit(form.limit_ai_calls, "AI call")
    row.limit_tokens = _limit(form.limit_tokens, "token")
    row.limit_speech_chars = _limit(form.limit_speech_chars, "speech")
    row.updated_at = utcnow()
    record(uow.session, actor, "assistant.settings.updated", target_type="workspace", target_id=actor.workspace_id,
           details={"provider": row.provider, "model": row.model, "bot_enabled": row.bot_enabled,
                    "tts_engine": row.tts_engine}, request_id=uow.request_id)
    return row


def set_api_key(uow: UnitOfWork, actor: Actor, value: str) -> str:
    """Store (or replace) the key; returns its last four characters, the only part ever shown again."""
    return secrets.put_secret(uow, actor, API_KEY_SECRET, value).last4


def key_hint(uow: UnitOfWork, workspace_id: str) -> str | None:
    info = secrets.describe_secret(uow, workspace_id, API_KEY_SECRET)
    return info.last4 if info else None


def provider_for(uow: UnitOfWork, workspace_id: str) -> Provider:
    row = ai_settings(uow, workspace_id)
    if row.provider != "openai":
        return NoProvider()
    if not row.base_url or not row.model:
        raise provider_error("ai_not_configured")
    app = uow.app.settings
    return OpenAICompatibleProvider(ProviderConfig(
        base_url=row.base_url, model=row.model, api_key=secrets.use_secret(uow, workspace_id, API_KEY_SECRET),
        timeout=app.ai_timeout_seconds, max_retries=app.ai_max_retries, allow_private=app.ai_allow_private_urls,
    ))


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    message: str
    latency_ms: int = 0


TEST_PROMPT = [ChatMessage("system", "You are a connection test."), ChatMessage("user", "Reply with the word OK.")]


def check_connection(uow: UnitOfWork, actor: Actor) -> ConnectionTest:
    """One tiny request with no customer data; recorded in the AI-call log like any other."""
    from hushdesk.assistant.calls import log_call

    actor.require(Perm.SETTINGS_MANAGE)
    provider = provider_for(uow, actor.workspace_id)
    if provider.name == "none":
        return ConnectionTest(True, "No provider configured: the assistant runs in retrieval-only mode.")
    prompt = "\n".join(m.content for m in TEST_PROMPT)
    try:
        result = provider.complete(TEST_PROMPT, max_tokens=5)
    except ProviderError as exc:
        log_call(uow, actor.workspace_id, feature="test", provider=provider.name,
                 model=ai_settings(uow, actor.workspace_id).model, prompt=prompt, actor=actor, error=exc.code)
        return ConnectionTest(False, exc.message)
    log_call(uow, actor.workspace_id, feature="test", provider=provider.name, model=result.model, prompt=prompt,
             actor=actor, completion=result)
    return ConnectionTest(True, f"Connected: model {result.model} answered in {result.latency_ms} ms.",
                          result.latency_ms)
