"""What erasure does to each table, read from the data map (every column's ``pii(...)`` erasure action).

A table that holds a ``keep_redacted`` or ``retain:legal`` column keeps its rows: their ciphertexts (and key
reference) and their ``delete`` columns are cleared. Every other table reached from the contact loses the rows.
New tables are covered as soon as they have a locator (``dsr.locate``; a test enforces it) and a data map.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Mapper

from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork
from hushdesk.dsr.locate import LOCATORS
from hushdesk.dsr.scrub import KnownValue, Scrubber, scrubber_for
from hushdesk.models import Base, Conversation, PersonalData
from hushdesk.redaction import PlaceholderState

# Handled by name in the erasure: the contact row is deleted last, conversations are unlinked last (others are
# found through them), requests keep their legal record and forget their requester (their own key).
SPECIAL = ("contacts", "conversations", "dsr_requests")
KEEP_ACTIONS = ("keep_redacted", "retain:legal")


@dataclass(frozen=True)
class TablePlan:
    name: str
    model: type[Any]
    keep: bool
    clear: tuple[str, ...]  # attribute names set to NULL on kept rows (ciphertexts, delete-action columns)
    redacted: tuple[str, ...]  # keep_redacted text attributes to scrub


def _model_for(table_name: str) -> tuple[type[Any], Mapper[Any]]:
    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table_name:
            return mapper.class_, mapper
    raise LookupError(table_name)


@cache
def plans() -> list[TablePlan]:
    out = []
    for name in LOCATORS:
        if name in SPECIAL:
            continue
        model, mapper = _model_for(name)
        keep, clear, redacted = False, [], []
        for column in mapper.local_table.columns:
            info = column.info.get("pii")
            if not isinstance(info, PersonalData):
                continue
            attr = mapper.get_property_by_column(column).key
            if info.erasure in KEEP_ACTIONS:
                keep = True
                if info.erasure == "keep_redacted":
                    redacted.append(attr)
            elif column.nullable:
                clear.append(attr)
        if keep and "key_id" in mapper.attrs and mapper.local_table.c.key_id.nullable:
            clear.append("key_id")
        out.append(TablePlan(name, model, keep, tuple(clear), tuple(redacted)))
    return out


def erase_batch(uow: UnitOfWork, workspace_id: str, contact_id: str, batch: int) -> tuple[int, bool]:
    """Up to ``batch`` rows, table after table, in the caller's transaction. Returns (rows done, budget used
    up): when the budget is not used up, nothing of the contact is left in these tables."""
    done = 0
    for plan in plans():
        budget = batch - done
        if budget <= 0:
            return done, True
        located = LOCATORS[plan.name](workspace_id, contact_id).order_by(None)
        pk = plan.model.id
        if plan.keep:
            if not plan.clear:
                continue
            left = or_(*(getattr(plan.model, attr).is_not(None) for attr in plan.clear))
            ids = list(uow.session.execute(located.where(left).with_only_columns(pk).limit(budget)).scalars())
            if ids:
                uow.session.execute(update(plan.model).where(pk.in_(ids)).values({a: None for a in plan.clear}))
        else:
            ids = list(uow.session.execute(located.with_only_columns(pk).limit(budget)).scalars())
            if ids:
                uow.session.execute(delete(plan.model).where(pk.in_(ids)))
        done += len(ids)
        if len(ids) == budget:
            return done, True  # this table may hold more: the next batch starts here again
    return done, False


def scrub_other_tables(uow: UnitOfWork, workspace_id: str, contact_id: str, cipher: ContactCipher,
                       values: list[KnownValue]) -> int:
    """Scrub kept redacted copies outside messages (e.g. the AI-call log), with their conversation's
    placeholders when they belong to one."""
    changed = 0
    scrubbers: dict[str | None, Scrubber] = {}
    for plan in plans():
        if not plan.keep or not plan.redacted or plan.name == "messages":
            continue
        for row in uow.session.execute(LOCATORS[plan.name](workspace_id, contact_id)).scalars():
            conv_id = getattr(row, "conversation_id", None)
            if conv_id not in scrubbers:
                conv = uow.session.get(Conversation, conv_id) if conv_id else None
                scrubbers[conv_id] = (scrubber_for(conv, cipher, values) if conv is not None
                                      else Scrubber(values, PlaceholderState()))
            for attr in plan.redacted:
                before = getattr(row, attr)
                after = scrubbers[conv_id](before)
                if after != before:
                    setattr(row, attr, after)
                    changed += 1
    return changed
