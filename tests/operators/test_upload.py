"""``UploadMediaOperator`` run directly, from moto S3 into the emulator."""

from __future__ import annotations

import json

import pytest
from support.uploads import SEGMENT, media_records

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.exceptions import MediaUploadError, S3ObjectNotFoundError
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.utils.segments import MAX_SEGMENT_BYTES

RESULT_KEYS = {
    "media_id",
    "media_key",
    "media_category",
    "media_type",
    "total_bytes",
    "width",
    "height",
    "processing_info",
    "s3_uri",
}


@pytest.fixture
def connections(twitter_ads_connection: str, aws_connection: str) -> None:
    """Both connections point at the local servers."""


def _record(emulator: AdsApiEmulator, media_key: str):
    with emulator.state.lock:
        return emulator.state.media[media_key]


@pytest.mark.parametrize("parallel", [1, 4])
def test_video_from_bucket_and_key(
    connections: None, ads_api_emulator: AdsApiEmulator, put_object, s3_bucket: str, parallel: int
) -> None:
    data = samples.mp4(7 * SEGMENT + 11, seed=parallel)
    put_object("campaigns/spring/launch.mp4", data, "video/mp4")
    op = UploadMediaOperator(
        task_id="upload",
        s3_bucket=s3_bucket,
        s3_key="campaigns/spring/launch.mp4",
        media_category="amplify_video",
        segment_bytes=SEGMENT,
        max_parallel_segments=parallel,
    )
    result = op.execute(context={})

    assert set(result) == RESULT_KEYS
    assert json.loads(json.dumps(result)) == result
    record = _record(ads_api_emulator, result["media_key"])
    assert record.sha256 == samples.sha256(data)
    assert result == {
        "media_id": record.media_id,
        "media_key": f"13_{record.media_id}",
        "media_category": "amplify_video",
        "media_type": "video/mp4",
        "total_bytes": len(data),
        "width": None,
        "height": None,
        "processing_info": result["processing_info"],
        "s3_uri": f"s3://{s3_bucket}/campaigns/spring/launch.mp4",
    }
    assert result["processing_info"]["state"] in ("pending", "in_progress")
    assert len(ads_api_emulator.api_requests("POST", "/append")) == 8


def test_image_from_s3_uri_returns_its_dimensions(
    connections: None, ads_api_emulator: AdsApiEmulator, put_object, s3_bucket: str
) -> None:
    data = samples.png(300, 250)
    # A generic Content-Type: the extension decides.
    put_object("banners/mrec.png", data, "binary/octet-stream")
    result = UploadMediaOperator(
        task_id="upload", s3_uri=f"s3://{s3_bucket}/banners/mrec.png", media_category="tweet_image"
    ).execute(context={})
    assert (result["media_type"], result["width"], result["height"]) == ("image/png", 300, 250)
    assert result["processing_info"] is None
    record = _record(ads_api_emulator, result["media_key"])
    assert (record.sha256, record.width, record.height) == (samples.sha256(data), 300, 250)


def test_media_type_from_magic_bytes_when_metadata_says_nothing(
    connections: None, ads_api_emulator: AdsApiEmulator, put_object, s3_bucket: str
) -> None:
    data = samples.jpeg(728, 90) + samples.noise(2000)
    put_object("banners/leaderboard", data, "application/octet-stream")
    result = UploadMediaOperator(
        task_id="upload", s3_bucket=s3_bucket, s3_key="banners/leaderboard", media_category="dm_image"
    ).execute(context={})
    assert (result["media_type"], result["width"], result["height"]) == ("image/jpeg", 728, 90)
    assert _record(ads_api_emulator, result["media_key"]).sha256 == samples.sha256(data)


def test_specific_content_type_wins_and_media_type_overrides_it(
    connections: None, ads_api_emulator: AdsApiEmulator, put_object, s3_bucket: str
) -> None:
    data = samples.mp4(SEGMENT)
    put_object("clips/a.mp4", data, "video/quicktime")
    inferred = UploadMediaOperator(
        task_id="a", s3_bucket=s3_bucket, s3_key="clips/a.mp4", media_category="tweet_video"
    ).execute(context={})
    given = UploadMediaOperator(
        task_id="b",
        s3_bucket=s3_bucket,
        s3_key="clips/a.mp4",
        media_category="tweet_video",
        media_type="video/MP4",
    ).execute(context={})
    assert inferred["media_type"] == "video/quicktime"
    assert given["media_type"] == "video/mp4"
    assert _record(ads_api_emulator, given["media_key"]).media_type == "video/mp4"


def test_gif_and_v1_1(
    connections: None, ads_api_emulator: AdsApiEmulator, put_object, s3_bucket: str
) -> None:
    data = samples.gif(480, 320) + samples.noise(3 * SEGMENT)
    put_object("gifs/loop.gif", data)
    result = UploadMediaOperator(
        task_id="upload",
        s3_bucket=s3_bucket,
        s3_key="gifs/loop.gif",
        media_category="tweet_gif",
        segment_bytes=SEGMENT,
        upload_api="v1.1",
        additional_owners="1001,1002",
    ).execute(context={})
    assert (result["media_type"], result["width"], result["height"]) == ("image/gif", 480, 320)
    assert result["media_key"].startswith("16_")
    record = _record(ads_api_emulator, result["media_key"])
    assert record.sha256 == samples.sha256(data)
    assert record.extra["additional_owners"] == ["1001", "1002"]
    assert ads_api_emulator.api_requests(path_contains="/2/") == []


