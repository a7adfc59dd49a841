"""Kinds and boundaries of the name tagger's runs, decided from the word lists and the
words around a run (used by :mod:`hushdesk.redaction.recognizers.names`).

The tagger guesses a kind (PER/LOC/ORG) for every run; these rules correct it where the
lists or the next words say more: a listed country is a place, a street type ends a place,
"band" after a name makes a group, a stage-name prefix or a kinship word belongs to the
person it precedes, a state's postal code belongs to the city before it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from hushdesk.redaction.model.features import Gazetteers, fold
from hushdesk.redaction.recognizers.context import DEMONYM_WORDS
from hushdesk.redaction.types import PERSON, Candidate

# The tagger's margin at which its score reaches the tagger's ceiling (names.margin_to_score).
FULL_CONFIDENCE_MARGIN = 6.0


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def listed_kind(kind: str, lowers: Sequence[str], gaz: Gazetteers) -> str:
    """The gazetteers overrule the tagger's kind when they are unambiguous: a run made
    only of listed first names/surnames that are no place is a person ("Enjoy, Sarah"
    tagged as a place); a run made only of places/countries that are no person's name
    is a place, and so is a run that is a listed place name of several words; a listed first
    name (no place, no dictionary word) followed by unlisted words is a person. The tagger
    decides everything else (unlisted or ambiguous words)."""
    if len(lowers) > 3:
        return kind
    if len(lowers) > 1 and (" ".join(lowers) in gaz.places or " ".join(lowers) in gaz.countries):
        return "LOC"  # "United Kingdom", "New Mexico": a listed name of several words is unambiguous
    person = all((w in gaz.first_names or w in gaz.last_names) for w in lowers)
    place = all((w in gaz.places or w in gaz.countries) for w in lowers)
    if person and not place:
        return "PER"
    if place and not person:
        return "LOC"
    first, rest = lowers[0], lowers[1:]
    if (
        rest
        and first in gaz.first_names
        and first not in gaz.common_words
        and first not in gaz.places
        and all(w.isalpha() and not gaz.is_listed(w) and w not in gaz.common_words for w in rest)
    ):
        return "PER"  # "Terence Vassiliev", "Emmie Ström": a listed first name and an unlisted surname
    return kind


def lone_name_kind(kind: str, word: str, margin: float, gaz: Gazetteers) -> str:
    """The kind of a lone word where the tagger's guess and the lists disagree.

    A listed country that is no first name is a place ("war for Poland", "to Spain"),
    though "Poland" is also a surname. A listed first name that is also a town ("Alice",
    "Linda", "Teresa" are GeoNames places) is a person when the tagger says place: people
    are named alone far more often than small towns; surnames that are cities ("Paris",
    "Austin") stay places. A listed first name or surname the tagger calls an organisation
    ("Murphy", "Morales") is a person. Dictionary words ("Phoenix", "Rose") and acronyms
    are left to the tagger: they name firms and places as often as people."""
    lower = fold(word)
    if lower in gaz.countries and lower not in gaz.first_names:
        return "LOC"
    if kind == "PER" or lower in gaz.common_words or is_acronym(word):
        return kind
    if kind == "LOC":
        if lower in gaz.first_names and (
            margin < FULL_CONFIDENCE_MARGIN or (lower not in gaz.last_names and lower not in gaz.countries)
        ):
            return "PER"  # and so is any listed first name only weakly called a place ("Norman is busy")
        return kind
    if lower in gaz.first_names or lower in gaz.last_names:
        return "PER"
    return kind


# Street types that end a street's name and are no listed first name or surname ("Green",
# "Hill", "Park", "Lane" are; "Court" and "Way" end firm names as often).
STREET_WORDS = word_set(
    "street st avenue ave road rd boulevard blvd drive ln highway hwy parkway pkwy terrace crescent"
)
# Nouns that make the name before them a group's: "the Harbor Wolves band", "Discovery Channel".
GROUP_NOUNS = word_set("band channel squad team crew records studios network")
GROUP_NOUN_AFTER = re.compile(r"[ \t]+(?:" + "|".join(sorted(GROUP_NOUNS)) + r")\b", re.IGNORECASE)
PLACE_TYPE_AFTER = re.compile(
    r"[ \t]+(?:Street|Avenue|Road|Boulevard|Blvd|Drive|Lane|Square|Park|Beach|Island|Bridge|Airport|Station)\b"
)
# Postal abbreviations of US states, Canadian provinces and Australian states; not those
# that are also words shouted in chat ("Paris, OK?", "OH", "HI", "ME", "OR", "IN", "ON").
_STATE_CODES = word_set(
    "AL AK AZ AR CA CO CT DE DC FL GA IL IA KS KY LA MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "PA RI SC SD TN TX UT VT VA WA WV WI WY AB BC MB NB NL NS NT NU PE QC SK YT "
    "NSW QLD VIC TAS ACT"
)
STATE_AFTER = re.compile(r"[ \t]*,[ \t]*(?:" + "|".join(sorted(_STATE_CODES)) + r")(?![\w-])")
FAN_AFTER = re.compile(r"[ \t]+(?:fan|fans|supporter|supporters)\b", re.IGNORECASE)
# The rest of a form label "X of Y:" after its head ("Date" of "Date of Birth: 1985-02-15"):
# "Date" is a surname and a place on the lists, but a name is not followed by "of Birth:".
FIELD_LABEL_TAIL = re.compile(r"[ \t]+of[ \t]+[A-Z][a-z]+[ \t]*:")
_HYPHEN_TAIL = re.compile(r"(?:-[A-Z][^\W\d_]+(?:['\u2019]s)?)+")
_HYPHEN_HEAD = re.compile(r"(?:[A-Z][^\W\d_]*-)+$")


def hyphenated(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a run over capitalised words hyphenated to it: "Butler-Peters",
    "Jean-Luc" (the tokenizer splits at the hyphen; the tagger may tag one half)."""
    tail = _HYPHEN_TAIL.match(text, end)
    if tail is not None:
        end = tail.end()
    # _HYPHEN_HEAD ends with "-" at the window's end (or before a newline ending it): test
    # that before searching the window (most runs follow a space).
    ends_hyphen = text[start - 1 : start] == "-" or text[max(0, start - 2) : start] == "-\n"
    head = _HYPHEN_HEAD.search(text, max(0, start - 40), start) if ends_hyphen else None
    if head is not None and (head.start() == 0 or not text[head.start() - 1].isalnum()):
        start = head.start()
    return start, end


