"""The static pages and their assets, served from the `web` package. Pages are shells: the data
they show comes from the JSON API, which checks who is asking, so every page here is public."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from aiohttp import web

from .policy import Access, rule

WEB_DIR = Path(str(resources.files("web")))

routes = web.RouteTableDef()


def _page(name: str) -> web.FileResponse:
    response = web.FileResponse(WEB_DIR / name)
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.get("/")
@rule(Access.PUBLIC)
async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/hr")


@routes.get("/login")
@rule(Access.PUBLIC)
async def login_page(request: web.Request) -> web.StreamResponse:
    return _page("login.html")


@routes.get("/hr")
@rule(Access.PUBLIC)
async def hr_page(request: web.Request) -> web.StreamResponse:
    return _page("hr.html")


@routes.get("/review")
@rule(Access.PUBLIC)
async def review_page(request: web.Request) -> web.StreamResponse:
    return _page("review.html")


@routes.get("/account")
@rule(Access.PUBLIC)
async def account_page(request: web.Request) -> web.StreamResponse:
    return _page("account.html")


@routes.get("/account/activate")
@rule(Access.PUBLIC)
async def activate_page(request: web.Request) -> web.StreamResponse:
    """Where invitation and password-reset links lead; the token is in the fragment, never sent here."""
    return _page("activate.html")


@routes.get("/interview")
@rule(Access.PUBLIC)
async def candidate_page(request: web.Request) -> web.StreamResponse:
    return _page("candidate.html")


@routes.get("/favicon.ico")
@rule(Access.PUBLIC)
async def favicon(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently("/static/favicon.svg")


@routes.get("/healthz")
@rule(Access.PUBLIC)
async def health(request: web.Request) -> web.StreamResponse:
    return web.json_response({"ok": True})


def add_static(app: web.Application) -> None:
    """/static/: the pages' scripts, styles and catalogs (public by resource type: no handler to mark)."""
    app.router.add_static("/static/", WEB_DIR, follow_symlinks=False, append_version=False)
