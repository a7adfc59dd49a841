"""Pydantic schemas of the JSON API (/api/v1)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["open", "pending", "resolved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
SpamQuery = Literal["false", "true", "any"]  # leave the Spam folder out (default), only spam, or both
OrderStatus = Literal["pending", "paid", "shipped", "delivered", "cancelled", "refunded", "returned"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(Strict):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    locale: str | None = Field(default=None, max_length=20)


class ContactPatch(Strict):
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40)
    locale: str | None = Field(default=None, max_length=20)


class ContactOut(BaseModel):
    id: str
    name: str | None
    email: str | None
    phone: str | None
    locale: str | None
    created_at: datetime


class OrderItemIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    quantity: int = Field(default=1, ge=1, le=100_000)
    unit_price: str = Field(default="0", max_length=20, pattern=r"^\d+(\.\d{1,4})?$")


class OrderIn(Strict):
    number: str = Field(min_length=1, max_length=64)
    placed_at: datetime
    items: list[OrderItemIn] = Field(default_factory=list, max_length=500)
    amount: str = Field(max_length=20, pattern=r"^\d+(\.\d{1,4})?$")
    currency: str = Field(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")
    status: OrderStatus


class OrderOut(BaseModel):
    id: str
    contact_id: str
    number: str
    placed_at: datetime
    items: list[OrderItemIn]
    amount: str
    currency: str
    status: str


class ConversationCreate(Strict):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str | None = Field(default=None, max_length=200)
    subject: str | None = Field(default=None, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)
    client_message_id: str | None = Field(default=None, min_length=1, max_length=64)


class MessageCreate(Strict):
    kind: Literal["outbound", "note", "inbound"] = "outbound"
    body: str = Field(min_length=1, max_length=20_000)
    client_message_id: str | None = Field(default=None, min_length=1, max_length=64)
    email: str | None = Field(default=None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$",
                              description="required for kind=inbound")


class ConversationPatch(Strict):
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: str | None = Field(default=None, max_length=32)
    unassign: bool = False
    add_tags: list[str] = Field(default_factory=list, max_length=20)
    remove_tags: list[str] = Field(default_factory=list, max_length=20)
    spam: bool | None = Field(default=None, description="true moves it to the Spam folder, false is 'not spam'")


class ConversationOut(BaseModel):
    id: str
    number: int
    contact_id: str | None
    channel: str
    status: str
    priority: str
    assignee_id: str | None
    subject: str | None = Field(description="redacted subject")
    tags: list[str]
    message_count: int
    created_at: datetime
    last_message_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    spam: bool = Field(description="in the Spam folder (left out of the normal lists)")
    spam_score: float | None = Field(description="highest automatic spam score seen, if any")
    spam_reasons: str | None = Field(description="the signals behind the score, e.g. 'links=3 shortener=1'")
    spam_source: str | None = Field(description="auto, agent, or cleared (an agent said it is not spam)")


class MessageOut(BaseModel):
    id: str
    conversation_id: str
    kind: str
    author_type: str
    body: str
    redacted: bool
    created_at: datetime
    client_message_id: str | None


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class CreatedConversation(BaseModel):
    conversation: ConversationOut
    message: MessageOut
    created: bool


class CannedIn(Strict):
    shortcut: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000)


class CannedOut(BaseModel):
    id: str
    shortcut: str
    title: str
    body: str


class ImportResult(BaseModel):
    created: int


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: object | None = None


class ErrorOut(BaseModel):
    error: ErrorInfo
