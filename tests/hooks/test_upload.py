"""hooks/upload.py: ``upload_media`` / ``get_upload_status`` over real HTTP against the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from support.uploads import HOOK_ATTEMPTS, SEGMENT, RecordingReader, media_records

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.exceptions import (
    AdsApiNotFoundError,
    AdsApiUnauthorizedError,
    MediaUploadError,
)
from airflow_provider_twitter_ads.hooks import upload
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings
from airflow_provider_twitter_ads.hooks.s3_reader import S3RangeReader
from airflow_provider_twitter_ads.hooks.upload import get_upload_status, upload_media
from airflow_provider_twitter_ads.utils.segments import MAX_SEGMENT_BYTES, BytesRangeReader
from airflow_provider_twitter_ads.utils.sniff import HEAD_BYTES


@pytest.fixture
def hook(twitter_ads_connection: str, fast_retries: RetrySettings) -> Iterator[AdsApiHook]:
    """A hook making ``HOOK_ATTEMPTS`` attempts per request (the upload's retry rounds count them)."""
    ads_hook = AdsApiHook(twitter_ads_connection, retry_settings=fast_retries)
    yield ads_hook
    ads_hook.close()


def _appends(emulator: AdsApiEmulator, api: str = "v2") -> list[dict]:
    if api == "v2":
        return emulator.api_requests("POST", "/append")
    # v1.1 sends the command in the body; only APPEND answers 204.
    return [e for e in emulator.api_requests("POST", "/1.1/media/upload.json") if e["status"] == 204]


def _record(emulator: AdsApiEmulator, media_key: str):
    with emulator.state.lock:
        return emulator.state.media[media_key]


# -- the bytes arrive intact ----------------------------------------------------------------------


@pytest.mark.parametrize("parallel", [1, 4])
def test_a_sniffed_head_and_parallel_appends_cost_one_s3_get(
    hook: AdsApiHook,
    ads_api_emulator: AdsApiEmulator,
    put_object,
    s3_bucket: str,
    aws_connection: str,
    parallel: int,
) -> None:
    segment_bytes = 2 * SEGMENT + 3  # the first segment runs on past the head
    data = samples.mp4(9 * segment_bytes + 5, seed=parallel)
    put_object("videos/unlabelled", data, "application/octet-stream")
    with S3RangeReader.open(s3_bucket, "videos/unlabelled", aws_conn_id=aws_connection) as reader:
        # What UploadMediaOperator reads to infer the media type, before it uploads.
        assert reader.read_range(0, HEAD_BYTES) == data[:HEAD_BYTES]
        result = upload_media(
            hook,
            reader,
            len(data),
            "video/mp4",
            "tweet_video",
            segment_bytes=segment_bytes,
            max_parallel_segments=parallel,
        )
        assert reader.get_requests == 1
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)


@pytest.mark.parametrize("parallel", [1, 4])
@pytest.mark.parametrize(
    ("size", "segments"),
    [(1, 1), (SEGMENT, 1), (SEGMENT + 1, 2), (12 * SEGMENT + 777, 13)],
    ids=["1-byte", "one-segment", "one-segment-plus-1", "many-segments"],
)
def test_s3_object_arrives_byte_for_byte(
    hook: AdsApiHook,
    ads_api_emulator: AdsApiEmulator,
    put_object,
    s3_bucket: str,
    aws_connection: str,
    size: int,
    segments: int,
    parallel: int,
) -> None:
    data = samples.mp4(size, seed=size)
    put_object("videos/clip.mp4", data, "video/mp4")
    with S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection) as reader:
        result = upload_media(
            hook,
            reader,
            size,
            "video/mp4",
            "tweet_video",
            segment_bytes=SEGMENT,
            max_parallel_segments=parallel,
        )
        # Parallel APPENDs take the one GET in turn, whichever worker starts first.
        assert reader.get_requests == 1

    record = _record(ads_api_emulator, result["media_key"])
    assert record.sha256 == samples.sha256(data)
    assert record.finalized and record.total_bytes == size
    assert result["media_id"] == record.media_id
    assert result["media_key"] == f"7_{record.media_id}"
    assert result["size"] == size
    assert result["expires_after_secs"] > 0
    assert result["processing_info"]["state"] in ("pending", "in_progress")
    assert len(ads_api_emulator.api_requests("POST", "/initialize")) == 1
    assert len(_appends(ads_api_emulator)) == segments
    assert len(ads_api_emulator.api_requests("POST", "/finalize")) == 1


