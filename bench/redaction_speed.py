"""CPU time of ``get_engine().redact`` on typical support-chat messages vs a trivial baseline.

The baseline, run on the same texts in the same process, is what any text handling costs at least:
``text.casefold()`` plus ``re.findall(r"\\w+", text)``. Prints microseconds per message of both (median of
several rounds) and the ratio, so runs on a busy machine stay comparable.

    .venv/bin/python bench/redaction_speed.py            # 7 rounds
    BENCH_ROUNDS=3 .venv/bin/python bench/redaction_speed.py
"""

from __future__ import annotations

import os
import re
import statistics
import time
from collections.abc import Callable

from hushdesk.redaction import PlaceholderState, get_engine

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))

_FIRST = ["Jordan", "Priya", "Tomasz", "Emily", "Fábio", "Aisha", "Kevin", "Maria", "Liam", "Chen"]
_LAST = ["Miles", "Sharma", "Nowak", "Stone", "Barros", "Khan", "Smith", "Garcia", "Walsh", "Wei"]
_STREETS = ["42 Baker Street", "1600 Pennsylvania Ave", "221B Elm Road", "9 Rue de Rivoli", "77 Mass Ave"]
_TEMPLATES = [
    "Hi, this is {first} {last}. My order HD-{n} never arrived; email me at {lfirst}.{llast}{n}@example.com "
    "or call +1 415 555 01{nn:02d}. Card used: 4111 1111 1111 1111.",
    "hello, my name is {first} and I can't log in since the last update",
    "Where is my parcel? Order #{n}{nn} was supposed to arrive on {day} March 2025.",
    "Please ship it to {street}, Springfield, IL 62704 instead of my old address.",
    "thanks, that fixed it!",
    "The app crashes when I open settings on Android 14, version 3.2.1.",
    "Can I get a refund for invoice INV-{n}? I was charged twice on 12/03/2025 at 14:30.",
    "My colleague {first} {last} ({lfirst}@acme-corp.com) needs access too.",
    "I called yesterday and spoke with {first}, she said someone would call back at 07700 900{nn:03d}.",
    "ok",
    "Is there a discount for annual plans? We are a team of {nn} people.",
    "Dr. {last} asked me to send the report before Friday 3pm.",
    "My IBAN is GB82 WEST 1234 5698 7654 32, please refund there.",
    "Account number {n}{nn}{n} was locked after too many password attempts.",
    "I'm {lfirst}, born {day}/04/1987, and my NI number is QQ 12 34 56 C.",
    "Your website says free shipping over $50 but I paid $7.99 for shipping on a $64 order.",
    "{first} from the Berlin office will pick it up tomorrow morning.",
    "Could you reset 2FA for {lfirst}.{llast}@example.org? Lost my phone.",
    "The tracking page shows 'label created' for 5 days now. Any update?",
    "Hi team, {first} {last} here from Northwind Traders Inc. We'd like to upgrade to the Pro plan.",
]


def messages(count: int = 200) -> list[str]:
    """A fixed mix of realistic support messages (deterministic)."""
    out = []
    for i in range(count):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i * 7) % len(_LAST)]
        out.append(
            _TEMPLATES[i % len(_TEMPLATES)].format(
                first=first,
                last=last,
                lfirst=first.lower(),
                llast=last.lower(),
                n=10 + i,
                nn=i % 100,
                day=1 + i % 28,
                street=_STREETS[i % len(_STREETS)],
            )
        )
    return out


_WORD = re.compile(r"\w+")


def _baseline(texts: list[str]) -> None:
    for text in texts:
        text.casefold()
        _WORD.findall(text)


def _redact(texts: list[str]) -> None:
    engine = get_engine()
    for text in texts:
        engine.redact(text, state=PlaceholderState())


def _time(fn: Callable[[list[str]], None], texts: list[str]) -> float:
    start = time.process_time()
    fn(texts)
    return (time.process_time() - start) / len(texts) * 1e6


def main() -> None:
    texts = messages()
    _redact(texts)  # warm-up: loads the name model, fills caches
    base: list[float] = []
    red: list[float] = []
    for _ in range(ROUNDS):
        base.append(_time(_baseline, texts * 5))
        red.append(_time(_redact, texts))
    b, r = statistics.median(base), statistics.median(red)
    print(f"{len(texts)} messages, {ROUNDS} rounds, CPU time per message (median)")
    print(f"baseline (casefold + \\w+ findall) {b:9.2f} us")
    print(f"redact                             {r:9.2f} us   (min {min(red):.2f}, max {max(red):.2f})")
    print(f"ratio redact/baseline              {r / b:9.1f}x")


if __name__ == "__main__":
    main()
