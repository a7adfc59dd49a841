"""``hushdesk keys rotate``: re-wrap keys without downtime (crypto/rotation.py, ADR 0008)."""

from __future__ import annotations

import click
from sqlalchemy import select

from hushdesk.config import get_settings
from hushdesk.context import AppContext
from hushdesk.crypto import rotation
from hushdesk.models import Workspace


@click.group()
def keys() -> None:
    """Encryption keys: rotate the master key or workspace key-encryption keys."""


@keys.command("rotate")
@click.option("--master", "master", is_flag=True, help="Rotate the master key (file provider) and re-wrap "
              "every workspace key.")
@click.option("--workspace", "slug", default=None, help="Rotate this workspace's KEK and re-wrap its contact keys.")
@click.option("--all-workspaces", is_flag=True, help="Rotate every workspace's KEK.")
@click.option("--rewrap-only", is_flag=True, help="Env provider: re-wrap keys under the first key of "
              "HUSHDESK_MASTER_KEY.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--grace-seconds", default=rotation.DEFAULT_GRACE_SECONDS, show_default=True,
              type=click.FloatRange(0, 3600), help="How long running processes get to switch before old keys "
              "are retired.")
def rotate(master: bool, slug: str | None, all_workspaces: bool, rewrap_only: bool, batch: int,
           grace_seconds: float) -> None:
    """Re-wrap keys; message ciphertexts are never re-encrypted. Prints progress."""
    if not (master or slug or all_workspaces or rewrap_only):
        raise click.UsageError("choose --master, --workspace SLUG, --all-workspaces or --rewrap-only")
    ctx = AppContext.create(get_settings())
    try:
        if rewrap_only:
            rotation.rewrap_only(ctx, progress=click.echo, batch=batch)
        if master:
            rotation.rotate_master_key(ctx, progress=click.echo, batch=batch, grace_seconds=grace_seconds)
        if slug or all_workspaces:
            with ctx.db.session() as session:
                stmt = select(Workspace.id).order_by(Workspace.id)
                if slug:
                    stmt = stmt.where(Workspace.slug == slug)
                ids = list(session.execute(stmt).scalars())
            if not ids:
                raise click.ClickException(f"no workspace {slug!r}")
            for workspace_id in ids:
                rotation.rotate_workspace_kek(ctx, workspace_id, progress=click.echo, batch=batch,
                                              grace_seconds=grace_seconds)
    except rotation.RotationError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        ctx.close()
