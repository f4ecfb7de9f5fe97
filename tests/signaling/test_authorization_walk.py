"""The authorization walk: every route of the real application, with every method, requested by
nobody, by each role, and by a disabled account, and checked against the rule its handler declares
with `@rule(Access.…)` (signaling/policy.py).

What each rule means here (department A holds the objects the path parameters name):

    PUBLIC      never 401/403
    SIGNED_IN   nobody and the disabled account: 401; any staff member passes
    HR          nobody/disabled: 401; department heads and reviewers: 403; HR and admins pass
    ADMIN       nobody/disabled: 401; everyone but admins: 403
    DEPARTMENT  nobody/disabled: 401; HR, admins and department A's head and reviewer pass; the head of
                department B gets 404 (or 403) for department A's objects and never sees their names
    CANDIDATE   no staff session grants anything (the invite token is the only credential)
    METRICS     the bearer of the metrics token only (the walk's server has one; loopback-without-token
                is tests/signaling/test_metrics.py)

"Passes" means neither 401 nor 403 nor a server error, and for reads of a named object not 404
either: the walk names real objects. Writes send a small JSON object; a 400 passes (authorization
comes before validation). Every write is also sent with a foreign Origin and without one (with a
session cookie): both must be refused. Reads go first, then writes by those who must be refused,
then writes by those who may (deletes last), so that nothing is deleted before it was read.

Path parameters are filled from `World.parameters` (tests/signaling/authz_world.py): the first
value that matches the route's pattern (`World.route_parameters` first, for a name that means
another object under some paths, such as `question_id` in the question bank). A parameter name
with no entry there is walked with a generic value (the first of `GENERIC` that fits, so refusals
are still checked) and then fails the test, naming the route: add the name to `World.parameters`,
mapped to a department-A object.

WebSocket routes are recognised by their answer to a plain GET; the walk then opens real
handshakes as everyone, with the right Origin, a foreign one and none.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from authz_world import DEPT_A, METRICS_TOKEN, Identity, World, build_world
from fakes import FakeRecognizer

from signaling.app import create_app
from signaling.config import Settings
from signaling.policy import Access, access_of
from signaling.records import Role

SAFE = ("GET", "HEAD")
FOREIGN_ORIGIN = "https://attacker.example"
WS_MARKER = "No WebSocket UPGRADE hdr"
GENERIC = ("1", "0" * 32, str(uuid.UUID(int=1)), "x")
BODY = {"walk": True, "note": ""}
REQUIRED_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@pytest.fixture
async def world(aiohttp_client, tmp_path):
    world = await build_world(aiohttp_client, tmp_path)
    yield world
    await world.close()


@dataclass(frozen=True)
class Target:
    """One route with one method, its declared rule and a concrete path to request."""

    method: str
    pattern: str  # as written in the route table, e.g. /api/jobs/{job_id}
    path: str
    access: Access | None
    names_objects: bool  # the path names an object (has parameters)

    def __str__(self) -> str:
        return f"{self.method} {self.pattern}"


def _groups(resource: web.AbstractResource) -> dict[str, str]:
    """Each path parameter's own regular expression, read from the compiled route pattern."""
    pattern = resource.get_info().get("pattern")
    if pattern is None:
        return {}
    text, found, i = pattern.pattern, {}, 0
    while (start := text.find("(?P<", i)) >= 0:
        name_end = text.index(">", start)
        depth, j = 1, name_end + 1
        while depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0) if text[j - 1] != "\\" else 0
            j += 1
        found[text[start + 4:name_end]] = text[name_end + 1:j - 1]
        i = j
    return found


def targets(app: web.Application, world: World) -> tuple[list[Target], list[str]]:
    """Every (route, method) with a path to request, and the parameter names the walk could not map."""
    found, unmapped = [], []
    for route in app.router.routes():
        resource = route.resource
        methods = ["GET", "POST"] if route.method == "*" else [route.method]
        if isinstance(resource, web.StaticResource):
            prefix = resource.get_info()["prefix"].rstrip("/")
            for method in methods:  # public by resource type; a file that exists and one that does not
                found.append(Target(method, f"{prefix}/…", f"{prefix}/hr.js", Access.PUBLIC, False))
                found.append(Target(method, f"{prefix}/… (missing)", f"{prefix}/walk-missing.js", Access.PUBLIC, False))
            continue
        info = resource.get_info()
        formatter = info.get("formatter") or info.get("path")
        values = {}
        for name, regex in _groups(resource).items():
            candidates = next((fixed for where, which, fixed in world.route_parameters
                               if which == name and re.search(where, formatter)), world.parameters.get(name))
            if candidates is None:
                unmapped.append(f"{route.method} {formatter}: path parameter {name!r} ({regex})")
                candidates = list(GENERIC)
            fitting = [v for v in candidates if re.fullmatch(regex, v)]
            if not fitting:
                unmapped.append(f"{route.method} {formatter}: no value for {name!r} fits {regex!r} ({candidates})")
                fitting = [next((v for v in GENERIC if re.fullmatch(regex, v)), "1")]
            values[name] = fitting[0]
        path = str(resource.url_for(**values)) if values else formatter
        for method in methods:
            found.append(Target(method, formatter, path, access_of(route.handler), bool(values)))
    return found, sorted(set(unmapped))


