"""The emulator's v1.1 ``media/upload.json`` over HTTP: INIT/APPEND/FINALIZE/STATUS, simple upload, errors."""

from __future__ import annotations

import random

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.samples import gif, mp4, noise, png, sha256

from .upload_client import V11Client, split

MiB = 1024 * 1024


@pytest.fixture
def v11(ads_api_emulator: AdsApiEmulator) -> V11Client:
    return V11Client(ads_api_emulator)


def _assert_coded_error(response, code: int, *message_parts: str) -> None:
    """``{"errors": [{"code", "message"}]}`` with status 400."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"errors"}
    assert body["errors"][0]["code"] == code
    for part in message_parts:
        assert part in body["errors"][0]["message"]


def _assert_request_error(response, *message_parts: str) -> None:
    """``{"request": "/1.1/media/upload.json", "error": "..."}`` with status 400."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["request"] == "/1.1/media/upload.json"
    for part in message_parts:
        assert part in body["error"]


def test_one_byte_upload_and_status(v11: V11Client, ads_api_emulator: AdsApiEmulator) -> None:
    init = v11.init(total_bytes=1, media_type="image/jpeg", media_category="dm_image")
    assert init.status_code == 200, init.text
    session = init.json()
    assert set(session) == {"media_id", "media_id_string", "media_key", "expires_after_secs"}
    assert session["media_id"] == int(session["media_id_string"])
    assert session["media_key"] == f"3_{session['media_id_string']}"
    media_id = session["media_id_string"]

    append = v11.append(media_id, 0, b"\xff")
    assert append.status_code == 204
    assert append.content == b""

    final = v11.finalize(media_id)
    assert final.status_code == 200, final.text
    body = final.json()
    assert {k: body[k] for k in ("media_id", "media_id_string", "media_key", "size")} == {
        "media_id": session["media_id"],
        "media_id_string": media_id,
        "media_key": session["media_key"],
        "size": 1,
    }
    assert body["expires_after_secs"] > 0
    assert "processing_info" not in body

    status = v11.status(media_id)
    assert status.status_code == 200
    # "GET media/upload (STATUS)": ids and expires_after_secs, no size; no image object for a
    # byte that holds no image dimensions.
    assert status.json() == {
        "media_id": session["media_id"],
        "media_id_string": media_id,
        "media_key": session["media_key"],
        "expires_after_secs": status.json()["expires_after_secs"],
    }
    assert 0 < status.json()["expires_after_secs"] <= ads_api_emulator.config.upload_expires_after_secs
    assert ads_api_emulator.state.media_by_id(media_id).sha256 == sha256(b"\xff")


def test_init_parameters_may_come_in_the_query_string(v11: V11Client) -> None:
    response = v11.request(
        "POST",
        v11.path,
        params={
            "command": "INIT",
            "total_bytes": "10",
            "media_type": "video/mp4",
            "media_category": "tweet_video",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["media_key"].startswith("7_")


def test_exactly_one_segment_video_with_processing(v11: V11Client, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=60, check_after_secs=3)
    data = mp4(200_000)
    body = v11.upload(data, "amplify_video", "video/mp4", segment_bytes=len(data))
    assert body["media_key"] == f"13_{body['media_id_string']}"
    assert body["processing_info"] == {"state": "pending", "progress_percent": 0, "check_after_secs": 3}
    status = v11.status(body["media_id_string"]).json()
    assert status["processing_info"]["state"] == "pending"
    assert ads_api_emulator.state.media_by_id(body["media_id_string"]).sha256 == sha256(data)


def test_many_segments_out_of_order_from_parallel_connections(
    v11: V11Client, ads_api_emulator: AdsApiEmulator
) -> None:
    data = gif(480, 270) + noise(2 * MiB, seed=11)
    order = list(range(len(split(data, 50_000))))
    random.Random(2).shuffle(order)
    body = v11.upload(data, "tweet_gif", "image/gif", segment_bytes=50_000, order=order, threads=6)
    assert body["media_key"] == f"16_{body['media_id_string']}"
    record = ads_api_emulator.state.media_by_id(body["media_id_string"])
    assert record.sha256 == sha256(data)
    assert (record.width, record.height) == (480, 270)


def test_simple_upload_without_command(v11: V11Client, ads_api_emulator: AdsApiEmulator) -> None:
    data = png(728, 90)
    response = v11.simple(data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["size"] == len(data)
    assert body["media_id"] == int(body["media_id_string"])
    record = ads_api_emulator.state.media_by_id(body["media_id_string"])
    assert (record.media_category, record.media_type) == ("tweet_image", "image/png")  # the defaults
    assert (record.width, record.height) == (728, 90)
    assert record.sha256 == sha256(data)


def test_simple_upload_with_base64_media_data(v11: V11Client, ads_api_emulator: AdsApiEmulator) -> None:
    import base64

    data = png(1, 1)
    response = v11.request(
        "POST", v11.path, data={"media_data": base64.b64encode(data).decode(), "media_category": "dm_image"}
    )
    assert response.status_code == 200, response.text
    assert ads_api_emulator.state.media_by_id(response.json()["media_id_string"]).sha256 == sha256(data)
    bad = v11.request("POST", v11.path, data={"media_data": "%%%not base64"})
    _assert_coded_error(bad, 324, "media_data")


def test_resending_a_segment_and_finalizing_twice(v11: V11Client, ads_api_emulator: AdsApiEmulator) -> None:
    data = noise(20, seed=4)
    media_id = v11.start(data, "tweet_image", "image/webp")
    assert v11.append(media_id, 1, data[10:]).status_code == 204
    assert v11.append(media_id, 0, b"\x00" * 10).status_code == 204
    assert v11.append(media_id, 0, data[:10]).status_code == 204
    first, second = v11.finalize(media_id), v11.finalize(media_id)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert ads_api_emulator.state.media_by_id(media_id).sha256 == sha256(data)


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["total_bytes", "media_type"])
def test_init_missing_parameter_is_code_38(v11: V11Client, missing: str) -> None:
    """ "POST media/upload (INIT)": total_bytes and media_type are required."""
    fields = {"total_bytes": "10", "media_type": "image/png", "media_category": "tweet_image"}
    del fields[missing]
    _assert_coded_error(v11.init(**fields), 38, f"{missing} parameter is missing")


def test_init_without_media_category_is_for_a_post(v11: V11Client, ads_api_emulator: AdsApiEmulator) -> None:
    """ "POST media/upload (INIT)": media_category is needed only sometimes; without it, media is
    for a Post by its type (v2 "Best practices" media page)."""
    init = v11.init(total_bytes="10", media_type="image/png")
    assert init.status_code == 200, init.text
    assert ads_api_emulator.state.media_by_id(init.json()["media_id_string"]).media_category == "tweet_image"


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"media_category": "story_image"}, "media_category"),
        ({"media_type": "video/mp4"}, "media_type"),
        ({"total_bytes": "0"}, "total_bytes"),
        ({"total_bytes": "5242881"}, "5242880"),
        ({"additional_owners": "12,abc"}, "additional_owners"),
        ({"additional_owners": ",".join(str(n) for n in range(1, 102))}, "at most 100"),
    ],
)
def test_init_invalid_parameter_is_code_324(v11: V11Client, fields: dict, detail: str) -> None:
    good = {"total_bytes": "10", "media_type": "image/png", "media_category": "tweet_image"}
    _assert_coded_error(v11.init(**{**good, **fields}), 324, detail)


