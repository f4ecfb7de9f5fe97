"""Reading a data directory's recordings the way an auditor would: the rows from SQLite, the
parts decrypted with the directory's own master key, and the media decoded with PyAV."""

from __future__ import annotations

import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import av

from media import PartReader, WrappedKey, load_master_keys, recording_context, unwrap_data_key


@dataclass(frozen=True)
class DecryptedPart:
    recording_id: str
    part: int
    status: str
    answer_offset_seconds: float
    duration_seconds: float | None
    webm: bytes


def decrypt_parts(data_dir: Path) -> list[DecryptedPart]:
    """Every recording part under `data_dir`, decrypted, in (recording, part) order."""
    with sqlite3.connect(f"file:{data_dir / 'intervox.sqlite3'}?mode=ro", uri=True) as db:
        recordings = db.execute("SELECT id, wrapped_key, key_version FROM recordings ORDER BY rowid").fetchall()
        rows = {rec_id: db.execute(
            "SELECT part, status, file_name, plaintext_size, mime, answer_offset_seconds, duration_seconds "
            "FROM recording_parts WHERE recording_id = ? ORDER BY part", (rec_id,)).fetchall()
            for rec_id, _, _ in recordings}
    keys = load_master_keys(data_dir, create=False)
    parts = []
    for rec_id, wrapped, version in recordings:
        key = unwrap_data_key(keys, rec_id, WrappedKey(version, wrapped))
        for part, status, file_name, size, mime, offset, duration in rows[rec_id]:
            with PartReader(data_dir / "recordings" / file_name, key, recording_context(rec_id, part, mime),
                            plaintext_size=size) as reader:
                parts.append(DecryptedPart(rec_id, part, status, offset, duration, reader.read(0, size)))
    return parts


def media_seconds(webm: bytes) -> dict[str, float]:
    """Per stream, the time of the last frame PyAV decodes from the file (decoding every frame)."""
    last = {}
    for kind in ("video", "audio"):
        with av.open(io.BytesIO(webm)) as container:
            last[kind] = max((float(f.time) for f in container.decode(**{kind: 0})), default=0.0)
    return last
