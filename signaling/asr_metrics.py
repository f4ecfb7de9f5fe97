"""The transcription figures on /metrics: how far behind captions are, how soon answers are final,
what the model spends, what is queued and what is dropped."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from scoring.scheduler import Meters, Priority, TranscriptionScheduler

from .metrics import Metrics

_LATENCY_BUCKETS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0)


def transcription_meters(metrics: Metrics) -> Meters:
    """Counters and histograms in `metrics`' registry, as the scheduler's and answers' `Meters`."""
    registry = metrics.registry
    caption_lag = Histogram("intervox_caption_lag_seconds", "From hearing the last audio a live caption covers "
                            "to sending that caption", registry=registry, buckets=_LATENCY_BUCKETS)
    final = Histogram("intervox_answer_final_seconds", "From the end of an answer to its final transcript",
                      registry=registry, buckets=_LATENCY_BUCKETS)
    stored = Histogram("intervox_answer_stored_seconds", "From the end of an answer to its transcript and score "
                       "stored", registry=registry, buckets=_LATENCY_BUCKETS)
    dropped = Counter("intervox_audio_dropped_seconds", "Answer audio not transcribed (over the time limit, "
                      "behind voice activity detection, or cut from a window that could not commit)",
                      registry=registry)
    speech = Counter("intervox_speech_seconds", "Speech found by voice activity detection in answers",
                     registry=registry)
    busy = Counter("intervox_asr_busy_seconds", "Seconds the speech recogniser ran, by kind of window",
                   ["kind"], registry=registry)
    audio = Counter("intervox_asr_audio_seconds", "Audio seconds sent to the speech recogniser, by kind of window",
                    ["kind"], registry=registry)
    for priority in Priority:  # every series exists from the start, at 0
        busy.labels(priority.name.lower())
        audio.labels(priority.name.lower())

    def recognized(priority: Priority, busy_seconds: float, audio_seconds: float) -> None:
        busy.labels(priority.name.lower()).inc(busy_seconds)
        audio.labels(priority.name.lower()).inc(audio_seconds)

    return Meters(recognized=recognized, caption_lag=caption_lag.observe, dropped_audio=dropped.inc,
                  speech=speech.inc, final_latency=final.observe, stored_latency=stored.observe)


def queue_gauges(metrics: Metrics, scheduler: TranscriptionScheduler) -> None:
    metrics.gauge("intervox_asr_queue_depth", "Recognitions waiting for the speech model",
                  lambda: scheduler.queue_depth)
    metrics.gauge("intervox_asr_captions_superseded", "Waiting caption windows replaced by a longer one "
                  "(captions refreshed less often under load)", lambda: scheduler.stats.captions_superseded)
    metrics.gauge("intervox_asr_jobs_dropped", "Recognitions dropped or refused because a queue was full",
                  lambda: scheduler.stats.captions_dropped + scheduler.stats.refused)
