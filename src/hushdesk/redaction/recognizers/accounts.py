"""Account-like identifiers and secrets written into a message."""

from __future__ import annotations

import re

from hushdesk.redaction.recognizers.base import (
    HAS_AT,
    HAS_DIGIT,
    RegexRecognizer,
    by_first_letter,
    has_any,
    has_any_folded,
)
from hushdesk.redaction.types import ACCOUNT_ID, SECRET

_ID_WORDS = (
    *("order", "account", "acct", "a/c", "customer", "client", "ticket", "tracking", "reference", "ref"),
    *("invoice", "transaction", "txn", "case", "policy", "member(?:ship)?", "booking", "confirmation", "claim"),
    *("loan", "application", "patient", "employee", "student", "subscription", "contract", "shipment", "parcel"),
    *("package", "serial", "receipt", "routing", "sort code", "bank", "card", "voucher", "coupon", "gift card"),
    *("rma", "return", "refund", "request", "incident", "record", "file", "pnr", "award"),
)
_ID_WORD = by_first_letter(_ID_WORDS)
_ID_STEMS = has_any_folded(
    *("order", "acc", "a/c", "customer", "client", "ticket", "tracking", "ref", "invoice", "transaction", "txn"),
    *("case", "policy", "member", "booking", "confirmation", "claim", "loan", "application", "patient"),
    *("employee", "student", "subscription", "contract", "shipment", "parcel", "package", "serial", "receipt"),
    *("routing", "sort code", "bank", "card", "voucher", "coupon", "rma", "return", "request", "incident"),
    *("record", "file", "pnr", "award"),
)
_ACCOUNT = re.compile(
    rf"\b{_ID_WORD}(?:\s+(?:number|no\.?|num|nr|id|code|#))?(?:\s+(?:is|was))?\s*[:#=]?\s*#?\s*"
    r"([A-Z0-9][A-Z0-9_/.-]{2,34}[A-Z0-9]|\d{3,})"
    r"(?![\w@])",
    re.IGNORECASE,
)
_HANDLE_WORD = re.compile(
    r"\b(?:user(?:name)?|user id|login|handle|screen name|gamertag|nick(?:name)?)"
    r"(?:\s+(?:is|was))?\s*[:=]?\s*@?([A-Za-z0-9][\w.-]{2,30}[A-Za-z0-9])\b",
    re.IGNORECASE,
)
_STANDALONE = re.compile(
    r"(?<![\w/-])(?:(?<=#)[A-Z0-9]*\d[A-Z0-9-]{3,}|[A-Z]{2,5}-(?:[A-Z0-9]+-)*\d{3,}[A-Z0-9]*|1Z[0-9A-Z]{16})"
    r"(?![\w-])"
)
_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_]*[A-Za-z_][A-Za-z0-9_]*)\b(?!\.\w)")
_COMMON_WORDS = frozenset(
    [
        "number",
        "is",
        "was",
        "the",
        "a",
        "an",
        "for",
        "with",
        "and",
        "please",
        "status",
        "details",
        "here",
        "below",
        "above",
        "yet",
        "not",
    ]
)


def _score_account(value: str, match: re.Match[str], text: str) -> float | None:
    if value.lower() in _COMMON_WORDS or not any(ch.isdigit() for ch in value):
        return None
    if len(value) < 4:
        return None
    return 0.85


def _score_handle_word(value: str, match: re.Match[str], text: str) -> float | None:
    return None if value.lower() in _COMMON_WORDS else 0.8


def _score_standalone(value: str, match: re.Match[str], text: str) -> float | None:
    return 0.7


def _score_handle(value: str, match: re.Match[str], text: str) -> float | None:
    return 0.7


