"""A local, real-HTTP emulator of the X Ads API and media upload API, for offline tests and demos.

Hooks and operators never import this package; it is a separate server that they talk to over HTTP.
"""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.state import (
    DEFAULT_ACCESS_TOKEN,
    DEFAULT_ACCESS_TOKEN_SECRET,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CONSUMER_KEY,
    DEFAULT_CONSUMER_SECRET,
    EmulatorConfig,
)

__all__ = [
    "DEFAULT_ACCESS_TOKEN",
    "DEFAULT_ACCESS_TOKEN_SECRET",
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_CONSUMER_KEY",
    "DEFAULT_CONSUMER_SECRET",
    "AdsApiEmulator",
    "EmulatorConfig",
]
