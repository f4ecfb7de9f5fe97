"""A question's rubric: the competencies an answer should show and the phrases that show them.

Indicators are matched case-insensitively. A Latin indicator matches at the start of a word, so
"priorit" matches "prioritised"; a multi-word indicator matches the words in order. An
indicator with Chinese characters matches as a substring. Matching lives in
`scoring.competencies`; this module only holds and validates the rubric.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_COMPETENCIES = 12
MAX_INDICATORS = 40
MAX_INDICATOR_CHARS = 80


class RubricError(ValueError):
    """A rubric is malformed; the message names the offending field."""


def _check_competency(name: object, weight: object, indicators: object, where: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise RubricError(f"{where}.name must be a non-empty string, got {name!r}")
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise RubricError(f"{where}.weight must be a number greater than 0, got {weight!r}")
    if not math.isfinite(weight) or weight <= 0:
        raise RubricError(f"{where}.weight must be a number greater than 0, got {weight!r}")
    if isinstance(indicators, str) or not isinstance(indicators, Sequence):
        raise RubricError(f"{where}.indicators must be a list of phrases, got {indicators!r}")
    if not indicators:
        raise RubricError(f"{where}.indicators must list at least one phrase")
    if len(indicators) > MAX_INDICATORS:
        raise RubricError(f"{where}.indicators has {len(indicators)} phrases; at most {MAX_INDICATORS} are allowed")
    for index, phrase in enumerate(indicators):
        if not isinstance(phrase, str) or not any(char.isalnum() for char in phrase):
            raise RubricError(f"{where}.indicators[{index}] must be a phrase with a letter or digit, got {phrase!r}")
        if len(phrase) > MAX_INDICATOR_CHARS:
            raise RubricError(
                f"{where}.indicators[{index}] has {len(phrase)} characters; at most {MAX_INDICATOR_CHARS} are allowed"
            )


@dataclass(frozen=True)
class Competency:
    """One thing the answer should demonstrate, with its relative weight and indicator phrases."""

    name: str
    weight: float  # > 0
    indicators: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_competency(self.name, self.weight, self.indicators, f"competency {self.name!r}")
        object.__setattr__(self, "weight", float(self.weight))
        object.__setattr__(self, "indicators", tuple(self.indicators))


@dataclass(frozen=True)
class Rubric:
    """The competencies one question is scored against."""

    competencies: tuple[Competency, ...]

    def __post_init__(self) -> None:
        _check_competencies(len(self.competencies), [c.name for c in self.competencies])

    @classmethod
    def from_json(cls, data: Any) -> Rubric:
        """Build a rubric from `{"competencies": [{"name", "weight", "indicators"}, ...]}`."""
        if not isinstance(data, Mapping):
            raise RubricError(f"a rubric must be an object with 'competencies', got {type(data).__name__}")
        items = data.get("competencies")
        if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
            raise RubricError(f"competencies must be a list, got {items!r}")
        _check_competencies(len(items), [])
        competencies = []
        for index, item in enumerate(items):
            where = f"competencies[{index}]"
            if not isinstance(item, Mapping):
                raise RubricError(f"{where} must be an object, got {item!r}")
            name, weight, indicators = item.get("name"), item.get("weight"), item.get("indicators")
            _check_competency(name, weight, indicators, where)
            competencies.append(
                Competency(
                    name=str(name).strip(),
                    weight=float(weight),  # type: ignore[arg-type]
                    indicators=tuple(phrase.strip() for phrase in indicators),  # type: ignore[union-attr]
                )
            )
        return cls(tuple(competencies))

    def to_json(self) -> dict[str, Any]:
        """The JSON form `from_json` reads."""
        return {
            "competencies": [
                {"name": c.name, "weight": c.weight, "indicators": list(c.indicators)} for c in self.competencies
            ]
        }


def _check_competencies(count: int, names: list[str]) -> None:
    if count == 0:
        raise RubricError("competencies must list at least one competency")
    if count > MAX_COMPETENCIES:
        raise RubricError(f"competencies has {count} entries; at most {MAX_COMPETENCIES} are allowed")
    seen: set[str] = set()
    for name in names:
        key = name.strip().casefold()
        if key in seen:
            raise RubricError(f"competency names must be unique; {name!r} appears twice")
        seen.add(key)
