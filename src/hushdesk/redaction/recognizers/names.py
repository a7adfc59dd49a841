"""Names, places and organisations from the statistical tagger.

The tagger (see :mod:`hushdesk.redaction.model`) labels tokens PER/LOC/ORG; this
recognizer turns runs of tags into spans and its margin into a score.  The
model is loaded on the first call, once per process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from hushdesk.redaction.model.features import TOKEN, fold, text_casing
from hushdesk.redaction.model.tagger import CONNECTORS, PerceptronTagger, shared_tagger
from hushdesk.redaction.model.vocabulary import FUNCTION_WORDS, ROLE_WORDS, TECH_WORDS
from hushdesk.redaction.recognizers.name_kinds import (
    CAPITALISED_AFTER,
    COMMA_BEFORE,
    EXCLAMATION_AFTER,
    FAN_AFTER,
    FIELD_LABEL_TAIL,
    FULL_CONFIDENCE_MARGIN,
    GREETING_BEFORE,
    GROUP_NOUN_AFTER,
    GROUP_NOUNS,
    INITIAL_BEFORE,
    PLACE_TYPE_AFTER,
    STAGE_PREFIX,
    STATE_AFTER,
    STREET_WORDS,
    coordinated_persons,
    hyphenated,
    is_acronym,
    is_demonym,
    listed_kind,
    lone_name_kind,
    middle_initial_end,
    refers_to_a_person,
)
from hushdesk.redaction.types import ADDRESS, ORGANIZATION, PERSON, Candidate

_KIND_TO_LABEL = {"PER": PERSON, "LOC": ADDRESS, "ORG": ORGANIZATION}
_MARGIN_FOR_FULL_CONFIDENCE = FULL_CONFIDENCE_MARGIN
# Half the way to full confidence: below it, a run of lower-case words found on
# no name/place list (slang, typos, rare words) is not reported.
_UNLISTED_LOWER_MARGIN = _MARGIN_FOR_FULL_CONFIDENCE / 2


def margin_to_score(margin: float) -> float:
    """Map the perceptron's winning margin to a 0.5-0.82 confidence: validated
    patterns (street addresses, IDs: 0.85 and up) outrank it."""
    return 0.5 + 0.32 * min(1.0, max(0.0, margin) / _MARGIN_FOR_FULL_CONFIDENCE)


# Characters that glue words into one identifier: "hushdesk.worker.run_job",
# "CTRL+C", "/api/v1", "sam.canary@example.com".
_JOINERS = frozenset(".@_+/\\:%=~#")
_CAMEL_PART = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])")
# "[10:16 AM] Support:" / "Customer:" at the start of a line: a role, not a name.
_ROLE_LABEL = re.compile(r"[ \t]*(?:\([^)\n]{0,40}\))?[ \t]*:")


def _glued(text: str, start: int, end: int) -> bool:
    """True if the token at ``start:end`` is a piece of a larger identifier
    (or a one-letter prefix: "E-mail", "X-ray"; or glued to digits: "MP3")."""
    if end - start == 1 and text[end : end + 1] == "-":
        return True
    if text[end : end + 1].isdigit() or (start > 0 and text[start - 1].isdigit()):
        return True  # "MP3", "PS4", "4K": a product or model code, not a name
    if start > 1 and text[start - 1] in _JOINERS and (text[start - 2].isalnum() or text[start - 2] == "_"):
        return True
    return end + 1 < len(text) and text[end] in _JOINERS and (text[end + 1].isalnum() or text[end + 1] == "_")


def _is_code_word(word: str, common: frozenset[str]) -> bool:
    """ "ValueError", "RuntimeWarning", "getUser": camel-case made of ordinary words."""
    if word[1:].islower() or word.isupper():
        return False  # no inner capital: not camel-case
    parts = _CAMEL_PART.findall(word)
    if len(parts) < 2 or "".join(parts) != word.lstrip("abcdefghijklmnopqrstuvwxyz"):
        return False
    return all(part.lower() in common for part in parts if len(part) > 1)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
# Auxiliaries and weekdays are never (part of) a name in English text, though Faker's
# lists hold "Can" (Turkish) and a model trained on them may think so.
_NEVER_NAMES = _word_set(
    "can could would should must shall might did does do has have had was were are is am be been "
    "monday tuesday wednesday thursday friday saturday sunday"
) | (FUNCTION_WORDS - CONNECTORS)
# A month alone is a date, not a person ("see you in October"); "April Smith" still is.
_MONTHS = _word_set("january february march april may june july august september october november december")


# Per word form: (starts with a letter, blocked whatever its context, role word, ordinal
# suffix, verb of wishing (see _wish_verb)), for one dictionary (``common``). Bounded:
# cleared when full, like the tagger's word caches.
_WordBlocks = tuple[bool, bool, bool, bool, bool]
_WORD_BLOCKS: dict[str, _WordBlocks] = {}
_WORD_BLOCKS_OWNER: list[frozenset[str]] = []
_WORD_BLOCKS_SIZE = 50_000
_NOT_A_WORD: _WordBlocks = (False, False, False, False, False)


def _word_blocks_cache(common: frozenset[str]) -> dict[str, _WordBlocks]:
    if not _WORD_BLOCKS_OWNER or _WORD_BLOCKS_OWNER[0] is not common or len(_WORD_BLOCKS) >= _WORD_BLOCKS_SIZE:
        _WORD_BLOCKS.clear()
        _WORD_BLOCKS_OWNER[:] = [common]
    return _WORD_BLOCKS


def _word_blocks(word: str, common: frozenset[str]) -> _WordBlocks:
    """The parts of :func:`blocked_tokens` that depend on the word alone (cached: the
    same words recur in every message, their neighbours do not)."""
    if not word[0].isalpha():
        return _NOT_A_WORD
    lower = fold(word)
    # "I", "I'm", "We're", "Don't" (a contraction of ordinary words) are never part of a
    # name: "Hi, I'm Zofia" names Zofia.
    always = (
        lower in TECH_WORDS
        or lower == "i"
        or lower in _NEVER_NAMES
        or ("'" in lower and lower in common)
        or _is_code_word(word, common)
    )
    return (True, always, lower in ROLE_WORDS, lower in _ORDINAL_SUFFIXES, word.lower() in _WISH_VERBS)


def token_blocker(
    text: str, matches: Sequence[re.Match[str]], words: Sequence[str], common: frozenset[str]
) -> Callable[[int], bool]:
    """Whether token ``i`` is never part of a name (an identifier, technical word, role,
    pronoun contraction, ordinal suffix). Asked per token: the tagger asks it only of the
    few tokens that could start or continue a name."""
    cache = _word_blocks_cache(common)
    last = len(words) - 1

    def blocked(i: int) -> bool:
        word = words[i]
        facts = cache.get(word)
        if facts is None:
            facts = cache[word] = _word_blocks(word, common)
        is_word, always, role_word, ordinal, wish = facts
        if not is_word:
            return False
        if always:
            return True
        start, end = matches[i].span()
        return bool(
            (role_word and _ROLE_LABEL.match(text, end) is not None)
            or (ordinal and i > 0 and words[i - 1].isdigit())  # the "th" of "April 30 th"
            # Between plain separators (most tokens) a token is glued to nothing.
            or (
                not (text[start - 1 : start] in _PLAIN_EDGES and text[end : end + 1] in _PLAIN_EDGES)
                and _glued(text, start, end)
            )
            # Every contraction tail is at most three characters long: most words skip the lower().
            or (
                i < last
                and len(words[i + 1]) <= 3
                and words[i + 1].lower() in _CONTRACTION_TAILS
                and _contraction_head(words, i)
            )
            or (wish and i < last and _wish_verb(words, i))
        )

    return blocked


def blocked_tokens(
    text: str, matches: Sequence[re.Match[str]], words: Sequence[str], common: frozenset[str]
) -> frozenset[int]:
    """Indexes of tokens that are never part of a name (see :func:`token_blocker`)."""
    blocked = token_blocker(text, matches, words, common)
    return frozenset(i for i in range(len(words)) if blocked(i))


# Characters that are no digit, joiner or "-": a token with one of these (or the text's
# edge, "") on both sides is not _glued.
_PLAIN_EDGES = frozenset([" ", "\n", "\t", ",", "!", "?", ";", "(", ")", '"', ""])
if _PLAIN_EDGES & (_JOINERS | {"-"}):
    raise ImportError("names: _PLAIN_EDGES must hold no joiner")


# Pre-tokenised text splits contractions: "wo n ' t", "ai n't", "gon na", "wan na".
_CONTRACTION_TAILS = frozenset({"n", "n't", "n\u2019t", "na"})


def _contraction_head(words: Sequence[str], i: int) -> bool:
    """True if token ``i`` is the first half of a split contraction, never a name."""
    tail = words[i + 1].lower()
    if tail == "na":
        return words[i].lower() in {"gon", "wan"}
    if tail == "n":
        return i + 3 < len(words) and words[i + 2] in {"'", "\u2019"} and words[i + 3].lower() == "t"
    return True


# Verbs of wishing and thanking that open a sentence with the subject dropped ("Hope you
# had fun", "Miss you guys"). "Hope", "Love" and "Bless" are given names, but not before
# an object pronoun: a name there would be the subject of a verb that never follows it.
_WISH_VERBS = frozenset({"hope", "hoping", "love", "miss", "wish", "bless", "thank"})
_OBJECT_WORDS = frozenset(
    {"you", "u", "ya", "youre", "you're", "your", "ur", "she", "he", "they", "we", "it", "its", "it's"}
    | {"that", "those", "this", "these", "everyone", "everybody", "all", "y'all", "yall"}
)


def _wish_verb(words: Sequence[str], i: int) -> bool:
    """True if token ``i`` opens a sentence as a verb of wishing before its object."""
    if words[i].lower() not in _WISH_VERBS or words[i + 1].lower() not in _OBJECT_WORDS:
        return False
    return i == 0 or not words[i - 1][0].isalnum()  # after punctuation: "Great video ! Hope you ..."


_POSSESSIVE = re.compile(r"(?<=\w)['\u2019]s$", re.IGNORECASE)


def _split_at_possessives(runs: list[tuple[str, list[int]]], words: Sequence[str]) -> list[tuple[str, list[int]]]:
    """ "Oneal's Mrs. Filemonsen" is two entities: a possessive ends a run."""
    out: list[tuple[str, list[int]]] = []
    for kind, indexes in runs:
        current: list[int] = []
        for index in indexes:
            current.append(index)
            if _POSSESSIVE.search(words[index]) and index != indexes[-1]:
                out.append((kind, current))
                current = []
        if current:
            out.append((kind, current))
    return out


class NameModelRecognizer:
    name = "name_model"
    labels = frozenset({PERSON, ADDRESS, ORGANIZATION})

    def __init__(self, load: Callable[[], PerceptronTagger] = shared_tagger) -> None:
        self._load = load  # called lazily: constructing the recognizer does no I/O

    def find(self, text: str) -> Iterable[Candidate]:
        matches = list(TOKEN.finditer(text))
        if not matches:
            return []
        words = [m.group(0) for m in matches]
        if "\n" in text:
            line_starts = [i == 0 or "\n" in text[matches[i - 1].end() : m.start()] for i, m in enumerate(matches)]
        else:  # one line (most messages): only the first token starts one
            line_starts = [False] * len(matches)
            line_starts[0] = True
        tagger = self._load()
        is_blocked = token_blocker(text, matches, words, tagger.gazetteers.common_words)
        tags, margins = tagger.tag_lists(words, line_starts, is_blocked=is_blocked)
        runs: list[tuple[str, list[int]]] = []  # (kind, token indexes)
        for index, tag in enumerate(tags):
            if tag == "O":
                continue
            prefix, kind = tag.split("-", 1)
            if prefix == "I" and runs and runs[-1][0] == kind and runs[-1][1][-1] == index - 1:
                runs[-1][1].append(index)
            else:
                runs.append((kind, [index]))
        found: list[Candidate] = []
        for run_kind, indexes in _split_at_possessives(runs, words):
            kind = run_kind
            # A run may not end on a connector or punctuation ("Bank of", "Smith &").
            while indexes and (words[indexes[-1]].lower() in CONNECTORS or not words[indexes[-1]][0].isalpha()):
                indexes.pop()
            if not indexes:
                continue
            margin = min(margins[i] for i in indexes)
            if margin < _UNLISTED_LOWER_MARGIN and all(
                words[i].islower() and not tagger.gazetteers.is_listed(fold(words[i])) for i in indexes
            ):
                continue  # "gased", "hoopa": an unknown lower-case word needs strong evidence to be a name
            start, end = hyphenated(text, matches[indexes[0]].start(), matches[indexes[-1]].end())
            if FIELD_LABEL_TAIL.match(text, end) is not None:
                continue  # "Date of Birth:", "Date of Admission:": the head of a form label, no name
            # The possessive is the last two characters (three if "$" matched before a final
            # newline): searching from there finds what a search of the whole prefix would.
            possessive = _POSSESSIVE.search(text, max(0, end - 3), end)
            if possessive:  # "Maclean's killers": the name is "Maclean"
                end -= len(possessive.group(0))
            if "-" not in text[start:end]:  # "Butler-Peters" (two surnames) is as often a firm as a person
                kind = listed_kind(kind, [fold(words[i]) for i in indexes], tagger.gazetteers)
                if len(indexes) == 1:
                    kind = lone_name_kind(kind, words[indexes[0]], margin, tagger.gazetteers)
            if (
                kind == "LOC"
                and len(indexes) == 1
                and margin < 2 * _MARGIN_FOR_FULL_CONFIDENCE
                and not words[indexes[0]].isupper()
            ):
                lower = fold(words[indexes[0]])
                if lower not in tagger.gazetteers.places and lower not in tagger.gazetteers.countries:
                    # A lone word on no place list, weakly called a place ("Where's Kishan?"): the
                    # places people write about are mostly on the GeoNames list, most people's
                    # names are not. Measured on the dev sets: such guesses were persons 3x as often.
                    # (Not an abbreviation: "WI", "QLD" are states.)
                    kind = "PER"
            if (
                kind == "ORG"
                and len(indexes) == 1
                and margin < 2 * _MARGIN_FOR_FULL_CONFIDENCE
                and words[indexes[0]].islower()
                and not tagger.gazetteers.is_listed(fold(words[indexes[0]]))
            ):
                # Likewise a lone unlisted lower-case word weakly called a firm ("kapil 's
                # expression"): people type names in lower case far more often than firms.
                # (Capitalised ones stay: invented firm names, "Estately", look like names.)
                kind = "PER"
            group = GROUP_NOUN_AFTER.match(text, end) if kind != "ORG" else None
            if group is not None and (len(indexes) > 1 or group.group(0).lstrip()[0].isupper()):
                # "Zac brown band", "Discovery Channel": the tagger took the name for a person or
                # place and left out the noun that makes it a group's. Not after a name it already
                # calls a group ("the Warriors team"), nor a lower-case noun after one word ("a
                # K-Pop band"): there the noun describes the name instead of completing it.
                end, kind = group.end(), "ORG"
            elif len(indexes) > 1 and fold(words[indexes[-1]]) in GROUP_NOUNS:
                kind = "ORG"  # "Jamaican Squad"
            if kind == "LOC" and FAN_AFTER.match(text, end) is not None:
                kind = "ORG"  # "Leeds fan", "a Chicago fan": the team named after the place
            if kind == "LOC":
                place_type = PLACE_TYPE_AFTER.match(text, end)
                if place_type is not None:
                    end = place_type.end()  # "New Orleans Square", "Riverside Park": one place
                state = STATE_AFTER.match(text, end)
                if state is not None:
                    end = state.end()  # "Ipswich, QLD", "Austin, TX": the state is part of the place
            if len(indexes) > 1 and fold(words[indexes[-1]]) in STREET_WORDS:
                kind = "LOC"  # "Redondo Beach Blvd", "Martinez Mall St": a street, whoever it is named after
            if len(indexes) == 1 and is_demonym(fold(words[indexes[0]])):
                continue  # "in French", "the english fans": a nationality or language (OTHER, context.py)
            if kind == "PER" and len(indexes) == 1 and fold(words[indexes[0]]) in _MONTHS:
                continue
            if kind == "PER" and len(indexes) == 1 and is_acronym(words[indexes[0]]) and text_casing(words) != "upper":
                kind = "ORG"  # "NBC", "BTS": a short capitalised acronym in normal text names a group
            if kind != "PER" and len(indexes) == 1 and fold(words[indexes[0]]) not in tagger.gazetteers.countries:
                greeting = GREETING_BEFORE.search(text, max(0, start - 12), start)
                if greeting is not None and (greeting.start() == 0 or not text[greeting.start() - 1].isalnum()):
                    kind = "PER"  # "thanks obama !", "hey GT": the one greeted or thanked is a person
                elif COMMA_BEFORE.search(text, max(0, start - 3), start) and EXCLAMATION_AFTER.match(text, end):
                    kind = "PER"  # "Nice shooting, Tex!", "go to town, Roy!": the one addressed
                elif refers_to_a_person(text, start, end, words[indexes[0]], found, tagger.gazetteers):
                    kind = "PER"  # "than Barkley was in his prime": "he"/"his" names a person
            stage = STAGE_PREFIX.search(text, max(0, start - 10), start)
            if stage is not None and (stage.start() == 0 or not text[stage.start() - 1].isalnum()):
                # "Lil Yachty", "DJ Khaled": the prefix is part of the stage name, and only
                # performers (persons) take one, whatever kind the tagger guessed for the rest.
                start, kind = stage.start(), "PER"
            elif STAGE_PREFIX.fullmatch(words[indexes[0]] + " "):
                kind = "PER"  # the tagger's run began with the prefix itself
                name = CAPITALISED_AFTER.match(text, end) if len(indexes) == 1 else None
                if name is not None:  # "DJ Switch": the tagger stopped at a dictionary word
                    end = name.end()
            if kind == "PER":
                end = middle_initial_end(text, end, words[indexes[-1]], tagger.gazetteers)
                initial = INITIAL_BEFORE.search(text, max(0, start - 4), start)
                if initial is not None and (initial.start() == 0 or not text[initial.start() - 1].isalnum()):
                    start = initial.start()  # "J. Cole", "J . cole": a first initial belongs to the name
                    if found and found[-1].label == PERSON and not text[found[-1].end : start].strip():
                        start = found.pop().start  # "Hanne I. Kreutzmann": a middle initial joins two runs
            found.append(
                Candidate(
                    start,
                    end,
                    _KIND_TO_LABEL[kind],
                    margin_to_score(margin),
                    self.name,
                    f"name tagger: {kind} (margin {margin:.1f})",
                )
            )
        return coordinated_persons(text, found)
