"""Pydantic schemas of the privacy JSON API (/api/v1/privacy/... public, /api/v1/dsr... privacy officer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RequestKind = Literal["access", "portability", "rectification", "erasure", "restriction", "objection",
                      "withdraw_consent", "deactivation", "ccpa_know", "opt_out_sale", "limit_sensitive",
                      "complaint"]
PurposeName = Literal["support", "ai_drafting", "analytics", "optional_messages", "marketing", "sale_sharing",
                      "sensitive_use", "compliance"]
Status = Literal["received", "awaiting_verification", "verified", "in_progress", "awaiting_approval",
                 "completed", "denied"]
DenialReason = Literal["identity_not_verified", "manifestly_unfounded", "excessive", "legal_exemption",
                       "agent_not_authorized", "duplicate", "withdrawn_by_requester", "subject_erased"]
ExtensionReason = Literal["complexity", "number_of_requests"]
QueueView = Literal["open", "due_soon", "overdue", "waiting", "closed", "all"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Corrections(Strict):
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40)


class AgentIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    permission_base64: str = Field(min_length=4, max_length=7_000_000,
                                   description="The customer's signed permission (PDF or image), base64")
    permission_type: str = Field(default="application/pdf", max_length=100)


class SubmitIn(Strict):
    kind: RequestKind
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$",
                       description="The email address the customer uses with the business")
    name: str | None = Field(default=None, max_length=200)
    details: str | None = Field(default=None, max_length=5000)
    purpose: PurposeName | None = None
    california: bool = Field(default=False, description="California resident: the CCPA clock applies")
    corrections: Corrections | None = None
    agent: AgentIn | None = Field(default=None, description="Set when an authorized agent submits")


class SubmittedOut(BaseModel):
    id: str
    status: Status
    received_at: datetime
    due_at: datetime
    token: str = Field(description="Secret for following the request; keep it. Shown once.")
    status_url: str


class VerifyIn(Strict):
    token: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=1, max_length=20)
    factor: str | None = Field(default=None, max_length=100,
                               description="Erasure step-up: an order number or the phone number on file")


class TokenIn(Strict):
    token: str = Field(min_length=1, max_length=100)


class VerifyOut(BaseModel):
    ok: bool
    reason: str | None
    next_step: str | None
    attempts_left: int
    status: str


class StatusOut(BaseModel):
    id: str
    kind: str
    title: str
    status: str
    regime: str
    received_at: datetime
    due_at: datetime
    extended: bool
    step: str | None
    factor_required: bool
    closed_at: datetime | None
    denial_reason: str | None
    result: dict[str, Any]


class RequestOut(BaseModel):
    id: str
    kind: str
    regime: str
    status: str
    via: str
    contact_id: str | None
    authorized_agent: bool
    subject_confirmed: bool
    requires_approval: bool
    verification_level: int
    received_at: datetime
    confirm_due_at: datetime | None
    original_due_at: datetime
    due_at: datetime
    overdue: bool
    waiting_on: str
    extended_at: datetime | None
    extension_reason: str | None
    paused: bool
    paused_days: int
    verified_at: datetime | None
    approved_at: datetime | None
    closed_at: datetime | None
    denial_reason: str | None
    retain_until: datetime | None
    result: dict[str, Any]


class RequestDetailOut(RequestOut):
    requester_email: str | None
    requester_name: str | None
    text: str | None
    corrections: dict[str, str]
    agent_name: str | None
    agent_email: str | None
    history: list[dict[str, Any]]


class DenyIn(Strict):
    reason: DenialReason
    note: str | None = Field(default=None, max_length=5000)


class ExtendIn(Strict):
    reason: ExtensionReason


class StartIn(Strict):
    kind: RequestKind
    purpose: PurposeName | None = None
    details: str | None = Field(default=None, max_length=5000)
    corrections: Corrections | None = None


class StartedOut(BaseModel):
    id: str
    status: Status
    due_at: datetime


class FlagOut(BaseModel):
    kind: str
    purpose: str
    since: datetime


class ConsentOut(BaseModel):
    purpose: str
    granted: bool
    at: datetime


class PrivacyStateOut(BaseModel):
    contact_id: str
    flags: list[FlagOut]
    consents: list[ConsentOut]


class LiftIn(Strict):
    kind: Literal["restricted", "objected", "deactivated", "opt_out_sale", "limit_sensitive"]
    purpose: str = Field(default="*", max_length=40)
