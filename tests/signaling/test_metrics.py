"""`/metrics`: Prometheus text from this process, for loopback or the bearer of the metrics token."""

from __future__ import annotations

from fakes import FakeRecognizer
from prometheus_client.parser import text_string_to_metric_families

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
