"""Fixtures for the emulator's Ads API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .ads_client import AdsClient


@pytest.fixture
def ads(ads_api_emulator: AdsApiEmulator) -> Iterator[AdsClient]:
    client = AdsClient(ads_api_emulator)
    yield client
    client.session.close()
