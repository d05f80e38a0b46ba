"""The media upload API (v2 and v1.1): ``models``, ``responses``, ``urls``, ``seed``, ``exceptions``."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.upload.processing import (
    PROCESSING_ERROR,
    processing_info,
    refresh_processing,
)
from airflow_provider_twitter_ads.emulator.upload.spool import cleanup

__all__ = ["PROCESSING_ERROR", "cleanup", "processing_info", "refresh_processing"]
