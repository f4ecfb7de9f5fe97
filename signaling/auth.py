"""Passwords, session identifiers and invite tokens.

Passwords are hashed with Argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).
Session ids and invite tokens are 256-bit random values; only their SHA-256 is stored, so a
copy of the database does not let anyone log in or open an interview.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown makes "no such user" cost as much as
# "wrong password", so response times do not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; a missing hash is checked against a dummy to keep timing flat."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_secret() -> str:
    """A 256-bit random value, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The form in which session ids and invite tokens are stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def password_problem(password: object, *, email: str) -> str | None:
    """Why `password` may not be chosen (a message for the person choosing it), or None.

    Length is what matters (NIST SP 800-63B): at least 12 characters, any characters, no
    composition rules. The account's own e-mail address is refused.
    """
    if not isinstance(password, str) or not password:
        return "is required"
    if len(password) < MIN_PASSWORD_CHARS:
        return f"must be at least {MIN_PASSWORD_CHARS} characters"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"must be at most {MAX_PASSWORD_CHARS} characters"
    if password.strip().casefold() in {email.strip().casefold(), email.partition("@")[0].strip().casefold()}:
        return "must not be your e-mail address"
    if len(set(password)) < 4:
        return "must not repeat the same few characters"
    return None


def unusable_password_hash() -> str:
    """A real Argon2 hash of a secret nobody knows: for accounts whose owner has not set a password yet
    (the login check costs the same as for any account)."""
    return hash_password(new_secret())
