"""Fixtures for the sensor and trigger tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator

from .helpers import TINY_MP4, upload


@pytest.fixture
def upload_video(ads_api_emulator: AdsApiEmulator) -> Callable[..., dict[str, Any]]:
    """Uploads a tiny video (or other media) to the emulator; returns the FINALIZE data."""

    def _upload(content: bytes = TINY_MP4, **kwargs: Any) -> dict[str, Any]:
        return upload(ads_api_emulator, content, **kwargs)

    return _upload
