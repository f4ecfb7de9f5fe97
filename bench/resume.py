"""How fast an interview comes back after the network drops, and what the recording loses.

One `intervox serve` process and one candidate in headless Chromium (the real page, its fake
camera and microphone). In the middle of one answer the connection is cut N times for a few
seconds and restored, in one of two ways:

- `offline` (default): the browser's network goes offline (Playwright's offline mode); when it
  comes back the browser fires `online` and the page reconnects at once;
- `unreachable`: the browser stays online but the server cannot be reached: the page's
  WebSocket is closed and new ones are refused until the outage ends, so the page's backoff
  (0, 0.3, 1.2, 2.7, 4.8 s, then every 7 s) decides when it gets back.

For each drop we measure:

- restored → audio: from the network coming back to the first audio frame reaching the server
  again (the server tells the page at its first audio frame; the page marks `data-audio`);
- cut → page noticed: until the page shows "reconnecting" (its heartbeat limit is 5 s);
- the recording gap: from the last audio frame before the drop to the first one after it (the
  server's own log line), beside the outage itself.

Chromium's offline mode stops the WebSocket but not WebRTC's UDP, so media keeps arriving until
the server gives up on the silent WebSocket (4.5 s) and closes the peer connection; in a real
outage media stops at once, and the gap would be the outage plus the reconnect time. In the
`unreachable` mode the server sees the WebSocket close at the cut and drops media at once.

At the end the answer's parts are decrypted and decoded, and their media time is compared with
the answer's wall time. Nothing is asserted; figures are printed.

    .venv/bin/python bench/resume.py [--drops 20] [--outage 6] [--mode offline|unreachable]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "browser"), str(REPO / "tests" / "signaling")]

from harness import CHROMIUM, CHROMIUM_ARGS, HrClient, ServerProcess  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402
from recording_files import decrypt_parts, media_seconds  # noqa: E402

FLOWING = "body[data-audio=flowing]"
_GAP_LINE = re.compile(r"audio back ([\d.]+) s after the last audio before the drop")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def describe(name: str, values: list[float]) -> str:
    return (f"{name:<34} p50 {percentile(values, 50):6.2f} s   p95 {percentile(values, 95):6.2f} s   "
            f"min {min(values):6.2f}   max {max(values):6.2f}")


class Switchboard:
    """Routes the page's WebSockets to the server while `up`; `cut()` hangs up the current ones and
    refuses new ones until `restore()` (the `unreachable` mode)."""

    def __init__(self) -> None:
        self.up = True
        self.routes: list = []

    async def handle(self, ws) -> None:
        if not self.up:
            await ws.close(code=1011, reason="unreachable")
            return
        ws.connect_to_server()
        self.routes.append(ws)

    async def cut(self) -> None:
        self.up = False
        routes, self.routes = self.routes, []
        for ws in routes:
            await ws.close(code=1011, reason="cut")

    def restore(self) -> None:
        self.up = True


async def run(drops: int, outage: float, connected: float, mode: str) -> None:
    with tempfile.TemporaryDirectory(prefix="intervox-resume-") as tmp:
        server = ServerProcess(Path(tmp) / "data")
        hr = HrClient(server)
        try:
            await hr.login()
            job = (await hr.post("/api/jobs", {"title": "Resume bench", "department": "QA", "language": "en",
                                               "questions": [{"text": "Talk for a while.", "think_seconds": 60,
                                                              "answer_seconds": 600}]}))["job"]
            invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": "Bench",
                                                       "candidate_email": "bench@example.com"})
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = await browser.new_context()
                page = await context.new_page()
                switchboard = Switchboard()
                if mode == "unreachable":
                    await page.route_web_socket("**/ws", switchboard.handle)

                async def cut() -> None:
                    await (context.set_offline(True) if mode == "offline" else switchboard.cut())

                async def restore() -> None:
                    await (context.set_offline(False) if mode == "offline" else asyncio.sleep(0, switchboard.restore()))
                await page.goto(invite["invite_url"])
                await page.click("#accept")
                await page.click("#device-continue:enabled", timeout=20_000)
                await page.click("#start-answer:enabled", timeout=20_000)
                await page.click("#finish-answer")
                await page.click("#begin")
                await page.click("#start-answer:enabled", timeout=20_000)
                answer_started = time.monotonic()
                noticed, back, outages = [], [], []
                for _ in range(drops):
                    await page.wait_for_selector(FLOWING, state="attached", timeout=30_000)
                    await asyncio.sleep(connected)
                    await cut()
                    cut_at = time.monotonic()
                    await page.wait_for_selector("body[data-connection=reconnecting]", state="attached",
                                                 timeout=30_000)
                    noticed.append(time.monotonic() - cut_at)
                    await asyncio.sleep(max(0.0, cut_at + outage - time.monotonic()))
                    await restore()
                    restored = time.monotonic()
                    outages.append(restored - cut_at)
                    await page.wait_for_selector(FLOWING, state="attached", timeout=30_000)
                    back.append(time.monotonic() - restored)
                await asyncio.sleep(connected)
                await page.click("#finish-answer")
                answer_wall = time.monotonic() - answer_started
                await page.wait_for_selector("#screen-done:visible", timeout=30_000)
                await browser.close()
            gaps = [float(m) for m in _GAP_LINE.findall(server.log())]
            await asyncio.sleep(2.0)  # the last part is finalized with the answer
            parts = await asyncio.to_thread(decrypt_parts, server.data_dir)
            media = [await asyncio.to_thread(media_seconds, part.webm) for part in parts]
        finally:
            await hr.close()
            server.stop()

    print(f"{mode}: {drops} drops of {outage:.0f} s during one answer, {connected:.0f} s connected between drops\n")
    print(describe("network restored → audio at server", back))
    print(describe("cut → page shows reconnecting", noticed))
    print(describe("outage (cut → restored)", outages))
    if len(gaps) == len(outages):
        print(describe("recording gap (last → next audio)", gaps))
        ratios = [g / o for g, o in zip(gaps, outages, strict=True)]
        print(f"{'recording gap ÷ outage':<34} median {statistics.median(ratios):.2f}   max {max(ratios):.2f}")
    else:
        print(f"the server logged {len(gaps)} audio gaps for {len(outages)} drops")
    recorded = sum(m["audio"] for m in media)
    print(f"\nrecording: {len(parts)} parts, all decrypted and decoded; audio {recorded:.1f} s, "
          f"video {sum(m['video'] for m in media):.1f} s")
    received = answer_wall - sum(gaps)
    print(f"answer wall time {answer_wall:.1f} s − recording gaps {sum(gaps):.1f} s = {received:.1f} s of media "
          f"sent to the server; recorded ÷ sent = {recorded / received:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--outage", type=float, default=6.0, help="seconds offline per drop")
    parser.add_argument("--connected", type=float, default=3.0, help="seconds of media between drops")
    parser.add_argument("--mode", choices=("offline", "unreachable", "both"), default="both")
    args = parser.parse_args()
    for mode in ("offline", "unreachable") if args.mode == "both" else (args.mode,):
        asyncio.run(run(args.drops, args.outage, args.connected, mode))
        print()


if __name__ == "__main__":
    main()
