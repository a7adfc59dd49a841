"""Near misses: log lines and product names that are not persons.

Support chat about software, devices and shopping is full of lower-case words that
no ordinary dictionary lists ("tokenizer", "dropdown", "chromecast"). The tagger
must not take them for names: they are derived from or glued together out of
dictionary words. Each row is a realistic message and the words that must stay
outside every PERSON/ADDRESS/ORGANIZATION finding.
"""

from __future__ import annotations

import pytest

from hushdesk.redaction import get_engine
from hushdesk.redaction.model.morphology import is_variant
from hushdesk.redaction.model.tagger import shared_tagger

NAME_LABELS = frozenset({"PERSON", "ADDRESS", "ORGANIZATION"})


def name_words(text: str) -> set[str]:
    """Every word inside a name/place/organisation finding of ``text``."""
    words: set[str] = set()
    for finding in get_engine().analyze(text):
        if finding.label in NAME_LABELS:
            words.update(finding.text.lower().split())
    return words


NOT_NAMES = [
    # Software: derived words (token+izer, un+click+able) and compounds (drop+down, web+hook).
    ("the tokenizer crashed again, pinecone index is empty", ["tokenizer", "pinecone"]),
    ("the dropdown is greyed out", ["dropdown"]),
    ("the chatbot keeps timing out and the webhook never fires", ["chatbot", "webhook"]),
    ("the checkbox is unclickable and the tooltip flickers", ["checkbox", "unclickable", "tooltip"]),
    ("the backend returns a 502 whenever the frontend retries", ["backend", "frontend"]),
    ("the autosave overwrote my draft and the undo button is gone", ["autosave"]),
    ("my timezone is wrong on the invoices", ["timezone"]),
    # Log lines.
    ("2024-05-01 12:00:01 ERROR retriever: reranker timed out after 30s", ["retriever", "reranker"]),
    ("WARN scheduler: the dedupe step skipped 3 rows, retrying with the batcher", ["dedupe", "batcher"]),
    # Devices.
    ("my kindle and chromecast disconnect from the wifi hotspot", ["chromecast", "hotspot"]),
    ("bluetooth keeps dropping on my headphones", ["bluetooth"]),
    ("the subwoofer and the trackpad arrived damaged", ["subwoofer", "trackpad"]),
    # Shopping and accounts.
    ("the signup form rejects my passcode", ["signup", "passcode"]),
    ("my preorder was charged twice and the restock email never came", ["preorder", "restock"]),
    ("checkout page shows a 500 after i apply the giftcard", ["checkout", "giftcard"]),
    # British spellings and typing slips of ordinary words.
    ("my favourite colour is not in the dropdown", ["favourite", "colour"]),
    ("the aceptable range is too small", ["aceptable"]),
    # A nationality or language alone is no person, place or firm (context.py reports it as OTHER).
    ("can you write it in French or english please", ["french", "english"]),
    ("the Italian menu shows Canadian prices", ["italian", "canadian"]),
]


@pytest.mark.parametrize(("text", "words"), NOT_NAMES)
def test_technical_and_product_words_are_not_names(text: str, words: list[str]) -> None:
    found = name_words(text)
    assert [w for w in words if w in found] == []


# Closed-class words and chat interjections are capitalised at a sentence start or shouted,
# never names; a wrong guess would also redact every other "you" of the text as a repeat.
FUNCTION_WORDS = [
    "You are the best support team, thank you",
    "If the page loads I will tell you",
    "WTF is going on with my order",
    "Dont charge me twice. NOT again",
    "Aww thanks, that fixed it",
    "Eww the invoice is wrong",
]


@pytest.mark.parametrize("text", FUNCTION_WORDS)
def test_function_words_are_not_names(text: str) -> None:
    assert name_words(text) == set()


# Controls: lower-case names in the same kind of message are still found.
STILL_NAMES = [
    ("the dropdown is greyed out, priya said it worked yesterday", "priya"),
    ("i told kevin smith the checkout page shows a 500", "kevin"),
    ("the chatbot told me to email zofia kowalczyk", "zofia"),
]


@pytest.mark.parametrize(("text", "name"), STILL_NAMES)
def test_lower_case_names_next_to_technical_words_are_found(text: str, name: str) -> None:
    assert name in name_words(text)


@pytest.mark.parametrize(
    ("word", "variant"),
    [
        ("horroble", True),  # a mistyped letter in a word of seven letters or more
        ("monotize", True),
        ("definately", True),
        ("tamina", False),  # six letters: as often an unlisted name
        ("kendrick", False),  # no dictionary word one letter away
        ("hangwani", False),
    ],
)
def test_mistyped_letter_makes_a_variant(word: str, variant: bool) -> None:
    assert is_variant(word, shared_tagger().gazetteers.common_words) is variant
