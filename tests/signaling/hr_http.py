"""An HR user's JSON calls against the real application (for the jobs, bank and invitation tests)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from fakes import FakeRecognizer
from staff_accounts import add_user, signed_in
from wsclient import Candidate

from signaling.app import create_app
from signaling.config import Settings
from signaling.keys import STORE
from signaling.records import Role

EXPORT_FILE = "intervox-question-bank.json"


class Hr:
    """One signed-in HR user: `call()` returns (status, JSON body)."""

    def __init__(self, client, http: aiohttp.ClientSession) -> None:
        self.client = client
        self.http = http
        self.app = client.server.app

    async def call(self, method: str, path: str, body: Any = None, *, data: bytes | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if body is not None:
            kwargs["json"] = body
        if data is not None:
            kwargs["data"] = data
        async with self.http.request(method, path, **kwargs) as r:
            text = await r.text()
            return r.status, (json.loads(text) if text else None)

    async def ok(self, method: str, path: str, body: Any = None, *, status: int = 200, **kwargs) -> Any:
        got, data = await self.call(method, path, body, **kwargs)
        assert got == status, f"{method} {path}: {got} {data}"
        return data

    async def job(self, title: str = "Engineer", *, language: str = "en", questions: int = 2,
                  department: str = "Engineering") -> dict:
        body = {"title": title, "department": department, "language": language, "questions": [
            {"text": f"Question {i + 1}?", "think_seconds": 20, "answer_seconds": 60} for i in range(questions)]}
        return (await self.ok("POST", "/api/jobs", body, status=201))["job"]

    async def invite(self, job_id: int, email: str = "ana@example.com", name: str = "Ana", **extra) -> dict:
        return await self.ok("POST", "/api/interviews", {"job_id": job_id, "candidate_name": name,
                                                         "candidate_email": email, **extra}, status=201)

    async def candidate(self) -> Candidate:
        origin = str(self.client.make_url("/")).rstrip("/")
        return Candidate(await self.client.ws_connect("/ws", headers={"Origin": origin}))

    async def close(self) -> None:
        await self.http.close()


async def hr_client(aiohttp_client, tmp_path, **settings) -> Hr:
    """A server on `tmp_path` (a new one each call; the data stays) and its HR user, signed in."""
    app = create_app(Settings(data_dir=tmp_path / "data", **settings), recognizer=FakeRecognizer())
    client = await aiohttp_client(app)
    if not await client.server.app[STORE].staff.email_taken("hana@example.com"):
        await add_user(client, "hana@example.com", Role.HR, frozenset())
    return Hr(client, await signed_in(client, "hana@example.com"))


def token_of(invitation: dict) -> str:
    return invitation["invite_url"].split("#", 1)[1]
