"""Campaign analytics: pure functions from interview, answer and question facts to figures.

No database and no clock: the store (`analytics_store`) turns rows into the facts below, and
the HTTP layer (`analytics_api`) turns figures into JSON and CSV. Definitions, once:

- Revoked invitations are counted, then left out of every other figure.
- The funnel counts how far each invitation got: invited → link opened → consent → device
  check passed → practice answered → first answer stored → completed. An interview that shows a
  later step counts for the earlier ones too (interviews from before the funnel timestamps
  existed have no device/practice time but did pass those steps), so the funnel never widens.
  Each step's conversion is its count ÷ the previous step's.
- Participation = started ÷ invited; decline rate = declined ÷ link opened.
- Duration = started → completed, for completed interviews (time offline included).
- An interview's mean score is the mean of its scored answers; answers with no speech have no
  score and are counted apart, never as 0. The score distribution covers completed interviews.
- A competency's score for one answer is the share of the competency's rubric points the answer
  earned (0–100); for a competency the question is only tagged with, the answer's total score.
  Competencies are ranked lowest mean first: the campaign's gaps.
- Every rate is None when what it divides by is 0.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FUNNEL = ("invited", "opened", "consented", "device_ok", "practiced", "answered", "completed")
BUCKET_WIDTH = 10


@dataclass(frozen=True)
class InterviewFacts:
    id: int
    job_id: int
    status: str
    created_at: str
    opened_at: str | None = None
    consented_at: str | None = None
    declined_at: str | None = None
    device_ok_at: str | None = None
    practiced_at: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    revoked_at: str | None = None
    interruptions: int = 0
    candidate_name: str = ""
    candidate_email: str = ""


@dataclass(frozen=True)
class AnswerFacts:
    interview_id: int
    question_id: int
    score: int | None  # None: the candidate said nothing that could be scored
    rubric: tuple[tuple[str, float], ...] = ()  # (competency, % of its rubric share earned)


@dataclass(frozen=True)
class QuestionFacts:
    id: int
    job_id: int
    position: int
    text: str
    competencies: tuple[str, ...] = ()  # tags from the question bank
    rubric_competencies: tuple[str, ...] = ()  # names in the question's rubric


@dataclass(frozen=True)
class JobFacts:
    id: int
    title: str
    department: str
    language: str = "en"
    archived: bool = False


@dataclass(frozen=True)
class Dataset:
    jobs: tuple[JobFacts, ...] = ()
    questions: tuple[QuestionFacts, ...] = ()
    interviews: tuple[InterviewFacts, ...] = ()
    answers: tuple[AnswerFacts, ...] = ()


@dataclass(frozen=True)
class FunnelStep:
    key: str
    count: int
    conversion: float | None  # share of the previous step; None for the first step or after a 0


@dataclass(frozen=True)
class Bucket:
    low: int
    high: int  # inclusive
    count: int


@dataclass(frozen=True)
class QuestionFigure:
    question_id: int
    job_id: int
    position: int
    text: str
    mean: float | None
    scored: int
    no_speech: int


@dataclass(frozen=True)
class CompetencyFigure:
    name: str
    mean: float | None
    scored: int  # answers that measured it
    no_speech: int  # answers to questions about it with nothing to score
    sources: tuple[str, ...]  # "rubric" and/or "question"


@dataclass(frozen=True)
class Figures:
    invited: int
    revoked: int
    started: int
    completed: int
    declined: int
    participation_rate: float | None
    decline_rate: float | None
    funnel: tuple[FunnelStep, ...]
    duration_mean_seconds: float | None
    duration_median_seconds: float | None
    timed: int  # completed interviews with both times known
    mean_score: float | None  # over completed interviews with a score
    score_buckets: tuple[Bucket, ...]
    unscored_interviews: int  # completed, but no answer had speech to score
    answers: int
    no_speech_answers: int
    questions: tuple[QuestionFigure, ...]
    competencies: tuple[CompetencyFigure, ...]
    interruptions: int
    interrupted_interviews: int
    interruptions_per_interview: float | None  # per started interview

    def to_json(self) -> dict[str, Any]:
        return {
            "invited": self.invited, "revoked": self.revoked, "started": self.started,
            "completed": self.completed, "declined": self.declined,
            "participation_rate": _rate(self.participation_rate), "decline_rate": _rate(self.decline_rate),
            "funnel": [{"key": s.key, "count": s.count, "conversion": _rate(s.conversion)} for s in self.funnel],
            "duration": {"mean_seconds": _one(self.duration_mean_seconds),
                         "median_seconds": _one(self.duration_median_seconds), "interviews": self.timed},
            "scores": {
                "mean": _one(self.mean_score), "unscored_interviews": self.unscored_interviews,
                "buckets": [{"low": b.low, "high": b.high, "count": b.count} for b in self.score_buckets],
                "answers": self.answers, "no_speech_answers": self.no_speech_answers,
            },
            "questions": [
                {"question_id": q.question_id, "job_id": q.job_id, "position": q.position, "text": q.text,
                 "mean": _one(q.mean), "scored": q.scored, "no_speech": q.no_speech}
                for q in self.questions
            ],
            "competencies": [
                {"name": c.name, "mean": _one(c.mean), "scored": c.scored, "no_speech": c.no_speech,
                 "sources": list(c.sources)}
                for c in self.competencies
            ],
            "interruptions": {"total": self.interruptions, "interviews": self.interrupted_interviews,
                              "per_interview": _rate(self.interruptions_per_interview)},
        }


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _one(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def ratio(part: float, whole: float) -> float | None:
    """part ÷ whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def parse_time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None


