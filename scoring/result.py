"""The explained score of one answer and its JSON form.

A score is a status, a total, and components; each component lists findings a person can
check against the transcript. Finding codes are stable (the UI translates by code + params):

    rubric.matched  rubric.missing
    structure.situation  structure.task  structure.action  structure.result
    structure.missing  structure.length  structure.off_topic
    specificity.figures  specificity.actions  specificity.named  specificity.density
    specificity.off_topic
    relevance.terms  relevance.missing  relevance.sentences  relevance.off_topic
    delivery.pace  delivery.fillers  delivery.pauses  delivery.time_used  delivery.sample
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

Param = str | int | float


class AnswerStatus(StrEnum):
    SCORED = "scored"
    NO_ANSWER = "no_answer"


def points(value: float) -> float:
    """Points as shown to people: one decimal (and never "-0.0")."""
    return round(value, 1) + 0.0


@dataclass(frozen=True)
class Finding:
    """One checkable statement about the answer, with the values it cites and its evidence."""

    code: str
    message: str
    params: Mapping[str, Param] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "evidence", tuple(self.evidence))

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "params": dict(self.params),
                "evidence": list(self.evidence)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(str(data["code"]), str(data["message"]), dict(data.get("params", {})),
                   tuple(str(quote) for quote in data.get("evidence", ())))


@dataclass(frozen=True)
class Component:
    """One part of the score: points earned out of its maximum, and why."""

    key: str  # "rubric" | "structure" | "specificity" | "relevance" | "delivery"
    points: float
    max_points: float
    findings: tuple[Finding, ...]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "points": self.points, "max_points": self.max_points,
                "findings": [finding.to_json() for finding in self.findings]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Component:
        return cls(str(data["key"]), float(data["points"]), float(data["max_points"]),
                   tuple(Finding.from_json(item) for item in data.get("findings", ())))


@dataclass(frozen=True)
class AnswerScore:
    """The score of one answer: `total` is None exactly when the status is NO_ANSWER."""

    status: AnswerStatus
    total: int | None
    components: tuple[Component, ...]
    summary: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict with stable keys."""
        return {"status": self.status.value, "total": self.total, "summary": self.summary,
                "components": [component.to_json() for component in self.components]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnswerScore:
        total = data.get("total")
        return cls(AnswerStatus(data["status"]), None if total is None else int(total),
                   tuple(Component.from_json(item) for item in data.get("components", ())), str(data["summary"]))
