"""Video and GIF processing after FINALIZE: the state machine on the clock, faults and unrecognized bytes."""

from __future__ import annotations

import time

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.samples import gif, mp4, png
from airflow_provider_twitter_ads.emulator.state import MediaRecord
from airflow_provider_twitter_ads.emulator.upload import PROCESSING_ERROR, refresh_processing

from .upload_client import V2Client, V11Client

STATES = ["pending", "in_progress", "succeeded"]


@pytest.fixture
def v2(ads_api_emulator: AdsApiEmulator) -> V2Client:
    return V2Client(ads_api_emulator)


def _processing_record(fail: bool = False, seconds: float = 10.0) -> MediaRecord:
    return MediaRecord(
        media_id="1",
        media_key="7_1",
        media_category="tweet_video",
        media_type="video/mp4",
        total_bytes=10,
        finalized=True,
        needs_processing=True,
        processing_started_at=1000.0,
        processing_seconds=seconds,
        fail_processing=fail,
    )


@pytest.mark.parametrize(
    ("now", "state", "progress"),
    [
        (1000.0, "pending", 0),
        (1001.9, "pending", 0),
        (1002.0, "in_progress", 20),
        (1005.0, "in_progress", 50),
        (1009.999, "in_progress", 99),
        (1010.0, "succeeded", 100),
        (5000.0, "succeeded", 100),
    ],
)
def test_state_machine_on_the_clock(now: float, state: str, progress: int) -> None:
    record = refresh_processing(_processing_record(), now)
    assert (record.state, record.progress_percent, record.error) == (state, progress, None)


def test_a_finished_state_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    record = refresh_processing(_processing_record(), 1010.0)
    assert refresh_processing(record, 1003.0).state == "succeeded"


def test_failing_processing_ends_failed_with_the_error() -> None:
    record = _processing_record(fail=True)
    assert refresh_processing(record, 1005.0).state == "in_progress"
    refresh_processing(record, 1010.0)
    assert (record.state, record.error) == ("failed", PROCESSING_ERROR)


def test_zero_processing_time_is_done_at_once() -> None:
    assert refresh_processing(_processing_record(seconds=0.0), 1000.0).state == "succeeded"


def test_unfinalized_records_are_left_alone() -> None:
    record = _processing_record()
    record.finalized = False
    assert refresh_processing(record, 5000.0).state == "pending"


# -- over HTTP --------------------------------------------------------------------------------------


def _statuses(emulator: AdsApiEmulator, media_id: str) -> tuple[dict, dict]:
    """STATUS from both API versions: the v2 ``data`` and the v1.1 body."""
    v2_status = V2Client(emulator).status(media_id)
    v11_status = V11Client(emulator).status(media_id)
    assert v2_status.status_code == v11_status.status_code == 200
    return v2_status.json()["data"], v11_status.json()


def _age(emulator: AdsApiEmulator, media_id: str, seconds: float) -> None:
    """Move the record's processing start back, as if ``seconds`` had passed."""
    emulator.state.media_by_id(media_id).processing_started_at -= seconds


def test_status_walks_through_the_states(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=100, check_after_secs=2)
    result = v2.upload(mp4(10_000), "tweet_video", "video/mp4")
    assert result["processing_info"] == {"state": "pending", "progress_percent": 0, "check_after_secs": 2}
    media_id = result["id"]

    _age(ads_api_emulator, media_id, 50)
    v2_data, v11_body = _statuses(ads_api_emulator, media_id)
    info = v2_data["processing_info"]
    assert info["state"] == "in_progress"
    assert 50 <= info["progress_percent"] <= 51
    assert info["check_after_secs"] == 2
    assert v11_body["processing_info"]["state"] == "in_progress"
    assert v11_body["media_key"] == v2_data["media_key"] == f"7_{media_id}"

    _age(ads_api_emulator, media_id, 60)
    v2_data, v11_body = _statuses(ads_api_emulator, media_id)
    assert (
        v2_data["processing_info"]
        == v11_body["processing_info"]
        == {"state": "succeeded", "progress_percent": 100}
    )
    record = ads_api_emulator.state.media_by_id(media_id)
    assert (record.state, record.progress_percent) == ("succeeded", 100)


