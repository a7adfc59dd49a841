"""The JSON API: conversations via the API channel, contacts, orders, errors with stable codes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.factories import World


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_conversation_then_reply_and_read(client: TestClient, world: World) -> None:
    token = world.token()
    body = {"email": "Ada.Lovelace@Example.com", "name": "Ada Lovelace", "subject": "Broken kettle",
            "body": "My kettle broke. Call me on +44 20 7946 0958.", "client_message_id": "ext-1"}
    res = client.post("/api/v1/conversations", json=body, headers=_auth(token))
    assert res.status_code == 201, res.text
    created = res.json()
    conv_id = created["conversation"]["id"]
    assert created["created"] is True and created["conversation"]["channel"] == "api"
    again = client.post("/api/v1/conversations", json=body, headers=_auth(token))
    assert again.status_code == 200 and again.json()["conversation"]["id"] == conv_id
    assert again.json()["message"]["id"] == created["message"]["id"]

    reply = client.post(f"/api/v1/conversations/{conv_id}/messages", json={"body": "On it, Ada."},
                        headers=_auth(token))
    assert reply.status_code == 201, reply.text
    detail = client.get(f"/api/v1/conversations/{conv_id}", headers=_auth(token)).json()
    assert [m["kind"] for m in detail["messages"]] == ["inbound", "outbound"]
    assert "+44 20 7946 0958" in detail["messages"][0]["body"]
    assert detail["first_response_at"] is not None
    assert "Broken kettle" not in (detail["subject"] or "") or detail["subject"] == "Broken kettle"

    contacts = client.get("/api/v1/contacts", params={"email": "ada.lovelace@example.com"}, headers=_auth(token))
    assert contacts.status_code == 200 and contacts.json()[0]["name"] == "Ada Lovelace"


def test_status_assign_and_tags(client: TestClient, world: World) -> None:
    token = world.token()
    conv = client.post("/api/v1/conversations", json={"email": "t@example.com", "body": "hi"},
                       headers=_auth(token)).json()["conversation"]
    res = client.patch(f"/api/v1/conversations/{conv['id']}",
                       json={"status": "resolved", "priority": "high", "add_tags": ["Billing", "vip"],
                             "assignee_id": world.owner.user_id}, headers=_auth(token))
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["status"] == "resolved" and out["priority"] == "high" and out["tags"] == ["billing", "vip"]
    assert out["assignee_id"] == world.owner.user_id
    listed = client.get("/api/v1/conversations", params={"tag": "vip"}, headers=_auth(token)).json()
    assert [c["id"] for c in listed] == [conv["id"]]
    bad = client.patch(f"/api/v1/conversations/{conv['id']}", json={"status": "exploded"}, headers=_auth(token))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"


def test_orders_via_api_and_csv(client: TestClient, world: World) -> None:
    token = world.token()
    contact = client.post("/api/v1/contacts", json={"email": "buyer@example.com", "name": "Bea Buyer"},
                          headers=_auth(token)).json()
    order = {"number": "A-1001", "placed_at": "2026-11-01T10:00:00Z", "amount": "25.50", "currency": "eur",
             "status": "shipped", "items": [{"name": "Mug", "quantity": 2, "unit_price": "12.75"}]}
    res = client.post(f"/api/v1/contacts/{contact['id']}/orders", json=order, headers=_auth(token))
    assert res.status_code == 201, res.text
    dup = client.post(f"/api/v1/contacts/{contact['id']}/orders", json=order, headers=_auth(token))
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "order_exists"
    csv_text = ("email,name,number,date,items,amount,currency,status\n"
                "buyer@example.com,Bea Buyer,A-1002,2026-11-02,Tea x1 @ 5,5.00,EUR,paid\n"
                "other@example.com,,A-1003,2026-11-03T09:00:00+00:00,,9.99,USD,delivered\n")
    imp = client.post("/api/v1/orders/import", content=csv_text, headers={**_auth(token), "content-type": "text/csv"})
    assert imp.status_code == 200 and imp.json() == {"created": 2}
    listed = client.get(f"/api/v1/contacts/{contact['id']}/orders", headers=_auth(token)).json()
    assert [o["number"] for o in listed] == ["A-1002", "A-1001"]
    bad_csv = "email,number,date,amount,currency,status\nx@example.com,A-9,not-a-date,1,EUR,paid\n"
    bad = client.post("/api/v1/orders/import", content=bad_csv, headers=_auth(token))
    assert bad.status_code == 422 and "line 2" in bad.json()["error"]["details"][0]


def test_auth_errors(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/conversations").json()["error"]["code"] == "no_token"
    res = client.get("/api/v1/conversations", headers=_auth("hdt_nope"))
    assert res.status_code == 401 and res.json()["error"]["code"] == "bad_token"
    read_only = world.token(("contacts:read",))
    res = client.post("/api/v1/conversations", json={"email": "a@example.com", "body": "x"}, headers=_auth(read_only))
    assert res.status_code == 403 and res.json()["error"]["code"] == "permission_denied"


def test_bad_input_gets_clear_errors(client: TestClient, world: World) -> None:
    token = world.token()
    huge = {"email": "a@example.com", "body": "x" * 2_000_000}
    res = client.post("/api/v1/conversations", json=huge, headers=_auth(token))
    assert res.status_code == 413 and res.json()["error"]["code"] == "payload_too_large"
    res = client.post("/api/v1/conversations", content=b'{"email": "a@', headers={**_auth(token),
                      "content-type": "application/json"})
    assert res.status_code == 422 and res.json()["error"]["code"] == "invalid_json"
    res = client.post("/api/v1/conversations", content=b'{"email":"a@example.com","body":"\xff\xfe"}',
                      headers={**_auth(token), "content-type": "application/json"})
    assert res.status_code == 400 and res.json()["error"]["code"] == "invalid_json"
    res = client.post("/api/v1/conversations", json={"email": "not-an-email", "body": "x"}, headers=_auth(token))
    assert res.status_code == 422
    res = client.post("/api/v1/conversations", json={"email": "a@example.com", "body": "x", "extra": 1},
                      headers=_auth(token))
    assert res.status_code == 422
    res = client.post("/api/v1/conversations", json={"email": "a@example.com", "body": "x" * 20_001},
                      headers=_auth(token))
    assert res.status_code == 422
    res = client.get("/api/v1/conversations/cv-missing", headers=_auth(token))
    assert res.status_code == 404 and res.json()["error"]["code"] == "not_found"


def test_script_in_message_is_returned_as_data(client: TestClient, world: World) -> None:
    token = world.token()
    res = client.post("/api/v1/conversations", json={"email": "x@example.com", "body": "<script>alert(1)</script>"},
                      headers=_auth(token))
    assert res.status_code == 201
    assert res.headers["content-type"].startswith("application/json")
    assert "default-src 'self'" in res.headers["content-security-policy"]


def test_healthz(client: TestClient) -> None:
    res = client.get("/healthz")
    assert res.status_code == 200 and res.json()["status"] == "ok"


def test_message_routes_answer_exactly_their_response_models(client: TestClient, world: World) -> None:
    """The ingest routes write their JSON themselves (web/responses.py, ADR 0010): it must stay what FastAPI
    would have written for the declared response model, and a retry must answer 200 with the stored message."""
    from hushdesk.inbox import schemas as s

    token = world.token()
    created = client.post("/api/v1/conversations", json={"email": "m@example.com", "body": "first"},
                          headers=_auth(token))
    assert created.headers["content-type"] == "application/json"
    parsed = s.CreatedConversation.model_validate(created.json())
    assert created.json() == parsed.model_dump(mode="json")
    conv_id = parsed.conversation.id
    body = {"kind": "inbound", "email": "m@example.com", "body": "again, order 77", "client_message_id": "k-1"}
    first = client.post(f"/api/v1/conversations/{conv_id}/messages", json=body, headers=_auth(token))
    retry = client.post(f"/api/v1/conversations/{conv_id}/messages", json=body, headers=_auth(token))
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json() == s.MessageOut.model_validate(first.json()).model_dump(mode="json")
    assert retry.json()["id"] == first.json()["id"] and first.json()["body"] == "again, order 77"
    detail = client.get(f"/api/v1/conversations/{conv_id}", headers=_auth(token)).json()
    assert detail["message_count"] == 2 and len(detail["messages"]) == 2
