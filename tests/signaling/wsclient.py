"""An in-process candidate for tests: the WebSocket protocol plus an aiortc peer sending a tone."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
from typing import Any

import numpy as np
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiortc import AudioStreamTrack, MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from av import AudioFrame, VideoFrame

from signaling import auth
from signaling.keys import STORE
from signaling.store import NewQuestion


class ClipTrack(AudioStreamTrack):
    """16 kHz mono audio paced in real time: queued clips, then silence."""

    RATE = 16000
    FRAME = 320  # 20 ms

    def __init__(self) -> None:
        super().__init__()
        self._queue = np.zeros(0, np.int16)
        self._pts = 0
        self._start: float | None = None

    def play(self, pcm: np.ndarray) -> float:
        """Queue `pcm` (int16, 16 kHz); return the seconds of audio queued before it ends."""
        self._queue = np.concatenate([self._queue, pcm.astype(np.int16)])
        return self._queue.size / self.RATE

    async def recv(self) -> AudioFrame:
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        wait = self._start + self._pts / self.RATE - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        chunk, self._queue = self._queue[: self.FRAME], self._queue[self.FRAME:]
        if chunk.size < self.FRAME:
            chunk = np.concatenate([chunk, np.zeros(self.FRAME - chunk.size, np.int16)])
        frame = AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, self.RATE)
        self._pts += self.FRAME
        return frame


class CameraTrack(VideoStreamTrack):
    """640×480 video at 30 fps with moving detail, so VP8 spends a webcam-like bitrate on it
    (aiortc's plain green VideoStreamTrack encodes to almost nothing)."""

    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(1)
        self._texture = rng.integers(0, 256, (480, 640 + 64), dtype=np.uint8)
        self._n = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        shift = (self._n * 2) % 64
        luma = self._texture[:, shift:shift + 640]
        frame = VideoFrame.from_ndarray(np.ascontiguousarray(luma), format="gray")
        frame = frame.reformat(format="yuv420p")
        frame.pts, frame.time_base = pts, time_base
        self._n += 1
        return frame


class ToneTrack(AudioStreamTrack):
    """48 kHz mono audio: a tone while `speaking` is set, silence otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.speaking = False
        self._samples = 0
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        wait = self._start + self._samples / 48000 - loop.time()  # paced by the clock, not by sleeps
        if wait > 0:
            await asyncio.sleep(wait)
        n = 960
        if self.speaking:
            t = (np.arange(n) + self._samples) / 48000
            pcm = (np.sin(2 * np.pi * 220 * t) * 9000).astype(np.int16)
        else:
            pcm = np.zeros(n, np.int16)
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = self._samples
        frame.time_base = fractions.Fraction(1, 48000)
        self._samples += n
        return frame


async def make_interview(app, *, questions: int = 1, think: int = 30, answer: int = 60, language: str = "en",
                         department: str = "QA") -> str:
    """Create a job and an invitation directly in the store; return the invite token."""
    store = app[STORE]
    job = await store.create_job(
        title="Test job", department=department, language=language, created_by=None,
        questions=[NewQuestion(f"Question {i + 1}?", think, answer) for i in range(questions)],
    )
    token = auth.new_secret()
    await store.create_interview(job_id=job.id, candidate_name="Tess", candidate_email="t@example.com",
                                 token_hash=auth.digest(token), created_by=None)
    return token


class Candidate:
    """The candidate's side of the WebSocket. A reader task keeps consuming messages (so the
    server's heartbeat pings are answered, as a browser does) and files them in `inbox`."""

    def __init__(self, ws: ClientWebSocketResponse) -> None:
        self.ws = ws
        self.inbox: list[dict[str, Any]] = []
        self.closed: tuple[Any, Any] | None = None  # (message type, close code) once the socket ends
        self.pc: RTCPeerConnection | None = None
        self.tone: ToneTrack | None = None
        self.rtt_ms: float | None = None  # sent with each ping, as the page reports its media round trip
        self.camera = False  # True: send a detailed video track (realistic bitrate) instead of plain green
        self._seen = 0
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self._pinger: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        while True:
            msg = await self.ws.receive()
            if msg.type is not WSMsgType.TEXT:
                self.closed = (msg.type, msg.data)
                self._arrived.set()
                return
            self.inbox.append(json.loads(msg.data))
            self._arrived.set()

    async def send(self, type_: str, **fields: Any) -> None:
        await self.ws.send_str(json.dumps({"v": 1, "type": type_, **fields}))

    async def expect(self, type_: str, timeout: float = 10.0, **match: Any) -> dict[str, Any]:
        """The next message (after the last one expected) of `type_` whose fields match."""
        async def wait() -> dict[str, Any]:
            while True:
                while self._seen < len(self.inbox):
                    data = self.inbox[self._seen]
                    self._seen += 1
                    if data["type"] == type_ and all(data.get(k) == v for k, v in match.items()):
                        return data
                if self.closed is not None:
                    raise AssertionError(f"connection ended while waiting for {type_}: {self.closed}")
                self._arrived.clear()
                await self._arrived.wait()
        return await asyncio.wait_for(wait(), timeout)

    async def wait_closed(self, timeout: float = 5.0) -> tuple[Any, Any]:
        """Wait for the server to end the socket; return (message type, close code)."""
        async def wait() -> tuple[Any, Any]:
            while self.closed is None:
                self._arrived.clear()
                await self._arrived.wait()
            return self.closed
        return await asyncio.wait_for(wait(), timeout)

    async def hello(self, token: str, *, first: str = "state") -> dict[str, Any]:
        """Authenticate; from then on send a heartbeat ping every 2 s, as the page does. Returns the
        `first` message: the state, or `queue` for a candidate who has to wait for a seat."""
        await self.send("hello", token=token)
        state = await self.expect(first)
        if self._pinger is None:
            self._pinger = asyncio.create_task(self._ping_every(2.0))
        return state

    async def _ping_every(self, seconds: float) -> None:
        while not self.ws.closed:
            await asyncio.sleep(seconds)
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.send("ping", **({} if self.rtt_ms is None else {"rtt_ms": self.rtt_ms}))

    async def connect_media(self, audio: AudioStreamTrack | None = None,
                            video: MediaStreamTrack | None = None) -> None:
        """Negotiate a peer connection sending `audio` (a tone track by default) and `video` (by
        default a plain or camera-like track, see `camera`)."""
        self.pc = RTCPeerConnection()
        if audio is None:
            audio = self.tone = ToneTrack()
        if video is None:
            video = CameraTrack() if self.camera else VideoStreamTrack()
        self.pc.addTrack(audio)
        self.pc.addTrack(video)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self.send("webrtc.offer", sdp=self.pc.localDescription.sdp)
        answer = await self.expect("webrtc.answer")
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        await self.expect("media", audio=True, timeout=15)

    async def close(self) -> None:
        if self.pc is not None:
            await self.pc.close()
        await self.ws.close()
        tasks = [t for t in (self._reader, self._pinger) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def open_candidate(client) -> Candidate:
    """A candidate's WebSocket to the test client's app, from the app's own origin."""
    origin = str(client.make_url("/")).rstrip("/")
    return Candidate(await client.ws_connect("/ws", headers={"Origin": origin}))


async def reach_first_question(candidate: Candidate, token: str, audio: AudioStreamTrack | None = None) -> None:
    """Consent, device check, WebRTC (sending `audio`, a tone by default), a skipped-through
    practice answer, and the interview begun: question 1 is in its think time."""
    await candidate.hello(token)
    await candidate.send("consent", accept=True)
    await candidate.send("device.result", camera=True, microphone=True)
    await candidate.expect("state", step="practice")
    await candidate.connect_media(audio)
    await candidate.send("answer.start", question=-1)
    await candidate.expect("state", phase="answering")
    await candidate.send("answer.finish", question=-1)
    await candidate.send("interview.begin")
    await candidate.expect("state", step="question", phase="thinking")


async def answer_one_question(candidate: Candidate, token: str, *, seconds: float = 2.0) -> None:
    """Reach question 1, then speak (a tone) for `seconds` and finish the answer."""
    await reach_first_question(candidate, token)
    await candidate.send("answer.start", question=0)
    await candidate.expect("state", phase="answering")
    candidate.tone.speaking = True
    await asyncio.sleep(seconds)
    await candidate.send("answer.finish", question=0)
    await candidate.expect("answer.saved", question=0)
