"""The C2SP chunked-encryption format (c2sp.org/chunked-encryption) as Cobblestone-256, chunk by chunk.

A message is ``salt (24) || commitment (32) || chunk 0 || chunk 1 || ... || final chunk``. The
plaintext is cut into 16384-byte chunks and the final chunk is always *shorter* than 16384 bytes
(possibly empty), so a message of exactly 16 KiB is one full chunk and one empty chunk. Each chunk
is AES-256-GCM with empty AAD under one derived key; chunk *k* uses ``base_nonce XOR k`` (k as a
big-endian integer as wide as the nonce) and starts at byte ``56 + k·16400`` of the message::

    aead_key || base_nonce || commitment = HKDF-Expand(PRK = key, L = 32 + 12 + 32,
        info = "c2sp.org/chunked-encryption@v1+" || "AEAD_AES_256_GCM" || 0x00 || salt || context)

Cobblestone-256 uses SHA-512 for HKDF; `kdf_hash` exists only so the spec's generic test vectors
(published for another hash) can be checked against the same code.

These functions are pure and hold no file: `cryptography.cobblestone` writes messages as a stream;
this module is what random access needs (a chunk's position, its nonce, its authentication alone).
Raw mode is using a `ChunkKeys` built from a known ``aead_key`` and ``base_nonce``, as test vectors do.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from .errors import IntegrityError, TruncatedError, VaultError

AEAD_NAME = b"AEAD_AES_256_GCM"
CHUNK_SIZE = 16384
TAG_SIZE = 16
SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
SALT_SIZE = 24
COMMITMENT_SIZE = 32
HEADER_SIZE = SALT_SIZE + COMMITMENT_SIZE
KEY_SIZE = 32
NONCE_SIZE = 12
_INFO_PREFIX = b"c2sp.org/chunked-encryption@v1+" + AEAD_NAME + b"\x00"
_MAX_CHUNKS = 1 << 32  # far beyond any recording; keeps the nonce arithmetic obviously in range


@dataclass(frozen=True, repr=False)
class ChunkKeys:
    """The per-message AEAD key and base nonce, derived from a key and a salt, or given (raw mode)."""

    aead_key: bytes
    base_nonce: bytes
    _aead: AESGCM = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.aead_key) != KEY_SIZE or len(self.base_nonce) != NONCE_SIZE:
            raise VaultError(f"chunk keys need a {KEY_SIZE}-byte AEAD key and a {NONCE_SIZE}-byte base nonce")
        object.__setattr__(self, "_aead", AESGCM(bytes(self.aead_key)))

    def __repr__(self) -> str:
        return "ChunkKeys(<secret>)"


def check_key(key: bytes) -> None:
    """Refuse an input key that is not 32 bytes (Cobblestone-256's key size)."""
    if len(key) != KEY_SIZE:
        raise VaultError(f"a recording key is {KEY_SIZE} bytes, not {len(key)}")


def derive_chunk_keys(
    key: bytes, salt: bytes, context: bytes, *, kdf_hash: type[hashes.HashAlgorithm] = hashes.SHA512
) -> tuple[ChunkKeys, bytes]:
    """The chunk keys and the 32-byte commitment for one message (its salt) under `key` and `context`."""
    check_key(key)
    if len(salt) != SALT_SIZE:
        raise VaultError(f"the salt is {SALT_SIZE} bytes, not {len(salt)}")
    okm = HKDFExpand(kdf_hash(), KEY_SIZE + NONCE_SIZE + COMMITMENT_SIZE, _INFO_PREFIX + salt + context).derive(key)
    return ChunkKeys(okm[:KEY_SIZE], okm[KEY_SIZE : KEY_SIZE + NONCE_SIZE]), okm[KEY_SIZE + NONCE_SIZE :]


def open_header(
    key: bytes, header: bytes, context: bytes, *, kdf_hash: type[hashes.HashAlgorithm] = hashes.SHA512
) -> ChunkKeys:
    """Check a message's commitment and return its chunk keys; nothing is decrypted before this passes."""
    check_key(key)
    if len(header) < HEADER_SIZE:
        raise TruncatedError(f"the header is {HEADER_SIZE} bytes; only {len(header)} are present")
    keys, commitment = derive_chunk_keys(key, bytes(header[:SALT_SIZE]), context, kdf_hash=kdf_hash)
    if not hmac.compare_digest(commitment, bytes(header[SALT_SIZE:HEADER_SIZE])):
        raise IntegrityError("key commitment mismatch: wrong key, wrong context or a corrupted header")
    return keys


def chunk_nonce(base_nonce: bytes, index: int) -> bytes:
    """``base_nonce XOR index``, the index big-endian and as wide as the nonce."""
    if not 0 <= index < _MAX_CHUNKS:
        raise VaultError(f"chunk index {index} is out of range")
    return (int.from_bytes(base_nonce, "big") ^ index).to_bytes(NONCE_SIZE, "big")


def seal_chunk(keys: ChunkKeys, index: int, plaintext: bytes) -> bytes:
    """Encrypt one chunk at `index` (raw mode); a full chunk is a non-final one, a shorter one is final."""
    if len(plaintext) > CHUNK_SIZE:
        raise VaultError(f"a chunk holds at most {CHUNK_SIZE} bytes, not {len(plaintext)}")
    return keys._aead.encrypt(chunk_nonce(keys.base_nonce, index), bytes(plaintext), b"")


def open_chunk(keys: ChunkKeys, index: int, sealed: bytes | memoryview, *, final: bool) -> bytes:
    """Authenticate and decrypt chunk `index`: a non-final chunk is exactly 16400 bytes, a final one 16..16399."""
    size = len(sealed)
    if final and not TAG_SIZE <= size < SEALED_CHUNK_SIZE:
        if size < TAG_SIZE:
            raise TruncatedError(f"final chunk {index} is {size} bytes, shorter than its tag")
        raise IntegrityError(f"final chunk {index} is {size} bytes; a final chunk is shorter than a full one")
    if not final and size != SEALED_CHUNK_SIZE:
        raise TruncatedError(f"chunk {index} is {size} bytes; a non-final chunk is {SEALED_CHUNK_SIZE}")
    try:
        return keys._aead.decrypt(chunk_nonce(keys.base_nonce, index), sealed, b"")
    except InvalidTag:
        kind = "final chunk" if final else "chunk"
        raise IntegrityError(f"{kind} {index} failed authentication") from None


def chunk_offset(index: int) -> int:
    """Where chunk `index` starts in a message."""
    return HEADER_SIZE + index * SEALED_CHUNK_SIZE


def final_chunk_index(plaintext_size: int) -> int:
    """The index of the (short) final chunk of a message of `plaintext_size` bytes."""
    return plaintext_size // CHUNK_SIZE


def sealed_size(plaintext_size: int) -> int:
    """The exact ciphertext size of a message of `plaintext_size` bytes."""
    if plaintext_size < 0:
        raise VaultError(f"a plaintext size cannot be negative ({plaintext_size})")
    return HEADER_SIZE + plaintext_size + TAG_SIZE * (final_chunk_index(plaintext_size) + 1)


def plaintext_size_for(ciphertext_size: int) -> int:
    """The plaintext size a ciphertext of this size must hold (its final chunk still to be authenticated)."""
    if ciphertext_size < HEADER_SIZE + TAG_SIZE:
        raise TruncatedError(f"{ciphertext_size} bytes is too short for a header and a final chunk")
    full, rest = divmod(ciphertext_size - HEADER_SIZE, SEALED_CHUNK_SIZE)
    if rest < TAG_SIZE:
        raise TruncatedError(f"{ciphertext_size} bytes does not end with a final chunk")
    return full * CHUNK_SIZE + rest - TAG_SIZE
