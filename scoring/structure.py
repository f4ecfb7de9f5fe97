"""Answer structure: does the answer give a situation, a task, actions and a result (STAR)?

Each element is a quarter of the component. Situation, task and result are found by marker
phrases and quoted. Action earns half for one concrete first-person action and full for two or
more; a sequence of steps ("first … then … after") also counts, which is how a good answer to
a hypothetical "how would you" question shows its actions. An answer too short to develop
(under about 40 English words or 70 Chinese characters) has its structure credit scaled down.
"""

from __future__ import annotations

import re

from .actions import find_actions
from .result import Component, Finding, points
from .text import MIN_UNITS, Passage, Span, fullness, unit_name

OFF_TOPIC_FACTOR = 0.5


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w'])")


_SEASON = r"(?:spring|summer|autumn|fall|winter|year|month|week|quarter|semester|sprint)"
_ROLE = r"(?:lead|leader|manager|owner|engineer|head|coordinator|developer|member|analyst|designer|intern)"
_UNIT = r"(?:days?|weeks?|months?|hours?)"

MARKERS: dict[str, dict[str, re.Pattern[str]]] = {
    "en": {
        "situation": _words(
            rf"last {_SEASON}", rf"(?:this|that|one) {_SEASON}", r"(?:a few|\w+) (?:years?|months?|weeks?) ago",
            r"in (?:19|20)\d\d", r"back (?:in|when)", r"recently", r"when", r"while", r"during",
            r"(?:at|in) (?:my|our|a) (?:previous |last |current |old |first |former )?"
            r"(?:job|role|company|team|position|employer|startup|internship|project)",
            r"(?:our|my) team", r"there was", r"we had", r"i was working", r"i worked",
            r"for (?:\w+ )?(?:years?|months?)", r"on (?:a|one|my|our) project",
        ),
        "task": _words(
            r"(?:i|we) (?:had|needed|wanted|was asked|were asked|was supposed|were supposed|have|need|want|aim"
            r"|plan) to",
            r"(?:my|our|the) (?:goal|task|job|role|responsibility|aim|objective|mission|challenge|problem|issue) "
            r"(?:was|is|would be)",
            r"responsib\w*", r"in charge", r"tasked", r"assigned to", rf"as (?:the|a|an) (?:\w+ )?{_ROLE}",
            rf"had (?:\w+ ){{1,2}}{_UNIT} to", r"in order to", r"so that",
            r"to (?:make sure|ensure|find out|figure out|find|see|understand|identify|learn|determine)",
        ),
        "sequence": _words(
            r"first(?:ly)?", r"then", r"next", r"after(?:wards)?", r"once", r"finally", r"second(?:ly)?",
            r"lastly", r"before", r"later", r"eventually", r"to start",
        ),
        "result": _words(
            r"as a result", r"result(?:ed|s)?", r"in the end", r"ended up", r"outcome", r"deliver(?:ed|ing)?",
            r"on time", r"improv\w*", r"increas\w*", r"reduc\w*", r"decreas\w*", r"dropped", r"saved",
            r"grew", r"doubled", r"halved", r"in half", r"percent", r"succe\w+", r"achiev\w+", r"launched",
            r"shipped", r"solved", r"resolved", r"restored", r"stable", r"prevent\w*", r"lessons?",
            r"learn(?:ed|t)", r"which meant", r"so (?:we|that|everyone|our|the team|i)",
            r"zero (?:\w+ )?(?:bugs?|defects?|incidents?|issues?|errors?|complaints?)",
            r"(?:was|were) (?:happy|satisfied|pleased)", r"feedback was", r"promoted",
        ),
    },
    "zh": {
        "situation": re.compile(
            r"当时|那时|那次|有一次|去年|今年|前年|上个?月|上半年|下半年|之前|以前|春天|夏天|秋天|冬天|的时候|背景"
            r"|在(?:我|上一家|前一家)?(?:之前的|以前的)?(?:公司|团队|项目)|我们(?:的)?团队|项目(?:中|里|上)"
        ),
        "task": re.compile(r"负责|任务|目标|需要|必须|要求|为了|职责|作为|挑战|问题是|要在|希望"),
        "sequence": re.compile(r"首先|然后|接着|之后|随后|最后|第一|第二|其次|我们?先"),
        "result": re.compile(
            r"结果|最终|最后|提高|提升|减少|降低|按时|成功|完成了|交付|百分之|percent|节省|缩短|增长|效果|因此"
            r"|变得更|解决了|避免|恢复"
        ),
    },
}

