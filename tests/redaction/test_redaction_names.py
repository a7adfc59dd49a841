"""Span boundaries and labels of names, places and postcodes (exact spans matter:
a pronoun or a stray word inside a name is both a miss and a false alarm)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from hushdesk.redaction import get_engine
from hushdesk.redaction.model.features import TAGS, TOKEN
from hushdesk.redaction.model.tagger import PerceptronTagger, load_tagger, shared_tagger
from hushdesk.redaction.recognizers.names import NameModelRecognizer, blocked_tokens
from hushdesk.redaction.types import ADDRESS, ORGANIZATION, PERSON


def found(text: str) -> list[tuple[str, str]]:
    return [(f.label, f.text) for f in get_engine().analyze(text)]


EXACT = [
    # A pronoun contraction before a name is not part of it.
    ("Hi, I'm Zofia Kowalczyk.", "PERSON", "Zofia Kowalczyk"),
    ("Hello, I\u2019m Marco Rossi", "PERSON", "Marco Rossi"),
    ("I'm Zofia Kowalczyk and I need help", "PERSON", "Zofia Kowalczyk"),
    # "my name is" takes a second word only if it is not a function word.
    ("my name is priya sharma", "PERSON", "priya sharma"),
    ("My name is anjali and I need a refund", "PERSON", "anjali"),
    ("my name is called Tomasz and i need help", "PERSON", "Tomasz"),
    # A listed surname continues a lower-case name that began with a listed first name.
    ("i met james baker at the gym", "PERSON", "james baker"),
    # UK and Canadian postcodes, alone or after a street.
    ("My postcode is NW1 6XE, thanks", "ADDRESS", "NW1 6XE"),
    ("Deliver to SW1A 2AA please", "ADDRESS", "SW1A 2AA"),
    ("Ottawa ON K1A 0B1", "ADDRESS", "K1A 0B1"),
    # Unambiguous list membership settles the label: a first name is a person.
    ("Have a nice trip , Maria .", "PERSON", "Maria"),
    # A listed place name of several words is a place, whatever the tagger's kind.
    ("We ship to every address in the United Kingdom", "ADDRESS", "United Kingdom"),
    ("Is delivery to the United States free?", "ADDRESS", "United States"),
    # Hyphenated names are one span, not half a name.
    ("Kristen Rocher and Jean-Luc Picard called", "PERSON", "Jean-Luc Picard"),
    ("Ramsey-Johnson is an investment bank", "ORGANIZATION", "Ramsey-Johnson"),
    # "X of Firm Inc." anywhere in a sentence: the person is not swallowed by the firm.
    ("Panelists included Dobroslaw Tomaszewski of Fernandez Inc., and others", "PERSON", "Dobroslaw Tomaszewski"),
    ("Panelists included Dobroslaw Tomaszewski of Fernandez Inc., and others", "ORGANIZATION", "Fernandez Inc."),
    # A stage-name prefix is part of the name (unlike "Mr.").
    ("the new song by Lil Tamsin is great", "PERSON", "Lil Tamsin"),
]


@pytest.mark.parametrize(("text", "label", "value"), EXACT)
def test_exact_span(text: str, label: str, value: str) -> None:
    assert (label, value) in found(text)


NOT_IN_A_NAME = [
    ("Hi, I'm Zofia Kowalczyk.", "I'm"),
    ("My name is anjali and I need a refund", "and"),
    ("The launch is on June 21 st", "st"),
    ("I bought an MP3 player and a PS4", "MP"),
    ("I bought an MP3 player and a PS4", "PS"),
    ("Can Maria call me back?", "Can"),
    ("Wednesday Adams will call", "Wednesday"),
    # Halves of contractions split by a tokenizer.
    ("we gon na call you back", "gon"),
    ("I wo n ' t pay twice , sorry if she ai n ' t happy", "wo"),
    ("I wo n ' t pay twice , sorry if she ai n ' t happy", "ai"),
]


@pytest.mark.parametrize(("text", "word"), NOT_IN_A_NAME)
def test_word_is_not_part_of_any_name(text: str, word: str) -> None:
    for label, value in found(text):
        if label in {"PERSON", "ADDRESS", "ORGANIZATION"}:
            assert word not in value.split(), (label, value)


@pytest.mark.parametrize(
    "text", ["Buy A4 paper and an MP3 player", "Room B2 3rd floor", "ISO 9001 AB12", "the 3 rd game was close"]
)
def test_no_address_in_look_alikes(text: str) -> None:
    assert [v for label, v in found(text) if label == "ADDRESS"] == []


@pytest.mark.parametrize("text", ["See you in October then", "Can you check it?", "It was due April 1, 2023."])
def test_months_and_auxiliaries_are_not_persons(text: str) -> None:
    assert [v for label, v in found(text) if label == "PERSON"] == []


def test_a_date_is_one_span() -> None:
    assert ("DATE", "April 1, 2023") in found("Renewal: April 1, 2023. Thanks, April")


def test_model_file_with_a_code_reference_is_refused(tmp_path: Path) -> None:
    """The weights file is data only: a pickle that names any callable is refused unrun."""
    evil = tmp_path / "model.bin"
    evil.write_bytes(pickle.dumps({"tags": list(TAGS), "hook": os.getcwd}, protocol=5))
    with pytest.raises(pickle.UnpicklingError):
        load_tagger(evil)


def test_tag_and_tag_lists_agree() -> None:
    tagger = shared_tagger()
    words = TOKEN.findall("Hi, this is Jordan Miles of Acme Bank. Call kevin smith in Paris.")
    line_starts = [i == 0 for i in range(len(words))]
    tags, margins = tagger.tag_lists(words, line_starts)
    assert [(t.index, t.tag, t.margin) for t in tagger.tag(words, line_starts)] == list(
        zip(range(len(words)), tags, margins, strict=True)
    )
    assert "B-PER" in tags


class _FixedTagger(PerceptronTagger):
    """The shipped gazetteers with fixed tags and margins: tests the recognizer's rules alone."""

    def __init__(self, tags: list[str], margins: list[float]) -> None:
        super().__init__({}, [], shared_tagger().gazetteers)
        self._fixed = (tags, margins)

    def tag_lists(
        self,
        words: Sequence[str],
        line_starts: Sequence[bool],
        blocked: frozenset[int] = frozenset(),
        is_blocked: Callable[[int], bool] | None = None,
    ) -> tuple[list[str], list[float]]:
        return list(self._fixed[0]), list(self._fixed[1])


