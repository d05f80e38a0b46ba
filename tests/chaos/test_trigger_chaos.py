"""The deferrable path under faults: VideoProcessingTrigger polls through every fault kind to one event,
and the sensor turns that event into the result or the API's error."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.exceptions import (
    NO_PROCESSING_REASON,
    AdsApiServerError,
    MediaProcessingError,
)
from airflow_provider_twitter_ads.hooks import ads_api_async
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger

from .conftest import SLOW_SECONDS

STATUS_PATH = "^/2/media/upload$"
# One of each fault kind on the STATUS requests, in this order.
EVERY_FAULT = [
    {"kind": "drop_before"},
    {"kind": "drop_after"},
    {"kind": "html_error", "options": {"status": 502}},
    {"kind": "error", "options": {"status": 504}},
    {"kind": "rate_limit", "options": {"with_reset": False}},
    {"kind": "rate_limit", "options": {"with_reset": True, "reset_in": 0.2}},
    {"kind": "slow", "options": {"seconds": SLOW_SECONDS}},
    {"kind": "error", "options": {"status": 500}},
]


@pytest.fixture
def quick_async_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny waits, and enough attempts for one STATUS request to outlast all of EVERY_FAULT in a row."""
    quick = functools.partial(
        RetrySettings,
        max_attempts=len(EVERY_FAULT) + 2,
        backoff_base=0.01,
        backoff_cap=0.05,
        max_rate_limit_wait=5,
    )
    monkeypatch.setattr(ads_api_async, "RetrySettings", quick)


@pytest.fixture
def video(ads_api_emulator: AdsApiEmulator, chaos_connection: str, s3_client: Any, s3_bucket: str) -> dict:
    """A video uploaded just now, still processing for a second."""
    ads_api_emulator.update_config(processing_seconds=1.0)
    s3_client.put_object(Bucket=s3_bucket, Key="clip.mp4", Body=samples.mp4(50_000, seed=5))
    return UploadMediaOperator(
        task_id="upload", s3_bucket=s3_bucket, s3_key="clip.mp4", media_category="amplify_video"
    ).execute({})


def first_event(media_id: str) -> dict[str, Any]:
    trigger = VideoProcessingTrigger(media_id, min_poll_interval=0.05, max_poll_interval=0.2)

    async def run() -> dict[str, Any]:
        events = [event async for event in trigger.run()]
        assert len(events) == 1
        return events[0].payload

    return asyncio.run(run())


def sensor(video: dict) -> VideoProcessingSensor:
    return VideoProcessingSensor(
        task_id="wait", media_id=video, deferrable=True, poke_interval=0.2, min_poke_interval=0.05
    )


def test_trigger_polls_through_every_fault_kind(
    ads_api_emulator: AdsApiEmulator, video: dict, quick_async_retries: None
) -> None:
    scripted = [{**fault, "method": "GET", "path": STATUS_PATH} for fault in EVERY_FAULT]
    ads_api_emulator.faults.configure({"scripted": scripted})

    event = first_event(video["media_id"])

    assert event["status"] == "success", event["message"]
    assert sum(ads_api_emulator.faults.injected.values()) == len(EVERY_FAULT)
    result = sensor(video).execute_complete({}, event)
    assert result["media_id"] == video["media_id"]
    assert result["state"] == "succeeded"


def test_trigger_reports_the_api_error_when_retries_run_out(
    ads_api_emulator: AdsApiEmulator, video: dict, quick_async_retries: None
) -> None:
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {
                    "kind": "error",
                    "options": {"status": 503},
                    "method": "GET",
                    "path": STATUS_PATH,
                    "times": 50,
                }
            ]
        }
    )

    event = first_event(video["media_id"])

    assert event["status"] == "error"
    assert "SERVICE_UNAVAILABLE" in event["message"]
    with pytest.raises(AdsApiServerError) as caught:
        sensor(video).execute_complete({}, event)
    assert caught.value.status_code == 503
    assert caught.value.codes == ["SERVICE_UNAVAILABLE"]
    assert "Over capacity" in str(caught.value)


def test_trigger_reports_failed_processing_with_the_api_reason(
    ads_api_emulator: AdsApiEmulator,
    chaos_connection: str,
    s3_client: Any,
    s3_bucket: str,
    quick_async_retries: None,
) -> None:
    ads_api_emulator.faults.configure({"scripted": [{"kind": "fail_processing", "path": "/finalize$"}]})
    s3_client.put_object(Bucket=s3_bucket, Key="bad.mp4", Body=samples.mp4(50_000, seed=6))
    video = UploadMediaOperator(
        task_id="upload", s3_bucket=s3_bucket, s3_key="bad.mp4", media_category="amplify_video"
    ).execute({})
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "GET", "path": STATUS_PATH}]}
    )

    event = first_event(video["media_id"])

    assert event["status"] == "failed"
    with pytest.raises(MediaProcessingError) as caught:
        sensor(video).execute_complete({}, event)
    assert caught.value.media_id == video["media_id"]
    # Media upload spec: v2's processing_info has no error object, so the reason is ours.
    assert caught.value.error == {}
    assert str(caught.value) == f"Media {video['media_id']} processing failed: {NO_PROCESSING_REASON}"
