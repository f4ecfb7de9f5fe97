"""Crash repair: an unfinished ``*.tmp`` part becomes a finalized part holding its authenticated prefix.

After a crash a part's tmp file holds a header and some chunks, the last one possibly torn. The
prefix that authenticates (full chunks in order, each at its index as a non-final chunk) is
re-encrypted with a new salt under the same key and context into the final part; the tmp file is
removed only once that part is durable. If the tmp file already ends with a valid final chunk (a
crash between writing it and the rename), the whole message is kept and `complete` says so.

A tmp file whose header is complete but whose commitment does not match (wrong key or context) is
left alone: `IntegrityError`. A header cut short means nothing was written: an empty part.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .chunked import HEADER_SIZE, SEALED_CHUNK_SIZE, TAG_SIZE, check_key, open_chunk, open_header
from .errors import IntegrityError, VaultError
from .part_reader import PartReader
from .vault import PartInfo, PartWriter, fsync_dir


@dataclass(frozen=True)
class RepairResult:
    """The finalized part made from a tmp file, and how much of the tmp file it kept."""

    part: PartInfo
    complete: bool  # the tmp file held a whole message; nothing was lost
    dropped_bytes: int  # bytes of the tmp file after its authenticated prefix

    @property
    def recovered_bytes(self) -> int:
        """Plaintext bytes recovered (the part's plaintext size)."""
        return self.part.plaintext_size


def repair_part(
    tmp_path: str | os.PathLike[str], final_path: str | os.PathLike[str], key: bytes, context: bytes
) -> RepairResult:
    """Turn an unfinished part into `final_path` holding its authenticated prefix; then delete `tmp_path`."""
    check_key(key)
    tmp, final = Path(tmp_path), Path(final_path)
    scratch = final.with_name(final.name + ".repair.tmp")
    scratch.unlink(missing_ok=True)  # left by a repair that stopped before its rename
    if final.exists():  # a repair that stopped after its rename: check it, then finish the clean-up
        plaintext_size, kept, complete = _scan(tmp, key, context, lambda _: None)
        with PartReader(final, key, context) as reader:
            if reader.plaintext_size != plaintext_size:
                raise VaultError(f"both {tmp} and {final} exist and disagree; neither is changed")
        part = PartInfo(plaintext_size, final.stat().st_size, _sha256_file(final))
    else:
        writer = PartWriter(final, key, context, fsync_interval=math.inf, tmp_path=scratch)
        try:
            plaintext_size, kept, complete = _scan(tmp, key, context, writer.write)
            part = writer.finalize()
        except BaseException:
            writer.abort()
            raise
    dropped = tmp.stat().st_size - kept
    tmp.unlink()
    fsync_dir(tmp.parent)
    return RepairResult(part, complete, dropped)


def _scan(tmp: Path, key: bytes, context: bytes, sink: Callable[[bytes], None]) -> tuple[int, int, bool]:
    """Feed the authenticated prefix to `sink`; return its plaintext size, ciphertext size, completeness."""
    with open(tmp, "rb", buffering=0) as file:
        header = file.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE:
            return 0, 0, False
        keys = open_header(key, header, context)
        plaintext_size, kept, index = 0, HEADER_SIZE, 0
        while True:
            sealed = _read_up_to(file, SEALED_CHUNK_SIZE)
            final = len(sealed) < SEALED_CHUNK_SIZE
            if final and (len(sealed) < TAG_SIZE or file.read(1)):
                return plaintext_size, kept, False
            try:
                plaintext = open_chunk(keys, index, sealed, final=final)
            except IntegrityError:
                return plaintext_size, kept, False
            sink(plaintext)
            plaintext_size += len(plaintext)
            kept += len(sealed)
            if final:
                return plaintext_size, kept, True
            index += 1


def _read_up_to(file: io.RawIOBase, size: int) -> bytes:
    parts, missing = [], size
    while missing and (piece := file.read(missing)):  # short only at the end of the file
        parts.append(piece)
        missing -= len(piece)
    return b"".join(parts)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
