"""Recording CPU per session: muxing the received frames as they are, beside aiortc's MediaRecorder.

First one real WebRTC session (aiortc client → Intervox's PeerSession, over loopback) is captured:
every encoded frame the server receives, with its arrival time — a 640×480 30 fps camera-like
video track and a speech clip as audio. Then the same frames are recorded twice, each measured
with the process CPU clock while nothing else runs:

- Intervox: `WebmMuxer` (no decoding, no re-encoding) writing through the encrypting `PartWriter`;
- aiortc: decode every frame (what aiortc's receiver does before a track hands out frames), then
  `MediaRecorder` re-encodes VP8/Opus into WebM (unencrypted; encryption would only add to it).
"""

from __future__ import annotations

import asyncio
import fractions
import sys
import tempfile
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "signaling")]

import av  # noqa: E402
import numpy as np  # noqa: E402
from aiortc import RTCPeerConnection, RTCSessionDescription  # noqa: E402
from aiortc.codecs.opus import OpusDecoder  # noqa: E402
from aiortc.codecs.vpx import Vp8Decoder  # noqa: E402
from aiortc.contrib.media import MediaRecorder  # noqa: E402
from aiortc.jitterbuffer import JitterFrame  # noqa: E402
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack  # noqa: E402
from wsclient import CameraTrack, ClipTrack  # noqa: E402

from media import PartWriter, new_data_key, recording_context  # noqa: E402
from media.peer import PeerSession  # noqa: E402
from media.tap import EncodedFrame  # noqa: E402
from media.webm import WebmMuxer  # noqa: E402

CLIP = REPO / "tests" / "data" / "speech" / "q1_lead_deadline_strong.wav"


async def capture(seconds: float) -> list[EncodedFrame]:
    """The encoded frames one real session delivers to the server in `seconds`."""
    frames: list[EncodedFrame] = []
    server = PeerSession(on_audio=lambda pcm: None, on_encoded=frames.append)
    client = RTCPeerConnection()
    audio = ClipTrack()
    with wave.open(str(CLIP)) as w:
        audio.play(np.frombuffer(w.readframes(w.getnframes()), np.int16))
    client.addTrack(audio)
    client.addTrack(CameraTrack())
    await client.setLocalDescription(await client.createOffer())
    answer = await server.accept_offer(client.localDescription.sdp)
    await client.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    await asyncio.sleep(1.0)
    frames.clear()  # start like a part does: at a key frame request, with the session running
    await server.request_keyframe()
    await asyncio.sleep(seconds)
    await client.close()
    await server.close()
    return list(frames)


def record_ours(frames: list[EncodedFrame], directory: Path) -> tuple[float, int]:
    """CPU seconds and bytes: mux the received frames into WebM through the encrypting writer."""
    path = directory / "ours.part"
    started = time.process_time()
    writer = PartWriter(path, new_data_key(), recording_context("00000000-0000-4000-8000-000000000001", 1,
                                                                "video/webm"))
    muxer = WebmMuxer(writer.write)
    for frame in frames:
        muxer.add(frame)
    muxer.close()
    info = writer.finalize()
    return time.process_time() - started, info.ciphertext_size


class _Replay(MediaStreamTrack):
    """Decodes the captured frames of one kind, as aiortc's receiver would, and hands them out."""

    def __init__(self, kind: str, frames: list[EncodedFrame], video_started: asyncio.Event) -> None:
        super().__init__()
        self._video_started = video_started
        self.kind = kind
        mine = [f for f in frames if f.kind == kind]
        first_key = next((i for i, f in enumerate(mine) if f.keyframe), len(mine))
        self._frames = iter(mine[first_key:])  # like the recorder: nothing decodes before a key frame
        self._decoder = Vp8Decoder() if kind == "video" else OpusDecoder()
        self._pending: list = []
        self.finished = False

    async def recv(self):  # noqa: ANN201
        if self.kind == "audio":
            # MediaRecorder sizes its video encoder from the first video frame, which must come
            # before the first audio packet opens the container.
            await self._video_started.wait()
        while not self._pending:
            frame = next(self._frames, None)
            if frame is None:
                self.finished = True
                raise MediaStreamError
            try:
                self._pending = self._decoder.decode(JitterFrame(frame.data, frame.timestamp))
            except av.error.FFmpegError:  # aiortc's decoder thread skips such frames too
                continue
        decoded = self._pending.pop(0)
        if self.kind == "video":
            decoded.time_base = fractions.Fraction(1, 90000)
            self._video_started.set()
        return decoded


async def record_mediarecorder(frames: list[EncodedFrame], directory: Path) -> tuple[float, int]:
    """CPU seconds and bytes: decode every frame and re-encode it with aiortc's MediaRecorder."""
    path = directory / "mediarecorder.webm"
    started = time.process_time()
    recorder = MediaRecorder(str(path), format="webm")
    video_started = asyncio.Event()
    tracks = [_Replay("audio", frames, video_started), _Replay("video", frames, video_started)]
    for track in tracks:
        recorder.addTrack(track)
    await recorder.start()
    while not all(t.finished for t in tracks):  # noqa: ASYNC110 - polling a plain flag is enough here
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    await recorder.stop()
    return time.process_time() - started, path.stat().st_size


def bench_recording(seconds: float = 20.0) -> dict[str, float]:
    frames = asyncio.run(capture(seconds))
    media_seconds = (frames[-1].arrival - frames[0].arrival) if frames else 0.0
    with tempfile.TemporaryDirectory(prefix="intervox-rec-") as tmp:
        ours_cpu, ours_bytes = record_ours(frames, Path(tmp))
        theirs_cpu, theirs_bytes = asyncio.run(record_mediarecorder(frames, Path(tmp)))
    return {
        "media_seconds": media_seconds, "frames": len(frames),
        "ours_cpu": ours_cpu, "ours_bytes": ours_bytes,
        "mediarecorder_cpu": theirs_cpu, "mediarecorder_bytes": theirs_bytes,
    }


def format_recording(r: dict[str, float]) -> str:
    per_minute = 60 / r["media_seconds"]
    return "\n".join([
        f"recording one session ({r['media_seconds']:.1f} s of 640x480 30 fps video + speech, "
        f"{r['frames']:.0f} received frames):",
        f"  Intervox mux + encrypt:       {r['ours_cpu']:.3f} CPU-s  ({r['ours_cpu'] * per_minute:.2f} CPU-s per "
        f"minute of interview), {r['ours_bytes'] / 1e6:.1f} MB",
        f"  aiortc decode + MediaRecorder: {r['mediarecorder_cpu']:.3f} CPU-s  "
        f"({r['mediarecorder_cpu'] * per_minute:.2f} CPU-s per minute), {r['mediarecorder_bytes'] / 1e6:.1f} MB",
        f"  ratio Intervox / MediaRecorder: {r['ours_cpu'] / r['mediarecorder_cpu']:.3f}",
    ])


if __name__ == "__main__":
    print(format_recording(bench_recording()))
