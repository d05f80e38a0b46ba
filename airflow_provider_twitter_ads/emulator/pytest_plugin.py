"""Pytest fixtures for testing DAGs offline against the emulator.

Enable with ``pytest_plugins = ["airflow_provider_twitter_ads.emulator.pytest_plugin"]`` in a
``conftest.py``. ``ads_api_emulator`` is one server for the session, reset before each test;
``twitter_ads_connection`` points ``twitter_ads_default`` at it through ``AIRFLOW_CONN_*``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig


@pytest.fixture(scope="session")
def _ads_api_emulator_server() -> Iterator[AdsApiEmulator]:
    with AdsApiEmulator(EmulatorConfig(processing_seconds=0.5)) as emulator:
        yield emulator


@pytest.fixture
def ads_api_emulator(_ads_api_emulator_server: AdsApiEmulator) -> Iterator[AdsApiEmulator]:
    """The session's emulator, back at its seed data with no faults and default settings."""
    emulator = _ads_api_emulator_server
    defaults = EmulatorConfig(processing_seconds=0.5)
    emulator.update_config(
        **{name: getattr(defaults, name) for name in vars(defaults) if name not in ("upload_spool_dir",)}
    )
    emulator.reset()
    yield emulator
    emulator.faults.clear()


@pytest.fixture
def twitter_ads_connection(ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """Sets ``AIRFLOW_CONN_TWITTER_ADS_DEFAULT`` to the emulator; returns the conn id."""
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(ads_api_emulator.airflow_connection()))
    return "twitter_ads_default"
