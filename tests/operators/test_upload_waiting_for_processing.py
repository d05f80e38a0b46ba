"""``UploadMediaOperator(wait_for_processing=True)``: one task hands on processed media."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from airflow.sdk.exceptions import TaskDeferred
from support.bad_values import BAD_POLL_BEFORE_DEFER
from support.uploads import SEGMENT

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.exceptions import NO_PROCESSING_REASON, MediaProcessingError
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger


@pytest.fixture
def video_key(twitter_ads_connection: str, aws_connection: str, put_object, s3_bucket: str) -> str:
    put_object("videos/launch.mp4", samples.mp4(3 * SEGMENT + 5), "video/mp4")
    return f"s3://{s3_bucket}/videos/launch.mp4"


def _operator(s3_uri: str, **kwargs: Any) -> UploadMediaOperator:
    return UploadMediaOperator(
        task_id="upload",
        s3_uri=s3_uri,
        media_category=kwargs.pop("media_category", "amplify_video"),
        segment_bytes=SEGMENT,
        wait_for_processing=True,
        poll_interval=1.0,
        min_poll_interval=0.2,
        **kwargs,
    )


def _status_requests(emulator: AdsApiEmulator) -> list[dict[str, Any]]:
    return [r for r in emulator.api_requests("GET", "/media/upload") if r["query"].get("command") == "STATUS"]


def test_waits_in_the_worker_until_processing_succeeds(
    ads_api_emulator: AdsApiEmulator, video_key: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=0.6, check_after_secs=1)
    result = _operator(video_key, deferrable=False).execute(context={})

    assert result["processing_info"] == {"state": "succeeded", "progress_percent": 100}
    assert ads_api_emulator.state.media[result["media_key"]].state == "succeeded"
    assert len(_status_requests(ads_api_emulator)) >= 1


def test_failed_processing_names_the_media_and_the_api_error(
    ads_api_emulator: AdsApiEmulator, video_key: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=0.3)
    ads_api_emulator.faults.configure({"scripted": [{"kind": "fail_processing", "path": "finalize"}]})
    with pytest.raises(MediaProcessingError) as info:
        _operator(video_key, deferrable=False).execute(context={})

    (record,) = ads_api_emulator.state.media.values()
    assert info.value.media_id == record.media_id
    # Media upload spec: v2's processing_info has no error object, so the reason is ours.
    assert str(info.value) == f"Media {record.media_id} processing failed: {NO_PROCESSING_REASON}"


def test_processing_timeout_fails_clearly(ads_api_emulator: AdsApiEmulator, video_key: str) -> None:
    ads_api_emulator.update_config(processing_seconds=30)
    with pytest.raises(TimeoutError, match=r"still (pending|in_progress) after 0.5 s"):
        _operator(video_key, deferrable=False, processing_timeout=0.5).execute(context={})


def test_deferrable_hands_the_wait_to_the_trigger_and_resumes_with_the_upload(
    ads_api_emulator: AdsApiEmulator, video_key: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=0.6, check_after_secs=1)
    operator = _operator(video_key, deferrable=True)
    with pytest.raises(TaskDeferred) as info:
        operator.execute(context={})

    deferred = info.value
    assert deferred.method_name == "execute_complete"
    uploaded = deferred.kwargs["uploaded"]
    assert isinstance(deferred.trigger, VideoProcessingTrigger)
    assert deferred.trigger.serialize()[1]["media_id"] == uploaded["media_id"]

    async def first_event() -> dict[str, Any]:
        async for event in deferred.trigger.run():
            return event.payload
        raise AssertionError("the trigger fired no event")

    event = asyncio.run(first_event())
    result = operator.execute_complete(context={}, event=event, uploaded=uploaded)
    assert result == {**uploaded, "processing_info": {"state": "succeeded", "progress_percent": 100}}


def test_an_image_needs_no_wait(
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    aws_connection: str,
    put_object,
    s3_bucket: str,
) -> None:
    put_object("banners/banner.png", samples.png(320, 50), "image/png")
    result = _operator(
        f"s3://{s3_bucket}/banners/banner.png", media_category="tweet_image", deferrable=True
    ).execute(context={})

    assert result["processing_info"] is None
    assert (result["width"], result["height"]) == (320, 50)
    assert _status_requests(ads_api_emulator) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"poll_interval": 0.1, "min_poll_interval": 1.0}, "min_poll_interval"),
        ({"processing_timeout": 0}, "processing_timeout"),
    ],
)
def test_bad_wait_settings_fail_when_the_dag_is_parsed(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UploadMediaOperator(
            task_id="upload",
            s3_uri="s3://bucket/video.mp4",
            media_category="amplify_video",
            wait_for_processing=True,
            **kwargs,
        )


def test_poll_before_defer_lets_short_processing_finish_in_the_worker(
    ads_api_emulator: AdsApiEmulator, video_key: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=1.5, check_after_secs=1)
    # No TaskDeferred: the result comes back from execute itself.
    result = _operator(video_key, deferrable=True, poll_before_defer=10).execute(context={})

    assert result["processing_info"] == {"state": "succeeded", "progress_percent": 100}
    assert ads_api_emulator.state.media[result["media_key"]].state == "succeeded"
    # FINALIZE's answer is the first check; STATUS follows 1 s apart (the API's hint) until 1.5 s.
    assert [r["status"] for r in _status_requests(ads_api_emulator)] in ([200, 200], [200, 200, 200])


def test_poll_before_defer_then_defers_with_the_rest_of_the_timeout(
    ads_api_emulator: AdsApiEmulator, video_key: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=60.0, check_after_secs=1)
    operator = _operator(video_key, deferrable=True, poll_before_defer=2.5, processing_timeout=600)
    with pytest.raises(TaskDeferred) as info:
        operator.execute(context={})

    # Checks at about 1 and 2 s after FINALIZE; one at 3 s would not fit in 2.5 s, so it defers.
    assert len(_status_requests(ads_api_emulator)) == 2
    deferred = info.value
    left = deferred.timeout.total_seconds()
    assert 600 - 3.0 <= left <= 600 - 1.9, left
    assert deferred.trigger.serialize()[1]["first_check_after"] == 1.0
    uploaded = deferred.kwargs["uploaded"]
    assert deferred.trigger.serialize()[1]["media_id"] == uploaded["media_id"]
    assert ads_api_emulator.state.media[uploaded["media_key"]].state != "succeeded"


def test_poll_before_defer_never_outlasts_the_processing_timeout(
    ads_api_emulator: AdsApiEmulator, video_key: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=60.0, check_after_secs=1)
    operator = _operator(video_key, deferrable=True, poll_before_defer=30, processing_timeout=1.5)
    with pytest.raises(TaskDeferred) as info:
        operator.execute(context={})

    # One check at ~1 s; a second would pass the 1.5 s timeout, so the trigger gets the rest.
    assert len(_status_requests(ads_api_emulator)) == 1
    assert timedelta(0) < info.value.timeout <= timedelta(seconds=0.6)


def test_poll_before_defer_defaults_to_deferring_at_once(
    ads_api_emulator: AdsApiEmulator, video_key: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=1.5, check_after_secs=1)
    operator = _operator(video_key, deferrable=True, processing_timeout=600)
    assert operator.poll_before_defer == 0.0
    with pytest.raises(TaskDeferred) as info:
        operator.execute(context={})

    assert _status_requests(ads_api_emulator) == []
    assert info.value.timeout == timedelta(seconds=600)


@pytest.mark.parametrize(
    ("value", "message"),
    BAD_POLL_BEFORE_DEFER,
)
def test_bad_poll_before_defer_fails_when_the_dag_is_parsed(
    ads_api_emulator: AdsApiEmulator, value: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _operator("s3://bucket/video.mp4", deferrable=True, poll_before_defer=value)
    assert ads_api_emulator.api_requests() == []
