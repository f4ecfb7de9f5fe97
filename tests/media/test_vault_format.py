"""Recording parts: round trips, interoperability with `cryptography.cobblestone`, ranges, the writer's rules."""

from __future__ import annotations

import hashlib
import os
import random
import uuid

import pytest
from cryptography.cobblestone import Cobblestone256Decryptor, Cobblestone256Encryptor
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA512
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from vault_helpers import CONTEXT, WEBM_MAGIC, FakeClock, files_containing, write_part

from media import (
    OutOfRangeError,
    PartReader,
    PartWriter,
    VaultError,
    new_data_key,
    recording_context,
    repair_part,
)
from media.chunked import CHUNK_SIZE, HEADER_SIZE, SEALED_CHUNK_SIZE, derive_chunk_keys, sealed_size

SIZES = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 5_000_000]


def library_encrypt(key: bytes, plaintext: bytes, context: bytes = CONTEXT) -> bytes:
    encryptor = Cobblestone256Encryptor(key, context)
    return encryptor.update(plaintext) + encryptor.finalize()


def library_decrypt(key: bytes, ciphertext: bytes, context: bytes = CONTEXT) -> bytes:
    decryptor = Cobblestone256Decryptor(key, context)
    return decryptor.update(ciphertext) + decryptor.finalize()


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_and_library_decrypts_our_parts(tmp_path, size):
    """A part written in irregular pieces reads back whole, is the exact size, and the library decrypts it."""
    key, plaintext = new_data_key(), os.urandom(size)
    info = write_part(tmp_path / "a.part", plaintext, key)
    ciphertext = (tmp_path / "a.part").read_bytes()
    assert (info.plaintext_size, info.ciphertext_size) == (size, len(ciphertext)) == (size, sealed_size(size))
    assert info.ciphertext_sha256 == hashlib.sha256(ciphertext).hexdigest()
    assert library_decrypt(key, ciphertext) == plaintext
    for known_size in (None, size):
        with PartReader(tmp_path / "a.part", key, CONTEXT, known_size) as reader:
            assert reader.plaintext_size == size
            assert reader.read(0, size) == plaintext


@pytest.mark.parametrize("size", SIZES)
def test_reader_reads_what_the_library_wrote(tmp_path, size):
    """Our reader decrypts a message produced by `Cobblestone256Encryptor`."""
    key, plaintext = new_data_key(), os.urandom(size)
    (tmp_path / "lib.part").write_bytes(library_encrypt(key, plaintext))
    with PartReader(tmp_path / "lib.part", key, CONTEXT) as reader:
        assert reader.read(0, size) == plaintext


def test_derivation_reproduces_the_library_commitment_and_chunks():
    """HKDF-Expand(SHA-512, info = prefix || "AEAD_AES_256_GCM" || 0 || salt || context) gives the library's bytes."""
    key, plaintext = new_data_key(), os.urandom(CHUNK_SIZE + 5)
    ciphertext = library_encrypt(key, plaintext)
    salt, commitment = ciphertext[:24], ciphertext[24:HEADER_SIZE]
    info = b"c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\x00" + salt + CONTEXT
    okm = HKDFExpand(SHA512(), 76, info).derive(key)
    aead_key, base_nonce = okm[:32], okm[32:44]
    assert okm[44:] == commitment
    keys, derived_commitment = derive_chunk_keys(key, salt, CONTEXT)
    assert (keys.aead_key, keys.base_nonce, derived_commitment) == (aead_key, base_nonce, commitment)
    split = HEADER_SIZE + SEALED_CHUNK_SIZE
    chunk0, chunk1 = ciphertext[HEADER_SIZE:split], ciphertext[split:]
    nonce1 = (int.from_bytes(base_nonce, "big") ^ 1).to_bytes(12, "big")
    assert AESGCM(aead_key).decrypt(base_nonce, chunk0, b"") == plaintext[:CHUNK_SIZE]
    assert AESGCM(aead_key).decrypt(nonce1, chunk1, b"") == plaintext[CHUNK_SIZE:]


def test_random_ranges_equal_the_same_slice(tmp_path):
    """Hundreds of seeded (offset, length) reads, including empty, boundary-crossing and end ranges, are exact."""
    key, size = new_data_key(), 7 * CHUNK_SIZE + 123
    plaintext = os.urandom(size)
    write_part(tmp_path / "a.part", plaintext, key)
    rng = random.Random(20240611)
    ranges = [(0, 0), (size, 0), (0, size), (size - 1, 1), (CHUNK_SIZE - 1, 2), (CHUNK_SIZE, CHUNK_SIZE),
              (size - 123, 123), (size - 124, 124)]
    for _ in range(300):
        offset = rng.randrange(size + 1)
        ranges.append((offset, rng.randrange(min(size - offset, 3 * CHUNK_SIZE) + 1)))
    with PartReader(tmp_path / "a.part", key, CONTEXT, size) as reader:
        for offset, length in ranges:
            assert reader.read(offset, length) == plaintext[offset : offset + length], (offset, length)
        for chunks_per_read in (1, 3):
            pieces = list(reader.iter_range(100, size - 200, chunks_per_read=chunks_per_read))
            assert b"".join(pieces) == plaintext[100 : size - 100]
            assert all(len(piece) <= CHUNK_SIZE for piece in pieces)


