"""Campaign figures from hand-made facts: funnel, rates, durations, scores, questions, competencies;
and the CSV writer (BOM, quoting, formula injection)."""

from __future__ import annotations

import csv
import io

import pytest

from scoring.rubric import Rubric
from scoring.scorer import QuestionSpec, score_answer
from scoring.transcript import Transcript, Word
from signaling.analytics import (
    FUNNEL,
    AnswerFacts,
    Dataset,
    InterviewFacts,
    JobFacts,
    QuestionFacts,
    by_job,
    compute,
    rubric_scores,
    stage,
)
from signaling.analytics_export import NO_SPEECH, result_rows
from signaling.csv_export import content_disposition, safe_cell, slug, to_csv

T0 = "2026-03-02T09:00:00.000Z"


def at(minutes: float) -> str:
    """T0 plus `minutes`, as the store writes times."""
    total = round(minutes * 60)
    return f"2026-03-02T{9 + total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}.000Z"


def interview(id_: int, upto: str, *, job: int = 1, minutes: float = 10, revoked: bool = False,
              declined: bool = False, interruptions: int = 0) -> InterviewFacts:
    """An invitation that got as far as `upto` (a FUNNEL key), each step a minute after the last."""
    reached = FUNNEL.index(upto)
    stamp = {key: at(n) if n <= reached else None for n, key in enumerate(FUNNEL)}
    started = at(4) if reached >= FUNNEL.index("answered") else None
    completed = at(4 + minutes) if upto == "completed" else None
    return InterviewFacts(
        id=id_, job_id=job, status="completed" if completed else "declined" if declined else "invited",
        created_at=T0, opened_at=stamp["opened"], consented_at=None if declined else stamp["consented"],
        declined_at=at(2) if declined else None, device_ok_at=stamp["device_ok"], practiced_at=stamp["practiced"],
        started_at=started, completed_at=completed, revoked_at=at(30) if revoked else None,
        interruptions=interruptions, candidate_name=f"Candidate {id_}", candidate_email=f"c{id_}@example.com",
    )


QUESTIONS = (
    QuestionFacts(11, 1, 0, "Tell us about a hard bug.", ("Problem solving",), ("Diagnosis", "Communication")),
    QuestionFacts(12, 1, 1, "How do you plan your week?", ("planning", "Communication")),
)


def rubric(**percent: float) -> tuple[tuple[str, float], ...]:
    return tuple(percent.items())


def test_funnel_counts_each_step_and_converts_from_the_previous():
    """Counts fall step by step; each conversion is the step ÷ the one before; started ÷ invited."""
    data = Dataset(interviews=(
        interview(1, "invited"), interview(2, "opened"), interview(3, "opened", declined=True),
        interview(4, "consented"), interview(5, "device_ok"), interview(6, "practiced"),
        interview(7, "completed"), interview(8, "completed"),
    ), answers=(AnswerFacts(7, 11, 80), AnswerFacts(8, 11, 60)))
    figures = compute(data)
    assert [(s.key, s.count) for s in figures.funnel] == [
        ("invited", 8), ("opened", 7), ("consented", 5), ("device_ok", 4), ("practiced", 3), ("answered", 2),
        ("completed", 2)]
    assert figures.funnel[0].conversion is None
    assert figures.funnel[1].conversion == pytest.approx(7 / 8)
    assert figures.funnel[2].conversion == pytest.approx(5 / 7)
    assert figures.funnel[6].conversion == pytest.approx(1.0)
    assert (figures.invited, figures.started, figures.completed, figures.declined) == (8, 2, 2, 1)
    assert figures.participation_rate == pytest.approx(2 / 8)
    assert figures.decline_rate == pytest.approx(1 / 7)


def test_a_later_step_implies_the_earlier_ones():
    """An interview from before the funnel timestamps (no device/practice time) still passed those steps."""
    old = InterviewFacts(1, 1, "completed", T0, opened_at=at(1), consented_at=at(2), started_at=at(3),
                         completed_at=at(9))
    assert stage(old, answered=False) == len(FUNNEL) - 1
    figures = compute(Dataset(interviews=(old,)))
    assert [s.count for s in figures.funnel] == [1] * len(FUNNEL)
    assert stage(InterviewFacts(2, 1, "declined", T0, declined_at=at(1)), answered=False) == 1


def test_revoked_invitations_are_counted_then_left_out():
    """A revoked invitation is in `revoked` only: not invited, not in the rates, its answers unused."""
    data = Dataset(interviews=(interview(1, "completed"), interview(2, "invited", revoked=True),
                               interview(3, "completed", revoked=True)),
                   answers=(AnswerFacts(1, 11, 50), AnswerFacts(3, 11, 100)), questions=QUESTIONS)
    figures = compute(data)
    assert (figures.invited, figures.revoked, figures.completed) == (1, 2, 1)
    assert figures.participation_rate == 1.0
    assert figures.questions[0].mean == 50 and figures.questions[0].scored == 1


