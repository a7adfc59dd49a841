"""The API and the public help center: AI answers are labelled, the BYOK key never appears, audio is a WAV."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.assistant.conftest import API_KEY, configure, plant_article, planted_conversation
from tests.assistant.fake_openai import FakeOpenAI
from tests.support.factories import World


def test_api_draft_is_labelled_and_never_shows_the_key(client: TestClient, world: World, fake: FakeOpenAI) -> None:
    configure(world, fake)
    conv_id = planted_conversation(world)
    headers = {"authorization": f"Bearer {world.token()}"}
    res = client.post(f"/api/v1/conversations/{conv_id}/assistant/draft", headers=headers)
    assert res.status_code == 200, res.text
    assert res.json()["ai_generated"] is True and res.json()["draft_id"]
    fake.mode = "429"
    failed = client.post(f"/api/v1/conversations/{conv_id}/assistant/draft", headers=headers)
    assert failed.status_code == 502 and failed.json()["error_code"] == "ai_rate_limited"
    for body in (res.text, failed.text):
        assert API_KEY not in body and "SECRET" not in body


def test_foreign_conversation_is_404(client: TestClient, world: World, other_world: World) -> None:
    conv_id = planted_conversation(world, messages=1)
    headers = {"authorization": f"Bearer {other_world.token()}"}
    res = client.post(f"/api/v1/conversations/{conv_id}/assistant/draft", headers=headers)
    assert res.status_code == 404


def test_public_help_center_search_article_and_audio(client: TestClient, world: World) -> None:
    plant_article(world, "Opening hours", "We answer chats from 9 to 17, Monday to Friday.")
    page = client.get(f"/help/{world.slug}", params={"q": "when are you open hours"})
    assert page.status_code == 200 and "Opening hours" in page.text
    article = client.get(f"/help/{world.slug}/articles/opening-hours")
    assert article.status_code == 200 and "audio.wav" in article.text
    audio = client.get(f"/help/{world.slug}/articles/opening-hours/audio.wav")
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
