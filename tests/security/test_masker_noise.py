"""The provider hands the secret masker its two secrets and nothing else, so it causes no warning.

Airflow's masker warns "Skipping masking for a secret as it's too short" for any short value it is
handed, whether or not its name is sensitive, and Airflow hands it a connection's whole extras
whenever a connection is read. The provider reads the extras itself and registers only the consumer
secret and the access token secret.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import airflow_provider_twitter_ads
from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger

SHORT_SECRET_WARNING = "Skipping masking for a secret as it's too short"
PACKAGE_DIR = str(Path(airflow_provider_twitter_ads.__file__).parent)
# Airflow's functions between a caller and the masker: what called them is who handed the value.
_MASKING_FUNCTIONS = {"add_mask", "mask_secret", "amask_secret", "extra_dejson", "aextra_dejson"}


def _masker_class() -> type:
    try:
        from airflow.sdk.log import _secrets_masker
    except ImportError:  # Airflow 2.10
        from airflow.utils.log.secrets_masker import _secrets_masker  # type: ignore[no-redef]
    return type(_secrets_masker())


@dataclass
class Handed:
    """One value handed to the masker, who handed it, and whether that made it warn."""

    value: Any
    by_provider: bool
    warned: bool


def _handed_by_provider() -> bool:
    frame = sys._getframe(2)
    while frame is not None and (
        frame.f_code.co_name in _MASKING_FUNCTIONS and "airflow" in frame.f_code.co_filename
    ):
        frame = frame.f_back
    return frame is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR)


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Handed]]:
    """Every value handed to the secret masker while the test runs, as the caller handed it."""
    masker = _masker_class()
    calls: list[Handed] = []
    add_mask = masker.add_mask
    depth = [0]

    def recording(self: Any, secret: Any, name: str | None = None) -> None:
        depth[0] += 1
        try:
            if depth[0] > 1:  # a dict's values, handed on by the masker itself
                return add_mask(self, secret, name)
            # The masker warns once per process: reset, so each call shows whether it warns.
            masker._has_warned_short_secret = False
            by_provider = _handed_by_provider()
            add_mask(self, secret, name)
            calls.append(Handed(secret, by_provider, masker._has_warned_short_secret))
        finally:
            depth[0] -= 1

    monkeypatch.setattr(masker, "add_mask", recording)
    monkeypatch.setattr(masker, "_has_warned_short_secret", False, raising=False)
    yield calls


def _upload_and_wait(s3_client: Any, s3_bucket: str) -> dict[str, Any]:
    key = f"spring-{uuid.uuid4().hex[:8]}.mp4"
    s3_client.put_object(Bucket=s3_bucket, Key=key, Body=samples.mp4(64 * 1024), ContentType="video/mp4")
    uploaded = UploadMediaOperator(
        task_id="upload", s3_bucket=s3_bucket, s3_key=key, media_category="amplify_video"
    ).execute(context={})

    async def first_event() -> Any:
        trigger = VideoProcessingTrigger(
            media_id=uploaded["media_id"], min_poll_interval=0.05, max_poll_interval=0.1
        )
        async for event in trigger.run():
            return event
        raise AssertionError("the trigger fired no event")

    event = asyncio.run(first_event())
    assert event.payload["status"] == "success", event.payload
    return uploaded


def test_an_upload_and_the_trigger_log_no_masker_warning(
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    aws_connection: str,
    s3_client: Any,
    s3_bucket: str,
    handed: list[Handed],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    _upload_and_wait(s3_client, s3_bucket)

    assert [
        record.getMessage() for record in caplog.records if SHORT_SECRET_WARNING in record.getMessage()
    ] == []
    config = ads_api_emulator.config
    # Once per connection read: the upload's and the trigger's.
    from_provider = [call.value for call in handed if call.by_provider]
    assert all(isinstance(value, str) for value in from_provider), from_provider
    assert set(from_provider) == {config.consumer_secret, config.access_token_secret}
    assert len(from_provider) >= 4


def test_short_extras_never_reach_the_masker_from_the_provider(
    ads_api_emulator: AdsApiEmulator,
    aws_connection: str,
    s3_client: Any,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    handed: list[Handed],
) -> None:
    # Strings as an older form stored them: Airflow itself still warns when it reads this
    # connection, but nothing the provider hands the masker makes it warn.
    connection = ads_api_emulator.airflow_connection(api_version="12", upload_api="v2", timeout="10")
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    _upload_and_wait(s3_client, s3_bucket)

    from_provider = [call for call in handed if call.by_provider]
    config = ads_api_emulator.config
    assert all(isinstance(call.value, str) for call in from_provider), [c.value for c in from_provider]
    assert {call.value for call in from_provider} == {config.consumer_secret, config.access_token_secret}
    assert [call.value for call in from_provider if call.warned] == []
    # The spy sees Airflow's own reads too, so it would see a short value if one were handed.
    assert any(call.warned for call in handed if not call.by_provider)
