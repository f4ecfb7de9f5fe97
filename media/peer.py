"""One aiortc peer connection per candidate connection, with every remote track consumed.

aiortc's receive queues are unbounded, so a remote track without a reader grows without limit:
`PeerSession` starts a consumer for every track as soon as it arrives, and owns those tasks —
`close()` cancels and awaits them and closes the peer connection within a time bound.

Every received encoded frame also goes to `on_encoded` (for recording, see `tap`); audio is
then decoded and resampled for `on_audio`, video is not decoded at all.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCRtpReceiver, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import SessionDescription
from aiortc.stats import RTCInboundRtpStreamStats, RTCTransportStats

from .audio import Mono16kResampler
from .errors import InvalidOffer
from .tap import EncodedFrame, EncodedFrameTap, FrameSink, install_tap

log = logging.getLogger(__name__)

AudioSink = Callable[[np.ndarray], None]


class PeerState(StrEnum):
    NEW = "new"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    FAILED = "failed"
    CLOSED = "closed"


@dataclass(frozen=True)
class InboundStats:
    """One received RTP stream, cumulative since it started (aiortc's inbound-rtp report)."""

    kind: str  # "audio" | "video"
    packets_received: int
    packets_lost: int  # expected (from sequence numbers) minus received; may dip below 0 with duplicates
    jitter_seconds: float | None  # RFC 3550 interarrival jitter; None when the clock rate is unknown


@dataclass(frozen=True)
class PeerStats:
    """What aiortc can tell about a connection's health, at one moment (cumulative counters).

    There is no round-trip time: aiortc estimates it only from the receiver reports about media
    it *sends* (remote-inbound-rtp), and this server only receives.
    """

    at: float  # time.monotonic() when sampled
    state: PeerState
    bytes_received: int  # every DTLS/SRTP datagram of the bundled transport: audio + video + RTCP
    inbound: tuple[InboundStats, ...]


class PeerSession:
    """Answers one SDP offer and feeds the received audio, as 16 kHz mono int16, to `on_audio`."""

    def __init__(
        self,
        *,
        on_audio: AudioSink,
        on_encoded: FrameSink | None = None,
        on_state: Callable[[PeerState], None] | None = None,
        ice_servers: tuple[str, ...] = (),
        close_timeout: float = 5.0,
        label: str = "peer",
    ) -> None:
        config = RTCConfiguration(iceServers=[RTCIceServer(urls=list(ice_servers))] if ice_servers else [])
        self._pc = RTCPeerConnection(configuration=config)
        self._on_audio = on_audio
        self._on_encoded = on_encoded
        self._on_state = on_state
        self._video_receiver: RTCRtpReceiver | None = None
        self._taps: list[EncodedFrameTap] = []
        self._close_timeout = close_timeout
        self._label = label
        self._consumers: set[asyncio.Task[None]] = set()
        self._state = PeerState.NEW
        self._closed = False
        self._clock_rates: dict[str, int] = {}  # RTP clock rate of the negotiated codec, per kind
        self.audio_frames = 0
        self.video_frames = 0
        self._pc.on("track", self._on_track)
        self._pc.on("connectionstatechange", self._on_connection_state)

    @property
    def state(self) -> PeerState:
        return self._state

    async def accept_offer(self, sdp: str) -> str:
        """Apply the browser's offer and return our answer, with all ICE candidates gathered."""
        if self._closed:
            raise InvalidOffer("the peer connection is closed")
        try:
            await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            kinds = {t.receiver.track.kind for t in self._pc.getTransceivers() if t.receiver.track}
            if "audio" not in kinds:
                raise InvalidOffer("the offer carries no audio track")
            await self._pc.setLocalDescription(await self._pc.createAnswer())
            # The answer lists the chosen codec first; its clock rate turns jitter into seconds.
            self._clock_rates = {m.kind: m.rtp.codecs[0].clockRate
                                 for m in SessionDescription.parse(self._pc.localDescription.sdp).media
                                 if m.rtp.codecs}
        except InvalidOffer:
            raise
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            # aiortc reports malformed or unsupported SDP through these; the text is safe to return.
            raise InvalidOffer(f"the SDP offer could not be negotiated: {exc}") from None
        return self._pc.localDescription.sdp

    def _on_track(self, track: MediaStreamTrack) -> None:
        receiver = next(t.receiver for t in self._pc.getTransceivers() if t.receiver.track is track)
        tap = EncodedFrameTap(track.kind, self._deliver_encoded, asyncio.get_running_loop().time,
                              decode=track.kind == "audio")
        install_tap(receiver, tap)
        self._taps.append(tap)
        if track.kind == "video":
            self._video_receiver = receiver
        consume = self._consume_audio if track.kind == "audio" else self._consume_video
        task = asyncio.create_task(consume(track), name=f"{self._label}-{track.kind}")
        self._consumers.add(task)
        task.add_done_callback(self._consumers.discard)

    async def _consume_audio(self, track: MediaStreamTrack) -> None:
        resampler = Mono16kResampler()
        try:
            while True:
                frame = await track.recv()
                self.audio_frames += 1
                pcm = resampler.resample(frame)
                if pcm.size:
                    self._on_audio(pcm)
        except MediaStreamError:
            log.debug("%s: audio track ended", self._label)

    async def _consume_video(self, track: MediaStreamTrack) -> None:
        # Video is not decoded (its frames only go to the recorder), so this reader only sees
        # the end of the track; it is here so that no track is ever left without a consumer.
        try:
            while True:
                await track.recv()
                self.video_frames += 1
        except MediaStreamError:
            log.debug("%s: video track ended", self._label)

    def _deliver_encoded(self, frame: EncodedFrame) -> None:
        if self._on_encoded is not None:
            self._on_encoded(frame)

    @property
    def encoded_frames(self) -> dict[str, int]:
        return {tap.kind: tap.frames for tap in self._taps}

    async def request_keyframe(self) -> None:
        """Ask the browser for a video key frame now (RTCP PLI), so a new recording part starts clean."""
        receiver = self._video_receiver
        if receiver is None or self._closed:
            return
        for source in receiver.getSynchronizationSources():
            await receiver._send_rtcp_pli(source.source)

    async def stats(self) -> PeerStats | None:
        """The connection's counters now, from aiortc's getStats(); None once closed."""
        if self._closed:
            return None
        report = await self._pc.getStats()
        inbound, transports = [], {}
        for item in report.values():
            if isinstance(item, RTCInboundRtpStreamStats):
                rate = self._clock_rates.get(item.kind)
                inbound.append(InboundStats(item.kind, item.packetsReceived, item.packetsLost,
                                            item.jitter / rate if rate else None))
            elif isinstance(item, RTCTransportStats):
                transports[item.id] = item.bytesReceived
        inbound.sort(key=lambda s: s.kind)
        return PeerStats(time.monotonic(), self._state, sum(transports.values()), tuple(inbound))

    def _on_connection_state(self) -> None:
        self._set_state(PeerState(self._pc.connectionState))

    def _set_state(self, new: PeerState) -> None:
        if new == self._state:
            return
        log.info("%s: %s -> %s", self._label, self._state, new)
        self._state = new
        if self._on_state is not None:
            self._on_state(new)

    async def close(self) -> None:
        """Stop the consumers and close the peer connection, giving up after `close_timeout`."""
        if self._closed:
            return
        self._closed = True
        consumers = list(self._consumers)
        for task in consumers:
            task.cancel()
        if consumers:
            await asyncio.gather(*consumers, return_exceptions=True)
        started = time.monotonic()
        try:
            # Shielded: aiortc may already be closing itself (the remote end hung up), and
            # cancelling a second close() would cancel the future its own close task sets.
            await asyncio.wait_for(asyncio.shield(self._pc.close()), timeout=self._close_timeout)
        except TimeoutError:
            log.warning("%s: peer connection did not close within %.1f s", self._label, self._close_timeout)
        log.debug("%s: closed in %.3f s", self._label, time.monotonic() - started)
        self._set_state(PeerState.CLOSED)