def expected(access: Access, who: Identity, names_objects: bool) -> str:
    """What `who` must get: "pass", "401", "403", "hidden" (404 or 403) or "refused" (any 4xx)."""
    if access is Access.PUBLIC:
        return "pass"
    if access is Access.CANDIDATE:
        return "refused"
    if access is Access.METRICS:
        return "403"
    if who.role is None or who.disabled:
        return "401"
    if access is Access.SIGNED_IN:
        return "pass"
    if access is Access.HR:
        return "pass" if who.role in (Role.ADMIN, Role.HR) else "403"
    if access is Access.ADMIN:
        return "pass" if who.role is Role.ADMIN else "403"
    if access is Access.DEPARTMENT:
        if who.role in (Role.ADMIN, Role.HR) or DEPT_A in who.departments:
            return "pass"
        return "hidden" if names_objects else "pass"
    raise AssertionError(f"the walk does not know the rule {access!r}: teach `expected` what it means")


def verdict(want: str, status: int, *, read_of_object: bool) -> bool:
    if want == "pass":
        return status not in (401, 403) and status < 500 and not (read_of_object and status == 404)
    if want == "hidden":
        return status in (403, 404)
    if want == "refused":
        return 400 <= status < 500
    return status == int(want)


def header_problems(headers) -> list[str]:
    return [f"{name} missing or without {needle!r}" for name, needle in REQUIRED_HEADERS.items()
            if needle not in headers.get(name, "")]


