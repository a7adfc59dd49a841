"""The purposes personal data is processed for, with their legal basis and what stops each one.

Every processing path names its purpose when it asks ``privacy.service.processing_allowed``; the privacy
center, the right-to-know report and the consent form are built from this one table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Purpose:
    name: str
    title: str
    legal_basis: str  # contract | legitimate_interest | consent | legal_obligation
    description: str
    objectable: bool  # the customer may object (GDPR art. 21) and it stops
    restrictable: bool  # stops while processing is restricted (GDPR art. 18)
    needs_consent: bool  # runs only after consent was given and not withdrawn


PURPOSES: dict[str, Purpose] = {
    p.name: p
    for p in (
        Purpose("support", "Answering your messages", "contract",
                "Reading and replying to what you send us, and keeping the history of your conversations.",
                objectable=False, restrictable=False, needs_consent=False),
        Purpose("ai_drafting", "AI-assisted replies", "legitimate_interest",
                "An AI model drafts replies for our agents from the redacted text of your messages.",
                objectable=True, restrictable=True, needs_consent=False),
        Purpose("analytics", "Service statistics", "legitimate_interest",
                "Anonymous counts (messages per hour and channel) that help us staff the helpdesk.",
                objectable=True, restrictable=True, needs_consent=False),
        Purpose("optional_messages", "Follow-ups and surveys", "legitimate_interest",
                "Satisfaction surveys and follow-up messages that you did not ask for.",
                objectable=True, restrictable=True, needs_consent=False),
        Purpose("marketing", "News and offers", "consent",
                "Newsletters and offers, only if you agreed to receive them.",
                objectable=True, restrictable=True, needs_consent=True),
        Purpose("sale_sharing", "Sale or sharing (CCPA)", "consent",
                "Selling personal information or sharing it for cross-context behavioral advertising.",
                objectable=True, restrictable=True, needs_consent=False),
        Purpose("sensitive_use", "Use of sensitive information (CCPA)", "contract",
                "Using sensitive personal information beyond what is needed to provide the service.",
                objectable=True, restrictable=True, needs_consent=False),
        Purpose("compliance", "Legal obligations", "legal_obligation",
                "Answering your privacy requests and keeping the records the law requires.",
                objectable=False, restrictable=False, needs_consent=False),
    )
}

# Purposes a customer can give or withdraw consent for on the privacy center.
CONSENT_PURPOSES = tuple(p.name for p in PURPOSES.values() if p.name not in ("support", "compliance"))
OBJECTABLE = tuple(p.name for p in PURPOSES.values() if p.objectable)


def get_purpose(name: str) -> Purpose:
    try:
        return PURPOSES[name]
    except KeyError as exc:
        raise ValueError(f"unknown processing purpose {name!r}") from exc
