"""Prompts built ONLY from redacted text, and rehydration of the answer on our side.

The conversation's messages come from ``messages.body_redacted`` (placeholders numbered consistently across the
conversation: <PERSON_1>, <ORDER_1>); articles are the business's own published text. The provider's answer is
filled back in with the conversation's encrypted placeholder map; only exact, known placeholders are filled, so a
placeholder the model invented or altered stays visible and blocks sending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hushdesk.assistant.kb import Hit, query_terms
from hushdesk.assistant.providers import ChatMessage
from hushdesk.models import Message
from hushdesk.redaction import PlaceholderState

MAX_MESSAGES = 30
MAX_PROMPT_CHARS = 24_000
ARTICLE_CHARS = 2_000
ROLE_NAMES = {"contact": "Customer", "user": "Agent", "bot": "Assistant", "system": "System"}

RULES = (
    "Personal data in this conversation was replaced by placeholders such as <PERSON_1>, <EMAIL_1> or "
    "<ORDER_1>. Use the placeholders exactly as written when you need them; never invent new ones and never "
    "guess the real values. Base factual answers on the knowledge-base articles; if they do not cover the "
    "question, say that a colleague will check."
)


def transcript(messages: list[Message]) -> str:
    lines: list[str] = []
    for m in messages[-MAX_MESSAGES:]:
        who = "Internal note" if m.kind == "note" else ROLE_NAMES.get(m.author_type, "Agent")
        lines.append(f"{who}: {m.body_redacted.strip()}")
    text = "\n".join(lines)
    return text[-MAX_PROMPT_CHARS:]


def articles_block(hits: list[Hit]) -> str:
    if not hits:
        return "(no matching knowledge-base article)"
    return "\n\n".join(
        f"[{n}] {h.article.published_title}\n{(h.article.published_body or '')[:ARTICLE_CHARS]}"
        for n, h in enumerate(hits, 1))


def draft_prompt(business: str, messages: list[Message], hits: list[Hit]) -> list[ChatMessage]:
    system = (f"You draft replies for the support team of {business}. {RULES} Write only the reply to the "
              "customer, in the customer's language, friendly and concise.")
    user = (f"Knowledge-base articles:\n{articles_block(hits)}\n\nConversation so far:\n{transcript(messages)}\n\n"
            "Draft the agent's next reply.")
    return [ChatMessage("system", system), ChatMessage("user", user)]


def summary_prompt(business: str, messages: list[Message]) -> list[ChatMessage]:
    system = (f"You summarise support conversations for the team of {business}. {RULES} Write 2-5 short "
              "bullet points: the customer's issue, what was done, and what is still open.")
    return [ChatMessage("system", system), ChatMessage("user", f"Conversation:\n{transcript(messages)}")]


def bot_prompt(business: str, messages: list[Message], hits: list[Hit]) -> list[ChatMessage]:
    system = (f"You are the automatic assistant on the website chat of {business}. {RULES} Answer ONLY from the "
              "knowledge-base articles, in two or three sentences. If they do not answer the question, reply "
              "exactly HANDOFF.")
    user = f"Knowledge-base articles:\n{articles_block(hits)}\n\nConversation:\n{transcript(messages)}"
    return [ChatMessage("system", system), ChatMessage("user", user)]


def prompt_text(messages: list[ChatMessage]) -> str:
    """The exact text that leaves the server, for the AI-call log."""
    return "\n\n".join(f"[{m.role}]\n{m.content}" for m in messages)


@dataclass(frozen=True)
class Rehydrated:
    text: str  # real values filled in: personal data, shown to the agent only, stored encrypted
    unknown: list[str]  # placeholders left unfilled (invented or altered by the model)


def rehydrate(state: PlaceholderState, answer: str) -> Rehydrated:
    text, unknown = state.rehydrate(answer)
    return Rehydrated(text, list(dict.fromkeys(unknown)))


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def extractive_answer(question: str, hits: list[Hit], max_sentences: int = 3) -> str:
    """Retrieval-only mode: quote the best article's most relevant sentences, and cite it."""
    if not hits:
        return ""
    best = hits[0].article
    terms = set(query_terms(question))
    sentences = [s.strip() for s in _SENTENCE.split(best.published_body or "") if s.strip()]
    scored = sorted(range(len(sentences)),
                    key=lambda i: (-len(terms & set(query_terms(sentences[i], 64))), i))
    chosen = sorted(scored[:max_sentences])
    quote = " ".join(sentences[i] for i in chosen)
    return f"{quote}\n\n(From our help article “{best.published_title}”.)"
