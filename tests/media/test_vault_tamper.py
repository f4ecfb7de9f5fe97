"""Tampered parts: every change is an error, and whatever was released before it is a true prefix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vault_helpers import CONTEXT, REC, read_until_error, write_part

from media import IntegrityError, PartReader, TruncatedError, new_data_key, recording_context
from media.chunked import CHUNK_SIZE, HEADER_SIZE, SEALED_CHUNK_SIZE, chunk_offset

SHORT_END = 3 * CHUNK_SIZE + 1000  # three full chunks and a short final one
EVEN_END = 2 * CHUNK_SIZE  # two full chunks and an empty final one


@pytest.fixture(params=[SHORT_END, EVEN_END], ids=["short-final", "empty-final"])
def part(request, tmp_path):
    """A finalized part: (key, plaintext, ciphertext)."""
    key, plaintext = new_data_key(), os.urandom(request.param)
    write_part(tmp_path / "good.part", plaintext, key)
    return key, plaintext, (tmp_path / "good.part").read_bytes()


def chunks_of(ciphertext: bytes) -> list[bytes]:
    body = ciphertext[HEADER_SIZE:]
    return [body[at : at + SEALED_CHUNK_SIZE] for at in range(0, len(body), SEALED_CHUNK_SIZE)]


def assert_rejected(path: Path, key: bytes, plaintext: bytes, *, context: bytes = CONTEXT, sizes=(None, "true")):
    """Opening or reading fails with IntegrityError, and only true prefixes of the asked range were released."""
    for given in sizes:
        plaintext_size = len(plaintext) if given == "true" else given
        try:
            reader = PartReader(path, key, context, plaintext_size)
        except IntegrityError:
            continue
        with reader:
            ranges = [(0, reader.plaintext_size), (CHUNK_SIZE // 2, reader.plaintext_size - CHUNK_SIZE // 2)]
            errors = 0
            for offset, length in ranges:
                if length < 0:
                    continue
                released, error = read_until_error(reader, offset, length)
                assert plaintext[offset : offset + len(released)] == released, (given, offset)
                errors += error is not None
                assert error is None or isinstance(error, IntegrityError), error
            assert errors, f"tampering went unnoticed with plaintext_size={given}"


def test_truncation_anywhere_is_an_error(tmp_path, part):
    """Cuts inside the header, at every chunk boundary and inside every chunk are all rejected."""
    key, plaintext, ciphertext = part
    cuts = {0, 1, 23, 24, 55, HEADER_SIZE, HEADER_SIZE + 1, len(ciphertext) - 1, len(ciphertext) - 16}
    for k in range(len(chunks_of(ciphertext)) + 1):
        cuts |= {chunk_offset(k) - 1, chunk_offset(k), chunk_offset(k) + 1, chunk_offset(k) + 8000}
    for cut in sorted(c for c in cuts if 0 <= c < len(ciphertext)):
        (tmp_path / "cut.part").write_bytes(ciphertext[:cut])
        assert_rejected(tmp_path / "cut.part", key, plaintext)


def test_a_flipped_bit_in_any_region_is_an_error(tmp_path, part):
    """One bit flipped in the salt, the commitment, or any chunk's body or tag is rejected."""
    key, plaintext, ciphertext = part
    positions = [0, 23, 24, 55]
    for k, chunk in enumerate(chunks_of(ciphertext)):
        start = chunk_offset(k)
        positions += [start, start + len(chunk) // 2, start + len(chunk) - 16, start + len(chunk) - 1]
    for position in positions:
        tampered = bytearray(ciphertext)
        tampered[position] ^= 0x10
        (tmp_path / "flip.part").write_bytes(tampered)
        assert_rejected(tmp_path / "flip.part", key, plaintext)


def test_deleted_duplicated_and_reordered_chunks_are_errors(tmp_path, part):
    """Chunks removed, repeated, swapped or moved are rejected; their nonces are tied to their index."""
    key, plaintext, ciphertext = part
    header, chunks = ciphertext[:HEADER_SIZE], chunks_of(ciphertext)
    n = len(chunks)
    variants = {
        "delete first": chunks[1:],
        "delete middle": chunks[:1] + chunks[2:],
        "delete final": chunks[:-1],
        "duplicate first": chunks[:1] + chunks,
        "duplicate middle": chunks[:2] + chunks[1:],
        "repeat final": chunks + chunks[-1:],
        "swap 0 and 1": [chunks[1], chunks[0], *chunks[2:]],
        "final moved first": chunks[-1:] + chunks[:-1],
        "reverse": chunks[::-1],
    }
    assert n >= 3
    for name, body in variants.items():
        (tmp_path / "mixed.part").write_bytes(header + b"".join(body))
        try:
            assert_rejected(tmp_path / "mixed.part", key, plaintext)
        except AssertionError as error:
            raise AssertionError(name) from error


def test_chunks_from_another_recording_are_errors(tmp_path, part):
    """A chunk spliced in from another part (same key and another context, or another key) is rejected."""
    key, plaintext, ciphertext = part
    other_context = recording_context(REC, 1, "video/webm")
    write_part(tmp_path / "same-key.part", plaintext, key, other_context)
    write_part(tmp_path / "other-key.part", plaintext, new_data_key())
    header, chunks = ciphertext[:HEADER_SIZE], chunks_of(ciphertext)
    for donor in ("same-key.part", "other-key.part"):
        donor_bytes = (tmp_path / donor).read_bytes()
        donor_chunks = chunks_of(donor_bytes)
        for k in range(len(chunks)):
            spliced = chunks[:k] + [donor_chunks[k]] + chunks[k + 1 :]
            (tmp_path / "spliced.part").write_bytes(header + b"".join(spliced))
            assert_rejected(tmp_path / "spliced.part", key, plaintext)
        (tmp_path / "donor-header.part").write_bytes(donor_bytes[:HEADER_SIZE] + ciphertext[HEADER_SIZE:])
        assert_rejected(tmp_path / "donor-header.part", key, plaintext)


def test_wrong_context_or_key_fails_at_the_commitment(tmp_path, part):
    """A wrong context or key is refused when the reader opens, before any chunk is decrypted."""
    key, plaintext, ciphertext = part
    (tmp_path / "p.part").write_bytes(ciphertext)
    for wrong_key, wrong_context in [(key, recording_context(REC, 1, "video/webm")),
                                     (key, recording_context(REC, 0, "audio/webm")),
                                     (new_data_key(), CONTEXT)]:
        with pytest.raises(IntegrityError, match="commitment"):
            PartReader(tmp_path / "p.part", wrong_key, wrong_context)


def test_wrong_plaintext_size_is_an_error(tmp_path, part):
    """A plaintext_size that does not match the file is refused at open, with no byte released."""
    key, plaintext, ciphertext = part
    (tmp_path / "p.part").write_bytes(ciphertext)
    size = len(plaintext)
    for wrong in {0, 1, size - 1, size + 1, size - CHUNK_SIZE, size + CHUNK_SIZE, size + 16} - {size}:
        if wrong >= 0:
            with pytest.raises(IntegrityError):
                PartReader(tmp_path / "p.part", key, CONTEXT, wrong)


def test_trailing_data_after_the_final_chunk_is_an_error(tmp_path, part):
    """Garbage or a whole extra chunk appended after the final chunk is rejected."""
    key, plaintext, ciphertext = part
    for extra in (b"\x00", os.urandom(16), os.urandom(40), ciphertext[-(len(ciphertext) - HEADER_SIZE) :][:100]):
        (tmp_path / "long.part").write_bytes(ciphertext + extra)
        assert_rejected(tmp_path / "long.part", key, plaintext)


def test_a_file_shrinking_under_an_open_reader_is_an_error(tmp_path, part):
    """If the file is cut after the reader opened it, the read stops at the cut with TruncatedError."""
    key, plaintext, ciphertext = part
    (tmp_path / "p.part").write_bytes(ciphertext)
    with PartReader(tmp_path / "p.part", key, CONTEXT, len(plaintext)) as reader:
        os.truncate(tmp_path / "p.part", chunk_offset(1) + 100)
        released, error = read_until_error(reader, 0, len(plaintext))
    assert isinstance(error, TruncatedError)
    assert released == plaintext[:CHUNK_SIZE]
