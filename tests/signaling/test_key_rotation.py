"""`intervox keys rotate`: data keys re-wrapped under a new master key, media untouched."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time

from aiohttp.test_utils import TestClient, TestServer
from fakes import FakeRecognizer
from wsclient import Candidate, answer_one_question, make_interview

from signaling import auth, totp
from signaling.app import create_app
from signaling.config import Settings
from signaling.keys import KEYRING, RECORDINGS, STORE
from signaling.records import Role


async def start(data_dir) -> TestClient:
    client = TestClient(TestServer(create_app(Settings(data_dir=data_dir), recognizer=FakeRecognizer())))
    await client.start_server()
    return client


def plaintext_of(app, recording) -> bytes:
    with app[RECORDINGS].open_reader(recording, recording.parts[0]) as reader:
        return reader.read(0, reader.plaintext_size)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signaling", *args], capture_output=True, text=True, timeout=60)


async def test_rotation_rewraps_keys_and_playback_works_before_and_after(tmp_path):
    """Rotation refuses to run beside a server; then re-wraps, leaves the part file byte-identical,
    deletes the old key on request, and recordings and TOTP keep working."""
    data_dir = tmp_path / "data"
    client = await start(data_dir)
    app = client.server.app
    token = await make_interview(app)
    origin = str(client.make_url("/")).rstrip("/")
    candidate = Candidate(await client.ws_connect("/ws", headers={"Origin": origin}))
    await answer_one_question(candidate, token)
    await candidate.close()
    store = app[STORE]
    staff = await store.staff.create(email="r@example.com", display_name="R", role=Role.REVIEWER,
                                     departments={"QA"}, password_hash=auth.hash_password("x" * 16))
    secret = totp.new_secret()
    keyring = app[KEYRING]
    await store.staff.set_pending_totp(staff.user.id, totp.seal_secret(
        secret, key=keyring.totp_key(keyring.current_version), user_id=staff.user.id), keyring.current_version)
    interview = (await store.interviews())[0].interview
    (recording,) = await store.recordings.for_interview(interview.id)
    before = plaintext_of(app, recording)
    part_file = data_dir / "recordings" / recording.parts[0].file_name
    digest = hashlib.sha256(part_file.read_bytes()).hexdigest()

    busy = cli("keys", "rotate", "--data-dir", str(data_dir))
    assert busy.returncode == 1 and "another Intervox process" in busy.stderr
    await client.close()

    done = cli("keys", "rotate", "--data-dir", str(data_dir), "--delete-old")
    assert done.returncode == 0, done.stderr
    assert "Master key version 2 is current: 1 recording keys and 1 TOTP secrets re-wrapped" in done.stdout
    assert not (data_dir / "master-v1.key").exists(), "the old key was deleted"
    assert hashlib.sha256(part_file.read_bytes()).hexdigest() == digest, "media untouched"

    client = await start(data_dir)
    app = client.server.app
    rotated = await app[STORE].recordings.get(recording.id)
    assert rotated.key_version == 2 and rotated.wrapped_key != recording.wrapped_key
    assert plaintext_of(app, rotated) == before
    sealed, version, _, _ = await app[STORE].staff.totp_state(staff.user.id)
    assert version == 2
    opened = totp.open_secret(sealed, key=app[KEYRING].totp_key(2), user_id=staff.user.id)
    assert opened == secret and totp.verify(opened, totp.code_at(secret, totp.step_at(time.time())),
                                            now=time.time(), last_used_step=None) is not None
    audit = await app[STORE].audit.entries(action="keys.rotated")
    assert audit and audit[0].detail["deleted_versions"] == [1]
    await client.close()


def test_world_readable_key_file_is_refused(tmp_path):
    """The server refuses to start when the master key file is readable by others."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    key_file = data_dir / "master.key"
    key_file.write_text("intervox-master-key v1\n1\n" + "A" * 43 + "=\n")
    key_file.chmod(0o644)
    result = cli("serve", "--data-dir", str(data_dir), "--port", "0")
    assert result.returncode == 1
    assert "master.key" in result.stderr and "chmod 600" in result.stderr