@pytest.mark.parametrize("parallel", [1, 3])
@pytest.mark.parametrize("size", [SEGMENT + 1, 5 * SEGMENT + 3])
def test_v1_1_upload(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, size: int, parallel: int) -> None:
    data = samples.mp4(size, seed=3)
    result = upload_media(
        hook,
        BytesRangeReader(data),
        size,
        "video/mp4",
        "amplify_video",
        segment_bytes=SEGMENT,
        max_parallel_segments=parallel,
        upload_api="v1.1",
    )
    record = _record(ads_api_emulator, result["media_key"])
    assert record.sha256 == samples.sha256(data)
    assert result["media_key"] == f"13_{record.media_id}"
    assert result["size"] == size
    assert ads_api_emulator.api_requests(path_contains="/2/") == []
    assert len(_appends(ads_api_emulator, "v1.1")) == -(-size // SEGMENT)


def test_the_connections_upload_api_is_used_unless_overridden(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, fast_retries
) -> None:
    connection = ads_api_emulator.airflow_connection(upload_api="v1.1")
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_V11", json.dumps(connection))
    hook = AdsApiHook("twitter_ads_v11", retry_settings=fast_retries)
    data = samples.mp4(SEGMENT + 5)

    first = upload_media(
        hook, BytesRangeReader(data), len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT
    )
    assert ads_api_emulator.api_requests(path_contains="/2/") == []
    second = upload_media(
        hook,
        BytesRangeReader(data),
        len(data),
        "video/mp4",
        "tweet_video",
        segment_bytes=SEGMENT,
        upload_api="v2",
    )
    assert len(ads_api_emulator.api_requests("POST", "/2/media/upload/initialize")) == 1
    for result in (first, second):
        assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)


@pytest.mark.parametrize("parallel", [1, 3])
def test_reads_never_run_ahead_of_the_appends(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, parallel: int
) -> None:
    ads_api_emulator.update_config(latency=0.02)
    appended: list[int] = []

    def check(start: int, end: int) -> None:
        # Segments read so far minus APPENDs the server has finished: at most the `parallel` being
        # sent (each APPEND reads its segment while it sends it; nothing is read ahead).
        finished = sum(1 for e in _appends(ads_api_emulator) if e["status"] == 200)
        appended.append(len(reader.reads) - finished)

    data = samples.mp4(30 * 4096 + 1)
    reader = RecordingReader(data, on_read=check)
    result = upload_media(
        hook,
        reader,
        len(data),
        "video/mp4",
        "tweet_video",
        segment_bytes=4096,
        max_parallel_segments=parallel,
    )
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)
    assert len(reader.reads) == 31
    assert max(appended) <= parallel
    # Each segment was read exactly once; one at a time, in order.
    segments = [(i * 4096, min((i + 1) * 4096, len(data))) for i in range(31)]
    assert sorted(reader.reads) == segments
    if parallel == 1:
        assert reader.reads == segments


# -- images -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["v2", "v1.1"])
def test_an_image_in_one_segment_is_a_simple_upload(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, api: str
) -> None:
    data = samples.png(320, 50)
    result = upload_media(hook, BytesRangeReader(data), len(data), "image/png", "tweet_image", upload_api=api)
    record = _record(ads_api_emulator, result["media_key"])
    assert (record.sha256, record.width, record.height) == (samples.sha256(data), 320, 50)
    assert result["media_key"] == f"3_{record.media_id}"
    assert result["processing_info"] is None
    assert len(ads_api_emulator.api_requests()) == 1