def test_nothing_to_divide_by_gives_none_not_an_error():
    """No invitations, nobody opened, nobody started: every rate and average is None."""
    empty = compute(Dataset())
    assert empty.invited == 0 and empty.participation_rate is None and empty.decline_rate is None
    assert all(s.count == 0 for s in empty.funnel)
    assert [s.conversion for s in empty.funnel] == [None] * len(FUNNEL)
    assert empty.duration_mean_seconds is None and empty.duration_median_seconds is None
    assert empty.mean_score is None and empty.interruptions_per_interview is None
    assert empty.questions == () and empty.competencies == ()
    assert empty.to_json()["participation_rate"] is None

    unopened = compute(Dataset(interviews=(interview(1, "invited"), interview(2, "invited"))))
    assert unopened.participation_rate == 0 and unopened.decline_rate is None
    assert unopened.funnel[2].conversion is None  # 0 opened: no conversion to consent
    assert unopened.interruptions_per_interview is None


def test_duration_mean_and_median_over_completed_interviews():
    """Started → completed for completed interviews only; the median is the middle value."""
    data = Dataset(interviews=(interview(1, "completed", minutes=10), interview(2, "completed", minutes=20),
                               interview(3, "completed", minutes=60), interview(4, "answered")))
    figures = compute(data)
    assert figures.timed == 3
    assert figures.duration_mean_seconds == pytest.approx(30 * 60)
    assert figures.duration_median_seconds == pytest.approx(20 * 60)


def test_score_buckets_use_interview_means_and_keep_no_speech_apart():
    """Means of scored answers go into 10-point bands (100 in 90–100); silence is not a 0."""
    data = Dataset(interviews=tuple(interview(n, "completed") for n in range(1, 6)) + (interview(6, "answered"),),
                   answers=(
                       AnswerFacts(1, 11, 100), AnswerFacts(1, 12, None),  # mean 100, not 50
                       AnswerFacts(2, 11, 9), AnswerFacts(2, 12, 10),  # mean 9.5 → 0–9
                       AnswerFacts(3, 11, 55), AnswerFacts(3, 12, 64),  # mean 59.5 → 50–59
                       AnswerFacts(4, 11, None), AnswerFacts(4, 12, None),  # nothing to score
                       AnswerFacts(6, 11, 20),  # not completed: not in the distribution
                   ))
    figures = compute(data)
    buckets = {b.low: b.count for b in figures.score_buckets}
    assert len(figures.score_buckets) == 10 and figures.score_buckets[-1].high == 100
    assert buckets == {0: 1, 10: 0, 20: 0, 30: 0, 40: 0, 50: 1, 60: 0, 70: 0, 80: 0, 90: 1}
    assert figures.unscored_interviews == 2  # interview 4 (silence) and 5 (no answers at all)
    assert figures.mean_score == pytest.approx((100 + 9.5 + 59.5) / 3)
    assert (figures.answers, figures.no_speech_answers) == (9, 3)


def test_per_question_averages_count_no_speech_apart():
    """Each question's mean is over scored answers; no-speech answers are counted, not averaged."""
    data = Dataset(questions=QUESTIONS, interviews=(interview(1, "completed"), interview(2, "completed")),
                   answers=(AnswerFacts(1, 11, 40), AnswerFacts(2, 11, 70), AnswerFacts(1, 12, None),
                            AnswerFacts(2, 12, None)))
    first, second = compute(data).questions
    assert (first.position, first.mean, first.scored, first.no_speech) == (0, 55, 2, 0)
    assert (second.position, second.mean, second.scored, second.no_speech) == (1, None, 0, 2)


def test_competency_gaps_come_lowest_first_from_rubrics_and_tags():
    """Rubric shares where the rubric measured a competency, the answer score for tags; names match
    ignoring case; the lowest mean comes first; never-measured ones last."""
    data = Dataset(questions=QUESTIONS, interviews=(interview(1, "completed"), interview(2, "completed")),
                   answers=(
                       AnswerFacts(1, 11, 70, rubric(Diagnosis=100.0, Communication=60.0)),
                       AnswerFacts(2, 11, 50, rubric(Diagnosis=0.0, communication=20.0)),
                       AnswerFacts(1, 12, 30),  # tags: planning 30, Communication 30
                       AnswerFacts(2, 12, None),  # no speech: counted apart for planning and Communication
                   ))
    competencies = {c.name: c for c in compute(data).competencies}
    assert [c.name for c in compute(data).competencies] == ["planning", "Communication", "Diagnosis",
                                                             "Problem solving"]
    assert competencies["planning"].mean == 30 and competencies["planning"].sources == ("question",)
    assert competencies["Communication"].mean == pytest.approx((60 + 20 + 30) / 3)
    assert competencies["Communication"].scored == 3 and competencies["Communication"].no_speech == 1
    assert competencies["Communication"].sources == ("question", "rubric")
    assert competencies["Diagnosis"].mean == 50 and competencies["Diagnosis"].no_speech == 0
    assert competencies["Problem solving"].mean == 60  # the tag takes the answer scores, 70 and 50


