"""`/metrics`: Prometheus text from this process, for loopback or the bearer of the metrics token."""

from __future__ import annotations

from fakes import FakeRecognizer
from prometheus_client.parser import text_string_to_metric_families
from wsclient import answer_one_question, make_interview, open_candidate

from signaling.app import create_app
from signaling.config import Settings


def sample_names(text: str) -> set[str]:
    return {s.name for family in text_string_to_metric_families(text) for s in family.samples}


async def test_metrics_from_loopback(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer()))
    response = await client.get("/metrics")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    names = sample_names(await response.text())
    assert {"intervox_peer_connections", "intervox_asyncio_tasks", "intervox_live_interviews",
            "process_resident_memory_bytes"} <= names


async def test_metrics_token_is_required_when_set(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", metrics_token="s3cret-metrics-token")
    client = await aiohttp_client(create_app(settings, recognizer=FakeRecognizer()))
    assert (await client.get("/metrics")).status == 403
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 403
    response = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
    assert response.status == 200 and "intervox_peer_connections" in await response.text()


async def test_transcription_figures_after_an_answer(aiohttp_client, tmp_path):
    """A candidate answers (a tone for 5 s): the answer's latency, its speech, the model's work and the
    caption lag are on /metrics, and nothing was dropped."""
    app = create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer())
    client = await aiohttp_client(app)
    token = await make_interview(app)
    candidate = await open_candidate(client)
    try:
        await answer_one_question(candidate, token, seconds=5.0)
    finally:
        await candidate.close()
    values = {(s.name, s.labels.get("kind")): s.value
              for family in text_string_to_metric_families(await (await client.get("/metrics")).text())
              for s in family.samples}
    assert values[("intervox_answer_final_seconds_count", None)] == 2  # the practice answer and question 1
    assert values[("intervox_answer_stored_seconds_count", None)] == 1  # practice is not stored
    assert values[("intervox_speech_seconds_total", None)] >= 4.0
    assert values[("intervox_asr_busy_seconds_total", "caption")] > 0
    assert values[("intervox_asr_audio_seconds_total", "final")] > 0
    assert values[("intervox_caption_lag_seconds_count", None)] >= 1
    assert values[("intervox_audio_dropped_seconds_total", None)] == 0
    assert values[("intervox_asr_queue_depth", None)] == 0
