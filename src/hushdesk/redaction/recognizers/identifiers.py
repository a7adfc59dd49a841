"""Checksummed and structured identifiers: IBAN, national IDs, IP addresses, URLs."""

from __future__ import annotations

import ipaddress
import re

from hushdesk.redaction.recognizers.base import (
    HAS_DIGIT,
    RegexRecognizer,
    first_digit,
    has_any_folded,
    has_context,
    only_digits,
)
from hushdesk.redaction.types import IBAN, IP_ADDRESS, NATIONAL_ID, URL, Candidate

# --- IBAN: country code, 2 check digits, BBAN; lengths per ISO 13616 registry.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{1,4}){3,8}\b", re.IGNORECASE)
_TWO_DIGITS = re.compile(r"\d\d")


def iban_valid(compact: str) -> bool:
    compact = compact.upper()
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


class IbanRecognizer:
    """IBANs validated with the ISO 7064 mod-97 checksum and per-country length."""

    name = "iban"
    labels = frozenset({IBAN})

    def find(self, text: str) -> list[Candidate]:
        found: list[Candidate] = []
        if _TWO_DIGITS.search(text) is None:  # the check digits: a digit-led scan is cheap
            return found
        for match in _IBAN.finditer(text):
            value = match.group(0)
            # Grouped IBANs can be followed by unrelated words the pattern swallowed:
            # shrink group by group until the checksum holds.
            end = len(value)
            while end >= 15:
                compact = re.sub(r"[ -]", "", value[:end])
                if iban_valid(compact):
                    found.append(
                        Candidate(
                            match.start(),
                            match.start() + end,
                            IBAN,
                            0.95,
                            self.name,
                            "IBAN with valid country length and mod-97 checksum",
                        )
                    )
                    break
                cut = max(value.rfind(" ", 0, end), value.rfind("-", 0, end))
                if cut <= 0:
                    break
                end = cut
        return found


# --- US Social Security Number: AAA-GG-SSSS with the SSA's never-issued ranges excluded.
_SSN = re.compile(r"(?<![\w-])(\d{3})([- .]?)(\d{2})\2(\d{4})(?![\w-])")
_SSN_CONTEXT = re.compile(r"\b(?:ssn|social security|social sec|ss#|ss #|itin|tax id|taxpayer)")
_ID_CONTEXT = re.compile(
    r"\b(?:ssn|social|national|identity|id|passport|licen[cs]e|driver|tax|insurance|nhs|sin|nino|itin|"
    r"personal number|citizen)\b"
)


def _score_ssn(value: str, match: re.Match[str], text: str) -> float | None:
    area, group, serial = match.group(1), match.group(3), match.group(4)
    if area in {"000", "666"} or group == "00" or serial == "0000":
        return None
    itin = area[0] == "9"
    if itin and not ("50" <= group <= "65" or "70" <= group <= "99"):
        return None
    context = has_context(text, match.start(), _ID_CONTEXT, 50)
    if not match.group(2):
        # Nine bare digits are far more often an order or account number.
        return 0.9 if has_context(text, match.start(), _SSN_CONTEXT, 40) else None
    if match.group(2) == "-":
        return 0.95 if context else 0.8
    return 0.85 if context else None


SSN_RECOGNIZER = RegexRecognizer(
    name="us_ssn",
    label=NATIONAL_ID,
    pattern=_SSN,
    validate=_score_ssn,
    reason="US SSN/ITIN shape outside never-issued ranges",
    needs=HAS_DIGIT,
    scan_from=first_digit,  # _SSN begins with a digit
)

# --- UK National Insurance number: two prefix letters (with exclusions), six digits, A-D.
_NINO = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)


# The tail of _NINO (six digits and the suffix letter): a digit-led pattern, which the
# regex engine scans much faster than _NINO.
_NINO_DIGITS = re.compile(r"\d\d ?\d\d ?\d\d ?[A-D]\b", re.IGNORECASE)


def _may_hold_nino(text: str) -> bool:
    return _NINO_DIGITS.search(text) is not None


def _score_nino(value: str, match: re.Match[str], text: str) -> float | None:
    return 0.9 if value.isupper() or has_context(text, match.start(), _ID_CONTEXT) else None


NINO_RECOGNIZER = RegexRecognizer(
    name="uk_nino",
    label=NATIONAL_ID,
    pattern=_NINO,
    validate=_score_nino,
    reason="UK National Insurance number format",
    needs=HAS_DIGIT,
    prefilter=_may_hold_nino,
)

