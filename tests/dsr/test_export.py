"""Access exports: complete (every canary, every row the data map attributes to the person), nothing of
anyone else, encrypted at rest, delivered through an expiring single-purpose link, deleted when it expires."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hushdesk.crypto import aead
from hushdesk.dsr import export as export_svc
from hushdesk.dsr.locate import LOCATORS
from hushdesk.dsr.tasks import sweep
from hushdesk.kit.clock import set_clock
from hushdesk.models import DsrExport
from hushdesk.privacy.facts import contact_columns
from hushdesk.tenancy.permissions import Role
from tests.dsr.canary import Canary, make_canary, populate
from tests.dsr.conftest import Mailbox
from tests.dsr.helpers import verified
from tests.support.factories import World


def _download(client: TestClient, url: str) -> tuple[int, bytes]:
    res = client.get(url.replace("http://testserver", ""))
    return res.status_code, res.content


def _exported(world: World, mailbox: Mailbox, client: TestClient, c: Canary) -> tuple[zipfile.ZipFile, str, str]:
    req_id = verified(world, mailbox, "access", c.email)
    url = mailbox.link_for(c.email, "/download/")
    status, data = _download(client, url)
    assert status == 200, data[:200]
    return zipfile.ZipFile(io.BytesIO(data)), url, req_id


@pytest.fixture
def two(world: World) -> tuple[Canary, Canary]:
    agent = world.member(Role.AGENT)
    return (populate(world.ctx, world.workspace_id, agent.actor, make_canary("x")),
            populate(world.ctx, world.workspace_id, agent.actor, make_canary("y")))


def test_archive_is_complete_and_holds_nothing_of_anyone_else(world: World, mailbox: Mailbox, client: TestClient,
                                                                two: tuple[Canary, Canary]) -> None:
    c, other = two
    archive, _, _ = _exported(world, mailbox, client, c)
    names = set(archive.namelist())
    assert {"data.json", "report.html", "right_to_know.json", "README.txt"} <= names
    everything = b"\n".join(archive.read(n) for n in names).decode("utf-8", "replace").lower()
    for needle in c.strings:
        assert needle.lower() in everything, f"{needle!r} missing from the export"
    for needle in other.strings:
        assert needle.lower() not in everything, f"another contact's {needle!r} is in the export"
    document = json.loads(archive.read("data.json"))
    with world.ctx.db.session() as s:  # every row the data map attributes to the person, table by table
        for table, locator in LOCATORS.items():
            stmt = locator(world.workspace_id, c.contact_id).order_by(None)
            expected = s.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            assert len(document["tables"][table]) == expected, table
    assert len(document["tables"]["messages"]) == len(c.message_ids)
    assert len(document["tables"]["dsr_requests"]) == 1  # this request itself is their data too
    for table in {t for t, _, _ in contact_columns()}:
        assert f"csv/{table}.csv" in names
    assert any(n.startswith("categories/user.contact.email") for n in names)
    assert any(n.startswith("files/attachments/") for n in names)
    facts = json.loads(archive.read("right_to_know.json"))
    assert {"categories", "purposes", "recipients", "sources"} <= set(facts)
    assert any(p["legal_basis"] for p in facts["purposes"])
    report = archive.read("report.html").decode()
    assert c.email in report and "Purposes" in report


def test_archive_is_encrypted_at_rest_and_the_link_expires(world: World, mailbox: Mailbox, client: TestClient,
                                                          two: tuple[Canary, Canary]) -> None:
    c, _ = two
    _, url, req_id = _exported(world, mailbox, client, c)
    with world.ctx.db.session() as s:
        exp = s.execute(select(DsrExport).where(DsrExport.request_id == req_id)).scalar_one()
    with world.ctx.unit_of_work() as uow:
        path = export_svc.archive_path(uow, exp.id)
    stored = path.read_bytes()
    assert aead.key_id_of(stored) == exp.key_id and c.email.encode() not in stored
    assert _download(client, url.replace("/download/", "/download/x"))[0] == 404  # another token: nothing
    real = exp.expires_at
    try:
        set_clock(lambda: real + timedelta(seconds=1))
        assert _download(client, url)[0] == 404  # expired: refused, nothing said
        report = sweep(world.ctx)
        assert report.exports_deleted >= 1
    finally:
        set_clock(None)
    assert not path.exists()
    with world.ctx.db.session() as s:
        gone = s.get(DsrExport, exp.id)
        assert gone is not None and gone.deleted_at is not None and gone.key_id is None
    assert world.ctx.keyring.vault.get(exp.key_id or "") is None


def test_a_download_link_serves_a_limited_number_of_downloads(world: World, mailbox: Mailbox, client: TestClient,
                                                              two: tuple[Canary, Canary]) -> None:
    c, _ = two
    _, url, _ = _exported(world, mailbox, client, c)
    codes = [_download(client, url)[0] for _ in range(export_svc.MAX_DOWNLOADS)]
    assert codes == [200] * (export_svc.MAX_DOWNLOADS - 1) + [404]
