"""200 connect/drop cycles against one `intervox serve` process: nothing is left behind.

The server runs in its own process, as in production, so its figures are its own: open peer
connections, asyncio tasks and resident memory are read from its `/metrics` endpoint before and
after the cycles.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest
from harness import HrClient, ServerProcess
from prometheus_client.parser import text_string_to_metric_families
from wsclient import Candidate, reach_first_question

CYCLES = 200
WARM_UP = 40  # codecs, caches and allocator arenas reach their steady size first
RSS_SLACK_MB = 10


async def server_figures(session: aiohttp.ClientSession) -> dict[str, float]:
    async with session.get("/metrics") as response:
        assert response.status == 200
        text = await response.text()
    wanted = {"intervox_peer_connections", "intervox_asyncio_tasks", "intervox_live_interviews",
              "process_resident_memory_bytes"}
    return {s.name: s.value for family in text_string_to_metric_families(text)
            for s in family.samples if s.name in wanted}


async def settled(session: aiohttp.ClientSession, baseline_tasks: float | None = None) -> dict[str, float]:
    """The server's figures once every dropped connection has been cleaned up (bounded wait)."""
    figures: dict[str, float] = {}
    for _ in range(100):
        figures = await server_figures(session)
        if figures["intervox_peer_connections"] == 0 and (
                baseline_tasks is None or figures["intervox_asyncio_tasks"] <= baseline_tasks):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    return await server_figures(session)


@pytest.mark.timeout(900)
async def test_200_connect_drop_cycles_leave_nothing_behind(tmp_path):
    server = ServerProcess(tmp_path / "data")
    hr = HrClient(server)
    try:
        await hr.login()
        job = await hr.post("/api/jobs", {"title": "Soak", "department": "QA", "language": "en", "questions": [
            {"text": "Tell us about a project.", "think_seconds": 600, "answer_seconds": 600}]})
        invite = await hr.post("/api/interviews", {"job_id": job["job"]["id"], "candidate_name": "Soak Candidate",
                                                   "candidate_email": "soak@example.com"})
        token = invite["invite_url"].rsplit("#", 1)[1]
        origin = server.base_url

        async def cycle(index: int) -> None:
            """A reconnection: socket, state, a new peer connection carrying media — then gone.
            Every other time the drop is abrupt: no close frame, as when a network dies."""
            async with aiohttp.ClientSession() as http:
                c = Candidate(await http.ws_connect(f"{origin}/ws", headers={"Origin": origin}))
                try:
                    if index < 0:
                        await reach_first_question(c, token)
                    else:
                        state = await c.hello(token)
                        assert (state["step"], state["phase"]) == ("question", "thinking"), state
                        await c.connect_media()
                finally:
                    if index % 2:
                        for task in (c._reader, c._pinger):
                            task.cancel()
                        if c.pc is not None:
                            await c.pc.close()
                        # leaving the session aborts the TCP connection without a WebSocket close
                    else:
                        await c.close()

        await cycle(-1)
        for i in range(WARM_UP):
            await cycle(i)
        before = await settled(hr.session)
        for i in range(CYCLES):
            await cycle(i)
        after = await settled(hr.session, before["intervox_asyncio_tasks"])
        grown_mb = (after["process_resident_memory_bytes"] - before["process_resident_memory_bytes"]) / 2**20
        print(f"server after {CYCLES} cycles: {after}; RSS grew {grown_mb:.1f} MB")
        assert after["intervox_peer_connections"] == 0, after
        assert after["intervox_asyncio_tasks"] <= before["intervox_asyncio_tasks"], (before, after)
        assert grown_mb < RSS_SLACK_MB, f"the server's RSS grew by {grown_mb:.1f} MB over {CYCLES} cycles"
    finally:
        await hr.close()
        with contextlib.suppress(Exception):
            server.stop()
