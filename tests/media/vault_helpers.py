"""Helpers for the vault tests: a fake clock, part writing, and collecting a range read up to its error."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterable
from pathlib import Path

from media import PartInfo, PartReader, PartWriter, recording_context

REC = uuid.UUID("0f0e0d0c-0b0a-4908-8706-050403020100")
CONTEXT = recording_context(REC, 0, "video/webm")
WEBM_MAGIC = bytes.fromhex("1a45dfa3")


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def irregular_sizes(total: int, seed: int = 1) -> list[int]:
    """Write sizes that add up to `total`: tiny, odd, chunk-sized and large ones mixed."""
    rng, sizes = random.Random(seed), []
    while total:
        size = min(total, rng.choice([1, 7, 1000, 16383, 16384, 16385, 40000, 250_000]))
        sizes.append(size)
        total -= size
    return sizes


def write_part(path: Path, plaintext: bytes, key: bytes, context: bytes = CONTEXT, **kwargs: object) -> PartInfo:
    """Write `plaintext` as a finalized part at `path`, in irregular write() sizes."""
    writer = PartWriter(path, key, context, **kwargs)  # type: ignore[arg-type]
    at = 0
    for size in irregular_sizes(len(plaintext)):
        writer.write(plaintext[at : at + size])
        at += size
    return writer.finalize()


def read_until_error(reader: PartReader, offset: int, length: int) -> tuple[bytes, Exception | None]:
    """Everything `iter_range` released for the range, and the error that stopped it (if any)."""
    pieces: list[bytes] = []
    try:
        for piece in reader.iter_range(offset, length):
            pieces.append(piece)
    except Exception as error:  # noqa: BLE001 - the caller asserts on the type
        return b"".join(pieces), error
    return b"".join(pieces), None


def files_containing(directory: Path, needles: Iterable[bytes]) -> list[str]:
    """Names of the files under `directory` holding any of `needles`."""
    found = []
    for root, _, names in os.walk(directory):
        for name in names:
            data = Path(root, name).read_bytes()
            if any(needle in data for needle in needles):
                found.append(name)
    return found