def test_an_image_larger_than_a_segment_or_with_owners_is_chunked(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    data = samples.png(600, 600)
    assert len(data) > 1024
    chunked = upload_media(
        hook, BytesRangeReader(data), len(data), "image/png", "dm_image", segment_bytes=1024
    )
    owned = upload_media(
        hook, BytesRangeReader(data), len(data), "image/png", "tweet_image", additional_owners=["12", 34]
    )
    assert len(ads_api_emulator.api_requests("POST", "/initialize")) == 2
    for result in (chunked, owned):
        record = _record(ads_api_emulator, result["media_key"])
        assert (record.sha256, record.width, record.height) == (samples.sha256(data), 600, 600)
        assert result["processing_info"] is None
    assert _record(ads_api_emulator, owned["media_key"]).extra["additional_owners"] == ["12", "34"]


# -- bad input: refused before any request --------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"media_category": "tweet_movie"}, ValueError, "media_category must be one of"),
        ({"media_type": "image/gif"}, ValueError, "media_type 'image/gif' is not accepted by media_category"),
        ({"media_type": "mp4"}, ValueError, "media_type must be a MIME type"),
        ({"total_bytes": 512 * 1024 * 1024 + 1}, ValueError, "over the 512 MB"),
        ({"total_bytes": 0}, ValueError, "total_bytes must be positive"),
        ({"segment_bytes": MAX_SEGMENT_BYTES + 1}, ValueError, "segment_bytes must be at most"),
        ({"max_parallel_segments": 0}, ValueError, "max_parallel_segments must be between 1 and 16"),
        ({"max_parallel_segments": 17}, ValueError, "max_parallel_segments must be between 1 and 16"),
        ({"max_parallel_segments": "4"}, TypeError, "max_parallel_segments must be an int"),
        ({"upload_api": "v3"}, ValueError, "upload_api must be one of v2, v1.1"),
        ({"additional_owners": ["12", "bob"]}, ValueError, "additional_owners must hold numeric user ids"),
        ({"additional_owners": {"12"}}, TypeError, "additional_owners must be a list"),
        ({"additional_owners": [str(i) for i in range(101)]}, ValueError, "at most 100"),
        ({"reader": b"raw bytes"}, TypeError, "reader must have read_range"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, overrides: dict, error: type[Exception], match: str
) -> None:
    data = samples.mp4(100)
    reader = RecordingReader(data)
    arguments = {
        "reader": reader,
        "total_bytes": len(data),
        "media_type": "video/mp4",
        "media_category": "tweet_video",
        **overrides,
    }
    with pytest.raises(error, match=match):
        upload_media(hook, **arguments)
    assert ads_api_emulator.api_requests() == []
    assert media_records(ads_api_emulator) == {}
    assert reader.reads == []


@pytest.mark.parametrize("segment_bytes", [SEGMENT, 64], ids=["simple-upload", "chunked"])
@pytest.mark.parametrize(
    ("category", "media_type"),
    [
        ("tweet_image", "image/jpeg"),
        ("dm_image", "image/png"),
        ("tweet_gif", "image/gif"),
        ("dm_gif", "image/gif"),
    ],
)
def test_bytes_that_are_no_image_are_refused_before_any_request(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, category: str, media_type: str, segment_bytes: int
) -> None:
    data = b"name,width,height\nspring,300,250\n" * 8
    reader = RecordingReader(data)
    with pytest.raises(ValueError) as caught:
        upload_media(hook, reader, len(data), media_type, category, segment_bytes=segment_bytes)
    assert str(caught.value).startswith(f"the media is not an image media_category '{category}' takes")
    assert "its first bytes are text ('name,width,height spring,300,250 name,wi...')" in str(caught.value)
    assert ads_api_emulator.api_requests() == []
    # Only the signature was read.
    assert reader.reads == [(0, 64)]


def test_an_image_head_already_read_is_not_read_again(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    data = samples.png(320, 50)
    reader = RecordingReader(data)
    upload_media(hook, reader, len(data), "image/png", "tweet_image", head=data[:100])
    # The simple upload's one read of the whole image; no read for the signature.
    assert reader.reads == [(0, len(data))]
    assert len(ads_api_emulator.api_requests("POST")) == 1


def test_refused_credentials_fail_at_init_and_create_nothing(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, fast_retries
) -> None:
    connection = ads_api_emulator.airflow_connection()
    connection["password"] = "not-the-consumer-secret"
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_WRONG", json.dumps(connection))
    hook = AdsApiHook("twitter_ads_wrong", retry_settings=fast_retries)
    data = samples.mp4(SEGMENT + 1)
    with pytest.raises(AdsApiUnauthorizedError) as info:
        upload_media(
            hook, BytesRangeReader(data), len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT
        )
    assert "not-the-consumer-secret" not in str(info.value)
    assert [e["path"] for e in ads_api_emulator.api_requests()] == ["/2/media/upload/initialize"]
    assert media_records(ads_api_emulator) == {}


# -- faults during APPEND -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "options": {"status": 503}, "times": 2},
        {"kind": "html_error", "options": {"status": 502}, "times": 1},
        {"kind": "drop_before", "times": 2},
        {"kind": "drop_after", "times": 2},
        {"kind": "rate_limit", "options": {"reset_in": 0.2}, "times": 1},
    ],
    ids=lambda f: f["kind"],
)
@pytest.mark.parametrize("parallel", [1, 4])
def test_transient_append_faults_are_retried(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, fault: dict, parallel: int
) -> None:
    ads_api_emulator.faults.configure({"scripted": [{**fault, "path": "append", "after": 2}]})
    data = samples.mp4(8 * SEGMENT + 9)
    result = upload_media(
        hook,
        BytesRangeReader(data),
        len(data),
        "video/mp4",
        "tweet_video",
        segment_bytes=SEGMENT,
        max_parallel_segments=parallel,
    )
    assert ads_api_emulator.faults.injected[fault["kind"]] == fault["times"]
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)
    assert len(_appends(ads_api_emulator)) == 9 + fault["times"]
    assert len(media_records(ads_api_emulator)) == 1