# --- Canadian SIN (Luhn) and generic IDs introduced by an identity-document word.
_CONTEXT_ID = re.compile(
    r"\b(?:passport|driver'?s? licen[cs]e|licen[cs]e|national id|id card|identity card|"
    r"social insurance|sin|nhs|medicare|tax id|tin|personal id|pesel|nip|regon|dni|nie|nif|cpf|cnpj|"
    r"curp|rfc|rut|bsn|pps|tfn|aadhaar|steuer-?id|codice fiscale|personnummer|henkil\u00f6tunnus|cpr)"
    r"(?: number| no\.?| #| num)?(?: is|:|#| of)?\s*"
    r"([A-Z0-9]*\d[A-Z0-9]*(?:[ -][A-Z0-9]*\d[A-Z0-9]*){0,4})\b",
    re.IGNORECASE,
)


# Each word of _CONTEXT_ID contains one of these ("licen": licence, license, driver's licence).
_ID_DOCUMENT_STEMS = has_any_folded(
    *("passport", "licen", "national id", "id card", "identity card", "social insurance", "sin", "nhs"),
    *("medicare", "tax id", "tin", "personal id", "pesel", "nip", "regon", "dni", "nie", "nif", "cpf", "cnpj"),
    *("curp", "rfc", "rut", "bsn", "pps", "tfn", "aadhaar", "steuer", "codice fiscale", "personnummer"),
    *("henkil", "cpr"),
)


def _score_context_id(value: str, match: re.Match[str], text: str) -> float | None:
    digits = only_digits(value)
    if len(digits) < 4 or len(value) > 20:
        return None
    return 0.9


CONTEXT_ID_RECOGNIZER = RegexRecognizer(
    name="identity_document",
    label=NATIONAL_ID,
    pattern=_CONTEXT_ID,
    validate=_score_context_id,
    reason="number introduced by an identity-document word",
    needs=HAS_DIGIT,
    prefilter=_ID_DOCUMENT_STEMS,
    group=1,
)

# --- IP addresses, validated by the standard library.
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w.]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])")
_VERSION_CONTEXT = re.compile(r"\b(?:version|v|ver|release|build|firmware|update)\s*$")


def _score_ip(value: str, match: re.Match[str], text: str) -> float | None:
    address = value.split("/", 1)[0].split("%", 1)[0]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parsed.version == 6 and address.count(":") < 3 and "::" not in address:
        return None  # "12:30:45" style times
    if has_context(text, match.start(), _VERSION_CONTEXT, 12):
        return None
    return 0.9


# Necessary conditions: four dot-separated digit groups; two colons.
_DOTTED_QUAD = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d")


def _may_hold_ipv4(text: str) -> bool:
    return _DOTTED_QUAD.search(text) is not None


def _may_hold_ipv6(text: str) -> bool:
    return text.count(":") >= 2


IPV4_RECOGNIZER = RegexRecognizer(
    name="ip_address",
    label=IP_ADDRESS,
    pattern=_IPV4,
    validate=_score_ip,
    reason="valid IPv4 address",
    needs=HAS_DIGIT,
    prefilter=_may_hold_ipv4,
)
IPV6_RECOGNIZER = RegexRecognizer(
    name="ip_address",
    label=IP_ADDRESS,
    pattern=_IPV6,
    validate=_score_ip,
    reason="valid IPv6 address",
    prefilter=_may_hold_ipv6,
)

# --- URLs: with a scheme or "www.", or a bare domain with a common TLD followed by a path.
_URL = re.compile(
    r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"'`]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|info|biz|me|app|dev|edu|gov|uk|de|fr|es|it|nl|br|ca|au)"
    r"/[^\s<>\"'`]*",
    re.IGNORECASE,
)


def _score_url(value: str, match: re.Match[str], text: str) -> float | None:
    if match.start() > 0 and text[match.start() - 1] == "@":
        return None
    return 0.85 if "://" in value or value.lower().startswith("www.") else 0.7


_HAS_WWW = has_any_folded("www.")


def _may_hold_url(text: str) -> bool:
    """Both alternatives of _URL need a "/" ("://" or a path) or "www."."""
    return "/" in text or _HAS_WWW(text)


URL_RECOGNIZER = RegexRecognizer(
    name="url", label=URL, pattern=_URL, validate=_score_url, reason="web address", prefilter=_may_hold_url
)
