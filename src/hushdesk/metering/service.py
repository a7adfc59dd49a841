"""Usage metering: daily counters per workspace, monthly statements, CSV, and limits checked before each call.

Counters are incremented in the caller's transaction (an upsert, then ``col = col + n``), so a rolled-back
request counts nothing and concurrent requests never lose an increment.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import DomainError, Forbidden, ValidationFailed
from hushdesk.models import AiSettings, UsageDaily
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm, Role

METRICS = ("ai_calls", "tokens_in", "tokens_out", "speech_chars", "ai_messages")


class UsageLimitReached(DomainError):
    status = 429
    code = "usage_limit_reached"


def record_usage(uow: UnitOfWork, workspace_id: str, **counts: int) -> None:
    unknown = set(counts) - set(METRICS)
    if unknown:
        raise ValueError(f"unknown usage metrics {sorted(unknown)}")
    counts = {k: int(v) for k, v in counts.items() if v}
    if not counts:
        return
    day = utcnow().date()
    dialect = uow.session.get_bind().dialect.name
    ins = pg_insert(UsageDaily) if dialect == "postgresql" else sqlite_insert(UsageDaily)
    uow.session.execute(ins.values(workspace_id=workspace_id, day=day, ai_calls=0, tokens_in=0, tokens_out=0,
                                   speech_chars=0, ai_messages=0)
                        .on_conflict_do_nothing(index_elements=["workspace_id", "day"]))
    values = {name: getattr(UsageDaily, name) + amount for name, amount in counts.items()}
    uow.session.execute(update(UsageDaily).where(UsageDaily.workspace_id == workspace_id, UsageDaily.day == day)
                        .values(**values))


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def month_totals(uow: UnitOfWork, workspace_id: str, year: int, month: int) -> dict[str, int]:
    start, end = _month_bounds(year, month)
    row = uow.session.execute(
        select(*[func.coalesce(func.sum(getattr(UsageDaily, m)), 0) for m in METRICS])
        .where(UsageDaily.workspace_id == workspace_id, UsageDaily.day >= start, UsageDaily.day < end)
    ).one()
    return {m: int(v) for m, v in zip(METRICS, row, strict=True)}


def check_limits(uow: UnitOfWork, workspace_id: str, *, speech_chars: int = 0) -> None:
    """Refuse the next AI call when this month's usage reached a limit the owner set."""
    limits = uow.session.get(AiSettings, workspace_id)
    if limits is None:
        return
    now = utcnow()
    totals = month_totals(uow, workspace_id, now.year, now.month)
    tokens = totals["tokens_in"] + totals["tokens_out"]
    reached = None
    if limits.limit_ai_calls is not None and totals["ai_calls"] >= limits.limit_ai_calls:
        reached = f"{limits.limit_ai_calls} AI calls"
    elif limits.limit_tokens is not None and tokens >= limits.limit_tokens:
        reached = f"{limits.limit_tokens} tokens"
    elif (limits.limit_speech_chars is not None and speech_chars
          and totals["speech_chars"] + speech_chars > limits.limit_speech_chars):
        reached = f"{limits.limit_speech_chars} characters of speech"
    if reached:
        raise UsageLimitReached(
            f"This workspace reached its monthly usage limit ({reached}). The AI assistant is paused until "
            "next month or until the owner raises the limit in AI settings.")


@dataclass(frozen=True)
class Statement:
    year: int
    month: int
    days: list[UsageDaily]
    totals: dict[str, int]
    limits: dict[str, int | None]


def require_owner(actor: Actor) -> None:
    """Billing and usage statements are the owner's (the party paying the provider)."""
    actor.require(Perm.SETTINGS_MANAGE)
    if actor.kind != "user" or actor.role != Role.OWNER:
        raise Forbidden("your role does not allow billing (owner only)", code="permission_denied")


def statement(uow: UnitOfWork, actor: Actor, year: int, month: int) -> Statement:
    require_owner(actor)
    if not (2000 <= year <= 2200 and 1 <= month <= 12):
        raise ValidationFailed("no such month")
    start, end = _month_bounds(year, month)
    days = list(uow.session.execute(
        select(UsageDaily).where(UsageDaily.workspace_id == actor.workspace_id, UsageDaily.day >= start,
                                 UsageDaily.day < end).order_by(UsageDaily.day)
    ).scalars())
    limits = uow.session.get(AiSettings, actor.workspace_id)
    return Statement(year, month, days, month_totals(uow, actor.workspace_id, year, month), {
        "ai_calls": limits.limit_ai_calls if limits else None,
        "tokens": limits.limit_tokens if limits else None,
        "speech_chars": limits.limit_speech_chars if limits else None,
    })


def statement_csv(st: Statement) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", *METRICS])
    for d in st.days:
        writer.writerow([d.day.isoformat(), *[getattr(d, m) for m in METRICS]])
    writer.writerow(["total", *[st.totals[m] for m in METRICS]])
    return out.getvalue()
