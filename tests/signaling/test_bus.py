"""The in-process event bus: non-blocking publish, bounded per-subscriber queues that drop the oldest."""

from __future__ import annotations

import asyncio

import pytest

from signaling.bus import CaptionUpdated, EventBus, InterviewRef, StatusChanged, SubscriptionClosed

REF = InterviewRef(id=1, public_id="a" * 32, job_id=7, job_title="Engineer", department="QA",
                   candidate_name="Tess", question_count=3)


def caption(n: int) -> CaptionUpdated:
    return CaptionUpdated(interview=REF, question=0, text=f"caption {n}")


async def test_every_subscriber_gets_every_event_in_order():
    """Two subscribers each receive all published events, in publication order."""
    bus = EventBus()
    first, second = bus.subscribe(name="a"), bus.subscribe(name="b")
    events = [caption(n) for n in range(5)]
    for event in events:
        bus.publish(event)
    assert [await first.get() for _ in events] == events
    assert [await second.get() for _ in events] == events
    assert bus.published == 5 and bus.dropped == 0


async def test_a_full_queue_drops_the_oldest_and_counts_it():
    """A subscriber that does not read keeps only the newest `maxsize` events; the rest are counted as dropped."""
    bus = EventBus()
    slow = bus.subscribe(maxsize=3)
    for n in range(5):
        bus.publish(caption(n))  # never blocks, even though nobody reads
    assert len(slow) == 3
    assert slow.dropped == 2 and bus.dropped == 2
    assert [slow.get_nowait().text for _ in range(3)] == ["caption 2", "caption 3", "caption 4"]
    assert slow.get_nowait() is None


async def test_a_slow_subscriber_does_not_cost_a_fast_one_anything():
    """Drops are per subscriber: the one that keeps up loses nothing."""
    bus = EventBus()
    slow, fast = bus.subscribe(maxsize=2), bus.subscribe(maxsize=100)
    for n in range(10):
        bus.publish(caption(n))
    assert fast.dropped == 0 and len(fast) == 10
    assert slow.dropped == 8 and len(slow) == 2


async def test_get_waits_for_the_next_event():
    """A waiting reader wakes up when an event is published."""
    bus = EventBus()
    subscription = bus.subscribe()
    waiter = asyncio.create_task(subscription.get())
    await asyncio.sleep(0)
    assert not waiter.done()
    event = StatusChanged(interview=REF, status="in_progress", previous="consented")
    bus.publish(event)
    assert await asyncio.wait_for(waiter, 5) == event


async def test_closing_wakes_the_reader_and_unsubscribes():
    """close() ends a waiting get() and async iteration, and the bus stops delivering to it."""
    bus = EventBus()
    subscription = bus.subscribe()
    bus.publish(caption(0))
    received = []

    async def read() -> None:
        async for event in subscription:
            received.append(event)

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.01)
    subscription.close()
    await asyncio.wait_for(reader, 5)
    assert [e.text for e in received] == ["caption 0"]
    assert len(bus) == 0
    bus.publish(caption(1))
    assert len(subscription) == 0
    with pytest.raises(SubscriptionClosed):
        await subscription.get()
    subscription.close()  # idempotent


def test_a_subscription_needs_room():
    """A queue of size 0 would drop everything: refused."""
    with pytest.raises(ValueError):
        EventBus().subscribe(maxsize=0)
