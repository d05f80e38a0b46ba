"""The emulator's v2 media upload API over real HTTP: chunked and simple uploads, and every 400/404."""

from __future__ import annotations

import random
import time

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.samples import mp4, noise, png, sha256

from .upload_client import V2Client, split

MiB = 1024 * 1024


@pytest.fixture
def v2(ads_api_emulator: AdsApiEmulator) -> V2Client:
    return V2Client(ads_api_emulator)


def _record(emulator: AdsApiEmulator, media_id: str):
    record = emulator.state.media_by_id(media_id)
    assert record is not None
    return record


def _assert_problem(response, status: int, parameter: str | None, *detail_parts: str) -> None:
    """The v2 problem format: ``errors`` plus top-level ``title``, ``detail``, ``type``, ``status``."""
    assert response.status_code == status, response.text
    body = response.json()
    error = body["errors"][0]
    assert body["status"] == status
    if status == 404:
        assert body["title"] == error["title"] == "Not Found Error"
        assert body["type"] == error["type"] == "https://api.x.com/2/problems/resource-not-found"
    else:
        assert body["title"] == error["title"] == "Invalid Request"
        assert body["type"] == error["type"] == "https://api.x.com/2/problems/invalid-request"
    assert body["detail"] == error["detail"]
    assert error.get("parameter") == parameter
    for part in detail_parts:
        assert part in error["detail"]


# -- successful uploads -------------------------------------------------------------------------------


