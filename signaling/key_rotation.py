"""`intervox keys rotate`: a new master key version, every data key, TOTP and webhook secret re-wrapped.

The media files are not touched: only the wrapped data keys (and the sealed TOTP and webhook
signing secrets) in the database change. Runs with the server stopped (it takes the data directory's lock). The retired
master key file stays until `--delete-old` removes it, which is refused while anything is still
wrapped under it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from media import WrappedKey, delete_master_key, rewrap_data_key, rotate_master_key

from . import totp, webhook_signing
from .keyring import Keyring
from .store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RotationReport:
    new_version: int
    recordings: int
    totp_secrets: int
    deleted_versions: tuple[int, ...]
    webhook_secrets: int = 0


async def rotate(data_dir: Path, *, delete_old: bool) -> RotationReport:
    """Blocking steps are small (one AES-GCM per key); run with the server stopped."""
    keyring = Keyring(rotate_master_key(data_dir))
    store = await Store.open(data_dir / "intervox.sqlite3")
    try:
        recordings = 0
        for recording_id, blob, version in await store.recordings.wrapped_keys():
            if version == keyring.current_version:
                continue
            wrapped = rewrap_data_key(keyring.ring, recording_id, WrappedKey(version, blob))
            await store.recordings.rewrap(recording_id, wrapped.blob, wrapped.master_version)
            recordings += 1
        secrets = 0
        for user_id, sealed, version in await store.staff.sealed_totp_secrets():
            if version == keyring.current_version:
                continue
            secret = totp.open_secret(sealed, key=keyring.totp_key(version), user_id=user_id)
            resealed = totp.seal_secret(secret, key=keyring.totp_key(keyring.current_version), user_id=user_id)
            await store.staff.reseal_totp(user_id, resealed, keyring.current_version)
            secrets += 1
        webhooks = 0
        for webhook_id, sealed, version in await store.webhooks.sealed_secrets():
            if version == keyring.current_version:
                continue
            secret = webhook_signing.open_sealed(sealed, key=keyring.webhook_key(version), webhook_id=webhook_id)
            resealed = webhook_signing.seal(secret, key=keyring.webhook_key(keyring.current_version),
                                            webhook_id=webhook_id)
            await store.webhooks.reseal(webhook_id, resealed, keyring.current_version)
            webhooks += 1
        deleted: list[int] = []
        if delete_old:
            in_use = {v for _, _, v in await store.recordings.wrapped_keys()}
            in_use |= {v for _, _, v in await store.staff.sealed_totp_secrets()}
            in_use |= {v for _, _, v in await store.webhooks.sealed_secrets()}
            for master in keyring.ring.retired:
                if master.version not in in_use:
                    delete_master_key(data_dir, master.version)
                    deleted.append(master.version)
        await store.audit.record("keys.rotated", new_version=keyring.current_version, recordings=recordings,
                                 totp_secrets=secrets, webhook_secrets=webhooks, deleted_versions=deleted)
        return RotationReport(keyring.current_version, recordings, secrets, tuple(deleted), webhooks)
    finally:
        await store.close()
