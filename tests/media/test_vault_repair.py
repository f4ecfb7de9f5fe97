"""Crash repair of unfinished parts: the authenticated prefix becomes a finalized part."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.cobblestone import Cobblestone256Encryptor
from vault_helpers import CONTEXT, REC

from media import IntegrityError, PartReader, PartWriter, VaultError, new_data_key, recording_context, repair_part
from media.chunked import CHUNK_SIZE, HEADER_SIZE, SEALED_CHUNK_SIZE, chunk_offset, sealed_size

CRASH = """
import os, sys
from media import PartWriter
writer = PartWriter(sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3].encode())
writer.write(sys.stdin.buffer.read())
os._exit(0)  # dies without finalizing: no final chunk, no rename, no clean-up
"""


def crashed_part(tmp_path: Path, key: bytes, plaintext: bytes) -> Path:
    """A process writes `plaintext` with PartWriter and dies; returns the tmp file it left."""
    final = tmp_path / "a.part"
    subprocess.run([sys.executable, "-c", CRASH, str(final), key.hex(), CONTEXT.decode()], input=plaintext,
                   check=True, cwd=Path(__file__).parents[2])
    return tmp_path / "a.part.tmp"


def check_repaired(tmp_path, key, expected: bytes) -> None:
    with PartReader(tmp_path / "a.part", key, CONTEXT) as reader:
        assert reader.read(0, reader.plaintext_size) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.part"]


@pytest.mark.parametrize("written", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE,
                                     3 * CHUNK_SIZE + 5000])
def test_repair_keeps_every_complete_chunk(tmp_path, written):
    """Stopped mid-chunk, at a boundary or after the header only, the repaired part holds all complete chunks."""
    key, plaintext = new_data_key(), os.urandom(written)
    tmp = crashed_part(tmp_path, key, plaintext)
    kept = written // CHUNK_SIZE * CHUNK_SIZE
    result = repair_part(tmp, tmp_path / "a.part", key, CONTEXT)
    assert (result.recovered_bytes, result.complete, result.dropped_bytes) == (kept, False, 0)
    assert result.part.ciphertext_size == sealed_size(kept) == (tmp_path / "a.part").stat().st_size
    check_repaired(tmp_path, key, plaintext[:kept])


def test_a_torn_last_chunk_is_dropped(tmp_path):
    """A partly written chunk at the end is dropped and counted."""
    key, plaintext = new_data_key(), os.urandom(2 * CHUNK_SIZE)
    tmp = crashed_part(tmp_path, key, plaintext)
    with open(tmp, "ab") as file:
        file.write(os.urandom(9000))
    result = repair_part(tmp, tmp_path / "a.part", key, CONTEXT)
    assert (result.recovered_bytes, result.dropped_bytes) == (2 * CHUNK_SIZE, 9000)
    check_repaired(tmp_path, key, plaintext)


@pytest.mark.parametrize("size", [0, 30])
def test_an_empty_or_header_cut_tmp_file_becomes_an_empty_part(tmp_path, size):
    """A tmp file with no complete header (nothing was written) repairs to an empty part."""
    (tmp_path / "a.part.tmp").write_bytes(os.urandom(size))
    key = new_data_key()
    result = repair_part(tmp_path / "a.part.tmp", tmp_path / "a.part", key, CONTEXT)
    assert (result.recovered_bytes, result.dropped_bytes, result.complete) == (0, size, False)
    check_repaired(tmp_path, key, b"")


def test_a_corrupted_middle_chunk_keeps_only_the_chunks_before_it(tmp_path):
    """Corruption in chunk 2 of 5 keeps chunks 0 and 1; what follows is dropped even if it is valid."""
    key, plaintext = new_data_key(), os.urandom(5 * CHUNK_SIZE)
    tmp = crashed_part(tmp_path, key, plaintext)
    with open(tmp, "r+b") as file:
        file.seek(chunk_offset(2) + 77)
        file.write(b"\x00")
    result = repair_part(tmp, tmp_path / "a.part", key, CONTEXT)
    assert result.recovered_bytes == 2 * CHUNK_SIZE
    assert result.dropped_bytes == 3 * SEALED_CHUNK_SIZE
    check_repaired(tmp_path, key, plaintext[: 2 * CHUNK_SIZE])


def test_a_tmp_file_holding_a_whole_message_is_kept_whole(tmp_path):
    """A crash between writing the final chunk and the rename loses nothing, and says so."""
    key, plaintext = new_data_key(), os.urandom(2 * CHUNK_SIZE + 300)
    encryptor = Cobblestone256Encryptor(key, CONTEXT)  # what PartWriter.finalize() writes before its rename
    (tmp_path / "a.part.tmp").write_bytes(encryptor.update(plaintext) + encryptor.finalize())
    result = repair_part(tmp_path / "a.part.tmp", tmp_path / "a.part", key, CONTEXT)
    assert (result.recovered_bytes, result.complete, result.dropped_bytes) == (len(plaintext), True, 0)
    check_repaired(tmp_path, key, plaintext)


def test_the_repaired_part_has_a_new_salt(tmp_path):
    """The prefix is re-encrypted under a new salt (same key and context), not copied."""
    key, plaintext = new_data_key(), os.urandom(CHUNK_SIZE)
    tmp = crashed_part(tmp_path, key, plaintext)
    old_header = tmp.read_bytes()[:HEADER_SIZE]
    repair_part(tmp, tmp_path / "a.part", key, CONTEXT)
    assert (tmp_path / "a.part").read_bytes()[:HEADER_SIZE] != old_header


def test_a_wrong_key_or_context_leaves_the_tmp_file_alone(tmp_path):
    """If the header does not open under the key and context given, nothing is written or deleted."""
    key, plaintext = new_data_key(), os.urandom(CHUNK_SIZE + 5)
    tmp = crashed_part(tmp_path, key, plaintext)
    for wrong_key, wrong_context in [(new_data_key(), CONTEXT), (key, recording_context(REC, 9, "video/webm"))]:
        with pytest.raises(IntegrityError):
            repair_part(tmp, tmp_path / "a.part", wrong_key, wrong_context)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.part.tmp"]


def test_a_repair_interrupted_after_its_rename_completes(tmp_path):
    """If the final part exists and matches the tmp file's prefix, repair only removes the tmp file."""
    key, plaintext = new_data_key(), os.urandom(2 * CHUNK_SIZE + 10)
    tmp = crashed_part(tmp_path, key, plaintext)
    saved = tmp.read_bytes()
    first = repair_part(tmp, tmp_path / "a.part", key, CONTEXT)
    tmp.write_bytes(saved)  # as if the unlink had not happened
    (tmp_path / "a.part.repair.tmp").write_bytes(b"stale")
    again = repair_part(tmp, tmp_path / "a.part", key, CONTEXT)
    assert again.part == first.part
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.part"]


def test_a_final_part_that_disagrees_is_not_touched(tmp_path):
    """If the final part exists but holds something else, repair refuses and changes nothing."""
    key = new_data_key()
    tmp = crashed_part(tmp_path, key, os.urandom(2 * CHUNK_SIZE))
    other = PartWriter(tmp_path / "a.part", key, CONTEXT, tmp_path=tmp_path / "other.tmp")
    other.write(b"something else")
    other.finalize()
    with pytest.raises(VaultError):
        repair_part(tmp, tmp_path / "a.part", key, CONTEXT)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.part", "a.part.tmp"]
