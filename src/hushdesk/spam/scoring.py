"""The spam scorer: explainable signals, each worth some points, summed into one score.

Pure functions over one message's text plus what the caller already knows (how often this exact text was seen
recently, channel hints such as a filled honeypot). No I/O, no database, nothing stored: the caller keeps only
the signal names and numbers (``Verdict.reasons``), never the text.

The weights are chosen so that no single mild signal reaches the default threshold (5): one link in a question,
a shouted sentence, an order number typed twice are all normal customer behaviour. Spam is several signals at
once (links + shortener + a known phrase), an explicit trap (the honeypot), or the same text again and again.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

DEFAULT_THRESHOLD = 5.0

# Links with a scheme or "www.", plus bare links on well-known shortener domains ("bit.ly/x" is a link too).
SHORTENERS = (
    "bit.ly",
    "bitly.com",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "bl.ink",
    "s.id",
    "t.ly",
    "v.gd",
    "lnkd.in",
    "soo.gd",
    "shorte.st",
    "adf.ly",
    "tiny.one",
    "clck.ru",
    "qr.ae",
    "trib.al",
    "surl.li",
)
_SHORT = "|".join(re.escape(d) for d in sorted(SHORTENERS, key=len, reverse=True))
LINK_RE = re.compile(rf"(?i)(?:\bhttps?://|\bwww\.)[^\s<>\"']+|(?<![\w.@-])(?:{_SHORT})/[^\s<>\"']+")
HOST_RE = re.compile(r"(?i)^(?:https?://)?(?:www\.)?([^/:?#\s]+)")
CHAR_RUN_RE = re.compile(r"([^\d\s])\1{5,}")  # six or more of one character (a digit or space never counts)
WORD_RE = re.compile(r"[^\W\d_]{2,}", re.UNICODE)  # letters only: order numbers and codes are not "words"


@dataclass(frozen=True)
class Signal:
    name: str
    value: float  # the measured number (a count or a ratio)
    points: float


@dataclass(frozen=True)
class Verdict:
    score: float
    signals: tuple[Signal, ...]

    @property
    def reasons(self) -> str:
        """Signal names and numbers for storage and display, e.g. "links=3 shortener=1 phrases=2"."""
        return " ".join(f"{s.name}={_num(s.value)}" for s in self.signals)[:200]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


@cache
def spam_phrases() -> tuple[str, ...]:
    """The shipped phrase list (one lowercase phrase a line, ``#`` comments), normalised like message text."""
    text = resources.files("hushdesk.spam").joinpath("spam_phrases.txt").read_text(encoding="utf-8")
    phrases = {normalize(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")}
    return tuple(sorted(p for p in phrases if p))


@cache
def _phrase_re() -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in spam_phrases()) + r")(?!\w)")


def normalize(text: str) -> str:
    """Lowercase, whitespace collapsed: "FREE  Money" and "free money" are the same text."""
    return " ".join(text.lower().split())


def host_of(link: str) -> str:
    match = HOST_RE.match(link)
    return match.group(1).lower().rstrip(".") if match else ""


def _link_signals(text: str, visible: int) -> list[Signal]:
    if "/" not in text and "www." not in text.lower():  # every link form needs one: skip the regex (hot path)
        return []
    links = LINK_RE.findall(text)
    if not links:
        return []
    out: list[Signal] = []
    count = len(links)
    if count >= 2:  # one link is a customer pointing at a product page; several is a link drop
        out.append(Signal("links", count, min(2.0 * (count - 1), 6.0)))
    ratio = sum(len(link) for link in links) / max(visible, 1)
    if ratio >= 0.6:  # the message is mostly links, with hardly a word of its own
        out.append(Signal("link_ratio", round(min(ratio, 1.0), 2), 2.0))
    short = sum(1 for link in links if host_of(link) in SHORTENERS)
    if short:  # a shortener hides where the link goes; support questions rarely need one
        out.append(Signal("shortener", short, 3.0))
    return out


def _phrase_signal(text: str) -> list[Signal]:
    found = set(_phrase_re().findall(normalize(text))) if spam_phrases() else set()
    if not found:
        return []
    return [Signal("phrases", len(found), min(2.5 * len(found), 7.5))]


def _caps_signal(text: str) -> list[Signal]:
    letters = sum(map(str.isalpha, text))
    if letters < 15:  # "OK", "HELP", an order code: too short to mean anything
        return []
    ratio = sum(map(str.isupper, text)) / letters
    return [Signal("caps", round(ratio, 2), 1.5)] if ratio >= 0.7 else []


def _longest_char_run(text: str) -> int:
    # Digits and spaces never count: "1000000" and an order number are not shouting.
    return max((len(m.group(0)) for m in CHAR_RUN_RE.finditer(text)), default=0)


def _repetition_signals(text: str) -> list[Signal]:
    out: list[Signal] = []
    run = _longest_char_run(text)
    if run:
        out.append(Signal("repeated_chars", run, 2.0 if run >= 15 else 1.0))
    words = WORD_RE.findall(text.lower())
    longest = streak = 1
    for prev, word in pairwise(words):
        streak = streak + 1 if word == prev else 1
        longest = max(longest, streak)
    share = 0.0
    if len(words) >= 12:
        share = max(Counter(words).values()) / len(words)
    if longest >= 4 or share >= 0.4:
        out.append(Signal("repeated_words", max(longest, round(share, 2)), 2.0))
    return out


def _seen_signals(text: str, repeats: int, crowd: int) -> list[Signal]:
    out: list[Signal] = []
    # A short "hello?" sent again while waiting is impatience, not spam: short texts count half.
    factor = 0.5 if len(normalize(text)) < 12 else 1.0
    if repeats >= 1:
        points = 5.0 if repeats >= 3 else 3.0 if repeats == 2 else 1.0
        out.append(Signal("repeats", repeats, points * factor))
    if crowd >= 3 and len(normalize(text)) >= 40:
        # The same long text from several different conversations within minutes: a campaign.
        out.append(Signal("same_text_elsewhere", crowd, 5.0 if crowd >= 6 else 3.0))
    return out


def score(text: str, *, repeats: int = 0, crowd: int = 0, hints: tuple[str, ...] = ()) -> Verdict:
    """Score one message.

    ``repeats``: how many times this conversation (visitor session) sent the identical text within the window;
    ``crowd``: how many *other* conversations of the workspace sent it; ``hints``: channel-level signals such as
    ``"honeypot"`` (the pre-chat form's hidden field was filled in).
    """
    visible = len("".join(text.split()))
    signals = [
        *_link_signals(text, visible),
        *_phrase_signal(text),
        *_caps_signal(text),
        *_repetition_signals(text),
        *_seen_signals(text, repeats, crowd),
    ]
    if "honeypot" in hints:  # only bots fill a field people cannot see
        signals.append(Signal("honeypot", 1, 10.0))
    return Verdict(round(sum(s.points for s in signals), 2), tuple(signals))
