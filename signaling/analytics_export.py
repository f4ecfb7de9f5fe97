"""The two analytics CSV files as tables: the figures (one row per figure) and the results (one row
per interview), labelled with the HR dashboard's own words in English or Chinese.

Pure, apart from reading the dashboard's catalog; `csv_export` writes the tables as files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timezone
from typing import Any

from .analytics import Dataset, Figures, InterviewFacts, JobFacts, interview_mean, seconds_between
from .csv_export import slug
from .pages import WEB_DIR

QUESTION_HEAD_CHARS = 60
NO_SPEECH = "no_speech"
FIGURE_COLUMNS = ("section", "item", "count", "share", "mean", "median", "noSpeech")
DATE_COLUMNS = ("invited", "opened", "consented", "declined", "device_ok", "practiced", "started", "completed",
                "revoked")


class Words:
    """Catalog look-up with {name} parameters, like the page's `t()`; a missing key shows itself."""

    def __init__(self, catalog: dict[str, str]) -> None:
        self._catalog = catalog

    @classmethod
    def load(cls, lang: str) -> Words:
        """Blocking (reads files): the HR catalog of `lang`, with English under it."""
        def read(name: str) -> dict[str, str]:
            return json.loads((WEB_DIR / "i18n" / f"hr.{name}.json").read_text(encoding="utf-8"))

        english = read("en")
        return cls(english if lang == "en" else {**english, **read(lang)})

    def __call__(self, key: str, **params: object) -> str:
        text = self._catalog.get(key, key)
        return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), m.group(0))), text)


def file_names(kind: str, job: JobFacts | None, zone: timezone) -> tuple[str, str]:
    """(UTF-8 name, ASCII name) such as intervox-results-backend-engineer-2026-03-02.csv (today, in `zone`)."""
    today = datetime.now(zone).date().isoformat()
    if job is None:
        return f"intervox-{kind}-all-jobs-{today}.csv", f"intervox-{kind}-all-jobs-{today}.csv"
    name = slug(job.title, ascii_only=False) or f"job-{job.id}"
    plain = slug(job.title, ascii_only=True) or f"job-{job.id}"
    return f"intervox-{kind}-{name}-{today}.csv", f"intervox-{kind}-{plain}-{today}.csv"


def _round(value: float | None, digits: int = 1, scale: float = 1.0) -> float | None:
    return None if value is None else round(value * scale, digits)


def figure_table(figures: Figures, data: Dataset, words: Words) -> tuple[list[str], list[list[Any]]]:
    """The figures file: Section, Item, Count, Share (%), Mean, Median, No speech."""
    header = [words(f"analytics.csv.col.{c}") for c in FIGURE_COLUMNS]
    summary, funnel, scores = (words(f"analytics.csv.{k}") for k in ("summary", "funnel", "scores"))
    minutes = 1 / 60
    rows: list[list[Any]] = [
        [summary, words("analytics.invited"), figures.invited, None, None, None, None],
        [summary, words("analytics.revoked"), figures.revoked, None, None, None, None],
        [summary, words("analytics.participation"), figures.started, _round(figures.participation_rate, scale=100),
         None, None, None],
        [summary, words("analytics.declineRate"), figures.declined, _round(figures.decline_rate, scale=100),
         None, None, None],
        [summary, words("analytics.csv.durationMinutes"), figures.timed, None,
         _round(figures.duration_mean_seconds, scale=minutes), _round(figures.duration_median_seconds, scale=minutes),
         None],
        [summary, words("analytics.meanScore"), sum(b.count for b in figures.score_buckets), None,
         _round(figures.mean_score), None, None],
        [summary, words("analytics.csv.answers"), figures.answers, None, None, None, figures.no_speech_answers],
        [summary, words("analytics.interruptions"), figures.interruptions, None,
         _round(figures.interruptions_per_interview, 2), None, None],
    ]
    rows += [[funnel, words(f"analytics.funnel.{s.key}"), s.count, _round(s.conversion, scale=100), None, None, None]
             for s in figures.funnel]
    rows += [[scores, f"{b.low}–{b.high}", b.count, None, None, None, None] for b in figures.score_buckets]
    rows.append([scores, words("analytics.noScore"), figures.unscored_interviews, None, None, None, None])
    jobs = {job.id: job for job in data.jobs}
    for q in figures.questions:
        label = words("analytics.questionLabel", n=q.position + 1, text=q.text)
        if len(jobs) > 1 and q.job_id in jobs:
            label = f"{jobs[q.job_id].title} — {label}"
        rows.append([words("analytics.csv.questions"), label, q.scored, None, _round(q.mean), None, q.no_speech])
    rows += [[words("analytics.csv.competencies"), c.name, c.scored, None, _round(c.mean), None, c.no_speech]
             for c in figures.competencies]
    return header, rows


