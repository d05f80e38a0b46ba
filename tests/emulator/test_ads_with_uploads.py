"""The Ads endpoints over media that went through the real upload endpoints (v2), end to end."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples

from .ads_client import AdsClient, error_of


def _upload_image(ads: AdsClient, width: int, height: int) -> dict:
    response = ads.session.post(
        f"{ads.emulator.url}/2/media/upload",
        files={"media": ("ad.png", samples.png(width, height), "image/png")},
        data={"media_category": "tweet_image", "media_type": "image/png"},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()["data"]


def _upload_video(ads: AdsClient, data: bytes) -> dict:
    base = f"{ads.emulator.url}/2/media/upload"
    init = ads.session.post(
        f"{base}/initialize",
        json={"media_type": "video/mp4", "total_bytes": len(data), "media_category": "amplify_video"},
        timeout=10,
    )
    assert init.status_code in (200, 201, 202), init.text
    media_id = init.json()["data"]["id"]
    append = ads.session.post(
        f"{base}/{media_id}/append", files={"media": ("v.mp4", data)}, data={"segment_index": "0"}, timeout=10
    )
    assert append.status_code in (200, 201, 202, 204), append.text
    finalize = ads.session.post(f"{base}/{media_id}/finalize", timeout=10)
    assert finalize.status_code in (200, 201, 202), finalize.text
    return finalize.json()["data"]


def _let_processing_time_pass(emulator: AdsApiEmulator, media_key: str) -> None:
    """Move the record's processing start into the past instead of sleeping through it."""
    with emulator.state.lock:
        record = emulator.state.media[media_key]
        assert record.processing_started_at is not None
        record.processing_started_at -= record.processing_seconds + 1


def test_uploaded_medium_rectangle_image_becomes_account_media(ads: AdsClient) -> None:
    uploaded = _upload_image(ads, 300, 250)
    entry = ads.post("media_library", params={"media_key": uploaded["media_key"], "name": "Rectangle"})
    assert entry.status_code == 201
    assert entry.json()["data"]["media_type"] == "IMAGE"
    assert entry.json()["data"]["media_url"].endswith(".png")
    [account_media] = ads.get("account_media").json()["data"]
    assert account_media["creative_type"] == "MEDIUM_RECTANGLE"
    # Found without a media_key (off by default): the new account media of the size's creative type.
    assert "media_key" not in account_media
    assert account_media["media_url"] == entry.json()["data"]["media_url"]
    creative = ads.post(
        "media_creatives",
        params={
            "account_media_id": account_media["id"],
            "line_item_id": "8v7jo",
            "landing_url": "https://example.com/coffee",
        },
    )
    assert creative.status_code == 201


def test_uploaded_amplify_video_is_refused_until_processed(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    ads_api_emulator.update_config(processing_seconds=60)
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(2000)
    uploaded = _upload_video(ads, video)
    early = ads.post("media_library", params={"media_key": uploaded["media_key"]})
    assert error_of(early) == (400, "INVALID_MEDIA", "media_key")
    assert ads.get("account_media").json()["data"] == []
    _let_processing_time_pass(ads_api_emulator, uploaded["media_key"])
    # No STATUS poll in between: the library reads the processing clock itself.
    entry = ads.post("media_library", params={"media_key": uploaded["media_key"]})
    assert entry.status_code == 201
    [account_media] = ads.get("account_media").json()["data"]
    assert account_media["creative_type"] == "PREROLL"
    assert account_media["video_id"] == uploaded["media_key"]


def test_video_that_failed_processing_is_refused(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    ads_api_emulator.update_config(processing_seconds=60)
    uploaded = _upload_video(ads, b"not a video at all" * 100)
    _let_processing_time_pass(ads_api_emulator, uploaded["media_key"])
    response = ads.post("media_library", params={"media_key": uploaded["media_key"]})
    assert error_of(response) == (400, "INVALID_MEDIA", "media_key")
    assert "failed" in response.json()["errors"][0]["message"]
