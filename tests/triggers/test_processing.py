"""VideoProcessingTrigger against the emulator over real HTTP, run under asyncio."""

from __future__ import annotations

import importlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from support.uploads import NOT_A_VIDEO, TINY_PNG, status_requests

from airflow_provider_twitter_ads.compat import TriggerEvent
from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import (
    NO_PROCESSING_REASON,
    AdsApiNotFoundError,
    AdsApiUnauthorizedError,
    rebuild_error,
)
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger

UNKNOWN_MEDIA_ID = "1029825579531000000"


async def run_trigger(trigger: VideoProcessingTrigger) -> list[TriggerEvent]:
    """Every event the trigger yields until run() returns."""
    return [event async for event in trigger.run()]


@pytest.fixture(autouse=True)
def _quick_processing(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=1.0, check_after_secs=1)


class TestSerialize:
    def test_round_trip(self) -> None:
        trigger = VideoProcessingTrigger(
            "1029825579531807971",
            twitter_ads_conn_id="ads_prod",
            min_poll_interval=2,
            max_poll_interval=30,
            upload_api="v1.1",
            first_check_after=5,
        )
        classpath, kwargs = trigger.serialize()
        assert classpath == "airflow_provider_twitter_ads.triggers.processing.VideoProcessingTrigger"
        module, _, name = classpath.rpartition(".")
        rebuilt = getattr(importlib.import_module(module), name)(**kwargs)
        assert rebuilt.serialize() == (classpath, kwargs)
        assert kwargs == {
            "media_id": "1029825579531807971",
            "twitter_ads_conn_id": "ads_prod",
            "min_poll_interval": 2.0,
            "max_poll_interval": 30.0,
            "upload_api": "v1.1",
            "first_check_after": 5.0,
        }
        # JSON-safe, as the triggerer stores it.
        assert json.loads(json.dumps(kwargs)) == kwargs

    def test_holds_no_secret(self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str) -> None:
        trigger = VideoProcessingTrigger("1029825579531807971", twitter_ads_conn_id=twitter_ads_connection)
        text = json.dumps(trigger.serialize()) + repr(trigger)
        config = ads_api_emulator.config
        for secret in (config.consumer_secret, config.access_token_secret, config.access_token):
            assert secret not in text

    def test_accepts_the_upload_dict(self) -> None:
        trigger = VideoProcessingTrigger(
            {"media_id": "1029825579531807971", "media_key": "7_1029825579531807971"}
        )
        assert trigger.serialize()[1]["media_id"] == "1029825579531807971"

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"media_id": "12"}, ValueError, "19-digit"),
            ({"media_id": None}, TypeError, "media_id must be"),
            ({"min_poll_interval": 10, "max_poll_interval": 5}, ValueError, "min_poll_interval"),
            ({"max_poll_interval": 0}, ValueError, "max_poll_interval must be a positive"),
            ({"first_check_after": -1}, ValueError, "first_check_after"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
        arguments = {"media_id": "1029825579531807971", **kwargs}
        with pytest.raises(error, match=message):
            VideoProcessingTrigger(**arguments)


async def test_video_succeeds_with_one_event(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video()
    events = await run_trigger(VideoProcessingTrigger(media["id"], max_poll_interval=5))
    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "success"
    assert payload["media_id"] == media["id"]
    assert payload["status_payload"] == {
        "media_id": media["id"],
        "media_key": media["media_key"],
        "processing_info": {"state": "succeeded", "progress_percent": 100},
    }
    checks = status_requests(ads_api_emulator, media["id"])
    # Processing takes 1 s and the API asks to wait 1 s: at most one check before the final one.
    assert 2 <= len(checks) <= 3
    gaps = [later["time"] - earlier["time"] for earlier, later in itertools.pairwise(checks)]
    assert all(gap >= 0.95 for gap in gaps), gaps


async def test_first_check_after_delays_the_first_request(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video()
    events = await run_trigger(VideoProcessingTrigger(media["id"], first_check_after=1.2))
    assert events[0].payload["status"] == "success"
    # The sensor already checked before deferring; after waiting the hint the media is done.
    assert len(status_requests(ads_api_emulator, media["id"])) == 1


async def test_image_is_done_at_once(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    events = await run_trigger(VideoProcessingTrigger(media["id"]))
    assert [event.payload["status"] for event in events] == ["success"]
    assert events[0].payload["status_payload"]["processing_info"] is None
    assert len(status_requests(ads_api_emulator, media["id"])) == 1


async def test_failed_processing_keeps_the_api_error(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    ads_api_emulator.faults.configure({"scripted": [{"kind": "fail_processing", "path": r"/finalize$"}]})
    media = upload_video()
    events = await run_trigger(VideoProcessingTrigger(media["id"]))
    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "failed"
    # Media upload spec: v2's processing_info has no error object; the provider says so.
    assert payload["message"] == f"Media {media['id']} processing failed: {NO_PROCESSING_REASON}"
    assert payload["status_payload"]["processing_info"]["state"] == "failed"
    assert "error" not in payload["status_payload"]["processing_info"]


async def test_failed_processing_keeps_the_v11_error(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, upload_video: Callable[..., dict]
) -> None:
    # STATUS reference (v1.1): processing_info.error names the failure.
    connection = ads_api_emulator.airflow_connection(upload_api="v1.1")
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_V11", json.dumps(connection))
    media = upload_video(NOT_A_VIDEO)
    events = await run_trigger(VideoProcessingTrigger(media["id"], twitter_ads_conn_id="twitter_ads_v11"))
    payload = events[0].payload
    assert payload["status"] == "failed"
    assert (
        payload["message"]
        == f"Media {media['id']} processing failed: InvalidMedia (1): Unsupported video format"
    )


async def test_bytes_that_are_not_a_video_fail(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(NOT_A_VIDEO)
    events = await run_trigger(VideoProcessingTrigger(media["id"]))
    assert events[0].payload["status"] == "failed"
    assert events[0].payload["message"] == f"Media {media['id']} processing failed: {NO_PROCESSING_REASON}"


async def test_unknown_media_id_is_an_error_event(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    events = await run_trigger(VideoProcessingTrigger(UNKNOWN_MEDIA_ID))
    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "error"
    assert f"media {UNKNOWN_MEDIA_ID} is unknown to the upload API" in payload["message"]
    error = rebuild_error(payload["error"])
    assert isinstance(error, AdsApiNotFoundError)
    assert error.status_code == 404
    assert str(error) == payload["message"]
    # Not an endless wait: one check, no retries of a 404.
    assert len(status_requests(ads_api_emulator, UNKNOWN_MEDIA_ID)) == 1


async def test_v1_upload_api(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video()
    events = await run_trigger(VideoProcessingTrigger(media["id"], upload_api="v1.1"))
    assert events[0].payload["status"] == "success"
    assert events[0].payload["status_payload"]["media_key"] == media["media_key"]
    assert {entry["path"] for entry in status_requests(ads_api_emulator, media["id"])} == {
        "/1.1/media/upload.json"
    }


async def test_transient_errors_and_rate_limits_are_retried(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video()
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {
                    "kind": "error",
                    "options": {"status": 503},
                    "method": "GET",
                    "path": "media/upload",
                    "times": 1,
                },
                {"kind": "html_error", "method": "GET", "path": "media/upload", "times": 1},
                {
                    "kind": "rate_limit",
                    "options": {"reset_in": 1},
                    "method": "GET",
                    "path": "media/upload",
                    "times": 1,
                },
            ]
        }
    )
    events = await run_trigger(VideoProcessingTrigger(media["id"]))
    assert events[0].payload["status"] == "success"
    assert dict(ads_api_emulator.faults.injected) == {"error": 1, "html_error": 1, "rate_limit": 1}
    statuses = [entry["status"] for entry in status_requests(ads_api_emulator, media["id"])]
    assert statuses[:3] == [503, 502, 429]
    assert statuses[-1] == 200


async def test_rate_limit_retry_waits_for_the_reset(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "rate_limit", "options": {"reset_in": 1.5}, "path": "media/upload", "times": 1}
            ]
        }
    )
    events = await run_trigger(VideoProcessingTrigger(media["id"]))
    assert events[0].payload["status"] == "success"
    limited, retried = status_requests(ads_api_emulator, media["id"])
    assert (limited["status"], retried["status"]) == (429, 200)
    # The retry was not sent before the reset the 429 announced.
    assert retried["time"] >= limited["time"] + 1.4


async def test_bad_credentials_are_an_error_event_without_secrets(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = ads_api_emulator.airflow_connection(access_token_secret="wrong-secret-value-1234")
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_BAD", json.dumps(connection))
    events = await run_trigger(
        VideoProcessingTrigger(UNKNOWN_MEDIA_ID, twitter_ads_conn_id="twitter_ads_bad")
    )
    payload = events[0].payload
    assert payload["status"] == "error"
    assert isinstance(rebuild_error(payload["error"]), AdsApiUnauthorizedError)
    # Media upload spec: a v2 401 is an about:blank problem, its code the status phrase.
    assert "401 UNAUTHORIZED: " in payload["message"]
    text = json.dumps(payload)
    assert "wrong-secret-value-1234" not in text
    assert ads_api_emulator.config.consumer_secret not in text


async def test_invalid_connection_is_an_error_event(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = ads_api_emulator.airflow_connection(timeout=-3)
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_BROKEN", json.dumps(connection))
    events = await run_trigger(
        VideoProcessingTrigger(UNKNOWN_MEDIA_ID, twitter_ads_conn_id="twitter_ads_broken")
    )
    payload = events[0].payload
    assert payload["status"] == "error"
    assert payload["error"]["type"] == "ValueError"
    assert "timeout must be a positive number" in payload["message"]
    assert ads_api_emulator.api_requests() == []