def answered_only(data: Dataset) -> Dataset:
    """The interviews with at least one stored answer (and their answers)."""
    answered = {a.interview_id for a in data.answers}
    return replace(data, interviews=tuple(i for i in data.interviews if i.id in answered))


@dataclass(frozen=True)
class ResultRow:
    """One interview as the results file shows it."""

    interview: InterviewFacts
    job: JobFacts
    duration_seconds: float | None
    scores: tuple[int | str | None, ...]  # by question position: a score, NO_SPEECH, or None (not answered)
    mean: float | None
    no_speech: int


def result_rows(data: Dataset) -> tuple[ResultRow, ...]:
    """One row per interview (revoked ones included: the file is the record), newest first."""
    jobs = {j.id: j for j in data.jobs}
    positions = {q.id: q.position for q in data.questions}
    width = max((q.position + 1 for q in data.questions), default=0)
    given: dict[int, dict[int, int | None]] = {}
    for answer in data.answers:
        if answer.question_id in positions:
            given.setdefault(answer.interview_id, {})[positions[answer.question_id]] = answer.score
    rows = []
    for interview in sorted(data.interviews, key=lambda i: i.id, reverse=True):
        job = jobs.get(interview.job_id)
        if job is None:
            continue
        mine = given.get(interview.id, {})
        scores = tuple((NO_SPEECH if mine[p] is None else mine[p]) if p in mine else None for p in range(width))
        duration = seconds_between(interview.started_at, interview.completed_at) if interview.completed_at else None
        rows.append(ResultRow(interview, job, duration, scores, interview_mean(mine.values()),
                              sum(1 for s in mine.values() if s is None)))
    return tuple(rows)


def zone_name(zone: timezone) -> str:
    """"UTC" or "UTC+08:00"."""
    offset = datetime.now(zone).strftime("%z")
    return "UTC" if offset == "+0000" else f"UTC{offset[:3]}:{offset[3:]}"


def _local(value: str | None, zone: timezone) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def result_table(data: Dataset, words: Words, zone: timezone, *,
                 single_job: bool) -> tuple[list[str], list[list[Any]]]:
    """The results file: candidate, e-mail, job, department, status, dates (in `zone`), duration,
    each question's score, mean score, answers with no speech, interruptions."""
    rows = result_rows(data)
    width = max((len(r.scores) for r in rows), default=0)
    questions = {q.position: q.text for q in data.questions} if single_job else {}
    header = [words(f"analytics.csv.col.{c}") for c in ("candidate", "email", "job", "department", "status")]
    header += [words(f"analytics.csv.col.{c}", zone=zone_name(zone)) for c in DATE_COLUMNS]
    header.append(words("analytics.csv.col.duration"))
    for position in range(width):
        text = questions.get(position)
        if text is None:
            header.append(words("analytics.csv.col.question", n=position + 1))
            continue
        short = text if len(text) <= QUESTION_HEAD_CHARS else text[:QUESTION_HEAD_CHARS] + "…"
        header.append(words("analytics.questionLabel", n=position + 1, text=short))
    header += [words(f"analytics.csv.col.{c}") for c in ("meanScore", "noSpeechAnswers", "interruptions")]
    no_speech = words("analytics.noSpeech")
    table = []
    for r in rows:
        i = r.interview
        stamps = (i.created_at, i.opened_at, i.consented_at, i.declined_at, i.device_ok_at, i.practiced_at,
                  i.started_at, i.completed_at, i.revoked_at)
        scores = [no_speech if s == NO_SPEECH else s for s in r.scores]
        table.append([i.candidate_name, i.candidate_email, r.job.title, r.job.department, words(f"status.{i.status}"),
                      *(_local(s, zone) for s in stamps), _round(r.duration_seconds, scale=1 / 60),
                      *scores, r.mean, r.no_speech, i.interruptions])
    return header, table
