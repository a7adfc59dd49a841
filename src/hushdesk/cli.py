"""hushdesk command line: serve | worker | migrate | demo | workspace | user | token | audit | redact | docs."""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

import click

from hushdesk.tenancy.permissions import ALL_SCOPES, Role

if TYPE_CHECKING:
    from hushdesk.config import Settings
    from hushdesk.context import AppContext

# Commands that live in their own packages are imported when called, not when the CLI starts: `hushdesk redact`
# must not pay for importing the web app, the ORM and the job queue (1.2 s) before it reads its first line.
LAZY_COMMANDS = {
    "keys": "hushdesk.security.cli:keys",
    "dsr": "hushdesk.dsr.cli:dsr",
    "redact": "hushdesk.redaction.cli:redact",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


def _settings() -> Settings:
    from hushdesk.config import SettingsError, get_settings

    try:
        return get_settings()
    except SettingsError as exc:  # pydantic wraps it
        raise click.ClickException(str(exc)) from exc
    except ValueError as exc:
        raise click.ClickException(str(exc).splitlines()[-1] if str(exc) else "invalid settings") from exc


def _ctx() -> AppContext:
    from hushdesk.context import AppContext

    return AppContext.create(_settings())


@click.group(cls=_LazyGroup)
def main() -> None:
    """hushdesk: privacy-first customer support."""


@main.command()
def migrate() -> None:
    """Upgrade the database schema to the latest version."""
    from hushdesk.migrate import upgrade

    settings = _settings()
    upgrade(settings.resolved_database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
def serve(host: str | None, port: int | None) -> None:
    """Serve the web app (with embedded job consumer unless HUSHDESK_QUEUE=redis)."""
    import uvicorn

    from hushdesk.app import create_app
    from hushdesk.kit.warmup import prepare_server_process
    from hushdesk.logs import configure_logging

    settings = _settings()
    configure_logging(settings)
    app = create_app(settings)
    prepare_server_process()  # after everything long-lived exists: see kit/warmup.py
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_config=None,
                proxy_headers=settings.trust_proxy_tls, ws="websockets-sansio",
                # Chat frames are small JSON: deflating each one cost ~10 % of the event loop's time under
                # 200 sockets, and compressing visitor-influenced text next to other content invites
                # compression side channels (CRIME-style). Frames go uncompressed.
                ws_per_message_deflate=False)


@main.command()
def worker() -> None:
    """Run a job worker against the shared Redis queue (HUSHDESK_QUEUE=redis)."""
    from hushdesk.channels import tasks as _tasks  # noqa: F401
    from hushdesk.context import AppContext
    from hushdesk.kit.warmup import prepare_server_process
    from hushdesk.logs import configure_logging
    from hushdesk.worker.schedule import register_periodic_jobs

    settings = _settings()
    if settings.queue != "redis":
        raise click.ClickException("`hushdesk worker` needs HUSHDESK_QUEUE=redis (the embedded queue runs in serve)")
    configure_logging(settings)
    ctx = AppContext.create(settings)
    register_periodic_jobs(ctx)
    consumer = ctx.jobs.huey.create_consumer(workers=settings.worker_threads, worker_type="thread", periodic=True)
    prepare_server_process()
    consumer.run()


@main.command()
def demo() -> None:
    """Create the demo workspace (idempotent) and print its login the first time."""
    from hushdesk.demo import ensure_demo

    ctx = _ctx()
    result = ensure_demo(ctx)
    base = ctx.settings.base_url
    if result.created:
        click.echo("\n  hushdesk demo workspace created")
        click.echo(f"  Sign in at {base}/login")
        click.echo(f"    email:    {result.email}")
        click.echo(f"    password: {result.password}")
        click.echo("  (shown once; reset with `hushdesk user set-password`)")
    else:
        click.echo(f"\n  Demo workspace exists. Sign in at {base}/login as {result.email}")
        click.echo("  (password was printed on first run; reset: make reset-password)")
    click.echo(f"  Try the chat widget at {base}/widget/demo?key={result.widget_key}\n")


@main.group()
def workspace() -> None:
    """Manage workspaces."""


@workspace.command("create")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--owner-email", default=None, help="an existing user who becomes owner")
def workspace_create(name: str, slug: str, owner_email: str | None) -> None:
    from hushdesk.accounts.service import find_user_by_email
    from hushdesk.kit.errors import DomainError
    from hushdesk.kit.ids import new_id
    from hushdesk.models import Membership
    from hushdesk.tenancy.service import create_workspace

    ctx = _ctx()
    try:
        with ctx.unit_of_work() as uow:
            ws = create_workspace(uow, name=name, slug=slug)
            if owner_email:
                user = find_user_by_email(uow, owner_email)
                if user is None:
                    raise click.ClickException(f"no user {owner_email}")
                uow.session.add(Membership(id=new_id("m"), workspace_id=ws.id, user_id=user.id,
                                           role=Role.OWNER.value))
            ws_id = ws.id
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"workspace {slug} created ({ws_id})")


