"""The access audit for privacy officers and auditors: the log filtered by actor, contact, action and time;
"who has seen this customer's data"; CSV / JSON export. Reading the log is itself audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from hushdesk.assistant import calls as ai_calls
from hushdesk.audit import export
from hushdesk.audit.access import who_has_seen
from hushdesk.audit.service import read_audit_log, record
from hushdesk.kit.errors import ValidationFailed
from hushdesk.kit.repository import get_scoped
from hushdesk.models import AuditEvent, Contact
from hushdesk.tenancy.permissions import Perm
from hushdesk.web.access import requires
from hushdesk.web.page import Page, PageContext

router = APIRouter(prefix="/audit")
Text = Annotated[str, Query(max_length=100)]
MAX_EXPORT = 1000


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    contact: str = ""
    action: str = ""
    since: str = ""
    until: str = ""

    def window(self) -> tuple[datetime | None, datetime | None]:
        return _when(self.since, "since"), _when(self.until, "until")


def _when(value: str, what: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed(f"{what}: use a date like 2026-03-01 or 2026-03-01T09:30", code="bad_date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _in(event: AuditEvent, filters: Filters, since: datetime | None, until: datetime | None) -> bool:
    return ((since is None or event.created_at >= since) and (until is None or event.created_at < until)
            and (not filters.actor or event.actor_id == filters.actor) and event.action.startswith(filters.action))


def _events(page: PageContext, filters: Filters, limit: int) -> list[AuditEvent]:
    page.actor.require(Perm.AUDIT_READ)  # before anything can tell whether a contact exists
    since, until = filters.window()
    if filters.contact.strip():
        get_scoped(page.uow.session, Contact, filters.contact.strip(), workspace_id=page.actor.workspace_id,
                   what="contact")
        events = who_has_seen(page.uow.session, page.actor, filters.contact.strip(), limit=limit)
        return [e for e in events if _in(e, filters, since, until)]
    return read_audit_log(page.uow.session, page.actor, actor_id=filters.actor.strip() or None,
                          action_prefix=filters.action.strip() or None, since=since, until=until, limit=limit)


def _viewed(page: PageContext, filters: Filters, how: str, count: int) -> None:
    record(page.uow.session, page.actor, "audit.viewed" if how == "page" else "audit.exported",
           target_type="audit", details={"format": how, "rows": count, "contact_id": filters.contact or None,
                                         "actor_id": filters.actor or None, "action": filters.action or None},
           request_id=page.uow.request_id)


@router.get("", dependencies=[requires(Perm.AUDIT_READ)])
def audit_log(page: Page, actor: Text = "", contact: Text = "", action: Text = "", since: Text = "",
              until: Text = "") -> HTMLResponse:
    filters = Filters(actor, contact, action, since, until)
    events = _events(page, filters, 200)
    _viewed(page, filters, "page", len(events))
    return page.render("audit/log.html", {"events": events, "filters": filters, "nav": "audit"})


@router.get("/export.{fmt}", dependencies=[requires(Perm.AUDIT_READ)], response_model=None)
def audit_export(page: Page, fmt: str, actor: Text = "", contact: Text = "", action: Text = "", since: Text = "",
                 until: Text = "") -> Response:
    if fmt not in ("csv", "json"):
        raise ValidationFailed("export as csv or json", code="bad_format")
    filters = Filters(actor, contact, action, since, until)
    events = _events(page, filters, MAX_EXPORT)
    _viewed(page, filters, fmt, len(events))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    body = export.to_csv(events) if fmt == "csv" else export.to_json(events, workspace_id=page.actor.workspace_id)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return Response(body, media_type=media, headers={
        "content-disposition": f'attachment; filename="audit-{stamp}.{fmt}"', "cache-control": "no-store"})


@router.get("/contacts/{contact_id}", dependencies=[requires(Perm.AUDIT_READ)])
def contact_access(page: Page, contact_id: str) -> HTMLResponse:
    """Who has seen this customer's data (linked from the contact panel)."""
    page.actor.require(Perm.AUDIT_READ)
    get_scoped(page.uow.session, Contact, contact_id, workspace_id=page.actor.workspace_id, what="contact")
    events = who_has_seen(page.uow.session, page.actor, contact_id)
    filters = Filters(contact=contact_id)
    _viewed(page, filters, "page", len(events))
    return page.render("audit/log.html", {"events": events, "filters": filters, "nav": "audit",
                                          "contact_view": True})


# -- the AI-call log: what left the server (redacted), to which model, at what cost --------------------------
Status = Annotated[str, Query(max_length=20)]
MAX_CALL_EXPORT = 5000


@dataclass(frozen=True)
class CallFilters:
    status: str = ""
    since: str = ""
    until: str = ""

    def query(self) -> dict[str, object]:
        if self.status and self.status not in ai_calls.CALL_STATUSES:
            raise ValidationFailed(f"status: one of {', '.join(ai_calls.CALL_STATUSES)}", code="bad_status")
        return {"status": self.status or None, "since": _when(self.since, "since"),
                "until": _when(self.until, "until")}


def _calls_viewed(page: PageContext, action: str, details: dict[str, object], target_id: str | None = None) -> None:
    record(page.uow.session, page.actor, action, target_type="ai_call" if target_id else "ai_calls",
           target_id=target_id, details=details, request_id=page.uow.request_id)


@router.get("/ai-calls", dependencies=[requires(Perm.AUDIT_READ)])
def ai_call_log(page: Page, status: Status = "", since: Text = "", until: Text = "",
                offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> HTMLResponse:
    filters = CallFilters(status, since, until)
    found = ai_calls.list_calls(page.uow, page.actor, limit=100, offset=offset, **filters.query())  # type: ignore[arg-type]
    _calls_viewed(page, "ai_calls.viewed", {"format": "page", "rows": len(found.calls), "status": status or None,
                                            "since": since or None, "until": until or None})
    return page.render("audit/ai_calls.html", {
        "found": found, "names": ai_calls.askers(page.uow, found.calls), "filters": filters,
        "statuses": ai_calls.CALL_STATUSES, "nav": "ai_calls"})


@router.get("/ai-calls.csv", dependencies=[requires(Perm.AUDIT_READ)])
def ai_call_export(page: Page, status: Status = "", since: Text = "", until: Text = "") -> Response:
    filters = CallFilters(status, since, until)
    found = ai_calls.list_calls(page.uow, page.actor, limit=MAX_CALL_EXPORT, **filters.query())  # type: ignore[arg-type]
    _calls_viewed(page, "ai_calls.exported", {"format": "csv", "rows": len(found.calls), "status": status or None,
                                              "since": since or None, "until": until or None})
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    body = ai_calls.calls_csv(found.calls, ai_calls.askers(page.uow, found.calls))
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="ai-calls-{stamp}.csv"', "cache-control": "no-store"})


@router.get("/ai-calls/{call_id}", dependencies=[requires(Perm.AUDIT_READ)])
def ai_call_detail(page: Page, call_id: str) -> HTMLResponse:
    call = ai_calls.get_call(page.uow, page.actor, call_id)
    _calls_viewed(page, "ai_call.viewed", {"feature": call.feature}, target_id=call.id)
    return page.render("audit/ai_call.html", {"call": call, "names": ai_calls.askers(page.uow, [call]),
                                              "nav": "ai_calls"})