@pytest.mark.parametrize(
    ("word", "margin", "label"),
    [
        ("Tebogo", 4.0, PERSON),  # on no place list, weakly a place: more often a person
        ("Tebogo", 9.0, PERSON),  # up to twice the full-confidence margin
        ("Tebogo", 13.0, ADDRESS),  # a confident guess stands
        ("Oslo", 4.0, ADDRESS),  # a listed place that is no first name stays a place
        ("QLD", 4.0, ADDRESS),  # so does an abbreviation
    ],
)
def test_weak_place_guess_on_an_unlisted_word(word: str, margin: float, label: str) -> None:
    recognizer = NameModelRecognizer(lambda: _FixedTagger(["O", "O", "B-LOC"], [1.0, 1.0, margin]))
    assert [c.label for c in recognizer.find(f"Where is {word}")] == [label]


@pytest.mark.parametrize(
    ("text", "tags", "label", "value"),
    [
        # a listed first name that is also a town, called a place: a person
        ("Where is Alice", ["O", "O", "B-LOC"], PERSON, "Alice"),
        ("thanks Linda", ["O", "B-LOC"], PERSON, "Linda"),
        # a surname that is a city, a country, a dictionary word: the tagger decides
        ("Where is Paris", ["O", "O", "B-LOC"], ADDRESS, "Paris"),
        ("Where is Phoenix", ["O", "O", "B-LOC"], ADDRESS, "Phoenix"),
        # a country named alone is the country, though a surname too; not a first name
        ("went to war for Poland", ["O", "O", "O", "O", "B-PER"], ADDRESS, "Poland"),
        ("Who is coming to Spain", ["O", "O", "O", "O", "B-ORG"], ADDRESS, "Spain"),
        ("Where is Jordan", ["O", "O", "B-PER"], PERSON, "Jordan"),
        # a listed first name and an unlisted surname: a person, whatever the tagger's kind
        ("Steffen Mauer from Analytica", ["B-ORG", "I-ORG"], PERSON, "Steffen Mauer"),
        ("went to Paris Zentoka", ["O", "O", "B-LOC", "I-LOC"], ADDRESS, "Paris Zentoka"),
        # a listed name called an organisation: a person
        ("Murphy is not a good player", ["B-ORG", "O", "O", "O", "O", "O"], PERSON, "Murphy"),
        ("But Morales is a black spiderman", ["O", "B-ORG", "O", "O", "O", "O"], PERSON, "Morales"),
        # not a dictionary word, an acronym or two hyphenated surnames (a firm as often)
        ("I love Apple", ["O", "O", "B-ORG"], ORGANIZATION, "Apple"),
        ("Garcia-Roberson won", ["B-ORG", "O", "O", "O"], ORGANIZATION, "Garcia-Roberson"),
        # a stage-name prefix makes a person of any guess, and joins it
        ("a video of DJ Khaled", ["O", "O", "O", "O", "B-ORG"], PERSON, "DJ Khaled"),
        ("that Lil Yachty song", ["O", "B-ORG", "I-ORG", "O"], PERSON, "Lil Yachty"),
        ("to DJ Switch now", ["O", "O", "B-LOC", "O"], PERSON, "DJ Switch"),
        ("a reaction to DJ Switch now", ["O", "O", "O", "B-LOC", "O", "O"], PERSON, "DJ Switch"),
        ("that moment lil wayne gets on", ["O", "O", "O", "B-PER"], PERSON, "lil wayne"),
        # so do kinship and nobility forms of address (not "Mr.": the engine splits titles)
        ("dinner with Uncle Joe", ["O", "O", "O", "B-PER"], PERSON, "Uncle Joe"),
        ("jokes about Lord Hanuman", ["O", "O", "O", "B-PER"], PERSON, "Lord Hanuman"),
        ("hair from Papa Censor", ["O", "O", "B-LOC", "I-LOC"], PERSON, "Papa Censor"),
    ],
)
def test_kind_of_a_lone_listed_name_and_stage_names_at_full_confidence(
    text: str, tags: list[str], label: str, value: str
) -> None:
    recognizer = NameModelRecognizer(lambda: _FixedTagger(tags, [20.0] * len(tags)))
    assert [(c.label, text[c.start : c.end]) for c in recognizer.find(text)] == [(label, value)]