def test_an_append_the_hook_gives_up_on_is_re_read_and_sent_again(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    # Segment 1's responses are lost on every one of the hook's attempts, then it goes through.
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "path": "append", "after": 1, "times": HOOK_ATTEMPTS}]}
    )
    data = samples.mp4(3 * SEGMENT)
    reader = RecordingReader(data)
    result = upload_media(hook, reader, len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT)
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)
    # Every attempt at segment 1 read it again: the hook's attempts of the first round, then the
    # one of the second round that went through. The segments around it were read once.
    assert sorted(reader.reads) == [
        (0, SEGMENT),
        *[(SEGMENT, 2 * SEGMENT)] * (HOOK_ATTEMPTS + 1),
        (2 * SEGMENT, 3 * SEGMENT),
    ]


@pytest.mark.parametrize("parallel", [1, 3])
def test_an_append_that_keeps_failing_raises_naming_the_media(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, parallel: int
) -> None:
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "error", "options": {"status": 503}, "path": "append", "after": 1, "times": 100}
            ]
        }
    )
    data = samples.mp4(6 * SEGMENT)
    with pytest.raises(
        MediaUploadError, match=r"Uploading media (\d{19}) failed: POST 2/media/upload/\1/append"
    ) as info:
        upload_media(
            hook,
            BytesRangeReader(data),
            len(data),
            "video/mp4",
            "tweet_video",
            segment_bytes=SEGMENT,
            max_parallel_segments=parallel,
        )
    assert info.value.status_code == 503
    (record,) = media_records(ads_api_emulator).values()
    assert info.value.media_id == record.media_id
    assert not record.finalized
    assert ads_api_emulator.api_requests("POST", "/finalize") == []
    # Submission stopped at the failure: no more than the in-flight segments were sent after it.
    assert len(_appends(ads_api_emulator)) <= 1 + upload.APPEND_ATTEMPTS * HOOK_ATTEMPTS * parallel


