"""Assistant pages: who may open them, the sidebar, SSRF refusals shown as errors, knowledge base admin, billing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hushdesk.app import create_app
from hushdesk.assistant import kb
from hushdesk.context import AppContext
from hushdesk.metering.service import record_usage
from hushdesk.migrate import upgrade
from hushdesk.tenancy.permissions import Role
from tests.conftest import make_settings
from tests.support.databases import drop_database
from tests.support.factories import World
from tests.web.conftest import HTML, session_csrf, sign_in
from tests.web.test_pages import _no_inline_code

SETTINGS_PAGES = ("/admin/ai", "/admin/kb", "/admin/kb/new")


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """Production-like outbound rules (private provider URLs refused), whatever other modules configured."""
    settings = make_settings(Path(tmp_path_factory.mktemp("assistant-pages")), ai_allow_private_urls=False)
    upgrade(settings.resolved_database_url)
    context = AppContext.create(settings)
    yield context
    context.close()
    drop_database(settings.resolved_database_url)


@pytest.fixture(scope="module")
def app(ctx: AppContext) -> FastAPI:
    return create_app(ctx.settings, ctx)


@pytest.mark.parametrize("role", list(Role))
def test_settings_pages_for_owner_and_admin_billing_for_owner_only(web: TestClient, world: World,
                                                                  role: Role) -> None:
    member = world.owner if role == Role.OWNER else world.member(role)
    sign_in(web, member)
    allowed = role in (Role.OWNER, Role.ADMIN)
    for path in SETTINGS_PAGES:
        res = web.get(path, headers=HTML)
        assert res.status_code == (200 if allowed else 403), (path, res.status_code)
        _no_inline_code(res.text)
    for path in ("/admin/billing", "/admin/billing.csv"):
        res = web.get(path, headers=HTML)
        assert res.status_code == (200 if role == Role.OWNER else 403), (path, res.status_code)
    nav = web.get("/", headers=HTML).text
    assert ('href="/admin/ai"' in nav) is allowed
    assert ('href="/admin/kb"' in nav) is allowed
    assert ('href="/admin/billing"' in nav) is (role == Role.OWNER)


def test_private_provider_url_is_refused_with_a_clear_error(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    for url in ("http://127.0.0.1:8080/v1", "http://169.254.169.254/latest", "http://10.0.0.5/v1"):
        res = web.post("/admin/ai", data={"csrf_token": csrf, "provider": "openai", "base_url": url,
                                          "model": "m"}, headers=HTML)
        assert res.status_code == 422, res.text
        assert "alert-error" in res.text
    page = web.get("/admin/ai", headers=HTML).text
    assert 'value="http://127.0.0.1' not in page  # nothing was saved


def test_settings_validation_and_save(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    bad = web.post("/admin/ai", data={"csrf_token": csrf, "provider": "none", "limit_tokens": "lots"},
                   headers=HTML)
    assert bad.status_code == 422 and "whole number" in bad.text
    ok = web.post("/admin/ai", data={"csrf_token": csrf, "provider": "none", "bot_enabled": "on",
                                     "bot_handoff_topics": "Refund\ncomplaint", "limit_ai_calls": "100"},
                  headers=HTML)
    assert ok.status_code == 200 and "AI settings saved." in ok.text
    assert "refund\ncomplaint" in ok.text and 'name="bot_enabled" checked' in ok.text
    missing_csrf = web.post("/admin/ai", data={"provider": "none"}, headers=HTML)
    assert missing_csrf.status_code == 403


def test_knowledge_base_admin_round_trip(web: TestClient, world: World, client: TestClient) -> None:
    csrf = sign_in(web, world.owner)
    cat = web.post("/admin/kb/categories", data={"csrf_token": csrf, "name": "Shipping"}, headers=HTML)
    assert cat.status_code == 200 and "Shipping" in cat.text
    with world.ctx.unit_of_work() as uow:
        cat_id = kb.categories(uow, world.workspace_id)[0].id
    created = web.post("/admin/kb/new", data={"csrf_token": csrf, "title": "Delivery <times>",
                                              "body": "Parcels take 2-4 days. <script>alert(1)</script>",
                                              "category_id": cat_id, "action": "save"}, headers=HTML)
    assert created.status_code == 303
    edit_url = created.headers["location"]
    page = web.get(edit_url, headers=HTML)
    assert page.status_code == 200 and "Delivery &lt;times&gt;" in page.text
    assert "<script>alert(1)</script>" not in page.text and "Draft: not visible" in page.text
    _no_inline_code(page.text)
    assert "Delivery" not in client.get(f"/help/{world.slug}").text  # a draft is not public
    published = web.post(edit_url, data={"csrf_token": csrf, "title": "Delivery times",
                                         "body": "Parcels take 2-4 days.", "category_id": cat_id,
                                         "action": "publish"}, headers=HTML)
    assert published.status_code == 200 and "Published." in published.text
    assert "Delivery times" in client.get(f"/help/{world.slug}").text
    listing = web.get("/admin/kb", headers=HTML).text
    assert "published v1" in listing and f"/help/{world.slug}" in listing
    gone = web.post(edit_url + "/unpublish", data={"csrf_token": csrf}, headers=HTML)
    assert gone.status_code == 200 and "Unpublished" in gone.text
    assert "Delivery times" not in client.get(f"/help/{world.slug}").text
    invalid = web.post("/admin/kb/new", data={"csrf_token": csrf, "title": "", "body": "x"}, headers=HTML)
    assert invalid.status_code == 422


def test_billing_statement_and_csv(web: TestClient, world: World) -> None:
    with world.ctx.unit_of_work() as uow:
        record_usage(uow, world.workspace_id, ai_calls=3, tokens_in=120, tokens_out=45, speech_chars=700)
    sign_in(web, world.owner)
    page = web.get("/admin/billing", headers=HTML)
    assert page.status_code == 200
    assert 'data-metric="tokens_in">120<' in page.text and 'data-metric="ai_calls">3<' in page.text
    _no_inline_code(page.text)
    csv = web.get("/admin/billing.csv", headers=HTML)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.text.strip().splitlines()
    assert lines[0] == "day,ai_calls,tokens_in,tokens_out,speech_chars,ai_messages"
    assert lines[-1] == "total,3,120,45,700,0"
    assert web.get("/admin/billing", params={"month": "2020-13"}, headers=HTML).status_code in (422, 400)
    assert session_csrf(page.text)
