"""Property tests: redaction hides every detected value, numbering is consistent,
and offsets survive normalisation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hushdesk.redaction import PlaceholderState, get_engine
from hushdesk.redaction.normalize import normalise

PII = st.sampled_from(
    [
        "jane.doe@example.org",
        "+1 202-555-0198",
        "4111 1111 1111 1111",
        "Priya Sharma",
        "Marco",
        "203.0.113.9",
        "DE89 3704 0044 0532 0130 00",
        "742 Evergreen Terrace",
        "1985-02-15",
    ]
)
FILLER = st.sampled_from(
    ["hello", "my order", "is late", "thanks", "Hi", "call", "and", ",", ".", "\n", "please", "the router"]
)
HIDDEN = st.sampled_from(["\u200b", "\u200d", "\ufeff", "\u00ad"])


@st.composite
def messages(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(PII, FILLER), min_size=1, max_size=12))
    return " ".join(parts)


@settings(max_examples=150, deadline=None)
@given(messages())
def test_redacted_output_never_contains_a_detected_value(text: str) -> None:
    result = get_engine().redact(text)
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.text.casefold() not in result.text.casefold()


@settings(max_examples=100, deadline=None)
@given(st.lists(messages(), min_size=1, max_size=4))
def test_placeholders_are_consistent_within_a_conversation(conversation: list[str]) -> None:
    engine = get_engine()
    state = PlaceholderState()
    seen: dict[tuple[str, str], str] = {}
    for message in conversation:
        result = engine.redact(message, state=state)
        for finding in result.findings:
            # Asking again for a value already seen must not assign a new number.
            placeholder = result.state.copy().placeholder_for(finding.label, finding.text)
            assert placeholder in result.state.mapping()
            assert placeholder in result.text
            key = (finding.label, finding.text.casefold())
            assert seen.setdefault(key, placeholder) == placeholder
        state = result.state
    assert PlaceholderState.from_json(state.to_json()).mapping() == state.mapping()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(PII, FILLER, HIDDEN), min_size=1, max_size=12))
def test_offsets_round_trip_through_normalisation(parts: list[str]) -> None:
    text = " ".join(parts)
    normalised = normalise(text)
    # Every normalised character maps into the original, in order.
    previous_end = 0
    for index in range(len(normalised.text)):
        start, end = normalised.to_original(index, index + 1)
        assert 0 <= start < end <= len(text)
        assert start >= previous_end - 1
        previous_end = end
    for finding in get_engine().analyze(text):
        assert text[finding.start : finding.end] == finding.text


@settings(max_examples=100, deadline=None)
@given(messages())
def test_rehydrating_a_redaction_restores_the_original(text: str) -> None:
    result = get_engine().redact(text)
    restored, unknown = result.state.rehydrate(result.text)
    assert unknown == []
    # Same-value mentions may differ in case or spacing: compare case-insensitively.
    assert restored.casefold() == text.casefold() or len(result.findings) != len(set(result.state.mapping()))
