"""The interview state machine: a pure function from (state, event) to (state, effects).

The server owns this state; the candidate's page only renders it. Status is what HR sees
(invited → consented | declined → in progress → completed); the step and phase say where in
the candidate's journey the interview is. Anything else is refused with `FlowError`, which the
WebSocket layer turns into an `out_of_order` error for the client.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Status(StrEnum):
    INVITED = "invited"
    CONSENTED = "consented"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    DISCONNECTED = "disconnected"  # in progress, the candidate away within the resume grace period
    INTERRUPTED = "interrupted"  # the grace period ran out; HR can reopen the interview
    COMPLETED = "completed"
    EXPIRED = "expired"


class Step(StrEnum):
    CONSENT = "consent"
    DEVICE_CHECK = "device_check"
    PRACTICE = "practice"
    READY = "ready"  # practice done; the first real question is one click away
    QUESTION = "question"
    DONE = "done"
    DECLINED = "declined"
    INTERRUPTED = "interrupted"
    EXPIRED = "expired"


class Phase(StrEnum):
    IDLE = "idle"
    THINKING = "thinking"
    ANSWERING = "answering"


class EventKind(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    DEVICE_OK = "device_ok"
    START_ANSWER = "start_answer"  # the candidate starts before the think time is over
    THINK_TIMEOUT = "think_timeout"
    FINISH_ANSWER = "finish_answer"
    ANSWER_TIMEOUT = "answer_timeout"
    BEGIN_INTERVIEW = "begin_interview"


class EffectKind(StrEnum):
    START_THINKING = "start_thinking"
    START_ANSWER = "start_answer"
    FINISH_ANSWER = "finish_answer"
    COMPLETE = "complete"


PRACTICE = -1  # the question index of the practice question


@dataclass(frozen=True)
class Event:
    kind: EventKind
    # Which question the event is about (PRACTICE, or a 0-based index); None when it does not
    # matter. A stale event — a double click, a timer that fired after the candidate moved on —
    # names an index that no longer matches and is refused.
    question: int | None = None


@dataclass(frozen=True)
class Effect:
    kind: EffectKind
    question: int  # PRACTICE or a 0-based index


class FlowError(Exception):
    """An event that the interview's current state does not allow."""


@dataclass(frozen=True)
class Flow:
    status: Status
    step: Step
    question_count: int
    question: int = PRACTICE
    phase: Phase = Phase.IDLE

    @classmethod
    def initial(cls, question_count: int) -> Flow:
        return cls(Status.INVITED, Step.CONSENT, question_count)

    @classmethod
    def resume(cls, status: Status, question: int, question_count: int) -> Flow:
        """Where a new connection picks up an interview from its stored status."""
        match status:
            case Status.INVITED:
                return cls.initial(question_count)
            case Status.CONSENTED:
                return cls(status, Step.DEVICE_CHECK, question_count)
            case Status.DECLINED:
                return cls(status, Step.DECLINED, question_count)
            case Status.IN_PROGRESS | Status.DISCONNECTED:
                return cls(Status.IN_PROGRESS, Step.QUESTION, question_count, question, Phase.THINKING)
            case Status.INTERRUPTED:
                return cls(status, Step.INTERRUPTED, question_count, question)
            case Status.COMPLETED:
                return cls(status, Step.DONE, question_count)
            case Status.EXPIRED:
                return cls(status, Step.EXPIRED, question_count)

    @property
    def terminal(self) -> bool:
        """Nothing the candidate does can change this interview any more."""
        return self.status in {Status.DECLINED, Status.COMPLETED, Status.INTERRUPTED, Status.EXPIRED}


def advance(flow: Flow, event: Event) -> tuple[Flow, tuple[Effect, ...]]:
    """Apply one event; raise FlowError if it is not allowed now."""
    if event.question is not None and event.question != flow.question:
        raise FlowError(f"{event.kind} names question {event.question}, but the current one is {flow.question}")
    match (flow.step, flow.phase, event.kind):
        case (Step.CONSENT, _, EventKind.ACCEPT):
            return replace(flow, status=Status.CONSENTED, step=Step.DEVICE_CHECK), ()
        case (Step.CONSENT, _, EventKind.DECLINE):
            return replace(flow, status=Status.DECLINED, step=Step.DECLINED), ()
        case (Step.DEVICE_CHECK, _, EventKind.DEVICE_OK):
            practice = replace(flow, step=Step.PRACTICE, question=PRACTICE, phase=Phase.THINKING)
            return practice, (Effect(EffectKind.START_THINKING, PRACTICE),)
        case (Step.PRACTICE | Step.QUESTION, Phase.THINKING, EventKind.START_ANSWER | EventKind.THINK_TIMEOUT):
            return replace(flow, phase=Phase.ANSWERING), (Effect(EffectKind.START_ANSWER, flow.question),)
        case (Step.PRACTICE, Phase.ANSWERING, EventKind.FINISH_ANSWER | EventKind.ANSWER_TIMEOUT):
            return replace(flow, step=Step.READY, phase=Phase.IDLE), (Effect(EffectKind.FINISH_ANSWER, PRACTICE),)
        case (Step.READY, _, EventKind.BEGIN_INTERVIEW):
            first = replace(flow, status=Status.IN_PROGRESS, step=Step.QUESTION, question=0, phase=Phase.THINKING)
            return first, (Effect(EffectKind.START_THINKING, 0),)
        case (Step.QUESTION, Phase.ANSWERING, EventKind.FINISH_ANSWER | EventKind.ANSWER_TIMEOUT):
            finished = Effect(EffectKind.FINISH_ANSWER, flow.question)
            following = flow.question + 1
            if following < flow.question_count:
                nxt = replace(flow, question=following, phase=Phase.THINKING)
                return nxt, (finished, Effect(EffectKind.START_THINKING, following))
            done = replace(flow, status=Status.COMPLETED, step=Step.DONE, question=PRACTICE, phase=Phase.IDLE)
            return done, (finished, Effect(EffectKind.COMPLETE, flow.question))
    raise FlowError(f"{event.kind} is not allowed during {flow.step}/{flow.phase}")
