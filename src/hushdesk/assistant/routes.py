"""JSON API for the assistant (API tokens) and the public help center (no sign-in; published articles only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hushdesk.assistant import kb
from hushdesk.assistant import service as assistant
from hushdesk.assistant.schemas import ArticleHitOut, AssistOut, SendDraftIn
from hushdesk.assistant.tts import public_audio
from hushdesk.tenancy.permissions import Perm
from hushdesk.tenancy.service import get_workspace_by_slug
from hushdesk.web import access
from hushdesk.web.access import requires
from hushdesk.web.deps import ApiActor, ApiUnlocked, Uow
from hushdesk.web.page import render

router = APIRouter(prefix="/api/v1", tags=["assistant"])
public = APIRouter(include_in_schema=False)


def _assist(result: assistant.AssistResult) -> JSONResponse:
    # A provider failure is answered 502 with a clear message; the failed call was still committed to the
    # AI-call log and nothing else changed.
    status = 502 if result.error_code and result.error_code.startswith("ai_") else 200
    return JSONResponse(AssistOut.of(result).model_dump(), status_code=status)


@router.post("/conversations/{conversation_id}/assistant/draft",
             dependencies=[requires(Perm.CONVERSATION_READ, Perm.CONVERSATION_READ_RAW, Perm.CONVERSATION_REPLY)],
             response_model=AssistOut)
def draft(conversation_id: str, api: ApiUnlocked) -> JSONResponse:
    # No request transaction here: the provider call must not hold the database's write lock (ADR 0007).
    return _assist(assistant.draft_reply_unlocked(api.ctx, api.actor, conversation_id, request_id=api.request_id))


@router.post("/conversations/{conversation_id}/assistant/summary",
             dependencies=[requires(Perm.CONVERSATION_READ, Perm.CONVERSATION_READ_RAW)], response_model=AssistOut)
def summary(conversation_id: str, api: ApiUnlocked) -> JSONResponse:
    return _assist(assistant.summarize_unlocked(api.ctx, api.actor, conversation_id, request_id=api.request_id))


@router.post("/conversations/{conversation_id}/assistant/drafts/{draft_id}/send",
             dependencies=[requires(Perm.CONVERSATION_READ, Perm.CONVERSATION_REPLY)], status_code=201)
def send(conversation_id: str, draft_id: str, body: SendDraftIn, uow: Uow, actor: ApiActor) -> dict[str, str]:
    received = assistant.send_draft(uow, actor, conversation_id, draft_id, body.body, body.client_message_id)
    return {"message_id": received.message.id}


@router.get("/conversations/{conversation_id}/assistant/articles",
            dependencies=[requires(Perm.CONVERSATION_READ)], response_model=list[ArticleHitOut])
def suggestions(conversation_id: str, uow: Uow, actor: ApiActor,
                q: Annotated[str, Query(max_length=500)] = "") -> list[ArticleHitOut]:
    return [ArticleHitOut.of(h) for h in assistant.suggest_articles(uow, actor, conversation_id, q)]


@public.get("/help/{slug}", dependencies=[access.public("customers (help center)")], response_class=HTMLResponse)
def help_center(slug: str, request: Request, uow: Uow,
                q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    ws = get_workspace_by_slug(uow, slug)
    hits = kb.search(uow, ws.id, q, limit=10) if q.strip() else []
    return render(request, "assistant/help_center.html", {
        "ws": ws, "q": q, "hits": hits, "article": None,
        "articles": kb.articles(uow, ws.id, published_only=True)})


@public.get("/help/{slug}/articles/{article_slug}",
            dependencies=[access.public("customers (help center)")], response_class=HTMLResponse)
def help_article(slug: str, article_slug: str, request: Request, uow: Uow) -> HTMLResponse:
    ws = get_workspace_by_slug(uow, slug)
    art = kb.published_by_slug(uow, ws.id, article_slug)
    return render(request, "assistant/help_center.html", {"ws": ws, "q": "", "hits": [], "article": art,
                                                          "articles": []})


@public.get("/help/{slug}/articles/{article_slug}/audio.wav", dependencies=[access.public("customers (help center)")])
def article_audio(slug: str, article_slug: str, uow: Uow) -> Response:
    """The spoken version of a help article (an accessible alternative format)."""
    ws = get_workspace_by_slug(uow, slug)
    art = kb.published_by_slug(uow, ws.id, article_slug)
    clip = public_audio(uow, ws.id, "article", art.id, f"{art.published_title}. {art.published_body}")
    return Response(clip.public_data, media_type="audio/wav", headers={"Cache-Control": "public, max-age=300"})
