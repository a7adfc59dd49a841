"""Street addresses: house number + street name + street type, and what follows.

A street line may continue with a unit, a city, a state/region, a postal code
and a country, separated by commas or line breaks (as in signatures and forms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hushdesk.redaction.types import ADDRESS, Candidate

_STREET_TYPE = (
    r"(?i:street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|"
    r"terrace|ter|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl|crescent|cres|close|"
    r"grove|gardens|gdns|row|alley|walk|loop|path|plaza|pike|run|crossing|xing|mews|hill|park|"
    r"heights|view|point|ridge|green|common|commons|causeway|quay|wharf|estate|route|rte|expressway|"
    r"freeway|fwy|turnpike|tpke)"
)
_WORD = r"[A-Z][\w'.-]*"
_STREET_NUMBER_FIRST = (
    rf"\b\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+(?:(?:{_WORD}|\d{{1,3}}(?:st|nd|rd|th)|of|the|de|la)\s+){{0,4}}"
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


class StreetAddressRecognizer:
    name = "street_address"
    labels = frozenset({ADDRESS})

    def find(self, text: str) -> Iterable[Candidate]:
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