# Prefixes of stage names, part of the name itself (unlike a title such as "Mr."). The
# tagger, trained on names from lists, takes them for ordinary words.
# Kinship and nobility forms of address belong to the name too, as the annotations of the
# chat and tweet data have it ("Aunt Mary", "Uncle Joe", "Lord Hanuman"); unlike "Mr.", which
# the engine splits off as a title.
STAGE_PREFIX = re.compile(
    r"(?:Lil|LIL|lil|DJ|Dj|MC|Aunt|Auntie|Aunty|Uncle|Grandma|Grandpa|Granny|Papa|Mama|Lord|Lady)[ \t]+$"
)
CAPITALISED_AFTER = re.compile(r"[ \t]+[A-Z][^\W\d_]*(?![\w-])")


def is_demonym(lower: str) -> bool:
    return lower in DEMONYM_WORDS or (lower.endswith("s") and lower[:-1] in DEMONYM_WORDS)


def is_acronym(word: str) -> bool:
    return 2 <= len(word) <= 4 and word.isupper() and word.isalpha()


# A first initial before a name: "J. Cole", "J . cole" (pre-tokenised).
INITIAL_BEFORE = re.compile(r"[A-Z][ \t]?\.[ \t]+$")

# What joins the items of a list: "Vin , Dwayne , Ty , Luda , Jason & Michelle".
_COORDINATION = re.compile(r"[ \t]*(?:,|&|and)[ \t]*")


