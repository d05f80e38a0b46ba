"""Fixtures for the upload tests: a hook on the emulator with quick retries, S3 objects on moto."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings
from airflow_provider_twitter_ads.utils.segments import BytesRangeReader

#: Small segments keep the multi-segment tests fast.
SEGMENT = 64 * 1024
#: HTTP attempts per request in these tests (the hook's default is 5).
HOOK_ATTEMPTS = 3


@pytest.fixture
def fast_retries() -> RetrySettings:
    return RetrySettings(max_attempts=HOOK_ATTEMPTS, backoff_base=0.01, backoff_cap=0.05)


@pytest.fixture
def hook(twitter_ads_connection: str, fast_retries: RetrySettings) -> Iterator[AdsApiHook]:
    ads_hook = AdsApiHook(twitter_ads_connection, retry_settings=fast_retries)
    yield ads_hook
    ads_hook.close()


@pytest.fixture
def put_object(s3_client, s3_bucket: str) -> Callable[..., str]:
    """Store bytes in the test bucket; returns the key."""

    def put(key: str, data: bytes, content_type: str | None = None) -> str:
        extra = {"ContentType": content_type} if content_type else {}
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=data, **extra)
        return key

    return put


class RecordingReader(BytesRangeReader):
    """A ``BytesRangeReader`` that records every range it hands out (thread-safe)."""

    def __init__(self, data: bytes, on_read: Callable[[int, int], None] | None = None) -> None:
        super().__init__(data)
        self.reads: list[tuple[int, int]] = []
        self._lock = threading.Lock()
        self._on_read = on_read

    def read_range(self, start: int, end: int) -> bytes:
        with self._lock:
            self.reads.append((start, end))
        if self._on_read is not None:
            self._on_read(start, end)
        return super().read_range(start, end)


def media_records(emulator: AdsApiEmulator) -> dict[str, object]:
    with emulator.state.lock:
        return dict(emulator.state.media)
