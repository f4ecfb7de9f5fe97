"""One process at a time per data directory: the server holds an exclusive lock while it runs.

Key rotation rewrites every wrapped key, so it must not run beside a server that caches the old
master key; both take this lock, and the second one is told why it cannot start.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "intervox.lock"


class DataDirBusy(RuntimeError):
    """Another Intervox process holds the data directory."""


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirBusy(f"another Intervox process is using {self._path.parent} (stop it first)") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DataDirLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
