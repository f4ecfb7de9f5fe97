"""The SQLite store: migrations, sessions and retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from signaling import auth
from signaling.records import Role
from signaling.retention import purge_expired
from signaling.schema import MIGRATIONS
from signaling.store import NewAnswer, NewQuestion, Store

NO_RECORDINGS = None  # these stores hold no recordings, so the purge never calls the service


async def make_answer(store: Store) -> int:
    job = await store.create_job(title="J", department="D", language="en", created_by=None,
                                 questions=[NewQuestion("Q?", 10, 60)])
    interview = await store.create_interview(job_id=job.id, candidate_name="C", candidate_email="c@example.com",
                                             token_hash=auth.digest(auth.new_secret()), created_by=None)
    await store.save_answer(NewAnswer(
        interview_id=interview.id, question_id=job.questions[0].id, status="scored", transcript="hello",
        words=[], score=50, explanation={}, answer_started_at="x", answer_ended_at="y",
        answered_seconds=1.0, audio_seconds=1.0,
    ))
    return interview.id


async def test_schema_is_migrated_once(tmp_path):
    """Opening a database applies every migration once; reopening applies none."""
    store = await Store.open(tmp_path / "db.sqlite3")
    await store.close()
    store = await Store.open(tmp_path / "db.sqlite3")
    row = await store.one("PRAGMA user_version")
    assert row[0] == len(MIGRATIONS)
    await store.close()


async def test_expired_answers_are_purged_and_recent_ones_kept(tmp_path):
    """The retention purge deletes answers older than the retention period, and only those."""
    store = await Store.open(tmp_path / "db.sqlite3")
    interview_id = await make_answer(store)
    assert await purge_expired(store, NO_RECORDINGS, days=180) == 0
    assert len(await store.answers(interview_id)) == 1
    later = datetime.now(UTC) + timedelta(days=181)
    assert await purge_expired(store, NO_RECORDINGS, days=180, now=later) == 1
    assert await store.answers(interview_id) == []
    await store.close()


async def test_sessions_expire_when_idle(tmp_path):
    """A session unused for longer than the idle timeout no longer authenticates and is deleted."""
    store = await Store.open(tmp_path / "db.sqlite3")
    user = await store.create_user("hr@example.com", "HR", auth.hash_password("correct horse battery"), Role.HR)
    await store.create_session("h1", user.id)
    assert await store.session_user("h1", idle_seconds=60, max_seconds=3600) == user
    await store.run("UPDATE sessions SET last_seen_at = last_seen_at - 120 WHERE id_hash = 'h1'")
    assert await store.session_user("h1", idle_seconds=60, max_seconds=3600) is None
    assert await store.one("SELECT 1 FROM sessions WHERE id_hash = 'h1'") is None
    await store.close()


async def test_upgrade_from_an_older_schema_keeps_the_data(tmp_path):
    """A database made by an older Intervox is migrated in place: rows and references survive."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        for number, script in enumerate(MIGRATIONS[:2], start=1):
            db.executescript(script)
            db.execute(f"PRAGMA user_version = {number}")
        db.execute("INSERT INTO jobs (id, title, department, language, created_at) VALUES (1, 'J', 'D', 'en', 'x')")
        db.execute("INSERT INTO interviews (id, public_id, job_id, candidate_name, candidate_email, token_hash, "
                   "status, created_at) VALUES (7, 'p', 1, 'C', 'c@example.com', 'h', 'in_progress', 'x')")
    store = await Store.open(path)
    interview = await store.interview("p")
    assert (interview.id, interview.status.value) == (7, "in_progress")
    assert (await store.one("PRAGMA user_version"))[0] == len(MIGRATIONS)
    assert (await store.one("PRAGMA foreign_keys"))[0] == 1
    await store.close()
