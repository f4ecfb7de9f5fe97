"""The live dashboard's SQL on a real SQLite store: counts by status, scoping, and anomalies stored once."""

from __future__ import annotations

import pytest

from signaling import auth
from signaling.anomalies import AnomalyKind, NewAnomaly, interruption
from signaling.anomaly_store import AnomalyStore
from signaling.dashboard_store import COUNT_KEYS, DashboardStore, Scope
from signaling.flow import Status
from signaling.store import NewQuestion, Store


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "db.sqlite3")
    yield store
    await store.close()


async def invite(store: Store, job_id: int) -> int:
    interview = await store.create_interview(job_id=job_id, candidate_name="C", candidate_email="c@example.com",
                                             token_hash=auth.digest(auth.new_secret()), created_by=None)
    return interview.id


async def job(store: Store, department: str) -> int:
    created = await store.create_job(title=f"{department} job", department=department, language="en",
                                     created_by=None, questions=[NewQuestion("Q?", 10, 60)])
    return created.id


async def test_counts_by_status_with_opened_apart(store):
    """Invited splits into not opened and opened; every other status is counted as stored."""
    eng, sales = await job(store, "Engineering"), await job(store, "Sales")
    ids = [await invite(store, eng) for _ in range(5)] + [await invite(store, sales)]
    await store.mark_opened(ids[1])
    await store.set_progress(ids[2], Status.CONSENTED, -1)
    await store.set_progress(ids[3], Status.IN_PROGRESS, 0)
    await store.set_status(ids[4], Status.DISCONNECTED)
    dash = DashboardStore(store)
    counts = await dash.counts(Scope(None))
    assert list(counts) == list(COUNT_KEYS)
    assert counts == {"invited": 1 + 1, "opened": 1, "consented": 1, "declined": 0, "in_progress": 1,
                      "disconnected": 1, "completed": 0, "interrupted": 0, "expired": 0}
    assert sum((await dash.counts(Scope(frozenset({"Sales"})))).values()) == 1
    assert sum((await dash.counts(Scope(frozenset()))).values()) == 0  # a department head of no department
    assert sum((await dash.counts(Scope(None, job_id=sales))).values()) == 1
    assert sum((await dash.counts(Scope(frozenset({"Sales"}), department="Engineering"))).values()) == 0


async def test_live_rows_are_those_being_taken(store):
    """In progress and waiting interviews are live; consented ones only while the feed hears from them."""
    eng = await job(store, "Engineering")
    waiting, going, consented, invited = [await invite(store, eng) for _ in range(4)]
    await store.set_progress(going, Status.IN_PROGRESS, 0)
    await store.set_status(waiting, Status.DISCONNECTED)
    await store.set_progress(consented, Status.CONSENTED, -1)
    dash = DashboardStore(store)
    rows = await dash.live_rows(Scope(None), active=set())
    assert {r["id"] for r in rows} == {waiting, going}
    rows = await dash.live_rows(Scope(None), active={consented, invited})
    assert {r["id"] for r in rows} == {waiting, going, consented}
    assert await dash.live_rows(Scope(frozenset({"Sales"})), active={consented}) == []


async def test_an_interruption_is_stored_once_however_often_it_is_reported(store):
    """After a restart the same open interruption is reported again (in another phase): still one row."""
    interview = await invite(store, await job(store, "Engineering"))
    anomalies = AnomalyStore(store)
    first = await anomalies.add(interview, interruption(7, 0, "answering"), same="interruption")
    assert first["kind"] == "interruption" and first["detail"] == {"interruption": 7, "phase": "answering"}
    assert await anomalies.add(interview, interruption(7, 0, "thinking"), same="interruption") is None
    assert await anomalies.add(interview, interruption(8, 0, "thinking"), same="interruption") is not None
    device = NewAnomaly(AnomalyKind.DEVICE_CHECK_FAILED, None, {"camera": False})
    assert await anomalies.add(interview, device, once=True) is not None
    assert await anomalies.add(interview, device, once=True) is None
    listed = await anomalies.for_interview(interview)
    assert [a["kind"] for a in listed] == ["interruption", "interruption", "device_check_failed"]
    assert [a["kind"] for a in await anomalies.latest(Scope(None), limit=2)] == ["device_check_failed",
                                                                                 "interruption"]
    assert await anomalies.latest(Scope(frozenset({"Sales"}))) == []
