"""SQL for recordings and their parts (the files themselves are the vault's business)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import aiosqlite

from .records import PartStatus, Recording, RecordingPart

if TYPE_CHECKING:
    from .store import Store


def _part(row: aiosqlite.Row) -> RecordingPart:
    return RecordingPart(
        recording_id=row["recording_id"], part=row["part"], mime=row["mime"], status=PartStatus(row["status"]),
        file_name=row["file_name"], answer_offset_seconds=row["answer_offset_seconds"],
        plaintext_size=row["plaintext_size"], ciphertext_size=row["ciphertext_size"],
        ciphertext_sha256=row["ciphertext_sha256"], duration_seconds=row["duration_seconds"],
        started_at=row["started_at"], finalized_at=row["finalized_at"],
    )


def _recording(row: aiosqlite.Row, parts: Iterable[RecordingPart] = ()) -> Recording:
    return Recording(row["id"], row["interview_id"], row["question_id"], row["wrapped_key"], row["key_version"],
                     row["created_at"], row["purged_at"], tuple(parts))


class RecordingStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(self, *, recording_id: str, interview_id: int, question_id: int, wrapped_key: bytes,
                     key_version: int, now: str) -> Recording:
        await self._store.run(
            "INSERT INTO recordings (id, interview_id, question_id, wrapped_key, key_version, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (recording_id, interview_id, question_id, wrapped_key, key_version, now),
        )
        return await self.get(recording_id)

    async def for_answer(self, interview_id: int, question_id: int) -> Recording | None:
        """The answer's recording, if a part of it was started (a resumed answer adds parts to it)."""
        row = await self._store.one(
            "SELECT id FROM recordings WHERE interview_id = ? AND question_id = ?", (interview_id, question_id)
        )
        return await self.get(row["id"]) if row else None

    async def rewrap(self, recording_id: str, wrapped_key: bytes, key_version: int) -> None:
        await self._store.run("UPDATE recordings SET wrapped_key = ?, key_version = ? WHERE id = ? "
                              "AND wrapped_key IS NOT NULL", (wrapped_key, key_version, recording_id))

    async def get(self, recording_id: str) -> Recording | None:
        row = await self._store.one("SELECT * FROM recordings WHERE id = ?", (recording_id,))
        if row is None:
            return None
        parts = await self._store.all(
            "SELECT * FROM recording_parts WHERE recording_id = ? ORDER BY part", (recording_id,)
        )
        return _recording(row, map(_part, parts))

    async def for_interview(self, interview_id: int) -> list[Recording]:
        rows = await self._store.all("SELECT id FROM recordings WHERE interview_id = ?", (interview_id,))
        return [r for row in rows if (r := await self.get(row["id"])) is not None]

    async def add_part(self, *, recording_id: str, part: int, mime: str, file_name: str, answer_offset: float,
                       now: str) -> None:
        await self._store.run(
            "INSERT INTO recording_parts (recording_id, part, mime, status, file_name, answer_offset_seconds, "
            "started_at) VALUES (?, ?, ?, 'writing', ?, ?, ?)",
            (recording_id, part, mime, file_name, answer_offset, now),
        )

    async def finish_part(self, *, recording_id: str, part: int, status: PartStatus, plaintext_size: int,
                          ciphertext_size: int, ciphertext_sha256: str, duration: float | None, now: str) -> None:
        await self._store.run(
            "UPDATE recording_parts SET status = ?, plaintext_size = ?, ciphertext_size = ?, ciphertext_sha256 = ?, "
            "duration_seconds = coalesce(?, duration_seconds), finalized_at = ? WHERE recording_id = ? AND part = ?",
            (status.value, plaintext_size, ciphertext_size, ciphertext_sha256, duration, now, recording_id, part),
        )

    async def drop_part(self, recording_id: str, part: int) -> None:
        await self._store.run("DELETE FROM recording_parts WHERE recording_id = ? AND part = ?", (recording_id, part))

    async def unfinished_parts(self) -> list[tuple[Recording, RecordingPart]]:
        rows = await self._store.all(
            "SELECT p.recording_id FROM recording_parts p JOIN recordings r ON r.id = p.recording_id "
            "WHERE p.status = 'writing' AND r.purged_at IS NULL"
        )
        found = []
        for recording_id in {row["recording_id"] for row in rows}:
            recording = await self.get(recording_id)
            found += [(recording, p) for p in recording.parts if p.status is PartStatus.WRITING]
        return found

    async def wrapped_keys(self) -> list[tuple[str, bytes, int]]:
        rows = await self._store.all(
            "SELECT id, wrapped_key, key_version FROM recordings WHERE wrapped_key IS NOT NULL"
        )
        return [(r["id"], r["wrapped_key"], r["key_version"]) for r in rows]

    async def purge_candidates(self, *, created_before: str | None = None,
                               interview_id: int | None = None) -> list[Recording]:
        """Recordings not yet purged that are older than `created_before` or belong to `interview_id`."""
        if interview_id is not None:
            rows = await self._store.all(
                "SELECT id FROM recordings WHERE interview_id = ? AND purged_at IS NULL", (interview_id,)
            )
        else:
            rows = await self._store.all(
                "SELECT id FROM recordings WHERE created_at < ? AND purged_at IS NULL", (created_before,)
            )
        return [r for row in rows if (r := await self.get(row["id"])) is not None]

    async def mark_purged(self, recording_id: str, now: str) -> None:
        """Crypto-shredding: without the wrapped data key the ciphertext can never be read again."""
        await self._store.run(
            "UPDATE recordings SET wrapped_key = NULL, purged_at = ? WHERE id = ?", (now, recording_id)
        )
