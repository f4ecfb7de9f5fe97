"""Muxing received VP8 and Opus frames into WebM without decoding or re-encoding them.

The output is written as a stream (never seeked), so it can go straight into the encrypting
part writer: Matroska clusters are closed every quarter second and flushed at once, so a part cut
short by a crash loses about a quarter second of media, plus what waits in the encryptor's
unfinished 16 KiB chunk (a fraction of a second at a webcam's bitrate).
"""

from __future__ import annotations

import fractions
import io
import logging
from collections.abc import Callable

import av

from .tap import EncodedFrame, vp8_dimensions

log = logging.getLogger(__name__)

MS = fractions.Fraction(1, 1000)
# Until the first video key frame arrives (it carries the picture size) audio waits this long.
HEADER_WAIT_MS = 1500
DEFAULT_SIZE = (640, 480)


class _StreamOut(io.RawIOBase):
    """A write-only, non-seekable file object over a `write(bytes)` callable."""

    def __init__(self, write: Callable[[bytes], None]) -> None:
        super().__init__()
        self._write = write

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._write(bytes(data))
        return len(data)


class WebmMuxer:
    """Feeds encoded frames (in arrival order) into one WebM stream; blocking, one thread."""

    def __init__(self, write: Callable[[bytes], None]) -> None:
        self._out = _StreamOut(write)
        self._container: av.container.OutputContainer | None = None
        self._streams: dict[str, av.stream.Stream] = {}
        self._pending: list[EncodedFrame] = []
        self._origin: float | None = None  # arrival time of the part's first frame
        self._base: dict[str, tuple[int, float]] = {}  # kind -> (first RTP timestamp, its offset in ms)
        self._last_pts: dict[str, int] = {}
        self._seen_keyframe = False
        self.muxed = 0
        self.skipped = 0  # video frames before the first key frame: undecodable, not recorded
        self.last_ms = 0

    def add(self, frame: EncodedFrame) -> None:
        if self._origin is None:
            self._origin = frame.arrival
        if frame.kind == "video" and not self._seen_keyframe:
            if not frame.keyframe:
                self.skipped += 1
                return
            self._seen_keyframe = True
        if self._container is None:
            self._pending.append(frame)
            waited_ms = (frame.arrival - self._origin) * 1000
            if frame.kind == "video" or waited_ms >= HEADER_WAIT_MS:
                self._open(frame if frame.kind == "video" else None)
                for pending in self._pending:
                    self._mux(pending)
                self._pending.clear()
            return
        self._mux(frame)

    def _open(self, keyframe: EncodedFrame | None) -> None:
        width, height = (vp8_dimensions(keyframe.data) if keyframe else None) or DEFAULT_SIZE
        container = av.open(self._out, "w", format="webm",
                            options={"cluster_time_limit": "250", "flush_packets": "1",
                                     "max_interleave_delta": "300000"})
        video = container.add_stream("vp8", rate=30)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.time_base = MS
        audio = container.add_stream("libopus", rate=48000)
        audio.layout = "mono"
        audio.time_base = MS
        self._container = container
        self._streams = {"video": video, "audio": audio}

    def _pts_ms(self, frame: EncodedFrame) -> int:
        if frame.kind not in self._base:
            self._base[frame.kind] = (frame.timestamp, (frame.arrival - self._origin) * 1000)
        first_ts, offset_ms = self._base[frame.kind]
        pts = int(round(offset_ms + (frame.timestamp - first_ts) * 1000 / frame.clock_rate))
        last = self._last_pts.get(frame.kind)
        if last is not None and pts <= last:
            pts = last + 1  # the muxer needs strictly increasing timestamps per track
        self._last_pts[frame.kind] = pts
        return pts

    def _mux(self, frame: EncodedFrame) -> None:
        packet = av.Packet(frame.data)
        packet.stream = self._streams[frame.kind]
        packet.time_base = MS
        packet.pts = packet.dts = self._pts_ms(frame)
        packet.is_keyframe = frame.keyframe
        self._container.mux(packet)
        self.muxed += 1
        self.last_ms = max(self.last_ms, packet.pts)

    def close(self) -> float:
        """Write what is pending and the stream's end; return the media duration in seconds."""
        if self._container is None and self._pending:
            self._open(None)
            for pending in self._pending:
                self._mux(pending)
            self._pending.clear()
        if self._container is not None:
            self._container.close()
            self._container = None
        return self.last_ms / 1000


def webm_duration(data: bytes) -> float:
    """Seconds up to the end of the last packet of a (possibly truncated) WebM stream, by demuxing."""
    end = 0.0
    try:
        with av.open(io.BytesIO(data), format="webm") as container:
            for packet in container.demux():
                if packet.pts is not None and packet.time_base is not None:
                    end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    except av.error.FFmpegError:
        pass  # a torn tail: what was read before it counts
    return end
