"""How many recognitions the server runs at once (signaling.app): shared workers and the final lane."""

from __future__ import annotations

import pytest

from signaling import app as server
from signaling.config import ConfigError, Settings


@pytest.fixture
def four_cpus(monkeypatch):
    monkeypatch.setattr(server, "available_cpus", lambda: 4.0)


def test_one_worker_per_cpu_and_as_many_for_last_windows(four_cpus):
    settings = Settings.from_env({})
    assert server.asr_parallelism(settings) == (4, 1) and server.final_workers(settings) == 4


def test_the_final_lane_is_set_apart_or_turned_off(four_cpus):
    assert server.final_workers(Settings.from_env({"INTERVOX_ASR_FINAL_WORKERS": "1"})) == 1
    assert server.final_workers(Settings.from_env({"INTERVOX_ASR_FINAL_WORKERS": "0"})) == 0
    assert server.final_workers(Settings.from_env({"INTERVOX_ASR_WORKERS": "2"})) == 2


@pytest.mark.parametrize("raw", ["-1", "many", "1000"])
def test_a_bad_final_worker_count_names_the_setting(raw):
    with pytest.raises(ConfigError, match="INTERVOX_ASR_FINAL_WORKERS"):
        Settings.from_env({"INTERVOX_ASR_FINAL_WORKERS": raw})