def test_one_byte_image(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    init = v2.initialize(total_bytes=1, media_type="image/png", media_category="tweet_image")
    assert init.status_code == 200, init.text
    session = init.json()["data"]
    assert set(session) == {"id", "media_key", "expires_after_secs"}
    assert len(session["id"]) == 19 and session["id"].isdigit()
    assert session["media_key"] == f"3_{session['id']}"
    # "Chunked media upload" quickstart: a fresh session reports "expires_after_secs": 1295999,
    # whole seconds left of 15 days.
    assert ads_api_emulator.config.upload_expires_after_secs == 15 * 24 * 3600
    assert 1_295_990 <= session["expires_after_secs"] <= 1_295_999

    append = v2.append(session["id"], 0, b"\x89")
    assert append.status_code == 200, append.text
    expires_at = append.json()["data"]["expires_at"]
    assert abs(expires_at - (time.time() + ads_api_emulator.config.upload_expires_after_secs)) < 60

    final = v2.finalize(session["id"])
    assert final.status_code == 200, final.text
    data = final.json()["data"]
    assert data["id"] == session["id"] and data["media_key"] == session["media_key"]
    assert data["size"] == 1
    assert "processing_info" not in data

    record = _record(ads_api_emulator, session["id"])
    assert record.finalized and record.state == "succeeded"
    assert record.sha256 == sha256(b"\x89")
    assert record.received_bytes == record.total_bytes == 1
    assert (record.media_category, record.media_type) == ("tweet_image", "image/png")
    assert (record.width, record.height) == (None, None)  # one byte is no readable header

    status = v2.status(session["id"])
    assert status.status_code == 200
    # The spec's STATUS response carries size and expires_after_secs, as FINALIZE does.
    assert status.json() == {
        "data": {
            "id": session["id"],
            "media_key": session["media_key"],
            "size": 1,
            "expires_after_secs": status.json()["data"]["expires_after_secs"],
        }
    }
    assert 0 < status.json()["data"]["expires_after_secs"] <= 1_296_000


def test_exactly_one_full_segment(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    data = png(320, 50)
    data += noise(5 * MiB - len(data))  # trailing bytes do not bother the header reader
    result = v2.upload(data, "dm_image", "image/png", segment_bytes=5 * MiB)
    assert result["size"] == 5 * MiB
    record = _record(ads_api_emulator, result["id"])
    assert record.sha256 == sha256(data)
    assert (record.width, record.height) == (320, 50)
    assert record.media_key == f"3_{result['id']}"


def test_many_segments_out_of_order_from_parallel_connections(
    v2: V2Client, ads_api_emulator: AdsApiEmulator
) -> None:
    data = mp4(3 * MiB + 12_345, seed=3)
    segments = split(data, 64 * 1024)
    order = list(range(len(segments)))
    random.Random(5).shuffle(order)
    result = v2.upload(data, "tweet_video", "video/mp4", segment_bytes=64 * 1024, order=order, threads=8)
    assert result["size"] == len(data)
    assert result["processing_info"]["state"] == "pending"
    record = _record(ads_api_emulator, result["id"])
    assert record.sha256 == sha256(data)
    assert record.received_bytes == len(data)


@pytest.mark.parametrize(
    ("category", "media_type", "prefix"),
    [
        ("tweet_image", "image/jpeg", "3"),
        ("dm_image", "image/bmp", "3"),
        ("tweet_gif", "image/gif", "16"),
        ("dm_gif", "image/gif", "16"),
        ("tweet_video", "video/mp4", "7"),
        ("dm_video", "video/quicktime", "7"),
        ("amplify_video", "video/mp4", "13"),
    ],
)
def test_media_key_prefix_by_category(
    v2: V2Client, ads_api_emulator: AdsApiEmulator, category: str, media_type: str, prefix: str
) -> None:
    response = v2.initialize(total_bytes=10, media_type=media_type, media_category=category)
    assert response.status_code == 200, response.text
    session = response.json()["data"]
    assert session["media_key"] == f"{prefix}_{session['id']}"
    record = ads_api_emulator.state.media[session["media_key"]]
    assert (record.media_category, record.media_type, record.total_bytes) == (category, media_type, 10)
    assert record.needs_processing is (prefix != "3")
    assert not record.finalized


def test_sha256_is_in_the_inspection_snapshot(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    data = noise(1000)
    result = v2.upload(data, "tweet_image", "image/jpeg", segment_bytes=300)
    snapshot = {media["media_key"]: media for media in ads_api_emulator.state.snapshot()["media"]}
    assert snapshot[result["media_key"]]["sha256"] == sha256(data)
    assert snapshot[result["media_key"]]["finalized"] is True


def test_simple_upload(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    data = png(300, 250)
    response = v2.simple(data, media_category="tweet_image", media_type="image/png")
    assert response.status_code == 200, response.text
    result = response.json()["data"]
    assert result["size"] == len(data)
    assert result["media_key"] == f"3_{result['id']}"
    assert "processing_info" not in result
    record = _record(ads_api_emulator, result["id"])
    assert record.finalized and record.state == "succeeded"
    assert record.sha256 == sha256(data)
    assert (record.width, record.height, record.media_type) == (300, 250, "image/png")


def test_simple_upload_reads_the_media_type_from_the_bytes(v2: V2Client, ads_api_emulator) -> None:
    response = v2.simple(png(2, 3), media_category="dm_image")
    assert response.status_code == 200, response.text
    assert _record(ads_api_emulator, response.json()["data"]["id"]).media_type == "image/png"


def test_additional_owners_are_kept(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    owners = [str(10**12 + n) for n in range(100)]
    init = v2.initialize(
        total_bytes=10, media_type="image/png", media_category="tweet_image", additional_owners=owners
    )
    assert init.status_code == 200, init.text
    assert _record(ads_api_emulator, init.json()["data"]["id"]).extra["additional_owners"] == owners


def test_largest_allowed_sizes_are_accepted(v2: V2Client) -> None:
    for category, media_type, size in [
        ("tweet_image", "image/webp", 5_242_880),
        ("tweet_gif", "image/gif", 15_728_640),
        ("amplify_video", "video/quicktime", 536_870_912),
    ]:
        response = v2.initialize(total_bytes=size, media_type=media_type, media_category=category)
        assert response.status_code == 200, response.text


# -- idempotency --------------------------------------------------------------------------------------


def test_resending_a_segment_replaces_it(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    data = noise(300, seed=9)
    media_id = v2.start(data, "tweet_image", "image/jpeg")
    assert v2.append(media_id, 0, b"x" * 100).status_code == 200
    assert v2.append(media_id, 1, data[100:200]).status_code == 200
    assert v2.append(media_id, 2, data[200:]).status_code == 200
    assert v2.append(media_id, 0, data[:100]).status_code == 200  # the retry replaces the bad first try
    assert v2.append(media_id, 2, data[200:]).status_code == 200  # an identical retry changes nothing
    assert _record(ads_api_emulator, media_id).received_bytes == 300
    assert v2.finalize(media_id).status_code == 200
    assert _record(ads_api_emulator, media_id).sha256 == sha256(data)


def test_finalizing_twice_returns_the_same_data(v2: V2Client) -> None:
    media_id = v2.start(b"abc", "tweet_image", "image/png")
    assert v2.append(media_id, 0, b"abc").status_code == 200
    first = v2.finalize(media_id)
    second = v2.finalize(media_id)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()


def test_finalizing_a_video_twice_keeps_its_processing(v2: V2Client, ads_api_emulator) -> None:
    ads_api_emulator.update_config(processing_seconds=60)
    result = v2.upload(mp4(1000), "tweet_video", "video/mp4")
    again = v2.finalize(result["id"]).json()["data"]
    assert again["processing_info"] == result["processing_info"]
    assert {k: again[k] for k in ("id", "media_key", "size")} == {
        k: result[k] for k in ("id", "media_key", "size")
    }


# -- validation -----------------------------------------------------------------------------------------

_GOOD_INIT = {"total_bytes": 1000, "media_type": "image/png", "media_category": "tweet_image"}


@pytest.mark.parametrize(
    ("changes", "parameter", "detail"),
    [
        ({"total_bytes": None}, "total_bytes", "missing"),
        ({"media_type": None}, "media_type", "missing"),
        ({"media_category": None, "media_type": "model/gltf-binary"}, "media_type", "media_category"),
        ({"shared": "maybe"}, "shared", "maybe"),
        ({"media_category": "tweet_banner"}, "media_category", "tweet_banner"),
        ({"media_category": "TWEET_IMAGE"}, "media_category", "TWEET_IMAGE"),
        ({"media_type": "video/mp4"}, "media_type", "video/mp4"),
        ({"media_type": "image/gif"}, "media_type", "image/gif"),
        ({"media_category": "tweet_gif"}, "media_type", "image/png"),
        ({"media_category": "amplify_video", "media_type": "image/png"}, "media_type", "amplify_video"),
        ({"total_bytes": 0}, "total_bytes", "positive"),
        ({"total_bytes": -5}, "total_bytes", "-5"),
        ({"total_bytes": "ten"}, "total_bytes", "ten"),
        ({"total_bytes": 1.5}, "total_bytes", "1.5"),
        ({"total_bytes": 5_242_881}, "total_bytes", "5242880"),
        (
            {"total_bytes": 15_728_641, "media_category": "dm_gif", "media_type": "image/gif"},
            "total_bytes",
            "15728640",
        ),
        (
            {"total_bytes": 536_870_913, "media_category": "tweet_video", "media_type": "video/mp4"},
            "total_bytes",
            "536870912",
        ),
        ({"additional_owners": ["12", "@someone"]}, "additional_owners", "@someone"),
        ({"additional_owners": [str(n) for n in range(1, 102)]}, "additional_owners", "100"),
    ],
)
def test_initialize_rejects(
    v2: V2Client, ads_api_emulator, changes: dict, parameter: str, detail: str
) -> None:
    body = {**_GOOD_INIT, **changes}
    response = v2.initialize(**{k: v for k, v in body.items() if v is not None})
    _assert_problem(response, 400, parameter, detail)
    assert ads_api_emulator.state.media == {}


@pytest.fixture
def session_id(v2: V2Client) -> str:
    return v2.start(b"0123456789", "tweet_image", "image/png")


@pytest.mark.parametrize(
    ("segment_index", "parameter", "detail"),
    [
        ("", "segment_index", "missing"),
        ("-1", "segment_index", "-1"),
        ("1000", "segment_index", "1000"),
        ("one", "segment_index", "one"),
        ("1.0", "segment_index", "1.0"),
    ],
)
def test_append_rejects_bad_segment_index(
    v2: V2Client, session_id: str, segment_index: str, parameter: str, detail: str
) -> None:
    _assert_problem(v2.append(session_id, segment_index, b"01"), 400, parameter, detail)


def test_append_accepts_the_highest_segment_index(v2: V2Client, session_id: str) -> None:
    assert v2.append(session_id, 999, b"01").status_code == 200


def test_append_rejects_an_empty_or_missing_segment(v2: V2Client, session_id: str) -> None:
    _assert_problem(v2.append(session_id, 0, b""), 400, "media", "empty")
    missing = v2.request("POST", f"/2/media/upload/{session_id}/append", data={"segment_index": "0"})
    _assert_problem(missing, 400, "media", "missing")


def test_append_rejects_a_segment_over_5_mib(v2: V2Client) -> None:
    media_id = v2.start(b"\x00" * (5 * MiB + 1), "tweet_gif", "image/gif")
    _assert_problem(v2.append(media_id, 0, b"\x00" * (5 * MiB + 1)), 400, "media", "5242880")


def test_append_never_exceeds_total_bytes(v2: V2Client, session_id: str, ads_api_emulator) -> None:
    assert v2.append(session_id, 0, b"012345").status_code == 200
    _assert_problem(v2.append(session_id, 1, b"67890"), 400, "media", "total_bytes 10")
    _assert_problem(v2.append(session_id, 0, b"0123456789A"), 400, "media", "total_bytes 10")
    # Replacing segment 0 counts its new size only.
    assert v2.append(session_id, 0, b"0123").status_code == 200
    assert v2.append(session_id, 1, b"456789").status_code == 200
    assert _record(ads_api_emulator, session_id).received_bytes == 10


def test_unknown_and_malformed_media_ids(v2: V2Client) -> None:
    unknown = "1000000000000000001"
    _assert_problem(v2.append(unknown, 0, b"x"), 404, "media_id", unknown)
    _assert_problem(v2.finalize(unknown), 404, "media_id", unknown)
    _assert_problem(v2.status(unknown), 404, "media_id", unknown)
    _assert_problem(v2.append("abc", 0, b"x"), 400, "id", "abc")
    _assert_problem(v2.finalize("abc"), 400, "id", "abc")
    _assert_problem(v2.status("abc"), 400, "media_id", "abc")


def test_finalize_with_a_missing_segment(v2: V2Client, session_id: str) -> None:
    assert v2.append(session_id, 0, b"0123").status_code == 200
    assert v2.append(session_id, 2, b"789").status_code == 200
    _assert_problem(v2.finalize(session_id), 400, "segment_index", "Segments 1 ")
    assert v2.append(session_id, 1, b"456").status_code == 200
    assert v2.finalize(session_id).status_code == 200


def test_finalize_with_too_few_bytes(v2: V2Client, session_id: str) -> None:
    _assert_problem(v2.finalize(session_id), 400, "total_bytes", "0 bytes", "10")
    assert v2.append(session_id, 0, b"012345678").status_code == 200
    _assert_problem(v2.finalize(session_id), 400, "total_bytes", "9 bytes", "10")


def test_append_after_finalize_is_rejected(v2: V2Client, session_id: str) -> None:
    assert v2.append(session_id, 0, b"0123456789").status_code == 200
    assert v2.finalize(session_id).status_code == 200
    _assert_problem(v2.append(session_id, 0, b"0123456789"), 400, "media_id", "already finalized")


def test_status_needs_a_finalized_media_and_takes_an_optional_command(v2: V2Client, session_id: str) -> None:
    """The v2 spec's STATUS: ``media_id`` required, ``command`` optional (STATUS if given)."""
    _assert_problem(v2.status(session_id), 400, "media_id", "not been finalized")
    wrong = v2.request("GET", "/2/media/upload", params={"command": "FINALIZE", "media_id": session_id})
    _assert_problem(wrong, 400, "command", "STATUS")
    no_id = v2.request("GET", "/2/media/upload", params={"command": "STATUS"})
    _assert_problem(no_id, 400, "media_id", "missing")
    assert v2.append(session_id, 0, b"0123456789").status_code == 200
    assert v2.finalize(session_id).status_code == 200
    no_command = v2.request("GET", "/2/media/upload", params={"media_id": session_id})
    assert no_command.status_code == 200, no_command.text
    assert no_command.json()["data"]["id"] == session_id


def test_expired_session(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(upload_expires_after_secs=0)
    media_id = v2.start(b"0123", "tweet_image", "image/png")
    _assert_problem(v2.append(media_id, 0, b"0123"), 400, "media_id", "expired")
    _assert_problem(v2.finalize(media_id), 400, "media_id", "expired")


def test_expiry_counts_from_initialize(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    media_id = v2.start(b"0123", "tweet_image", "image/png")
    assert v2.append(media_id, 0, b"01").status_code == 200
    _record(ads_api_emulator, media_id).expires_at = time.time() - 1  # as if a day had passed
    _assert_problem(v2.append(media_id, 1, b"23"), 400, "media_id", "expired")


@pytest.mark.parametrize(
    ("fields", "parameter", "detail"),
    [
        ({"media_category": "tweet_video", "media_type": "video/mp4"}, "media_category", "INIT, APPEND"),
        ({"media_category": "tweet_image", "media_type": "image/gif"}, "media_type", "image/gif"),
        ({"media_category": "tweet_image"}, "media_type", "missing"),  # bytes that are no known image
    ],
)
def test_simple_upload_rejects(
    v2: V2Client, ads_api_emulator, fields: dict, parameter: str, detail: str
) -> None:
    _assert_problem(v2.simple(b"not an image", **fields), 400, parameter, detail)
    assert ads_api_emulator.state.media == {}


def test_simple_upload_rejects_missing_empty_and_oversized_media(v2: V2Client) -> None:
    fields = {"media_category": "tweet_image", "media_type": "image/png"}
    _assert_problem(v2.request("POST", "/2/media/upload", data=fields), 400, "media", "missing")
    _assert_problem(v2.simple(b"", **fields), 400, "media", "empty")
    _assert_problem(v2.simple(b"\x00" * 5_242_881, **fields), 400, "media", "5242881 bytes", "5242880")


def test_unsigned_upload_request_is_401(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    import requests

    response = requests.post(f"{ads_api_emulator.url}/2/media/upload/initialize", json=_GOOD_INIT)
    assert response.status_code == 401