def seconds_between(start: str | None, end: str | None) -> float | None:
    """Seconds from `start` to `end`; None if either is missing or the order is impossible."""
    a, b = parse_time(start), parse_time(end)
    if a is None or b is None or b < a:
        return None
    return (b - a).total_seconds()


def competency_key(name: str) -> str:
    """Names are matched ignoring case and spacing: "Problem  solving" is "problem solving"."""
    return " ".join(name.split()).casefold()


def rubric_scores(explanation: Mapping[str, Any] | None) -> tuple[tuple[str, float], ...]:
    """(competency, % of its share earned) from a stored explanation's rubric component.

    The scorer writes one `rubric.matched` or `rubric.missing` finding per competency, with the
    points earned and the competency's share of the component in its params.
    """
    if not isinstance(explanation, Mapping):
        return ()
    found: list[tuple[str, float]] = []
    for component in explanation.get("components") or ():
        if not isinstance(component, Mapping) or component.get("key") != "rubric":
            continue
        for finding in component.get("findings") or ():
            params = finding.get("params") if isinstance(finding, Mapping) else None
            if not isinstance(params, Mapping) or finding.get("code") not in ("rubric.matched", "rubric.missing"):
                continue
            name, earned, share = params.get("competency"), params.get("points"), params.get("max_points")
            if not isinstance(name, str) or not name.strip():
                continue
            if not _number(earned) or not _number(share) or share <= 0:
                continue
            found.append((name, max(0.0, min(100.0, 100.0 * earned / share))))
    return tuple(found)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def stage(interview: InterviewFacts, answered: bool) -> int:
    """How far along the funnel an invitation got: an index into FUNNEL."""
    reached = [
        True, interview.opened_at is not None or interview.declined_at is not None,
        interview.consented_at is not None,
        interview.device_ok_at is not None, interview.practiced_at is not None, answered,
        interview.completed_at is not None or interview.status == "completed",
    ]
    return max(index for index, passed in enumerate(reached) if passed)


def started(interview: InterviewFacts) -> bool:
    return interview.started_at is not None or interview.completed_at is not None


def interview_mean(scores: Iterable[int | None]) -> float | None:
    """The mean of the scored answers, rounded as HR sees it (one decimal); None if none was scored."""
    scored = [s for s in scores if s is not None]
    return round(statistics.fmean(scored), 1) if scored else None