ACCOUNT_RECOGNIZER = RegexRecognizer(
    name="account_id",
    label=ACCOUNT_ID,
    pattern=_ACCOUNT,
    validate=_score_account,
    reason="identifier introduced by an account/order/ticket word",
    needs=HAS_DIGIT,
    prefilter=_ID_STEMS,
    group=1,
)
USERNAME_RECOGNIZER = RegexRecognizer(
    name="username",
    label=ACCOUNT_ID,
    pattern=_HANDLE_WORD,
    validate=_score_handle_word,
    reason="value introduced by a username/login word",
    prefilter=has_any_folded("user", "login", "handle", "screen name", "gamertag", "nick"),
    group=1,
)
REFERENCE_CODE_RECOGNIZER = RegexRecognizer(
    name="reference_code",
    label=ACCOUNT_ID,
    pattern=_STANDALONE,
    validate=_score_standalone,
    reason="reference-code shape (#12345, ORD-12345, carrier tracking number)",
    needs=HAS_DIGIT,
    prefilter=has_any("#", "-", "1Z"),  # one per alternative of _STANDALONE
)
HANDLE_RECOGNIZER = RegexRecognizer(
    name="handle",
    label=ACCOUNT_ID,
    pattern=_HANDLE,
    validate=_score_handle,
    reason="@handle",
    needs=HAS_AT,
)

# --- Secrets: a value after a password/token word, or a known credential format.
_SECRET_AFTER_WORD = re.compile(
    r"\b(?:password|passwd|pwd|passcode|passphrase|pin(?: code)?|secret|api[ _-]?key|access[ _-]?key|"
    r"auth[ _-]?token|token|one[- ]time code|otp|verification code|security code|cvv|cvc|2fa code)\b"
    r"(?:\s+(?:is|was|=))?\s*[:=]?\s*[\"'`]?([^\s\"'`]{3,200})",
    re.IGNORECASE,
)
_KNOWN_SECRET = re.compile(
    r"\b(?:sk-(?:proj-)?[A-Za-z0-9_-]{20,}|sk_(?:live|test)_[A-Za-z0-9]{16,}|rk_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}|gh[osru]_[A-Za-z0-9]{36}"
    r"|xox[abpr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]{0,8000}?-----END [A-Z ]*PRIVATE KEY-----"
    r"|\bBearer\s+[A-Za-z0-9._~+/=-]{16,}"
)
_NOT_A_SECRET = frozenset(
    ["is", "was", "the", "a", "an", "for", "to", "of", "and", "reset", "expired", "incorrect", "wrong"]
)


def _score_secret_after_word(value: str, match: re.Match[str], text: str) -> float | None:
    cleaned = value.rstrip(".,;!?)")
    if cleaned.lower() in _NOT_A_SECRET or len(cleaned) < 3:
        return None
    return 0.95  # outranks the name tagger: "password is hunter2" is a secret, not a person


def _score_known_secret(value: str, match: re.Match[str], text: str) -> float | None:
    return 0.99


SECRET_AFTER_WORD_RECOGNIZER = RegexRecognizer(
    name="secret",
    label=SECRET,
    pattern=_SECRET_AFTER_WORD,
    validate=_score_secret_after_word,
    reason="value written after a password/token word",
    # "pass": password, passwd, passcode, passphrase; "time code": one-time / one time code.
    prefilter=has_any_folded(
        *("pass", "pwd", "pin", "secret", "api", "access", "token", "time code", "otp", "verification code"),
        *("security code", "cvv", "cvc", "2fa code"),
    ),
    group=1,
)
KNOWN_SECRET_RECOGNIZER = RegexRecognizer(
    name="secret",
    label=SECRET,
    pattern=_KNOWN_SECRET,
    validate=_score_known_secret,
    reason="known credential format (API key, access token, private key)",
    prefilter=has_any(
        *("sk-", "sk_", "rk_", "AKIA", "ghp_", "github_pat_", "gho_", "ghs_", "ghr_", "ghu_", "xox", "AIza"),
        *("glpat-", "eyJ", "-----BEGIN ", "Bearer"),
    ),
)
