"""Knowledge base: categories, articles with a draft and a published version, and full-text search.

Search runs on the database's own index (SQLite FTS5 with the porter stemmer, or PostgreSQL ``tsvector`` with
the English configuration) over PUBLISHED text only. Questions are matched term by term (OR) and ranked, so a
customer's sentence finds the article that shares its words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select, text

from hushdesk.audit.service import record
from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Conflict, NotFound, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.models import KbArticle, KbCategory
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

MAX_BODY = 100_000
_WORD = re.compile(r"[a-z0-9]+")
_PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")
_STOP = (
    "a an and are as at be but by can could do does did for from get got has have how i if in is it its "
    "me my no not of on or our please so than that the their them then there these they this to us was we "
    "what when where which who why will with would you your yours hi hello thanks thank hey dear regards "
    "im ive dont cant want need know tell help"
)
STOPWORDS = frozenset(_STOP.split())


def slugify(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return "-".join(_WORD.findall(ascii_text))[:100] or "article"


def query_terms(question: str, limit: int = 16) -> list[str]:
    """Content words of a question (placeholders and stop words dropped), at most ``limit``."""
    cleaned = _PLACEHOLDER.sub(" ", question)
    ascii_text = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode().lower()
    words = [w for w in _WORD.findall(ascii_text) if w not in STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(words))[:limit]


@dataclass(frozen=True)
class Hit:
    article: KbArticle
    score: float  # 0..1, share of the question's content words the article contains (confidence)


def _require_manage(actor: Actor) -> None:
    actor.require(Perm.SETTINGS_MANAGE)


def create_category(uow: UnitOfWork, actor: Actor, name: str) -> KbCategory:
    _require_manage(actor)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed("category name must be 1-100 characters")
    slug = slugify(name)
    if uow.session.execute(scoped(KbCategory, workspace_id=actor.workspace_id).where(KbCategory.slug == slug)
                           ).scalar_one_or_none():
        raise Conflict("a category with this name exists")
    cat = KbCategory(id=new_id("kbc"), workspace_id=actor.workspace_id, name=name, slug=slug, position=0)
    uow.session.add(cat)
    record(uow.session, actor, "kb.category.created", target_type="kb_category", target_id=cat.id,
           request_id=uow.request_id)
    return cat


def categories(uow: UnitOfWork, workspace_id: str) -> list[KbCategory]:
    return list(uow.session.execute(
        scoped(KbCategory, workspace_id=workspace_id).order_by(KbCategory.position, KbCategory.name)).scalars())


def _validate(uow: UnitOfWork, workspace_id: str, title: str, body: str, category_id: str | None) -> None:
    if not 1 <= len(title.strip()) <= 200:
        raise ValidationFailed("title must be 1-200 characters")
    if not body.strip() or len(body) > MAX_BODY:
        raise ValidationFailed(f"body must be 1-{MAX_BODY} characters")
    if category_id:
        get_scoped(uow.session, KbCategory, category_id, workspace_id=workspace_id, what="category")


def save_article(uow: UnitOfWork, actor: Actor, *, title: str, body: str, category_id: str | None = None,
                 article_id: str | None = None, publish: bool = False) -> KbArticle:
    """Create or edit the draft; ``publish`` also makes the draft the published version."""
    _require_manage(actor)
    if article_id:
        art = get_scoped(uow.session, KbArticle, article_id, workspace_id=actor.workspace_id, what="article")
    _validate(uow, actor.workspace_id, title, body, category_id)
    now = utcnow()
    if not article_id:
        slug = base = slugify(title)
        n = 1
        while uow.session.execute(scoped(KbArticle, workspace_id=actor.workspace_id)
                                  .where(KbArticle.slug == slug)).scalar_one_or_none():
            n += 1
            slug = f"{base}-{n}"
        art = KbArticle(id=new_id("kba"), workspace_id=actor.workspace_id, slug=slug, version=0, updated_at=now,
                        title="", body="")
        uow.session.add(art)
    art.title, art.body, art.category_id, art.updated_at = title.strip(), body.strip(), category_id or None, now
    record(uow.session, actor, "kb.article.saved", target_type="kb_article", target_id=art.id,
           request_id=uow.request_id)
    if publish:
        publish_article(uow, actor, art.id)
    return art


def publish_article(uow: UnitOfWork, actor: Actor, article_id: str) -> KbArticle:
    _require_manage(actor)
    art = get_scoped(uow.session, KbArticle, article_id, workspace_id=actor.workspace_id, what="article")
    art.published_title, art.published_body = art.title, art.body
    art.published_at, art.version = utcnow(), art.version + 1
    record(uow.session, actor, "kb.article.published", target_type="kb_article", target_id=art.id,
           details={"version": art.version}, request_id=uow.request_id)
    return art


def unpublish_article(uow: UnitOfWork, actor: Actor, article_id: str) -> KbArticle:
    _require_manage(actor)
    art = get_scoped(uow.session, KbArticle, article_id, workspace_id=actor.workspace_id, what="article")
    art.published_title = art.published_body = None
    art.published_at = None
    record(uow.session, actor, "kb.article.unpublished", target_type="kb_article", target_id=art.id,
           request_id=uow.request_id)
    return art


def articles(uow: UnitOfWork, workspace_id: str, *, published_only: bool) -> list[KbArticle]:
    stmt = scoped(KbArticle, workspace_id=workspace_id)
    if published_only:
        stmt = stmt.where(KbArticle.published_at.is_not(None))
    return list(uow.session.execute(stmt.order_by(KbArticle.title)).scalars())


def article(uow: UnitOfWork, workspace_id: str, article_id: str) -> KbArticle:
    return get_scoped(uow.session, KbArticle, article_id, workspace_id=workspace_id, what="article")


def published_by_slug(uow: UnitOfWork, workspace_id: str, slug: str) -> KbArticle:
    found = uow.session.execute(scoped(KbArticle, workspace_id=workspace_id).where(
        KbArticle.slug == slug, KbArticle.published_at.is_not(None))).scalar_one_or_none()
    if found is None:
        raise NotFound("article not found")
    return found


def _candidate_ids(uow: UnitOfWork, workspace_id: str, terms: list[str], limit: int) -> list[str]:
    if uow.session.get_bind().dialect.name == "sqlite":
        fts = " OR ".join(f'"{t}"' for t in terms)
        rows = uow.session.execute(text(
            "SELECT a.id FROM kb_search s JOIN kb_articles a ON a.rowid = s.rowid WHERE kb_search MATCH :q "
            "AND a.workspace_id = :ws AND a.published_at IS NOT NULL ORDER BY bm25(kb_search, 3.0, 1.0) LIMIT :n"
        ), {"q": fts, "ws": workspace_id, "n": limit}).scalars()
    else:
        tsq = " | ".join(terms)
        doc = ("setweight(to_tsvector('english', coalesce(published_title, '')), 'A') || "
               "setweight(to_tsvector('english', coalesce(published_body, '')), 'D')")
        rows = uow.session.execute(text(
            "SELECT id FROM kb_articles WHERE workspace_id = :ws AND published_at IS NOT NULL AND "
            "to_tsvector('english', coalesce(published_title, '') || ' ' || coalesce(published_body, '')) "
            f"@@ to_tsquery('english', :q) ORDER BY ts_rank_cd({doc}, to_tsquery('english', :q)) DESC LIMIT :n"
        ), {"q": tsq, "ws": workspace_id, "n": limit}).scalars()
    return list(rows)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def coverage(terms: list[str], art: KbArticle) -> float:
    """Share of the question's content words found in the article (title words count double)."""
    if not terms:
        return 0.0
    title = {_stem(w) for w in _WORD.findall((art.published_title or "").lower())}
    body = {_stem(w) for w in _WORD.findall((art.published_body or "").lower())}
    got = sum(2.0 if _stem(t) in title else 1.0 if _stem(t) in body else 0.0 for t in terms)
    return min(1.0, got / len(terms) / 1.5)


def search(uow: UnitOfWork, workspace_id: str, question: str, limit: int = 3) -> list[Hit]:
    """Best published articles for a question, most relevant first, with a 0..1 confidence score."""
    terms = query_terms(question)
    if not terms:
        return []
    ids = _candidate_ids(uow, workspace_id, terms, max(limit * 3, 10))
    if not ids:
        return []
    found = {a.id: a for a in uow.session.execute(select(KbArticle).where(KbArticle.id.in_(ids))).scalars()}
    hits = [Hit(found[i], coverage(terms, found[i])) for i in ids if i in found]
    rank = {i: n for n, i in enumerate(ids)}
    hits.sort(key=lambda h: (-round(h.score, 2), rank[h.article.id]))
    return hits[:limit]