def test_a_rejected_append_is_not_retried(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "error", "options": {"status": 400}, "path": "append", "times": 1}]}
    )
    data = samples.mp4(2 * SEGMENT)
    with pytest.raises(MediaUploadError, match="failed with 400") as info:
        upload_media(
            hook, BytesRangeReader(data), len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT
        )
    assert info.value.status_code == 400
    assert len(_appends(ads_api_emulator)) == 1


def test_random_faults_in_parallel_still_deliver_every_byte(
    twitter_ads_connection: str, ads_api_emulator: AdsApiEmulator
) -> None:
    # Enough attempts that a 30% fault rate cannot plausibly exhaust them (0.3 ** 16 per segment).
    hook = AdsApiHook(twitter_ads_connection, retry_settings=RetrySettings(max_attempts=8, backoff_base=0.01))
    ads_api_emulator.faults.configure(
        {
            "random": {
                "rates": {"error": 0.15, "drop_before": 0.05, "drop_after": 0.1},
                "options": {"error": {"status": 500}},
                "path": "append",
                "seed": 7,
            }
        }
    )
    data = samples.mp4(40 * 8192 + 1)
    result = upload_media(
        hook,
        BytesRangeReader(data),
        len(data),
        "video/mp4",
        "tweet_video",
        segment_bytes=8192,
        max_parallel_segments=4,
    )
    assert sum(ads_api_emulator.faults.injected.values()) > 0
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)


def test_v1_1_append_response_lost_is_retried(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    # after=1 skips INIT; the first APPEND's write is committed but its response is lost.
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "drop_after", "method": "POST", "path": r"upload\.json", "after": 1, "times": 1}
            ]
        }
    )
    data = samples.mp4(2 * SEGMENT + 1)
    result = upload_media(
        hook,
        BytesRangeReader(data),
        len(data),
        "video/mp4",
        "tweet_video",
        segment_bytes=SEGMENT,
        upload_api="v1.1",
    )
    assert ads_api_emulator.faults.injected["drop_after"] == 1
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)


# -- INIT, FINALIZE, expiry -----------------------------------------------------------------------


def test_a_lost_init_response_leaves_only_an_unused_session(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    ads_api_emulator.faults.configure({"scripted": [{"kind": "drop_after", "path": "initialize"}]})
    data = samples.mp4(SEGMENT + 1)
    result = upload_media(
        hook, BytesRangeReader(data), len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT
    )
    records = media_records(ads_api_emulator)
    assert len(records) == 2
    orphan = next(r for key, r in records.items() if key != result["media_key"])
    assert not orphan.finalized and orphan.received_bytes == 0
    assert records[result["media_key"]].sha256 == samples.sha256(data)


def test_a_lost_finalize_response_is_retried_idempotently(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    ads_api_emulator.faults.configure({"scripted": [{"kind": "drop_after", "path": "finalize"}]})
    data = samples.mp4(SEGMENT + 1)
    result = upload_media(
        hook, BytesRangeReader(data), len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT
    )
    assert len(ads_api_emulator.api_requests("POST", "/finalize")) == 2
    assert result["size"] == len(data)
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "options": {"status": 503}, "times": 100},
        {"kind": "error", "options": {"status": 400}},
    ],
    ids=["503-forever", "400"],
)
def test_a_failed_finalize_names_the_media_id(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, fault: dict
) -> None:
    ads_api_emulator.faults.configure({"scripted": [{**fault, "path": "finalize"}]})
    data = samples.mp4(SEGMENT + 1)
    with pytest.raises(
        MediaUploadError, match=r"FINALIZE of media (\d{19}) failed .*get_upload_status"
    ) as info:
        upload_media(
            hook, BytesRangeReader(data), len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT
        )
    (record,) = media_records(ads_api_emulator).values()
    assert info.value.media_id == record.media_id
    assert record.media_id in str(info.value)
    assert info.value.status_code == fault["options"]["status"]


