"""``hushdesk dsr list|show|approve|deny|extend`` for the privacy officer."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hushdesk.cli import main
from hushdesk.models import DataSubjectRequest
from hushdesk.tenancy.permissions import Role
from tests.dsr.conftest import Mailbox
from tests.dsr.helpers import customer, submit, verify
from tests.support.factories import World


def _run(world: World, *args: str) -> str:
    result = CliRunner().invoke(main, ["dsr", "--workspace", world.slug, *args], obj={"app": world.ctx})
    assert result.exit_code == 0, result.output
    return result.output


def test_list_show_extend_approve_deny(world: World, mailbox: Mailbox) -> None:
    po = world.member(Role.PRIVACY_OFFICER)
    customer(world, "cli@example.com")
    req_id, token = submit(world, "erasure", "cli@example.com")
    other_id, _ = submit(world, "access", "cli-other@example.com")
    listed = _run(world, "list", "--view", "waiting")
    assert req_id in listed and other_id in listed and "waiting on requester" in listed
    shown = json.loads(_run(world, "--as", po.email, "show", req_id))
    assert shown["requester_email"] == "cli@example.com" and shown["history"][0][1] == "dsr.received"
    assert "now due" in _run(world, "--as", po.email, "extend", req_id, "--reason", "complexity")
    assert verify(world, req_id, token, mailbox.code_for("cli@example.com")).ok
    assert verify(world, req_id, token, mailbox.code_for("cli@example.com")).ok  # step-up (no factor on file)
    assert "completed" in _run(world, "--as", po.email, "approve", req_id)
    assert "denied" in _run(world, "deny", other_id, "--reason", "identity_not_verified")
    rows = json.loads(_run(world, "list", "--view", "closed", "--json"))
    assert {r["id"] for r in rows} >= {req_id, other_id}
    with world.ctx.db.session() as s:
        req = s.get(DataSubjectRequest, req_id)
        assert req is not None and req.approved_by == po.user_id


def test_roles_are_enforced_on_the_command_line(world: World) -> None:
    agent = world.member(Role.AGENT)
    req_id, _ = submit(world, "access", "cli-role@example.com")
    result = CliRunner().invoke(main, ["dsr", "--workspace", world.slug, "--as", agent.email, "deny", req_id,
                                       "--reason", "excessive"], obj={"app": world.ctx})
    assert result.exit_code != 0 and "does not allow" in result.output
