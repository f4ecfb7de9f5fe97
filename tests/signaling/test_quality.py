"""Connection quality from two samples of aiortc's statistics (pure)."""

from __future__ import annotations

from media.peer import InboundStats, PeerState, PeerStats
from signaling.quality import Grade, measure


def sample(at: float, bytes_received: int, audio: tuple[int, int], video: tuple[int, int], *,
           jitter: float = 0.004) -> PeerStats:
    return PeerStats(at, PeerState.CONNECTED, bytes_received, (
        InboundStats("audio", audio[0], audio[1], jitter), InboundStats("video", video[0], video[1], jitter / 2)))


def test_the_first_sample_is_still_measuring():
    """Rates need two samples; the first reports jitter only (and a round-trip time only if the page sent one)."""
    quality = measure(None, sample(10.0, 50_000, (100, 0), (200, 0)))
    assert quality.grade is Grade.MEASURING and quality.kbps is None and quality.loss is None
    assert quality.jitter_ms == 4.0 and quality.rtt_ms is None


def test_bitrate_and_loss_over_the_interval():
    """250 kB in 2 s is 1000 kbit/s; 10 lost of 500 packets in the interval is 2 % — good."""
    before = sample(10.0, 1_000_000, (1000, 5), (3000, 20))
    after = sample(12.0, 1_250_000, (1100, 5), (3390, 30))
    quality = measure(before, after)
    assert quality.kbps == 1000.0
    assert quality.loss == 0.02
    assert quality.grade is Grade.GOOD


def test_heavy_loss_or_jitter_is_poor_and_some_is_fair():
    """Loss of 12 % is poor; 5 % is fair; 60 ms of jitter alone is fair."""
    before = sample(0.0, 0, (0, 0), (0, 0))
    assert measure(before, sample(2.0, 100_000, (88, 12), (0, 0))).grade is Grade.POOR
    assert measure(before, sample(2.0, 100_000, (95, 5), (0, 0))).grade is Grade.FAIR
    assert measure(before, sample(2.0, 100_000, (100, 0), (0, 0), jitter=0.060)).grade is Grade.FAIR


def test_no_packets_is_no_media():
    """Connected but nothing arrived during the interval: say so, not "good"."""
    before = sample(0.0, 5000, (100, 0), (100, 0))
    assert measure(before, sample(2.0, 5000, (100, 0), (100, 0))).grade is Grade.NO_MEDIA


def test_duplicates_do_not_make_loss_negative():
    """aiortc's lost count can go down (duplicates, reordering); the interval's loss never goes below 0."""
    quality = measure(sample(0.0, 0, (100, 4), (0, 0)), sample(2.0, 1000, (200, 2), (0, 0)))
    assert quality.loss == 0.0


def test_the_round_trip_the_page_reports_is_carried_and_graded():
    """aiortc measures no round trip for a receive-only peer; the page's own figure is used: 42 ms is
    good, 600 ms fair, 1.5 s poor."""
    before = sample(0.0, 0, (0, 0), (0, 0))
    after = sample(2.0, 100_000, (100, 0), (0, 0))
    assert measure(before, after, rtt_ms=42.0).rtt_ms == 42.0
    assert measure(before, after, rtt_ms=42.0).grade is Grade.GOOD
    assert measure(before, after, rtt_ms=600.0).grade is Grade.FAIR
    assert measure(before, after, rtt_ms=1500.0).grade is Grade.POOR
    assert measure(None, after, rtt_ms=42.0).rtt_ms == 42.0
