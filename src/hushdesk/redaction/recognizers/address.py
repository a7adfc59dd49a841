"""Street addresses: house number + street name + street type, and what follows.

A street line may continue with a unit, a city, a state/region, a postal code
and a country, separated by commas or line breaks (as in signatures and forms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hushdesk.redaction.recognizers.base import first_digit, has_any_folded, has_any_word
from hushdesk.redaction.types import ADDRESS, Candidate

_STREET_TYPES = (
    *("street", "st", "avenue", "ave", "av", "road", "rd", "lane", "ln", "drive", "dr", "boulevard", "blvd"),
    *("court", "ct", "way", "place", "pl", "terrace", "ter", "circle", "cir", "parkway", "pkwy", "highway"),
    *("hwy", "square", "sq", "trail", "trl", "crescent", "cres", "close", "grove", "gardens", "gdns", "row"),
    *("alley", "walk", "loop", "path", "plaza", "pike", "run", "crossing", "xing", "mews", "hill", "park"),
    *("heights", "view", "point", "ridge", "green", "common", "commons", "causeway", "quay", "wharf", "estate"),
    *("route", "rte", "expressway", "freeway", "fwy", "turnpike", "tpke"),
)
_STREET_TYPE = "(?i:" + "|".join(_STREET_TYPES) + ")"
_WORD = r"[A-Z][\w'.-]*"
_STREET_NUMBER_FIRST = (
    # At least one word between the number and the street type: "the 3 rd game" is no address.
    rf"\b\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+(?:(?:{_WORD}|\d{{1,3}}(?:st|nd|rd|th)|of|the|de|la)\s+){{1,4}}"
    rf"{_STREET_TYPE}\b\.?"
)
_ORDINAL_STREET = rf"\b\d{{1,3}}(?:st|nd|rd|th)\s+{_STREET_TYPE}\b\.?"
_NAMED_FIRST = (
    r"\b(?i:rua|rue|via|viale|calle|avenida|av\.|piazza|plaza|carrer|paseo|camino|largo|travessa|"
    r"chauss[ée]e|all[ée]e|corso|strada|ulica|ul\.|utca)\s+(?:(?i:de|do|da|dos|das|del|della|di|des|du|"
    r"la|le|les|el|the)\s+)?(?:[A-Z][\w'-]*\s+){1,4}\d{1,5}[a-z]?\b"
)
_SUFFIX_STREET = (
    r"\b[A-Z][\w-]*(?:stra(?:ss|ß)e|str\.|weg|gasse|straat|laan|plein|vej|gatan|gade|veien|allee|platz|"
    r"ring|damm|ufer|steig|markt)\s+\d{1,5}[a-z]?\b"
)
_PO_BOX = r"\b(?i:p\.?\s?o\.?\s?box|post office box|psc \d{3,5},?\s+box|box)\s+\d{1,6}\b"
_STREET = re.compile(rf"(?:{_STREET_NUMBER_FIRST}|{_ORDINAL_STREET}|{_NAMED_FIRST}|{_SUFFIX_STREET}|{_PO_BOX})")
_CONTINUATION = re.compile(
    r"(?:,[ \t]*|[ \t]*\n[ \t]*|[ \t]+(?=(?i:apt|apartment|suite|ste|unit|floor|fl|#)\b))"
    r"(?:"
    r"(?i:apt|apartment|suite|ste|unit|floor|fl|room|rm|bldg|building|#)\.?\s*#?\s*[\w-]{1,6}"  # unit
    r"|[A-Z]{2}\s+\d{5}(?:-\d{4})?"  # US state + ZIP
    r"|(?:[A-Z][\w'.-]*|[A-ZÀ-Ý][\wÀ-ÿ]*)(?:[ \t]+(?:[A-Z][\w'.-]*|of|on|upon|le|la|de)){0,3}"
    r"(?:,?[ \t]+(?:[A-Z]{2}|[A-Z]{2,3}\d\w?))?(?:[ \t]+\d{4,6}(?:-\d{4})?|[ \t]+[A-Z]\d[A-Z] ?\d[A-Z]\d)?"
    r"|\d{4,6}(?:-\d{4})?"  # postal code alone
    r"|(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5}"
    r")"
    # A continuation must end where the address line ends, so that a following
    # "Date of Birth:" or "Thanks for" is not swallowed.
    r"(?=[ \t]*(?:[,\n.;)!?]|$))"
)
_STOP_WORDS = frozenset(
    [
        "thanks",
        "thank",
        "regards",
        "best",
        "cheers",
        "please",
        "and",
        "or",
        "but",
        "the",
        "i",
        "we",
        "you",
        "my",
        "our",
        "if",
        "so",
        "then",
        "phone",
        "email",
        "tel",
        "mobile",
        "fax",
        "contact",
        "call",
        "ok",
        "okay",
        "yes",
        "no",
        "sure",
        "right",
        "hi",
        "hello",
        "dear",
        "see",
        "let",
    ]
)


# What _STREET needs besides a digit (every alternative has one): a street type as a
# whole word (first two alternatives: after white space, before a word boundary), a
# leading street word (third), a street-word suffix (fourth; "stra": strada, strasse,
# straße, straat) or "box" (fifth).
_HAS_STREET_TYPE = has_any_word(*_STREET_TYPES)
_STREET_WORDS = (
    *("rua", "rue", "via", "calle", "avenida", "av.", "piazza", "plaza", "carrer", "paseo", "camino", "largo"),
    *("travessa", "chauss", "allee", "all\u00e9e", "corso", "stra", "ulica", "ul.", "utca"),
    *("str.", "weg", "gasse", "laan", "plein", "vej", "gatan", "gade", "veien", "platz"),
    *("ring", "damm", "ufer", "steig", "markt", "box"),
)
_HAS_STREET_WORD = has_any_folded(*_STREET_WORDS)


def _may_hold_street(text: str) -> bool:
    if first_digit(text) < 0:
        return False
    # The stems first: their scan is shared with the other prefilters (either passes).
    return _HAS_STREET_WORD(text) or _HAS_STREET_TYPE(text)


class StreetAddressRecognizer:
    name = "street_address"
    labels = frozenset({ADDRESS})

    def find(self, text: str) -> Iterable[Candidate]:
        if not _may_hold_street(text):
            return
        for match in _STREET.finditer(text):
            start, end = match.start(), match.end()
            if match.group(0)[0].isdigit() and start > 0 and text[start - 1] in "$€£#":
                continue
            end = self._extend(text, end)
            yield Candidate(start, end, ADDRESS, 0.85, self.name, "house number, street name and type")

    @staticmethod
    def _extend(text: str, end: int) -> int:
        for _ in range(5):
            piece = _CONTINUATION.match(text, end)
            if piece is None:
                break
            first_word = piece.group(0).strip(" ,\t\n").split(" ", 1)[0].lower().strip(".")
            if first_word in _STOP_WORDS:
                break
            end = piece.end()
        return end


# --- An address announced by its context ("my new address is ...", "lives at
# ...", "Address:" on its own line), in any country's format: everything up to
# the end of the sentence, or over the following short lines of a postal block.
_ADDRESS_CUE = re.compile(
    r"(?i:\baddress(?:es)?(?:\s+is|\s+are)?|\blives?\s+at|\bliving\s+at|\blocated\s+at|\bresides?\s+at|"
    r"\bship(?:ped)?\s+(?:it\s+)?to|\bsend\s+(?:it|them|this|that|a\s+new\s+one)\s+to|\bdeliver(?:ed)?\s+to|"
    r"\bmeet\s+me\s+at|\bchange\s+my\s+address\s+to|\bhere\s+they\s+are)"
    r"[ \t]*:?[ \t]*\n?[ \t]*"
)
_BLOCK_LINE = re.compile(r"[^\n:@]{1,120}")
_SENTENCE_END = re.compile(r"[?!;]|\b(\w{1,12})\.(?=\s|$)|,?\s+and\s+(?=\d|the\s)")
_ABBREVIATIONS = frozenset(
    [
        "apt",
        "ste",
        "st",
        "str",
        "ave",
        "av",
        "rd",
        "dr",
        "blvd",
        "ln",
        "ct",
        "no",
        "nr",
        "ul",
        "pl",
        "sq",
        "hwy",
        "mt",
        "ft",
        "jr",
        "sr",
        "p.o",
    ]
)


def _cued_end(text: str, start: int) -> int:
    """Where an address that starts at ``start`` ends: the sentence end, or the
    last of up to five short lines (a postal block) before a "Label:" line."""
    end = start
    for _ in range(5):
        line = _BLOCK_LINE.match(text, end)
        if line is None:
            break
        if end > start and line.end() < len(text) and text[line.end()] != "\n":
            end -= 1  # "Mobile: ..." is the next field, not part of the address
            break
        for stop in _SENTENCE_END.finditer(text, end, line.end()):
            word = stop.group(1)
            if word is None:
                return stop.start()
            if not (len(word) == 1 or word.lower() in _ABBREVIATIONS):
                return stop.end() - 1
        end = line.end()
        if not text.startswith("\n", end) or text.startswith("\n\n", end):
            break
        end += 1
    return end


# A postal block in a signature or form: a line that starts with a house number,
# holds capitalised words and, on it or the next line, a unit or a postal code.
_POSTAL_LINE = re.compile(r"(?m)^[ \t]*(\d{1,6}[A-Za-z]?[ \t]+(?:[A-Z\u00c0-\u017f][^\n:@]{2,80}))$")
_POSTAL_HINT = re.compile(r"(?i:\b(?:apt|suite|ste|unit|box|floor)\b\.?\s*\d|\b\d{4,6}(?:-\d{4})?\s*$)")


# "Deliver to SW1A 2AA please": the courtesy after an address is not part of it.
_TRAILING_POLITENESS = re.compile(r"(?:[ \t,]+(?i:please|pls|plz|thanks|thank you|thx|asap|today|tomorrow))+$")


# Each cue of _ADDRESS_CUE contains one of these.
_HAS_ADDRESS_CUE = has_any_folded(
    "address", "live", "living", "located", "reside", "ship", "send", "deliver", "meet", "here"
)


class CuedAddressRecognizer:
    name = "cued_address"
    labels = frozenset({ADDRESS})

    def find(self, text: str) -> Iterable[Candidate]:
        if not _HAS_ADDRESS_CUE(text):
            cues: Iterable[re.Match[str]] = ()
        else:
            cues = _ADDRESS_CUE.finditer(text)
        for cue in cues:
            start = cue.end()
            if start >= len(text) or not (text[start].isdigit() or text[start].isupper()):
                continue
            end = _cued_end(text, start)
            value = _TRAILING_POLITENESS.sub("", text[start:end].rstrip(" \t\n,"))
            if not any(ch.isdigit() for ch in value) or len(value) < 6:
                continue  # "meet me at the Cafe": no number, no postal address
            yield Candidate(start, start + len(value), ADDRESS, 0.8, self.name, "address announced by its context")
        if first_digit(text) < 0:  # a postal line starts with a house number
            return
        for line in _POSTAL_LINE.finditer(text):
            start = line.start(1)
            end = _cued_end(text, start)
            value = text[start:end].rstrip(" \t\n,")
            capitalised = sum(1 for word in value.split() if word[0].isupper())
            if capitalised >= 2 and any(_POSTAL_HINT.search(piece) for piece in value.split("\n")):
                yield Candidate(start, start + len(value), ADDRESS, 0.83, self.name, "postal block (number, unit/code)")


# UK postcodes ("NW1 6XE", "SW1A 1AA", "M1 1AE") and Canadian postal codes
# ("K1A 0B1"): distinctive enough alone. Upper case only, and the inward part
# must be digit + two letters, so "A4 paper" or "MP3" never match.
_POSTCODE = re.compile(r"\b(?:(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t]?\d[ABD-HJLNP-UW-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)\b")
# How every _POSTCODE match ends: a digit and two letters (UK) or a digit, a letter and a
# digit (Canada). Digit-led, so a quick scan; _POSTCODE is tried at every word boundary.
_POSTCODE_END = re.compile(r"\d(?:[A-Z]{2}|[A-Z]\d)\b")


class PostcodeRecognizer:
    name = "postcode"
    labels = frozenset({ADDRESS})

    def find(self, text: str) -> Iterable[Candidate]:
        if first_digit(text) < 0 or _POSTCODE_END.search(text) is None:
            return
        for match in _POSTCODE.finditer(text):
            yield Candidate(match.start(), match.end(), ADDRESS, 0.85, self.name, "UK or Canadian postal code")
