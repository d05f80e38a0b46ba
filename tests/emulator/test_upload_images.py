"""The emulator's image header reader, directly and through uploads over HTTP."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.images import ImageHeader, read_image_header
from airflow_provider_twitter_ads.emulator.samples import (
    bmp,
    gif,
    jpeg,
    mp4,
    noise,
    png,
    webp_extended,
    webp_lossless,
    webp_lossy,
)

from .upload_client import V2Client, V11Client

SAMPLES = {
    "png": (png(320, 50), ImageHeader("image/png", 320, 50)),
    "jpeg": (jpeg(300, 250), ImageHeader("image/jpeg", 300, 250)),
    "jpeg_progressive": (jpeg(768, 1024, sof=0xC2), ImageHeader("image/jpeg", 768, 1024)),
    "jpeg_big_exif": (jpeg(1024, 768, exif_bytes=200_000), ImageHeader("image/jpeg", 1024, 768)),
    "gif": (gif(480, 320, first_frame=(10, 10)), ImageHeader("image/gif", 480, 320)),
    "webp_lossy": (webp_lossy(320, 480), ImageHeader("image/webp", 320, 480)),
    "webp_lossless": (webp_lossless(728, 90), ImageHeader("image/webp", 728, 90)),
    "webp_extended": (webp_extended(16383, 16384), ImageHeader("image/webp", 16383, 16384)),
    "bmp": (bmp(3, 2), ImageHeader("image/bmp", 3, 2)),
    "bmp_top_down": (bmp(5, 4, top_down=True), ImageHeader("image/bmp", 5, 4)),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_reads_type_and_dimensions(name: str) -> None:
    data, expected = SAMPLES[name]
    assert read_image_header(data) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (png(320, 50)[:20], ImageHeader("image/png", None, None)),
        (jpeg(300, 250, exif_bytes=70_000)[:65_000], ImageHeader("image/jpeg", None, None)),
        (b"GIF87a\x01", ImageHeader("image/gif", None, None)),
        (webp_lossy(10, 10)[:24], ImageHeader("image/webp", None, None)),
        (bmp(3, 2)[:20], ImageHeader("image/bmp", None, None)),
    ],
)
def test_cut_off_headers_give_the_type_without_dimensions(head: bytes, expected: ImageHeader) -> None:
    assert read_image_header(head) == expected


def test_jpeg_without_a_frame_before_the_scan_has_no_dimensions() -> None:
    data = b"\xff\xd8\xff\xe0\x00\x04ab" + b"\xff\xda\x00\x04ab"
    assert read_image_header(data) == ImageHeader("image/jpeg", None, None)


@pytest.mark.parametrize("data", [b"", b"hello world", mp4(100), b"RIFF\x00\x00\x00\x00WAVEfmt "])
def test_other_bytes_are_no_image(data: bytes) -> None:
    assert read_image_header(data) is None


# -- over HTTP: what finalize records ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media_type", "category", "segment_bytes"),
    [
        # Segment sizes chosen so that the dimension fields straddle two spooled segment files.
        ("png", "image/png", "tweet_image", 20),
        ("jpeg_big_exif", "image/jpeg", "tweet_image", 65_536),
        ("webp_lossless", "image/webp", "dm_image", 24),
        ("bmp", "image/bmp", "tweet_image", 20),
        ("gif", "image/gif", "tweet_gif", 8),
    ],
)
def test_finalize_records_dimensions_from_headers_split_across_segments(
    ads_api_emulator: AdsApiEmulator, name: str, media_type: str, category: str, segment_bytes: int
) -> None:
    data, expected = SAMPLES[name]
    result = V2Client(ads_api_emulator).upload(data, category, media_type, segment_bytes=segment_bytes)
    record = ads_api_emulator.state.media_by_id(result["id"])
    assert (record.width, record.height) == (expected.width, expected.height)


def test_simple_upload_records_dimensions(ads_api_emulator: AdsApiEmulator) -> None:
    response = V11Client(ads_api_emulator).simple(jpeg(320, 480), media_category="tweet_image")
    assert response.status_code == 200, response.text
    record = ads_api_emulator.state.media_by_id(response.json()["media_id_string"])
    assert (record.media_type, record.width, record.height) == ("image/jpeg", 320, 480)


def test_videos_and_unreadable_images_have_no_dimensions(ads_api_emulator: AdsApiEmulator) -> None:
    client = V2Client(ads_api_emulator)
    video = client.upload(mp4(5000), "tweet_video", "video/mp4")
    unreadable = client.upload(noise(5000), "tweet_image", "image/png")
    for result in (video, unreadable):
        record = ads_api_emulator.state.media_by_id(result["id"])
        assert (record.width, record.height) == (None, None)
