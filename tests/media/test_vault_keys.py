"""The master key file, environment keys, rotation and envelope (wrapped) data keys."""

from __future__ import annotations

import base64
import os
import uuid

import pytest

from media import (
    IntegrityError,
    MasterKey,
    MasterKeyError,
    MasterKeyring,
    WrappedKey,
    delete_master_key,
    load_master_keys,
    new_data_key,
    rewrap_data_key,
    rotate_master_key,
    unwrap_data_key,
    wrap_data_key,
)

REC = uuid.UUID("6f1c2a52-9f3e-4d1b-8a55-0c7f1e2d3b4a")
OTHER_REC = uuid.UUID("6f1c2a52-9f3e-4d1b-8a55-0c7f1e2d3b4b")


def test_first_run_creates_a_0600_key_file_and_reloads_it(tmp_path):
    """The first load creates master.key (version 1, mode 0600); later loads return the same key."""
    ring = load_master_keys(tmp_path)
    path = tmp_path / "master.key"
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert ring.current.version == 1 and ring.retired == ()
    lines = path.read_text().splitlines()
    assert lines[:2] == ["intervox-master-key v1", "1"] and base64.b64decode(lines[2]) == ring.current.key
    assert load_master_keys(tmp_path) == ring
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master.key"]


def test_creation_ignores_a_permissive_umask(tmp_path):
    """The key file is 0600 from its creation even under umask 000."""
    old = os.umask(0)
    try:
        load_master_keys(tmp_path)
    finally:
        os.umask(old)
    assert oct((tmp_path / "master.key").stat().st_mode & 0o777) == oct(0o600)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_a_key_file_open_to_group_or_other_is_refused(tmp_path, mode):
    """A key file readable or writable by group or other is refused with a message saying how to fix it."""
    load_master_keys(tmp_path)
    os.chmod(tmp_path / "master.key", mode)
    with pytest.raises(MasterKeyError, match=rf"mode {mode:04o}.*chmod 600"):
        load_master_keys(tmp_path)


def test_a_missing_key_is_not_created_when_creation_is_off(tmp_path):
    """With create=False a missing key file is an error, not a new key."""
    with pytest.raises(MasterKeyError, match="no master key"):
        load_master_keys(tmp_path, create=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", ["", "intervox-master-key v1\n1\n", "intervox-master-key v2\n1\nAAAA\n",
                                  "intervox-master-key v1\nx\n" + base64.b64encode(bytes(32)).decode() + "\n",
                                  "intervox-master-key v1\n1\n" + base64.b64encode(bytes(31)).decode() + "\n"])
def test_a_malformed_key_file_is_refused(tmp_path, text):
    """A key file without the magic line, a version and base64 of 32 bytes is refused."""
    path = tmp_path / "master.key"
    path.write_text(text)
    os.chmod(path, 0o600)
    with pytest.raises(MasterKeyError):
        load_master_keys(tmp_path)


def test_an_environment_key_works_and_writes_nothing(tmp_path):
    """A base64 key passed in from the environment is used as is; no file is read or created."""
    key = os.urandom(32)
    ring = load_master_keys(tmp_path, env_value=base64.b64encode(key).decode() + "\n", env_version=3)
    assert ring.current == MasterKey(3, key)
    assert list(tmp_path.iterdir()) == []
    for bad in ("not base64!", base64.b64encode(bytes(16)).decode()):
        with pytest.raises(MasterKeyError):
            load_master_keys(tmp_path, env_value=bad)


def test_keys_never_show_in_repr():
    """A master key's repr names its version, never its bytes."""
    master = MasterKey(1, b"\x01" * 32)
    assert "01" not in repr(master).replace("version=1", "") and "secret" in repr(master)


def test_wrap_unwrap_round_trip():
    """A wrapped data key unwraps to itself for the same recording; each wrap uses a fresh nonce."""
    ring, data_key = MasterKeyring(MasterKey(1, os.urandom(32))), new_data_key()
    first, second = wrap_data_key(ring, REC, data_key), wrap_data_key(ring, str(REC), data_key)
    assert first.master_version == 1 and len(first.blob) == 60 and first.blob != second.blob
    assert unwrap_data_key(ring, REC, first) == unwrap_data_key(ring, REC.hex, second) == data_key


def test_unwrap_for_another_recording_fails():
    """A wrapped key moved to another recording's row does not unwrap."""
    ring = MasterKeyring(MasterKey(1, os.urandom(32)))
    wrapped = wrap_data_key(ring, REC, new_data_key())
    with pytest.raises(IntegrityError):
        unwrap_data_key(ring, OTHER_REC, wrapped)


def test_unwrap_under_the_wrong_version_fails():
    """The version is authenticated: the same master key bytes under another version number do not unwrap."""
    key = os.urandom(32)
    ring = MasterKeyring(MasterKey(2, key), (MasterKey(1, key),))
    wrapped = wrap_data_key(ring, REC, new_data_key())
    with pytest.raises(IntegrityError):
        unwrap_data_key(ring, REC, WrappedKey(1, wrapped.blob))
    with pytest.raises(MasterKeyError, match="version 7"):
        unwrap_data_key(ring, REC, WrappedKey(7, wrapped.blob))
    with pytest.raises(IntegrityError):
        unwrap_data_key(ring, REC, WrappedKey(2, wrapped.blob[:-1]))


def test_rotation_rewraps_data_keys_and_retires_the_old_version(tmp_path):
    """Rotation adds version 2 as current, keeps v1 until deleted, and re-wrapped keys unwrap under v2 only."""
    ring = load_master_keys(tmp_path)
    data_key = new_data_key()
    old = wrap_data_key(ring, REC, data_key)
    ring = rotate_master_key(tmp_path)
    assert ring.current.version == 2 and ring.versions == (2, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master-v1.key", "master.key"]
    assert oct((tmp_path / "master-v1.key").stat().st_mode & 0o777) == oct(0o600)
    new = rewrap_data_key(ring, REC, old)
    assert new.master_version == 2 and unwrap_data_key(ring, REC, new) == data_key
    with pytest.raises(MasterKeyError):
        delete_master_key(tmp_path, 2)
    delete_master_key(tmp_path, 1)
    ring = load_master_keys(tmp_path)
    assert ring.versions == (2,) and unwrap_data_key(ring, REC, new) == data_key
    with pytest.raises(MasterKeyError):
        unwrap_data_key(ring, REC, old)


def test_a_rotation_interrupted_after_retiring_loads_and_resumes(tmp_path):
    """If rotation stopped after linking master-v1.key, loading still works and rotating again completes."""
    ring = load_master_keys(tmp_path)
    os.link(tmp_path / "master.key", tmp_path / "master-v1.key")
    assert load_master_keys(tmp_path) == ring
    assert rotate_master_key(tmp_path).versions == (2, 1)
