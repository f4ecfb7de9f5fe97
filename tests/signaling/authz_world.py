"""The world the authorization walk runs in: the real application, staff of every kind, and data
in two departments (tests/signaling/test_authorization_walk.py).

Department A holds a job, an interview answered over a real WebRTC connection (so there is an
encrypted recording), an anomaly, and a reviewer account that the admin-only user routes act
on; department B a job and an interview. Every name in department A carries `MARK`, so a
response that shows one to someone outside department A is a leak the walk can see.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import aiohttp
from fakes import FakeRecognizer
from staff_http import cookie_jar
from wsclient import Candidate, answer_one_question, make_interview

from signaling import auth
from signaling.app import create_app
from signaling.config import Settings
from signaling.keys import STORE
from signaling.records import Role
from signaling.sessions import COOKIE_NAME
from signaling.store import NewQuestion
from signaling.timeutil import utc_now

DEPT_A, DEPT_B = "Walk-A", "Walk-B"
MARK = "qx7a"
PASSWORD = "walk password 1234"
METRICS_TOKEN = "walk-metrics-token"
WEBHOOK_URL = "http://127.0.0.1:9/walk-hook"  # the discard port: nothing listens, nothing is sent anywhere


@dataclass
class Identity:
    """Who sends a request: nobody, or a staff member with their own cookie jar."""

    name: str
    http: aiohttp.ClientSession
    role: Role | None = None
    departments: frozenset[str] = frozenset()
    email: str | None = None
    user_id: int | None = None
    disabled: bool = False

    @property
    def session_id(self) -> str | None:
        for cookie in self.http.cookie_jar:
            if cookie.key == COOKIE_NAME and cookie.value:
                return cookie.value
        return None


@dataclass
class World:
    client: object
    app: object
    base: str
    identities: list[Identity]
    parameters: dict[str, list[str]]  # path parameter name → fixture values (the first that fits is used)
    # The same name meaning another object under some paths: (regex on the route, name, values), tried first.
    route_parameters: list[tuple[str, str, list[str]]]
    markers: tuple[str, ...]  # strings only department A's viewers may see
    target_user_id: int
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def store(self):
        return self.app[STORE]

    def who(self, name: str) -> Identity:
        return next(i for i in self.identities if i.name == name)

    async def log_in(self, identity: Identity) -> None:
        """A fresh session, stepped up (recordings need a second factor; the walk tests roles, not TOTP)."""
        async with identity.http.post("/api/login", json={"email": identity.email, "password": PASSWORD},
                                      headers={"Origin": self.base}) as r:
            if r.status != 200:
                raise AssertionError(f"log-in of {identity.name} failed: {r.status} {await r.text()}")
        await self.store.run("UPDATE sessions SET stepped_up_at = ? WHERE user_id = ?",
                             (time.time(), identity.user_id))

    async def still_signed_in(self, identity: Identity) -> bool:
        async with identity.http.get("/api/me") as r:
            return r.status == 200

    async def close(self) -> None:
        for identity in self.identities:
            await identity.http.close()


async def _dept_a_interview(app, client, base: str):
    store = app[STORE]
    token = await make_interview(app, department=DEPT_A)
    candidate = Candidate(await client.ws_connect("/ws", headers={"Origin": base}))
    await answer_one_question(candidate, token)
    await candidate.close()
    (summary,) = [s for s in await store.interviews() if s.department == DEPT_A]
    interview = summary.interview
    await store.run("UPDATE jobs SET title = ? WHERE id = ?", (f"Job A {MARK}", interview.job_id))
    await store.run("UPDATE interviews SET candidate_name = ?, candidate_email = ? WHERE id = ?",
                    (f"Candidate A {MARK}", f"candidate-a-{MARK}@example.com", interview.id))
    (recording,) = await store.recordings.for_interview(interview.id)
    job = await store.job(interview.job_id)
    return job, interview, recording


async def build_world(aiohttp_client, tmp_path) -> World:
    app = create_app(Settings(data_dir=tmp_path / "data", metrics_token=METRICS_TOKEN), recognizer=FakeRecognizer())
    client = await aiohttp_client(app)
    base = str(client.make_url("/")).rstrip("/")
    store = app[STORE]

    job_a, interview_a, recording = await _dept_a_interview(app, client, base)
    job_b = await store.create_job(title="Job B", department=DEPT_B, language="en", created_by=None,
                                   questions=[NewQuestion("A question of B?", 10, 60)])
    await store.create_interview(job_id=job_b.id, candidate_name="Candidate B", candidate_email="b@example.com",
                                 token_hash=auth.digest(auth.new_secret()), created_by=None)

    def session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(base_url=base, cookie_jar=cookie_jar(base))

    password_hash = auth.hash_password(PASSWORD)
    people = [("admin", Role.ADMIN, set()), ("hr", Role.HR, set()), ("dept_head_a", Role.DEPT_HEAD, {DEPT_A}),
              ("reviewer_a", Role.REVIEWER, {DEPT_A}), ("dept_head_b", Role.DEPT_HEAD, {DEPT_B}),
              ("disabled_hr", Role.HR, set())]
    identities = [Identity("anonymous", session())]
    for name, role, departments in people:
        staff = await store.staff.create(email=f"{name}@example.com", display_name=name, role=role,
                                         departments=departments, password_hash=password_hash)
        identities.append(Identity(name, session(), role, frozenset(departments), staff.user.email, staff.user.id))
    target = await store.staff.create(email=f"target-{MARK}@example.com", display_name=f"Target {MARK}",
                                      role=Role.REVIEWER, departments={DEPT_A}, password_hash=password_hash)
    world = World(client, app, base, identities, {}, [], (), target.user.id)
    for identity in identities[1:]:
        await world.log_in(identity)
    disabled = world.who("disabled_hr")
    await store.accounts.set_disabled(disabled.user_id, True)  # after it signed in: its cookie is dead now
    disabled.disabled = True

    now = utc_now()
    for n in range(3):  # the last one's id differs from every job question's, so a mix-up shows as a 404
        bank_id = await _insert(store, "INSERT INTO bank_questions (text, language, competencies, think_seconds, "
                                       "answer_seconds, created_at) VALUES (?, 'en', '[]', 10, 60, ?)",
                                (f"Bank question {n} of the walk?", now))
    anomaly_id = await _insert(store, "INSERT INTO anomalies (interview_id, kind, question, detail, at) "
                                      "VALUES (?, 'long_silence', 0, '{}', ?)", (interview_a.id, now))
    webhook_id, delivery_ids = await _webhook(world)

    question_id = str(job_a.questions[0].id)
    world.parameters = {
        "job_id": [str(job_a.id)],
        "public_id": [interview_a.public_id],
        "interview_id": [interview_a.public_id, str(interview_a.id)],
        "recording_id": [recording.id],
        "part": ["1"],
        "question_id": [question_id],
        "position": ["0"],
        "bank_id": [str(bank_id)],
        "bank_question_id": [str(bank_id)],
        "question_bank_id": [str(bank_id)],
        "webhook_id": [str(webhook_id)],
        "delivery_id": delivery_ids,  # the public id the API shows, or the row id
        "anomaly_id": [str(anomaly_id)],
        "user_id": [str(target.user.id)],
        "department": [DEPT_A],
    }
    world.route_parameters = [
        (r"^/api/bank/", "question_id", [str(bank_id)]),
    ]
    world.markers = (MARK, interview_a.public_id, recording.id)
    return world


async def _insert(store, sql: str, params: tuple) -> int:
    async with store.transaction() as conn:
        cursor = await conn.execute(sql, params)
        return cursor.lastrowid


async def _webhook(world: World) -> tuple[int, list[str]]:
    """A subscription and one delivery of it, made through the admin API like an admin would."""
    from signaling.webhooks_api import EVENT_TYPES

    admin = world.who("admin")
    headers = {"Origin": world.base}
    async with admin.http.post("/api/webhooks", headers=headers,
                               json={"url": WEBHOOK_URL, "events": [str(EVENT_TYPES[0])]}) as r:
        body = await r.json()
        if r.status != 201:
            raise AssertionError(f"the walk could not create its webhook: {r.status} {body}")
    webhook_id = body["webhook"]["id"]
    async with admin.http.post(f"/api/webhooks/{webhook_id}/ping", headers=headers) as r:
        if r.status >= 300:
            raise AssertionError(f"the walk could not ping its webhook: {r.status} {await r.text()}")
        delivery = (await r.json()).get("delivery")
    row = await world.store.one("SELECT id FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id LIMIT 1",
                                (webhook_id,))
    if row is None:
        raise AssertionError("pinging the walk's webhook made no delivery row")
    return webhook_id, [str(v) for v in (delivery, row["id"]) if v is not None]