_HINTS = {
    "en": {
        "situation": "when and where it happened (e.g. \"last spring\", \"at my previous job\", \"our team\")",
        "task": "what had to be achieved (e.g. \"I had to\", \"my goal was\", \"responsible for\")",
        "action": "what you did or would do (e.g. \"I broke the work into…\", \"first I would check…\")",
        "result": "how it turned out (e.g. \"as a result\", \"we delivered\", \"dropped by 30 %\")",
    },
    "zh": {
        "situation": "when and where it happened (e.g. \"去年\", \"当时\", \"我们团队\")",
        "task": "what had to be achieved (e.g. \"负责\", \"任务\", \"目标\")",
        "action": "what you did or would do (e.g. \"我首先把…拆分\", \"然后安排…\")",
        "result": "how it turned out (e.g. \"结果\", \"最终按时交付\", \"降低了百分之三十\")",
    },
}


def _first(passage: Passage, pattern: re.Pattern[str]) -> Span | None:
    spans = passage.search(pattern)
    return spans[0] if spans else None


def score_structure(passage: Passage, max_points: float, *, off_topic: bool = False) -> Component:
    """The structure component with one finding per STAR element."""
    markers = MARKERS[passage.language]
    minimum = MIN_UNITS[passage.language]
    length_factor = fullness(passage)
    factor = length_factor * (OFF_TOPIC_FACTOR if off_topic else 1.0)
    share = max_points / 4
    findings: list[Finding] = []
    earned = 0.0
    for element in ("situation", "task", "action", "result"):
        if element == "action":
            credit, marker, described, evidence = _action(passage, markers["sequence"])
        else:
            span = _first(passage, markers[element])
            credit = 1.0 if span else 0.0
            marker = passage.excerpt(span) if span else ""
            evidence = (passage.quote(span),) if span else ()
            described = f'"{marker}" in "{evidence[0]}"' if span else ""
        value = share * credit * factor
        earned += value
        if credit == 0:
            findings.append(Finding(
                "structure.missing",
                f"No {element}: the answer does not say {_HINTS[passage.language][element]}; "
                f"0 of {points(share)} points.",
                {"element": element, "points": 0.0, "max_points": points(share)},
            ))
            continue
        findings.append(Finding(
            f"structure.{element}",
            f"{element.capitalize()}: {described}; {points(value)} of {points(share)} points.",
            {"element": element, "marker": marker, "credit_percent": round(credit * 100),
             "points": points(value), "max_points": points(share)},
            evidence,
        ))
    if length_factor < 1:
        findings.append(Finding(
            "structure.length",
            f"The answer has {passage.units} {unit_name(passage)}; an answer needs about {minimum} to develop, "
            f"so structure credit is scaled to {round(length_factor * 100)} %.",
            {"units": passage.units, "minimum": minimum, "scale_percent": round(length_factor * 100)},
        ))
    if off_topic:
        findings.append(Finding(
            "structure.off_topic",
            "The answer does not address the question, so structure credit is halved.",
            {"scale_percent": round(OFF_TOPIC_FACTOR * 100)},
        ))
    return Component("structure", points(earned), points(max_points), tuple(findings))


def _action(passage: Passage, sequence: re.Pattern[str]) -> tuple[float, str, str, tuple[str, ...]]:
    """Credit, marker, description and evidence for the action element."""
    actions = find_actions(passage)
    steps = list(dict.fromkeys(passage.excerpt(span).lower() for span in passage.search(sequence)))
    credit = 0.0 if not actions else 0.5 if len(actions) == 1 else 1.0
    if len(steps) >= 2:
        credit = min(1.0, credit + 0.5)
    if credit == 0:
        return 0.0, "", "", ()
    parts = []
    if actions:
        said = ", ".join(f'"{passage.excerpt(span)}"' for _, span in actions[:4])
        parts.append(f"{len(actions)} concrete action(s) ({said})")
    if len(steps) >= 2:
        parts.append("a sequence of steps (" + ", ".join(f'"{step}"' for step in steps[:4]) + ")")
    if len(actions) == 1 and len(steps) < 2:
        parts.append("a second action or a sequence of steps would earn full credit")
    evidence = tuple(dict.fromkeys(passage.quote(span) for _, span in actions[:3]))
    marker = passage.excerpt(actions[0][1]) if actions else steps[0]
    return credit, marker, "; ".join(parts), evidence
