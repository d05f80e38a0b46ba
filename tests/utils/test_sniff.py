"""Media type inference order and image dimensions from headers."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.utils.segments import BytesRangeReader
from airflow_provider_twitter_ads.utils.sniff import (
    HEAD_BYTES,
    image_dimensions,
    infer_media_type,
    media_type_from_magic,
)


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
