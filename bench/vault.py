"""Recording encryption cost: the vault's part writer and range reader beside plain AES-256-GCM.

One run on the same random plaintext (64 MiB by default): encrypt throughput with `PartWriter`
(through a file in a temp dir, with its fsyncs) and with `Cobblestone256Encryptor` in memory,
each against plain AES-256-GCM over the same bytes in 16 KiB chunks (in memory and to a file);
then decrypt throughput for random 1 MiB ranges and for sequential full reads with `PartReader`
against plain AES-256-GCM chunks read the same way. `PartWriter` also hashes its ciphertext
(SHA-256, for the database), so one baseline row includes that hash too. Every figure is the best of `--repeat` runs;
MB/s is 10^6 plaintext bytes per second. Nothing is asserted; figures are printed.

    .venv/bin/python bench/vault.py [--size-mib 64] [--repeat 3] [--dir /var/tmp]

Then, in the same run: time to first byte of HTTP Range requests for a recording against a plain
file (bench/range_ttfb.py), and recording CPU per session against aiortc's MediaRecorder on the
same received frames (bench/recording_cpu.py).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cryptography.cobblestone import Cobblestone256Decryptor, Cobblestone256Encryptor
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from media import PartReader, PartWriter, recording_context  # noqa: E402
from media.chunked import CHUNK_SIZE, SEALED_CHUNK_SIZE, chunk_nonce  # noqa: E402

MIB = 1 << 20
WRITE_SIZE = 64 * 1024  # what a muxer hands the writer at a time, roughly
CONTEXT = recording_context("00000000-0000-4000-8000-000000000000", 0, "video/webm")


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The shortest wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _plain_seal(aead: AESGCM, nonce: bytes, data: memoryview, first_index: int) -> list[bytes]:
    """Plain AES-256-GCM over `data` in 16 KiB chunks (numbered from `first_index`): the baseline."""
    return [aead.encrypt(chunk_nonce(nonce, first_index + k), data[at : at + CHUNK_SIZE], b"")
            for k, at in enumerate(range(0, len(data), CHUNK_SIZE))]


def _plain_open(aead: AESGCM, nonce: bytes, source: Callable[[int, int], bytes], offset: int, length: int,
                chunks_per_read: int = 16) -> Iterator[bytes]:
    """Plain AES-256-GCM range decryption, read and sliced like `PartReader.iter_range` (the baseline)."""
    first, last = offset // CHUNK_SIZE, (offset + length - 1) // CHUNK_SIZE
    for batch in range(first, last + 1, chunks_per_read):
        batch_last = min(last, batch + chunks_per_read - 1)
        span = memoryview(source((batch_last + 1 - batch) * SEALED_CHUNK_SIZE, batch * SEALED_CHUNK_SIZE))
        for k in range(batch, batch_last + 1):
            at = (k - batch) * SEALED_CHUNK_SIZE
            chunk = aead.decrypt(chunk_nonce(nonce, k), span[at : at + SEALED_CHUNK_SIZE], b"")
            yield chunk[max(offset - k * CHUNK_SIZE, 0) : min(offset + length - k * CHUNK_SIZE, CHUNK_SIZE)]


def bench_crypto(size: int = 64 * MIB, *, range_size: int = MIB, ranges: int = 64, repeat: int = 3,
                 workdir: str | None = None, seed: int = 1) -> dict[str, float]:
    """Encrypt and decrypt throughput (MB/s) of the vault and of plain AES-256-GCM on the same data."""
    rng = random.Random(seed)
    plaintext = rng.randbytes(size)
    view = memoryview(plaintext)
    key, nonce = os.urandom(32), os.urandom(12)
    aead = AESGCM(key)
    offsets = [rng.randrange(size - range_size + 1) for _ in range(ranges)]
    mb = size / 1e6
    out: dict[str, float] = {"size_mib": size / MIB, "range_mib": range_size / MIB, "ranges": ranges}

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        part, plain = Path(tmp, "bench.part"), Path(tmp, "plain.bin")

        def write_part() -> None:
            for leftover in (part, Path(tmp, "bench.part.tmp")):
                leftover.unlink(missing_ok=True)
            writer = PartWriter(part, key, CONTEXT)
            for at in range(0, size, WRITE_SIZE):
                writer.write(view[at : at + WRITE_SIZE])
            writer.finalize()

        def write_plain(digest: bool = False) -> None:
            sha256 = hashlib.sha256()
            fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                for at in range(0, size, WRITE_SIZE):
                    sealed = b"".join(_plain_seal(aead, nonce, view[at : at + WRITE_SIZE], at // CHUNK_SIZE))
                    os.write(fd, sealed)
                    if digest:
                        sha256.update(sealed)
                os.fsync(fd)
            finally:
                os.close(fd)

        def encrypt_in_memory() -> None:
            encryptor = Cobblestone256Encryptor(key, CONTEXT)
            for at in range(0, size, WRITE_SIZE):
                encryptor.update(view[at : at + WRITE_SIZE])
            encryptor.finalize()

        def plain_encrypt_in_memory() -> None:
            for at in range(0, size, WRITE_SIZE):
                _plain_seal(aead, nonce, view[at : at + WRITE_SIZE], at // CHUNK_SIZE)

        out["enc_partwriter_file"] = mb / best_of(repeat, write_part)
        out["enc_aesgcm_file"] = mb / best_of(repeat, write_plain)
        out["enc_aesgcm_sha256_file"] = mb / best_of(repeat, lambda: write_plain(digest=True))
        out["enc_cobblestone_mem"] = mb / best_of(repeat, encrypt_in_memory)
        out["enc_aesgcm_mem"] = mb / best_of(repeat, plain_encrypt_in_memory)

        plain_bytes = plain.read_bytes()
        part_bytes = part.read_bytes()
        fd = os.open(plain, os.O_RDONLY)

        def plain_range(source: Callable[[int, int], bytes], offset: int, length: int) -> bytes:
            return b"".join(_plain_open(aead, nonce, source, offset, length))

        def plain_full(source: Callable[[int, int], bytes]) -> int:
            return sum(map(len, _plain_open(aead, nonce, source, 0, size)))

        def from_file(n: int, at: int) -> bytes:
            return os.pread(fd, n, at)

        def from_memory(n: int, at: int) -> bytes:
            return plain_bytes[at : at + n]

        try:
            with PartReader(part, key, CONTEXT, size) as reader:
                ranged_mb = ranges * range_size / 1e6
                out["dec_range_reader_file"] = ranged_mb / best_of(
                    repeat, lambda: [reader.read(o, range_size) for o in offsets])
                out["dec_range_aesgcm_file"] = ranged_mb / best_of(
                    repeat, lambda: [plain_range(from_file, o, range_size) for o in offsets])
                out["dec_range_aesgcm_mem"] = ranged_mb / best_of(
                    repeat, lambda: [plain_range(from_memory, o, range_size) for o in offsets])
                out["dec_full_reader_file"] = mb / best_of(repeat, lambda: sum(map(len, reader.iter_range(0, size))))
                out["dec_full_aesgcm_file"] = mb / best_of(repeat, lambda: plain_full(from_file))
                out["dec_full_aesgcm_mem"] = mb / best_of(repeat, lambda: plain_full(from_memory))
            out["open_reader_us"] = 1e6 * best_of(repeat * 10, lambda: PartReader(part, key, CONTEXT).close())
        finally:
            os.close(fd)

        def library_decrypt() -> None:
            decryptor = Cobblestone256Decryptor(key, CONTEXT)
            for at in range(0, len(part_bytes), WRITE_SIZE):
                decryptor.update(part_bytes[at : at + WRITE_SIZE])
            decryptor.finalize()

        out["dec_full_cobblestone_mem"] = mb / best_of(repeat, library_decrypt)
    return out


TABLE = [
    ("encrypt: PartWriter to file vs AES-GCM 16 KiB chunks to file", "enc_partwriter_file", "enc_aesgcm_file"),
    ("encrypt: PartWriter to file vs AES-GCM to file + SHA-256 of it", "enc_partwriter_file",
     "enc_aesgcm_sha256_file"),
    ("encrypt: Cobblestone256Encryptor vs AES-GCM, in memory", "enc_cobblestone_mem", "enc_aesgcm_mem"),
    ("decrypt 1 MiB random ranges: PartReader vs AES-GCM, file", "dec_range_reader_file", "dec_range_aesgcm_file"),
    ("decrypt 1 MiB random ranges: PartReader (file) vs AES-GCM (memory)", "dec_range_reader_file",
     "dec_range_aesgcm_mem"),
    ("decrypt full sequential: PartReader vs AES-GCM, file", "dec_full_reader_file", "dec_full_aesgcm_file"),
    ("decrypt full sequential: Cobblestone256Decryptor vs AES-GCM, memory", "dec_full_cobblestone_mem",
     "dec_full_aesgcm_mem"),
]


def format_table(results: dict[str, float]) -> str:
    """The figures as a text table: ours, the baseline and their ratio."""
    width = max(len(label) for label, *_ in TABLE)
    lines = [f"{'':{width}}  {'ours MB/s':>10}  {'base MB/s':>10}  {'ratio':>6}"]
    for label, ours, base in TABLE:
        if ours in results and base in results:
            a, b = results[ours], results[base]
            lines.append(f"{label:{width}}  {a:10.0f}  {b:10.0f}  {a / b:6.2f}")
    if "open_reader_us" in results:
        lines.append(f"PartReader open (commitment + final chunk): {results['open_reader_us']:.0f} µs")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where the temp files go (default: the system temp dir)")
    parser.add_argument("--crypto-only", action="store_true",
                        help="skip the HTTP Range time-to-first-byte and recording-CPU sections")
    args = parser.parse_args(argv)
    results = bench_crypto(args.size_mib * MIB, repeat=args.repeat, workdir=args.dir)
    where = args.dir or tempfile.gettempdir()
    print(f"{args.size_mib} MiB random plaintext; files in {where}; best of {args.repeat}; "
          f"{results['ranges']:.0f} random {results['range_mib']:.0f} MiB ranges; {os.cpu_count()} CPUs")
    print(format_table(results))
    if not args.crypto_only:
        from range_ttfb import bench_ttfb, format_ttfb
        from recording_cpu import bench_recording, format_recording

        print()
        print(format_ttfb(bench_ttfb()))
        print()
        print(format_recording(bench_recording()))


if __name__ == "__main__":
    main()