def bucket_of(mean: float) -> int:
    """0 for 0–9.9, …, 9 for 90–100."""
    return min(int(mean // BUCKET_WIDTH), 100 // BUCKET_WIDTH - 1)


def compute(data: Dataset) -> Figures:
    """Every figure for the invitations in `data` (already limited to a job, departments, dates)."""
    revoked = sum(1 for i in data.interviews if i.revoked_at is not None)
    interviews = [i for i in data.interviews if i.revoked_at is None]
    live_ids = {i.id for i in interviews}
    answers = [a for a in data.answers if a.interview_id in live_ids]
    by_interview: dict[int, list[AnswerFacts]] = {}
    for answer in answers:
        by_interview.setdefault(answer.interview_id, []).append(answer)

    stages = [stage(i, i.id in by_interview) for i in interviews]
    counts = [sum(1 for s in stages if s >= index) for index in range(len(FUNNEL))]
    funnel = tuple(
        FunnelStep(key, counts[index], ratio(counts[index], counts[index - 1]) if index else None)
        for index, key in enumerate(FUNNEL)
    )
    opened = counts[FUNNEL.index("opened")]
    declined = sum(1 for i in interviews if i.declined_at is not None or i.status == "declined")
    begun = [i for i in interviews if started(i)]
    done = [i for i, reached in zip(interviews, stages, strict=True) if reached == len(FUNNEL) - 1]

    durations = [d for i in done if (d := seconds_between(i.started_at, i.completed_at)) is not None]
    means = {i.id: interview_mean(a.score for a in by_interview.get(i.id, ())) for i in done}
    scored_means = [m for m in means.values() if m is not None]
    buckets = [0] * (100 // BUCKET_WIDTH)
    for mean in scored_means:
        buckets[bucket_of(mean)] += 1

    return Figures(
        invited=len(interviews), revoked=revoked, started=len(begun), completed=len(done), declined=declined,
        participation_rate=ratio(len(begun), len(interviews)), decline_rate=ratio(declined, opened),
        funnel=funnel,
        duration_mean_seconds=statistics.fmean(durations) if durations else None,
        duration_median_seconds=statistics.median(durations) if durations else None,
        timed=len(durations),
        mean_score=statistics.fmean(scored_means) if scored_means else None,
        score_buckets=tuple(Bucket(n * BUCKET_WIDTH, 100 if n == len(buckets) - 1 else n * BUCKET_WIDTH + 9, c)
                            for n, c in enumerate(buckets)),
        unscored_interviews=sum(1 for m in means.values() if m is None),
        answers=len(answers), no_speech_answers=sum(1 for a in answers if a.score is None),
        questions=question_figures(data.questions, answers),
        competencies=competency_figures(data.questions, answers),
        interruptions=sum(i.interruptions for i in interviews),
        interrupted_interviews=sum(1 for i in interviews if i.interruptions > 0),
        interruptions_per_interview=ratio(sum(i.interruptions for i in interviews), len(begun)),
    )


def _ordered(questions: Iterable[QuestionFacts]) -> list[QuestionFacts]:
    return sorted(questions, key=lambda q: (q.job_id, q.position))


def question_figures(questions: Sequence[QuestionFacts], answers: Sequence[AnswerFacts]) -> tuple[QuestionFigure, ...]:
    """Each question's mean score over its scored answers, with how many had no speech."""
    scores: dict[int, list[int | None]] = {}
    for answer in answers:
        scores.setdefault(answer.question_id, []).append(answer.score)
    figures = []
    for q in _ordered(questions):
        given = scores.get(q.id, [])
        scored = [s for s in given if s is not None]
        figures.append(QuestionFigure(q.id, q.job_id, q.position, q.text,
                                      statistics.fmean(scored) if scored else None, len(scored),
                                      len(given) - len(scored)))
    return tuple(figures)


@dataclass
class _Tally:
    name: str
    values: list[float] = field(default_factory=list)
    no_speech: int = 0
    sources: set[str] = field(default_factory=set)


def competency_figures(questions: Sequence[QuestionFacts],
                       answers: Sequence[AnswerFacts]) -> tuple[CompetencyFigure, ...]:
    """Mean score per competency, lowest first (competencies never measured go last)."""
    tallies: dict[str, _Tally] = {}

    def tally(name: str) -> _Tally:
        key = competency_key(name)
        if key not in tallies:
            tallies[key] = _Tally(" ".join(name.split()))
        return tallies[key]

    ordered = _ordered(questions)
    by_id = {q.id: q for q in ordered}
    for q in ordered:  # the first spelling met, in question order, is the one shown
        for name in (*q.rubric_competencies, *q.competencies):
            tally(name)
    for answer in sorted(answers, key=lambda a: (a.interview_id, a.question_id)):
        question = by_id.get(answer.question_id)
        if question is None:
            continue
        if answer.score is None:
            names = {competency_key(n): n for n in (*question.rubric_competencies, *question.competencies)}
            for name in names.values():
                tally(name).no_speech += 1
            continue
        measured: set[str] = set()
        for name, percent in answer.rubric:
            entry = tally(name)
            entry.values.append(percent)
            entry.sources.add("rubric")
            measured.add(competency_key(name))
        for name in dict.fromkeys(question.competencies):
            if competency_key(name) in measured:
                continue  # the rubric measured it more precisely for this answer
            measured.add(competency_key(name))
            entry = tally(name)
            entry.values.append(float(answer.score))
            entry.sources.add("question")
    figures = [
        CompetencyFigure(t.name, statistics.fmean(t.values) if t.values else None, len(t.values), t.no_speech,
                         tuple(sorted(t.sources)))
        for t in tallies.values() if t.values or t.no_speech
    ]
    figures.sort(key=lambda c: (c.mean is None, c.mean if c.mean is not None else 0.0, c.name.casefold()))
    return tuple(figures)


@dataclass(frozen=True)
class JobSummary:
    job: JobFacts
    figures: Figures


def by_job(data: Dataset) -> tuple[JobSummary, ...]:
    """The figures of each job in `data` on its own, for comparing campaigns."""
    questions: dict[int, list[QuestionFacts]] = {}
    interviews: dict[int, list[InterviewFacts]] = {}
    answers: dict[int, list[AnswerFacts]] = {}
    job_of: dict[int, int] = {}
    for q in data.questions:
        questions.setdefault(q.job_id, []).append(q)
    for i in data.interviews:
        interviews.setdefault(i.job_id, []).append(i)
        job_of[i.id] = i.job_id
    for a in data.answers:
        if a.interview_id in job_of:
            answers.setdefault(job_of[a.interview_id], []).append(a)
    return tuple(
        JobSummary(job, compute(Dataset((job,), tuple(questions.get(job.id, ())), tuple(interviews.get(job.id, ())),
                                        tuple(answers.get(job.id, ())))))
        for job in sorted(data.jobs, key=lambda j: j.id, reverse=True)
    )

