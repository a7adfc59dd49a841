"""The engine's shortcuts compute exactly what the plain code computes."""

from __future__ import annotations

import random
import re

import pytest

from hushdesk.redaction import normalize
from hushdesk.redaction.model.features import (
    TAGS,
    TOKEN,
    context_features,
    neighbour_features,
    own_features,
    starts_sentence,
    token_view,
)
from hushdesk.redaction.model.tagger import shared_tagger
from hushdesk.redaction.recognizers import context
from hushdesk.redaction.recognizers.base import by_first_letter, folded, has_any_folded, literal_trie

_TEXTS = (
    "Hi, this is Jordan Miles. My order HD-12 never arrived; email me at jordan.miles12@example.com",
    'thanks!\nRegards,\nPriya Sharma\n"quoted" Dr. Emily Stone: see you Monday',
    "KEVIN SMITH CALLED ABOUT THE INVOICE",
    "i wonder if iDubbbz plays . when he is not filming ? ok",
)


def test_split_context_features_are_the_context_features() -> None:
    gazetteers = shared_tagger().gazetteers
    for text in _TEXTS:
        words = TOKEN.findall(text)
        view = token_view(words, [i == 0 for i in range(len(words))], gazetteers)
        for i in range(len(words)):
            starts = starts_sentence(view, i)
            for prev_tag in TAGS:
                split = own_features(view.shapes[i], view.flags[i], view.lowers[i], prev_tag, starts, view.casing)
                split += neighbour_features(view, i)
                assert sorted(split) == sorted(context_features(view, i, prev_tag)), (text, i, prev_tag)


def test_shipped_weights_are_integers() -> None:
    # The tagger sums a token's cached part and the rest apart: exact only for integers.
    assert all(type(value) is int for value in shared_tagger().values)


def test_shared_stem_scan_agrees_with_one_search_per_prefilter() -> None:
    rng = random.Random(7)
    alphabet = "abcdeilmnorst ./-"
    stem_sets = [
        tuple({"".join(rng.choice(alphabet[:8]) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 6))})
        for _ in range(12)
    ]
    checks = [has_any_folded(*stems) for stems in stem_sets]
    for _ in range(400):
        text = "".join(rng.choice(alphabet + "ABCDE\u212a\u0130") for _ in range(rng.randint(0, 40)))
        for stems, check in zip(stem_sets, checks, strict=True):
            expected = literal_trie(stems).search(folded(text)) is not None
            assert check(text) == expected, (stems, text)


def test_grouping_alternatives_by_first_letter_keeps_every_match() -> None:
    words = ("ref", "reference", "refund", "card", "gift card", "case", "a/c", "acct", "member(?:ship)?", "cc'?d?")
    plain = re.compile(rf"\b(?:{'|'.join(words)})\w*", re.IGNORECASE)
    grouped = re.compile(rf"\b{by_first_letter(words)}\w*", re.IGNORECASE)
    rng = random.Random(11)
    pieces = ("ref", "erence", "und", "card", "gift ", "case", "a/c", "acct", "member", "ship", "cc'd", " ", "X")
    pieces += ("\u212a",)  # the Kelvin sign matches "k" under IGNORECASE
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        assert [m.span() for m in plain.finditer(text)] == [m.span() for m in grouped.finditer(text)], text


def test_line_gates_agree_with_splitting_the_lines() -> None:
    def starts(text: str, words: tuple[str, ...]) -> bool:
        return any(line.lstrip(" \t").startswith(words) for line in folded(text).split("\n"))

    def ends(text: str, words: tuple[str, ...]) -> bool:
        return any(line.rstrip(" \t").removesuffix(",").endswith(words) for line in folded(text).split("\n")[:-1])

    greeting = context._line_starting_with(context._GREETING_STARTS)
    sign_off = context._line_ending_with(context._SIGN_OFF_ENDS)
    rng = random.Random(3)
    pieces = ("hi", "Hello", "good ", "GOOD", " ", "\t", "\n", ",", "regards", "Best", "thank you", "br", "x", "\r")
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert greeting(text) == starts(text, context._GREETING_STARTS), repr(text)
        assert sign_off(text) == ends(text, context._SIGN_OFF_ENDS), repr(text)


def test_rewrite_gate_skips_only_texts_that_would_not_change(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    pieces = ("john", " at ", "(at)", "[ at ]", "<AT>", "@", " @ ", "example", ".", " dot ", "[dot]", "{ Punto }")
    pieces += ("com", "uk", "noon", "12", " ", "x", "-", "arroba", " point ", "\n")
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))) for _ in range(6_000)]
    ats = ("@", " @", "@ ", " at ", " AT ", "(at)", " [ at ] ", "<arroba>", "at", " at", "{at} ")
    dots = (".", " dot ", "[dot]", " (DOT) ", "dot", " . ", "<punto>", " point ")
    for _ in range(6_000):  # address-shaped: local, at, labels, dots, a last label
        labels = [rng.choice(("example", "ex-1", "mail", "co", "12", "x")) for _ in range(rng.randint(1, 3))]
        domain = "".join(label + rng.choice(dots) for label in labels) + rng.choice(("com", "uk", "noon", "c0m", ""))
        text = rng.choice(("", "mail ", "at 14:30 ", "x.")) + rng.choice(("john", "j.doe", "a+b", "")) + rng.choice(ats)
        texts.append(text + domain + rng.choice(("", ".", " please", "x", "\n")))
    gated = [normalize._rewrite_spelled_emails(text) for text in texts]
    monkeypatch.setattr(normalize, "_MAY_REWRITE", re.compile(""))  # matches every text
    assert gated == [normalize._rewrite_spelled_emails(text) for text in texts]


