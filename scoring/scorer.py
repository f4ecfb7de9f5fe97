"""Scoring one interview answer: a pure, deterministic, explained 0–100.

Only what was said is used: the transcript's words and timings, the question and its rubric.
An answer with no speech is `NO_ANSWER` with no total — never a number from silence.

Points per component, with a rubric / without one:

    rubric 35 / -   structure 20 / 30   specificity 15 / 25   relevance 15 / 25   delivery 15 / 20

The total is the rounded sum of the components' shown points. If the answer mentions nothing
the question asks about, structure and specificity credit is halved (a fluent story on another
subject is not a good answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from .competencies import score_rubric
from .delivery import score_delivery
from .relevance import score_relevance
from .result import AnswerScore, AnswerStatus, Component, Finding
from .rubric import Rubric
from .specificity import score_specificity
from .structure import score_structure
from .text import Passage
from .transcript import Transcript

__all__ = [
    "AnswerScore", "AnswerStatus", "Component", "Finding", "QuestionSpec", "WEIGHTS_WITH_RUBRIC",
    "WEIGHTS_WITHOUT_RUBRIC", "score_answer",
]

WEIGHTS_WITH_RUBRIC = {"rubric": 35.0, "structure": 20.0, "specificity": 15.0, "relevance": 15.0, "delivery": 15.0}
WEIGHTS_WITHOUT_RUBRIC = {"structure": 30.0, "specificity": 25.0, "relevance": 25.0, "delivery": 20.0}
NO_SPEECH_SUMMARY = "No speech was detected in this answer."

_LABELS = {"rubric": "rubric competencies", "structure": "structure", "specificity": "specificity",
           "relevance": "relevance", "delivery": "delivery"}


@dataclass(frozen=True)
class QuestionSpec:
    """The question an answer is scored against."""

    text: str
    language: str  # "en" | "zh"
    answer_seconds: int  # the allowed answer time
    rubric: Rubric | None = None

    def __post_init__(self) -> None:
        if self.answer_seconds <= 0:
            raise ValueError(f"answer_seconds must be positive, got {self.answer_seconds!r}")


def score_answer(question: QuestionSpec, transcript: Transcript, *, answered_seconds: float) -> AnswerScore:
    """Score one answer; `answered_seconds` is how long the candidate spent in the answering phase."""
    if transcript.is_empty:
        return AnswerScore(AnswerStatus.NO_ANSWER, None, (), NO_SPEECH_SUMMARY)
    text = transcript.text if transcript.text.strip() else "".join(word.text for word in transcript.words)
    answer = Passage.of(text, transcript.language)
    asked = Passage.of(question.text, question.language)
    weights = WEIGHTS_WITH_RUBRIC if question.rubric else WEIGHTS_WITHOUT_RUBRIC

    relevance = score_relevance(asked, answer, weights["relevance"], question.rubric)
    off_topic = any(finding.code == "relevance.off_topic" for finding in relevance.findings)
    components: list[Component] = []
    if question.rubric:
        components.append(score_rubric(answer, question.rubric, weights["rubric"]))
    components.append(score_structure(answer, weights["structure"], off_topic=off_topic))
    components.append(score_specificity(answer, weights["specificity"], off_topic=off_topic))
    components.append(relevance)
    components.append(score_delivery(
        answer, transcript.words, answered_seconds=max(0.0, answered_seconds),
        answer_seconds=question.answer_seconds, max_points=weights["delivery"],
    ))
    total = _total(components)
    return AnswerScore(AnswerStatus.SCORED, total, tuple(components), _summary(total, components))


def _total(components: list[Component]) -> int:
    """Round half up the sum of the points as shown (in tenths, so no float drift)."""
    tenths = sum(round(component.points * 10) for component in components)
    return max(0, min(100, (tenths + 5) // 10))


def _summary(total: int, components: list[Component]) -> str:
    ratios = sorted(components, key=lambda c: (c.points / c.max_points if c.max_points else 0.0, c.key))
    weakest, strongest = ratios[0], ratios[-1]
    return (
        f"Scored {total} of 100: strongest on {_LABELS[strongest.key]} ({strongest.points:g} of "
        f"{strongest.max_points:g}), weakest on {_LABELS[weakest.key]} "
        f"({weakest.points:g} of {weakest.max_points:g})."
    )