@pytest.mark.parametrize(
    ("text", "tags", "expected"),
    [
        # the head of a form label "X of Y:" is no name, whatever the tagger says
        ("Sarah Connor, Date of Birth: 1985-02-15", ["B-PER", "I-PER", "O", "B-LOC"], [(PERSON, "Sarah Connor")]),
        ("Date of Admission: 2023-09-01", ["B-LOC"], []),
        # "of" + a name with no colon, or a name before a colon, stays
        ("Jeremy of Acme was here", ["B-PER", "O", "O", "O", "O"], [(PERSON, "Jeremy")]),
        ("Sarah: hi", ["B-PER", "O", "O"], [(PERSON, "Sarah")]),
    ],
)
def test_head_of_a_form_label_is_no_name(text: str, tags: list[str], expected: list[tuple[str, str]]) -> None:
    tags = tags + ["O"] * (len(TOKEN.findall(text)) - len(tags))  # the rest of the tokens: outside
    recognizer = NameModelRecognizer(lambda: _FixedTagger(tags, [20.0] * len(tags)))
    assert [(c.label, text[c.start : c.end]) for c in recognizer.find(text)] == expected


@pytest.mark.parametrize(
    ("text", "tags", "expected"),
    [
        # a street type ends a street's name, whoever it is named after
        (
            "stayed on Redondo Beach Blvd today",
            ["O", "O", "B-PER", "I-PER", "I-PER"],
            [(ADDRESS, "Redondo Beach Blvd")],
        ),
        # "Green", "Park" are surnames too: the tagger decides
        ("ask Lisa Green now", ["O", "B-PER", "I-PER"], [(PERSON, "Lisa Green")]),
        # a noun that makes a name a group's joins it
        ("thanks Zac brown band !", ["O", "B-PER", "I-PER"], [(ORGANIZATION, "Zac brown band")]),
        ("a show on Discovery Channel", ["O", "O", "O", "B-LOC"], [(ORGANIZATION, "Discovery Channel")]),
        ("proud of the Jamaican Squad", ["O", "O", "O", "B-LOC", "I-LOC"], [(ORGANIZATION, "Jamaican Squad")]),
        # but only completes a name: a description after one word or after a group stays out
        ("from a Zentoka band", ["O", "O", "B-LOC"], [(ADDRESS, "Zentoka")]),
        ("the Warriors team won", ["O", "B-ORG"], [(ORGANIZATION, "Warriors")]),
        # a place type after a place completes it; not after a person
        ("the map says New Orleans Square here", ["O", "O", "O", "B-LOC", "I-LOC"], [(ADDRESS, "New Orleans Square")]),
        ("met Jack Park today", ["O", "B-PER"], [(PERSON, "Jack")]),
        # so does a state's postal code after a comma
        ("Could you guys go to Ipswich , QLD", ["O", "O", "O", "O", "O", "B-LOC"], [(ADDRESS, "Ipswich , QLD")]),
        ("moved to Austin, TX last year", ["O", "O", "B-LOC"], [(ADDRESS, "Austin, TX")]),
        ("I love Paris, OK?", ["O", "O", "B-LOC"], [(ADDRESS, "Paris")]),
        # a first or middle initial belongs to the person's name
        ("J . cole is a legend", ["O", "O", "B-PER"], [(PERSON, "J . cole")]),
        ("Hanne I. Kreutzmann spoke", ["B-PER", "O", "O", "B-PER"], [(PERSON, "Hanne I. Kreutzmann")]),
        ("ask Ms. Jones", ["O", "O", "O", "B-PER"], [(PERSON, "Jones")]),
        ("follow up with benjamin a seiler soon", ["O", "O", "O", "B-PER"], [(PERSON, "benjamin a seiler")]),
        ("bertram m. jørgensen", ["B-PER"], [(PERSON, "bertram m. jørgensen")]),
        # not before a dictionary word, the pronoun "I" or "v." (versus)
        ("give benjamin a call", ["O", "B-PER"], [(PERSON, "benjamin")]),
        ("Lily I love you", ["B-PER"], [(PERSON, "Lily")]),
        ("in Smith v. Johnson", ["O", "B-PER", "O", "O", "B-PER"], [(PERSON, "Smith"), (PERSON, "Johnson")]),
        # the one greeted or thanked is a person; a country stays a place
        ("thanks obama !", ["O", "B-LOC"], [(PERSON, "obama")]),
        ("hey GT will you do one", ["O", "B-ORG"], [(PERSON, "GT")]),
        ("hello Poland !", ["O", "B-LOC"], [(ADDRESS, "Poland")]),
        ("they hit Paris !", ["O", "O", "B-LOC"], [(ADDRESS, "Paris")]),
        # so is a word set off by a comma before "!" or "?"
        ("Nice shooting , Tex ! ! !", ["O", "O", "O", "B-LOC"], [(PERSON, "Tex")]),
        ("Don't go to town, Roy!", ["O", "O", "O", "O", "O", "B-LOC"], [(PERSON, "Roy")]),
        ("We flew to Rome, Italy!", ["O", "O", "O", "B-LOC", "O", "B-LOC"], [(ADDRESS, "Rome"), (ADDRESS, "Italy")]),
        # a lone unlisted word that "he"/"she" later in the sentence refers to is a person
        ("not better than Barkley was in his prime", ["O", "O", "O", "B-ORG"], [(PERSON, "Barkley")]),
        ("I wonder if iDubbbz plays when he is not filming", ["O", "O", "O", "B-ORG"], [(PERSON, "iDubbbz")]),
        # not when a person was named before it, nor for a listed place or an acronym
        (
            "John called Zentoka and he said no",
            ["B-PER", "O", "B-ORG"],
            [(PERSON, "John"), (ORGANIZATION, "Zentoka")],
        ),
        ("moved to Chicago and his email changed", ["O", "O", "B-LOC"], [(ADDRESS, "Chicago")]),
        ("SS should have tackled him", ["B-ORG"], [(ORGANIZATION, "SS")]),
        # a place followed by "fan" names its team; a person stays a person
        ("Leeds fan here", ["B-LOC"], [(ORGANIZATION, "Leeds")]),
        ("a huge Joseph Tolbert fan", ["O", "O", "B-PER", "I-PER"], [(PERSON, "Joseph Tolbert")]),
    ],
)
def test_words_around_a_run_decide_its_kind_and_span(
    text: str, tags: list[str], expected: list[tuple[str, str]]
) -> None:
    tags = tags + ["O"] * (len(TOKEN.findall(text)) - len(tags))
    recognizer = NameModelRecognizer(lambda: _FixedTagger(tags, [20.0] * len(tags)))
    assert [(c.label, text[c.start : c.end]) for c in recognizer.find(text)] == expected


