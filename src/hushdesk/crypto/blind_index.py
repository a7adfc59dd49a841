"""Normalisation before blind indexing: the same email or phone written differently must match."""

from __future__ import annotations

import phonenumbers


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str, default_region: str = "US") -> str:
    """E.164 when parseable; otherwise the digits (and a leading +) so near-identical inputs still match."""
    text = value.strip()
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else default_region)
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(ch for ch in text if ch.isdigit())
    return ("+" if text.startswith("+") else "") + digits


def normalize_external(value: str) -> str:
    return value.strip()


def normalize(kind: str, value: str) -> str:
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value)
    return normalize_external(value)
