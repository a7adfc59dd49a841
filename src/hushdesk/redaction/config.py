"""Per-workspace redaction configuration.

A :class:`RedactionConfig` is immutable and validated at construction: an
invalid tenant pattern fails loudly when the workspace saves it, not later
while a message is being ingested.  Tenant patterns are compiled with RE2,
whose matching time is linear in the input, so no pattern can hang a worker.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from hushdesk.redaction.recognizers.tenant import CustomPatternRecognizer, DenyListRecognizer
from hushdesk.redaction.types import ALL_LABELS, Recognizer

_EMPTY_THRESHOLDS: Mapping[str, float] = MappingProxyType({})


# RE2 (and the deny-list's Aho-Corasick, see recognizers/tenant.py) is imported on first
# use: only workspaces with custom patterns need it, and `hushdesk redact` starts faster
# without it.


def _re2_options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False  # the error is raised to the caller; RE2 must not also print it
    options.max_mem = 8 << 20  # bounds the memory one tenant pattern may take
    return options


def compile_tenant_pattern(pattern: str) -> Any:
    """Compile a tenant pattern with RE2 (linear-time matching, bounded memory)."""
    import re2

    return re2.compile(pattern, _re2_options())


def _check_label(label: str, where: str) -> None:
    if label not in ALL_LABELS:
        allowed = ", ".join(sorted(ALL_LABELS))
        raise ValueError(f"{where}: unknown label {label!r} (expected one of {allowed})")


def _check_score(score: float, where: str) -> None:
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"{where}: score {score!r} must be between 0 and 1")


@dataclass(frozen=True)
class CustomPattern:
    """A tenant-defined pattern: every match is redacted as ``label``."""

    label: str
    pattern: str
    score: float = 0.9

    def __post_init__(self) -> None:
        _check_label(self.label, "custom pattern")
        _check_score(self.score, f"custom pattern {self.pattern!r}")
        if not self.pattern:
            raise ValueError("custom pattern: the pattern is empty")
        import re2

        try:
            compiled = compile_tenant_pattern(self.pattern)
        except re2.error as exc:
            raise ValueError(
                f"custom pattern {self.pattern!r} is not a valid RE2 expression: {exc!s}"
                " (RE2 does not support look-around or back-references)"
            ) from exc
        if compiled.search("") is not None:
            raise ValueError(f"custom pattern {self.pattern!r} matches the empty string")

    @cached_property
    def compiled(self) -> Any:
        """The RE2 program (compiled once per config object)."""
        return compile_tenant_pattern(self.pattern)


@dataclass(frozen=True)
class RedactionConfig:
    """Everything a workspace can tune.  The defaults turn every entity on."""

    custom_patterns: tuple[CustomPattern, ...] = ()
    deny_list: tuple[tuple[str, str], ...] = ()
    allow_list: tuple[str, ...] = ()
    disabled_entities: frozenset[str] = frozenset()
    thresholds: Mapping[str, float] = field(default_factory=lambda: _EMPTY_THRESHOLDS)
    default_threshold: float = 0.5

    def __post_init__(self) -> None:
        for term, label in self.deny_list:
            _check_label(label, f"deny-list term {term!r}")
            if not term.strip():
                raise ValueError("deny-list: empty term")
        for label in self.disabled_entities:
            _check_label(label, "disabled_entities")
        for label, score in self.thresholds.items():
            _check_label(label, "thresholds")
            _check_score(score, f"threshold for {label}")
        _check_score(self.default_threshold, "default_threshold")
        # A read-only view keeps the "frozen" promise for the mapping too.
        object.__setattr__(self, "thresholds", MappingProxyType(dict(self.thresholds)))

    def threshold_for(self, label: str) -> float:
        return self.thresholds.get(label, self.default_threshold)

    @cached_property
    def allowed_terms(self) -> frozenset[str]:
        """Allow-list terms, case-folded and whitespace-collapsed."""
        return frozenset(" ".join(t.casefold().split()) for t in self.allow_list if t.strip())

    @cached_property
    def tenant_recognizers(self) -> tuple[Recognizer, ...]:
        """Recognizers for this workspace's patterns and deny-list (built once per config)."""
        recognizers: list[Recognizer] = [
            CustomPatternRecognizer(p.label, p.compiled, p.score, p.pattern) for p in self.custom_patterns
        ]
        if self.deny_list:
            recognizers.append(DenyListRecognizer(self.deny_list))
        return tuple(recognizers)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RedactionConfig:
        """Build a config from its JSON form (as written by :meth:`to_dict`)."""
        known = {
            "custom_patterns",
            "deny_list",
            "allow_list",
            "disabled_entities",
            "thresholds",
            "default_threshold",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"redaction config: unknown keys {sorted(unknown)}")
        patterns = tuple(
            CustomPattern(
                label=str(p["label"]),
                pattern=str(p["pattern"]),
                score=float(p.get("score", 0.9)),
            )
            for p in data.get("custom_patterns", ())
        )
        deny = tuple((str(term), str(label)) for term, label in data.get("deny_list", ()))
        return cls(
            custom_patterns=patterns,
            deny_list=deny,
            allow_list=tuple(str(t) for t in data.get("allow_list", ())),
            disabled_entities=frozenset(str(x) for x in data.get("disabled_entities", ())),
            thresholds={str(k): float(v) for k, v in dict(data.get("thresholds", {})).items()},
            default_threshold=float(data.get("default_threshold", 0.5)),
        )

    @classmethod
    def from_json(cls, text: str) -> RedactionConfig:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("redaction config: expected a JSON object")
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "custom_patterns": [
                {"label": p.label, "pattern": p.pattern, "score": p.score} for p in self.custom_patterns
            ],
            "deny_list": [[term, label] for term, label in self.deny_list],
            "allow_list": list(self.allow_list),
            "disabled_entities": sorted(self.disabled_entities),
            "thresholds": dict(self.thresholds),
            "default_threshold": self.default_threshold,
        }


DEFAULT_CONFIG = RedactionConfig()