@pytest.mark.parametrize(
    ("word", "margin", "label"),
    [
        ("Norman", 3.5, PERSON),  # a listed first name (and surname and town) weakly called a place
        ("Jordan", 3.0, PERSON),  # a first name and a country: the same
        ("Norman", 20.0, ADDRESS),  # a confident guess stands
        ("Phoenix", 1.0, ADDRESS),  # a dictionary word is left to the tagger
    ],
)
def test_weak_place_guess_on_a_listed_first_name(word: str, margin: float, label: str) -> None:
    recognizer = NameModelRecognizer(lambda: _FixedTagger(["O", "O", "B-LOC"], [1.0, 1.0, margin]))
    assert [c.label for c in recognizer.find(f"Where is {word}")] == [label]


@pytest.mark.parametrize(
    ("text", "word", "blocked"),
    [
        # a verb of wishing that opens a sentence before its object is no name
        ("Hope you had fun", "Hope", True),
        ("Great video Shan ! Hope you and Hamish had fun", "Hope", True),
        ("Miss you guys", "Miss", True),
        # the same word as a subject, or after another word, stays a candidate
        ("Hope is my sister", "Hope", False),
        ("I told Hope you were ill", "Hope", False),
        ("Great video Shan ! Hope you and Hamish had fun", "Shan", False),
    ],
)
def test_wish_verb_opening_a_sentence_is_no_name(text: str, word: str, blocked: bool) -> None:
    matches = list(TOKEN.finditer(text))
    words = [m.group(0) for m in matches]
    found = blocked_tokens(text, matches, words, shared_tagger().gazetteers.common_words)
    assert (words.index(word) in found) is blocked


