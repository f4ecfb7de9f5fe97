"""The master keys as the server uses them: loaded once, and the sub-keys derived from them.

Recording data keys are wrapped directly by a master key version (media.keys). TOTP secrets
are sealed with a key derived from it by HKDF, so one master key never serves two purposes
with the same key bytes; webhook signing secrets likewise, under a sub-key of their own. Rotation
re-wraps the data keys and re-seals the TOTP and webhook secrets.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from media import MasterKeyring, load_master_keys

_TOTP_INFO = b"intervox/v1|totp-secrets"
_WEBHOOK_INFO = b"intervox/v1|webhook-secrets"


class Keyring:
    def __init__(self, ring: MasterKeyring) -> None:
        self.ring = ring

    @classmethod
    def load(cls, data_dir: Path, env_value: str = "") -> Keyring:
        """Blocking: the key file(s) in `data_dir` (created 0600 on first run) or the env value."""
        return cls(load_master_keys(data_dir, env_value=env_value or None))

    @property
    def current_version(self) -> int:
        return self.ring.current.version

    def totp_key(self, version: int) -> bytes:
        master = self.ring.get(version)
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_TOTP_INFO).derive(master.key)

    def webhook_key(self, version: int) -> bytes:
        """Seals webhook signing secrets (a sub-key of its own, like the TOTP one)."""
        master = self.ring.get(version)
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_WEBHOOK_INFO).derive(master.key)