def test_an_expired_session_starts_again_from_init(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    # The first APPEND is held past the session's life, so the API answers that it expired.
    ads_api_emulator.update_config(upload_expires_after_secs=2)
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "slow", "options": {"seconds": 2.5, "when": "before"}, "path": "append"}]}
    )
    data = samples.mp4(3 * SEGMENT)
    reader = RecordingReader(data)
    result = upload_media(hook, reader, len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT)
    assert len(ads_api_emulator.api_requests("POST", "/initialize")) == 2
    expired = [e for e in _appends(ads_api_emulator) if e["status"] == 400]
    assert len(expired) == 1
    records = media_records(ads_api_emulator)
    first = next(r for key, r in records.items() if key != result["media_key"])
    assert not first.finalized
    assert records[result["media_key"]].sha256 == samples.sha256(data)
    # The new session re-read the whole object from the start.
    restart = reader.reads.index((0, SEGMENT), 1)
    assert reader.reads[restart:] == [(0, SEGMENT), (SEGMENT, 2 * SEGMENT), (2 * SEGMENT, 3 * SEGMENT)]


def test_sessions_that_keep_expiring_give_up_after_a_bounded_number(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    # Every request takes 0.3 s and a session lives 1 s: 5 segments can never make it.
    ads_api_emulator.update_config(upload_expires_after_secs=1, latency=0.3)
    data = samples.mp4(5 * SEGMENT)
    with pytest.raises(MediaUploadError, match=r"expired; gave up after 3 sessions") as info:
        upload_media(
            hook, BytesRangeReader(data), len(data), "video/mp4", "tweet_video", segment_bytes=SEGMENT
        )
    assert len(ads_api_emulator.api_requests("POST", "/initialize")) == upload.MAX_SESSION_STARTS
    assert ads_api_emulator.api_requests("POST", "/finalize") == []
    assert info.value.media_id in {r.media_id for r in media_records(ads_api_emulator).values()}


# -- STATUS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["v2", "v1.1"])
def test_get_upload_status_is_normalized(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, api: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=30)
    video = samples.mp4(SEGMENT + 1)
    uploaded = upload_media(
        hook, BytesRangeReader(video), len(video), "video/mp4", "tweet_video", segment_bytes=SEGMENT
    )
    image = samples.gif(10, 10)
    uploaded_gif = upload_media(hook, BytesRangeReader(image), len(image), "image/gif", "tweet_gif")
    png = samples.png(4, 4)
    uploaded_png = upload_media(hook, BytesRangeReader(png), len(png), "image/png", "tweet_image")

    status = get_upload_status(hook, uploaded["media_id"], upload_api=api)
    assert status["media_id"] == uploaded["media_id"]
    assert status["media_key"] == uploaded["media_key"]
    assert status["processing_info"]["state"] in ("pending", "in_progress")
    assert get_upload_status(hook, uploaded_gif["media_id"], upload_api=api)["media_key"].startswith("16_")
    assert get_upload_status(hook, int(uploaded_png["media_id"]), upload_api=api) == {
        "media_id": uploaded_png["media_id"],
        "media_key": uploaded_png["media_key"],
        "processing_info": None,
    }
    # The hook's thin method delegates here.
    assert hook.get_upload_status(uploaded["media_id"], upload_api=api)["media_key"] == uploaded["media_key"]


def test_get_upload_status_of_unknown_or_malformed_ids(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    with pytest.raises(AdsApiNotFoundError):
        get_upload_status(hook, "1111111111111111111")
    with pytest.raises(ValueError, match="media_id must be a 19-digit numeric media id"):
        get_upload_status(hook, "7_123")
    assert len(ads_api_emulator.api_requests()) == 1


def test_the_hooks_upload_method_delegates(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    data = samples.mp4(SEGMENT * 2 + 1)
    result = hook.upload_media(
        BytesRangeReader(data),
        len(data),
        "video/mp4",
        "dm_video",
        segment_bytes=SEGMENT,
        max_parallel_segments=2,
    )
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)
