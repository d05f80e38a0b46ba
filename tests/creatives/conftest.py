"""Fixtures for the account media and media creative tests."""

from __future__ import annotations

import json

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator


@pytest.fixture
def api_version(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "12")


@pytest.fixture
def conn(ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, api_version: str) -> str:
    """``twitter_ads_default`` pointing at the emulator with the test's API version."""
    connection = ads_api_emulator.airflow_connection(api_version=api_version)
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    return "twitter_ads_default"
