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
