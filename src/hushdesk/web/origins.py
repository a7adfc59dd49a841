"""Origins: what counts as our own site, and the strict syntax of a configured widget origin.

Browsers send ``Origin`` on WebSocket handshakes and on cross-origin or non-GET fetches. Our own origin is the
configured ``base_url`` and whatever host the browser actually reached (the ``Host`` header), under http or
https (TLS may end at a proxy in front of us).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import Headers

from hushdesk.channels.webchat import origin_allowed
from hushdesk.models import Widget

# scheme://host[:port] and nothing else: configured origins end up in a Content-Security-Policy header.
ORIGIN_RE = re.compile(
    r"^https?://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:\d{1,5})?$"
)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def own_origins(headers: Headers, base_url: str) -> set[str]:
    own = {origin_of(base_url)}
    host = headers.get("host", "")
    if host and re.fullmatch(r"[A-Za-z0-9.\-:\[\]]{1,300}", host):
        own |= {f"http://{host}", f"https://{host}"}
    own.discard("")
    return own


def is_own_origin(origin: str | None, headers: Headers, base_url: str) -> bool:
    return origin is not None and origin.rstrip("/") in own_origins(headers, base_url)


def widget_origin_ok(widget: Widget, origin: str | None, headers: Headers, base_url: str) -> bool:
    """The chat frame runs on our origin; sites listed on the widget may also talk to it directly."""
    return is_own_origin(origin, headers, base_url) or origin_allowed(widget, origin, base_url)


def frame_ancestors(widget: Widget) -> str:
    """The CSP ``frame-ancestors`` sources for the chat frame: our own pages plus the widget's allowed sites."""
    listed = widget.allowed_origins.split()
    if "*" in listed:
        return "*"
    valid = [o.rstrip("/") for o in listed if ORIGIN_RE.match(o.rstrip("/"))]
    return " ".join(["'self'", *valid])


def websocket_origins(headers: Headers, base_url: str) -> str:
    out = []
    for origin in sorted(own_origins(headers, base_url)):
        scheme, _, rest = origin.partition("://")
        out.append(("wss://" if scheme == "https" else "ws://") + rest)
    return " ".join(out)
