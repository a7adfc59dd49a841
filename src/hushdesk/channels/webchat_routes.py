"""Web-chat HTTP and WebSocket endpoints used by the embeddable widget.

- ``GET /widget.js``: the loader a business puts on its site (launcher button + iframe).
- ``GET /widget/frame?key=``: the chat itself, on our origin; its CSP ``frame-ancestors`` lists the widget's
  allowed sites, so browsers refuse to show it inside any other site.
- ``POST /widget/api/session``, ``GET /widget/api/history``: start a visitor session, read its history.
- ``WS /widget/ws?key=``: live two-way messaging (protocol in web/visitor_socket.py).
- ``GET /widget/demo?key=``: a page of our own that embeds the widget, for trying it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, WebSocket
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from hushdesk.channels import webchat
from hushdesk.kit.errors import Forbidden, Unauthenticated
from hushdesk.web.access import public
from hushdesk.web.deps import Uow, bearer_token
from hushdesk.web.origins import frame_ancestors, websocket_origins, widget_origin_ok
from hushdesk.web.page import render
from hushdesk.web.throttle import widget_sessions
from hushdesk.web.visitor_socket import VisitorSocket

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
Key = Annotated[str, Query(min_length=1, max_length=64)]


def frame_csp(request: Request, ancestors: str) -> str:
    sockets = websocket_origins(request.headers, request.app.state.settings.base_url)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
        f"connect-src 'self' {sockets}; frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'; "
        "object-src 'none'"
    )


@router.get("/widget.js", dependencies=[public("website visitors (chat widget)")])
def widget_loader() -> FileResponse:
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300",
                                 "Cross-Origin-Resource-Policy": "cross-origin"})


@router.get("/widget/frame", dependencies=[public("website visitors (chat widget)")])
def widget_frame(request: Request, uow: Uow, key: Key) -> HTMLResponse:
    widget = webchat.widget_by_key(uow, key)
    info = webchat.widget_info(uow, widget)
    policy = info.privacy_policy_url or f"/privacy/{info.workspace_slug}"
    if not policy.startswith(("https://", "http://", "/")):
        policy = f"/privacy/{info.workspace_slug}"
    return render(request, "widget_frame.html", {"info": info, "privacy_url": policy},
                  headers={"Content-Security-Policy": frame_csp(request, frame_ancestors(widget))})


@router.get("/widget/demo", dependencies=[public("website visitors (chat widget)")])
def widget_demo(request: Request, uow: Uow, key: Key) -> HTMLResponse:
    widget = webchat.widget_by_key(uow, key)
    return render(request, "widget_demo.html", {"info": webchat.widget_info(uow, widget)})


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    key: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    # The pre-chat form's hidden honeypot input: people never see it, so a value means a bot (hushdesk.spam).
    website: str | None = Field(default=None, max_length=500)


@router.post("/widget/api/session", status_code=201,
             dependencies=[public("website visitors (chat widget)"), Depends(widget_sessions)])
def start_session(body: SessionIn, request: Request, uow: Uow) -> JSONResponse:
    widget = webchat.widget_by_key(uow, body.key)
    if not widget_origin_ok(widget, request.headers.get("origin"), request.headers, uow.app.settings.base_url):
        raise Forbidden("this site is not allowed to use the chat widget", code="origin_not_allowed")
    token = webchat.start_session(uow, widget, name=body.name, email=body.email, honeypot=bool(body.website))
    return JSONResponse({"token": token}, status_code=201, headers={"Cache-Control": "no-store"})


def visitor_token(request: Request) -> str:
    token = bearer_token(request.scope)
    if token is None:
        raise Unauthenticated("send the visitor token as 'Authorization: Bearer <token>'", code="no_token")
    return token


@router.get("/widget/api/history", dependencies=[public("website visitors (chat widget)")])
def history(request: Request, uow: Uow, key: Key) -> JSONResponse:
    widget = webchat.widget_by_key(uow, key)
    session, messages = webchat.visitor_history(uow, widget, visitor_token(request))
    return JSONResponse({
        "conversation_id": session.conversation_id,
        "messages": [{"message_id": m.id, "kind": m.kind, "body": m.body, "created_at": m.created_at.isoformat(),
                      "client_message_id": m.client_message_id, "audio_clip_id": m.audio_clip_id}
                     for m in messages],
    }, headers={"Cache-Control": "no-store"})


@router.websocket("/widget/ws", dependencies=[public("website visitors (chat widget)")])
async def widget_socket(websocket: WebSocket, key: str = "") -> None:
    await VisitorSocket(websocket.app.state.ctx, websocket).serve(key)
