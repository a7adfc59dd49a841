"""The privacy notice has a spoken version: a real WAV of the page's own text, offered on the page."""

from __future__ import annotations

import io
import re
import wave

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import World
from tests.web.conftest import HTML

pytestmark = pytest.mark.timeout(120)


def test_privacy_page_offers_a_listen_control(web: TestClient, world: World) -> None:
    page = web.get(f"/privacy/{world.slug}", headers=HTML)
    assert page.status_code == 200
    assert re.search(rf'<audio[^>]*src="/privacy/{world.slug}/audio.wav"', page.text)
    assert "Listen" in page.text


def test_privacy_audio_is_a_wav_of_the_page_text(web: TestClient, world: World) -> None:
    from hushdesk.web.pages_public_audio import page_text

    text = page_text(web.get(f"/privacy/{world.slug}", headers=HTML).text)
    assert "Privacy notice for Acme support" in text and "What we keep" in text
    assert "Listen" not in text and "<" not in text
    res = web.get(f"/privacy/{world.slug}/audio.wav")
    assert res.status_code == 200 and res.headers["content-type"] == "audio/wav"
    assert res.content[:4] == b"RIFF" and res.content[8:12] == b"WAVE"
    with wave.open(io.BytesIO(res.content)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    words = len(text.split())
    assert words / 5.0 < seconds < words / 1.0, seconds
    again = web.get(f"/privacy/{world.slug}/audio.wav")  # public text: cached, same bytes
    assert again.status_code == 200 and again.content == res.content


def test_unknown_workspace_has_no_privacy_audio(web: TestClient) -> None:
    assert web.get("/privacy/no-such-shop/audio.wav").status_code == 404
