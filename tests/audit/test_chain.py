"""Audit chain: appended in the same transaction, verifiable, and any edit is detected and named."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select, update

from hushdesk.audit.service import verify_chain
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.context import AppContext
from hushdesk.inbox.service import receive_message
from hushdesk.models import AuditEvent
from tests.support.factories import make_world


def _traffic(ctx: AppContext, workspace_id: str, n: int = 3) -> None:
    for i in range(n):
        with ctx.unit_of_work() as uow:
            receive_message(uow, workspace_id, InboundMessage(
                channel="api", sender=ContactHint("email", f"p{i}@example.com", email=f"p{i}@example.com"),
                body=f"hello {i}"))


def _cli_verify(ctx: AppContext) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HUSHDESK_ENV="test", HUSHDESK_DATABASE_URL=ctx.settings.resolved_database_url,
               HUSHDESK_KEYVAULT_URL=ctx.settings.resolved_keyvault_url, HUSHDESK_DATA_DIR=str(ctx.settings.data_dir),
               HUSHDESK_SECRET_KEY=ctx.settings.secret_key)
    return subprocess.run([sys.executable, "-m", "hushdesk.cli", "audit", "verify"], capture_output=True,
                          text=True, env=env, check=False)


def test_chain_verifies_then_names_the_altered_row(fresh_ctx: AppContext) -> None:
    world = make_world(fresh_ctx)
    _traffic(fresh_ctx, world.workspace_id)
    ok = _cli_verify(fresh_ctx)
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    with fresh_ctx.db.session() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.chain == world.workspace_id)
                         .order_by(AuditEvent.seq)).scalars().all()
        victim = rows[len(rows) // 2]
        s.execute(update(AuditEvent).where(AuditEvent.id == victim.id).values(action="contact.nothing_to_see"))
        s.commit()
    broken = _cli_verify(fresh_ctx)
    assert broken.returncode == 1
    assert victim.id in broken.stderr and f"seq {victim.seq}" in broken.stderr


def test_deleted_row_and_truncated_tail_are_detected(fresh_ctx: AppContext) -> None:
    world = make_world(fresh_ctx)
    _traffic(fresh_ctx, world.workspace_id, 2)
    with fresh_ctx.db.session() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.chain == world.workspace_id)
                         .order_by(AuditEvent.seq)).scalars().all()
        s.delete(rows[-1])
        s.commit()
        found = verify_chain(s, world.workspace_id)
    assert found is not None and "removed" in found.reason
    with fresh_ctx.db.session() as s:
        s.delete(s.get(AuditEvent, rows[1].id))
        s.commit()
        found = verify_chain(s, world.workspace_id)
    assert found is not None and found.seq == rows[1].seq and "missing" in found.reason


def test_audit_rows_hold_no_message_text(world: object, ctx: AppContext) -> None:
    w = make_world(ctx)
    with ctx.unit_of_work() as uow:
        receive_message(uow, w.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", "audit.canary@example.com", name="Zyxw Canary",
                                              email="audit.canary@example.com"), body="secret canary 991122"))
    with ctx.db.session() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.chain == w.workspace_id)).scalars().all()
    blob = " ".join(f"{r.actor_name} {r.details_json} {r.action}" for r in rows)
    assert "audit.canary" not in blob and "991122" not in blob and "Zyxw" not in blob
