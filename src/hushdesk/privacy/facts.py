"""The right-to-know facts, built from the data map (every column's ``pii(...)`` info) plus the workspace's
declared processors and retention: categories, sources, purposes with legal basis, recipients, retention.

Shown on the privacy center, included in every access archive, and answered for CCPA "right to know".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from hushdesk.models import Base, PersonalData, Workspace
from hushdesk.privacy.purposes import PURPOSES
from hushdesk.tenancy.service import workspace_settings

# Where each table's data about a customer comes from. A test fails when a table holding a contact's data
# has no source here.
TABLE_SOURCES: dict[str, str] = {
    "contacts": "You, when you write to us (chat, email, forms) or when the business adds you",
    "contact_identities": "You: the addresses and accounts you contact us from",
    "orders": "The business's shop or order system",
    "conversations": "You and our support team",
    "messages": "You and our support team (including internal notes about your requests)",
    "attachments": "You: files you send us",
    "visitor_sessions": "Your browser, when you use the chat on our website",
    "processing_flags": "You: your privacy choices",
    "consent_events": "You: consents you gave or withdrew",
    "dsr_requests": "You: your privacy requests",
    "outbound_emails": "Us: emails we are about to send you",
    "ai_calls": "Us: the redacted text our AI assistant sent to the AI provider (placeholders, not your details)",
    "ai_drafts": "Us: reply drafts and summaries our AI assistant prepared for our agents",
    "audio_clips": "Us: spoken versions of our replies to you",
}

CATEGORY_TITLES: dict[str, str] = {
    "user.name": "Name",
    "user.contact.email": "Email address",
    "user.contact.phone": "Phone number",
    "user.preference.locale": "Language preference",
    "user.identifier": "Identifiers (email, phone, chat or account ids)",
    "user.identifier.blind_index": "Pseudonymous lookup keys derived from your identifiers",
    "user.financial.order": "Order history (numbers, items, amounts, status)",
    "user.financial.order.index": "Pseudonymous lookup key of order numbers",
    "user.financial.order.date": "Order dates",
    "user.content.message": "Messages you sent and received, and notes about your requests",
    "user.content.subject": "Conversation subjects",
    "user.content.mapping": "Which placeholder stands for which value in redacted copies",
    "user.content.file": "Files you sent",
    "user.content.email": "Emails we send you",
    "user.privacy.preference": "Your privacy choices (restrictions, objections, opt-outs)",
    "user.privacy.consent": "Consents given and withdrawn",
    "user.privacy.request": "Your privacy requests",
    "user.privacy.agent": "Details of someone you authorised to act for you",
}

DEFAULT_PROCESSORS = [
    {"name": "Hosting provider of this helpdesk", "role": "processor", "data": "all categories, encrypted"},
    {"name": "Email delivery provider", "role": "processor", "data": "email address and the emails we send"},
    {"name": "AI model provider (if AI drafting is on)", "role": "processor",
     "data": "redacted message text only: names, addresses and numbers are replaced by placeholders"},
]
DEFAULT_RETENTION = {
    "default": "Kept while you are our customer and erased when you ask; conversations become anonymous "
               "(redacted, unlinked) when you are erased.",
    "user.privacy.request": "Records of privacy requests and answers are kept for 24 months (legal obligation).",
    "user.content.email": "Deleted from the outbox as soon as the email is sent.",
}


@dataclass(frozen=True)
class CategoryFacts:
    category: str
    title: str
    tables: list[str]
    purposes: list[tuple[str, str]]  # (purpose, legal basis)
    sources: list[str]
    encrypted: bool
    on_erasure: list[str]
    retention: str


@dataclass(frozen=True)
class RightToKnow:
    business: str
    privacy_contact: str | None
    categories: list[CategoryFacts]
    purposes: list[dict[str, str]]
    recipients: list[dict[str, str]]
    sold: bool
    shared_for_advertising: bool
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def contact_columns() -> list[tuple[str, str, PersonalData]]:
    """(table, column, classification) of every column that holds a contact's personal data."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            info = column.info.get("pii")
            if isinstance(info, PersonalData) and info.subject == "contact":
                found.append((table.name, column.name, info))
    return found


def _privacy_settings(ws: Workspace) -> dict[str, Any]:
    value = workspace_settings(ws).get("privacy", {})
    return value if isinstance(value, dict) else {}


def right_to_know(ws: Workspace) -> RightToKnow:
    settings = _privacy_settings(ws)
    retention: dict[str, str] = {**DEFAULT_RETENTION, **settings.get("retention", {})}
    grouped: dict[str, dict[str, Any]] = {}
    for table, _column, info in contact_columns():
        entry = grouped.setdefault(info.category, {"tables": set(), "purposes": set(), "encrypted": False,
                                                   "erasure": set()})
        entry["tables"].add(table)
        entry["purposes"].add((info.purpose, info.legal_basis))
        entry["encrypted"] = entry["encrypted"] or info.encrypted
        entry["erasure"].add(info.erasure)
    categories = [
        CategoryFacts(
            category=cat, title=CATEGORY_TITLES.get(cat, cat), tables=sorted(e["tables"]),
            purposes=sorted(e["purposes"]), sources=sorted({TABLE_SOURCES.get(t, "us") for t in e["tables"]}),
            encrypted=e["encrypted"], on_erasure=sorted(e["erasure"]),
            retention=retention.get(cat, retention["default"]),
        )
        for cat, e in sorted(grouped.items())
    ]
    purposes = [{"purpose": p.name, "title": p.title, "legal_basis": p.legal_basis, "description": p.description}
                for p in PURPOSES.values()]
    recipients = settings.get("processors") or DEFAULT_PROCESSORS
    return RightToKnow(
        business=ws.name, privacy_contact=ws.privacy_contact, categories=categories, purposes=purposes,
        recipients=[dict(r) for r in recipients], sold=bool(settings.get("sells_data", False)),
        shared_for_advertising=bool(settings.get("shares_for_advertising", False)),
        sources=sorted(set(TABLE_SOURCES.values())),
    )
