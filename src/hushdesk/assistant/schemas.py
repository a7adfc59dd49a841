"""Pydantic shapes of the assistant API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hushdesk.assistant.kb import Hit
from hushdesk.assistant.service import AssistResult


class AssistOut(BaseModel):
    kind: str
    text: str | None
    ai_generated: bool  # always say where an answer came from
    source: str  # provider | retrieval
    unfilled_placeholders: list[str]
    citations: list[dict[str, str]]
    draft_id: str | None
    error: str | None
    error_code: str | None

    @classmethod
    def of(cls, r: AssistResult) -> AssistOut:
        return cls(kind=r.kind, text=r.text, ai_generated=r.source == "provider", source=r.source,
                   unfilled_placeholders=r.unknown, citations=[{"title": t, "slug": s} for t, s in r.citations],
                   draft_id=r.draft_id, error=r.error, error_code=r.error_code)


class SendDraftIn(BaseModel):
    body: str = Field(min_length=1, max_length=100_000)
    client_message_id: str | None = Field(default=None, max_length=64)


class ArticleHitOut(BaseModel):
    id: str
    title: str
    slug: str
    score: float

    @classmethod
    def of(cls, h: Hit) -> ArticleHitOut:
        return cls(id=h.article.id, title=h.article.published_title or "", slug=h.article.slug,
                   score=round(h.score, 3))
