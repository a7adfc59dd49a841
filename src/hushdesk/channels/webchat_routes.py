"""Web-chat HTTP and WebSocket endpoints used by the embeddable widget."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
