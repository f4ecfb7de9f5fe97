"""Typed keys for what the application holds (aiohttp `AppKey`s, no module globals)."""

from __future__ import annotations

import weakref

from aiohttp import web

from scoring.scheduler import TranscriptionScheduler

from .config import Settings
from .registry import LiveInterviews
from .store import Store
from .tasks import TaskOwner

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
SCHEDULER = web.AppKey("scheduler", TranscriptionScheduler)
REGISTRY = web.AppKey("registry", LiveInterviews)
FINALIZERS = web.AppKey("finalizers", TaskOwner)
CLEANUPS = web.AppKey("cleanups", TaskOwner)
SOCKETS = web.AppKey("sockets", weakref.WeakSet)
BANNER = web.AppKey("banner", list)
