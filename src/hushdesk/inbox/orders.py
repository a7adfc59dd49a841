"""Order history: created via API or CSV import; details encrypted under the contact's key."""

from __future__ import annotations

import csv
import io
import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hushdesk.audit.service import record
from hushdesk.channels.base import ContactHint
from hushdesk.db import UnitOfWork
from hushdesk.inbox.contacts import cipher_for, find_or_create, get_contact
from hushdesk.kit.errors import Conflict, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import scoped
from hushdesk.models import Contact, Order
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded", "returned")
MAX_CSV_ROWS = 10_000


@dataclass(frozen=True)
class OrderItem:
    name: str
    quantity: int
    unit_price: str


@dataclass(frozen=True)
class OrderData:
    number: str
    placed_at: datetime
    items: tuple[OrderItem, ...]
    amount: str
    currency: str
    status: str


@dataclass(frozen=True)
class OrderView:
    id: str
    contact_id: str
    data: OrderData


def _validate(data: OrderData) -> None:
    if not data.number.strip() or len(data.number) > 64:
        raise ValidationFailed("order number must be 1-64 characters", code="invalid_order")
    if data.status not in ORDER_STATUSES:
        raise ValidationFailed(f"order status must be one of {', '.join(ORDER_STATUSES)}", code="invalid_order")
    if len(data.currency) != 3 or not data.currency.isalpha():
        raise ValidationFailed("currency must be a 3-letter ISO code", code="invalid_order")
    try:
        if Decimal(data.amount) < 0:
            raise ValidationFailed("amount must not be negative", code="invalid_order")
    except InvalidOperation as exc:
        raise ValidationFailed("amount must be a decimal number", code="invalid_order") from exc
    if data.placed_at.tzinfo is None:
        raise ValidationFailed("order date must include a timezone", code="invalid_order")
    if len(data.items) > 500:
        raise ValidationFailed("at most 500 items per order", code="invalid_order")


def _details(data: OrderData) -> bytes:
    return json.dumps({
        "number": data.number, "items": [item.__dict__ for item in data.items], "amount": data.amount,
        "currency": data.currency.upper(), "status": data.status,
    }).encode()


def create_order(uow: UnitOfWork, actor: Actor, contact_id: str, data: OrderData) -> Order:
    actor.require(Perm.ORDER_WRITE)
    contact = get_contact(uow, actor, contact_id)
    return _insert_order(uow, actor, contact, data)


def _insert_order(uow: UnitOfWork, actor: Actor, contact: Contact, data: OrderData) -> Order:
    _validate(data)
    index = uow.app.keyring.blind_index(contact.workspace_id, "order", data.number.strip().upper())
    if uow.session.execute(
        scoped(Order, workspace_id=contact.workspace_id).where(Order.number_index == index)
    ).first():
        raise Conflict(f"order {data.number} already exists", code="order_exists")
    order_id = new_id("o")
    order = Order(
        id=order_id, workspace_id=contact.workspace_id, contact_id=contact.id, number_index=index,
        details_ct=cipher_for(uow, contact).encrypt(_details(data), f"orders.details:{order_id}"),
        placed_at=data.placed_at,
    )
    uow.session.add(order)
    record(uow.session, actor, "order.created", target_type="order", target_id=order_id,
           details={"contact_id": contact.id}, request_id=uow.request_id)
    return order


def decrypt_orders(uow: UnitOfWork, contact: Contact) -> list[OrderView]:
    cipher = cipher_for(uow, contact)
    rows = uow.session.execute(
        scoped(Order, workspace_id=contact.workspace_id).where(Order.contact_id == contact.id)
        .order_by(Order.placed_at.desc())
    ).scalars()
    views = []
    for order in rows:
        raw: dict[str, Any] = json.loads(cipher.decrypt_bytes(order.details_ct, f"orders.details:{order.id}"))
        items = tuple(OrderItem(**item) for item in raw["items"])
        views.append(OrderView(order.id, contact.id, OrderData(
            raw["number"], order.placed_at, items, raw["amount"], raw["currency"], raw["status"])))
    return views


def list_orders(uow: UnitOfWork, actor: Actor, contact_id: str) -> list[OrderView]:
    """Orders are personal data: reading them is authorised and audited like the contact itself."""
    actor.require(Perm.CONTACT_READ_RAW)
    contact = get_contact(uow, actor, contact_id)
    record(uow.session, actor, "order.listed", target_type="contact", target_id=contact.id,
           request_id=uow.request_id)
    return decrypt_orders(uow, contact)


@dataclass(frozen=True)
class ImportReport:
    created: int
    errors: list[str]


def _parse_items(raw: str) -> tuple[OrderItem, ...]:
    """``items`` column: "Blue mug x2 @ 12.50; T-shirt x1 @ 20" (quantity and price optional)."""
    items = []
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        name, qty, price = part, 1, "0"
        if "@" in name:
            name, price = (s.strip() for s in name.rsplit("@", 1))
        if " x" in name:
            head, _, tail = name.rpartition(" x")
            if tail.strip().isdigit():
                name, qty = head.strip(), int(tail)
        items.append(OrderItem(name=name, quantity=qty, unit_price=price))
    return tuple(items)


def import_orders_csv(uow: UnitOfWork, actor: Actor, content: str) -> ImportReport:
    """Columns: email, name (optional), number, date (ISO 8601), items, amount, currency, status.
    All-or-nothing: any invalid row rejects the whole file with every error listed."""
    actor.require(Perm.ORDER_WRITE)
    actor.require(Perm.CONTACT_WRITE)
    reader = csv.DictReader(io.StringIO(content, newline=""))
    required = {"email", "number", "date", "amount", "currency", "status"}
    try:  # a malformed file (a NUL, a stray quote) is the sender's error, not ours
        fieldnames = reader.fieldnames
        rows = list(itertools.islice(reader, MAX_CSV_ROWS + 1))
    except csv.Error as exc:
        raise ValidationFailed(f"the CSV file cannot be read: {exc}", code="invalid_csv") from exc
    if fieldnames is None or not required.issubset(fieldnames):
        raise ValidationFailed(f"CSV needs the columns {', '.join(sorted(required))}", code="invalid_csv")
    errors: list[str] = []
    created = 0
    for line_no, row in enumerate(rows, start=2):
        if line_no - 1 > MAX_CSV_ROWS:
            raise ValidationFailed(f"at most {MAX_CSV_ROWS} rows per import", code="invalid_csv")
        try:
            placed = datetime.fromisoformat((row.get("date") or "").strip())
            placed = placed if placed.tzinfo else placed.replace(tzinfo=UTC)
            data = OrderData(
                number=(row.get("number") or "").strip(), placed_at=placed,
                items=_parse_items(row.get("items") or ""), amount=(row.get("amount") or "").strip(),
                currency=(row.get("currency") or "").strip().upper(), status=(row.get("status") or "").strip(),
            )
            email = (row.get("email") or "").strip()
            hint = ContactHint("email", email, name=(row.get("name") or "").strip() or None, email=email)
            contact = find_or_create(uow, actor.workspace_id, hint, actor)
            with uow.session.begin_nested():
                _insert_order(uow, actor, contact, data)
            created += 1
        except (ValidationFailed, Conflict, ValueError) as exc:
            errors.append(f"line {line_no}: {exc}")
    if errors:
        raise ValidationFailed(f"{len(errors)} row(s) are invalid; nothing was imported", code="invalid_csv",
                               details=errors[:100])
    return ImportReport(created, errors)
