"""The chat widget's socket: a visitor's live, two-way conversation.

Protocol (JSON text frames):
  client -> {"type": "auth", "token": "vs_..."}                 first frame, within AUTH_TIMEOUT seconds
  server -> {"type": "ready", "conversation_id": str | null}
  client -> {"type": "message", "client_message_id": "<uuid>", "body": "..."}
  server -> {"type": "ack", "client_message_id", "message_id", "conversation_id", "created_at"}   after commit
  server -> {"type": "error", "code", "message", "client_message_id"?}                          nothing stored
  server -> {"type": "message", "message_id", "kind", "body", "created_at", "client_message_id", "audio_clip_id"}
  server -> {"type": "audio", "message_id", "audio_clip_id"}   a spoken version was attached to a reply
  client -> {"type": "ping"}  /  server -> {"type": "pong"}
Close codes: 4401 bad or missing visitor token, 4403 origin not allowed, 4404 unknown widget key.

A resend with the same client_message_id returns the stored message (channels.webchat.visitor_send is
idempotent), so a client that lost an ack resends without creating a duplicate. Internal notes never reach this
socket: it subscribes to the visitor topic, which carries customer-visible messages only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from hushdesk.channels import webchat
from hushdesk.context import AppContext
from hushdesk.db import UnitOfWork
from hushdesk.kit.errors import DomainError, NotFound, Unauthenticated
from hushdesk.models import Widget
from hushdesk.realtime.bus import visitor_topic
from hushdesk.web.origins import widget_origin_ok
from hushdesk.web.sockets import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_UNAUTHENTICATED,
    RateBucket,
    SocketPeer,
)

AUTH_TIMEOUT = 15.0
VISIBLE_KINDS = ("inbound", "outbound")


@dataclass(frozen=True)
class Sent:
    message_id: str
    conversation_id: str
    created_at: str


class VisitorSocket(SocketPeer):
    def __init__(self, ctx: AppContext, websocket: WebSocket) -> None:
        super().__init__(ctx, websocket)
        self.widget: Widget | None = None
        self.token = ""
        self.conversation_id: str | None = None
        self.bucket = RateBucket(capacity=20, per_second=0.5)

    async def serve(self, key: str) -> None:
        await self.websocket.accept()
        try:
            await self._serve(key)
        except WebSocketDisconnect:
            pass
        finally:
            await self.stop_tasks()

    async def _serve(self, key: str) -> None:
        try:
            widget = await self.in_uow(lambda uow: webchat.widget_by_key(uow, key[:64]))
        except NotFound:
            await self.close(CLOSE_NOT_FOUND, "unknown chat widget")
            return
        if not widget_origin_ok(widget, self.websocket.headers.get("origin"), self.websocket.headers,
                                self.ctx.settings.base_url):
            await self.close(CLOSE_FORBIDDEN, "this site is not allowed to use the chat widget")
            return
        self.widget = widget
        if not await self._authenticate():
            return
        await self.send({"type": "ready", "conversation_id": self.conversation_id})
        while True:
            frame = await self.next_frame()
            kind = frame.get("type") if frame else None
            if kind == "message" and frame is not None:
                await self._message(frame)
            elif kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "__too_large__":
                await self.send({"type": "error", "code": "frame_too_large", "message": "that message is too long"})
            else:
                await self.send({"type": "error", "code": "bad_frame", "message": "unrecognised frame"})

    async def _authenticate(self) -> bool:
        try:
            frame = await asyncio.wait_for(self.next_frame(), timeout=AUTH_TIMEOUT)
        except TimeoutError:
            frame = None
        token = frame.get("token") if frame and frame.get("type") == "auth" else None
        if not isinstance(token, str) or not token or len(token) > 200:
            await self.close(CLOSE_UNAUTHENTICATED, "send {type: auth, token} first")
            return False
        widget = self.widget
        assert widget is not None

        def resolve(uow: UnitOfWork) -> str | None:
            return webchat.resolve_visitor(uow, widget, token).conversation_id

        try:
            conversation_id = await self.in_uow(resolve)
        except Unauthenticated:
            await self.close(CLOSE_UNAUTHENTICATED, "chat session not found; start a new chat")
            return False
        self.token = token
        if conversation_id:
            await self._follow(conversation_id)
        return True

    async def _message(self, frame: dict[str, Any]) -> None:
        cmid, body = frame.get("client_message_id"), frame.get("body")
        if not isinstance(cmid, str) or not 1 <= len(cmid) <= 64:
            await self.send({"type": "error", "code": "invalid_client_message_id",
                             "message": "client_message_id must be a string of 1-64 characters"})
            return
        if not isinstance(body, str):
            await self.send({"type": "error", "code": "validation_error", "message": "body must be text",
                             "client_message_id": cmid})
            return
        if not self.bucket.take():
            await self.send({"type": "error", "code": "rate_limited", "client_message_id": cmid,
                             "message": "you are sending messages too quickly; it will be retried"})
            return
        widget, token = self.widget, self.token
        assert widget is not None

        def store(uow: UnitOfWork) -> Sent:
            got = webchat.visitor_send(uow, widget, token, body, cmid)
            return Sent(got.message.id, got.conversation.id, got.message.created_at.isoformat())

        try:
            sent = await self.in_uow(store)
        except DomainError as exc:
            await self.send({"type": "error", "code": exc.code, "message": exc.message, "client_message_id": cmid})
            if isinstance(exc, Unauthenticated):
                await self.close(CLOSE_UNAUTHENTICATED, exc.message)
            return
        if sent.conversation_id != self.conversation_id:
            await self._follow(sent.conversation_id)
        await self.send({"type": "ack", "client_message_id": cmid, "message_id": sent.message_id,
                         "conversation_id": sent.conversation_id, "created_at": sent.created_at})

    async def _follow(self, conversation_id: str) -> None:
        """Subscribe to the conversation's visitor topic; returns once subscribed, so nothing is missed."""
        self.conversation_id = conversation_id
        subscribed = asyncio.Event()
        self.spawn(self._pump(conversation_id, subscribed))
        await subscribed.wait()

    async def _pump(self, conversation_id: str, subscribed: asyncio.Event) -> None:
        async with self.ctx.events.subscribe(visitor_topic(conversation_id)) as queue:
            subscribed.set()
            while True:
                event = await queue.get()
                if event.get("type") == "message.audio" and event.get("kind") == "outbound":
                    await self.send({"type": "audio", "message_id": event["message_id"],
                                     "audio_clip_id": event["audio_clip_id"]})
                    continue
                if event.get("type") != "message.created" or event.get("kind") not in VISIBLE_KINDS:
                    continue
                await self.send({
                    "type": "message", "message_id": event["message_id"], "kind": event["kind"],
                    "body": event["body"], "created_at": event["created_at"],
                    "client_message_id": event.get("client_message_id"),
                    "audio_clip_id": event.get("audio_clip_id"),
                })