@pytest.mark.parametrize(
    ("word", "margin", "label"),
    [
        ("kapil", 10.0, PERSON),  # lower case, on no list, weakly a firm: a person
        ("kapil", 13.0, ORGANIZATION),  # a confident guess stands
        ("Estately", 10.0, ORGANIZATION),  # a capitalised one stays: invented firm names look like names
        ("NBC", 10.0, ORGANIZATION),
    ],
)
def test_weak_firm_guess_on_an_unlisted_lower_case_word(word: str, margin: float, label: str) -> None:
    recognizer = NameModelRecognizer(lambda: _FixedTagger(["O", "O", "B-ORG"], [1.0, 1.0, margin]))
    assert [c.label for c in recognizer.find(f"Where is {word}")] == [label]


@pytest.mark.parametrize(
    ("text", "tags", "expected"),
    [
        # a one-word guess listed between persons is a person
        (
            "keep Vin , Dwayne , Ty , Luda",
            ["O", "B-PER", "O", "B-PER", "O", "B-ORG", "O", "B-PER"],
            [(PERSON, "Vin"), (PERSON, "Dwayne"), (PERSON, "Ty"), (PERSON, "Luda")],
        ),
        ("DMX , Busta and me", ["B-ORG", "O", "B-PER"], [(PERSON, "DMX"), (PERSON, "Busta")]),
        # unless a neighbour is no person
        (
            "John, Google and Amazon",
            ["B-PER", "O", "B-ORG", "O", "B-ORG"],
            [(PERSON, "John"), (ORGANIZATION, "Google"), (ORGANIZATION, "Amazon")],
        ),
        ("Sarah met Zentoka", ["B-PER", "O", "B-ORG"], [(PERSON, "Sarah"), (ORGANIZATION, "Zentoka")]),
    ],
)
def test_a_word_listed_between_persons_is_a_person(text: str, tags: list[str], expected: list[tuple[str, str]]) -> None:
    tags = tags + ["O"] * (len(TOKEN.findall(text)) - len(tags))
    recognizer = NameModelRecognizer(lambda: _FixedTagger(tags, [20.0] * len(tags)))
    assert [(c.label, text[c.start : c.end]) for c in recognizer.find(text)] == expected
