"""Media type inference order and image dimensions from headers."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.utils.segments import BytesRangeReader
from airflow_provider_twitter_ads.utils.sniff import (
    HEAD_BYTES,
    check_image_bytes,
    describe_head,
    image_dimensions,
    infer_media_type,
    media_type_from_magic,
)
from airflow_provider_twitter_ads.vocabulary import MEDIA_CATEGORIES

IMAGE_CATEGORIES = [c for c in MEDIA_CATEGORIES.values() if c.kind in ("image", "gif")]
TEXT = b"Spring launch: final copy, v3\nDo not upload this file.\n"


class CountingReader(BytesRangeReader):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[tuple[int, int]] = []

    def read_range(self, start: int, end: int) -> bytes:
        self.reads.append((start, end))
        return super().read_range(start, end)


def _never() -> bytes:
    raise AssertionError("the object's bytes must not be read when metadata decides")


def test_specific_content_type_wins_over_extension_and_bytes() -> None:
    assert infer_media_type("video/quicktime", "clip.mp4", _never) == ("video/quicktime", "content_type")


@pytest.mark.parametrize("content_type", [None, "", "binary/octet-stream", "application/octet-stream"])
def test_generic_content_type_falls_back_to_the_extension(content_type: str | None) -> None:
    assert infer_media_type(content_type, "ads/Banner.JPG", _never) == ("image/jpeg", "extension")


def test_unknown_extension_falls_back_to_magic_bytes() -> None:
    head = samples.png(2, 2)
    assert infer_media_type("binary/octet-stream", "assets/banner", lambda: head) == ("image/png", "magic")


def test_nothing_recognized_gives_none() -> None:
    assert infer_media_type(None, "notes.txt", lambda: b"hello world") is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.jpeg(1, 1), "image/jpeg"),
        (samples.png(1, 1), "image/png"),
        (samples.gif(1, 1), "image/gif"),
        (samples.webp_lossy(8, 8), "image/webp"),
        (samples.bmp(1, 1), "image/bmp"),
        (samples.mp4(64), "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "video/quicktime"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", "video/quicktime"),
        (b"BM-not-really-a-bitmap", None),
        (b"", None),
    ],
)
def test_magic_bytes(data: bytes, expected: str | None) -> None:
    assert media_type_from_magic(data) == expected


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (samples.png(320, 50), (320, 50)),
        (samples.gif(480, 320), (480, 320)),
        (samples.jpeg(728, 90), (728, 90)),
        (samples.jpeg(300, 250, sof=0xC2), (300, 250)),
        (samples.webp_lossy(1024, 768), (1024, 768)),
        (samples.webp_lossless(768, 1024), (768, 1024)),
        (samples.webp_extended(4000, 3000), (4000, 3000)),
        (samples.bmp(320, 480), (320, 480)),
        (samples.bmp(30, 20, top_down=True), (30, 20)),
    ],
)
def test_image_dimensions(data: bytes, size: tuple[int, int]) -> None:
    assert image_dimensions(BytesRangeReader(data), len(data)) == size


def test_dimensions_read_only_the_head_of_a_large_image() -> None:
    data = samples.png(64, 64) + b"\x00" * (4 * 1024 * 1024)
    reader = CountingReader(data)
    assert image_dimensions(reader, len(data)) == (64, 64)
    assert reader.reads == [(0, HEAD_BYTES)]


def test_jpeg_frame_header_past_the_head_is_found_with_small_reads() -> None:
    # 200 KiB of EXIF-like segments before the frame header: past the 64 KiB head.
    data = samples.jpeg(1080, 1920, exif_bytes=200 * 1024) + b"\x00" * (1024 * 1024)
    reader = CountingReader(data)
    assert image_dimensions(reader, len(data)) == (1080, 1920)
    assert reader.reads[0] == (0, HEAD_BYTES)
    later = reader.reads[1:]
    assert later and all(end - start <= 7 for start, end in later)


@pytest.mark.parametrize(
    "data", [b"\xff\xd8\xff\xe0\x00", samples.png(3, 3)[:20], b"\xff\xd8\xff\xd9", samples.mp4(100)]
)
def test_truncated_or_non_images_give_no_dimensions(data: bytes) -> None:
    assert image_dimensions(BytesRangeReader(data), len(data)) is None


# -- the image signature check ------------------------------------------------------------------


def test_every_image_and_gif_category_of_the_vocabulary_is_checked() -> None:
    assert {c.name for c in IMAGE_CATEGORIES} == {"tweet_image", "dm_image", "tweet_gif", "dm_gif"}


@pytest.mark.parametrize("category", IMAGE_CATEGORIES, ids=lambda c: c.name)
def test_text_named_as_an_image_is_refused_for_every_image_category(category) -> None:
    media_type = sorted(category.media_types)[0]
    with pytest.raises(ValueError) as caught:
        check_image_bytes(category, media_type, lambda: TEXT, "s3://assets/photo.jpg")
    message = str(caught.value)
    assert message.startswith(f"s3://assets/photo.jpg is not an image media_category '{category.name}' takes")
    assert f"its media_type is {media_type}" in message
    assert "its first bytes are text ('Spring launch: final copy, v3 Do not upl...')" in message


@pytest.mark.parametrize(
    ("category", "data"),
    [
        ("tweet_image", samples.jpeg(1, 1)),
        ("tweet_image", samples.png(1, 1)),
        ("dm_image", samples.webp_lossy(8, 8)),
        ("dm_image", samples.bmp(1, 1)),
        ("tweet_gif", samples.gif(1, 1)),
        ("dm_gif", samples.gif(2, 2)),
    ],
)
def test_images_the_category_takes_pass(category: str, data: bytes) -> None:
    # The declared type may differ from the signature's (a PNG named .jpg): both are images it takes.
    check_image_bytes(MEDIA_CATEGORIES[category], "image/jpeg", lambda: data, "s3://assets/a.jpg")


@pytest.mark.parametrize(
    ("category", "data", "seen"),
    [
        ("tweet_image", samples.gif(1, 1), "are the signature of image/gif"),
        ("tweet_gif", samples.png(1, 1), "are the signature of image/png"),
        ("dm_image", samples.mp4(64), "are the signature of video/mp4"),
    ],
)
def test_another_kind_of_media_is_refused(category: str, data: bytes, seen: str) -> None:
    with pytest.raises(ValueError, match=f"first bytes {seen}; the category takes"):
        check_image_bytes(MEDIA_CATEGORIES[category], "image/png", lambda: data, "s3://a/b")


@pytest.mark.parametrize("category", ["tweet_video", "dm_video", "amplify_video"])
def test_video_categories_read_no_bytes(category: str) -> None:
    check_image_bytes(MEDIA_CATEGORIES[category], "video/mp4", _never, "s3://a/clip.mp4")


@pytest.mark.parametrize(
    ("head", "described"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "are a PDF document"),
        (b"PK\x03\x04\x14\x00", "are a ZIP archive"),
        (b"<!DOCTYPE html><html>", "are text ('<!DOCTYPE html><html>')"),
        (
            "caf\u00e9 ".encode() * 16,
            "are text ('caf\u00e9 caf\u00e9 caf\u00e9 caf\u00e9 caf\u00e9 caf\u00e9 caf\u00e9 caf\u00e9 ...')",
        ),
        (bytes(range(200, 216)), "match no known format (they start c8 c9 ca cb cc cd ce cf)"),
        (b"\x00" * 30, "match no known format (they start 00 00 00 00 00 00 00 00)"),
    ],
)
def test_describe_head_says_what_the_bytes_look_like(head: bytes, described: str) -> None:
    assert describe_head(head) == described
