"""Lower-case words that no dictionary lists but that are made of dictionary words.

Support chat is full of technical and product vocabulary newer than any word list:
"tokenizer" (token + -izer), "unclickable" (un- + click + -able), "dropdown"
(drop + down), "webhook", "chromecast". Unknown lower-case words otherwise look
like unlisted names to the tagger, which then labels them PERSON/ORG. A word that
an English reader can build from dictionary parts is treated as an ordinary word.

Only the rules of English word formation are used (written for this project): a
derivational prefix or suffix on a dictionary stem, with the usual spelling
changes (a final "e" dropped, a doubled consonant, "y" to "i"), or two dictionary
words glued together.
"""

from __future__ import annotations

from collections.abc import Container

# Suffixes longest first, so "-ization" is tried before "-ion"; "-s" and "-ed" too,
# for the inflected forms of a derived word ("tokenizers", "deduped").
_SUFFIXES = tuple(
    sorted(
        [
            "ization", "isation", "ification", "izer", "iser", "izers", "isers", "ize", "ise", "ized", "ised",
            "izing", "ising", "able", "ible", "ability", "ibility", "ness", "less", "ful", "ment", "ments",
            "ing", "ings", "er", "ers", "or", "ors", "ed", "ly", "ity", "ify", "ified", "ish", "y", "s", "es",
        ],
        key=len,
        reverse=True,
    )
)  # fmt: skip
_PREFIXES = (
    "un", "re", "pre", "non", "dis", "mis", "over", "under", "auto", "multi", "sub", "super", "micro", "de",
    "anti", "co", "inter", "post", "mega", "mini",
)  # fmt: skip
# A glued second part may be one of these short particles: "signup", "addon", "popup".
_SHORT_TAILS = frozenset({"up", "in", "on"})
_MIN_PART = 3  # shorter parts ("ab", "ra") would split almost any word


def _stems(stem: str) -> tuple[str, ...]:
    """The spellings a stem may have had before a suffix: "pagin" -> "paging", "token"; "usabl" no."""
    forms = [stem, stem + "e"]
    if len(stem) > 3 and stem[-1] == stem[-2]:
        forms.append(stem[:-1])  # "shipping" -> "ship"
    if stem.endswith("i"):
        forms.append(stem[:-1] + "y")  # "prettified" -> "pretty"
    return tuple(forms)


def is_derived(word: str, common: Container[str], depth: int = 2) -> bool:
    """True if ``word`` (lower case, letters only) is a dictionary word with derivational
    affixes, or two dictionary words glued together (each part itself possibly derived)."""
    if word in common:
        return True
    if depth == 0 or len(word) < 2 * _MIN_PART:
        return False
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_PART:
            stem = word[: -len(suffix)]
            if any(form in common for form in _stems(stem)) or is_derived(stem, common, depth - 1):
                return True
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= _MIN_PART and is_derived(rest, common, depth - 1):
            return True
    return is_compound(word, common)


def is_compound(word: str, common: Container[str]) -> bool:
    """Two dictionary words glued together: "dropdown", "webhook", "signup"."""
    for k in range(_MIN_PART, len(word) - 1):
        head, tail = word[:k], word[k:]
        if head in common and (tail in _SHORT_TAILS or (len(tail) >= _MIN_PART and tail in common)):
            return True
    return False


# British spellings and their American forms in the word list: "favourite", "realise",
# "analyse", "centre", "travelled", "catalogue", "licence".
_BRITISH = (("our", "or"), ("ise", "ize"), ("isation", "ization"), ("yse", "yze"), ("ll", "l"), ("ae", "e"))
_BRITISH_ENDINGS = (("tre", "ter"), ("ogue", "og"), ("ence", "ense"))
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_MIN_SUBSTITUTED = 7


def is_variant(word: str, common: Container[str]) -> bool:
    """True for a British spelling of a dictionary word ("favourite"), or a typing slip that
    doubled a letter ("gott", four letters or more), dropped one ("aceptable", six letters
    or more) or mistyped one ("horroble", seven letters or more: at six, the dev sets' lower-case
    names began to match, "tamina"). Shorter words are as often an unlisted name, a nickname or a team ("cavs" is
    no "caves", "croy" no "crony")."""
    if len(word) < 4:
        return False
    for old, new in _BRITISH:
        at = word.find(old)
        while at != -1:
            if word[:at] + new + word[at + len(old) :] in common:
                return True
            at = word.find(old, at + 1)
    for old, new in _BRITISH_ENDINGS:
        if word.endswith(old) and word[: -len(old)] + new in common:
            return True
    # A dropped letter, not the first ("rick" is no "brick").
    for k in range(1, len(word) + 1 if len(word) >= 6 else 0):
        head, tail = word[:k], word[k:]
        if any(head + letter + tail in common for letter in _LETTERS):
            return True
    # A mistyped letter, not the first ("horroble", "reciept"), in words of seven letters or more.
    for k in range(1, len(word) if len(word) >= _MIN_SUBSTITUTED else 0):
        head, tail = word[:k], word[k + 1 :]
        if any(head + letter + tail in common for letter in _LETTERS if letter != word[k]):
            return True
    return any(word[k] == word[k - 1] and word[:k] + word[k + 1 :] in common for k in range(1, len(word)))


__all__ = ["is_compound", "is_derived", "is_variant"]
