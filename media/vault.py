"""Recording encryption: parts are written as Cobblestone-256 messages and read back by byte range.

A part is one file per (answer, connection epoch). `PartWriter` streams it to ``<name>.tmp``
(ciphertext only, fsynced at least every `fsync_interval` seconds) and renames it into place on
`finalize()`. `PartReader` serves any byte range of a finalized part, authenticating every chunk it
touches before releasing a byte of it. The context binds a part to its record, so a part copied
under another recording, part number or MIME type does not decrypt.

Both are blocking: callers run them in a thread. Each call is incremental (at most a few chunks in
memory besides the caller's own buffer). I/O errors from the OS propagate as `OSError`.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.cobblestone import Cobblestone256Encryptor

from .chunked import (
    CHUNK_SIZE,
    HEADER_SIZE,
    SEALED_CHUNK_SIZE,
    ChunkKeys,
    check_key,
    chunk_offset,
    final_chunk_index,
    open_chunk,
    open_header,
    plaintext_size_for,
    sealed_size,
)
from .errors import IntegrityError, OutOfRangeError, TruncatedError, VaultError

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
    """Encrypt one part as a stream into ``<final>.tmp``; `finalize()` makes it ``<final>``, durably."""

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
        self.plaintext_size += len(data)
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
        if self.final_path.exists():
            self._state = "failed"
            raise VaultError(f"part {self.final_path} appeared while writing; {self.tmp_path} is kept")
        os.rename(self.tmp_path, self.final_path)
        self._state = "finalized"
        fsync_dir(self.final_path.parent)
        return PartInfo(self.plaintext_size, self.ciphertext_size, self._sha256.hexdigest())

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


class PartReader:
    """Random access to a finalized part: every chunk touched is authenticated before it is released.

    The plaintext size is the caller's `plaintext_size` (from the database), and the file must be
    exactly the size it implies; without it, the size implied by the file is trusted only once the
    final chunk authenticates at that index. Reads outside ``[0, plaintext_size]`` raise
    `OutOfRangeError` (no clamping: clamp an HTTP Range against `plaintext_size` first).
    """

    def __init__(
        self, path: str | os.PathLike[str], key: bytes, context: bytes, plaintext_size: int | None = None
    ) -> None:
        self._open(path)
        try:
            header = self._pread(0, HEADER_SIZE)
            if len(header) < HEADER_SIZE:
                raise TruncatedError(f"{self.path} is {len(header)} bytes, shorter than the header")
            self._start(open_header(key, header, context), plaintext_size)
        except BaseException:
            self.close()
            raise

    @classmethod
    def raw(cls, path: str | os.PathLike[str], keys: ChunkKeys, plaintext_size: int | None = None) -> PartReader:
        """Raw mode: read with a known AEAD key and base nonce; the header is skipped, not checked."""
        reader = cls.__new__(cls)
        reader._open(path)
        try:
            reader._start(keys, plaintext_size)
        except BaseException:
            reader.close()
            raise
        return reader

    def read(self, offset: int, length: int) -> bytes:
        """Exactly the plaintext bytes ``[offset, offset + length)``."""
        return b"".join(self.iter_range(offset, length))

    def iter_range(self, offset: int, length: int, *, chunks_per_read: int = 16) -> Iterator[bytes]:
        """Yield the plaintext of ``[offset, offset + length)`` one chunk's worth at a time.

        The ciphertext is read `chunks_per_read` chunks per system call. The range is checked now;
        integrity errors surface while iterating, after only authenticated bytes were yielded.
        """
        if isinstance(offset, bool) or isinstance(length, bool) or offset < 0 or length < 0:
            raise OutOfRangeError(f"offset and length must be non-negative, not {offset}, {length}")
        if offset + length > self.plaintext_size:
            raise OutOfRangeError(f"bytes {offset}..{offset + length} are beyond the part's {self.plaintext_size}")
        if chunks_per_read < 1:
            raise VaultError("chunks_per_read must be at least 1")
        self._check_open()
        return self._iter_range(offset, offset + length, chunks_per_read)

    def close(self) -> None:
        """Close the file. Idempotent."""
        if getattr(self, "_fd", None) is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # type: ignore[arg-type]

    def __enter__(self) -> PartReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def _start(self, keys: ChunkKeys, plaintext_size: int | None) -> None:
        self._keys = keys
        file_size = os.fstat(self._fd).st_size  # type: ignore[arg-type]
        if plaintext_size is None:
            self.plaintext_size = plaintext_size_for(file_size)
            self._final_index = final_chunk_index(self.plaintext_size)
            for _ in self._read_chunks(self._final_index, self._final_index):  # authenticates the size
                pass
            return
        if isinstance(plaintext_size, bool) or not isinstance(plaintext_size, int) or plaintext_size < 0:
            raise VaultError(f"plaintext_size must be a non-negative integer, not {plaintext_size!r}")
        expected = sealed_size(plaintext_size)
        if file_size != expected:
            error = TruncatedError if file_size < expected else IntegrityError
            raise error(f"{self.path} is {file_size} bytes; a {plaintext_size}-byte part is {expected}")
        self.plaintext_size = plaintext_size
        self._final_index = final_chunk_index(plaintext_size)

    def _iter_range(self, start: int, end: int, chunks_per_read: int) -> Iterator[bytes]:
        if start == end:
            return
        index, last = start // CHUNK_SIZE, (end - 1) // CHUNK_SIZE
        if end == self.plaintext_size:
            last = self._final_index  # a read to the end also authenticates the end (even an empty final chunk)
        while index <= last:
            batch_last = min(last, index + chunks_per_read - 1)
            for k, plaintext in enumerate(self._read_chunks(index, batch_last), index):
                base = k * CHUNK_SIZE
                yield plaintext[max(start - base, 0) : min(end - base, len(plaintext))]
            index = batch_last + 1

    def _read_chunks(self, first: int, last: int) -> Iterator[bytes]:
        """Read chunks first..last in one call; yield each plaintext once it has authenticated."""
        begin = chunk_offset(first)
        data = memoryview(self._pread(begin, chunk_offset(last) + self._sealed_len(last) - begin))
        for k in range(first, last + 1):
            at = chunk_offset(k) - begin
            sealed = data[at : at + self._sealed_len(k)]
            if len(sealed) < self._sealed_len(k):
                raise TruncatedError(f"{self.path} ends inside chunk {k}")
            yield open_chunk(self._keys, k, sealed, final=k == self._final_index)

    def _sealed_len(self, index: int) -> int:
        if index < self._final_index:
            return SEALED_CHUNK_SIZE
        return sealed_size(self.plaintext_size) - chunk_offset(index)

    def _pread(self, offset: int, size: int) -> bytes:
        self._check_open()
        parts = []
        while size:
            piece = os.pread(self._fd, size, offset)  # type: ignore[arg-type]
            if not piece:
                break
            parts.append(piece)
            offset += len(piece)
            size -= len(piece)
        return b"".join(parts)

    def _check_open(self) -> None:
        if self._fd is None:
            raise VaultError(f"part reader for {self.path} is closed")
