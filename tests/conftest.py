"""Shared test set-up: the test helpers directory is importable (fakes, browser helpers)."""

import sys
from pathlib import Path

TESTS = Path(__file__).parent
DATA = TESTS / "data"
for sub in ("scoring", "signaling", "browser"):
    path = str(TESTS / sub)
    if path not in sys.path:
        sys.path.insert(0, path)
