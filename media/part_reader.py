"""Byte-range reads of finalized recording parts: every chunk touched is authenticated first.

Chunk *k* sits at ``56 + k·16400``, so any range is served by reading and decrypting only the chunks
it covers, with the HKDF-derived key and base nonce (`media.chunked`). Blocking: callers run it in a
thread. I/O errors from the OS propagate as `OSError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .chunked import (
    CHUNK_SIZE,
    HEADER_SIZE,
    SEALED_CHUNK_SIZE,
    ChunkKeys,
    chunk_offset,
    final_chunk_index,
    open_chunk,
    open_header,
    plaintext_size_for,
    sealed_size,
)
from .errors import IntegrityError, OutOfRangeError, TruncatedError, VaultError


class PartReader:
    """Random access to a finalized part: every chunk touched is authenticated before it is released.

    The commitment is checked when the reader opens. The plaintext size is the caller's
    `plaintext_size` (from the database) and the file must be exactly the size it implies; without
    it, the size the file implies is trusted only once the final chunk authenticates at its index.
    A read that reaches the end also authenticates the final chunk (even an empty one). Reads
    outside ``[0, plaintext_size]`` raise `OutOfRangeError`: no clamping (an HTTP layer clamps a
    Range against `plaintext_size` itself). Data released before an error is a true prefix.
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
                if piece := plaintext[max(start - base, 0) : min(end - base, len(plaintext))]:
                    yield piece
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
