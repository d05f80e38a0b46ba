"""VideoProcessingSensor in poke, reschedule and deferrable mode against the emulator over real HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from airflow.sdk.bases.operator import TriggerFailureReason
from airflow.sdk.exceptions import (
    AirflowRescheduleException,
    AirflowSensorTimeout,
    AirflowSkipException,
    TaskDeferred,
)
from support.uploads import TINY_PNG, status_requests

from airflow_provider_twitter_ads.compat import AirflowException, conf
from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import (
    NO_PROCESSING_REASON,
    AdsApiNotFoundError,
    AdsApiServerError,
    MediaProcessingError,
)
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger

UNKNOWN_MEDIA_ID = "1029825579531000000"
# The media upload spec's v2 processing_info has no error object: a failure says only "failed".
FAILED_MESSAGE = f"processing failed: {NO_PROCESSING_REASON}"


class RescheduleTaskInstance:
    """The one thing reschedule mode asks of the task instance: when the first try started."""

    def __init__(self) -> None:
        self.first_reschedule_date: datetime | None = None

    def get_first_reschedule_date(self, context: Any) -> datetime | None:
        return self.first_reschedule_date


@pytest.fixture(autouse=True)
def _quick_processing(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=1.0, check_after_secs=1)


def make_sensor(media_id: Any, **kwargs: Any) -> VideoProcessingSensor:
    return VideoProcessingSensor(task_id="wait_for_processing", media_id=media_id, **kwargs)


def trigger_events(trigger: VideoProcessingTrigger) -> list[dict[str, Any]]:
    async def collect() -> list[dict[str, Any]]:
        return [event.payload async for event in trigger.run()]

    return asyncio.run(collect())


def expected_result(media: dict[str, Any]) -> dict[str, Any]:
    return {
        "media_id": media["id"],
        "media_key": media["media_key"],
        "state": "succeeded",
        "progress_percent": 100,
    }


class TestPokeMode:
    def test_reaches_succeeded(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video()
        sensor = make_sensor(media["id"], poke_interval=30)
        assert sensor.execute({}) == expected_result(media)
        checks = status_requests(ads_api_emulator, media["id"])
        # The API's check_after_secs (1 s), not the 30 s cap, set the wait between checks.
        assert 2 <= len(checks) <= 3
        assert sensor.poke_interval == 1.0
        assert sensor.max_poke_interval == 30.0

    def test_accepts_the_upload_operator_dict(
        self, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video()
        upload_result = {
            "media_id": media["id"],
            "media_key": media["media_key"],
            "media_category": "tweet_video",
        }
        assert make_sensor(upload_result).execute({}) == expected_result(media)

    def test_image_returns_at_once(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
        assert make_sensor(media["id"]).execute({}) == expected_result(media)
        assert len(status_requests(ads_api_emulator, media["id"])) == 1

    def test_failed_processing_raises_with_the_api_error(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        ads_api_emulator.faults.configure({"scripted": [{"kind": "fail_processing", "path": r"/finalize$"}]})
        media = upload_video()
        # soft_fail skips on timeout only: a failed processing is a failure.
        with pytest.raises(MediaProcessingError) as info:
            make_sensor(media["id"], soft_fail=True).execute({})
        assert str(info.value) == f"Media {media['id']} {FAILED_MESSAGE}"
        assert info.value.media_id == media["id"]
        assert info.value.error == {}

    def test_unknown_media_id_fails_at_the_first_check(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
    ) -> None:
        with pytest.raises(
            AdsApiNotFoundError, match=f"media {UNKNOWN_MEDIA_ID} is unknown to the upload API"
        ):
            make_sensor(UNKNOWN_MEDIA_ID).execute({})
        assert len(status_requests(ads_api_emulator, UNKNOWN_MEDIA_ID)) == 1

    def test_timeout(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        ads_api_emulator.update_config(processing_seconds=60.0)
        media = upload_video()
        with pytest.raises(AirflowSensorTimeout, match="timed out"):
            make_sensor(media["id"], timeout=1.5).execute({})

    def test_timeout_with_soft_fail_skips(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        ads_api_emulator.update_config(processing_seconds=60.0)
        media = upload_video()
        with pytest.raises(AirflowSkipException):
            make_sensor(media["id"], timeout=1.5, soft_fail=True).execute({})

    def test_transient_errors_and_rate_limits_while_polling(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video()
        ads_api_emulator.faults.configure(
            {
                "scripted": [
                    {"kind": "error", "options": {"status": 503}, "method": "GET", "path": "media/upload"},
                    {
                        "kind": "rate_limit",
                        "options": {"reset_in": 1},
                        "method": "GET",
                        "path": "media/upload",
                    },
                    {"kind": "error", "options": {"status": 500}, "method": "GET", "path": "media/upload"},
                ]
            }
        )
        assert make_sensor(media["id"]).execute({}) == expected_result(media)
        assert dict(ads_api_emulator.faults.injected) == {"error": 2, "rate_limit": 1}
        statuses = [entry["status"] for entry in status_requests(ads_api_emulator, media["id"])]
        assert statuses[:3] == [503, 429, 500]
        assert statuses[-1] == 200

    def test_persistent_server_errors_fail_with_the_api_error(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video()
        ads_api_emulator.faults.configure(
            {
                "scripted": [
                    {"kind": "error", "options": {"status": 503}, "path": "media/upload", "times": 100}
                ]
            }
        )
        sensor = make_sensor(media["id"])
        sensor.hook.retry_settings = type(sensor.hook.retry_settings)(max_attempts=2, backoff_base=0.01)
        with pytest.raises(AdsApiServerError, match="503 SERVICE_UNAVAILABLE"):
            sensor.execute({})
        assert len(status_requests(ads_api_emulator, media["id"])) == 2


class TestRescheduleMode:
    def test_reschedules_after_the_api_wait_then_succeeds(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video()
        ti = RescheduleTaskInstance()
        first = make_sensor(media["id"], mode="reschedule", poke_interval=120)
        before = datetime.now(timezone.utc)
        with pytest.raises(AirflowRescheduleException) as info:
            first.execute({"ti": ti})
        wait = (info.value.reschedule_date - before).total_seconds()
        # check_after_secs (1 s) decided the reschedule date, not the 120 s cap.
        assert 0.9 <= wait < 60, wait
        ti.first_reschedule_date = before
        # The worker runs the task again at the reschedule date with a fresh operator.
        time.sleep(max(0.0, (info.value.reschedule_date - datetime.now(timezone.utc)).total_seconds()))
        second = make_sensor(media["id"], mode="reschedule", poke_interval=120)
        assert second.execute({"ti": ti}) == expected_result(media)

    def test_min_poke_interval_raises_the_floor(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        ads_api_emulator.update_config(processing_seconds=60.0)
        media = upload_video()
        sensor = make_sensor(media["id"], mode="reschedule", poke_interval=300, min_poke_interval=45)
        before = datetime.now(timezone.utc)
        with pytest.raises(AirflowRescheduleException) as info:
            sensor.execute({"ti": RescheduleTaskInstance()})
        # The 45 s floor, not the API's 1 s hint nor the 300 s cap.
        assert 44 <= (info.value.reschedule_date - before).total_seconds() < 120

    def test_timeout_from_the_first_try(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        ads_api_emulator.update_config(processing_seconds=60.0)
        media = upload_video()
        ti = RescheduleTaskInstance()
        ti.first_reschedule_date = datetime.now(timezone.utc) - timedelta(minutes=10)
        with pytest.raises(AirflowSensorTimeout):
            make_sensor(media["id"], mode="reschedule", timeout=300).execute({"ti": ti})


class TestDeferrableMode:
    def test_defers_then_completes(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video()
        sensor = make_sensor(media["id"], deferrable=True, poke_interval=20, timeout=600)
        with pytest.raises(TaskDeferred) as info:
            sensor.execute({})
        deferred = info.value
        assert deferred.method_name == "execute_complete"
        assert deferred.timeout == timedelta(seconds=600)
        trigger = deferred.trigger
        assert isinstance(trigger, VideoProcessingTrigger)
        assert trigger.serialize()[1] == {
            "media_id": media["id"],
            "twitter_ads_conn_id": "twitter_ads_default",
            "min_poll_interval": 1.0,
            "max_poll_interval": 20.0,
            "upload_api": None,
            "first_check_after": 1.0,
        }
        events = trigger_events(trigger)
        assert len(events) == 1
        result = sensor.resume_execution(deferred.method_name, {"event": events[0]}, {})
        assert result == expected_result(media)
        # One check in the worker, then the trigger's: waits of 1 s apart.
        assert 2 <= len(status_requests(ads_api_emulator, media["id"])) <= 3

    def test_finished_media_does_not_defer(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
        assert make_sensor(media["id"], deferrable=True).execute({}) == expected_result(media)

    def test_failed_processing_raises_the_same_error_as_poke_mode(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        ads_api_emulator.faults.configure({"scripted": [{"kind": "fail_processing", "path": r"/finalize$"}]})
        media = upload_video()
        sensor = make_sensor(media["id"], deferrable=True, soft_fail=True)
        with pytest.raises(TaskDeferred) as info:
            sensor.execute({})
        (event,) = trigger_events(info.value.trigger)
        assert event["status"] == "failed"
        # soft_fail does not turn the API's failure into a skip after deferral either.
        with pytest.raises(MediaProcessingError) as failed:
            sensor.resume_execution("execute_complete", {"event": event}, {})
        assert str(failed.value) == f"Media {media['id']} {FAILED_MESSAGE}"

    def test_unknown_media_id_fails_before_deferring(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
    ) -> None:
        with pytest.raises(AdsApiNotFoundError):
            make_sensor(UNKNOWN_MEDIA_ID, deferrable=True).execute({})

    def test_trigger_timeout_is_a_sensor_timeout(self) -> None:
        sensor = make_sensor(UNKNOWN_MEDIA_ID, deferrable=True)
        with pytest.raises(AirflowSensorTimeout):
            sensor.resume_execution("__fail__", {"error": TriggerFailureReason.TRIGGER_TIMEOUT}, {})

    def test_trigger_timeout_with_soft_fail_skips(self) -> None:
        sensor = make_sensor(UNKNOWN_MEDIA_ID, deferrable=True, soft_fail=True)
        with pytest.raises(AirflowSkipException):
            sensor.resume_execution("__fail__", {"error": TriggerFailureReason.TRIGGER_TIMEOUT}, {})

    def test_deferrable_defaults_to_the_airflow_setting(self) -> None:
        expected = conf.getboolean("operators", "default_deferrable", fallback=False)
        assert make_sensor(UNKNOWN_MEDIA_ID).deferrable is expected


class TestExecuteComplete:
    media_id = "1029825579531807971"

    def test_success(self) -> None:
        event = {
            "status": "success",
            "media_id": self.media_id,
            "message": "done",
            "status_payload": {
                "media_id": self.media_id,
                "media_key": f"7_{self.media_id}",
                "processing_info": {"state": "succeeded", "progress_percent": 100},
            },
        }
        assert make_sensor(self.media_id).execute_complete({}, event) == {
            "media_id": self.media_id,
            "media_key": f"7_{self.media_id}",
            "state": "succeeded",
            "progress_percent": 100,
        }

    def test_failed(self) -> None:
        event = {
            "status": "failed",
            "media_id": self.media_id,
            "message": "failed",
            "status_payload": {
                "media_id": self.media_id,
                "media_key": f"7_{self.media_id}",
                "processing_info": {
                    "state": "failed",
                    "progress_percent": 100,
                    "error": {"code": 3, "name": "InvalidMedia", "message": "Video too long"},
                },
            },
        }
        with pytest.raises(
            MediaProcessingError, match=r"Media \d+ processing failed: InvalidMedia \(3\): Video too long"
        ):
            make_sensor(self.media_id).execute_complete({}, event)

    def test_error_keeps_the_api_error(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
    ) -> None:
        (event,) = trigger_events(VideoProcessingTrigger(UNKNOWN_MEDIA_ID))
        with pytest.raises(AdsApiNotFoundError) as info:
            make_sensor(UNKNOWN_MEDIA_ID, soft_fail=True).resume_execution(
                "execute_complete", {"event": event}, {}
            )
        assert info.value.status_code == 404
        assert str(info.value) == event["message"]

    def test_error_that_is_not_an_api_error(self) -> None:
        event = {
            "status": "error",
            "media_id": self.media_id,
            "message": "Connection 'x': timeout must be positive",
            "error": {"type": "ValueError", "message": "Connection 'x': timeout must be positive"},
        }
        with pytest.raises(AirflowException, match=r"^ValueError: Connection 'x': timeout must be positive$"):
            make_sensor(self.media_id).execute_complete({}, event)

    def test_unexpected_event(self) -> None:
        with pytest.raises(AirflowException, match="Unexpected event"):
            make_sensor(self.media_id).execute_complete({}, {"status": "mystery"})

    def test_never_fail_still_skips(self) -> None:
        with pytest.raises(AirflowSkipException):
            make_sensor(self.media_id, never_fail=True).resume_execution(
                "execute_complete", {"event": {"status": "mystery"}}, {}
            )


class TestArguments:
    def test_literal_bad_media_id_fails_when_the_dag_is_parsed(self) -> None:
        with pytest.raises(ValueError, match="media_id must be a 19-digit numeric media id"):
            make_sensor("7_1029825579531807971")

    def test_dict_without_media_id(self) -> None:
        with pytest.raises(ValueError, match="without a 'media_id' key"):
            make_sensor({"media_key": "7_1029825579531807971"})

    def test_none_media_id(self) -> None:
        with pytest.raises(TypeError, match="media_id must be a media id"):
            make_sensor(None)

    def test_template_is_checked_after_rendering(
        self, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
    ) -> None:
        sensor = make_sensor("{{ params.media }}")
        sensor.render_template_fields({"params": {"media": "not-an-id"}})
        assert sensor.media_id == "not-an-id"
        with pytest.raises(ValueError, match="'not-an-id'"):
            sensor.execute({})
        assert ads_api_emulator.api_requests() == []

    def test_template_renders_to_the_id(
        self, twitter_ads_connection: str, upload_video: Callable[..., dict]
    ) -> None:
        media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
        sensor = make_sensor("{{ params.upload['media_id'] }}")
        sensor.render_template_fields({"params": {"upload": {"media_id": media["id"]}}})
        assert sensor.execute({}) == expected_result(media)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"min_poke_interval": 90, "poke_interval": 60}, r"min_poke_interval \(90\) must not be greater"),
            ({"min_poke_interval": 0}, "min_poke_interval must be a positive number"),
            ({"poke_interval": 0}, "poke_interval must be a positive number"),
            ({"upload_api": "v3"}, "upload_api must be 'v2', 'v1.1' or None"),
        ],
    )
    def test_bad_wait_settings(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            make_sensor("1029825579531807971", **kwargs)

    def test_no_connection_is_read_at_construction(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", raising=False)
        sensor = make_sensor("1029825579531807971", twitter_ads_conn_id="does_not_exist")
        assert "hook" not in vars(sensor)

    def test_templated_fields_are_only_the_media_id(self) -> None:
        assert tuple(VideoProcessingSensor.template_fields) == ("media_id",)


def test_return_value_is_json_for_xcom(
    twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    result = make_sensor(media["id"]).execute({})
    assert json.loads(json.dumps(result)) == result
