"""The HR live dashboard's WebSocket (`GET /ws/hr`): counts, the interviews being taken, and
anomalies, as a snapshot on `subscribe` and then as deltas within a second of each event.

Who (`Access.DEPARTMENT`): HR and administrators see every department; department heads and
reviewers see only their own departments. Reviewers are let in on purpose: they can already read
the transcripts and scores of their departments' interviews as each answer is stored (the review
list includes interviews in progress), so the live view shows them nothing new but the captions a
few seconds earlier, the connection quality and the anomalies that explain what they review. A
narrower rule would add a second department vocabulary without protecting any data.

Security: the handshake needs a valid staff session cookie and the server's own Origin (the
`origin_check` middleware refuses the rest before this handler runs). Every message the page
sends is parsed strictly and authorised again against the session as it is *now*; every
`RECHECK_SECONDS` the session, the account and its departments are checked again without
counting as activity, and a disabled account, an expired session or lost access ends the socket.

Flow control: the bus gives this socket a bounded queue; a bounded outbox feeds the writer task.
A socket that falls behind (either overflows) is closed — the page reconnects and starts over
from a snapshot — and the interviews never wait for it. Only the handler reads the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

from .access import SEES_ALL
from .bus import (
    AnomalyRaised,
    AnswerStored,
    CaptionUpdated,
    Event,
    InterruptionChanged,
    InterviewRef,
    ProgressChanged,
    QualitySampled,
    StatusChanged,
)
from .dashboard_store import DashboardStore, Scope
from .hr_live_protocol import LiveErrorCode, LiveProtocolError, Ping, Subscribe, parse
from .keys import SOCKETS, STORE
from .live_feed import FEED, LiveFeed
from .policy import Access, rule
from .records import Role, StaffUser
from .sessions import IDLE_SECONDS, MAX_SECONDS, require_session
from .store import Store

log = logging.getLogger(__name__)

LIVE_ROLES = frozenset(Role)  # every staff role; what each sees is scoped by department below
RECHECK_SECONDS = 10.0
RECOUNT_SECONDS = 10.0  # counts also change without a live event (new invitations, HR reopening one)
COUNT_DEBOUNCE = 0.2  # a burst of status changes is counted once
HEARTBEAT_SECONDS = 15.0  # a message at least this often, so the page can tell a dead connection
QUEUE_SIZE = 1024  # bus events waiting for this socket
OUTBOX_SIZE = 256  # messages waiting for the network
ANOMALY_LIMIT = 50
MAX_ERRORS = 20


class CloseCode:
    BAD_INPUT = 4400
    UNAUTHORIZED = 4401  # the session ended or the account was disabled
    FORBIDDEN = 4403  # the account may no longer watch what it subscribed to
    TOO_SLOW = 4408  # the socket fell behind; reconnect for a fresh snapshot


class _Closed(Exception):
    """The socket is being closed (with `self.code`)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _scope_departments(staff: StaffUser) -> frozenset[str] | None:
    return None if staff.user.role in SEES_ALL else staff.departments


def _ref_json(ref: InterviewRef) -> dict[str, Any]:
    return {"id": ref.public_id, "candidate_name": ref.candidate_name, "job_id": ref.job_id,
            "job_title": ref.job_title, "department": ref.department, "question_count": ref.question_count,
            "language": ref.language}


