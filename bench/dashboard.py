"""How soon the live HR dashboard shows what happens in interviews.

One `intervox serve` process (real model), one HR dashboard socket (`/ws/hr`) and N synthetic
candidates (aiortc peers sending a tone and a video track) taking interviews at the same time.
For every answer started and every answer stored, we time:

- the candidate's own confirmation (the `state` message after `answer.start`; the `answer.saved`
  message) — the baseline: the server's direct reply on the candidate's socket;
- the same event reaching the HR dashboard (its `interview` delta with the new phase, or with
  the stored answer);
- a candidate dropping → the dashboard showing the interview as disconnected.

Nothing is asserted; figures are printed (the issue's target: within a second of the event).

    .venv/bin/python bench/dashboard.py [--candidates 4] [--answers 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "browser"), str(REPO / "tests" / "signaling")]

import aiohttp  # noqa: E402
from harness import HrClient, ServerProcess  # noqa: E402
from wsclient import Candidate, reach_first_question  # noqa: E402


class Dashboard:
    """The HR socket; every message is kept with its arrival time."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.arrivals: list[tuple[float, dict[str, Any]]] = []
        self.changed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type is aiohttp.WSMsgType.TEXT:
                self.arrivals.append((time.monotonic(), json.loads(message.data)))
                self.changed.set()

    async def first(self, interview_id: str, where, since: float, timeout: float = 60.0) -> float:
        """Arrival time of the first delta for `interview_id` after `since` whose patch satisfies `where`."""
        async def wait() -> float:
            while True:
                for at, message in self.arrivals:
                    patch = message.get("interview") or {}
                    if at >= since and message.get("type") == "interview" and patch.get("id") == interview_id \
                            and where(patch):
                        return at
                self.changed.clear()
                await self.changed.wait()
        return await asyncio.wait_for(wait(), timeout)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def row(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"{name:<44} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms   "
            f"max {max(ms):7.1f} ms   (n={len(ms)})")


async def candidate_run(server: ServerProcess, hr: HrClient, dashboard: Dashboard, job_id: int, index: int,
                        answers: int, figures: dict[str, list[float]]) -> None:
    invite = await hr.post("/api/interviews", {"job_id": job_id, "candidate_name": f"Load {index}",
                                               "candidate_email": f"load{index}@example.com"})
    interview_id = invite["interview"]["id"]
    async with aiohttp.ClientSession() as http:
        c = Candidate(await http.ws_connect(f"{server.base_url}/ws", headers={"Origin": server.base_url}))
        await reach_first_question(c, invite["invite_url"].split("#", 1)[1])
        for question in range(answers):
            sent = time.monotonic()
            await c.send("answer.start", question=question)
            await c.expect("state", phase="answering", timeout=30)
            figures["answer start: candidate's own state"].append(time.monotonic() - sent)
            at = await dashboard.first(interview_id, lambda p: p.get("phase") == "answering", sent)
            figures["answer start: HR dashboard"].append(at - sent)
            c.tone.speaking = True
            await asyncio.sleep(2.0)
            c.tone.speaking = False
            finished = time.monotonic()
            await c.send("answer.finish", question=question)
            await c.expect("answer.saved", question=question, timeout=60)
            saved = time.monotonic()
            figures["answer stored: candidate's answer.saved"].append(saved - finished)
            at = await dashboard.first(interview_id, lambda p, q=question: (p.get("answer") or {}).get("question") == q,
                                       finished)
            figures["answer stored: HR dashboard"].append(at - finished)
        dropped = time.monotonic()
        await c.close()
        at = await dashboard.first(interview_id, lambda p: p.get("status") == "disconnected" or p.get("away"),
                                   dropped)
        figures["candidate closed → HR sees them gone"].append(at - dropped)


async def run(candidates: int, answers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="intervox-dashboard-") as tmp:
        server = ServerProcess(Path(tmp) / "data")
        hr = HrClient(server)
        try:
            await hr.login()
            job = (await hr.post("/api/jobs", {"title": "Dashboard bench", "department": "QA", "language": "en",
                                               "questions": [{"text": f"Question {n + 1}", "think_seconds": 60,
                                                              "answer_seconds": 120} for n in range(answers + 1)]}))
            ws = await hr.session.ws_connect("/ws/hr", headers={"Origin": server.base_url})
            dashboard = Dashboard(ws)
            await ws.send_str(json.dumps({"v": 1, "type": "subscribe"}))
            figures: dict[str, list[float]] = {}
            for name in ("answer start: candidate's own state", "answer start: HR dashboard",
                         "answer stored: candidate's answer.saved", "answer stored: HR dashboard",
                         "candidate closed → HR sees them gone"):
                figures[name] = []
            await asyncio.gather(*(candidate_run(server, hr, dashboard, job["job"]["id"], i, answers, figures)
                                   for i in range(candidates)))
            await ws.close()
            dashboard.reader.cancel()
            await asyncio.gather(dashboard.reader, return_exceptions=True)
        finally:
            await hr.close()
            server.stop()
    print(f"{candidates} candidates, {answers} answers each, one HR dashboard socket\n")
    for name, values in figures.items():
        print(row(name, values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=4)
    parser.add_argument("--answers", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.candidates, args.answers))


if __name__ == "__main__":
    main()
