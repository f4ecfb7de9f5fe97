"""The interview state machine, as a pure function."""

import pytest

from signaling.flow import PRACTICE, Effect, EffectKind, Event, EventKind, Flow, FlowError, Phase, Status, Step, advance


def run(flow: Flow, *events: Event) -> tuple[Flow, list[Effect]]:
    effects: list[Effect] = []
    for event in events:
        flow, new = advance(flow, event)
        effects.extend(new)
    return flow, effects


def through_practice(count: int = 2) -> Flow:
    flow, _ = run(
        Flow.initial(count),
        Event(EventKind.ACCEPT),
        Event(EventKind.DEVICE_OK),
        Event(EventKind.START_ANSWER, PRACTICE),
        Event(EventKind.FINISH_ANSWER, PRACTICE),
    )
    return flow


def test_accept_leads_to_device_check():
    """Accepting consent records the consent and moves to the device check."""
    flow, effects = run(Flow.initial(3), Event(EventKind.ACCEPT))
    assert (flow.status, flow.step) == (Status.CONSENTED, Step.DEVICE_CHECK)
    assert effects == []


def test_decline_is_terminal():
    """Declining ends the interview; nothing else is accepted afterwards."""
    flow, _ = run(Flow.initial(3), Event(EventKind.DECLINE))
    assert (flow.status, flow.step, flow.terminal) == (Status.DECLINED, Step.DECLINED, True)
    for kind in EventKind:
        with pytest.raises(FlowError):
            advance(flow, Event(kind))


def test_practice_is_not_a_question():
    """The practice question runs think → answer → ready without touching question 0."""
    flow, effects = run(Flow.initial(2), Event(EventKind.ACCEPT), Event(EventKind.DEVICE_OK))
    assert (flow.step, flow.phase, flow.question) == (Step.PRACTICE, Phase.THINKING, PRACTICE)
    assert effects == [Effect(EffectKind.START_THINKING, PRACTICE)]
    flow, effects = run(flow, Event(EventKind.THINK_TIMEOUT, PRACTICE), Event(EventKind.FINISH_ANSWER, PRACTICE))
    assert (flow.step, flow.status) == (Step.READY, Status.CONSENTED)
    assert effects == [Effect(EffectKind.START_ANSWER, PRACTICE), Effect(EffectKind.FINISH_ANSWER, PRACTICE)]


def test_full_interview_reaches_completed():
    """Each question thinks, answers and finishes; the last finish completes the interview."""
    flow = through_practice(2)
    flow, effects = run(
        flow,
        Event(EventKind.BEGIN_INTERVIEW),
        Event(EventKind.START_ANSWER, 0),
        Event(EventKind.ANSWER_TIMEOUT, 0),
        Event(EventKind.THINK_TIMEOUT, 1),
        Event(EventKind.FINISH_ANSWER, 1),
    )
    assert (flow.status, flow.step, flow.terminal) == (Status.COMPLETED, Step.DONE, True)
    assert [e.kind for e in effects] == [
        EffectKind.START_THINKING, EffectKind.START_ANSWER, EffectKind.FINISH_ANSWER, EffectKind.START_THINKING,
        EffectKind.START_ANSWER, EffectKind.FINISH_ANSWER, EffectKind.COMPLETE,
    ]
    assert [e.question for e in effects if e.kind is EffectKind.FINISH_ANSWER] == [0, 1]


def test_begin_moves_status_to_in_progress():
    """The interview is in progress from the first real question on."""
    flow, _ = run(through_practice(), Event(EventKind.BEGIN_INTERVIEW))
    assert (flow.status, flow.step, flow.question, flow.phase) == (Status.IN_PROGRESS, Step.QUESTION, 0, Phase.THINKING)


@pytest.mark.parametrize(
    "events",
    [
        [Event(EventKind.DEVICE_OK)],  # device check before consent
        [Event(EventKind.ACCEPT), Event(EventKind.ACCEPT)],  # consent twice
        [Event(EventKind.ACCEPT), Event(EventKind.BEGIN_INTERVIEW)],  # skipping the device check
        # finishing while still thinking
        [Event(EventKind.ACCEPT), Event(EventKind.DEVICE_OK), Event(EventKind.FINISH_ANSWER, PRACTICE)],
        [Event(EventKind.ACCEPT), Event(EventKind.DECLINE)],  # decline after accepting
    ],
)
def test_out_of_order_events_are_refused(events):
    """Events the current step does not allow raise FlowError."""
    flow = Flow.initial(2)
    with pytest.raises(FlowError):
        run(flow, *events)


def test_stale_question_events_are_refused():
    """A timer or click naming a question the interview has left is refused (fencing)."""
    flow, _ = run(through_practice(3), Event(EventKind.BEGIN_INTERVIEW), Event(EventKind.START_ANSWER, 0),
                  Event(EventKind.FINISH_ANSWER, 0))
    assert flow.question == 1
    with pytest.raises(FlowError):
        advance(flow, Event(EventKind.THINK_TIMEOUT, 0))
    with pytest.raises(FlowError):
        advance(flow, Event(EventKind.FINISH_ANSWER, 0))


def test_resume_from_stored_status():
    """A new connection picks up from the stored status and question."""
    assert Flow.resume(Status.INVITED, -1, 3).step is Step.CONSENT
    assert Flow.resume(Status.CONSENTED, -1, 3).step is Step.DEVICE_CHECK
    resumed = Flow.resume(Status.IN_PROGRESS, 2, 3)
    assert (resumed.step, resumed.question, resumed.phase) == (Step.QUESTION, 2, Phase.THINKING)
    assert Flow.resume(Status.COMPLETED, 2, 3).terminal