@main.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--workspace", "slug", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default="agent")
@click.option("--password", default=None, help="omit to be prompted (or set HUSHDESK_NEW_PASSWORD)")
def user_create(email: str, name: str, slug: str, role: str, password: str | None) -> None:
    from hushdesk.accounts.service import create_user, find_user_by_email
    from hushdesk.kit.errors import DomainError
    from hushdesk.kit.ids import new_id
    from hushdesk.models import Membership
    from hushdesk.tenancy.service import get_workspace_by_slug

    password = password or os.environ.get("HUSHDESK_NEW_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    ctx = _ctx()
    try:
        with ctx.unit_of_work() as uow:
            ws = get_workspace_by_slug(uow, slug)
            found = find_user_by_email(uow, email) or create_user(uow, email=email, name=name, password=password)
            uow.session.add(Membership(id=new_id("m"), workspace_id=ws.id, user_id=found.id, role=role))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"user {email} is {role} of {slug}")


@user.command("set-password")
@click.option("--email", required=True)
@click.option("--password", default=None)
def user_set_password(email: str, password: str | None) -> None:
    from hushdesk.accounts.passwords import check_password_rules, hash_password
    from hushdesk.accounts.service import find_user_by_email

    password = password or os.environ.get("HUSHDESK_NEW_PASSWORD") or click.prompt(
        "New password", hide_input=True, confirmation_prompt=True)
    try:
        check_password_rules(password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx = _ctx()
    with ctx.unit_of_work() as uow:
        found = find_user_by_email(uow, email)
        if found is None:
            raise click.ClickException(f"no user {email}")
        found.password_hash = hash_password(password, fast=ctx.settings.password_hash_fast)
    click.echo("password changed")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.option("--workspace", "slug", required=True)
@click.option("--name", default="cli")
@click.option("--scopes", required=True, help=f"comma-separated: {','.join(ALL_SCOPES)}")
def token_create(slug: str, name: str, scopes: str) -> None:
    from hushdesk.accounts.service import create_api_token
    from hushdesk.kit.errors import DomainError
    from hushdesk.tenancy.actor import system_actor
    from hushdesk.tenancy.service import get_workspace_by_slug

    ctx = _ctx()
    try:
        with ctx.unit_of_work() as uow:
            ws = get_workspace_by_slug(uow, slug)
            _, secret = create_api_token(uow, system_actor(ws.id, "cli"), name=name,
                                         scopes=[s.strip() for s in scopes.split(",") if s.strip()])
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(secret)


@main.group()
def audit() -> None:
    """Audit log tools."""


@audit.command("verify")
def audit_verify() -> None:
    """Verify every workspace's hash chain; name the first broken row."""
    from sqlalchemy import select

    from hushdesk.audit.service import verify_all
    from hushdesk.models import AuditHead

    ctx = _ctx()
    with ctx.db.session() as session:
        chains = session.execute(select(AuditHead.chain)).scalars().all()
        breaks = verify_all(session)
    if breaks:
        for b in breaks:
            where = f"row {b.event_id}" if b.event_id else "a missing row"
            click.echo(f"BROKEN chain {b.chain} at seq {b.seq} ({where}): {b.reason}", err=True)
        sys.exit(1)
    click.echo(f"audit log intact ({len(chains)} chains verified)")


@main.group()
def docs() -> None:
    """Generate documentation from code."""


@docs.command("permissions")
def docs_permissions() -> None:
    from hushdesk.tenancy.permissions import render_permissions_markdown

    click.echo(render_permissions_markdown(), nl=False)


if __name__ == "__main__":
    main()