class Walk:
    def __init__(self, world: World) -> None:
        self.world = world
        self.problems: list[str] = []
        self.websockets: set[Target] = set()

    def fail(self, target: Target, who: str, message: str) -> None:
        self.problems.append(f"{target} as {who}: {message}")

    async def request(self, target: Target, who: Identity, *, origin: str | None = "own",
                      label: str | None = None) -> tuple[int, str]:
        headers = {"Origin": self.world.base if origin == "own" else origin} if origin else {}
        body = BODY if target.method not in SAFE else None
        try:
            return await self._send(target, who, headers, body, label)
        except aiohttp.ClientError as error:
            first_line = str(error).split("\n")[0][:100]
            self.fail(target, label or who.name, f"the response is not valid HTTP ({first_line}; a body after HEAD?)")
            return 0, ""

    async def _send(self, target: Target, who: Identity, headers: dict, body: dict | None,
                    label: str | None) -> tuple[int, str]:
        async with who.http.request(target.method, target.path, json=body, headers=headers,
                                    allow_redirects=False) as r:
            raw = await r.read()
            text = raw.decode("utf-8", "replace")
            for problem in header_problems(r.headers):
                self.fail(target, label or who.name, f"{r.status} response: {problem}")
            if r.status == 400 and WS_MARKER in text:
                self.websockets.add(target)
            return r.status, text

    def check_leak(self, target: Target, who: Identity, text: str) -> None:
        outsider = DEPT_A not in who.departments and who.role not in (Role.ADMIN, Role.HR)
        if who.role is None or who.disabled or outsider:
            for marker in self.world.markers:
                if marker in text:
                    self.fail(target, who.name, f"the response shows department A's {marker!r}")

    async def visit(self, target: Target, who: Identity) -> None:
        want = expected(target.access, who, target.names_objects)
        status, text = await self.request(target, who)
        read_of_object = target.method in SAFE and target.names_objects
        if not verdict(want, status, read_of_object=read_of_object):
            self.fail(target, who.name, f"expected {want} ({target.access}), got {status}: {text[:200]}")
        self.check_leak(target, who, text)

    async def keep_signed_in(self) -> None:
        """A write may have ended a session (log out, password change): sign that identity in again."""
        for who in self.world.identities:
            if who.role is not None and not who.disabled and not await self.world.still_signed_in(who):
                await self.world.log_in(who)

    async def foreign_and_missing_origin(self, target: Target) -> None:
        admin = self.world.who("admin")
        for origin, label in ((FOREIGN_ORIGIN, "admin from a foreign origin"), (None, "admin without Origin")):
            status, text = await self.request(target, admin, origin=origin, label=label)
            if status != 403:
                self.fail(target, label, f"expected 403, got {status}: {text[:200]}")

    async def metrics_bearer(self, target: Target) -> None:
        async with self.world.who("anonymous").http.request(
                target.method, target.path, headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as r:
            if r.status != 200:
                self.fail(target, "the metrics token's bearer", f"expected 200, got {r.status}")


async def test_every_route_enforces_its_declared_rule(world):
    """Each route, method and identity gets what its rule says; writes need the own Origin."""
    walk_targets, unmapped = targets(world.app, world)
    walk = Walk(world)
    for target in walk_targets:
        if target.access is None:
            walk.problems.append(f"{target}: the handler declares no @rule(Access.…)")
    declared = [t for t in walk_targets if t.access is not None]

    for target in [t for t in declared if t.method in SAFE]:
        for who in world.identities:
            await walk.visit(target, who)
        if target.access is Access.METRICS:
            await walk.metrics_bearer(target)

    writes = sorted((t for t in declared if t.method not in SAFE), key=lambda t: t.method == "DELETE")
    for target in writes:
        await walk.foreign_and_missing_origin(target)
        for who in world.identities:
            if expected(target.access, who, target.names_objects) != "pass":
                await walk.visit(target, who)
    for target in writes:
        for who in world.identities:
            if expected(target.access, who, target.names_objects) == "pass":
                await walk.visit(target, who)
                await walk.keep_signed_in()

    for target in sorted(walk.websockets, key=str):
        if target.method == "GET":
            await check_websocket(walk, target)

    problems = walk.problems + [f"{u} — map it in World.parameters (tests/signaling/authz_world.py)"
                                for u in unmapped]
    assert not problems, f"{len(problems)} authorization problems:\n" + "\n".join(problems)
    assert len(declared) > 40, "the walk found suspiciously few routes"
    assert any(t.pattern == "/ws" for t in walk.websockets), "the candidate WebSocket was not recognised as one"


async def check_websocket(walk: Walk, target: Target) -> None:
    """Real handshakes: as each identity with the own Origin; as admin with a foreign one and none."""
    world = walk.world
    for who in world.identities:
        want = expected(target.access, who, target.names_objects)
        if target.access is Access.CANDIDATE:
            want = "pass"  # anyone may open it; the invite token in `hello` is what counts (below)
        try:
            ws = await who.http.ws_connect(target.path, origin=world.base)
        except aiohttp.WSServerHandshakeError as refused:
            for problem in header_problems(refused.headers or {}):
                walk.fail(target, f"{who.name} (WebSocket)", f"refused handshake: {problem}")
            if want == "pass" or not verdict(want, refused.status, read_of_object=False):
                walk.fail(target, f"{who.name} (WebSocket)", f"expected {want}, the handshake got {refused.status}")
            continue
        try:
            if want != "pass":
                walk.fail(target, f"{who.name} (WebSocket)", f"expected {want}, the handshake succeeded")
            elif target.access is Access.CANDIDATE:
                await _candidate_hello_is_refused(walk, target, who, ws)
        finally:
            await ws.close()
    admin = world.who("admin")
    for origin, label in ((FOREIGN_ORIGIN, "a foreign Origin"), (None, "no Origin")):
        try:
            ws = await admin.http.ws_connect(target.path, origin=origin)
        except aiohttp.WSServerHandshakeError as refused:
            if refused.status != 403:
                walk.fail(target, f"admin with {label} (WebSocket)", f"expected 403, got {refused.status}")
            continue
        await ws.close()
        walk.fail(target, f"admin with {label} (WebSocket)", "the handshake succeeded")


async def _candidate_hello_is_refused(walk: Walk, target: Target, who: Identity, ws) -> None:
    """A staff member's session id (or nothing) is not an invite token: `unauthorized`, then 4401."""
    await ws.send_str(json.dumps({"v": 1, "type": "hello", "token": who.session_id or "x" * 43}))
    codes, closed = [], None
    async with asyncio.timeout(10):
        while closed is None:
            message = await ws.receive()
            if message.type is WSMsgType.TEXT:
                codes.append(json.loads(message.data).get("code"))
            else:
                closed = ws.close_code
    if "unauthorized" not in codes or closed != 4401:
        walk.fail(target, f"{who.name} (WebSocket hello)", f"expected unauthorized and 4401, got {codes} {closed}")


def test_every_route_declares_a_rule(tmp_path):
    """A handler without @rule(Access.…) fails here, without building any data (static files are public)."""
    app = create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer())
    missing = [f"{r.method} {r.resource.canonical}" for r in app.router.routes()
               if access_of(r.handler) is None and not isinstance(r.resource, web.StaticResource)]
    assert not missing, "routes without a declared rule:\n" + "\n".join(missing)
