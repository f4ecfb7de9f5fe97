"""Crediting an answer against a rubric: which competencies its words show, quoted.

Each competency earns its weight's share of the component: 60 % for one indicator said, 100 %
for two or more said in different places. Every matched indicator is quoted in its clause; competencies
with no match are listed with the phrases that would have shown them.
"""

from __future__ import annotations

from .result import Component, Finding, points
from .rubric import Competency, Rubric
from .text import Passage, Span, phrase_pattern

ONE_MATCH_CREDIT = 0.6
_SHOWN_INDICATORS = 6


def indicator_hits(passage: Passage, competency: Competency) -> list[tuple[str, Span]]:
    """(indicator, where it was said) for each indicator of `competency` found in the passage.

    Two indicators that only match the same words ("led" and "lead" in "leader") count once.
    """
    hits: list[tuple[str, Span]] = []
    for indicator in competency.indicators:
        spans = passage.search(phrase_pattern(indicator))
        # Prefer the indicator said as a whole word ("data") to a longer word it starts ("database").
        spans.sort(key=lambda span: passage.excerpt(span).casefold() != indicator.casefold())
        for span in spans:
            if not any(span[0] < used[1] and used[0] < span[1] for _, used in hits):
                hits.append((indicator, span))
                break
    return hits


def _credit(matched: int) -> float:
    return 0.0 if matched == 0 else ONE_MATCH_CREDIT if matched == 1 else 1.0


def score_rubric(passage: Passage, rubric: Rubric, max_points: float) -> Component:
    """The rubric component: competencies shown by indicators, each weighted by the rubric."""
    total_weight = sum(c.weight for c in rubric.competencies)
    earned = 0.0
    findings: list[Finding] = []
    for competency in rubric.competencies:
        share = max_points * competency.weight / total_weight
        hits = indicator_hits(passage, competency)
        credit = _credit(len(hits))
        earned += share * credit
        if not hits:
            shown = ", ".join(f'"{phrase}"' for phrase in competency.indicators[:_SHOWN_INDICATORS])
            more = "…" if len(competency.indicators) > _SHOWN_INDICATORS else ""
            findings.append(Finding(
                "rubric.missing",
                f"{competency.name}: none of its indicators ({shown}{more}) was said; 0 of {points(share)} points.",
                {"competency": competency.name, "indicators": ", ".join(competency.indicators),
                 "points": 0.0, "max_points": points(share)},
            ))
            continue
        quotes = [passage.quote(span) for _, span in hits]
        listed = "; ".join(f'"{indicator}" in "{quote}"' for (indicator, _), quote in zip(hits, quotes, strict=True))
        advice = " A second indicator would earn the full share." if len(hits) == 1 else ""
        findings.append(Finding(
            "rubric.matched",
            f"{competency.name}: matched {listed}; {len(hits)} indicator(s) earn {round(credit * 100)} % of its "
            f"share, {points(share * credit)} of {points(share)} points.{advice}",
            {"competency": competency.name, "matched": ", ".join(indicator for indicator, _ in hits),
             "count": len(hits), "credit_percent": round(credit * 100),
             "points": points(share * credit), "max_points": points(share)},
            tuple(dict.fromkeys(quotes)),
        ))
    return Component("rubric", points(earned), points(max_points), tuple(findings))
