"""Typed keys for what the application holds (aiohttp `AppKey`s, no module globals)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from aiohttp import web

from scoring.scheduler import TranscriptionScheduler

from .config import Settings
from .keyring import Keyring
from .mailer import Mailer
from .ratelimit import Limiter
from .recordings import Recordings
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
KEYRING = web.AppKey("keyring", Keyring)
RECORDINGS = web.AppKey("recordings", Recordings)
MAILER = web.AppKey("mailer", Mailer)


@dataclass(frozen=True)
class Limiters:
    """Throttles for password and TOTP guesses (process-wide, in memory)."""

    login: Limiter
    totp: Limiter


LIMITERS = web.AppKey("limiters", Limiters)
