"""Every page: who may see it, what it shows, that it is escaped, and that it stays inside our CSP."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hushdesk.accounts.service import find_user_by_email
from hushdesk.context import AppContext
from hushdesk.inbox import canned as canned_svc
from hushdesk.inbox import orders as order_svc
from hushdesk.inbox.service import add_note
from hushdesk.models import Conversation, Membership, Message, Widget
from hushdesk.tenancy.permissions import Role
from hushdesk.web.inbox_view import InboxFilters, build_inbox
from hushdesk.web.middleware import ADMIN_CSP
from tests.support.factories import World, make_world
from tests.web.conftest import HTML, HTMX, customer_writes, session_csrf, sign_in

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
ADMIN_PAGES = ("/admin/users", "/admin/tokens", "/admin/widget", "/admin/canned")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        self.problems += [f"{tag}[{n}]" for n in names if n.startswith("on") or n == "style" or n.startswith("hx-on")]


def _no_inline_code(html: str) -> None:
    """What our CSP forbids must not appear in our markup either (an element or attribute, not escaped text)."""
    parser = _Tags()
    parser.feed(html)
    assert parser.problems == []


@pytest.mark.parametrize("role", list(Role))
def test_inbox_and_conversation_render_for_every_role(web: TestClient, world: World, role: Role) -> None:
    conv_id = customer_writes(world, "Where is my parcel?", subject="Parcel")
    member = world.owner if role == Role.OWNER else world.member(role)
    sign_in(web, member)
    inbox = web.get("/", headers=HTML)
    assert inbox.status_code == 200 and f'href="/conversations/{conv_id}' in inbox.text
    page = web.get(f"/conversations/{conv_id}", headers=HTML)
    assert page.status_code == 200 and "Where is my parcel?" in page.text or "redacted" in page.text
    assert page.headers["content-security-policy"] == ADMIN_CSP
    assert page.headers["x-frame-options"] == "DENY"
    _no_inline_code(page.text)
    _no_inline_code(inbox.text)


@pytest.mark.parametrize("role", list(Role))
def test_admin_pages_are_for_owners_and_admins(web: TestClient, world: World, role: Role) -> None:
    member = world.owner if role == Role.OWNER else world.member(role)
    sign_in(web, member)
    allowed = role in (Role.OWNER, Role.ADMIN)
    for path in ADMIN_PAGES:
        res = web.get(path, headers=HTML)
        assert res.status_code == (200 if allowed else 403), (path, res.status_code)
        if allowed:
            _no_inline_code(res.text)
        else:
            assert "your role does not allow" in res.text
    nav = web.get("/", headers=HTML).text
    assert ('href="/admin/users"' in nav) is allowed


def test_agent_sees_raw_content_and_contact_but_auditor_sees_redacted(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "my email is dana.raw@example.com", email="dana.raw@example.com",
                              name="Dana Raw")
    agent = world.member(Role.AGENT)
    sign_in(web, agent)
    page = web.get(f"/conversations/{conv_id}", headers=HTML).text
    assert "my email is dana.raw@example.com" in page and "Dana Raw" in page
    assert "badge-redacted" not in page and "recorded in the audit log" in page
    web.cookies.clear()
    auditor = world.member(Role.AUDITOR)
    sign_in(web, auditor)
    page = web.get(f"/conversations/{conv_id}", headers=HTML).text
    assert "dana.raw@example.com" not in page and "Dana Raw" not in page
    assert "badge-redacted" in page and re.search(r"my email is [^<]*&lt;[A-Z]+_1&gt;", page)
    assert "Personal details are hidden for your role" in page
    assert 'id="composer"' not in page and "Read-only" in page


def test_every_page_escapes_html_from_customers_and_staff(web: TestClient, ctx: AppContext) -> None:
    world = make_world(ctx, name=f"Shop {SCRIPT}")
    conv_id = customer_writes(world, f"hi {SCRIPT} and {IMG}", name=f"Eve {IMG}", subject=f"Subj {SCRIPT}")
    world.member(Role.AGENT, name=f"Mallory {SCRIPT}")
    with ctx.unit_of_work() as uow:
        canned_svc.create_canned(uow, world.owner.actor, shortcut="xss", title=f"T {IMG}", body=f"B {SCRIPT}")
        add_note(uow, world.owner.actor, conv_id, f"note {IMG}")
        widget = uow.session.execute(select(Widget).where(Widget.workspace_id == world.workspace_id)).scalar_one()
        widget.greeting = f"Hello {SCRIPT}"
    csrf = sign_in(web, world.owner)
    web.post(f"/conversations/{conv_id}/tags", data={"tag": "<img src=x onerror=alert(3)>"},
             headers={**HTMX, "X-CSRF-Token": csrf})
    web.post("/admin/tokens", data={"name": f"tok {SCRIPT}", "scopes": ["contacts:read"], "csrf_token": csrf},
             headers=HTML)
    pages = ["/", f"/conversations/{conv_id}", f"/conversations/{conv_id}/messages", "/inbox/list?status=all",
             *ADMIN_PAGES, f"/privacy/{world.slug}", f"/widget/frame?key={world.widget_key}",
             f"/widget/demo?key={world.widget_key}", "/?q=alert&status=all"]
    for path in pages:
        res = web.get(path, headers=HTML)
        assert res.status_code == 200, path
        lowered = res.text.lower()
        assert "<script>alert" not in lowered and "<img src=x" not in lowered, path
        _no_inline_code(res.text)
    conversation = web.get(f"/conversations/{conv_id}", headers=HTML).text
    assert "hi &lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(2)&gt;" in conversation
    assert "&lt;img src=x onerror=alert(3)&gt;" in conversation
    posted = web.post(f"/conversations/{conv_id}/messages", data={"body": f"reply {SCRIPT}", "kind": "reply"},
                      headers={**HTMX, "X-CSRF-Token": csrf})
    assert posted.status_code == 200 and "reply &lt;script&gt;" in posted.text and "<script>" not in posted.text


def test_reply_and_internal_note_from_the_composer(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "Is the blue mug back in stock?")
    agent = world.member(Role.AGENT, name="Alex Agent")
    csrf = sign_in(web, agent)
    reply = web.post(f"/conversations/{conv_id}/messages",
                     data={"body": "Yes, since Monday!", "kind": "reply", "client_message_id": "cm-1"},
                     headers={**HTMX, "X-CSRF-Token": csrf})
    assert reply.status_code == 200 and 'class="msg msg-outbound"' in reply.text and "Alex Agent" in reply.text
    again = web.post(f"/conversations/{conv_id}/messages",
                     data={"body": "Yes, since Monday!", "kind": "reply", "client_message_id": "cm-1"},
                     headers={**HTMX, "X-CSRF-Token": csrf})
    assert again.status_code == 200
    note = web.post(f"/conversations/{conv_id}/messages", data={"body": "VIP customer", "kind": "note"},
                    headers={**HTMX, "X-CSRF-Token": csrf})
    assert note.status_code == 200 and "msg-note" in note.text and "Internal note" in note.text
    plain = web.post(f"/conversations/{conv_id}/messages", data={"body": "plain form", "csrf_token": csrf},
                     headers=HTML)
    assert plain.status_code == 303
    empty = web.post(f"/conversations/{conv_id}/messages", data={"body": "   ", "kind": "reply"},
                     headers={**HTMX, "X-CSRF-Token": csrf})
    assert empty.status_code == 422
    with world.ctx.db.session() as s:
        kinds = [m.kind for m in s.execute(select(Message).where(Message.conversation_id == conv_id)
                                           .order_by(Message.created_at, Message.id)).scalars()]
    assert kinds == ["inbound", "outbound", "note", "outbound"]


def test_controls_change_status_priority_assignee_and_tags(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "controls please")
    csrf = sign_in(web, world.owner)
    h = {**HTMX, "X-CSRF-Token": csrf}
    assert 'value="pending" selected' in web.post(f"/conversations/{conv_id}/status", data={"status": "pending"},
                                                  headers=h).text
    assert 'value="urgent" selected' in web.post(f"/conversations/{conv_id}/priority",
                                                 data={"priority": "urgent"}, headers=h).text
    assigned = web.post(f"/conversations/{conv_id}/assignee", data={"assignee_id": world.owner.user_id}, headers=h)
    assert f'value="{world.owner.user_id}" selected' in assigned.text
    tagged = web.post(f"/conversations/{conv_id}/tags", data={"tag": "Billing"}, headers=h)
    assert 'name="tag" value="billing"' in tagged.text
    untagged = web.post(f"/conversations/{conv_id}/tags/remove", data={"tag": "billing"}, headers=h)
    assert 'name="tag" value="billing"' not in untagged.text
    bad = web.post(f"/conversations/{conv_id}/status", data={"status": "exploded"}, headers=h)
    assert bad.status_code == 422
    mine = web.get("/?status=pending&assignee=me", headers=HTML).text
    assert f"/conversations/{conv_id}" in mine
    assert f"/conversations/{conv_id}" not in web.get("/?status=pending&assignee=unassigned", headers=HTML).text
    assert f"/conversations/{conv_id}" not in web.get("/?status=open", headers=HTML).text


def test_search_and_counts(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "the ceramic teapot cracked")
    customer_writes(world, "unrelated question")
    sign_in(web, world.owner)
    found = web.get("/?q=teapot&status=all", headers=HTML).text
    assert f"/conversations/{conv_id}" in found and len(re.findall(r'class="conv-row(?: is-active)?"', found)) == 1
    counts = web.get("/inbox/list", headers=HTMX).text
    assert re.search(r'data-status-count="open">\s*2<', counts)


def test_foreign_conversation_is_404(web: TestClient, world: World, other_world: World) -> None:
    foreign = customer_writes(other_world, "secret of another workspace")
    sign_in(web, world.owner)
    res = web.get(f"/conversations/{foreign}", headers=HTML)
    assert res.status_code == 404 and "secret of another" not in res.text


def test_admin_manages_members(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    added = web.post("/admin/users", data={"email": "new.agent@example.com", "name": "Nina New", "role": "agent",
                                           "password": "a-long-password-1", "csrf_token": csrf}, headers=HTML)
    assert added.status_code == 200 and "new.agent@example.com was added." in added.text
    with world.ctx.unit_of_work() as uow:
        user = find_user_by_email(uow, "new.agent@example.com")
        assert user is not None
        user_id = user.id
    dup = web.post("/admin/users", data={"email": "new.agent@example.com", "name": "Nina", "role": "agent",
                                         "password": "a-long-password-1", "csrf_token": csrf}, headers=HTML)
    assert dup.status_code == 422 and "already a member" in dup.text
    weak = web.post("/admin/users", data={"email": "weak@example.com", "name": "W", "role": "agent",
                                          "password": "x", "csrf_token": csrf}, headers=HTML)
    assert weak.status_code == 422
    with world.ctx.unit_of_work() as uow:
        assert find_user_by_email(uow, "weak@example.com") is None  # the failed form left nothing behind
    changed = web.post(f"/admin/users/{user_id}/role", data={"role": "admin", "csrf_token": csrf}, headers=HTML)
    assert changed.status_code == 200 and "Role changed." in changed.text
    with world.ctx.db.session() as s:
        role = s.execute(select(Membership.role).where(Membership.user_id == user_id,
                                                       Membership.workspace_id == world.workspace_id)).scalar_one()
    assert role == "admin"
    last_owner = web.post(f"/admin/users/{world.owner.user_id}/role", data={"role": "agent", "csrf_token": csrf},
                          headers=HTML)
    assert last_owner.status_code == 422 and "at least one owner" in last_owner.text


def test_admin_cannot_invite_owners(web: TestClient, world: World) -> None:
    admin = world.member(Role.ADMIN)
    csrf = sign_in(web, admin)
    res = web.post("/admin/users", data={"email": "boss@example.com", "name": "Boss", "role": "owner",
                                         "password": "a-long-password-1", "csrf_token": csrf}, headers=HTML)
    assert res.status_code == 422 and "only an owner" in res.text


def test_api_token_secret_is_shown_once_and_can_be_revoked(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    created = web.post("/admin/tokens", data={"name": "Shop backend", "scopes": ["conversations:read"],
                                              "csrf_token": csrf}, headers=HTML)
    assert created.status_code == 200
    secret = re.search(r'id="new-token">(hdt_[^<]+)<', created.text)
    assert secret, created.text
    listing = web.get("/admin/tokens", headers=HTML).text
    assert secret.group(1) not in listing and "Shop backend" in listing
    assert web.get("/api/v1/conversations", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code == 200
    token_id = re.search(r'action="/admin/tokens/([^/]+)/revoke"', listing)
    assert token_id
    revoked = web.post(f"/admin/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf}, headers=HTML)
    assert revoked.status_code == 303
    assert web.get("/api/v1/conversations", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code == 401
    no_scope = web.post("/admin/tokens", data={"name": "x", "csrf_token": csrf}, headers=HTML)
    assert no_scope.status_code == 422


def test_widget_settings_and_embed_snippet(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    page = web.get("/admin/widget", headers=HTML).text
    assert f'data-hushdesk-key="{world.widget_key}"' in page and "/widget.js" in page
    saved = web.post("/admin/widget", data={
        "allowed_origins": "https://shop.example.com\nhttp://localhost:3000/", "greeting": "Hey there",
        "prechat_form": "on", "privacy_policy_url": "https://shop.example.com/privacy",
        "privacy_contact": "dpo@shop.example.com", "csrf_token": csrf}, headers=HTML)
    assert saved.status_code == 200 and "Widget settings saved." in saved.text
    frame = web.get(f"/widget/frame?key={world.widget_key}", headers=HTML)
    assert "frame-ancestors 'self' https://shop.example.com http://localhost:3000;" in \
        frame.headers["content-security-policy"]
    assert "Hey there" in frame.text and 'href="https://shop.example.com/privacy"' in frame.text
    for bad in ("https://shop.example.com; script-src *", "javascript:alert(1)", "shop.example.com"):
        res = web.post("/admin/widget", data={"allowed_origins": bad, "greeting": "x", "csrf_token": csrf},
                       headers=HTML)
        assert res.status_code == 422 and "is not an origin" in res.text
    bad_url = web.post("/admin/widget", data={"allowed_origins": "", "privacy_policy_url": "javascript:alert(1)",
                                              "csrf_token": csrf}, headers=HTML)
    assert bad_url.status_code == 422
    assert "frame-ancestors 'self' https://shop.example.com" in web.get(
        f"/widget/frame?key={world.widget_key}", headers=HTML).headers["content-security-policy"]


def test_canned_replies_crud_and_composer_picker(web: TestClient, world: World) -> None:
    csrf = sign_in(web, world.owner)
    created = web.post("/admin/canned", data={"shortcut": "refund", "title": "Refund policy",
                                              "body": "Refunds take 5 days.", "csrf_token": csrf}, headers=HTML)
    assert created.status_code == 200 and "/refund was created." in created.text
    reply_id = re.search(r'action="/admin/canned/([^/"]+)"', created.text)
    assert reply_id
    updated = web.post(f"/admin/canned/{reply_id.group(1)}", data={"title": "Refunds", "body": "Refunds take 3 days.",
                                                                   "csrf_token": csrf}, headers=HTML)
    assert updated.status_code == 200 and "Refunds take 3 days." in updated.text
    dup = web.post("/admin/canned", data={"shortcut": "refund", "title": "x", "body": "y", "csrf_token": csrf},
                   headers=HTML)
    assert dup.status_code == 422 and "already exists" in dup.text
    conv_id = customer_writes(world, "refund?")
    page = web.get(f"/conversations/{conv_id}", headers=HTML).text
    assert 'data-body="Refunds take 3 days."' in page and "/refund — Refunds" in page
    deleted = web.post(f"/admin/canned/{reply_id.group(1)}/delete", data={"csrf_token": csrf}, headers=HTML)
    assert deleted.status_code == 303
    assert "Refunds take 3 days." not in web.get("/admin/canned", headers=HTML).text


def test_privacy_page_and_security_headers(web: TestClient, world: World) -> None:
    res = web.get(f"/privacy/{world.slug}", headers=HTML)
    assert res.status_code == 200 and "Privacy notice for Acme support" in res.text
    assert res.headers["content-security-policy"] == ADMIN_CSP
    assert "'unsafe-inline'" not in ADMIN_CSP and "script-src 'self'" in ADMIN_CSP
    assert web.get("/privacy/no-such-shop", headers=HTML).status_code == 404
    login = web.get("/login", headers=HTML)
    assert login.headers["content-security-policy"] == ADMIN_CSP
    _no_inline_code(login.text)
    session_csrf(web.get("/login", headers=HTML).text)


def test_vendored_htmx_is_served_and_configured_for_csp(web: TestClient, world: World) -> None:
    sign_in(web, world.owner)
    page = web.get("/", headers=HTML).text
    assert '"includeIndicatorStyles":false' in page and '"allowEval":false' in page
    js = web.get("/static/vendor/htmx.min.js")
    assert js.status_code == 200 and 'version:"2.0.11"' in js.text


def test_contact_panel_lists_orders(web: TestClient, world: World) -> None:
    conv_id = customer_writes(world, "where is order HD-7?", email="olga.orders@example.com", name="Olga Orders")
    with world.ctx.unit_of_work() as uow:
        conv = uow.session.get(Conversation, conv_id)
        assert conv is not None and conv.contact_id
        order_svc.create_order(uow, world.owner.actor, conv.contact_id, order_svc.OrderData(
            number="HD-7", placed_at=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
            items=(order_svc.OrderItem("Blue mug", 2, "12.50"), order_svc.OrderItem("Tea <b>sampler</b>", 1, "19")),
            amount="44.00", currency="EUR", status="shipped"))
    sign_in(web, world.member(Role.AGENT))
    page = web.get(f"/conversations/{conv_id}", headers=HTML).text
    panel = page[page.index('class="contact-panel"'):]
    assert "olga.orders@example.com" in panel and "Olga Orders" in panel
    assert "HD-7" in panel and "04 Mar 2026" in panel and "shipped" in panel
    assert "Blue mug &times; 2" in panel and "@ 12.50" in panel and "Tea &lt;b&gt;sampler&lt;/b&gt;" in panel
    assert "44.00 EUR" in panel


def test_inbox_pages_through_long_lists(web: TestClient, world: World) -> None:
    ids = [customer_writes(world, f"question {i}") for i in range(3)]
    with world.ctx.unit_of_work() as uow:
        first = build_inbox(uow, world.owner.actor, InboxFilters(), limit=2)
        second = build_inbox(uow, world.owner.actor, InboxFilters(), offset=2, limit=2)
    assert [r.id for r in first.rows] == ids[::-1][:2] and first.has_more
    assert [r.id for r in second.rows] == [ids[0]] and not second.has_more
    sign_in(web, world.owner)
    page = web.get("/?status=open&offset=2", headers=HTML).text
    assert "Newer" in page and f"/conversations/{ids[0]}" in page and f"/conversations/{ids[2]}" not in page
    assert web.get("/?offset=-1", headers=HTML).status_code == 422