def test_phone_validity_implies_possibility() -> None:
    """recognizers/phone.py validates a number only if it is possible: exact only while
    every length valid in a region is a possible length of its calling code (that is
    what is_valid_number and is_possible_number test of the length)."""
    from phonenumbers import phonenumberutil
    from phonenumbers.phonemetadata import PhoneMetadata

    possible = (phonenumberutil.ValidationResult.IS_POSSIBLE, phonenumberutil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY)
    checked = 0
    for code, regions in phonenumberutil.COUNTRY_CODE_TO_REGION_CODE.items():
        main = PhoneMetadata.metadata_for_region_or_calling_code(
            code, phonenumberutil.region_code_for_country_code(code)
        )
        assert main is not None
        for region in regions:
            metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
            if metadata is None:
                continue
            lengths = metadata.general_desc.possible_length
            assert lengths, (code, region)  # an empty list would let any length be valid
            for length in lengths:
                assert phonenumberutil._test_number_length("1" * length, main) in possible, (code, region, length)
            checked += 1
    assert checked > 200


def _phone_score_validating_every_region(value: str, match: re.Match[str], text: str) -> float | None:
    """recognizers/phone.py's _phone_score as it was: is_valid_number for every region tried."""
    import phonenumbers

    from hushdesk.redaction.recognizers import phone
    from hushdesk.redaction.recognizers.base import has_context, only_digits

    digits = only_digits(value)
    if not 7 <= len(digits) <= 15:
        return None
    stripped = value.strip()
    if phone._DATE_SHAPE.match(stripped) or phone._TIME_OR_VERSION.match(stripped) or phone._SSN_SHAPE.match(stripped):
        return None
    context = has_context(text, match.start(), phone._CONTEXT, 30)
    international = stripped.startswith(("+", "00"))
    grouped = any(not ch.isdigit() for ch in stripped)
    best = 0.0
    for region in ("ZZ",) if international else phone._REGIONS_TO_TRY:
        try:
            number = phonenumbers.parse(stripped, None if region == "ZZ" else region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            best = 0.85 if region in ("US", "ZZ") else 0.7
            break
        if best < 0.55 and phonenumbers.is_possible_number(number):
            best = 0.55
    if best == 0.0:
        if not (context and grouped):
            return None
        best = 0.5
    if not grouped and not international:
        best -= 0.25
    if context:
        best += 0.15
    return min(best, 0.99)


def test_phone_scores_are_those_of_validating_every_region() -> None:
    from hushdesk.redaction.recognizers import phone

    rng = random.Random(13)
    prefixes = ("", "1", "44", "49", "33", "91", "61", "55", "0", "011", "0011", "00", "+", "+ ", "+1 ", "+44 ")
    for _ in range(1_500):
        digits = rng.choice(prefixes) + "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 14)))
        value = "".join(ch + (rng.choice(" .-/") if rng.random() < 0.2 else "") for ch in digits).rstrip(" .-/")
        text = rng.choice(("call ", "order ", "", "phone: ")) + value
        for match in phone._PHONE.finditer(text):
            expected = _phone_score_validating_every_region(match.group(0), match, text)
            assert phone._phone_score(match.group(0), match, text) == expected, text


def test_scans_started_late_find_every_match() -> None:
    from hushdesk.redaction.recognizers import credit_card, email, name_kinds, phone
    from hushdesk.redaction.recognizers.base import first_digit

    rng = random.Random(17)
    pieces = ("jo", ".", "@", "ex", "com", " ", "4111", "1", "+", "(", ")", "-", "x@y", "\n", "é", "Jean", "Luc")
    scans = (
        (email._EMAIL, email._start_of_first_local_part),
        (phone._PHONE, phone._first_phone_character),
        (credit_card._CARD, first_digit),
    )
    for _ in range(5_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        for pattern, scan_from in scans:
            start = scan_from(text)
            late = [m.span() for m in pattern.finditer(text, start)] if start >= 0 else []
            assert [m.span() for m in pattern.finditer(text)] == late, (pattern.pattern, text)
        for start in range(len(text) + 1):  # hyphenated(): the head is searched only after a hyphen
            if name_kinds._HYPHEN_HEAD.search(text, max(0, start - 40), start) is not None:
                assert text[start - 1 : start] == "-" or text[max(0, start - 2) : start] == "-\n", (text, start)


def test_tagging_with_blocked_tokens_asked_lazily_is_the_same() -> None:
    from hushdesk.redaction.recognizers.names import blocked_tokens, token_blocker

    tagger = shared_tagger()
    common = tagger.gazetteers.common_words
    texts = (
        *_TEXTS,
        "Customer: hope you had fun, Hamish ! I wo n't pay, ai n't happy. ValueError in getUser",
        "April 30 th: Kristen Rocher and Jean-Luc Picard called re ticket HD-12 (MP3, PS4)",
    )
    for text in texts:
        matches = list(TOKEN.finditer(text))
        words = [m.group(0) for m in matches]
        line_starts = [i == 0 for i in range(len(words))]
        eager = tagger.tag_lists(words, line_starts, blocked_tokens(text, matches, words, common))
        lazy = tagger.tag_lists(words, line_starts, is_blocked=token_blocker(text, matches, words, common))
        assert eager == lazy, text
