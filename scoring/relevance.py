"""Relevance: does the answer talk about what the question asked?

Two measures. Coverage (60 %): the share of the question's content terms the answer addresses,
directly, or at half credit through a listed related term ("outage" through "incident"); 50 %
coverage earns full credit in English, 40 % in Chinese, where character bigrams stand in for
words. On-topic sentences (40 %): the share of the answer's sentences that mention a question
term, a related term or a rubric indicator. Under 25 % coverage with under half the sentences
on topic, the answer is flagged off-topic and the scorer halves its structure and specificity.
Like structure and delivery, relevance credit scales down for answers too short to judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .result import Component, Finding, points
from .rubric import Rubric
from .text import CJK, MIN_UNITS, Passage, Span, fullness, phrase_pattern, stem, unit_name
from .vocabulary import QUESTION_FRAME, RELATED_EN, RELATED_ZH, STOP_WORDS, ZH_QUESTION_FRAME, ZH_STOP_CHARS

COVERAGE_SHARE = 0.6
FULL_COVERAGE = {"en": 0.5, "zh": 0.4}
RELATED_CREDIT = 0.5  # a term addressed only through a related word counts half
OFF_TOPIC_COVERAGE = 0.25  # below this coverage and
OFF_TOPIC_SENTENCES = 0.5  # below this share of on-topic sentences, the answer is off-topic
_RELATED_BY_STEM = {stem(key): frozenset(stem(word) for word in words) for key, words in RELATED_EN.items()}
_CJK_RUN = re.compile(f"[{CJK}]+")


@dataclass(frozen=True)
class _Term:
    label: str  # as shown: the question's word or bigram
    direct: re.Pattern[str]
    related_stems: frozenset[str] = frozenset()  # English: a word with one of these stems
    related: tuple[re.Pattern[str], ...] = ()  # Chinese words and English phrases

    def direct_spans(self, answer: Passage) -> list[Span]:
        return answer.search(self.direct)

    def related_spans(self, answer: Passage) -> list[Span]:
        spans = [span for pattern in self.related for span in answer.search(pattern)]
        spans += [(t.start, t.end) for t in answer.tokens if not t.is_cjk and stem(t.norm) in self.related_stems]
        return sorted(set(spans))


def _prefix_pattern(*forms: str) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(form) for form in sorted(set(forms), key=len, reverse=True))
    return re.compile(r"(?<![\w'])(?:" + alternatives + r")[\w']*")


def _english_terms(question: Passage) -> list[_Term]:
    terms: dict[str, _Term] = {}
    for token in question.tokens:
        word = token.norm
        if not word.isalpha() or len(word) < 3 or word in STOP_WORDS or word in QUESTION_FRAME:
            continue
        root = stem(word)
        if root not in terms:
            related = _RELATED_BY_STEM.get(root, frozenset())
            phrases = tuple(phrase_pattern(other) for other in sorted(related) if " " in other)
            terms[root] = _Term(word, _prefix_pattern(word, root), related, phrases)
    return list(terms.values())


def _chinese_terms(question: Passage) -> list[_Term]:
    terms: dict[str, _Term] = {}
    for run in _CJK_RUN.findall(question.flat):
        for index in range(len(run) - 1):
            bigram = run[index:index + 2]
            if bigram in terms or bigram in ZH_QUESTION_FRAME or any(char in ZH_STOP_CHARS for char in bigram):
                continue
            related = tuple(phrase_pattern(word) for word in RELATED_ZH.get(bigram, ()))
            terms[bigram] = _Term(bigram, phrase_pattern(bigram), related=related)
    return list(terms.values())


def score_relevance(question: Passage, answer: Passage, max_points: float, rubric: Rubric | None) -> Component:
    """The relevance component; it carries a `relevance.off_topic` finding when the answer strays."""
    terms = _chinese_terms(question) if question.language == "zh" else _english_terms(question)
    if not terms:
        return Component("relevance", points(max_points), points(max_points), (Finding(
            "relevance.terms",
            "The question has no content words to compare the answer with; relevance is not judged "
            f"and earns all {points(max_points)} points.",
            {"points": points(max_points), "max_points": points(max_points)},
        ),))
    findings: list[Finding] = []
    covered: list[tuple[str, str, Span, float]] = []  # (term, what was said, where, credit)
    missing: list[str] = []
    question_spans: list[Span] = []  # where the answer mentions the question's subject
    rubric_spans: list[Span] = []  # where it says a rubric indicator
    for term in terms:
        direct, related = term.direct_spans(answer), term.related_spans(answer)
        if direct:
            covered.append((term.label, answer.excerpt(direct[0]), direct[0], 1.0))
        elif related:
            covered.append((term.label, answer.excerpt(related[0]), related[0], RELATED_CREDIT))
        else:
            missing.append(term.label)
        question_spans += direct + related
    if rubric:
        for competency in rubric.competencies:
            for indicator in competency.indicators:
                rubric_spans += answer.search(phrase_pattern(indicator))

    coverage = sum(credit for *_, credit in covered) / len(terms)
    coverage_credit = min(1.0, coverage / FULL_COVERAGE[answer.language])
    coverage_max = max_points * COVERAGE_SHARE
    listed = "; ".join(
        f'"{label}" by "{said}"' + (" (related, half)" if credit < 1 else "") for label, said, _, credit in covered
    )
    findings.append(Finding(
        "relevance.terms",
        f"Question terms addressed: {len(covered)} of {len(terms)}" + (f" ({listed})" if covered else "")
        + f"; coverage {coverage * 100:.0f} %, {round(FULL_COVERAGE[answer.language] * 100)} % earns full credit; "
        f"{points(coverage_max * coverage_credit)} of {points(coverage_max)} points.",
        {"covered": len(covered), "terms": len(terms), "coverage_percent": round(coverage * 100),
         "matched": ", ".join(label for label, *_ in covered),
         "points": points(coverage_max * coverage_credit), "max_points": points(coverage_max)},
        tuple(dict.fromkeys(answer.quote(span) for _, _, span, _ in covered[:4])),
    ))
    if missing:
        findings.append(Finding(
            "relevance.missing",
            "Question terms not addressed: " + ", ".join(f'"{label}"' for label in missing) + ".",
            {"missing": ", ".join(missing), "count": len(missing)},
        ))

    sentences = len(answer.sentences) or 1
    on_question = {answer.sentence_of(span) for span in question_spans}
    on_topic = on_question | {answer.sentence_of(span) for span in rubric_spans}
    share = len(on_topic) / sentences
    sentence_max = max_points - coverage_max
    findings.append(Finding(
        "relevance.sentences",
        f"{len(on_topic)} of {sentences} sentence(s) mention the question's subject"
        + (" or a rubric indicator" if rubric else "")
        + f"; {points(sentence_max * share)} of {points(sentence_max)} points.",
        {"on_topic": len(on_topic), "sentences": sentences, "points": points(sentence_max * share),
         "max_points": points(sentence_max)},
    ))
    question_share = len(on_question) / sentences  # rubric indicators are often generic ("plan", "cut")
    if coverage < OFF_TOPIC_COVERAGE and question_share < OFF_TOPIC_SENTENCES:
        findings.append(Finding(
            "relevance.off_topic",
            f"The answer addresses {coverage * 100:.0f} % of the question's terms and {question_share * 100:.0f} % "
            "of its sentences touch the question's subject; it looks off-topic.",
            {"coverage_percent": round(coverage * 100), "on_topic_percent": round(question_share * 100)},
        ))
    earned = coverage_max * coverage_credit + sentence_max * share
    scale = fullness(answer)
    if scale < 1:
        findings.append(Finding(
            "relevance.length",
            f"Only {answer.units} {unit_name(answer)} were said; relevance needs about {MIN_UNITS[answer.language]} "
            f"to judge, so its credit is scaled to {round(scale * 100)} %, {points(earned * scale)} of "
            f"{points(max_points)} points.",
            {"units": answer.units, "minimum": MIN_UNITS[answer.language], "scale_percent": round(scale * 100),
             "points": points(earned * scale), "max_points": points(max_points)},
        ))
    return Component("relevance", points(earned * scale), points(max_points), tuple(findings))
