"""HTML pages of the assistant: AI settings, knowledge base admin, usage/billing, and the conversation panel's
htmx endpoints (draft, summary, suggested articles, send a draft, spoken version). Thin: each handler calls one
service function; permissions are checked there."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from hushdesk.assistant import admin, kb
from hushdesk.assistant import service as assistant
from hushdesk.assistant.settings import SettingsForm, check_connection, set_api_key, update_settings
from hushdesk.assistant.tts import clip_audio, speak_message
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import ValidationFailed
from hushdesk.metering import service as metering
from hushdesk.tenancy.permissions import Perm
from hushdesk.web.access import requires
from hushdesk.web.conversation_view import posted_message
from hushdesk.web.page import Page, PageContext, PageUnlocked, is_htmx

router = APIRouter()

Short = Annotated[str, Form(max_length=500)]
Long = Annotated[str, Form(max_length=kb.MAX_BODY)]


def _int_or_none(value: str, what: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationFailed(f"{what} limit must be a whole number (empty means no limit)")
    return int(value)


# -- AI settings ------------------------------------------------------------------------------------------
def _settings(page: PageContext, *, error: str | None = None, notice: str | None = None,
              test: tuple[bool, str] | None = None) -> HTMLResponse:
    view = admin.settings_view(page.uow, page.actor)
    return page.render("assistant/settings.html", {"view": view, "s": view.settings, "error": error,
                                                   "notice": notice, "test": test, "nav": "ai"},
                       status=422 if error else 200)


@router.get("/admin/ai", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def ai_settings_page(page: Page) -> HTMLResponse:
    return _settings(page)


@router.post("/admin/ai", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def save_ai_settings(page: Page, provider: Short = "none", base_url: Short = "", model: Short = "",
                     bot_enabled: Short = "", bot_handoff_topics: Long = "", bot_min_score: Short = "0.35",
                     tts_engine: Short = "local", speech_model: Short = "", speech_voice: Short = "",
                     limit_ai_calls: Short = "", limit_tokens: Short = "",
                     limit_speech_chars: Short = "") -> HTMLResponse:
    def act() -> None:
        try:
            score = float(bot_min_score or "0.35")
        except ValueError:
            raise ValidationFailed("bot confidence threshold must be a number between 0 and 1") from None
        form = SettingsForm(
            provider=provider, base_url=base_url, model=model, speech_model=speech_model,
            speech_voice=speech_voice, tts_engine=tts_engine, bot_enabled=bot_enabled == "on",
            bot_handoff_topics=bot_handoff_topics, bot_min_score=score,
            limit_ai_calls=_int_or_none(limit_ai_calls, "AI call"), limit_tokens=_int_or_none(limit_tokens, "token"),
            limit_speech_chars=_int_or_none(limit_speech_chars, "speech"))
        update_settings(page.uow, page.actor, form)

    _, error = page.attempt(act)
    return _settings(page, error=error, notice=None if error else "AI settings saved.")


@router.post("/admin/ai/key", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def save_api_key(page: Page, api_key: Annotated[str, Form(max_length=4096)] = "") -> HTMLResponse:
    last4, error = page.attempt(lambda: set_api_key(page.uow, page.actor, api_key))
    return _settings(page, error=error, notice=None if error else f"API key saved (ends in …{last4}).")


@router.post("/admin/ai/key/delete", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def delete_api_key(page: Page) -> HTMLResponse:
    admin.delete_api_key(page.uow, page.actor)
    return _settings(page, notice="API key deleted.")


@router.post("/admin/ai/test", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def test_connection(page: Page) -> HTMLResponse:
    result, error = page.attempt(lambda: check_connection(page.uow, page.actor))
    if result is None:
        return _settings(page, test=(False, error or "The connection test failed."))
    return _settings(page, test=(result.ok, result.message))


# -- knowledge base ---------------------------------------------------------------------------------------
def _kb(page: PageContext, *, error: str | None = None, notice: str | None = None) -> HTMLResponse:
    return page.render("assistant/kb.html", {"kb": admin.kb_overview(page.uow, page.actor), "error": error,
                                             "notice": notice, "nav": "kb"}, status=422 if error else 200)


def _article(page: PageContext, article_id: str | None, *, error: str | None = None,
             notice: str | None = None, draft: tuple[str, str, str] | None = None) -> HTMLResponse:
    overview = admin.kb_overview(page.uow, page.actor)
    art = admin.kb_article(page.uow, page.actor, article_id) if article_id else None
    return page.render("assistant/kb_article.html", {"kb": overview, "art": art, "error": error,
                                                     "notice": notice, "draft": draft, "nav": "kb"},
                       status=422 if error else 200)


@router.get("/admin/kb", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def kb_page(page: Page) -> HTMLResponse:
    return _kb(page)


@router.post("/admin/kb/categories", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def create_category(page: Page, name: Short = "") -> HTMLResponse:
    _, error = page.attempt(lambda: kb.create_category(page.uow, page.actor, name))
    return _kb(page, error=error, notice=None if error else "Category created.")


@router.get("/admin/kb/new", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def new_article(page: Page) -> HTMLResponse:
    return _article(page, None)


@router.post("/admin/kb/new", dependencies=[requires(Perm.SETTINGS_MANAGE)], response_model=None)
def create_article(page: Page, title: Short = "", body: Long = "", category_id: Short = "",
                   action: Short = "save") -> Response:
    art, error = page.attempt(lambda: kb.save_article(page.uow, page.actor, title=title, body=body,
                                                      category_id=category_id or None, publish=action == "publish"))
    if art is None:
        return _article(page, None, error=error, draft=(title, body, category_id))
    return page.back(f"/admin/kb/{art.id}")


@router.get("/admin/kb/{article_id}", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def edit_article(article_id: str, page: Page) -> HTMLResponse:
    return _article(page, article_id)


@router.post("/admin/kb/{article_id}", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def save_article(article_id: str, page: Page, title: Short = "", body: Long = "", category_id: Short = "",
                 action: Short = "save") -> HTMLResponse:
    _, error = page.attempt(lambda: kb.save_article(page.uow, page.actor, title=title, body=body,
                                                    category_id=category_id or None, article_id=article_id,
                                                    publish=action == "publish"))
    notice = "Published." if action == "publish" else "Draft saved (not yet published)."
    return _article(page, article_id, error=error, notice=None if error else notice,
                    draft=(title, body, category_id) if error else None)


@router.post("/admin/kb/{article_id}/unpublish", dependencies=[requires(Perm.SETTINGS_MANAGE)])
def unpublish_article(article_id: str, page: Page) -> HTMLResponse:
    kb.unpublish_article(page.uow, page.actor, article_id)
    return _article(page, article_id, notice="Unpublished: the help center and the assistant no longer use it.")


# -- usage and billing (owner) ----------------------------------------------------------------------------
Month = Annotated[str, Query(max_length=7, pattern=r"^(\d{4}-\d{2})?$")]


def _month(value: str) -> tuple[int, int]:
    if value:
        return int(value[:4]), int(value[5:7])
    now = utcnow()
    return now.year, now.month


@router.get("/admin/billing", dependencies=[requires(Perm.SETTINGS_MANAGE, owner_only=True)])
def billing(page: Page, month: Month = "") -> HTMLResponse:
    st = metering.statement(page.uow, page.actor, *_month(month))
    return page.render("assistant/billing.html", {"st": st, "metrics": metering.METRICS, "nav": "billing"})


@router.get("/admin/billing.csv", dependencies=[requires(Perm.SETTINGS_MANAGE, owner_only=True)])
def billing_csv(page: Page, month: Month = "") -> Response:
    st = metering.statement(page.uow, page.actor, *_month(month))
    name = f"hushdesk-usage-{st.year}-{st.month:02d}.csv"
    return Response(metering.statement_csv(st), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# -- conversation panel (htmx partials) -------------------------------------------------------------------
@router.get("/conversations/{conversation_id}/assistant/panel", dependencies=[requires(Perm.CONVERSATION_READ)])
def panel(conversation_id: str, page: Page) -> HTMLResponse:
    return page.render("assistant/_panel_body.html", {"panel": admin.panel_state(page.uow, page.actor,
                                                                                  conversation_id)})


@router.post("/conversations/{conversation_id}/assistant/draft",
             dependencies=[requires(Perm.CONVERSATION_READ, Perm.CONVERSATION_READ_RAW, Perm.CONVERSATION_REPLY)])
def draft(conversation_id: str, page: PageUnlocked) -> HTMLResponse:
    # No request transaction: the provider call must not hold the database's write lock (ADR 0007).
    result = assistant.draft_reply_unlocked(page.unlocked.ctx, page.actor, conversation_id,
                                            request_id=page.unlocked.request_id)
    return page.render("assistant/_result.html", {"r": result, "conversation_id": conversation_id,
                                                  "segments": admin.segments(result.text or "")},
                       status=502 if result.error_code and result.error_code.startswith("ai_") else 200)


@router.post("/conversations/{conversation_id}/assistant/summary",
             dependencies=[requires(Perm.CONVERSATION_READ, Perm.CONVERSATION_READ_RAW)])
def summary(conversation_id: str, page: PageUnlocked) -> HTMLResponse:
    result = assistant.summarize_unlocked(page.unlocked.ctx, page.actor, conversation_id,
                                          request_id=page.unlocked.request_id)
    return page.render("assistant/_result.html", {"r": result, "conversation_id": conversation_id,
                                                  "segments": []})


@router.get("/conversations/{conversation_id}/assistant/articles", dependencies=[requires(Perm.CONVERSATION_READ)])
def articles(conversation_id: str, page: Page, q: Annotated[str, Query(max_length=500)] = "") -> HTMLResponse:
    hits = assistant.suggest_articles(page.uow, page.actor, conversation_id, q)
    return page.render("assistant/_articles.html", {"hits": hits, "help_url": admin.help_url(page.uow,
                                                                                           page.actor)})


@router.post("/conversations/{conversation_id}/assistant/drafts/{draft_id}/send",
             dependencies=[requires(Perm.CONVERSATION_READ, Perm.CONVERSATION_REPLY)], response_model=None)
def send_draft(conversation_id: str, draft_id: str, page: Page,
               body: Annotated[str, Form(max_length=100_000)] = "",
               client_message_id: Annotated[str | None, Form(max_length=64)] = None) -> Response:
    received = assistant.send_draft(page.uow, page.actor, conversation_id, draft_id, body, client_message_id or None)
    if not is_htmx(page.request):
        return page.back(f"/conversations/{conversation_id}")
    item = replace(posted_message(page.uow, page.actor, received, body), ai=True)
    return page.render("_message.html", {"m": item})


@router.post("/messages/{message_id}/speech", dependencies=[requires(Perm.CONVERSATION_READ_RAW)])
def speech(message_id: str, page: Page) -> HTMLResponse:
    clip = speak_message(page.uow, page.actor, message_id)
    return page.render("assistant/_audio.html", {"clip": clip})


@router.get("/assistant/audio/{clip_id}.wav", dependencies=[requires(Perm.CONVERSATION_READ_RAW)])
def audio(clip_id: str, page: Page) -> Response:
    return Response(clip_audio(page.uow, page.actor, clip_id), media_type="audio/wav",
                    headers={"Cache-Control": "no-store"})
