"""Turning received audio frames into 16 kHz mono PCM for speech recognition."""

from __future__ import annotations

import av
import numpy as np

TARGET_RATE = 16_000


class Mono16kResampler:
    """Resample decoded WebRTC audio (48 kHz, often stereo) to 16 kHz mono int16.

    Timestamps are dropped before resampling: RTP gaps after packet loss would otherwise make
    the resampler reject non-monotonic input, and the consumer only needs the sample stream.
    """

    def __init__(self) -> None:
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=TARGET_RATE)

    def resample(self, frame: av.AudioFrame) -> np.ndarray:
        frame.pts = None
        chunks = [out.to_ndarray().reshape(-1) for out in self._resampler.resample(frame)]
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
