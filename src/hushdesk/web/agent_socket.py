"""The agents' socket: live inbox changes for the workspace, live messages for the open conversation.

Protocol (JSON text frames):
  server -> {"type": "ready"}
  server -> {"type": "conversation.updated", "conversation_id", "status"}      workspace-wide, no content
  client -> {"type": "watch", "conversation_id": "..."}                        the conversation on screen
  server -> {"type": "watching", "conversation_id"} | {"type": "error", "code": "not_found", "status": 404}
  server -> {"type": "message", "conversation_id", "id", "kind", "author", "created_at", "body", "redacted"}
  client -> {"type": "unwatch"} | {"type": "ping"}
Close codes: 4401 not signed in (or the session ended), 4403 the page is not on our origin.

Message bodies: the bus carries plaintext; roles allowed to read raw content (whose opening of the view was
audited) receive it, everyone else the stored redacted text. The session is re-checked before each message
is pushed, so signing out or revoking a session stops the stream.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from hushdesk.accounts.service import SessionInfo, resolve_session
from hushdesk.context import AppContext
from hushdesk.db import UnitOfWork
from hushdesk.inbox.service import access_conversation
from hushdesk.kit.errors import DomainError, NotFound, Unauthenticated
from hushdesk.realtime.bus import conversation_topic, workspace_topic
from hushdesk.web.conversation_view import MessageItem, live_message
from hushdesk.web.deps import SESSION_COOKIE
from hushdesk.web.origins import is_own_origin
from hushdesk.web.sockets import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, SocketPeer

INBOX_COALESCE_SECONDS = 0.25

class AgentSocket(SocketPeer):
    def __init__(self, ctx: AppContext, websocket: WebSocket) -> None:
        super().__init__(ctx, websocket)
        self.token = websocket.cookies.get(SESSION_COOKIE, "")
        self.session: SessionInfo | None = None
        self.watch_task: asyncio.Task[None] | None = None

    async def serve(self) -> None:
        await self.websocket.accept()
        try:
            await self._serve()
        except WebSocketDisconnect:
            pass
        finally:
            await self.stop_tasks()

    async def _serve(self) -> None:
        if not is_own_origin(self.websocket.headers.get("origin"), self.websocket.headers,
                             self.ctx.settings.base_url):
            await self.close(CLOSE_FORBIDDEN, "origin not allowed")
            return
        if not await self._check_session():
            return
        assert self.session is not None
        subscribed = asyncio.Event()
        self.spawn(self._inbox_pump(self.session.actor.workspace_id, subscribed))
        await subscribed.wait()
        await self.send({"type": "ready"})
        while True:
            frame = await self.next_frame() or {}
            kind = frame.get("type")
            if kind == "watch":
                await self._watch(frame.get("conversation_id"))
            elif kind == "unwatch":
                self._unwatch()
            elif kind == "ping":
                await self.send({"type": "pong"})
            else:
                await self.send({"type": "error", "code": "bad_frame", "message": "unrecognised frame"})

    async def _check_session(self) -> bool:
        token = self.token
        if not token:
            await self.close(CLOSE_UNAUTHENTICATED, "please sign in")
            return False
        try:
            self.session = await self.in_uow(lambda uow: resolve_session(uow, token))
        except Unauthenticated as exc:
            await self.close(CLOSE_UNAUTHENTICATED, exc.message)
            return False
        return True

    def _unwatch(self) -> None:
        if self.watch_task is not None:
            self.watch_task.cancel()
            self.watch_task = None

    async def _watch(self, conversation_id: Any) -> None:
        self._unwatch()
        if not isinstance(conversation_id, str) or not 1 <= len(conversation_id) <= 64:
            await self.send({"type": "error", "code": "bad_frame", "message": "conversation_id is required"})
            return
        if not await self._check_session():
            return
        assert self.session is not None
        actor = self.session.actor
        try:
            await self.in_uow(lambda uow: access_conversation(uow, actor, conversation_id))
        except NotFound:
            await self.send({"type": "error", "code": "not_found", "status": 404,
                             "conversation_id": conversation_id, "message": "conversation not found"})
            return
        except DomainError as exc:
            await self.send({"type": "error", "code": exc.code, "status": exc.status, "message": exc.message,
                             "conversation_id": conversation_id})
            return
        subscribed = asyncio.Event()
        self.watch_task = self.spawn(self._conversation_pump(conversation_id, subscribed))
        await subscribed.wait()
        await self.send({"type": "watching", "conversation_id": conversation_id})

    async def _inbox_pump(self, workspace_id: str, subscribed: asyncio.Event) -> None:
        async with self.ctx.events.subscribe(workspace_topic(workspace_id)) as queue:
            subscribed.set()
            while True:
                event = await queue.get()
                if event.get("type") != "conversation.updated":
                    continue
                # The inbox list reloads on any update, so a burst becomes one frame per socket: with many
                # agents online, per-event frames multiplied into thousands of sends a second.
                await asyncio.sleep(INBOX_COALESCE_SECONDS)
                changed = [event]
                while not queue.empty():
                    more = queue.get_nowait()
                    if more.get("type") == "conversation.updated":
                        changed.append(more)
                last = changed[-1]
                await self.send({"type": "conversation.updated", "conversation_id": last.get("conversation_id"),
                                 "status": last.get("status"),
                                 "conversation_ids": sorted({str(e.get("conversation_id")) for e in changed})})

    async def _conversation_pump(self, conversation_id: str, subscribed: asyncio.Event) -> None:
        async with self.ctx.events.subscribe(conversation_topic(conversation_id)) as queue:
            subscribed.set()
            while True:
                event = await queue.get()
                if event.get("type") != "message.created":
                    continue
                try:
                    item = await self._message_for_me(conversation_id, event)
                except DomainError:  # e.g. the message was erased meanwhile: nothing to show
                    continue
                if item is None:
                    await self.close(CLOSE_UNAUTHENTICATED, "your session has ended")
                    return
                await self.send({**item.as_event(), "conversation_id": conversation_id})

    async def _message_for_me(self, conversation_id: str, event: dict[str, Any]) -> MessageItem | None:
        token, message_id = self.token, str(event.get("message_id", ""))
        body = event.get("body") if isinstance(event.get("body"), str) else None

        def build(uow: UnitOfWork) -> MessageItem:
            actor = resolve_session(uow, token).actor
            return live_message(uow, actor, conversation_id, message_id, body)

        try:
            return await self.in_read_only(build)
        except Unauthenticated:
            return None
