"""Who may call each HTTP route, declared on the handler and checked by a test that walks the
application's route table (tests/signaling/test_authorization_walk.py): a route without a rule
fails the suite.

The declaration documents and tests the rule; the handler still enforces it on the server (with
`sessions.require…` and `access.…`), because a decorator that only labels cannot forget.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

ATTRIBUTE = "__intervox_access__"


class Access(StrEnum):
    PUBLIC = "public"            # pages, static files, health, login: anyone
    CANDIDATE = "candidate"      # the candidate's invite token (the WebSocket hello)
    SIGNED_IN = "signed_in"      # any staff account (own profile, logout, second factor)
    DEPARTMENT = "department"    # HR and admins: all; dept_head and reviewer: their departments' data only
    HR = "hr"                    # HR and admins
    ADMIN = "admin"              # admins only
    METRICS = "metrics"          # loopback, or the metrics bearer token


Handler = TypeVar("Handler", bound=Callable[..., object])


def rule(access: Access) -> Callable[[Handler], Handler]:
    def mark(handler: Handler) -> Handler:
        setattr(handler, ATTRIBUTE, access)
        return handler

    return mark


def access_of(handler: object) -> Access | None:
    return getattr(handler, ATTRIBUTE, None)