def test_processing_finishes_in_real_time(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=0.3)
    media_id = v2.upload(gif(2, 2), "dm_gif", "image/gif")["id"]
    seen: list[dict] = []
    for _ in range(500):
        info = v2.status(media_id).json()["data"]["processing_info"]
        seen.append(info)
        if info["state"] not in ("pending", "in_progress"):
            break
        time.sleep(0.02)
    assert seen[-1] == {"state": "succeeded", "progress_percent": 100}
    order = [STATES.index(info["state"]) for info in seen]
    progress = [info["progress_percent"] for info in seen]
    assert order == sorted(order) and progress == sorted(progress)


def test_fail_processing_fault_on_finalize(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=100)
    ads_api_emulator.faults.configure({"scripted": [{"kind": "fail_processing", "path": "/finalize$"}]})
    result = v2.upload(mp4(1000), "amplify_video", "video/mp4")
    assert result["processing_info"]["state"] == "pending"  # the failure shows once processing ends
    assert ads_api_emulator.faults.injected["fail_processing"] == 1
    _age(ads_api_emulator, result["id"], 100)
    v2_data, v11_body = _statuses(ads_api_emulator, result["id"])
    # The v2 spec's processing info has no ``error`` member; v1.1's STATUS reference has one.
    expected = {"state": "failed", "progress_percent": 100}
    assert v2_data["processing_info"] == expected
    assert v11_body["processing_info"] == {**expected, "error": PROCESSING_ERROR}
    assert ads_api_emulator.state.media_by_id(result["id"]).state == "failed"
    # Finalizing again does not undo the failure.
    assert v2.finalize(result["id"]).json()["data"]["processing_info"] == expected


def test_fail_processing_fault_on_a_v11_finalize(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=0)
    # INIT and APPEND are POSTs to the same path: the fault skips them.
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "fail_processing", "method": "POST", "path": "upload.json", "after": 2}]}
    )
    body = V11Client(ads_api_emulator).upload(mp4(1000), "tweet_video", "video/mp4")
    assert body["processing_info"]["state"] == "failed"
    assert body["processing_info"]["error"] == PROCESSING_ERROR


def test_fail_processing_fault_does_not_touch_images(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.faults.configure({"scripted": [{"kind": "fail_processing", "path": "/finalize$"}]})
    result = v2.upload(png(1, 1), "tweet_image", "image/png")
    assert "processing_info" not in result
    assert ads_api_emulator.state.media_by_id(result["id"]).state == "succeeded"


@pytest.mark.parametrize(
    ("category", "media_type", "data", "state"),
    [
        ("tweet_video", "video/mp4", png(4, 4), "failed"),
        ("dm_video", "video/quicktime", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "succeeded"),
        ("amplify_video", "video/mp4", b"\x00" * 100, "failed"),
        ("tweet_gif", "image/gif", png(4, 4), "failed"),
        ("tweet_gif", "image/gif", b"GIF87a" + b"\x00" * 20, "succeeded"),
        ("tweet_video", "video/webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 20, "succeeded"),
        ("tweet_video", "video/webm", mp4(100), "failed"),
        ("amplify_video", "video/mp2t", b"\x47" + b"\x00" * 187, "succeeded"),
    ],
)
def test_bytes_decide_whether_processing_succeeds(
    v2: V2Client, ads_api_emulator: AdsApiEmulator, category: str, media_type: str, data: bytes, state: str
) -> None:
    """A failure is told by ``state`` alone in v2 (no ``error``: the v2 media upload spec)."""
    ads_api_emulator.update_config(processing_seconds=0)
    info = v2.upload(data, category, media_type)["processing_info"]
    assert info["state"] == state
    assert "error" not in info


def test_a_repeated_finalize_reports_processing_as_it_is_now(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=100, check_after_secs=2)
    pending = {"state": "pending", "progress_percent": 0, "check_after_secs": 2}
    for client, id_member in (
        (V2Client(ads_api_emulator), "id"),
        (V11Client(ads_api_emulator), "media_id_string"),
    ):
        first = client.upload(mp4(10_000), "tweet_video", "video/mp4")
        assert first["processing_info"] == pending
        _age(ads_api_emulator, first[id_member], 50)
        info = client.finalized_body(client.finalize(first[id_member]))["processing_info"]
        assert info["state"] == "in_progress"
        assert 50 <= info["progress_percent"] <= 51