def coordinated_persons(text: str, found: list[Candidate]) -> list[Candidate]:
    """A one-word guess listed between persons is a person too: "Vin, Dwayne, Ty, Luda"
    (the tagger called "Ty" a firm). Every neighbour it is coordinated with must be a
    person ("John, Google and Amazon" keeps its firms)."""
    out = list(found)
    for k, candidate in enumerate(found):
        value = text[candidate.start : candidate.end]
        if candidate.label == PERSON or " " in value or len(value) < 2:  # "C" in "Java, C, Python"
            continue
        neighbours = []
        if k > 0 and _COORDINATION.fullmatch(text, found[k - 1].end, candidate.start):
            neighbours.append(found[k - 1])
        if k + 1 < len(found) and _COORDINATION.fullmatch(text, candidate.end, found[k + 1].start):
            neighbours.append(found[k + 1])
        if neighbours and all(n.label == PERSON for n in neighbours):
            out[k] = dataclasses.replace(candidate, label=PERSON, reason=candidate.reason + "; listed between persons")
    return out


# A greeting or thanks right before a word: "thanks obama !", "hey GT will you", "Hi Fleur ,".
GREETING_BEFORE = re.compile(r"(?i:thanks|thank you|thx|hey|hi|hello|dear)[ \t]*,?[ \t]+$")
# A word set off by a comma before an exclamation or question mark is addressed: "Nice
# shooting, Tex!", "Don't go to town, Roy!".
COMMA_BEFORE = re.compile(r",[ \t]*$")
EXCLAMATION_AFTER = re.compile(r"[ \t]*[!?]")

# "he", "his", "she", "her" later in the same sentence (within a few words).
_PERSONAL_PRONOUN_AFTER = re.compile(r"[^.!?\n]{0,40}?\b(?:he|him|his|she|her|hers)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")


def refers_to_a_person(text: str, start: int, end: int, word: str, found: Sequence[Candidate], gaz: Gazetteers) -> bool:
    """True if a personal pronoun soon after a lone unlisted word can only refer to it: "than
    Barkley was in his prime", "How does MaMlambo cook ... when she". Firms and places are
    "it" and "they". Not when a person was named earlier in the sentence (the pronoun may be
    theirs: "John called Zentoka and he ..."), nor for dictionary words, acronyms or listed
    places ("Chicago, IL and his email")."""
    lower = fold(word)
    if lower in gaz.common_words or lower in gaz.countries or lower in gaz.places or is_acronym(word):
        return False
    if _PERSONAL_PRONOUN_AFTER.match(text, end) is None:
        return False
    for previous in reversed(found):
        if previous.label == PERSON:
            return _SENTENCE_END.search(text, previous.end, start) is not None
    return True


# A middle initial and the surname after a person's run: "benjamin a seiler", "Jildau S Bouts".
# Not "I" (the pronoun: "Lily I love") nor "v" ("Smith v. Johnson").
_INITIAL_AND_WORD_AFTER = re.compile(r"[ \t]+(?![IiVv]\b)[A-Za-z]\.?[ \t]+([^\W\d_]+)")
_WORD_AFTER_INITIAL = re.compile(r"\.?[ \t]+([^\W\d_]+)")


def middle_initial_end(text: str, end: int, last_word: str, gaz: Gazetteers) -> int:
    """Where a person's run ends once a middle initial the tagger stopped at, and the surname
    after it, are taken in: "codey m ross", "Daniela C Capon". The surname must be a listed
    one or an unlisted capitalised word, and no dictionary word: "give benjamin a call" stays
    "benjamin"."""
    if len(last_word) == 1 and last_word.isupper():  # the run already ends on the initial
        match = _WORD_AFTER_INITIAL.match(text, end)
    else:
        match = _INITIAL_AND_WORD_AFTER.match(text, end)
    if match is None:
        return end
    surname = match.group(1)
    lower = fold(surname)
    if lower not in gaz.common_words and (lower in gaz.last_names or surname[0].isupper()):
        return match.end()
    return end
