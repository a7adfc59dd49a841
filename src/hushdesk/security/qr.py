"""The two-factor setup link as a QR code, drawn on the server as inline SVG.

Why here and not a script or an image service: the pages run under a CSP without inline scripts, and the link
holds the user's TOTP key, so it must never leave the server in a request to anyone else. segno (pure Python,
BSD licence) draws it; the SVG uses presentation attributes only, which the CSP allows.
"""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    code = segno.make(text, error="m")
    svg = code.svg_inline(scale=4, border=2, dark="#111111", light="#ffffff", svgclass="totp-qr-code")
    # segno builds the markup from the QR matrix alone (path data and numbers): nothing of ``text`` is in it.
    return Markup(svg)  # noqa: S704 - segno output, built from the QR matrix only (see above)
