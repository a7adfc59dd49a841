"""Agent WebSocket: live inbox and conversation updates (protocol in web/agent_socket.py)."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from hushdesk.web.access import signed_in
from hushdesk.web.agent_socket import AgentSocket

router = APIRouter(include_in_schema=False)


@router.websocket("/ws/agent", dependencies=[signed_in()])
async def agent_socket(websocket: WebSocket) -> None:
    await AgentSocket(websocket.app.state.ctx, websocket).serve()
