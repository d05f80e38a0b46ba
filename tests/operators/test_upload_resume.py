"""``UploadMediaOperator`` resuming after its worker died, from moto S3 into the emulator over HTTP.

A worker "dies" at segment k (``support.worker_death``); a fresh operator instance with the same
task state store (``DictStore``) is the retry. The emulator's request log says what was sent.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from support.task_state import DictStore
from support.uploads import SEGMENT, media_records, status_requests
from support.worker_death import WorkerDied, dying_reader

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.exceptions import MediaUploadError
from airflow_provider_twitter_ads.operators import upload as upload_module
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.utils.task_state import KEY_PREFIX
from airflow_provider_twitter_ads.utils.upload_resume import RECORD_KEY

SEGMENTS = 40
KEY = "clips/resume.mp4"
STORE_KEY = KEY_PREFIX + RECORD_KEY


class CountingStore(DictStore):
    """A ``DictStore`` that counts its writes."""

    def __init__(self) -> None:
        super().__init__()
        self.sets = 0

    def set(self, key: str, value: Any) -> None:
        self.sets += 1
        super().set(key, value)


@pytest.fixture
def connections(twitter_ads_connection: str, aws_connection: str) -> None:
    """Both connections point at the local servers."""


@pytest.fixture
def video(connections: None, put_object) -> bytes:
    data = samples.mp4(SEGMENTS * SEGMENT - 123, seed=15)
    put_object(KEY, data, "video/mp4")
    return data


def _operator(bucket: str, **kwargs: Any) -> UploadMediaOperator:
    settings = {"segment_bytes": SEGMENT, "max_parallel_segments": 1, **kwargs}
    return UploadMediaOperator(
        task_id="upload", s3_bucket=bucket, s3_key=KEY, media_category="amplify_video", **settings
    )


def _die_at(monkeypatch: pytest.MonkeyPatch, bucket: str, segment: int, context: dict, **kwargs: Any) -> None:
    """Run the operator until its worker dies at ``segment``; the real reader is back afterwards."""
    with monkeypatch.context() as patch:
        patch.setattr(upload_module, "S3RangeReader", dying_reader(segment, SEGMENT))
        with pytest.raises(WorkerDied):
            _operator(bucket, **kwargs).execute(context=context)


def _sent(emulator: AdsApiEmulator) -> dict[str, int]:
    appends = emulator.api_requests("POST", "/append")
    # A dying worker's APPEND in flight reaches the API cut short (and is refused): not counted here.
    return {
        "init": len(emulator.api_requests("POST", "/initialize")),
        "append": sum(entry["status"] is not None and entry["status"] < 300 for entry in appends),
        "append_bytes": sum(entry["bytes_in"] for entry in appends),
        "finalize": len(emulator.api_requests("POST", "/finalize")),
    }


def _sha256(emulator: AdsApiEmulator, media_key: str) -> str | None:
    with emulator.state.lock:
        return emulator.state.media[media_key].sha256


@pytest.mark.parametrize("parallel", [1, 4])
def test_a_retry_after_the_worker_died_continues_the_same_session(
    ads_api_emulator: AdsApiEmulator,
    video: bytes,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    parallel: int,
) -> None:
    store = CountingStore()
    _die_at(
        monkeypatch, s3_bucket, SEGMENTS // 2, {"task_state_store": store}, max_parallel_segments=parallel
    )
    recorded = store.values[STORE_KEY]
    assert _sent(ads_api_emulator)["init"] == 1
    # Every segment before the death was appended; the record lags by at most one write step (4).
    assert SEGMENTS // 2 - 4 <= recorded["done_prefix"] <= SEGMENTS // 2
    assert recorded["finalized"] is False

    with caplog.at_level(logging.INFO):
        result = _operator(s3_bucket, max_parallel_segments=parallel).execute(
            context={"task_state_store": store}
        )

    sent = _sent(ads_api_emulator)
    assert (sent["init"], sent["finalize"]) == (1, 1)
    assert sent["append_bytes"] <= 1.6 * len(video)
    # Each segment at least once; those the record already had, never twice.
    assert SEGMENTS <= sent["append"] <= SEGMENTS + 4
    assert result["media_id"] == recorded["media_id"]
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(video)
    assert f"Resuming upload session {recorded['media_id']}: {recorded['done_prefix']} of 40" in caplog.text
    # One write after INIT, one per 4 new segments at most, one after FINALIZE.
    assert store.sets <= 1 + SEGMENTS // 4 + 1
    assert store.values[STORE_KEY]["finalized"] is True


def test_a_retry_after_finalize_goes_straight_to_status(
    ads_api_emulator: AdsApiEmulator, video: bytes, s3_bucket: str
) -> None:
    store = DictStore()
    first = _operator(s3_bucket).execute(context={"task_state_store": store})
    before = _sent(ads_api_emulator)

    again = _operator(s3_bucket).execute(context={"task_state_store": store})

    assert _sent(ads_api_emulator) == before
    assert len(status_requests(ads_api_emulator, first["media_id"])) == 1
    assert (again["media_id"], again["media_key"], again["total_bytes"]) == (
        first["media_id"],
        first["media_key"],
        len(video),
    )
    assert again["processing_info"]["state"] in ("pending", "in_progress", "succeeded")


def test_an_expiring_session_starts_fresh_and_says_why(
    ads_api_emulator: AdsApiEmulator,
    video: bytes,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Within the safety margin (600 s): not worth resuming.
    ads_api_emulator.update_config(upload_expires_after_secs=60)
    store = DictStore()
    _die_at(monkeypatch, s3_bucket, 30, {"task_state_store": store})
    first_id = store.values[STORE_KEY]["media_id"]

    with caplog.at_level(logging.INFO):
        result = _operator(s3_bucket).execute(context={"task_state_store": store})

    sent = _sent(ads_api_emulator)
    assert (sent["init"], sent["append"], sent["finalize"]) == (2, 30 + SEGMENTS, 1)
    assert result["media_id"] != first_id
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(video)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Not resuming")]
    assert f"upload session {first_id} expires in " in line and "starting a fresh upload" in line


def test_a_replaced_object_starts_fresh_and_says_its_etag_changed(
    ads_api_emulator: AdsApiEmulator,
    video: bytes,
    s3_bucket: str,
    put_object,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = DictStore()
    _die_at(monkeypatch, s3_bucket, 20, {"task_state_store": store})
    replaced = samples.mp4(len(video), seed=16)
    put_object(KEY, replaced, "video/mp4")

    with caplog.at_level(logging.INFO):
        result = _operator(s3_bucket).execute(context={"task_state_store": store})

    assert _sent(ads_api_emulator)["init"] == 2
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(replaced)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Not resuming")]
    assert "the S3 object's ETag changed" in line


def test_another_segment_plan_starts_fresh(
    ads_api_emulator: AdsApiEmulator, video: bytes, s3_bucket: str, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    store = DictStore()
    _die_at(monkeypatch, s3_bucket, 20, {"task_state_store": store})
    with caplog.at_level(logging.INFO):
        result = _operator(s3_bucket, segment_bytes=2 * SEGMENT).execute(context={"task_state_store": store})
    assert _sent(ads_api_emulator)["init"] == 2
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(video)
    assert "the segment size changed (65536 then, 131072 now)" in caplog.text


def test_a_session_the_api_forgot_is_given_up_for_a_fresh_init(
    ads_api_emulator: AdsApiEmulator, video: bytes, s3_bucket: str, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    store = DictStore()
    _die_at(monkeypatch, s3_bucket, 20, {"task_state_store": store})
    first_id = store.values[STORE_KEY]["media_id"]
    # The API lost every session (its state is back at the seed data).
    ads_api_emulator.reset()

    with caplog.at_level(logging.INFO):
        result = _operator(s3_bucket).execute(context={"task_state_store": store})

    sent = _sent(ads_api_emulator)
    # One refused APPEND of the recorded session, then a whole fresh upload.
    refused = [e for e in ads_api_emulator.api_requests("POST", f"{first_id}/append") if e["status"] == 404]
    assert (sent["init"], len(refused), sent["append"], sent["finalize"]) == (1, 1, SEGMENTS, 1)
    assert result["media_id"] != first_id
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(video)
    assert f"The resumed upload session {first_id} was refused" in caplog.text


@pytest.mark.parametrize("context", [{}, {"task_state_store": None}, {"task_state_store": object()}])
def test_without_a_store_a_retry_uploads_everything_again_as_before(
    ads_api_emulator: AdsApiEmulator,
    video: bytes,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    context: dict,
) -> None:
    _die_at(monkeypatch, s3_bucket, 20, context)
    result = _operator(s3_bucket).execute(context=context)
    sent = _sent(ads_api_emulator)
    assert (sent["init"], sent["append"], sent["finalize"]) == (2, 20 + SEGMENTS, 1)
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(video)


def test_a_store_that_fails_never_fails_the_upload(
    ads_api_emulator: AdsApiEmulator, video: bytes, s3_bucket: str
) -> None:
    class BrokenStore(DictStore):
        def set(self, key: str, value: Any) -> None:
            raise ConnectionError("the execution API is unreachable")

    result = _operator(s3_bucket).execute(context={"task_state_store": BrokenStore()})
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(video)
    assert _sent(ads_api_emulator)["init"] == 1


def test_a_thousand_segment_upload_makes_few_store_writes(
    ads_api_emulator: AdsApiEmulator, connections: None, put_object, s3_bucket: str
) -> None:
    data = samples.mp4(1000 * 1024, seed=3)
    put_object("clips/thousand.mp4", data, "video/mp4")
    store = CountingStore()
    result = UploadMediaOperator(
        task_id="upload",
        s3_bucket=s3_bucket,
        s3_key="clips/thousand.mp4",
        media_category="tweet_video",
        segment_bytes=1024,
        max_parallel_segments=4,
    ).execute(context={"task_state_store": store})
    assert len(ads_api_emulator.api_requests("POST", "/append")) == 1000
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(data)
    # INIT, then every 20 segments (max(4, 1000 / 50)), then FINALIZE.
    assert store.sets == 1 + 50 + 1


def test_a_retry_after_finalize_failed_sends_only_finalize(
    ads_api_emulator: AdsApiEmulator, video: bytes, s3_bucket: str
) -> None:
    # Every segment is appended, then FINALIZE is refused once: the task fails and is retried.
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "error", "options": {"status": 400}, "path": "finalize"}]}
    )
    store = DictStore()
    with pytest.raises(MediaUploadError, match="FINALIZE of media"):
        _operator(s3_bucket).execute(context={"task_state_store": store})
    assert store.values[STORE_KEY]["done_prefix"] == SEGMENTS
    ads_api_emulator.faults.clear()
    before = _sent(ads_api_emulator)

    result = _operator(s3_bucket).execute(context={"task_state_store": store})

    after = _sent(ads_api_emulator)
    assert (after["init"], after["append"], after["finalize"] - before["finalize"]) == (1, SEGMENTS, 1)
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(video)


def test_a_v1_1_upload_resumes_too(
    ads_api_emulator: AdsApiEmulator, video: bytes, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DictStore()
    _die_at(monkeypatch, s3_bucket, 20, {"task_state_store": store}, upload_api="v1.1")
    result = _operator(s3_bucket, upload_api="v1.1").execute(context={"task_state_store": store})
    # One INIT made the one media record; the v2 endpoints were never used.
    assert list(media_records(ads_api_emulator)) == [result["media_key"]]
    assert _sha256(ads_api_emulator, result["media_key"]) == samples.sha256(video)
    assert ads_api_emulator.api_requests(path_contains="/2/") == []
    sent = sum(e["bytes_in"] for e in ads_api_emulator.api_requests("POST", "/1.1/media/upload.json"))
    assert sent <= 1.6 * len(video)