def test_append_errors(v11: V11Client) -> None:
    media_id = v11.start(b"0123456789", "tweet_image", "image/png")
    _assert_coded_error(v11.append(media_id, "1000", b"x"), 324, "segment_index")
    _assert_coded_error(v11.append(media_id, 0, b""), 324, "empty")
    _assert_coded_error(v11.append(media_id, 0, b"0123456789X"), 324, "total_bytes")
    no_media = v11.request(
        "POST", v11.path, data={"command": "APPEND", "media_id": media_id, "segment_index": "0"}
    )
    _assert_coded_error(no_media, 38, "media parameter is missing")
    no_index = v11.request(
        "POST", v11.path, data={"command": "APPEND", "media_id": media_id}, files={"media": ("blob", b"x")}
    )
    _assert_coded_error(no_index, 38, "segment_index parameter is missing")
    no_id = v11.request("POST", v11.path, data={"command": "FINALIZE"})
    _assert_coded_error(no_id, 38, "media_id parameter is missing")


def test_unknown_media_id_is_400_like_the_real_endpoint(v11: V11Client) -> None:
    unknown = "1000000000000000001"
    _assert_request_error(v11.append(unknown, 0, b"x"), "media_id", unknown)
    _assert_request_error(v11.finalize(unknown), "media_id", unknown)
    _assert_request_error(v11.status(unknown), "media_id", unknown)


def test_finalize_errors(v11: V11Client) -> None:
    media_id = v11.start(b"0123456789", "tweet_image", "image/png")
    assert v11.append(media_id, 1, b"56789").status_code == 204
    _assert_request_error(v11.finalize(media_id), "Segments 0 ")
    assert v11.append(media_id, 0, b"0123").status_code == 204
    _assert_request_error(v11.finalize(media_id), "9 bytes", "total_bytes 10")


def test_expired_session(v11: V11Client, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(upload_expires_after_secs=0)
    media_id = v11.start(b"0123", "tweet_image", "image/png")
    _assert_request_error(v11.append(media_id, 0, b"0123"), "expired")
    _assert_request_error(v11.finalize(media_id), "expired")


def test_commands(v11: V11Client) -> None:
    _assert_coded_error(
        v11.request("POST", v11.path, data={"command": "STATUS", "media_id": "1"}), 324, "command"
    )
    _assert_coded_error(v11.request("POST", v11.path, data={"command": "init"}), 324, "command")
    _assert_coded_error(v11.request("GET", v11.path, params={"command": "INIT"}), 324, "STATUS")
    _assert_coded_error(v11.request("GET", v11.path, params={"media_id": "1"}), 38, "command")
    _assert_coded_error(v11.request("POST", v11.path, data={"media_category": "tweet_image"}), 38, "media")
