"""The C2SP chunked-encryption test vectors shipped in `cryptography_vectors`, through our reader.

The file (``chunked-encryption/vectors.json``) is C2SP's own format, not Wycheproof's: a flat
``vectors`` list with ``aead``, ``expect`` (success/failure), ``key``, ``context``, ``ciphertext``
(base64, zlib-compressed when ``compressed``), and for most vectors ``aead_key``, ``base_nonce``,
``payload_length`` and ``payload_sha256`` (there are no plaintext payloads, only their length and hash).
Its vectors derive ``aead_key``/``base_nonce``/commitment with HKDF-Expand over **SHA-256**, whereas
Cobblestone-256 uses SHA-512; so the chunk layer is checked in raw mode (given ``aead_key`` and
``base_nonce``), and the key derivation and commitment check with ``kdf_hash=SHA256``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib

import pytest
from cryptography.cobblestone import Cobblestone256Decryptor
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.hashes import SHA256

from media import ChunkKeys, PartReader, VaultError, open_chunk, open_header, seal_chunk
from media.chunked import HEADER_SIZE, SEALED_CHUNK_SIZE

cryptography_vectors = pytest.importorskip("cryptography_vectors")


def load() -> list[dict]:
    with cryptography_vectors.open_vector_file("chunked-encryption/vectors.json", "r") as file:
        vectors = json.load(file)["vectors"]
    return [v for v in vectors if v["aead"] == "AEAD_AES_256_GCM"]


VECTORS = load()
VALID = [v for v in VECTORS if v["expect"] == "success"]
INVALID = [v for v in VECTORS if v["expect"] == "failure"]
RAW_INVALID = [v for v in INVALID if "aead_key" in v]
HEADER_INVALID = [v for v in INVALID if "aead_key" not in v]


def ciphertext_of(vector: dict) -> bytes:
    data = base64.b64decode(vector["ciphertext"] or "")
    return zlib.decompress(data) if vector.get("compressed") else data


def raw_keys(vector: dict) -> ChunkKeys:
    return ChunkKeys(bytes.fromhex(vector["aead_key"]), bytes.fromhex(vector["base_nonce"]))


def test_the_file_has_the_aes_256_gcm_vectors():
    """The shipped file holds 9 valid and 25 invalid AES-256-GCM vectors; 15 invalid ones have raw keys."""
    assert (len(VALID), len(INVALID), len(RAW_INVALID)) == (9, 25, 15)


@pytest.mark.parametrize("vector", VALID, ids=lambda v: v["name"])
def test_valid_vectors_decrypt_in_raw_mode(tmp_path, vector):
    """Fields aead_key, base_nonce, ciphertext: the payload matches payload_length and payload_sha256, and ranges."""
    path = tmp_path / "v.part"
    path.write_bytes(ciphertext_of(vector))
    size = vector["payload_length"]
    for known_size in (None, size):
        with PartReader.raw(path, raw_keys(vector), known_size) as reader:
            assert reader.plaintext_size == size
            payload = reader.read(0, size)
            assert hashlib.sha256(payload).hexdigest() == vector["payload_sha256"]
            for offset, length in [(0, 0), (1, size // 2), (size // 3, size - size // 3), (size, 0)]:
                offset = min(offset, size)
                length = max(0, min(length, size - offset))
                assert reader.read(offset, length) == payload[offset : offset + length]


@pytest.mark.parametrize("vector", VALID, ids=lambda v: v["name"])
def test_raw_chunk_functions_reproduce_valid_vectors(vector):
    """Fields aead_key, base_nonce, ciphertext: open_chunk decrypts every chunk; seal_chunk re-creates each exactly."""
    body, keys = ciphertext_of(vector)[HEADER_SIZE:], raw_keys(vector)
    sealed = [body[at : at + SEALED_CHUNK_SIZE] for at in range(0, len(body), SEALED_CHUNK_SIZE)]
    plaintexts = [open_chunk(keys, k, chunk, final=k == len(sealed) - 1) for k, chunk in enumerate(sealed)]
    payload = b"".join(plaintexts)
    assert (len(payload), hashlib.sha256(payload).hexdigest()) == (vector["payload_length"], vector["payload_sha256"])
    assert [seal_chunk(keys, k, plaintext) for k, plaintext in enumerate(plaintexts)] == sealed


@pytest.mark.parametrize("vector", VALID + RAW_INVALID, ids=lambda v: v["name"])
def test_key_derivation_reproduces_aead_key_and_base_nonce(vector):
    """Fields key, context, ciphertext header: open_header (SHA-256 KDF) passes the commitment, gives the raw keys."""
    keys = open_header(bytes.fromhex(vector["key"]), ciphertext_of(vector)[:HEADER_SIZE],
                       vector["context"].encode(), kdf_hash=SHA256)
    assert keys == raw_keys(vector)


@pytest.mark.parametrize("vector", RAW_INVALID, ids=lambda v: v["name"])
def test_invalid_vectors_fail_in_raw_mode(tmp_path, vector):
    """Fields aead_key, base_nonce, ciphertext: opening or reading the whole message raises a VaultError."""
    path = tmp_path / "v.part"
    path.write_bytes(ciphertext_of(vector))
    with pytest.raises(VaultError):
        with PartReader.raw(path, raw_keys(vector)) as reader:
            reader.read(0, reader.plaintext_size)


@pytest.mark.parametrize("vector", HEADER_INVALID, ids=lambda v: v["name"])
def test_invalid_headers_fail_at_the_commitment(vector):
    """Fields key, context, ciphertext: a wrong key/context/salt/commitment, bad key size or short header raises."""
    with pytest.raises(VaultError):
        open_header(bytes.fromhex(vector["key"]), ciphertext_of(vector)[:HEADER_SIZE],
                    vector["context"].encode(), kdf_hash=SHA256)


def test_this_file_is_not_cobblestone_256():
    """The library's Cobblestone256Decryptor (SHA-512 KDF) rejects these valid vectors: they are not Cobblestone-256."""
    # A tripwire: if a later cryptography_vectors ships Cobblestone-256 vectors in this file, this
    # fails; then run them through PartReader's default (SHA-512) derivation and the library too.
    for vector in VALID:
        decryptor = Cobblestone256Decryptor(bytes.fromhex(vector["key"]), vector["context"].encode())
        with pytest.raises(InvalidTag):
            decryptor.update(ciphertext_of(vector))
            decryptor.finalize()
