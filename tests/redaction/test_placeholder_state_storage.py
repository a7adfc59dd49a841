"""The stored form of a conversation's placeholder state (``PlaceholderState.to_bytes``/``from_bytes``)."""

from __future__ import annotations

import datetime
import os
import pickle

import pytest

from hushdesk.redaction import PlaceholderState, get_engine
from hushdesk.redaction.state import _STATE_TAG


def _state() -> PlaceholderState:
    text = "Priya Sharma (priya@example.com, +1 415 555 0101) paid with 4111 1111 1111 1111 for order HD-1234."
    return get_engine().redact(text, state=PlaceholderState()).state


def test_bytes_round_trip_and_earlier_json_blobs_still_read() -> None:
    state = _state()
    assert state.values and state.originals and state.counters
    assert PlaceholderState.from_bytes(state.to_bytes()) == state
    assert PlaceholderState.from_bytes(state.to_json().encode()) == state  # what earlier versions stored
    assert PlaceholderState.from_json(state.to_json()) == state


@pytest.mark.parametrize("payload", [
    (_STATE_TAG, 2, {"EMAIL\x1fa@b.c": True}, {}, {}),                 # bool is not a placeholder number
    (_STATE_TAG, 2, {1: 1}, {}, {}),                                  # keys are strings
    (_STATE_TAG, 2, {}, {"<EMAIL_1>": 5}, {}),                        # originals are text
    (_STATE_TAG, 3, {}, {}, {}),                                      # unknown version
    ("something else", 2, {}, {}, {}),
    [_STATE_TAG, 2, {}, {}, {}],                                      # not the tuple we write
    (_STATE_TAG, 2, {}, {}),
])
def test_malformed_blobs_are_refused(payload: object) -> None:
    with pytest.raises(ValueError):
        PlaceholderState.from_bytes(pickle.dumps(payload, protocol=5))


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize("payload", [_Boom(), (_STATE_TAG, 2, {}, {"<DATE_1>": datetime.date(2020, 1, 1)}, {})])
def test_a_blob_that_references_code_or_classes_is_refused_without_running_anything(payload: object) -> None:
    with pytest.raises(ValueError):
        PlaceholderState.from_bytes(pickle.dumps(payload, protocol=5))


def test_truncated_blobs_are_refused() -> None:
    blob = _state().to_bytes()
    for cut in (1, len(blob) // 2, len(blob) - 1):
        with pytest.raises(ValueError):
            PlaceholderState.from_bytes(blob[:cut])


# -- version 3: stored entries searched in place ----------------------------------------------------------------
def _conversation(messages: list[str]) -> tuple[PlaceholderState, PlaceholderState]:
    """The same conversation redacted twice: through the stored form after every message (as ingestion does),
    and in memory only. Returns (stored-path state, in-memory state)."""
    engine = get_engine()
    blob = PlaceholderState().to_bytes()
    memory = PlaceholderState()
    for text in messages:
        stored_result = engine.redact(text, state=PlaceholderState.from_bytes(blob))
        memory_result = engine.redact(text, state=memory)
        assert stored_result.text == memory_result.text
        blob, memory = stored_result.state.to_bytes(), memory_result.state
    return PlaceholderState.from_bytes(blob), memory


def test_the_stored_form_numbers_exactly_as_the_in_memory_state() -> None:
    messages = [
        "Hi, I'm Priya Sharma, email priya@example.com, phone +1 415 555 0101.",
        "Priya again: my card 4111 1111 1111 1111 was charged twice for HD-1234.",
        "Write to PRIYA@EXAMPLE.COM or call (415) 555-0101, thanks, Priya.",
        "My colleague Tomás Ferreira (tomas@example.org) will follow up on HD-1234.",
        "Tomás here. Also reach me at +44 20 7946 0958.",
    ] + [f"Order HD-{i} for mario.rossi{i}@example.com, call +1 212 555 01{i:02d}" for i in range(40)]
    stored, memory = _conversation(messages)
    assert stored == memory
    assert stored.mapping() == memory.mapping()
    assert stored.rehydrate("<PERSON_1> <EMAIL_1>") == memory.rehydrate("<PERSON_1> <EMAIL_1>")


def test_a_message_is_redacted_without_parsing_the_stored_entries() -> None:
    stored, _ = _conversation([f"Mail jo{i}@example.com about HD-{i}" for i in range(30)])
    again = PlaceholderState.from_bytes(stored.to_bytes())
    result = get_engine().redact("jo7@example.com asked again; new: ann@example.com", state=again)
    assert result.text == "<EMAIL_8> asked again; new: <EMAIL_31>"
    assert result.state._stored is not None  # looked up in place, never parsed whole
    assert result.state._values == {"EMAIL\x1fann@example.com": 31}  # only the new value is held apart


def test_control_characters_and_backslashes_survive_the_text_form() -> None:
    state = PlaceholderState()
    odd = ["Flat 2\nMain St", "back\\slash \\n not a newline", "rec\x1eord sep", "V\x1efake\n"]
    placeholders = [state.placeholder_for("LOCATION", text) for text in odd]
    restored = PlaceholderState.from_bytes(state.to_bytes())
    assert restored.mapping() == {p: t for p, t in zip(placeholders, odd, strict=True)}
    again = PlaceholderState.from_bytes(state.to_bytes())
    assert [again.placeholder_for("LOCATION", text) for text in odd] == placeholders  # found in place
    assert again._stored is not None and again._values == {}


def _v3(body: str, counters: str = "") -> bytes:
    return f"HDPS3\x1e{len(body)}\x1e{counters}{body}".encode()


@pytest.mark.parametrize("blob", [
    b"HDPS3\x1e5\x1e\nVEMAIL\x1fa@b.c\x1e1\n",     # length does not match the body
    _v3("\n", counters="EMAIL=x"),                  # counter is not a number
    b"HDPS3\x1e\x1e\n",                              # no length
    _v3("\nXfoo\x1e1\n"),                            # unknown entry kind (refused when read whole)
    _v3("\nVfoo\n"),                                 # entry without a separator
    _v3("\nVa\x1e1x\n"),                           # number with junk
    _v3("\nOa\x1eb\\q\n"),                           # unknown escape
    _v3("\nVa\x1e1"),                                 # body does not end an entry
    b"HDPS3\x1e3\x1e\n\xff\n",                        # not UTF-8
])
def test_malformed_version_3_blobs_are_refused(blob: bytes) -> None:
    with pytest.raises(ValueError):
        PlaceholderState.from_bytes(blob).mapping()


def test_a_well_formed_version_3_blob_reads() -> None:
    state = PlaceholderState.from_bytes(_v3("\nVEMAIL\x1fa@b.c\x1e1\nO<EMAIL_1>\x1ea@b.c\n", counters="EMAIL=1"))
    assert state.mapping() == {"<EMAIL_1>": "a@b.c"} and state.counters == {"EMAIL": 1}
