"""The emulator's own reader of image headers: type and width/height of PNG, JPEG, GIF, WebP and BMP.

It shares no code with the client side on purpose: the emulator checks what clients send with an
independent reading of the formats.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_GIF_SIGNATURES = (b"GIF87a", b"GIF89a")
# JPEG markers that stand alone, without a length field: TEM, RST0-7, SOI, EOI.
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xDA)}
# Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
_JPEG_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_SOS = 0xDA
_UNKNOWN: tuple[None, None] = (None, None)


class ImageHeader(NamedTuple):
    """What the first bytes of an image say. ``width`` and ``height`` are None when the header is cut off."""

    media_type: str
    width: int | None
    height: int | None


def read_image_header(head: bytes) -> ImageHeader | None:
    """The image type and dimensions from the file's first bytes, or None if it is no image we know."""
    if head.startswith(_PNG_SIGNATURE):
        return ImageHeader("image/png", *_png_size(head))
    if head.startswith(b"\xff\xd8\xff"):
        return ImageHeader("image/jpeg", *_jpeg_size(head))
    if head.startswith(_GIF_SIGNATURES):
        return ImageHeader("image/gif", *_gif_size(head))
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ImageHeader("image/webp", *_webp_size(head))
    if head.startswith(b"BM"):
        return ImageHeader("image/bmp", *_bmp_size(head))
    return None


def _png_size(head: bytes) -> tuple[int, int] | tuple[None, None]:
    # The first chunk must be IHDR: length (4), type (4), width (4), height (4), big-endian.
    if len(head) < 24 or head[12:16] != b"IHDR":
        return _UNKNOWN
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _gif_size(head: bytes) -> tuple[int, int] | tuple[None, None]:
    # The logical screen descriptor follows the signature: width, height as little-endian uint16.
    if len(head) < 10:
        return _UNKNOWN
    width, height = struct.unpack("<HH", head[6:10])
    return width, height


def _jpeg_size(head: bytes) -> tuple[int, int] | tuple[None, None]:
    position = 2
    while position + 4 <= len(head):
        if head[position] != 0xFF:
            return _UNKNOWN
        marker = head[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        (length,) = struct.unpack(">H", head[position + 2 : position + 4])
        if marker in _JPEG_SOF:
            # Segment: length (2), precision (1), height (2), width (2).
            if position + 9 > len(head):
                return _UNKNOWN
            height, width = struct.unpack(">HH", head[position + 5 : position + 9])
            return width, height
        if marker == _JPEG_SOS or length < 2:
            return _UNKNOWN
        position += 2 + length
    return _UNKNOWN


def _webp_size(head: bytes) -> tuple[int, int] | tuple[None, None]:
    chunk, data = head[12:16], head[20:]
    if chunk == b"VP8 " and len(data) >= 10 and data[3:6] == b"\x9d\x01\x2a":
        # Lossy: frame tag (3), start code (3), then 14-bit width and height (2 bits of scale each).
        width, height = struct.unpack("<HH", data[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 5 and data[0] == 0x2F:
        # Lossless: signature byte, then width - 1 and height - 1 as 14-bit fields.
        (bits,) = struct.unpack("<I", data[1:5])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 10:
        # Extended: flags (1), reserved (3), canvas width - 1 and height - 1 as 24-bit fields.
        width = int.from_bytes(data[4:7], "little") + 1
        height = int.from_bytes(data[7:10], "little") + 1
        return width, height
    return _UNKNOWN


def _bmp_size(head: bytes) -> tuple[int, int] | tuple[None, None]:
    if len(head) < 18:
        return _UNKNOWN
    (dib_size,) = struct.unpack("<I", head[14:18])
    if dib_size == 12 and len(head) >= 22:  # BITMAPCOREHEADER: unsigned 16-bit fields
        width, height = struct.unpack("<HH", head[18:22])
        return width, height
    if dib_size >= 40 and len(head) >= 26:  # BITMAPINFOHEADER and later: height < 0 means top-down
        width, height = struct.unpack("<ii", head[18:26])
        return abs(width), abs(height)
    return _UNKNOWN
