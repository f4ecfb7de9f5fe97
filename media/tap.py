"""Tapping aiortc's receivers for the encoded frames they reassemble.

Recording muxes the VP8 and Opus frames exactly as the browser sent them — no decoding, no
re-encoding. aiortc has no public hook for encoded frames: each `RTCRtpReceiver` hands every
reassembled frame to its decoder thread through a private `queue.Queue`. `EncodedFrameTap`
replaces that queue (before the receiver starts) and passes each frame to a sink first. For
audio the frame then goes on to the decoder as usual (transcription needs PCM); for video it
stops there: nothing in Intervox looks at decoded pictures, so video is never decoded at all.

This depends on aiortc internals (`RTCRtpReceiver.__decoder_queue`, `_send_rtcp_pli`);
`install_tap` checks they exist and fails loudly, and the recording tests exercise it.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass

from aiortc import RTCRtpReceiver

from .errors import MediaError

log = logging.getLogger(__name__)

_QUEUE_ATTR = "_RTCRtpReceiver__decoder_queue"


@dataclass(frozen=True)
class EncodedFrame:
    """One complete encoded frame as received: VP8 picture or Opus packet."""

    kind: str  # "audio" or "video"
    data: bytes
    timestamp: int  # RTP timestamp, starting near 0 for the stream
    clock_rate: int  # 48000 for Opus, 90000 for VP8
    keyframe: bool
    arrival: float  # event-loop time when the frame was complete


FrameSink = Callable[[EncodedFrame], None]


def is_vp8_keyframe(data: bytes) -> bool:
    """RFC 6386 §9.1: bit 0 of the frame tag is 0 for a key frame."""
    return len(data) >= 10 and not (data[0] & 0x01)


def vp8_dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 key frame header (start code 9D 01 2A, then 14-bit sizes)."""
    if not is_vp8_keyframe(data) or data[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return (width, height) if width and height else None


class EncodedFrameTap(queue.Queue):
    """Stands in for a receiver's decoder queue; every frame goes to `sink` (on the event loop)."""

    def __init__(self, kind: str, sink: FrameSink, clock: Callable[[], float], *, decode: bool) -> None:
        super().__init__()
        self.kind = kind
        self._kind = kind
        self._sink = sink
        self._clock = clock
        self._decode = decode
        self.frames = 0

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:  # noqa: ANN001
        if item is not None:
            codec, frame = item
            self.frames += 1
            keyframe = self._kind == "audio" or is_vp8_keyframe(frame.data)
            try:
                self._sink(EncodedFrame(self._kind, bytes(frame.data), frame.timestamp, codec.clockRate, keyframe,
                                        self._clock()))
            except Exception:  # a recording problem must not break reception or transcription
                log.exception("encoded %s frame sink failed", self._kind)
            if not self._decode:
                return
        super().put(item, block, timeout)


def install_tap(receiver: RTCRtpReceiver, tap: EncodedFrameTap) -> None:
    """Put `tap` in place of the receiver's decoder queue; must run before the receiver starts."""
    if not hasattr(receiver, _QUEUE_ATTR) or not hasattr(receiver, "_send_rtcp_pli"):
        raise MediaError("this aiortc version does not expose the receiver internals the recorder needs")
    current = getattr(receiver, _QUEUE_ATTR)
    if not current.empty():
        raise MediaError("the receiver has already started decoding")
    setattr(receiver, _QUEUE_ATTR, tap)
