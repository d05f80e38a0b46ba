"""Media upload endpoints: v2 initialize / append / finalize / status and v1.1 media/upload.json."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.core import Router
from airflow_provider_twitter_ads.emulator.state import EmulatorState


def register(router: Router, state: EmulatorState) -> None:
    """Add the media upload routes to ``router``."""


def cleanup(state: EmulatorState) -> None:
    """Delete spooled upload segments."""
