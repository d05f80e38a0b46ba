"""Documented shapes of the v2 media upload API that the other upload tests do not pin.

Pages: the v2 media upload OpenAPI spec (initialize, append, finalize, STATUS), the "Chunked media
upload" quickstart and the "Best practices" media page.
"""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.samples import gif, mp4, png

from .upload_client import V2Client, V11Client


@pytest.fixture
def v2(ads_api_emulator: AdsApiEmulator) -> V2Client:
    return V2Client(ads_api_emulator)


@pytest.mark.parametrize(
    ("media_type", "category", "key_prefix"),
    [("image/png", "tweet_image", "3"), ("image/gif", "tweet_gif", "16"), ("video/mp4", "tweet_video", "7")],
)
def test_initialize_without_media_category_is_for_a_post(
    v2: V2Client, ads_api_emulator: AdsApiEmulator, media_type: str, category: str, key_prefix: str
) -> None:
    """ "Best practices": without media_category, media is tweet_image, tweet_video or tweet_gif by type."""
    response = v2.initialize(total_bytes=100, media_type=media_type)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["media_key"] == f"{key_prefix}_{data['id']}"
    assert ads_api_emulator.state.media_by_id(data["id"]).media_category == category


@pytest.mark.parametrize(
    ("category", "media_type"),
    [
        ("tweet_image", "image/tiff"),
        ("tweet_image", "image/pjpeg"),
        ("dm_video", "video/webm"),
        ("amplify_video", "video/mp2t"),
        ("subtitles", "text/srt"),
        ("subtitles", "text/vtt"),
    ],
)
def test_initialize_takes_the_spec_media_types_and_subtitles(
    v2: V2Client, ads_api_emulator: AdsApiEmulator, category: str, media_type: str
) -> None:
    """The spec's media_type enum and its ``subtitles`` category."""
    response = v2.initialize(total_bytes=100, media_type=media_type, media_category=category)
    assert response.status_code == 200, response.text
    record = ads_api_emulator.state.media_by_id(response.json()["data"]["id"])
    assert (record.media_category, record.media_type) == (category, media_type)


def test_subtitles_need_no_processing_and_are_no_ad_media(
    v2: V2Client, ads_api_emulator: AdsApiEmulator
) -> None:
    srt = b"1\n00:00:00,000 --> 00:00:01,000\nHello\n"
    result = v2.upload(srt, "subtitles", "text/srt")
    assert result["size"] == len(srt)
    assert "processing_info" not in result and "image" not in result and "video" not in result
    assert ads_api_emulator.state.media[result["media_key"]].state == "succeeded"


@pytest.mark.parametrize("shared", [True, False])
def test_initialize_takes_shared(v2: V2Client, ads_api_emulator: AdsApiEmulator, shared: bool) -> None:
    """The spec's ``shared`` boolean of initialize."""
    response = v2.initialize(total_bytes=10, media_type="image/png", media_category="dm_image", shared=shared)
    assert response.status_code == 200, response.text
    assert ads_api_emulator.state.media_by_id(response.json()["data"]["id"]).extra["shared"] is shared


def test_finalize_and_status_describe_an_image(v2: V2Client) -> None:
    """The spec's media upload response: ``image`` with ``image_type``, ``w`` and ``h``."""
    result = v2.upload(png(300, 250), "tweet_image", "image/png")
    assert result["image"] == {"image_type": "image/png", "w": 300, "h": 250}
    status = v2.status(result["id"]).json()["data"]
    assert status["image"] == result["image"]
    assert status["size"] == result["size"] and status["expires_after_secs"] > 0


@pytest.mark.parametrize(
    ("data", "category", "media_type", "video_type"),
    [
        (mp4(2000), "amplify_video", "video/mp4", "video/mp4"),
        (gif(4, 4), "tweet_gif", "image/gif", "video/mp4"),
    ],
)
def test_finalize_and_status_describe_a_video(
    v2: V2Client,
    ads_api_emulator: AdsApiEmulator,
    data: bytes,
    category: str,
    media_type: str,
    video_type: str,
) -> None:
    """The spec's media upload response: ``video`` with ``video_type`` (GIFs are served as MP4)."""
    ads_api_emulator.update_config(processing_seconds=0)
    result = v2.upload(data, category, media_type)
    assert result["video"] == {"video_type": video_type}
    status = v2.status(result["id"]).json()["data"]
    assert status["video"] == result["video"]
    assert status["processing_info"] == {"state": "succeeded", "progress_percent": 100}


def test_v11_finalize_describes_the_media_too(ads_api_emulator: AdsApiEmulator) -> None:
    """ "POST media/upload (FINALIZE)" (v1.1): the same ``image`` object."""
    body = V11Client(ads_api_emulator).upload(png(320, 50), "tweet_image", "image/png")
    assert body["image"] == {"image_type": "image/png", "w": 320, "h": 50}


def test_model_media_types_fit_no_category(v2: V2Client, ads_api_emulator: AdsApiEmulator) -> None:
    """3D model types are in the spec's enum, but no documented category takes them."""
    response = v2.initialize(total_bytes=10, media_type="model/gltf-binary", media_category="tweet_image")
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "media_type"
    assert ads_api_emulator.state.media == {}
