"""``emulator.samples``: both header readers (the emulator's and the client's) agree on every sample."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import pytest

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.emulator.images import ImageHeader, read_image_header
from airflow_provider_twitter_ads.utils.segments import BytesRangeReader
from airflow_provider_twitter_ads.utils.sniff import image_dimensions, media_type_from_magic

IMAGES: dict[str, tuple[Callable[[int, int], bytes], str, list[tuple[int, int]]]] = {
    "png": (samples.png, "image/png", [(1, 1), (320, 50), (1024, 768)]),
    "png_rgb": (lambda w, h: samples.png(w, h, color=(29, 155, 240)), "image/png", [(2, 3), (728, 90)]),
    "png_salted": (lambda w, h: samples.png(w, h, salt=b"run 7"), "image/png", [(300, 250)]),
    "jpeg": (samples.jpeg, "image/jpeg", [(1, 1), (300, 250), (65535, 65535)]),
    "jpeg_progressive": (lambda w, h: samples.jpeg(w, h, sof=0xC2), "image/jpeg", [(768, 1024)]),
    "jpeg_big_exif": (
        lambda w, h: samples.jpeg(w, h, exif_bytes=200 * 1024),
        "image/jpeg",
        [(1080, 1920)],
    ),
    "gif": (samples.gif, "image/gif", [(1, 1), (480, 320), (65535, 2)]),
    "gif_small_frame": (lambda w, h: samples.gif(w, h, first_frame=(10, 10)), "image/gif", [(480, 320)]),
    "webp_lossy": (samples.webp_lossy, "image/webp", [(1, 1), (320, 480), (16383, 16383)]),
    "webp_lossless": (samples.webp_lossless, "image/webp", [(1, 1), (728, 90), (16384, 16384)]),
    "webp_extended": (samples.webp_extended, "image/webp", [(1, 1), (4000, 3000), (1 << 24, 1 << 24)]),
    "bmp": (samples.bmp, "image/bmp", [(1, 1), (3, 2), (320, 480)]),
    "bmp_top_down": (lambda w, h: samples.bmp(w, h, top_down=True), "image/bmp", [(5, 4), (30, 20)]),
}
CASES = [(name, size) for name, (_, _, sizes) in IMAGES.items() for size in sizes]


@pytest.mark.parametrize(("name", "size"), CASES, ids=[f"{n}-{w}x{h}" for n, (w, h) in CASES])
def test_both_readers_see_the_type_and_dimensions(name: str, size: tuple[int, int]) -> None:
    build, media_type, _ = IMAGES[name]
    data = build(*size)
    assert read_image_header(data) == ImageHeader(media_type, *size)
    assert media_type_from_magic(data) == media_type
    assert image_dimensions(BytesRangeReader(data), len(data)) == size


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk as (type, payload), after checking its CRC."""
    assert data.startswith(samples.PNG_SIGNATURE)
    chunks, offset = [], len(samples.PNG_SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        kind, payload = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack_from(">I", data, offset + 8 + length)
        assert crc == zlib.crc32(kind + payload), kind
        chunks.append((kind, payload))
        offset += 12 + length
    return chunks


def _png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Decode the PNG (filters None, Sub and Up): width, height, bytes per pixel, the pixel rows."""
    chunks = _png_chunks(data)
    width, height, depth, color_type = struct.unpack(">IIBB", chunks[0][1][:10])
    assert depth == 8
    bpp = {0: 1, 2: 3}[color_type]
    raw = zlib.decompress(b"".join(payload for kind, payload in chunks if kind == b"IDAT"))
    stride = 1 + bpp * width
    assert len(raw) == height * stride
    rows: list[bytes] = []
    previous = bytes(bpp * width)
    for y in range(height):
        kind, line = raw[y * stride], bytearray(raw[y * stride + 1 : (y + 1) * stride])
        for x in range(len(line)):
            if kind == 1:
                line[x] = (line[x] + (line[x - bpp] if x >= bpp else 0)) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + previous[x]) & 0xFF
            else:
                assert kind == 0, kind
        rows.append(bytes(line))
        previous = bytes(line)
    return width, height, bpp, rows


@pytest.mark.parametrize(
    ("color", "pixel"), [(None, b"\x00"), ((29, 155, 240), bytes([29, 155, 240])), ((0, 0, 0), b"\0\0\0")]
)
def test_png_decodes_to_one_solid_colour(color: tuple[int, int, int] | None, pixel: bytes) -> None:
    width, height, bpp, rows = _png_pixels(samples.png(7, 5, color=color))
    assert (width, height, bpp) == (7, 5, len(pixel))
    assert rows == [pixel * 7] * 5


def test_png_salt_changes_the_bytes_not_the_image() -> None:
    plain, salted = samples.png(320, 50), samples.png(320, 50, salt=b"run 1")
    assert plain != salted != samples.png(320, 50, salt=b"run 2")
    assert (b"tEXt", b"Comment\x00run 1") in _png_chunks(salted)
    assert _png_pixels(plain) == _png_pixels(salted)
    # Without salt, IDAT directly follows IHDR (readers that look at fixed offsets rely on it).
    assert [kind for kind, _ in _png_chunks(plain)] == [b"IHDR", b"IDAT", b"IEND"]


def test_a_large_png_stays_small() -> None:
    data = samples.png(8000, 6000, color=(255, 212, 0))
    assert len(data) < 200_000
    assert read_image_header(data) == ImageHeader("image/png", 8000, 6000)


def test_jpeg_exif_pushes_the_frame_header_past_the_head() -> None:
    data = samples.jpeg(1024, 768, exif_bytes=70_000)
    assert len(data) > 70_000
    assert read_image_header(data[:65_000]) == ImageHeader("image/jpeg", None, None)
    assert read_image_header(data) == ImageHeader("image/jpeg", 1024, 768)
    assert data.endswith(b"\xff\xd9")


def test_webp_chunks_are_padded_to_an_even_size() -> None:
    for data in (samples.webp_lossy(9, 9), samples.webp_lossless(9, 9), samples.webp_extended(9, 9)):
        assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
        assert len(data) % 2 == 0


def test_bmp_rows_are_padded_to_four_bytes() -> None:
    data = samples.bmp(3, 2)
    assert len(data) == 14 + 40 + 2 * 12
    assert struct.unpack_from("<I", data, 2)[0] == len(data)
    assert struct.unpack_from("<i", data, 22)[0] == 2
    assert struct.unpack_from("<i", samples.bmp(3, 2, top_down=True), 22)[0] == -2


@pytest.mark.parametrize("size", [0, 1, 7, 8, 23, 24, 31, 32, 33, 1000, 3 * 1024 * 1024 + 12_345])
def test_mp4_has_the_exact_size_and_starts_with_ftyp(size: int) -> None:
    data = samples.mp4(size)
    assert len(data) == size
    assert data == (samples.MP4_FTYP + data[24:])[:size]
    if size >= 8:
        assert data[4:8] == b"ftyp"
        assert media_type_from_magic(data) == "video/mp4"


def test_mp4_is_an_ftyp_box_then_one_mdat_box() -> None:
    data = samples.mp4(10_000, seed=4)
    offset, boxes = 0, []
    while offset < len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        boxes.append((kind, size))
        offset += size
    assert boxes == [(b"ftyp", 24), (b"mdat", 10_000 - 24)]
    assert offset == len(data)


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    assert samples.mp4(5000, seed=3) == samples.mp4(5000, seed=3)
    assert samples.mp4(5000, seed=3) != samples.mp4(5000, seed=4)
    assert samples.noise(5000, seed=9) == samples.noise(5000, seed=9)
    assert samples.noise(5000) != samples.noise(5000, seed=1)
    assert samples.noise(0) == b""
    assert len(samples.noise(12_345)) == 12_345
    # Noise does not compress: it stands in for real video data in segment and hash tests.
    assert len(zlib.compress(samples.noise(100_000))) > 99_000


def test_sha256_is_the_hex_digest() -> None:
    assert samples.sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: samples.png(0, 10), "width must be 1..2147483647, got 0"),
        (lambda: samples.png(10, -1), "height must be 1..2147483647, got -1"),
        (lambda: samples.png(2, 2, color=(0, 0, 256)), "color must be an (r, g, b) tuple"),
        (lambda: samples.png(2, 2, color=(0, 0)), "color must be an (r, g, b) tuple"),  # type: ignore[arg-type]
        (lambda: samples.jpeg(65536, 1), "width must be 1..65535, got 65536"),
        (lambda: samples.jpeg(1, 1, sof=0xC4), "sof must be a JPEG start-of-frame marker"),
        (lambda: samples.jpeg(1, 1, exif_bytes=-1), "exif_bytes must be >= 0, got -1"),
        (lambda: samples.gif(10, 10, first_frame=(0, 1)), "first_frame width must be 1..65535, got 0"),
        (lambda: samples.webp_lossy(16384, 1), "width must be 1..16383, got 16384"),
        (lambda: samples.webp_lossless(1, 16385), "height must be 1..16384, got 16385"),
        (lambda: samples.webp_extended((1 << 24) + 1, 1), "width must be 1..16777216"),
        (lambda: samples.bmp(0, 1), "width must be 1..2147483647, got 0"),
        (lambda: samples.mp4(-1), "size must be >= 0, got -1"),
        (lambda: samples.noise(-5), "size must be >= 0, got -5"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(build: Callable[[], bytes], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        build()
    assert message in str(raised.value)


def test_non_int_sizes_raise_type_error() -> None:
    with pytest.raises(TypeError, match=r"width must be an int, got float: 3\.0"):
        samples.png(3.0, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="size must be an int, got bool"):
        samples.mp4(True)
