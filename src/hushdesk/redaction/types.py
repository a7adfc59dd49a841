"""Core value types and protocols of the redaction engine.

Everything here is plain data: recognizers produce :class:`Candidate` spans on
the *normalised* text, the engine maps them back to the original text and turns
the winners into :class:`Finding` objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

PERSON: Final = "PERSON"
EMAIL: Final = "EMAIL"
PHONE: Final = "PHONE"
ADDRESS: Final = "ADDRESS"
CREDIT_CARD: Final = "CREDIT_CARD"
IBAN: Final = "IBAN"
NATIONAL_ID: Final = "NATIONAL_ID"
IP_ADDRESS: Final = "IP_ADDRESS"
URL: Final = "URL"
DATE: Final = "DATE"
ORGANIZATION: Final = "ORGANIZATION"
ACCOUNT_ID: Final = "ACCOUNT_ID"
SECRET: Final = "SECRET"  # noqa: S105  (a label name, not a password)
OTHER: Final = "OTHER"

ALL_LABELS: Final[frozenset[str]] = frozenset(
    {
        PERSON,
        EMAIL,
        PHONE,
        ADDRESS,
        CREDIT_CARD,
        IBAN,
        NATIONAL_ID,
        IP_ADDRESS,
        URL,
        DATE,
        ORGANIZATION,
        ACCOUNT_ID,
        SECRET,
        OTHER,
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected piece of personal data, with offsets into the original text."""

    start: int
    end: int
    label: str
    text: str
    score: float
    recognizer: str
    reason: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span proposed by a recognizer, in coordinates of the text it was given."""

    start: int
    end: int
    label: str
    score: float
    recognizer: str
    reason: str


class Recognizer(Protocol):
    """Finds candidate spans in (normalised) text.

    Implementations must be cheap to construct (no I/O): anything heavy is
    loaded lazily on the first call to :meth:`find` and shared per process.
    """

    @property
    def name(self) -> str: ...

    @property
    def labels(self) -> frozenset[str]: ...

    def find(self, text: str) -> Iterable[Candidate]: ...