class LiveWatcher:
    """One HR dashboard socket: its scope, its bus subscription, its outbox and its tasks."""

    def __init__(self, ws: web.WebSocketResponse, *, store: Store, feed: LiveFeed, id_hash: str,
                 staff: StaffUser) -> None:
        self._ws = ws
        self._store = store
        self._dash = DashboardStore(store)
        self._feed = feed
        self._id_hash = id_hash
        self._staff = staff
        self._scope: Scope | None = None  # nothing is sent before the first subscribe
        self._generation = 0  # bumped by each snapshot: events taken before it are stale
        self._lock = asyncio.Lock()  # a snapshot and the deltas after it go out in order
        self._counts: dict[str, int] | None = None
        self._recount = asyncio.Event()
        self._errors = 0
        self._outbox: asyncio.Queue[str | None] = asyncio.Queue(OUTBOX_SIZE)
        self._subscription = feed.bus.subscribe(maxsize=QUEUE_SIZE, name="hr-live")
        self._closing: _Closed | None = None
        self._closer: asyncio.Task[bool] | None = None
        self._tasks = [asyncio.create_task(coro, name=f"hr-live-{name}") for name, coro in (
            ("writer", self._write()), ("pump", self._pump()), ("counter", self._counter()),
            ("guard", self._guard()))]

    # sending

    def _send(self, kind: str, **fields: Any) -> None:
        if self._closing is not None:
            return
        try:
            self._outbox.put_nowait(json.dumps({"v": 1, "type": kind, **fields}, ensure_ascii=False))
        except asyncio.QueueFull:
            self._close_soon(_Closed(CloseCode.TOO_SLOW, "too slow"))

    async def _write(self) -> None:
        while (text := await self._outbox.get()) is not None:
            try:
                await self._ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    def _close_soon(self, closed: _Closed) -> None:
        """Stop sending and close the socket (from any task); the handler's read loop then ends."""
        if self._closing is not None:
            return
        self._closing = closed
        log.info("HR live socket of user %d closed: %s", self._staff.user.id, closed.reason)
        self._closer = asyncio.create_task(self._ws.close(code=closed.code, message=closed.reason.encode()),
                                           name="hr-live-close")

    # the page's messages (only this handler reads the socket)

    async def run(self) -> None:
        async for message in self._ws:
            if self._closing is not None:
                return
            if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                return
            try:
                parsed = parse(message.data)
                await self._handle(parsed)
            except LiveProtocolError as error:
                self._errors += 1
                self._send_error(error)
                if self._errors > MAX_ERRORS:
                    self._close_soon(_Closed(CloseCode.BAD_INPUT, "too many invalid messages"))
            except _Closed as closed:
                self._close_soon(closed)

    def _send_error(self, error: LiveProtocolError) -> None:
        self._send("error", error=error.to_json()["error"], ref=error.ref)

    async def _handle(self, message: Subscribe | Ping) -> None:
        if isinstance(message, Ping):
            await self._authorise(touch=False)
            self._send("pong", ref=message.ref)
            return
        staff = await self._authorise(touch=True)  # choosing what to watch is activity
        scope = await self._scope_for(staff, message)
        await self._subscribe(scope, ref=message.ref)

    async def _authorise(self, *, touch: bool) -> StaffUser:
        """The account as it is now; raises _Closed if it may no longer watch at all."""
        if touch:
            found = await self._store.session(self._id_hash, idle_seconds=IDLE_SECONDS, max_seconds=MAX_SECONDS)
            user_id = found[0].id if found else None
        else:
            user_id = await self._dash.session_alive(self._id_hash, idle_seconds=IDLE_SECONDS, max_seconds=MAX_SECONDS)
        if user_id is None:
            raise _Closed(CloseCode.UNAUTHORIZED, "session ended")
        staff = await self._store.staff.get(user_id)
        if staff is None or staff.user.disabled or staff.user.role not in LIVE_ROLES:
            raise _Closed(CloseCode.FORBIDDEN, "no access")
        self._staff = staff
        return staff

    async def _scope_for(self, staff: StaffUser, message: Subscribe) -> Scope:
        departments = _scope_departments(staff)
        if message.department is not None and departments is not None and message.department not in departments:
            raise LiveProtocolError(LiveErrorCode.FORBIDDEN, "you do not watch this department", field="department",
                                    ref=message.ref)
        if message.job_id is not None:
            department = await self._dash.job_department(message.job_id)
            if department is None or (departments is not None and department not in departments):
                raise LiveProtocolError(LiveErrorCode.NOT_FOUND, "no such job", field="job_id", ref=message.ref)
        return Scope(departments, message.job_id, message.department)

    # snapshot, then deltas

    async def _subscribe(self, scope: Scope, *, ref: str | int | None) -> None:
        async with self._lock:
            while self._subscription.get_nowait() is not None:
                pass  # older than the snapshot read below, which already shows their effect
            self._generation += 1
            counts = await self._dash.counts(scope)
            rows = await self._dash.live_rows(scope, active=self._feed.active())
            anomalies = await self._feed.anomalies.latest(scope, limit=ANOMALY_LIMIT)
            jobs = await self._dash.jobs(scope.departments)
            departments = sorted({job["department"] for job in jobs} | (scope.departments or set()))
            self._scope, self._counts = scope, counts
            self._send("snapshot", ref=ref, filters={"job_id": scope.job_id, "department": scope.department},
                       counts=counts, interviews=[self._row_json(row) for row in rows], anomalies=anomalies,
                       jobs=jobs, departments=departments)

    def _row_json(self, row: dict[str, Any]) -> dict[str, Any]:
        view = self._feed.view(row["id"]) or {}
        return {
            "id": row["public_id"], "candidate_name": row["candidate_name"], "job_id": row["job_id"],
            "job_title": row["job_title"], "department": row["department"], "language": row["language"],
            "question_count": row["question_count"], "status": row["status"],
            "step": view.get("step"), "phase": view.get("phase"),
            "question": view["question"] if view.get("question") is not None else row["current_question"],
            "started_at": row["started_at"] or view.get("started_at"), "interruptions": row["interruptions"],
            "away": row["status"] == "disconnected", "caption": view.get("caption"), "quality": view.get("quality"),
            "answers": row["answers"],
        }

    async def _pump(self) -> None:
        async for event in self._subscription:
            generation = self._generation
            async with self._lock:
                if self._subscription.dropped:
                    self._close_soon(_Closed(CloseCode.TOO_SLOW, "fell behind the live events"))
                    return
                scope = self._scope
                if generation != self._generation or scope is None:
                    continue
                if not scope.admits(event.interview.job_id, event.interview.department):
                    continue
                if isinstance(event, AnomalyRaised):
                    self._send("anomaly", anomaly=event.anomaly)
                    continue
                self._send("interview", interview={**_ref_json(event.interview), **self._patch(event)})
                if isinstance(event, StatusChanged):
                    self._recount.set()

    def _patch(self, event: Event) -> dict[str, Any]:
        match event:
            case StatusChanged(status=status):
                view = self._feed.view(event.interview.id) or {}
                return {"status": status, "away": status == "disconnected", "started_at": view.get("started_at")}
            case ProgressChanged():
                patch = {"status": event.status, "step": event.step, "question": event.question,
                         "phase": event.phase}
                return {**patch, "caption": None} if event.phase == "answering" else patch
            case CaptionUpdated():
                return {"caption": {"question": event.question, "text": event.text}}
            case AnswerStored():
                return {"answer": {"question": event.question, "score": event.score, "status": event.status,
                                   "cut_short": event.cut_short}}
            case InterruptionChanged():
                patch: dict[str, Any] = {"away": event.started}
                return {**patch, "interruptions": event.count} if event.count is not None else patch
            case QualitySampled():
                return {"quality": event.quality}
        return {}

    async def _counter(self) -> None:
        """Counts by status: after status changes (debounced), and every RECOUNT_SECONDS anyway."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(RECOUNT_SECONDS):
                    await self._recount.wait()
                await asyncio.sleep(COUNT_DEBOUNCE)
            self._recount.clear()
            async with self._lock:
                if self._scope is None:
                    continue
                counts = await self._dash.counts(self._scope)
                if counts != self._counts:
                    self._counts = counts
                    self._send("counts", counts=counts)

    async def _guard(self) -> None:
        """Every RECHECK_SECONDS: is the session still valid, and may the account still watch this?"""
        while True:
            await asyncio.sleep(min(RECHECK_SECONDS, HEARTBEAT_SECONDS))
            try:
                staff = await self._authorise(touch=False)
                scope = self._scope
                if scope is not None:
                    departments = _scope_departments(staff)
                    if departments != scope.departments:
                        # Access changed: the same filters must still be allowed, within the new departments.
                        narrowed = await self._scope_for(staff, Subscribe(scope.job_id, scope.department))
                        async with self._lock:
                            self._scope = narrowed
            except (_Closed, LiveProtocolError) as error:
                reason = error if isinstance(error, _Closed) else _Closed(CloseCode.FORBIDDEN, "no access")
                self._close_soon(reason)
                return
            self._send("heartbeat")

    async def aclose(self) -> None:
        self._subscription.close()
        with contextlib.suppress(asyncio.QueueFull):
            self._outbox.put_nowait(None)
        for task in self._tasks:
            if task is not self._tasks[0]:  # the writer drains what is queued, then ends
                task.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2.0):
                await asyncio.gather(self._tasks[0], return_exceptions=True)
        self._tasks[0].cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._closer is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2.0):
                    await asyncio.gather(self._closer, return_exceptions=True)
            self._closer.cancel()
            await asyncio.gather(self._closer, return_exceptions=True)


@rule(Access.DEPARTMENT)
async def hr_live_ws(request: web.Request) -> web.StreamResponse:
    """HR and admins: every department; department heads and reviewers: their own departments."""
    session = await require_session(request, LIVE_ROLES)  # 401 / 403 before the upgrade
    store = request.app[STORE]
    staff = await store.staff.get(session.user.id)
    if staff is None:
        raise web.HTTPUnauthorized(text='{"error":{"code":"unauthenticated","message":"please log in"}}',
                                   content_type="application/json")
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=64 * 1024)
    try:
        await ws.prepare(request)
    except ConnectionResetError:  # the page went away during the handshake (a reload, a closed tab)
        return ws
    request.app[SOCKETS].add(ws)
    watcher = LiveWatcher(ws, store=store, feed=request.app[FEED], id_hash=session.id_hash, staff=staff)
    try:
        await watcher.run()
    finally:
        await watcher.aclose()
    return ws
