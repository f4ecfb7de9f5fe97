"""The seats and the line (signaling/admission.py) as plain objects: a fake clock, and a dict saying
what each interview is doing."""

from __future__ import annotations

import pytest

from signaling.admission import MIN_SAMPLES, Admission, Place, SeatUse, wait_estimates


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Waiter:
    def __init__(self) -> None:
        self.places: list[Place] = []
        self.admissions = 0

    def queued(self, place: Place) -> None:
        self.places.append(place)

    def admitted(self) -> None:
        self.admissions += 1

    @property
    def position(self) -> int:
        return self.places[-1].position


class World:
    """An Admission over interviews whose use the test sets: `world.uses[id] = SeatUse.…`."""

    def __init__(self, capacity: int, hold: float = 60.0) -> None:
        self.clock = Clock()
        self.uses: dict[int, SeatUse] = {}
        self.waits: list[float] = []
        self.admission = Admission(capacity, lambda i: self.uses.get(i, SeatUse.GONE), hold_seconds=hold,
                                   clock=self.clock, on_admit=self.waits.append)

    def enter(self, interview_id: int, waiter: Waiter | None = None) -> bool:
        self.uses[interview_id] = SeatUse.CONNECTED
        return self.admission.enter(interview_id, waiter or Waiter())


def test_seats_first_then_a_fifo_line():
    """Up to capacity everyone is seated; after that each waits in arrival order and is told their place."""
    world = World(capacity=2)
    assert world.enter(1) and world.enter(2)
    third, fourth = Waiter(), Waiter()
    assert not world.enter(3, third)
    assert not world.enter(4, fourth)
    assert (third.position, fourth.position) == (1, 2)
    assert (world.admission.seats_in_use, world.admission.waiting) == (2, 2)


def test_a_completed_interview_frees_its_seat_for_the_first_in_line():
    """The seat goes to the first in line (told `admitted`), and the rest move up by one."""
    world = World(capacity=1)
    world.enter(1)
    second, third = Waiter(), Waiter()
    world.enter(2, second)
    world.enter(3, third)
    world.clock.now += 30
    world.uses[1] = SeatUse.COMPLETED
    world.admission.reconcile()
    assert (second.admissions, third.admissions) == (1, 0)
    assert [p.position for p in third.places] == [2, 1]
    assert world.admission.seated(2) and not world.admission.seated(1)
    assert world.waits == [30.0]


def test_places_are_told_only_when_they_change():
    """Re-checking without any change sends nothing (the page announces every message it gets)."""
    world = World(capacity=1)
    world.enter(1)
    waiter = Waiter()
    world.enter(2, waiter)
    for _ in range(5):
        world.clock.now += 1
        world.admission.reconcile()
    assert len(waiter.places) == 1


def test_an_interview_waiting_for_its_candidate_keeps_its_seat():
    """Away within the grace period: the seat stays, however long; the line does not move."""
    world = World(capacity=1, hold=60)
    world.enter(1)
    waiter = Waiter()
    world.enter(2, waiter)
    world.uses[1] = SeatUse.AWAY
    world.clock.now += 3600
    world.admission.reconcile()
    assert waiter.admissions == 0 and world.admission.seated(1)
    assert world.enter(1)  # back: straight in


def test_a_seat_nobody_waits_for_is_held_then_freed():
    """A candidate who left before the questions keeps the seat for the hold time only."""
    world = World(capacity=1, hold=60)
    world.enter(1)
    waiter = Waiter()
    world.enter(2, waiter)
    world.uses[1] = SeatUse.GONE
    world.admission.reconcile()
    world.clock.now += 59
    world.admission.reconcile()
    assert waiter.admissions == 0
    world.clock.now += 1
    world.admission.reconcile()
    assert waiter.admissions == 1


def test_a_seat_holder_back_within_the_hold_keeps_it():
    world = World(capacity=1, hold=60)
    world.enter(1)
    waiter = Waiter()
    world.enter(2, waiter)
    world.uses[1] = SeatUse.GONE
    world.admission.reconcile()
    world.clock.now += 30
    assert world.enter(1)
    world.clock.now += 60
    world.admission.reconcile()
    assert waiter.admissions == 0


