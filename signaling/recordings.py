"""Answer recordings: one recording per answer, one encrypted part per connection epoch.

This wires the vault (`media`) to the database: a recording's data key is created with its
first part and stored wrapped by the master key; each part is written by a `PartRecorder`
through a `PartWriter` and recorded with its sizes and ciphertext hash when finalized. At
start-up, parts a crash left unfinished are repaired; purging deletes the wrapped key first
(after that the ciphertext can never be read) and then the files.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from media import (
    MasterKeyring,
    PartInfo,
    PartReader,
    PartWriter,
    WrappedKey,
    new_data_key,
    recording_context,
    repair_part,
    tmp_path_for,
    unwrap_data_key,
    wrap_data_key,
)
from media.recorder import PartRecorder, RecordedPart
from media.webm import webm_duration

from .records import PartStatus, Recording, RecordingPart, User
from .store import Store
from .timeutil import utc_now

log = logging.getLogger(__name__)

MIME = "video/webm"


@dataclass
class ActivePart:
    recording_id: str
    part: int
    recorder: PartRecorder


class Recordings:
    def __init__(self, store: Store, keyring: MasterKeyring, root: Path) -> None:
        self._store = store
        self.keyring = keyring
        self._root = root

    def part_path(self, recording_id: str, part: int) -> Path:
        return self._root / recording_id[:2] / recording_id / f"p{part}.part"

    def data_key(self, recording: Recording) -> bytes:
        if recording.wrapped_key is None:
            raise LookupError(f"recording {recording.id} was purged")
        return unwrap_data_key(self.keyring, recording.id, WrappedKey(recording.key_version, recording.wrapped_key))

    # writing

    async def start_part(self, *, interview_id: int, question_id: int, answer_offset: float,
                         label: str) -> ActivePart:
        """Open the next part of this answer's recording (creating the recording on the first)."""
        recording = await self._store.recordings.for_answer(interview_id, question_id)
        if recording is None:
            new_id, key = str(uuid.uuid4()), new_data_key()
            wrapped = wrap_data_key(self.keyring, new_id, key)
            recording = await self._store.recordings.create(
                recording_id=new_id, interview_id=interview_id, question_id=question_id, wrapped_key=wrapped.blob,
                key_version=wrapped.master_version, now=utc_now(),
            )
        else:
            key = self.data_key(recording)
        number = max((p.part for p in recording.parts), default=0) + 1
        path = self.part_path(recording.id, number)
        await self._store.recordings.add_part(recording_id=recording.id, part=number, mime=MIME,
                                              file_name=str(path.relative_to(self._root)),
                                              answer_offset=answer_offset, now=utc_now())
        writer = await asyncio.to_thread(self._open_writer, path, key, recording_context(recording.id, number, MIME))
        recorder = PartRecorder(writer, label=f"{label}-p{number}")
        recorder.start()
        log.info("recording %s: part %d started", recording.id, number)
        return ActivePart(recording.id, number, recorder)

    @staticmethod
    def _open_writer(path: Path, key: bytes, context: bytes) -> PartWriter:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return PartWriter(path, key, context)

    async def finish_part(self, active: ActivePart) -> RecordedPart | None:
        """Mux what is queued, finalize the file and record its sizes and hash.

        If writing failed (a full disk, say), the part's authenticated prefix is repaired at once,
        as after a crash, and recorded as `recovered_truncated`; None is returned then.
        """
        try:
            result = await active.recorder.stop()
        except Exception:
            log.exception("recording %s: part %d failed while writing; keeping what reached the disk",
                          active.recording_id, active.part)
            await self.repair_unfinished()
            return None
        info = result.sink_result
        await self._store.recordings.finish_part(
            recording_id=active.recording_id, part=active.part, status=PartStatus.FINAL,
            plaintext_size=info.plaintext_size, ciphertext_size=info.ciphertext_size,
            ciphertext_sha256=info.ciphertext_sha256, duration=result.duration_seconds, now=utc_now(),
        )
        log.info("recording %s: part %d final (%.1f s, %d frames, %d dropped)", active.recording_id, active.part,
                 result.duration_seconds, result.frames, result.dropped_frames)
        return result

    # reading

    def open_reader(self, recording: Recording, part: RecordingPart) -> PartReader:
        """Blocking: a reader of a finalized part, checked against the sizes in its database row."""
        return PartReader(self._root / part.file_name, self.data_key(recording),
                          recording_context(recording.id, part.part, part.mime),
                          plaintext_size=part.plaintext_size)

    # crash repair

    async def repair_unfinished(self) -> list[str]:
        """Repair every part a crash left unfinished; return one line per repair for the log."""
        done = []
        for recording, part in await self._store.recordings.unfinished_parts():
            try:
                done.append(await self._repair(recording, part))
            except Exception as exc:  # one bad part must not stop the others (or the server)
                log.error("repair: recording %s part %d could not be repaired and is left as it is: %s",
                          recording.id, part.part, exc)
        for line in done:
            log.warning("repair: %s", line)
        return done

    async def _repair(self, recording: Recording, part: RecordingPart) -> str:
        final = self._root / part.file_name
        tmp = tmp_path_for(final)
        where = f"recording {recording.id} part {part.part}"
        if not tmp.exists() and not final.exists():
            await self._store.recordings.drop_part(recording.id, part.part)
            return f"{where}: nothing was written; row removed"
        key = self.data_key(recording)
        context = recording_context(recording.id, part.part, part.mime)
        if tmp.exists():
            result = await asyncio.to_thread(repair_part, tmp, final, key, context)
            info, complete = result.part, result.complete
        else:  # finalized on disk, but the crash came before the database heard of it
            info, complete = await asyncio.to_thread(self._describe_final, final, key, context), True
        status = PartStatus.FINAL if complete else PartStatus.RECOVERED_TRUNCATED
        duration = await asyncio.to_thread(self._duration, final, key, context, info.plaintext_size)
        await self._store.recordings.finish_part(
            recording_id=recording.id, part=part.part, status=status, plaintext_size=info.plaintext_size,
            ciphertext_size=info.ciphertext_size, ciphertext_sha256=info.ciphertext_sha256, duration=duration,
            now=utc_now(),
        )
        await self._store.audit.record("recording.repaired", target=f"{recording.id}/p{part.part}",
                                       status=status.value, kept_bytes=info.plaintext_size)
        return f"{where}: {status.value}, {info.plaintext_size} bytes kept"

    @staticmethod
    def _duration(final: Path, key: bytes, context: bytes, size: int) -> float:
        """How much media a repaired part holds (its muxer never wrote a duration)."""
        with PartReader(final, key, context, plaintext_size=size) as reader:
            return webm_duration(reader.read(0, size)) if size else 0.0

    @staticmethod
    def _describe_final(final: Path, key: bytes, context: bytes) -> PartInfo:
        with PartReader(final, key, context) as reader:
            size = reader.plaintext_size
        digest = hashlib.sha256(final.read_bytes()).hexdigest()
        return PartInfo(size, final.stat().st_size, digest)

    # purging

    async def purge(self, recording: Recording, *, reason: str, user: User | None = None) -> None:
        """Crypto-shred: forget the wrapped key, then delete the files."""
        await self._store.recordings.mark_purged(recording.id, utc_now())
        directory = self._root / recording.id[:2] / recording.id
        await asyncio.to_thread(shutil.rmtree, directory, True)
        await self._store.audit.record("recording.purged", user=user, target=recording.id, reason=reason,
                                       parts=len(recording.parts))
        log.info("recording %s purged (%s)", recording.id, reason)
