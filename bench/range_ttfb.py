"""Time to first byte of an HTTP Range request for a recording, beside a plain file.

The real application (create_app; a stand-in recognizer, since no speech is involved) serves an
encrypted part of `size` random bytes to a stepped-up HR session: authorization, audit-log write,
opening the part (commitment check), decrypting the chunks of the range. The baseline is aiohttp
serving the same plaintext as an ordinary file (FileResponse, Range) on the same machine.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from media import PartWriter, new_data_key, recording_context, wrap_data_key  # noqa: E402
from scoring.transcript import Transcript  # noqa: E402
from signaling import auth  # noqa: E402
from signaling.app import create_app  # noqa: E402
from signaling.config import Settings  # noqa: E402
from signaling.keys import KEYRING, STORE  # noqa: E402
from signaling.records import PartStatus, Role  # noqa: E402
from signaling.sessions import COOKIE_NAME  # noqa: E402
from signaling.store import NewQuestion  # noqa: E402
from signaling.timeutil import utc_now  # noqa: E402

RANGE = 1 << 20


class _NoSpeech:
    def recognize(self, audio, *, language, quality, prompt="", provisional=0.0):  # noqa: ANN001, ANN201
        return Transcript("", (), language, 0.0)


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
    return runner, f"http://127.0.0.1:{port}"


async def _ttfb(session: aiohttp.ClientSession, url: str, start: int) -> float:
    began = time.perf_counter()
    async with session.get(url, headers={"Range": f"bytes={start}-{start + RANGE - 1}"}) as response:
        assert response.status == 206, response.status
        await response.content.readany()
        first = time.perf_counter() - began
        await response.read()
    return first


async def _encrypted_part(app: web.Application, plaintext: Path, data_dir: Path) -> tuple[str, str]:
    """Store a recording part holding `plaintext` and a stepped-up HR session; return (url, session id)."""
    store, keyring = app[STORE], app[KEYRING]
    job = await store.create_job(title="Bench", department="Bench", language="en", created_by=None,
                                 questions=[NewQuestion("Q?", 10, 60)])
    interview = await store.create_interview(job_id=job.id, candidate_name="B", candidate_email="b@example.com",
                                             token_hash=auth.digest(auth.new_secret()), created_by=None)
    rec_id, key = "00000000-0000-4000-8000-00000000beef", new_data_key()
    wrapped = wrap_data_key(keyring.ring, rec_id, key)
    await store.recordings.create(recording_id=rec_id, interview_id=interview.id, question_id=job.questions[0].id,
                                  wrapped_key=wrapped.blob, key_version=wrapped.master_version, now=utc_now())
    relative = f"{rec_id[:2]}/{rec_id}/p1.part"
    path = data_dir / "recordings" / relative
    path.parent.mkdir(parents=True)
    writer = PartWriter(path, key, recording_context(rec_id, 1, "video/webm"))
    with plaintext.open("rb") as source:
        while block := source.read(1 << 20):
            writer.write(block)
    info = writer.finalize()
    await store.recordings.add_part(recording_id=rec_id, part=1, mime="video/webm", file_name=relative,
                                    answer_offset=0.0, now=utc_now())
    await store.recordings.finish_part(recording_id=rec_id, part=1, status=PartStatus.FINAL,
                                       plaintext_size=info.plaintext_size, ciphertext_size=info.ciphertext_size,
                                       ciphertext_sha256=info.ciphertext_sha256, duration=60.0, now=utc_now())
    user = await store.create_user("bench@example.com", "Bench", "x", Role.HR)
    session_id = auth.new_secret()
    await store.create_session(auth.digest(session_id), user.id)
    await store.staff.mark_stepped_up(auth.digest(session_id), auth.digest(session_id))
    return f"/api/recordings/{rec_id}/parts/1", session_id


async def _run(size: int, requests: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="intervox-ttfb-") as tmp:
        data_dir, plaintext = Path(tmp) / "data", Path(tmp) / "plain.webm"
        plaintext.write_bytes(os.urandom(size))
        app = create_app(Settings(data_dir=data_dir), recognizer=_NoSpeech())
        runner, base = await _serve(app)
        plain = web.Application()
        plain.router.add_get("/plain.webm", lambda request: web.FileResponse(plaintext))
        plain_runner, plain_base = await _serve(plain)
        try:
            path, session_id = await _encrypted_part(app, plaintext, data_dir)
            starts = [random.randrange(0, size - RANGE) for _ in range(requests)]
            async with aiohttp.ClientSession(cookies={COOKIE_NAME: session_id},
                                             cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
                await _ttfb(session, base + path, 0)  # warm up both paths once
                await _ttfb(session, plain_base + "/plain.webm", 0)
                ours = [await _ttfb(session, base + path, s) for s in starts]
                theirs = [await _ttfb(session, plain_base + "/plain.webm", s) for s in starts]
        finally:
            await runner.cleanup()
            await plain_runner.cleanup()
    return {
        "ttfb_ours_p50_ms": statistics.median(ours) * 1000,
        "ttfb_ours_p95_ms": statistics.quantiles(ours, n=20)[18] * 1000,
        "ttfb_plain_p50_ms": statistics.median(theirs) * 1000,
        "ttfb_plain_p95_ms": statistics.quantiles(theirs, n=20)[18] * 1000,
        "ttfb_requests": requests, "ttfb_size_mib": size / (1 << 20),
    }


def bench_ttfb(size: int = 64 << 20, requests: int = 100) -> dict[str, float]:
    return asyncio.run(_run(size, requests))


def format_ttfb(r: dict[str, float]) -> str:
    return (f"Range request time to first byte ({r['ttfb_requests']:.0f} random 1 MiB ranges of a "
            f"{r['ttfb_size_mib']:.0f} MiB part):\n"
            f"  Intervox (auth, audit, decrypt): p50 {r['ttfb_ours_p50_ms']:.2f} ms, "
            f"p95 {r['ttfb_ours_p95_ms']:.2f} ms\n"
            f"  plain aiohttp FileResponse:      p50 {r['ttfb_plain_p50_ms']:.2f} ms, "
            f"p95 {r['ttfb_plain_p95_ms']:.2f} ms\n"
            f"  ratio (p50): {r['ttfb_ours_p50_ms'] / r['ttfb_plain_p50_ms']:.1f}")


if __name__ == "__main__":
    print(format_ttfb(bench_ttfb()))