def test_competencies_only_ever_silent_go_last_without_a_mean():
    """A competency whose every answer had no speech has no mean, is not a 0, and is listed last."""
    data = Dataset(questions=QUESTIONS, interviews=(interview(1, "completed"),),
                   answers=(AnswerFacts(1, 11, None), AnswerFacts(1, 12, 90)))
    names = [(c.name, c.mean, c.no_speech) for c in compute(data).competencies]
    assert names == [("Communication", 90.0, 1), ("planning", 90.0, 0), ("Diagnosis", None, 1),
                     ("Problem solving", None, 1)]


def test_rubric_scores_read_what_the_scorer_writes():
    """The real scorer's explanation yields one share per rubric competency (0–100)."""
    rubric_ = Rubric.from_json({"competencies": [
        {"name": "Diagnosis", "weight": 2, "indicators": ["logs", "metrics"]},
        {"name": "Rollback", "weight": 1, "indicators": ["roll back"]},
    ]})
    text = "First I read the logs and the metrics to find the cause, then I fixed it and wrote it up."
    words = tuple(Word((" " if n else "") + w, 0.5 + n * 0.4, 0.8 + n * 0.4) for n, w in enumerate(text.split()))
    scored = score_answer(QuestionSpec("How do you handle an outage?", "en", 60, rubric_),
                          Transcript(text, words, "en", 12.0), answered_seconds=12.0)
    assert dict(rubric_scores(scored.to_json())) == {"Diagnosis": 100.0, "Rollback": 0.0}
    assert rubric_scores(None) == () and rubric_scores({"components": [{"key": "rubric", "findings": [
        {"code": "rubric.matched", "params": {"competency": "X", "points": 1, "max_points": 0}}]}]}) == ()


def test_interruptions_per_started_interview():
    """Interruptions are divided by the interviews that started, and interrupted interviews counted."""
    data = Dataset(interviews=(interview(1, "completed", interruptions=3), interview(2, "completed"),
                               interview(3, "answered", interruptions=1), interview(4, "invited")),
                   answers=(AnswerFacts(3, 11, 10),))
    figures = compute(data)
    assert (figures.interruptions, figures.interrupted_interviews) == (4, 2)
    assert figures.interruptions_per_interview == pytest.approx(4 / 3)


def test_by_job_and_result_rows():
    """Each job's figures on their own; one result row per interview with scores by position."""
    jobs = (JobFacts(1, "Engineer", "Engineering"), JobFacts(2, "Analyst", "Finance"))
    data = Dataset(jobs=jobs, questions=QUESTIONS + (QuestionFacts(21, 2, 0, "Why finance?"),),
                   interviews=(interview(1, "completed", minutes=15), interview(2, "invited", job=2)),
                   answers=(AnswerFacts(1, 11, 80), AnswerFacts(1, 12, None)))
    summaries = {s.job.title: s.figures for s in by_job(data)}
    assert summaries["Engineer"].completed == 1 and summaries["Analyst"].invited == 1
    assert summaries["Analyst"].questions[0].text == "Why finance?"
    second, first = result_rows(data)
    assert first.interview.id == 1 and first.scores == (80, NO_SPEECH) and first.mean == 80
    assert first.duration_seconds == 15 * 60 and first.no_speech == 1
    assert second.scores == (None, None) and second.mean is None and second.duration_seconds is None


# --- CSV ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_formula_like_text_is_escaped(text):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    assert safe_cell(text) == "'" + text


def test_other_cells_are_kept():
    """Plain text, numbers (also negative) and empty cells are written as they are."""
    assert safe_cell("Ann = good") == "Ann = good" and safe_cell(" =x") == " =x"
    assert safe_cell(-3) == -3 and safe_cell(72.5) == 72.5 and safe_cell(None) == ""


def test_csv_has_a_bom_crlf_and_quotes_what_needs_it():
    """UTF-8 with a BOM, CRLF rows, commas/quotes/newlines quoted, and it reads back the same."""
    body = to_csv(["Name", "Note"], [["Zhāng 张, Wei", 'said "hi"\nthen left'], ["=cmd", 5]])
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.split("\r\n")[0] == "Name,Note"
    assert '"Zhāng 张, Wei","said ""hi""\nthen left"' in text
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["Name", "Note"], ["Zhāng 张, Wei", 'said "hi"\nthen left'], ["'=cmd", "5"]]


def test_file_names():
    """Slugs keep Chinese unless ASCII is asked for; the header has both forms, safely quoted."""
    assert slug("Senior Engineer (Backend)", ascii_only=True) == "senior-engineer-backend"
    assert slug("后端工程师", ascii_only=False) == "后端工程师" and slug("后端工程师", ascii_only=True) == ""
    header = content_disposition("intervox-results-后端-2026-03-02.csv", 'bad"name;.csv')
    assert header.startswith('attachment; filename="bad_name_.csv"; ')
    assert header.endswith("filename*=UTF-8''intervox-results-%E5%90%8E%E7%AB%AF-2026-03-02.csv")
