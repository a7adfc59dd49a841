"""The visitor's copy of a spoken reply: ``GET /widget/api/audio/{clip_id}`` with
``Authorization: Bearer <visitor token>`` (optionally ``?key=`` to pin the widget).

Only clips of outbound replies in the visitor's own conversation are served; anything else is a 404, so a
token never reveals whether some other conversation's clip exists. The audio is the contact's data, stored
encrypted under their key, and is never cached by the browser or any proxy.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from hushdesk.assistant.tts import decrypt_clip
from hushdesk.channels import webchat
from hushdesk.channels.webchat_routes import visitor_token
from hushdesk.web.access import public
from hushdesk.web.deps import Uow

router = APIRouter(include_in_schema=False)


@router.get("/widget/api/audio/{clip_id}", dependencies=[public("website visitors (chat widget)")])
def visitor_audio(request: Request, uow: Uow, clip_id: Annotated[str, Path(min_length=1, max_length=64)],
                  key: Annotated[str | None, Query(min_length=1, max_length=64)] = None) -> Response:
    token = visitor_token(request)
    widget = webchat.widget_by_key(uow, key) if key else None
    clip = webchat.visitor_clip(uow, token, clip_id, widget)
    data = decrypt_clip(uow, clip)
    return Response(data, media_type=clip.content_type,
                    headers={"Cache-Control": "no-store", "Content-Disposition": "inline"})
