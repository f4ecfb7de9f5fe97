"""The candidate's WebSocket: authenticate, then turn typed messages into interview events.

Only this handler reads its WebSocket; everything else sends through a bounded outbox that a
writer task drains, so a slow client can never block the interview. Client input that cannot
be accepted gets a typed `error` message — never a traceback in the log — and a client that
keeps sending garbage is disconnected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import numpy as np
from aiohttp import WSMsgType, web

from media import InvalidOffer, PeerSession, PeerState
from media.tap import EncodedFrame

from .admission import ADMISSION, Admission, Place, needs_seat
from .auth import digest
from .config import Settings
from .flow import Event, EventKind, FlowError, Status, Step
from .interview import LiveInterview
from .invitation_expiry import expire_on_hello
from .keys import CLEANUPS, REGISTRY, SETTINGS, SOCKETS, STORE
from .metrics import METRICS, Metrics
from .policy import Access, rule
from .protocol import (
    AnswerFinish,
    AnswerStart,
    ClientMessage,
    Consent,
    DeviceResult,
    ErrorCode,
    Hello,
    InterviewBegin,
    Offer,
    Ping,
    ProtocolError,
    ServerType,
    encode,
    error_message,
    parse_client_message,
)
from .quality import watch_quality
from .registry import LiveInterviews
from .store import Store

log = logging.getLogger(__name__)

HELLO_TIMEOUT = 10.0
# Protocol-level pings keep proxies and NAT bindings from idling the socket out. aiohttp closes a
# socket whose pong is more than half this late, so it is kept long: on a congested mobile link a
# round trip can take seconds. Dead connections are found by CLIENT_SILENCE_LIMIT instead.
HEARTBEAT_SECONDS = 10.0
# The page sends an application ping every 2 s; a connection silent this long is dead even if the
# TCP connection still answers (a suspended laptop, a proxy holding the socket).
CLIENT_SILENCE_LIMIT = 4.5
RTT_FRESH_SECONDS = 6.0  # the page reports with every ping (2 s)
MAX_ERRORS = 50
OUTBOX_SIZE = 256
# aiohttp closes the socket (1009) above this; between MAX_MESSAGE_BYTES and this we answer
# with a typed `too_large` error instead, so a client learns what it did wrong.
TRANSPORT_LIMIT = 1024 * 1024


class CloseCode:
    BAD_INPUT = 4400
    UNAUTHORIZED = 4401
    HELLO_TIMEOUT = 4408
    TAKEN_OVER = 4409
    REVOKED = 4403  # the invitation was withdrawn
    SILENT = 4410


class CandidateConnection:
    """One WebSocket from a candidate's page and the peer connection negotiated over it."""

    def __init__(
        self, ws: web.WebSocketResponse, *, settings: Settings, store: Store, registry: LiveInterviews,
        metrics: Metrics, admission: Admission,
    ) -> None:
        self._ws = ws
        self._settings = settings
        self._store = store
        self._registry = registry
        self._metrics = metrics
        self._admission = admission
        self._waiting = False  # in line for a seat: only `queue`, `pong` and errors reach the page
        self._withdrawn = False
        self._outbox: asyncio.Queue[str | None] = asyncio.Queue(OUTBOX_SIZE)
        self._writer = asyncio.create_task(self._write(), name="candidate-ws-writer")
        self._live: LiveInterview | None = None
        self.epoch = 0
        self._peer: PeerSession | None = None
        self._audio_seen = False
        self._last_heard = time.monotonic()  # the last message from the page
        self._errors = 0
        self.dropped_messages = 0
        # Connection quality for HR every ~2 s, while this is the interview's connection.
        self._client_rtt: tuple[float, float] | None = None  # (ms, when) as the page last reported it
        self._quality = asyncio.create_task(watch_quality(
            lambda: self._peer, lambda: self._live if self._live and self._live.connected_to(self) else None,
            rtt_of=self._recent_rtt,
        ), name="candidate-quality")

    def _recent_rtt(self) -> float | None:
        """The page's last round-trip time report, if it is recent enough to describe now."""
        if self._client_rtt is None or time.monotonic() - self._client_rtt[1] > RTT_FRESH_SECONDS:
            return None
        return self._client_rtt[0]

    # sending

    def send(self, kind: ServerType, **fields: Any) -> None:
        if self._waiting and kind not in (ServerType.QUEUE, ServerType.PONG):
            return  # the interview's state follows when a seat is free (`admitted`)
        self._enqueue(encode(kind, **fields), droppable=kind is ServerType.CAPTION)

    def _send_error(self, error: ProtocolError) -> None:
        self._enqueue(error_message(error), droppable=False)

    def _enqueue(self, text: str, *, droppable: bool) -> None:
        try:
            self._outbox.put_nowait(text)
        except asyncio.QueueFull:
            self.dropped_messages += 1
            if not droppable:
                log.warning("candidate connection is not reading its messages; closing it")
                self._writer.cancel()

    async def _write(self) -> None:
        while (text := await self._outbox.get()) is not None:
            try:
                await self._ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    # waiting for a seat (admission.py)

    def _take_seat(self, live: LiveInterview) -> None:
        """A seat for this interview, or a place in line (`queued` is called at once)."""
        self._admission.enter(live.record.id, self)

    def queued(self, place: Place) -> None:
        self._waiting = True
        job = self._live.job if self._live is not None else None
        self.send(ServerType.QUEUE, position=place.position, estimate_seconds=place.estimate_seconds,
                  place_kept_seconds=place.kept_seconds,
                  job={"title": job.title, "language": job.language} if job is not None else None)

    def admitted(self) -> None:
        self._waiting = False
        if self._live is not None and self._live.connected_to(self):
            log.info("interview %s: a seat is free; the candidate continues", self._live.record.public_id)
            self._live.push_state()

    # media

    @property
    def media_ready(self) -> bool:
        return self._peer is not None and self._peer.state is PeerState.CONNECTED and self._audio_seen

    def _on_audio(self, pcm: np.ndarray) -> None:
        if not self._audio_seen:
            self._audio_seen = True
            self.send(ServerType.MEDIA, state=PeerState.CONNECTED.value, audio=True)
        if self._live is not None and self._live.connected_to(self):
            self._live.on_audio(pcm)

    def _on_encoded(self, frame: EncodedFrame) -> None:
        if self._live is not None and self._live.connected_to(self):
            self._live.on_encoded(frame)

    async def request_keyframe(self) -> None:
        if self._peer is not None:
            await self._peer.request_keyframe()

    def _on_peer_state(self, state: PeerState) -> None:
        self.send(ServerType.MEDIA, state=state.value, audio=self._audio_seen and state is PeerState.CONNECTED)

    # the conversation

    async def run(self) -> None:
        live = await self._authenticate()
        if live is None:
            return
        while True:
            try:
                # Not ws.receive(timeout=…): aiohttp restarts that timeout at every protocol pong.
                async with asyncio.timeout(CLIENT_SILENCE_LIMIT):
                    message = await self._ws.receive()
            except TimeoutError:
                log.info("interview %s: no message for %.1f s; the connection is treated as lost",
                         live.record.public_id, CLIENT_SILENCE_LIMIT)
                await self._ws.close(code=CloseCode.SILENT, message=b"no heartbeat")
                return
            self._last_heard = time.monotonic()
            if message.type is WSMsgType.TEXT:
                raw: str | bytes = message.data
            elif message.type is WSMsgType.BINARY:
                raw = message.data
            else:  # CLOSE, CLOSING, CLOSED, ERROR: the connection is over
                return
            try:
                await self._dispatch(live, parse_client_message(raw))
            except ProtocolError as error:
                self._reject(error)
            except FlowError as error:
                self._reject(ProtocolError(ErrorCode.OUT_OF_ORDER, str(error)))
                live.push_state()  # let a page that fell out of step catch up
            if self._errors > MAX_ERRORS:
                await self._ws.close(code=CloseCode.BAD_INPUT, message=b"too many invalid messages")
                return

    def _reject(self, error: ProtocolError) -> None:
        self._errors += 1
        log.info("candidate message refused: %s (%s)", error.code, error.message)
        self._send_error(error)

    async def _authenticate(self) -> LiveInterview | None:
        try:
            message = await self._ws.receive(timeout=HELLO_TIMEOUT)
        except TimeoutError:
            await self._ws.close(code=CloseCode.HELLO_TIMEOUT, message=b"no hello")
            return None
        if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            return None
        try:
            hello = parse_client_message(message.data)
            if not isinstance(hello, Hello):
                raise ProtocolError(ErrorCode.UNAUTHORIZED, "the first message must be hello", hello.ref)
            record = await self._store.interview_by_token_hash(digest(hello.token))
            if record is None:
                raise ProtocolError(ErrorCode.UNAUTHORIZED, "this invite link is not valid", hello.ref)
            if record.revoked_at is not None:
                raise ProtocolError(ErrorCode.REVOKED, "this invitation was withdrawn", hello.ref)
        except ProtocolError as error:
            self._send_error(error)
            await self._flush()
            code = CloseCode.REVOKED if error.code is ErrorCode.REVOKED else CloseCode.UNAUTHORIZED
            await self._ws.close(code=code, message=error.code.value.encode())
            return None
        record = await expire_on_hello(self._store, self._registry, record)  # an expired link: the expired step
        live = await self._registry.get(record)
        self._live = live
        self.epoch, replaced = await live.connect(self)
        if isinstance(replaced, CandidateConnection):
            await replaced.take_over()
        await self._store.mark_opened(record.id)
        if (await self._store.interview_by_id(record.id)).revoked_at is not None:
            await self.withdraw()  # withdrawn while this connection was being set up
            return None
        log.info("interview %s: candidate connected (connection %d)", record.public_id, self.epoch)
        if needs_seat(live.flow.status):
            self._take_seat(live)
        live.push_state()  # held back while the candidate waits for a seat
        return live

    async def _dispatch(self, live: LiveInterview, message: ClientMessage) -> None:
        if self._waiting and not isinstance(message, Ping):
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "every interview place is taken: you are in line, and the "
                                "interview continues by itself when it is your turn", message.ref)
        match message:
            case Hello():
                raise ProtocolError(ErrorCode.OUT_OF_ORDER, "already authenticated", message.ref)
            case Ping(rtt_ms=rtt_ms):
                if rtt_ms is not None:
                    self._client_rtt = (rtt_ms, time.monotonic())
                self.send(ServerType.PONG, ref=message.ref)
            case Consent(accept=accept):
                if accept and live.flow.step is Step.CONSENT:
                    self._take_seat(live)  # past consent the interview needs a seat; the state waits for it
                await live.apply(Event(EventKind.ACCEPT if accept else EventKind.DECLINE), epoch=self.epoch)
            case DeviceResult():
                await self._device_result(live, message)
            case Offer():
                await self._negotiate(live, message)
            case AnswerStart(question=question):
                if not self.media_ready:
                    raise ProtocolError(ErrorCode.MEDIA_NOT_READY, "audio is not reaching the server yet", message.ref)
                await live.apply(Event(EventKind.START_ANSWER, question), epoch=self.epoch)
            case AnswerFinish(question=question):
                await live.apply(Event(EventKind.FINISH_ANSWER, question), epoch=self.epoch)
                if live.flow.terminal:
                    self._admission.reconcile()  # the last answer: the seat is free for the next in line
            case InterviewBegin():
                await live.apply(Event(EventKind.BEGIN_INTERVIEW), epoch=self.epoch)

    async def _device_result(self, live: LiveInterview, message: DeviceResult) -> None:
        if live.flow.status in (Status.INVITED, Status.DECLINED, Status.COMPLETED):
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "the device check comes after consent", message.ref)
        await self._store.record_device_check(
            live.record.id, {"camera": message.camera, "microphone": message.microphone, "problem": message.problem}
        )
        live.feed.device_check(live, camera=message.camera, microphone=message.microphone, problem=message.problem)
        if message.camera and message.microphone and live.flow.step is Step.DEVICE_CHECK:
            await live.apply(Event(EventKind.DEVICE_OK), epoch=self.epoch)
            await self._store.mark_device_ok(live.record.id)  # funnel timestamp
        else:
            live.push_state()

    async def _negotiate(self, live: LiveInterview, message: Offer) -> None:
        if live.flow.status not in (Status.CONSENTED, Status.IN_PROGRESS):
            raise ProtocolError(ErrorCode.OUT_OF_ORDER, "media is negotiated after consent", message.ref)
        if self._peer is not None:
            previous, self._peer = self._peer, None
            self._audio_seen = False
            await previous.close()
        peer = PeerSession(
            on_audio=self._on_audio,
            on_encoded=self._on_encoded,
            on_state=self._on_peer_state,
            ice_servers=self._settings.ice_servers,
            close_timeout=self._settings.peer_close_timeout,
            label=f"peer-{live.record.public_id[:8]}",
        )
        self._peer = peer
        self._metrics.peers.add(peer)
        try:
            answer = await peer.accept_offer(message.sdp)
        except InvalidOffer as error:
            self._peer = None
            await peer.close()
            raise ProtocolError(ErrorCode.INVALID_OFFER, str(error), message.ref) from None
        self.send(ServerType.ANSWER, sdp=answer)

    # ending

    async def take_over(self) -> None:
        """A newer connection for the same interview replaced this one: say so, hang up, and close
        its peer connection now (within the peer close timeout) rather than when its handler ends."""
        self._live = None
        self._send_error(ProtocolError(ErrorCode.TAKEN_OVER, "this interview was opened in another window"))

        async def hang_up() -> None:
            await self._flush()
            with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
                await asyncio.wait_for(self._ws.close(code=CloseCode.TAKEN_OVER, message=b"taken over"), 2.0)

        peer, self._peer = self._peer, None
        await asyncio.gather(hang_up(), peer.close() if peer is not None else asyncio.sleep(0))

    async def withdraw(self) -> None:
        """HR withdrew the invitation: say so and hang up (the peer connection closes with the handler)."""
        self._withdrawn = True
        self._send_error(ProtocolError(ErrorCode.REVOKED, "this invitation was withdrawn"))
        await self._flush()
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
            await asyncio.wait_for(self._ws.close(code=CloseCode.REVOKED, message=b"revoked"), 2.0)

    async def _flush(self) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._outbox.put_nowait(None)
        await asyncio.wait({self._writer}, timeout=2.0)

    async def aclose(self) -> None:
        """Detach from the interview, close the peer connection (bounded) and stop the writer."""
        live, self._live = self._live, None
        if live is not None:
            await live.disconnect(self, lost_at=self._last_heard)
            self._admission.left(live.record.id, self, for_good=self._withdrawn)  # before the registry forgets it
            self._registry.release(live)
        peer, self._peer = self._peer, None
        if peer is not None:
            await peer.close()
        self._writer.cancel()
        self._quality.cancel()
        await asyncio.gather(self._writer, self._quality, return_exceptions=True)


@rule(Access.CANDIDATE)
async def candidate_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=TRANSPORT_LIMIT, heartbeat=HEARTBEAT_SECONDS, autoping=True)
    await ws.prepare(request)
    request.app[SOCKETS].add(ws)
    connection = CandidateConnection(ws, settings=request.app[SETTINGS], store=request.app[STORE],
                                     registry=request.app[REGISTRY], metrics=request.app[METRICS],
                                     admission=request.app[ADMISSION])
    try:
        await connection.run()
    finally:
        # aiohttp may cancel this handler when the client vanishes; the clean-up (detach, close
        # the peer connection) must still run to the end, so it belongs to the application.
        cleanup = request.app[CLEANUPS].spawn(connection.aclose(), name="candidate-cleanup")
        await asyncio.shield(cleanup)
    return ws


async def withdraw_connection(registry: LiveInterviews, interview_id: int) -> bool:
    """Close the connection of a candidate whose invitation was just withdrawn; False if none."""
    live = registry.find(interview_id)
    connection = live.outbox if live is not None else None
    if not isinstance(connection, CandidateConnection):
        return False
    await connection.withdraw()
    return True
