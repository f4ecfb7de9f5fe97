"""Fixtures for browser tests: one real server per module, Chromium via Playwright."""

from __future__ import annotations

import os

import pytest
from harness import CHROMIUM, HrClient, ServerProcess
from playwright.async_api import async_playwright


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("server") / "data")
    yield proc
    proc.stop_cleanly()


@pytest.fixture
async def hr(server):
    client = HrClient(server)
    await client.login()
    yield client
    await client.close()


@pytest.fixture
async def playwright():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("Chromium is required for the browser tests (make test installs Debian's chromium)")
    async with async_playwright() as p:
        yield p
