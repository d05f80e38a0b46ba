"""VideoProcessingSensor(poll_before_defer=...): bounded checks in the worker before deferring.

Through real HTTP against the emulator, on Airflow 3 and 2.10 alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from support.bad_values import BAD_POLL_BEFORE_DEFER
from support.uploads import status_requests

from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor

try:
    from airflow.sdk.exceptions import TaskDeferred
except ImportError:  # Airflow 2.10
    from airflow.exceptions import TaskDeferred  # type: ignore[no-redef]

MEDIA_ID = "1029825579531807971"


def make_sensor(media_id: Any, **kwargs: Any) -> VideoProcessingSensor:
    return VideoProcessingSensor(task_id="wait_for_processing", media_id=media_id, deferrable=True, **kwargs)


def test_short_processing_finishes_in_the_worker(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    ads_api_emulator.update_config(processing_seconds=1.5, check_after_secs=1)
    media = upload_video()
    sensor = make_sensor(media["id"], poke_interval=20, poll_before_defer=10)
    # No TaskDeferred: the result comes back from execute itself.
    assert sensor.execute({}) == {
        "media_id": media["id"],
        "media_key": media["media_key"],
        "state": "succeeded",
        "progress_percent": 100,
    }
    # Checked 1 s apart (the API's hint) until it succeeded at 1.5 s, all in the worker.
    checks = [entry["status"] for entry in status_requests(ads_api_emulator, media["id"])]
    assert checks in ([200, 200], [200, 200, 200]), checks


def test_long_processing_defers_after_the_bounded_time(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    ads_api_emulator.update_config(processing_seconds=60.0, check_after_secs=1)
    media = upload_video()
    sensor = make_sensor(media["id"], poke_interval=20, timeout=600, poll_before_defer=2.5)
    started = time.monotonic()
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({})
    took = time.monotonic() - started
    # Checks at about 0, 1 and 2 s; a check at 3 s would not fit in 2.5 s, so it defers after ~2 s.
    assert len(status_requests(ads_api_emulator, media["id"])) == 3
    assert 1.9 <= took < 2.5 + 1.0, took
    deferred = info.value
    # timeout still counts from the first check: the deferral gets what the worker left of it (the
    # last check started within the 2.5 s window; only its own request time can pass it).
    left = deferred.timeout.total_seconds()
    assert 600 - 3.0 <= left <= 600 - 1.9, left
    assert left >= 600 - took
    assert deferred.trigger.serialize()[1]["first_check_after"] == 1.0


def test_poll_window_never_outlasts_the_timeout(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    ads_api_emulator.update_config(processing_seconds=60.0, check_after_secs=1)
    media = upload_video()
    sensor = make_sensor(media["id"], poke_interval=20, timeout=1.5, poll_before_defer=30)
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({})
    # One extra check at ~1 s; a second would pass the 1.5 s timeout, so the trigger gets the rest.
    assert len(status_requests(ads_api_emulator, media["id"])) == 2
    assert timedelta(0) < info.value.timeout <= timedelta(seconds=0.6)


def test_default_defers_after_one_check(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    ads_api_emulator.update_config(processing_seconds=1.5, check_after_secs=1)
    media = upload_video()
    sensor = make_sensor(media["id"], poke_interval=20, timeout=600)
    assert sensor.poll_before_defer == 0.0
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({})
    assert len(status_requests(ads_api_emulator, media["id"])) == 1
    assert info.value.timeout == timedelta(seconds=600)


@pytest.mark.parametrize(
    ("value", "message"),
    BAD_POLL_BEFORE_DEFER,
)
def test_bad_values_are_refused_when_the_dag_is_parsed(
    ads_api_emulator: AdsApiEmulator, value: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_sensor(MEDIA_ID, poll_before_defer=value)
    assert ads_api_emulator.api_requests() == []
