"""Conversation-wide placeholder numbering and the reversible mapping.

The same personal value always becomes the same ``<LABEL_n>`` within one
conversation, so an AI model (or an analyst) can still follow who said what.
The state holds the original values: callers must store :meth:`to_json`
encrypted, like the raw message itself.
"""

from __future__ import annotations

import io
import itertools
import json
import pickle
import re
from dataclasses import dataclass, field
from typing import Any

from hushdesk.redaction.normalize import normalise
from hushdesk.redaction.types import ALL_LABELS, EMAIL, PERSON, PHONE

# Loose on purpose: catches placeholders an AI draft may have altered
# ("<person_1>", "< PERSON_1 >") so they are reported rather than silently left.
_PLACEHOLDER_LIKE = re.compile(r"<\s*([A-Za-z][A-Za-z_]*?)\s*_\s*(\d+)\s*>")
_NON_ALNUM = re.compile(r"[\W_]+")


def normalise_value(label: str, text: str) -> str:
    """The key under which two mentions count as the same value."""
    if label == EMAIL:
        # "john [at] example [dot] com" is the same address as "john@example.com".
        return "".join(normalise(text).text.split()).lower()
    if label == PHONE:
        digits = "".join(ch for ch in normalise(text).text if "0" <= ch <= "9")
        return digits or text.strip().casefold()
    if label in {"CREDIT_CARD", "IBAN", "ACCOUNT_ID", "NATIONAL_ID", "IP_ADDRESS"}:
        return _NON_ALNUM.sub("", text).casefold()
    return " ".join(text.casefold().split())


_STATE_TAG = "hushdesk.placeholders"


class _BuiltinsOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"placeholder state may not reference {module}.{name}")


def _all_of_type(mapping: object, kind: type) -> bool:
    return isinstance(mapping, dict) and set(map(type, mapping.values())) <= {kind}


def format_placeholder(label: str, number: int) -> str:
    return f"<{label}_{number}>"


@dataclass
class PlaceholderState:
    """Numbering of personal values within one conversation.

    ``values`` maps ``"LABEL\\x1fnormalised value"`` to the placeholder number;
    ``originals`` maps placeholder to the first-seen original text.
    """

    values: dict[str, int] = field(default_factory=dict)
    originals: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def copy(self) -> PlaceholderState:
        return PlaceholderState(dict(self.values), dict(self.originals), dict(self.counters))

    def placeholder_for(self, label: str, text: str) -> str:
        """Return the placeholder of ``text``, assigning the next number if new."""
        key = f"{label}\x1f{normalise_value(label, text)}"
        number = self.values.get(key)
        if number is None and label == PERSON:
            number = self._same_person(text)
        if number is None:
            number = self.counters.get(label, 0) + 1
            self.counters[label] = number
            self.originals[format_placeholder(label, number)] = text
        self.values[key] = number
        return format_placeholder(label, number)

    def _same_person(self, text: str) -> int | None:
        """Match "Priya" to an earlier "Priya Sharma" (or the reverse).

        It is the same person when exactly one known name shares all its words.
        """
        words = set(normalise_value(PERSON, text).replace(".", "").split())
        if not words:
            return None
        matches: set[int] = set()
        prefix = f"{PERSON}\x1f"
        for key, number in self.values.items():
            if not key.startswith(prefix):
                continue
            known = set(key[len(prefix) :].replace(".", "").split())
            if words <= known or known <= words:
                matches.add(number)
        return matches.pop() if len(matches) == 1 else None

    def mapping(self) -> dict[str, str]:
        """Placeholder -> original text (first-seen form)."""
        return dict(self.originals)

    def rehydrate(self, text: str) -> tuple[str, list[str]]:
        """Put the original values back into ``text`` (e.g. an AI draft).

        Only exact, known placeholders are filled.  Anything placeholder-shaped
        that is unknown or was altered is left as it is and returned, so the
        caller can refuse to send a draft that names the wrong person.
        """
        unknown: list[str] = []

        def fill(match: re.Match[str]) -> str:
            token = match.group(0)
            original = self.originals.get(token)
            if original is None:
                unknown.append(token)
                return token
            return original

        return _PLACEHOLDER_LIKE.sub(fill, text), unknown

    # A conversation's state is read and written for every message, and it grows with every new value (a long
    # conversation holds hundreds): both directions stay in C (json's encoder and decoder, set(map(type, ...)))
    # instead of a Python loop per entry, which made them ~0.24 ms each at 600 entries.
    def to_json(self) -> str:
        return json.dumps({"version": 1, "values": self.values, "originals": self.originals,
                           "counters": self.counters}, ensure_ascii=False, separators=(",", ":"))

    def to_bytes(self) -> bytes:
        """The compact stored form (for the caller to encrypt): ~2.5x faster both ways than JSON at hundreds
        of entries. A pickle of builtin containers only, read back by ``from_bytes`` with an unpickler that
        refuses every class or function reference, so even a forged blob cannot run code."""
        return pickle.dumps((_STATE_TAG, 2, self.values, self.originals, self.counters), protocol=5)

    @classmethod
    def from_bytes(cls, blob: bytes) -> PlaceholderState:
        """Read ``to_bytes`` output, or ``to_json`` output encoded as UTF-8 (what earlier versions stored)."""
        if blob[:1] == b"{":
            return cls.from_json(blob.decode())
        try:
            data: Any = _BuiltinsOnly(io.BytesIO(blob)).load()
        except Exception as exc:  # a damaged pickle can fail in many ways; all of them mean "corrupt"
            raise ValueError("placeholder state: unsupported or corrupt data") from exc
        if not (isinstance(data, tuple) and len(data) == 5 and data[:2] == (_STATE_TAG, 2)):
            raise ValueError("placeholder state: unsupported or corrupt data")
        return cls._from_parts(*data[2:])

    @classmethod
    def from_json(cls, text: str) -> PlaceholderState:
        data: Any = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError("placeholder state: unsupported or corrupt JSON")
        return cls._from_parts(data.get("values"), data.get("originals"), data.get("counters"))

    @classmethod
    def _from_parts(cls, values: Any, originals: Any, counters: Any) -> PlaceholderState:
        """The three mappings as to_json/to_bytes wrote them: string keys, int or str values (bool is no int)."""
        if not (_all_of_type(values, int) and _all_of_type(originals, str) and _all_of_type(counters, int)):
            raise ValueError("placeholder state: unsupported or corrupt data")
        if not set(map(type, itertools.chain(values, originals, counters))) <= {str}:
            raise ValueError("placeholder state: unsupported or corrupt data")
        return cls(values, originals, {k: v for k, v in counters.items() if k in ALL_LABELS})
