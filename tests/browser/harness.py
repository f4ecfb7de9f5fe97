"""Driving the real server and headless Chromium: the pieces the browser tests share."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from staff_http import staff_session

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
SPEECH = TESTS / "data" / "speech"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required",
]


def speech_manifest() -> dict[str, dict]:
    return {clip["id"]: clip for clip in json.loads((SPEECH / "manifest.json").read_text())["clips"]}


def questions_file() -> list[dict]:
    return json.loads((SPEECH / "questions.json").read_text())["questions"]


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (16000, 1, 2):
            raise ValueError(f"{path} is not 16 kHz mono 16-bit")
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


@dataclass(frozen=True)
class Segment:
    clip_id: str
    start: float  # seconds from the start of the file
    end: float


def build_microphone_wav(path: Path, plan: list[str | float]) -> list[Segment]:
    """Concatenate clips (by id) and silences (seconds) into the fake microphone's WAV."""
    manifest = speech_manifest()
    parts, segments, cursor = [], [], 0.0
    for item in plan:
        if isinstance(item, (int, float)):
            pcm = np.zeros(int(item * 16000), np.int16)
        else:
            pcm = _read_wav(SPEECH / manifest[item]["file"])
            segments.append(Segment(item, cursor, cursor + pcm.size / 16000))
        parts.append(pcm)
        cursor += pcm.size / 16000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.concatenate(parts).tobytes())
    return segments


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python -m signaling serve` in a subprocess, as a user would run it."""

    def __init__(self, data_dir: Path, *, extra_env: dict[str, str] | None = None,
                 admin: tuple[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"server-{self.port}.log"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVOX_")}
        # Many seats: tests that are not about admission control must not depend on this machine's
        # cores, nor wait behind interviews an earlier test left in their grace period.
        env.update({"INTERVOX_LOG_LEVEL": "INFO", "INTERVOX_MAX_LIVE_INTERVIEWS": "100", **(extra_env or {})})
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "signaling", "serve", "--data-dir", str(data_dir), "--port", str(self.port)],
            cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self.admin_email, self.admin_password = self._wait_ready(admin)

    def _wait_ready(self, admin: tuple[str, str] | None, timeout: float = 120.0) -> tuple[str, str]:
        """Wait for the banner; read the admin credentials it prints on first start (or use `admin`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text()
            if "HR dashboard:" in text:
                if admin is not None:
                    return admin
                email = re.search(r"e-mail:\s+(\S+)", text)
                password = re.search(r"password:\s+(\S+)", text)
                if not (email and password):
                    raise RuntimeError("the server did not print the admin credentials on first start")
                return email.group(1), password.group(1)
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start within {timeout} s:\n{self.log_path.read_text()}")

    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a crash or an OOM kill."""
        self.proc.kill()
        self.proc.wait()
        self._log.close()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def stop_cleanly(self) -> None:
        """Stop the server; fail if it logged a traceback or exited with an error (fixture teardown)."""
        code = self.stop()
        log = self.log()
        assert "Traceback" not in log, f"the server logged a traceback:\n{log}"
        assert code == 0, f"the server exited with {code}:\n{log[-3000:]}"


class HrClient:
    """The HR JSON API over HTTP, logged in as the server's first admin."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.session = staff_session(server.base_url)

    async def login(self) -> None:
        async with self.session.post("/api/login", json={"email": self.server.admin_email,
                                                          "password": self.server.admin_password}) as r:
            if r.status != 200:
                raise AssertionError(f"admin login failed: {r.status} {await r.text()}")

    async def post(self, path: str, body: dict) -> dict:
        async with self.session.post(path, json=body) as r:
            data = await r.json()
            if r.status >= 400:
                raise AssertionError(f"POST {path}: {r.status} {data}")
            return data

    async def get(self, path: str) -> dict:
        async with self.session.get(path) as r:
            data = await r.json()
            if r.status >= 400:
                raise AssertionError(f"GET {path}: {r.status} {data}")
            return data

    async def add_staff(self, email: str, name: str, role: str, departments: list[str], password: str) -> dict:
        """Invite a staff member (no SMTP: the link comes back) and choose their password through the link."""
        invited = await self.post("/api/users", {"email": email, "name": name, "role": role,
                                                 "departments": departments})
        token = invited["delivery"]["url"].split("#", 1)[1]
        await self.post("/api/account/activation", {"token": token, "password": password})
        return invited["user"]

    async def close(self) -> None:
        await self.session.close()


def rubric_for(question: dict) -> dict:
    return {"competencies": [{"name": name, "weight": 1.0, "indicators": indicators}
                             for name, indicators in question["competencies"].items()]}


async def sign_in(page, server: ServerProcess, password: str | None = None) -> None:
    """Open the dashboard, get sent to the login page, and sign in as the first admin."""
    await page.goto(f"{server.base_url}/hr")
    await page.wait_for_url("**/login?next=*")
    await page.get_by_label("E-mail").fill(server.admin_email)
    await page.get_by_label("Password").fill(password or server.admin_password)
    await page.get_by_role("button", name="Sign in").click()
