"""An in-process candidate for tests: the WebSocket protocol plus an aiortc peer sending a tone."""

from __future__ import annotations

import asyncio
import fractions
import json
from typing import Any

import numpy as np
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiortc import AudioStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from av import AudioFrame

from signaling import auth
from signaling.keys import STORE
from signaling.store import NewQuestion


class ToneTrack(AudioStreamTrack):
    """48 kHz mono audio: a tone while `speaking` is set, silence otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.speaking = False
        self._samples = 0

    async def recv(self) -> AudioFrame:
        await asyncio.sleep(0.02)
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


async def make_interview(app, *, questions: int = 1, think: int = 30, answer: int = 60, language: str = "en") -> str:
    """Create a job and an invitation directly in the store; return the invite token."""
    store = app[STORE]
    job = await store.create_job(
        title="Test job", department="QA", language=language, created_by=None,
        questions=[NewQuestion(f"Question {i + 1}?", think, answer) for i in range(questions)],
    )
    token = auth.new_secret()
    await store.create_interview(job_id=job.id, candidate_name="Tess", candidate_email="t@example.com",
                                 token_hash=auth.digest(token), created_by=None)
    return token


class Candidate:
    def __init__(self, ws: ClientWebSocketResponse) -> None:
        self.ws = ws
        self.inbox: list[dict[str, Any]] = []
        self.pc: RTCPeerConnection | None = None
        self.tone: ToneTrack | None = None

    async def send(self, type_: str, **fields: Any) -> None:
        await self.ws.send_str(json.dumps({"v": 1, "type": type_, **fields}))

    async def expect(self, type_: str, timeout: float = 10.0, **match: Any) -> dict[str, Any]:
        """The next message of `type_` whose fields match; other messages are kept in `inbox`."""
        async def wait() -> dict[str, Any]:
            while True:
                msg = await self.ws.receive()
                if msg.type is not WSMsgType.TEXT:
                    raise AssertionError(f"connection ended while waiting for {type_}: {msg.type} {msg.data} {msg.extra}")
                data = json.loads(msg.data)
                self.inbox.append(data)
                if data["type"] == type_ and all(data.get(k) == v for k, v in match.items()):
                    return data
        return await asyncio.wait_for(wait(), timeout)

    async def hello(self, token: str) -> dict[str, Any]:
        await self.send("hello", token=token)
        return await self.expect("state")

    async def connect_media(self) -> None:
        self.pc = RTCPeerConnection()
        self.tone = ToneTrack()
        self.pc.addTrack(self.tone)
        self.pc.addTrack(VideoStreamTrack())
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self.send("webrtc.offer", sdp=self.pc.localDescription.sdp)
        answer = await self.expect("webrtc.answer")
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        await self.expect("media", audio=True, timeout=15)

    async def close(self) -> None:
        if self.pc is not None:
            await self.pc.close()
        await self.ws.close()