# -- refused before the first write -----------------------------------------------------------


@pytest.fixture
def objects(put_object) -> None:
    put_object("empty.mp4", b"", "video/mp4")
    put_object("clip.mp4", samples.mp4(1000), "video/mp4")
    put_object("big.png", samples.png(1, 1) + b"\x00" * (5 * 1024 * 1024), "image/png")
    put_object("notes.bin", b"just some text, no media signature", "binary/octet-stream")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"s3_key": "clip.mp4", "s3_uri": "s3://{bucket}/clip.mp4"}, ValueError, "not both"),
        ({"s3_bucket": None}, ValueError, "s3_bucket must be a non-empty string"),
        ({"s3_bucket": None, "s3_key": None}, ValueError, "Give the object to upload"),
        ({"s3_key": None}, ValueError, "s3_key must be a non-empty string"),
        (
            {"s3_bucket": None, "s3_key": None, "s3_uri": "{bucket}/clip.mp4"},
            ValueError,
            "s3_uri must look like",
        ),
        (
            {"s3_bucket": "no-such-bucket-zz9", "s3_key": "clip.mp4"},
            S3ObjectNotFoundError,
            "s3_bucket 'no-such",
        ),
        ({"s3_key": "missing.mp4"}, S3ObjectNotFoundError, "s3_key 'missing.mp4' does not exist"),
        ({"s3_key": "empty.mp4"}, ValueError, r"empty.mp4 is empty \(0 bytes\)"),
        (
            {"s3_key": "big.png", "media_category": "tweet_image"},
            ValueError,
            r"total_bytes 52429\d\d is over the 5 MB",
        ),
        (
            {"s3_key": "clip.mp4", "media_category": "tweet_image"},
            ValueError,
            "media_type 'video/mp4' is not accepted by media_category 'tweet_image'",
        ),
        ({"media_category": "tweet_vid"}, ValueError, "media_category must be one of"),
        ({"s3_key": "notes.bin"}, ValueError, "media_type of s3://.*notes.bin could not be inferred"),
        ({"media_type": "video"}, ValueError, "media_type must be a MIME type"),
        ({"additional_owners": "12,abc"}, ValueError, "additional_owners must hold numeric user ids"),
    ],
)
def test_bad_input_fails_before_any_request(
    connections: None,
    ads_api_emulator: AdsApiEmulator,
    objects: None,
    s3_bucket: str,
    kwargs: dict,
    error: type[Exception],
    match: str,
) -> None:
    arguments = {"s3_bucket": s3_bucket, "s3_key": "clip.mp4", "media_category": "tweet_video", **kwargs}
    if isinstance(arguments.get("s3_uri"), str):
        arguments["s3_uri"] = arguments["s3_uri"].format(bucket=s3_bucket)
    op = UploadMediaOperator(task_id="upload", **arguments)
    with pytest.raises(error, match=match):
        op.execute(context={})
    assert ads_api_emulator.api_requests() == []
    assert media_records(ads_api_emulator) == {}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"segment_bytes": MAX_SEGMENT_BYTES + 1}, ValueError, "segment_bytes must be at most 5242880"),
        ({"segment_bytes": "4MiB"}, TypeError, "segment_bytes must be an int"),
        ({"max_parallel_segments": 0}, ValueError, "max_parallel_segments must be between 1 and 16"),
        ({"upload_api": "2"}, ValueError, "upload_api must be one of v2, v1.1"),
    ],
)
def test_bad_settings_fail_when_the_dag_is_parsed(kwargs: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        UploadMediaOperator(task_id="upload", s3_uri="s3://b/k.mp4", media_category="tweet_video", **kwargs)


def test_a_failed_upload_names_the_media(
    connections: None, ads_api_emulator: AdsApiEmulator, put_object, s3_bucket: str
) -> None:
    put_object("clip.mp4", samples.mp4(2 * SEGMENT), "video/mp4")
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "error", "options": {"status": 400}, "path": "finalize", "times": 1}]}
    )
    op = UploadMediaOperator(
        task_id="upload",
        s3_bucket=s3_bucket,
        s3_key="clip.mp4",
        media_category="tweet_video",
        segment_bytes=SEGMENT,
    )
    with pytest.raises(MediaUploadError, match=r"FINALIZE of media \d{19} failed"):
        op.execute(context={})


# -- templating and mapping ---------------------------------------------------------------------


def test_template_fields_render(s3_bucket: str) -> None:
    assert UploadMediaOperator.template_fields == (
        "s3_bucket",
        "s3_key",
        "s3_uri",
        "media_category",
        "media_type",
        "additional_owners",
    )
    op = UploadMediaOperator(
        task_id="upload",
        s3_bucket="{{ params.bucket }}",
        s3_key="videos/{{ params.name }}.mp4",
        media_category="{{ params.category }}",
        additional_owners=["{{ params.owner }}"],
    )
    op.render_template_fields(
        {"params": {"bucket": s3_bucket, "name": "a", "category": "dm_video", "owner": "7"}}
    )
    assert (op.s3_bucket, op.s3_key, op.media_category, op.additional_owners) == (
        s3_bucket,
        "videos/a.mp4",
        "dm_video",
        ["7"],
    )
