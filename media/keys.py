"""The master key and envelope keys: one random data key per recording, wrapped by a versioned master key.

On disk (in the data dir), one file per master key version, each mode 0600::

    master.key          the current key      intervox-master-key v1\\n<version>\\n<base64 of 32 bytes>\\n
    master-v<N>.key     a retired version    (same format), kept until every data key is re-wrapped

`load_master_keys` creates ``master.key`` (version 1) on first run, or takes the key from an
environment value instead (base64 of 32 bytes; the caller reads the environment and passes it in;
no file is read or written then). Rotation (`rotate_master_key`) retires the current file to
``master-v<N>.key`` and writes version N+1 as ``master.key``; the caller then re-wraps every data
key (`rewrap_data_key`) and finally deletes the retired version (`delete_master_key`). The media
files are never touched. A key file readable or writable by group or other is refused.

A wrapped data key is ``nonce (12) || AES-256-GCM(master key, data key)`` with AAD
``intervox/v1|wrap|rec=<recording uuid>|kv=<master key version>``, stored beside the version.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import IntegrityError, MasterKeyError, VaultError
from .vault import CREATE_NEW, canonical_recording_id, fsync_dir

KEY_SIZE = 32
NONCE_SIZE = 12
MASTER_KEY_FILE = "master.key"
_MAGIC = "intervox-master-key v1"
_RETIRED = re.compile(r"master-v([1-9][0-9]{0,8})\.key")


@dataclass(frozen=True, repr=False)
class MasterKey:
    """One version of the master key."""

    version: int
    key: bytes

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise MasterKeyError(f"a master key version is a positive integer, not {self.version!r}")
        if len(self.key) != KEY_SIZE:
            raise MasterKeyError(f"a master key is {KEY_SIZE} bytes, not {len(self.key)}")

    def __repr__(self) -> str:
        return f"MasterKey(version={self.version}, key=<secret>)"


@dataclass(frozen=True)
class MasterKeyring:
    """The current master key (wraps new data keys) and the retired versions still needed to unwrap."""

    current: MasterKey
    retired: tuple[MasterKey, ...] = ()

    def __post_init__(self) -> None:
        if len(set(self.versions)) != len(self.versions):
            raise MasterKeyError(f"master key versions must be distinct: {self.versions}")

    @property
    def versions(self) -> tuple[int, ...]:
        return (self.current.version, *(k.version for k in self.retired))

    def get(self, version: int) -> MasterKey:
        """The master key of `version`, or `MasterKeyError` if that version is not held."""
        for master in (self.current, *self.retired):
            if master.version == version:
                return master
        raise MasterKeyError(f"master key version {version} is not available (have {sorted(self.versions)})")


def load_master_keys(
    data_dir: str | os.PathLike[str], *, env_value: str | None = None, env_version: int = 1, create: bool = True
) -> MasterKeyring:
    """The keyring: from `env_value` if given (one key, `env_version`), else the key files in `data_dir`."""
    if env_value is not None:
        return MasterKeyring(MasterKey(env_version, _decode(env_value.strip(), "the master key from the environment")))
    directory = Path(data_dir)
    if not directory.is_dir():
        raise MasterKeyError(f"data dir {directory} does not exist")
    path = directory / MASTER_KEY_FILE
    if not path.exists():
        if not create:
            raise MasterKeyError(f"no master key at {path}")
        _write_new(path, MasterKey(1, secrets.token_bytes(KEY_SIZE)), replace=False)
    current = _read_key_file(path)
    retired = []
    for candidate in sorted(directory.glob("master-v*.key")):
        if match := _RETIRED.fullmatch(candidate.name):
            master = _read_key_file(candidate)
            if master.version != int(match.group(1)):
                raise MasterKeyError(f"{candidate} holds version {master.version}, not the one in its name")
            if master.version == current.version and master.key == current.key:
                continue  # a rotation stopped between retiring the old file and writing the new one
            retired.append(master)
    return MasterKeyring(current, tuple(retired))


def rotate_master_key(data_dir: str | os.PathLike[str]) -> MasterKeyring:
    """Make a new current version; the old one is kept as ``master-v<N>.key`` until deleted."""
    directory = Path(data_dir)
    ring = load_master_keys(directory, create=False)
    old, path = ring.current, directory / MASTER_KEY_FILE
    retired_path = directory / f"master-v{old.version}.key"
    try:
        os.link(path, retired_path)
    except FileExistsError:
        if _read_key_file(retired_path).key != old.key:
            raise MasterKeyError(f"{retired_path} exists and holds another key") from None
    _write_new(path, MasterKey(max(ring.versions) + 1, secrets.token_bytes(KEY_SIZE)), replace=True)
    return load_master_keys(directory, create=False)


def delete_master_key(data_dir: str | os.PathLike[str], version: int) -> None:
    """Delete a retired version, once no data key is wrapped under it any more (the caller knows)."""
    directory = Path(data_dir)
    if _read_key_file(directory / MASTER_KEY_FILE).version == version:
        raise MasterKeyError(f"master key version {version} is the current one")
    (directory / f"master-v{version}.key").unlink(missing_ok=True)
    fsync_dir(directory)


def new_data_key() -> bytes:
    """A fresh random 32-byte data key for one recording."""
    return secrets.token_bytes(KEY_SIZE)


@dataclass(frozen=True)
class WrappedKey:
    """A data key wrapped by master key `master_version`: what the database stores."""

    master_version: int
    blob: bytes


def wrap_aad(recording_id: uuid.UUID | str, master_version: int) -> bytes:
    """The AAD binding a wrapped key to its recording and master key version."""
    return f"intervox/v1|wrap|rec={canonical_recording_id(recording_id)}|kv={int(master_version)}".encode("ascii")


def wrap_data_key(keyring: MasterKeyring, recording_id: uuid.UUID | str, data_key: bytes) -> WrappedKey:
    """Wrap `data_key` for `recording_id` under the current master key."""
    if len(data_key) != KEY_SIZE:
        raise VaultError(f"a data key is {KEY_SIZE} bytes, not {len(data_key)}")
    master = keyring.current
    nonce = secrets.token_bytes(NONCE_SIZE)
    sealed = AESGCM(master.key).encrypt(nonce, bytes(data_key), wrap_aad(recording_id, master.version))
    return WrappedKey(master.version, nonce + sealed)


def unwrap_data_key(keyring: MasterKeyring, recording_id: uuid.UUID | str, wrapped: WrappedKey) -> bytes:
    """The data key, if `wrapped` was made for `recording_id` under its stated master key version."""
    master = keyring.get(wrapped.master_version)
    if len(wrapped.blob) != NONCE_SIZE + KEY_SIZE + 16:
        raise IntegrityError(f"a wrapped key is {NONCE_SIZE + KEY_SIZE + 16} bytes, not {len(wrapped.blob)}")
    nonce, sealed = wrapped.blob[:NONCE_SIZE], wrapped.blob[NONCE_SIZE:]
    try:
        return AESGCM(master.key).decrypt(nonce, sealed, wrap_aad(recording_id, master.version))
    except InvalidTag:
        raise IntegrityError(
            f"wrapped key does not open for recording {recording_id} under master key v{master.version}"
        ) from None


def rewrap_data_key(keyring: MasterKeyring, recording_id: uuid.UUID | str, wrapped: WrappedKey) -> WrappedKey:
    """The same data key wrapped under the current master key (rotation); the media stay as they are."""
    return wrap_data_key(keyring, recording_id, unwrap_data_key(keyring, recording_id, wrapped))


def _decode(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"{what} is not base64") from None
    if len(key) != KEY_SIZE:
        raise MasterKeyError(f"{what} is {len(key)} bytes; a master key is base64 of {KEY_SIZE} bytes")
    return key


def _read_key_file(path: Path) -> MasterKey:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise MasterKeyError(f"no master key at {path}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise MasterKeyError(f"{path} is not a regular file")
        if mode & 0o077:
            raise MasterKeyError(
                f"refusing master key {path}: mode {stat.S_IMODE(mode):04o} lets group or other read or write it; "
                f"run: chmod 600 {path}"
            )
        text = os.read(fd, 4096).decode("ascii", errors="replace")
    finally:
        os.close(fd)
    lines = text.split("\n")
    if lines[-1:] == [""]:
        lines.pop()
    if len(lines) != 3 or lines[0] != _MAGIC or not re.fullmatch(r"[1-9][0-9]{0,8}", lines[1]):
        raise MasterKeyError(f"{path} is not an intervox master key file ({_MAGIC!r}, a version, a base64 key)")
    return MasterKey(int(lines[1]), _decode(lines[2], f"the key in {path}"))


def _write_new(path: Path, master: MasterKey, *, replace: bool) -> None:
    """Write a key file complete and 0600 from its creation, then put it in place atomically."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    body = f"{_MAGIC}\n{master.version}\n{base64.b64encode(master.key).decode('ascii')}\n".encode("ascii")
    fd = os.open(tmp, CREATE_NEW, 0o600)
    try:
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # never replaces: another process's new key wins, and is then loaded
            except FileExistsError:
                pass
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