@pytest.mark.parametrize(("offset", "length"), [(-1, 1), (0, -1), (0, 1001), (1000, 1), (1001, 0), (500, 501)])
def test_out_of_range_requests_raise(tmp_path, offset, length):
    """Ranges beyond [0, plaintext_size] raise OutOfRangeError rather than being clamped."""
    key = new_data_key()
    write_part(tmp_path / "a.part", os.urandom(1000), key)
    with PartReader(tmp_path / "a.part", key, CONTEXT) as reader, pytest.raises(OutOfRangeError):
        reader.iter_range(offset, length)


def test_context_names_the_record_and_refuses_ambiguity():
    """The context is the canonical UUID, part and MIME type; malformed fields are refused."""
    rec = uuid.UUID("12345678-1234-5678-1234-567812345678")
    expected = b"intervox/v1|rec=12345678-1234-5678-1234-567812345678|part=2|mime=video/webm"
    assert recording_context(rec, 2, "video/webm") == expected
    assert recording_context(rec.hex, 2, "video/webm") == expected
    for bad in [("not-a-uuid", 0, "video/webm"), (rec, -1, "video/webm"), (rec, 0, "video/webm|part=3"),
                (rec, 0, "Video/WebM"), (rec, True, "video/webm")]:
        with pytest.raises(VaultError):
            recording_context(*bad)


def test_fsync_happens_on_a_write_once_the_interval_has_passed(tmp_path):
    """With a 2 s interval, writes sync only when 2 s passed since the last sync; sync() forces one."""
    clock = FakeClock()
    writer = PartWriter(tmp_path / "a.part", new_data_key(), CONTEXT, clock=clock)
    at_start = writer.syncs  # the header is made durable at creation
    for now in (0.5, 1.0, 1.999):
        clock.now = now
        writer.write(b"x" * 100)
    assert writer.syncs == at_start
    clock.now = 2.0
    writer.write(b"x")
    assert writer.syncs == at_start + 1
    clock.now = 3.5
    writer.write(b"x")
    assert writer.syncs == at_start + 1
    writer.sync()
    assert writer.syncs == at_start + 2
    clock.now = 5.4
    writer.write(b"x")
    assert writer.syncs == at_start + 2
    clock.now = 5.5
    writer.write(b"x")
    assert writer.syncs == at_start + 3
    writer.finalize()


def test_ciphertext_reaches_the_tmp_file_as_chunks_complete(tmp_path):
    """While writing, the tmp file grows chunk by chunk (nothing is held back until finalize) and is 0600."""
    writer = PartWriter(tmp_path / "a.part", new_data_key(), CONTEXT)
    assert writer.tmp_path == tmp_path / "a.part.tmp" and not (tmp_path / "a.part").exists()
    assert oct(writer.tmp_path.stat().st_mode & 0o777) == oct(0o600)
    writer.write(os.urandom(5 * CHUNK_SIZE + 10))
    assert writer.tmp_path.stat().st_size == HEADER_SIZE + 5 * SEALED_CHUNK_SIZE
    writer.finalize()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.part"]


def test_writer_lifecycle_rules(tmp_path):
    """abort() deletes the tmp file, never a finalized part; a closed writer refuses writes; no overwrite."""
    key = new_data_key()
    writer = PartWriter(tmp_path / "a.part", key, CONTEXT)
    writer.write(b"abc")
    writer.abort()
    writer.abort()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(VaultError):
        writer.write(b"more")
    writer = PartWriter(tmp_path / "a.part", key, CONTEXT)
    with pytest.raises(VaultError):
        PartWriter(tmp_path / "a.part", key, CONTEXT)  # its tmp file is in use
    writer.finalize()
    writer.abort()
    assert (tmp_path / "a.part").exists()
    with pytest.raises(VaultError):
        writer.finalize()
    with pytest.raises(VaultError):
        PartWriter(tmp_path / "a.part", key, CONTEXT)  # never appended to or replaced
    with pytest.raises(VaultError):
        PartWriter(tmp_path / "b.part", b"short key", CONTEXT)


def test_no_plaintext_or_key_reaches_the_disk(tmp_path):
    """Plaintext full of the WebM magic never appears in any file: tmp while writing, final, or repaired."""
    key = new_data_key()
    plaintext = (WEBM_MAGIC + b"\x9f\x42\x86\x81\x01" + b"Cluster") * 20_000
    needles = (WEBM_MAGIC, b"Cluster", key)
    writer = PartWriter(tmp_path / "a.part", key, CONTEXT, fsync_interval=0)
    for at in range(0, len(plaintext), 7001):
        writer.write(plaintext[at : at + 7001])
        if at % 70010 == 0:
            assert files_containing(tmp_path, needles) == []
    writer.finalize()
    crashed = PartWriter(tmp_path / "b.part", key, CONTEXT)
    crashed.write(plaintext)
    assert files_containing(tmp_path, needles) == []
    repair_part(crashed.tmp_path, tmp_path / "b.part", key, CONTEXT)
    crashed.abort()  # the crashed writer's descriptor; its tmp file is already gone
    assert files_containing(tmp_path, needles) == []
    with PartReader(tmp_path / "a.part", key, CONTEXT) as reader:
        assert reader.read(0, len(plaintext)) == plaintext