def test_a_waiting_candidate_who_leaves_keeps_the_place_for_the_hold_only():
    world = World(capacity=1, hold=60)
    world.enter(1)
    leaver, behind = Waiter(), Waiter()
    world.enter(2, leaver)
    world.enter(3, behind)
    world.admission.left(2, leaver)
    world.clock.now += 30
    world.admission.reconcile()
    assert behind.position == 2
    world.clock.now += 30
    world.admission.reconcile()
    assert behind.position == 1 and world.admission.waiting == 1


def test_a_place_whose_candidate_is_away_when_a_seat_frees_is_seated_and_held():
    """The first in line is momentarily disconnected when the seat frees: it is theirs, held for the
    hold time, and the next in line does not jump ahead."""
    world = World(capacity=1, hold=60)
    world.enter(1)
    first, second = Waiter(), Waiter()
    world.enter(2, first)
    world.enter(3, second)
    world.admission.left(2, first)
    world.uses[2] = SeatUse.GONE
    world.uses[1] = SeatUse.COMPLETED
    world.admission.reconcile()
    assert world.admission.seated(2) and second.admissions == 0 and second.position == 1
    back = Waiter()
    assert world.enter(2, back)  # back within the hold: the seat is theirs
    assert back.places == []


def test_a_withdrawn_candidate_gives_up_place_and_seat_at_once():
    world = World(capacity=1)
    seated, waiting, behind = Waiter(), Waiter(), Waiter()
    world.enter(1, seated)
    world.enter(2, waiting)
    world.enter(3, behind)
    world.admission.left(2, waiting, for_good=True)
    assert behind.position == 1
    world.uses[1] = SeatUse.AWAY  # would be kept through the grace period, but the link was withdrawn
    world.admission.left(1, seated, for_good=True)
    assert behind.admissions == 1


def test_a_newer_connection_takes_over_a_place_and_the_old_one_leaving_changes_nothing():
    world = World(capacity=1)
    world.enter(1)
    old, new, behind = Waiter(), Waiter(), Waiter()
    world.enter(2, old)
    world.enter(3, behind)
    assert not world.enter(2, new)
    assert new.position == 1
    world.admission.left(2, old)
    world.clock.now += 3600
    world.admission.reconcile()
    assert world.admission.waiting == 2 and behind.position == 2


def test_interviews_running_at_start_up_keep_seats_above_capacity():
    """Seated at start-up (waiting for their candidates): nobody is admitted until below capacity."""
    world = World(capacity=1)
    for interview_id in (1, 2):
        world.uses[interview_id] = SeatUse.AWAY
        world.admission.occupy(interview_id)
    waiter = Waiter()
    assert not world.enter(3, waiter)
    world.uses[1] = SeatUse.ENDED
    world.admission.reconcile()
    assert waiter.admissions == 0
    world.uses[2] = SeatUse.ENDED
    world.admission.reconcile()
    assert waiter.admissions == 1


def test_the_estimate_comes_from_completed_interviews_only_once_there_are_enough():
    """No estimate until MIN_SAMPLES interviews have completed here; then the median duration is used."""
    world = World(capacity=1)
    waiter = Waiter()
    for done in range(100, 100 + MIN_SAMPLES):
        world.enter(done)
        world.clock.now += 600
        world.uses[done] = SeatUse.COMPLETED
        world.admission.reconcile()
    world.enter(200)  # seated now, expected to take 600 s
    world.clock.now += 120
    world.enter(1, waiter)
    assert waiter.places[-1].estimate_seconds == 480
    later = Waiter()
    world.enter(2, later)
    assert later.places[-1].estimate_seconds == 480 + 600


def test_abandoned_seats_do_not_count_as_interview_durations():
    world = World(capacity=1)
    for interview_id in range(MIN_SAMPLES + 2):
        world.enter(interview_id)
        world.clock.now += 5
        world.uses[interview_id] = SeatUse.ENDED
        world.admission.reconcile()
    assert world.admission.estimates() is None


@pytest.mark.parametrize(("free_in", "capacity", "expected"), [
    ([100.0, 300.0], 2, [100.0, 300.0, 700.0]),  # seats free at 100 and 300; each interview takes 600
    ([100.0], 2, [0.0, 100.0, 600.0]),  # a seat is free now
    ([100.0, 200.0, 300.0], 2, [200.0, 300.0, 800.0]),  # one above capacity: its seat is not refilled
])
def test_wait_estimates_follow_the_seats_as_they_free(free_in, capacity, expected):
    assert wait_estimates(3, free_in, capacity, typical=600.0) == expected
