"""Recording encryption: parts are written as Cobblestone-256 messages and read back by byte range.

A part is one file per (answer, connection epoch). `PartWriter` streams it to ``<name>.tmp``
(ciphertext only, fsynced at least every `fsync_interval` seconds while written to) and renames it
into place on `finalize()`; `media.part_reader.PartReader` serves byte ranges of finalized parts
and `media.repair` turns a crashed part's tmp file into a finalized one. The context binds a part
to its record, so a part copied under another recording, part number or MIME type does not decrypt.

The writer is blocking: callers run it in a thread. Each call is incremental (at most one chunk in
memory besides the caller's own buffer). I/O errors from the OS propagate as `OSError`.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.cobblestone import Cobblestone256Encryptor

from .chunked import check_key
from .errors import VaultError

DEFAULT_FSYNC_INTERVAL = 2.0
CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(;[\x21-\x7e]*)?")


def canonical_recording_id(recording_id: uuid.UUID | str) -> str:
    """A recording id as the lowercase hyphenated UUID, whichever UUID spelling was given."""
    try:
        return str(recording_id if isinstance(recording_id, uuid.UUID) else uuid.UUID(recording_id))
    except (ValueError, TypeError, AttributeError):
        raise VaultError(f"a recording id is a UUID, not {recording_id!r}") from None


def recording_context(recording_id: uuid.UUID | str, part: int, mime: str) -> bytes:
    """``intervox/v1|rec=<uuid>|part=<n>|mime=<mime>``: what a part's ciphertext is bound to."""
    if isinstance(part, bool) or not isinstance(part, int) or part < 0:
        raise VaultError(f"a part number is a non-negative integer, not {part!r}")
    if len(mime) > 255 or not _MIME.fullmatch(mime):
        raise VaultError(f"not a lowercase MIME type: {mime!r}")
    return f"intervox/v1|rec={canonical_recording_id(recording_id)}|part={part}|mime={mime}".encode("ascii")


def tmp_path_for(final_path: str | os.PathLike[str]) -> Path:
    """Where a part is written before it is finalized: its final name plus ``.tmp``."""
    final = Path(final_path)
    return final.with_name(final.name + ".tmp")


def fsync_dir(directory: Path) -> None:
    """Make a directory's entries (a create, rename or unlink in it) durable."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class PartInfo:
    """What the database records about a finalized part."""

    plaintext_size: int
    ciphertext_size: int
    ciphertext_sha256: str


class PartWriter:
    """Encrypt one part as a stream into ``<final>.tmp``; `finalize()` makes it ``<final>``, durably.

    Used from one thread. The header is fsynced at creation; after that a `write()` fsyncs when
    `fsync_interval` seconds have passed since the last fsync, and `sync()` forces one (the chunk
    still being filled, under 16 KiB, is only in memory until it is complete). The owner calls
    `finalize()` or `abort()`; a writer left without either leaves its tmp file for `repair_part`.
    """

    def __init__(
        self,
        final_path: str | os.PathLike[str],
        key: bytes,
        context: bytes,
        *,
        fsync_interval: float = DEFAULT_FSYNC_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        tmp_path: str | os.PathLike[str] | None = None,
    ) -> None:
        check_key(key)
        if not fsync_interval >= 0:
            raise VaultError(f"fsync_interval must be >= 0, not {fsync_interval}")
        self.final_path = Path(final_path)
        self.tmp_path = Path(tmp_path) if tmp_path is not None else tmp_path_for(self.final_path)
        self._encryptor = Cobblestone256Encryptor(key, context)
        self._fsync_interval = fsync_interval
        self._clock = clock
        self._sha256 = hashlib.sha256()
        self._fd: int | None = None
        self._state = "open"
        self.plaintext_size = 0
        self.ciphertext_size = 0
        self.syncs = 0
        if self.final_path.exists():
            raise VaultError(f"part {self.final_path} is already finalized; a part is never appended to")
        try:
            self._fd = os.open(self.tmp_path, CREATE_NEW, 0o600)
        except FileExistsError:
            raise VaultError(f"{self.tmp_path} exists: an unfinished part (repair or remove it first)") from None
        try:
            self._emit(self._encryptor.update(b""))  # the header: salt and commitment
            self.sync()
            fsync_dir(self.tmp_path.parent)  # the tmp file itself survives a crash, for repair
        except BaseException:
            self.abort()
            raise

    def write(self, data: bytes | memoryview) -> None:
        """Encrypt and append `data`; fsync if `fsync_interval` has passed since the last fsync."""
        self._check_open()
        sealed = self._encryptor.update(data)
        self.plaintext_size += memoryview(data).nbytes
        self._emit(sealed)
        if self._clock() - self._last_sync >= self._fsync_interval:
            self.sync()

    def sync(self) -> None:
        """Force the ciphertext written so far to disk (a chunk still being filled is not yet written)."""
        self._check_open()
        try:
            os.fsync(self._fd)  # type: ignore[arg-type]
        except BaseException:
            self._state = "failed"
            raise
        self._last_sync = self._clock()
        self.syncs += 1

    def finalize(self) -> PartInfo:
        """Write the final chunk, fsync, rename to the final name and fsync the directory."""
        self._check_open()
        self._emit(self._encryptor.finalize())
        self.sync()
        self._close_fd()
        self._state = "failed"  # until the rename succeeds; the complete tmp file is then left for repair
        if self.final_path.exists():
            raise VaultError(f"part {self.final_path} appeared while writing; {self.tmp_path} is kept")
        os.rename(self.tmp_path, self.final_path)
        self._state = "finalized"
        fsync_dir(self.final_path.parent)
        return PartInfo(self.plaintext_size, self.ciphertext_size, self._sha256.hexdigest())

    def leave_for_repair(self) -> None:
        """Stop writing but keep the tmp file: its authenticated prefix can be repaired (`repair_part`)."""
        if self._state in ("finalized", "aborted"):
            return
        self._close_fd()
        self._state = "failed"

    def abort(self) -> None:
        """Delete the unfinished part. Idempotent; does nothing once the part is finalized."""
        if self._state == "finalized":
            return
        self._close_fd()
        self._state = "aborted"
        self.tmp_path.unlink(missing_ok=True)

    def _emit(self, sealed: bytes) -> None:
        view = memoryview(sealed)
        try:
            while view:
                view = view[os.write(self._fd, view) :]  # type: ignore[arg-type]
        except BaseException:
            self._state = "failed"  # the encryptor has moved on: later chunks would not line up
            raise
        self._sha256.update(sealed)
        self.ciphertext_size += len(sealed)

    def _check_open(self) -> None:
        if self._state != "open":
            raise VaultError(f"part writer for {self.final_path} is {self._state}")

    def _close_fd(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
