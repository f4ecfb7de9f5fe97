"""The static pages and their assets, served from the `web` package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from aiohttp import web

WEB_DIR = Path(str(resources.files("web")))

routes = web.RouteTableDef()


def _page(name: str) -> web.FileResponse:
    response = web.FileResponse(WEB_DIR / name)
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.get("/")
async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/hr")


@routes.get("/login")
async def login_page(request: web.Request) -> web.StreamResponse:
    return _page("login.html")


@routes.get("/hr")
async def hr_page(request: web.Request) -> web.StreamResponse:
    return _page("hr.html")


@routes.get("/review")
async def review_page(request: web.Request) -> web.StreamResponse:
    return _page("review.html")


@routes.get("/interview")
async def candidate_page(request: web.Request) -> web.StreamResponse:
    return _page("candidate.html")


@routes.get("/favicon.ico")
async def favicon(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently("/static/favicon.svg")


@routes.get("/healthz")
async def health(request: web.Request) -> web.StreamResponse:
    return web.json_response({"ok": True})


def add_static(app: web.Application) -> None:
    app.router.add_static("/static/", WEB_DIR, follow_symlinks=False, append_version=False)
