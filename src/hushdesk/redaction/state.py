"""Conversation-wide placeholder numbering and the reversible mapping.

The same personal value always becomes the same ``<LABEL_n>`` within one
conversation, so an AI model (or an analyst) can still follow who said what.
The state holds the original values: callers must store :meth:`to_bytes`
encrypted, like the raw message itself.
"""

from __future__ import annotations

import io
import itertools
import json
import pickle
import re
from typing import Any

from hushdesk.redaction import state_text
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


class PlaceholderState:
    """Numbering of personal values within one conversation.

    ``values`` maps ``"LABEL\\x1fnormalised value"`` to the placeholder number;
    ``originals`` maps placeholder to the first-seen original text.

    A state read from its stored form (``from_bytes``) keeps the stored entries as text and searches them in
    place (``state_text``); ``_values`` and ``_originals`` then hold only what was added since. Reading
    ``values`` or ``originals`` parses everything once (rehydrating a draft, an export); redacting a message
    never needs to.
    """

    __slots__ = ("_originals", "_stored", "_values", "counters")

    def __init__(self, values: dict[str, int] | None = None, originals: dict[str, str] | None = None,
                 counters: dict[str, int] | None = None) -> None:
        self._values: dict[str, int] = {} if values is None else values
        self._originals: dict[str, str] = {} if originals is None else originals
        self.counters: dict[str, int] = {} if counters is None else counters
        self._stored: str | None = None  # version-3 entries not parsed yet

    def _parse_stored(self) -> None:
        if self._stored is not None:
            values, originals = state_text.parse_body(self._stored)
            values.update(self._values)
            originals.update(self._originals)
            self._values, self._originals, self._stored = values, originals, None

    @property
    def values(self) -> dict[str, int]:
        self._parse_stored()
        return self._values

    @property
    def originals(self) -> dict[str, str]:
        self._parse_stored()
        return self._originals

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PlaceholderState):
            return NotImplemented
        return (self.values, self.originals, self.counters) == (other.values, other.originals, other.counters)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaced

    def __repr__(self) -> str:
        return f"PlaceholderState(<{len(self.counters)} labels>)"  # never the originals: they are personal data

    def copy(self) -> PlaceholderState:
        twin = PlaceholderState(dict(self._values), dict(self._originals), dict(self.counters))
        twin._stored = self._stored  # immutable text: shared, not copied
        return twin

    def _number_of(self, key: str) -> int | None:
        number = self._values.get(key)
        if number is None and self._stored is not None:
            number = state_text.find_number(self._stored, key)
        return number

    def placeholder_for(self, label: str, text: str) -> str:
        """Return the placeholder of ``text``, assigning the next number if new."""
        key = f"{label}\x1f{normalise_value(label, text)}"
        number = self._number_of(key)
        if number is not None:
            return format_placeholder(label, number)
        if label == PERSON:
            number = self._same_person(text)
        if number is None:
            number = self.counters.get(label, 0) + 1
            self.counters[label] = number
            self._originals[format_placeholder(label, number)] = text
        self._values[key] = number
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
        known_names = [(key, number) for key, number in self._values.items() if key.startswith(prefix)]
        if self._stored is not None:
            known_names += state_text.numbers_with_prefix(self._stored, prefix)
        for key, number in known_names:
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

    def to_json(self) -> str:
        """Version 1 (JSON): still read, no longer stored; handy for tests and tools."""
        return json.dumps({"version": 1, "values": self.values, "originals": self.originals,
                           "counters": self.counters}, ensure_ascii=False, separators=(",", ":"))

    def to_bytes(self) -> bytes:
        """The stored form (for the caller to encrypt): version 3 of ``state_text``. Only the header and what
        was added since ``from_bytes`` are formatted; the stored entries are carried over as they were."""
        added = "".join(
            [state_text.value_line(k, v) for k, v in self._values.items()]
            + [state_text.original_line(k, v) for k, v in self._originals.items()]
        )
        body = ("\n" if self._stored is None else self._stored) + added
        return f"{state_text.header(len(body), self.counters)}{body}".encode()

    @classmethod
    def from_bytes(cls, blob: bytes) -> PlaceholderState:
        """Read ``to_bytes`` output, or what earlier versions stored: ``to_json`` output encoded as UTF-8, or
        a version-2 pickle of builtin containers (read with an unpickler that refuses every class or function
        reference, so even a forged blob cannot run code)."""
        if blob[:1] == b"{":
            return cls.from_json(blob.decode())
        if blob.startswith(state_text.MAGIC.encode()):
            try:
                counters, body = state_text.split_blob(blob.decode(), ALL_LABELS)
            except UnicodeDecodeError as exc:
                raise ValueError("placeholder state: unsupported or corrupt data") from exc
            state = cls(counters=counters)
            state._stored = body
            return state
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
