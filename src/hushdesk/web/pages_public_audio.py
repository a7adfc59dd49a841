"""The spoken version of each workspace's public privacy notice (an accessible alternative format).

The text read aloud is the notice exactly as ``/privacy/{slug}`` shows it: the page's template is rendered
and the text of its ``<main>`` is taken, leaving out anything marked ``data-speech-skip`` (the player
itself). The notice is public, so the audio is cached by content (``tts.public_audio``).
"""

from __future__ import annotations

from html.parser import HTMLParser

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from hushdesk.assistant.tts import public_audio
from hushdesk.kit.errors import NotFound
from hushdesk.models import Workspace
from hushdesk.tenancy.service import get_workspace_by_slug
from hushdesk.web.access import public
from hushdesk.web.deps import Uow

router = APIRouter()

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})
_BLOCK = frozenset({"p", "li", "h1", "h2", "h3", "h4", "ul", "ol", "div", "section"})


class _MainText(HTMLParser):
    """Collects the text inside ``<main>``, skipping subtrees marked ``data-speech-skip``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._in_main = 0
        self._skip_depth = 0
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        self._depth += 1
        if tag == "main" and not self._in_main:
            self._in_main = self._depth
        if self._in_main and not self._skip_depth and any(name == "data-speech-skip" for name, _ in attrs):
            self._skip_depth = self._depth

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self._in_main and not self._skip_depth and tag in _BLOCK:
            self.parts.append("\n")
        if self._skip_depth == self._depth:
            self._skip_depth = 0
        if self._in_main == self._depth:
            self._in_main = 0
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_main and not self._skip_depth:
            self.parts.append(data)


def page_text(html: str) -> str:
    """The readable text of a page's ``<main>``; each block ends a sentence so the voice pauses."""
    parser = _MainText()
    parser.feed(html)
    parser.close()
    blocks = (" ".join(block.split()) for block in "".join(parser.parts).split("\n"))
    return " ".join(b if b.endswith((".", "!", "?", ":")) else f"{b}." for b in blocks if b)


def privacy_text(request: Request, workspace: Workspace) -> str:
    templates: Jinja2Templates = request.app.state.templates
    html = templates.get_template("privacy.html").render(workspace=workspace, request=request)
    return page_text(html)


@router.get("/privacy/{slug}/audio.wav", dependencies=[public("customers (privacy notice)")])
def privacy_audio(slug: str, request: Request, uow: Uow) -> Response:
    workspace = get_workspace_by_slug(uow, slug)
    text = privacy_text(request, workspace)
    if not text:
        raise NotFound("privacy notice not found")
    clip = public_audio(uow, workspace.id, "policy", workspace.id, text)
    return Response(clip.public_data, media_type="audio/wav", headers={"Cache-Control": "public, max-age=300"})
