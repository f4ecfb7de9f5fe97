"""Connection quality of a candidate's peer connection, sampled every ~2 s while connected.

aiortc's getStats() is partial (see `media.peer.PeerStats`): per received stream it reports
packets received, packets lost (from sequence numbers) and interarrival jitter, and per
transport the bytes received. From two samples we derive, over the interval between them:

- received bitrate (audio + video, with RTCP and SRTP overhead) from the transport's bytes;
- packet loss, as lost ÷ (lost + received) over both streams;
- jitter, the worse of the audio and video streams' current estimate.

Round-trip time is *not available*: aiortc estimates it only from the receiver reports about
media it sends, and this server sends none (aiortc issue #815). It is reported as None rather
than guessed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from media.peer import PeerSession, PeerState, PeerStats

if TYPE_CHECKING:
    from .interview import LiveInterview

log = logging.getLogger(__name__)

SAMPLE_SECONDS = 2.0
# Grades, by the worst of loss, jitter and round-trip time; the numbers follow the usual VoIP rules of thumb
# (a few per cent loss and tens of milliseconds of jitter are still fine for speech).
FAIR_LOSS, POOR_LOSS = 0.03, 0.10
FAIR_JITTER, POOR_JITTER = 0.050, 0.100  # seconds
FAIR_RTT_MS, POOR_RTT_MS = 400.0, 1000.0  # an answer a second late feels broken on a call


class Grade(StrEnum):
    MEASURING = "measuring"  # the first sample: rates need two
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    NO_MEDIA = "no_media"  # connected, but no packet arrived during the interval


@dataclass(frozen=True)
class ConnectionQuality:
    grade: Grade
    peer_state: str
    kbps: float | None  # received, audio + video
    loss: float | None  # 0..1 over the interval
    jitter_ms: float | None
    rtt_ms: float | None = None  # reported by the page (aiortc measures none for a receive-only peer)

    def to_json(self) -> dict[str, Any]:
        return {"grade": self.grade.value, "peer_state": self.peer_state, "kbps": self.kbps,
                "loss": self.loss, "jitter_ms": self.jitter_ms, "rtt_ms": self.rtt_ms}


def measure(previous: PeerStats | None, current: PeerStats, *, rtt_ms: float | None = None) -> ConnectionQuality:
    """The quality over the interval from `previous` to `current` (two samples of one peer), with
    the round-trip time the page measured on its media path, when it reported one."""
    rtt = round(rtt_ms, 1) if rtt_ms is not None else None
    jitters = [s.jitter_seconds for s in current.inbound if s.jitter_seconds is not None]
    jitter = max(jitters) if jitters else None
    jitter_ms = round(jitter * 1000, 1) if jitter is not None else None
    state = current.state.value
    seconds = current.at - previous.at if previous is not None else 0.0
    if previous is None or seconds <= 0:
        return ConnectionQuality(Grade.MEASURING, state, None, None, jitter_ms, rtt)
    kbps = max(0, current.bytes_received - previous.bytes_received) * 8 / 1000 / seconds
    before = {s.kind: s for s in previous.inbound}
    received = lost = 0
    for stream in current.inbound:
        old = before.get(stream.kind)
        received += stream.packets_received - (old.packets_received if old else 0)
        lost += max(0, stream.packets_lost - (old.packets_lost if old else 0))
    loss = lost / (lost + received) if lost + received > 0 else None
    if received <= 0:
        grade = Grade.NO_MEDIA
    elif (loss or 0) >= POOR_LOSS or (jitter or 0) >= POOR_JITTER or (rtt or 0) >= POOR_RTT_MS:
        grade = Grade.POOR
    elif (loss or 0) >= FAIR_LOSS or (jitter or 0) >= FAIR_JITTER or (rtt or 0) >= FAIR_RTT_MS:
        grade = Grade.FAIR
    else:
        grade = Grade.GOOD
    return ConnectionQuality(grade, state, round(kbps, 1), round(loss, 4) if loss is not None else None, jitter_ms,
                             rtt)


async def watch_quality(peer_of: Callable[[], PeerSession | None], live_of: Callable[[], LiveInterview | None],
                        *, rtt_of: Callable[[], float | None] = lambda: None,
                        interval: float = SAMPLE_SECONDS) -> None:
    """Runs for a candidate connection's lifetime (its owner cancels it): every `interval`, while
    its peer is connected and it is the interview's current connection, sample and publish."""
    previous: PeerStats | None = None
    sampled: PeerSession | None = None
    while True:
        await asyncio.sleep(interval)
        peer, live = peer_of(), live_of()
        if peer is not sampled:
            previous, sampled = None, peer  # a new peer connection: its counters start at zero
        if peer is None or live is None or peer.state is not PeerState.CONNECTED:
            continue
        try:
            current = await peer.stats()
        except Exception:  # aiortc tearing down under us; the next tick tries again
            log.debug("could not read peer statistics", exc_info=True)
            continue
        if current is None:
            continue
        live.feed.quality(live, measure(previous, current, rtt_ms=rtt_of()))
        previous = current
