"""Bad-input fixtures: a context that prepares S3 objects, ready media and connections per case."""

from __future__ import annotations

import functools
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.ads import add_ready_media
from airflow_provider_twitter_ads.hooks import ads_api
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings

BAD_CONN_ID = "twitter_ads_bad"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BadInputContext:
    """What a case may prepare: S3 objects, ready (uploaded) media, account media, connections."""

    def __init__(
        self, emulator: AdsApiEmulator, s3_client: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.emulator = emulator
        self.s3_client = s3_client
        self.bucket = bucket
        self._monkeypatch = monkeypatch

    def put(self, key: str, data: bytes, content_type: str | None = None) -> str:
        extra = {"ContentType": content_type} if content_type else {}
        self.s3_client.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)
        return key

    def ready_media(
        self, category: str, width: int | None = None, height: int | None = None
    ) -> dict[str, Any]:
        """A finished upload in the emulator, as UploadMediaOperator would return it."""
        with self.emulator.state.lock:
            record = add_ready_media(self.emulator.state, category, width, height)
        return {
            "media_id": record.media_id,
            "media_key": record.media_key,
            "media_category": category,
            "media_type": record.media_type,
            "total_bytes": record.total_bytes,
            "width": record.width if record.media_type.startswith("image/") else None,
            "height": record.height if record.media_type.startswith("image/") else None,
            "processing_info": None,
            "s3_uri": None,
        }

    def account_media(self, creative_type: str = "MEDIUM_RECTANGLE") -> dict[str, Any]:
        return self.emulator.seed_entities("account_media", 1, creative_type=creative_type)[0]

    def connection(self, **extra: Any) -> str:
        """``twitter_ads_bad``: the emulator's connection with ``extra`` changed (None removes a field);
        ``login`` / ``password`` in ``extra`` replace the consumer key / secret."""
        connection = self.emulator.airflow_connection()
        for field in ("login", "password"):
            if field in extra:
                connection[field] = extra.pop(field)
        for name, value in extra.items():
            if value is None:
                connection["extra"].pop(name, None)
            else:
                connection["extra"][name] = value
        self._monkeypatch.setenv(f"AIRFLOW_CONN_{BAD_CONN_ID.upper()}", json.dumps(connection))
        return BAD_CONN_ID


@pytest.fixture
def quick_hook_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hooks the operators build retry with tiny waits (an unreachable host is retried)."""
    monkeypatch.setattr(
        ads_api,
        "RetrySettings",
        functools.partial(
            RetrySettings, max_attempts=3, backoff_base=0.01, backoff_cap=0.02, max_rate_limit_wait=2
        ),
    )


@pytest.fixture
def bad_input(
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    s3_client: Any,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    quick_hook_retries: None,
) -> Iterator[BadInputContext]:
    yield BadInputContext(ads_api_emulator, s3_client, s3_bucket, monkeypatch)
