"""``hushdesk dsr``: the privacy officer's command line (list | show | approve | deny | extend | sweep).

Acts as the member given with ``--as EMAIL`` (their role must allow it), or as the system actor ``cli`` when
omitted; every action is audited like its web and API counterparts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import click

from hushdesk.accounts.service import find_user_by_email, membership_role
from hushdesk.config import get_settings
from hushdesk.context import AppContext
from hushdesk.db import UnitOfWork
from hushdesk.dsr import officer
from hushdesk.dsr import repository as repo
from hushdesk.dsr.kinds import DENIAL_REASONS, EXTENSION_REASONS
from hushdesk.dsr.routes import request_out
from hushdesk.dsr.tasks import sweep
from hushdesk.kit.errors import DomainError
from hushdesk.tenancy.actor import Actor, system_actor
from hushdesk.tenancy.service import get_workspace_by_slug

T = TypeVar("T")
VIEWS = ("open", "due_soon", "overdue", "waiting", "closed", "all")


def _actor(uow: UnitOfWork, slug: str, as_email: str | None) -> Actor:
    ws = get_workspace_by_slug(uow, slug)
    if as_email is None:
        return system_actor(ws.id, "cli")
    user = find_user_by_email(uow, as_email)
    role = membership_role(uow, user.id, ws.id) if user else None
    if user is None or role is None:
        raise click.ClickException(f"{as_email} is not a member of {slug}")
    return Actor(workspace_id=ws.id, kind="user", id=user.id, name=user.name, role=role)


def _run(ctx: click.Context, fn: Callable[[UnitOfWork, Actor], T]) -> T:
    app: AppContext = ctx.obj["app"] if ctx.obj and "app" in ctx.obj else AppContext.create(get_settings())
    try:
        with app.unit_of_work() as uow:
            return fn(uow, _actor(uow, ctx.obj["slug"], ctx.obj["as_email"]))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


@click.group()
@click.option("--workspace", "slug", required=True, help="workspace slug")
@click.option("--as", "as_email", default=None, help="act as this member (default: system actor 'cli')")
@click.pass_context
def dsr(ctx: click.Context, slug: str, as_email: str | None) -> None:
    """Data-subject requests: the privacy officer's queue."""
    ctx.ensure_object(dict)
    ctx.obj.update(slug=slug, as_email=as_email)


@dsr.command("list")
@click.option("--view", type=click.Choice(VIEWS), default="open", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_context
def list_(ctx: click.Context, view: str, as_json: bool) -> None:
    """Requests by due date: open, due within 7 days, overdue, waiting (on the requester or on you), closed."""
    rows = _run(ctx, lambda uow, actor: [request_out(r) for r in officer.list_queue(
        uow, actor, repo.QueueFilter(view=view), limit=200)])
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    if not rows:
        click.echo("no requests")
    for r in rows:
        flag = "OVERDUE " if r.overdue else ""
        click.echo(f"{r.id}  {r.kind:<17} {r.regime:<4} {r.status:<22} due {r.due_at:%Y-%m-%d}  {flag}"
                   f"waiting on {r.waiting_on}")


@dsr.command()
@click.argument("request_id")
@click.pass_context
def show(ctx: click.Context, request_id: str) -> None:
    """One request with its requester details (audited) and history."""
    def act(uow: UnitOfWork, actor: Actor) -> str:
        d = officer.reveal_request(uow, actor, request_id)
        out = request_out(d.request).model_dump(mode="json")
        out.update(requester_email=d.requester_email, requester_name=d.requester_name, text=d.text,
                   corrections=d.corrections, agent_name=d.agent_name, agent_email=d.agent_email,
                   history=[[at.isoformat(), action, who] for at, action, who in d.history])
        return json.dumps(out, indent=2)

    click.echo(_run(ctx, act))


@dsr.command()
@click.argument("request_id")
@click.pass_context
def approve(ctx: click.Context, request_id: str) -> None:
    """Approve a request waiting for approval (or resolve a complaint) and carry it out."""
    _run(ctx, lambda uow, actor: officer.approve(uow, actor, request_id))
    # Erasure and exports finish in jobs after the approval commits: report where the request is now.
    status = _run(ctx, lambda uow, actor: officer.get_request(uow, actor, request_id).status)
    click.echo(f"{request_id}: {status}")


@dsr.command()
@click.argument("request_id")
@click.option("--reason", type=click.Choice(DENIAL_REASONS), required=True)
@click.option("--note", default=None, help="kept with the request, encrypted")
@click.pass_context
def deny(ctx: click.Context, request_id: str, reason: str, note: str | None) -> None:
    """Deny with a reason the requester is told."""
    status = _run(ctx, lambda uow, actor: officer.deny_request(uow, actor, request_id, reason, note).status)
    click.echo(f"{request_id}: {status} ({reason})")


@dsr.command()
@click.argument("request_id")
@click.option("--reason", type=click.Choice(EXTENSION_REASONS), required=True)
@click.pass_context
def extend(ctx: click.Context, request_id: str, reason: str) -> None:
    """Use the one extension the regime allows (only within the first period); the requester is told."""
    due = _run(ctx, lambda uow, actor: officer.extend(uow, actor, request_id, reason).due_at)
    click.echo(f"{request_id}: now due {due:%Y-%m-%d}")


@dsr.command("sweep")
@click.pass_context
def sweep_cmd(ctx: click.Context) -> None:
    """Housekeeping for all workspaces: expire download links, retry emails, resume erasures, purge old records."""
    app: AppContext = ctx.obj["app"] if "app" in ctx.obj else AppContext.create(get_settings())
    click.echo(str(sweep(app)))
