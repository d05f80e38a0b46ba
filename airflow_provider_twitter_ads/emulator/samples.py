"""Sample media files for offline tests and demos.

Pure functions that build, without an imaging library, the bytes of a PNG, JPEG, GIF, WebP or BMP
image of the asked width and height, an MP4 file of an exact size, or deterministic noise. The same
arguments always give the same bytes.

``png`` is a complete image any decoder shows (a solid colour). The other image formats carry
correct headers, which is what the upload API, the emulator and the provider's media type sniffer
read, followed by placeholder image data. ``mp4`` starts with a real ``ftyp`` box, the bytes the
emulator checks before it processes a video.

This module only writes files. The emulator reads them back with its own parser
(``emulator.images``), and the provider with its own sniffer, so that each checks the other.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The first 24 bytes of every ``mp4``: an ``ftyp`` box (brand mp42, compatible with isom).
MP4_FTYP = struct.pack(">I4s4sI8s", 24, b"ftyp", b"mp42", 0, b"mp42isom")

# JPEG start-of-frame markers; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are other segments.
JPEG_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_MAX_SEGMENT_PAYLOAD = 65_533  # the 16-bit length field counts itself
_EXIF_IDENT = b"Exif\x00\x00"


def sha256(data: bytes) -> str:
    """The SHA-256 hex digest of ``data`` (what the emulator records for an upload)."""
    return hashlib.sha256(data).hexdigest()


def noise(size: int, seed: int = 0) -> bytes:
    """``size`` incompressible bytes, the same for the same ``seed``."""
    _check_range("size", size, 0)
    return random.Random(seed).randbytes(size)


def mp4(size: int, *, seed: int = 0) -> bytes:
    """Exactly ``size`` bytes of MP4: the ``ftyp`` box, then one ``mdat`` box of ``noise(seed)``.

    Below 32 bytes (the two box headers) it is the first ``size`` bytes of that file, so that tests
    can upload an object of any size that still starts like an MP4.
    """
    _check_range("size", size, 0)
    body = max(size - len(MP4_FTYP), 8)
    return (MP4_FTYP + struct.pack(">I4s", body, b"mdat") + noise(body - 8, seed))[:size]


def png(width: int, height: int, *, color: tuple[int, int, int] | None = None, salt: bytes = b"") -> bytes:
    """A decodable 8-bit PNG of ``width`` x ``height`` pixels of one colour.

    ``color`` None gives a black greyscale image, an ``(r, g, b)`` tuple an RGB image of that colour.
    A non-empty ``salt`` goes into a ``tEXt`` comment chunk: the same image with other bytes.
    """
    _check_range("width", width, 1, 2**31 - 1)
    _check_range("height", height, 1, 2**31 - 1)
    if color is None:
        color_type, pixel = 0, b"\x00"
    elif _is_rgb(color):
        color_type, pixel = 2, bytes(color)
    else:
        raise ValueError(f"color must be an (r, g, b) tuple of ints 0..255, got {color!r}")
    # The first row uses the Sub filter and every later one the Up filter, so all bytes but the
    # first pixel are zeros: large images stay small and cheap to compress.
    first_row = b"\x01" + pixel + bytes(len(pixel) * (width - 1))
    other_row = b"\x02" + bytes(len(pixel) * width)
    compressor = zlib.compressobj(9)
    idat = [compressor.compress(first_row)]
    rows_per_block = max(1, (1 << 20) // len(other_row))
    block = other_row * rows_per_block
    remaining = height - 1
    while remaining:
        rows = min(remaining, rows_per_block)
        idat.append(compressor.compress(block if rows == rows_per_block else other_row * rows))
        remaining -= rows
    idat.append(compressor.flush())
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
        + _png_chunk(b"IDAT", b"".join(idat))
        + (_png_chunk(b"tEXt", b"Comment\x00" + salt) if salt else b"")
        + _png_chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int, *, sof: int = 0xC0, exif_bytes: int = 0) -> bytes:
    """A baseline (or ``sof``) JPEG header of ``width`` x ``height`` and a placeholder scan.

    Markers in order: SOI, JFIF APP0, ``exif_bytes`` of Exif APP1 payload (split into as many
    segments as needed, to push the frame header far into the file as camera metadata can), DQT,
    DHT (whose marker lies in the SOF range), two fill bytes, the ``sof`` frame header, SOS, EOI.
    """
    _check_range("width", width, 1, 0xFFFF)
    _check_range("height", height, 1, 0xFFFF)
    _check_range("exif_bytes", exif_bytes, 0)
    if sof not in JPEG_SOF_MARKERS:
        raise ValueError(f"sof must be a JPEG start-of-frame marker such as 0xC0 or 0xC2, got {sof!r}")
    parts = [b"\xff\xd8", _jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")]
    while exif_bytes > 0:
        payload = min(exif_bytes, _JPEG_MAX_SEGMENT_PAYLOAD - len(_EXIF_IDENT))
        parts.append(_jpeg_segment(0xE1, _EXIF_IDENT + bytes(payload)))
        exif_bytes -= payload
    parts.append(_jpeg_segment(0xDB, b"\x00" + bytes(range(64))))
    parts.append(_jpeg_segment(0xC4, b"\x00" + bytes(15) + b"\x01\x00"))
    parts.append(b"\xff\xff")  # fill bytes before a marker, which readers must skip
    components = b"".join(bytes([index, 0x11, 0]) for index in (1, 2, 3))
    parts.append(_jpeg_segment(sof, struct.pack(">BHHB", 8, height, width, 3) + components))
    parts.append(_jpeg_segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00") + bytes(16) + b"\xff\xd9")
    return b"".join(parts)


def gif(width: int, height: int, *, first_frame: tuple[int, int] | None = None) -> bytes:
    """A GIF89a whose logical screen is ``width`` x ``height``, with a two-colour table and one frame.

    The frame is ``first_frame`` (width, height) at the top left, by default the whole screen; its
    image data codes a single pixel (decoders show the rest as background).
    """
    _check_range("width", width, 1, 0xFFFF)
    _check_range("height", height, 1, 0xFFFF)
    frame_width, frame_height = first_frame or (width, height)
    _check_range("first_frame width", frame_width, 1, 0xFFFF)
    _check_range("first_frame height", frame_height, 1, 0xFFFF)
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # global colour table of 2 entries
        + b"\x00\x00\x00\xff\xff\xff"
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, frame_width, frame_height, 0)
        + b"\x02\x02\x44\x01\x00"  # LZW minimum code size 2; one sub-block: clear, pixel 0, end
        + b";"
    )


def webp_lossy(width: int, height: int) -> bytes:
    """A WebP with a lossy (``VP8``) key frame header of ``width`` x ``height`` (at most 16383)."""
    _check_range("width", width, 1, 0x3FFF)
    _check_range("height", height, 1, 0x3FFF)
    # Frame tag: key frame, version 0, shown, first partition of 16 bytes; then the start code.
    frame = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + bytes(16)
    return _riff_webp(b"VP8 ", frame)


def webp_lossless(width: int, height: int) -> bytes:
    """A WebP with a lossless (``VP8L``) header of ``width`` x ``height`` (at most 16384)."""
    _check_range("width", width, 1, 0x4000)
    _check_range("height", height, 1, 0x4000)
    bits = (width - 1) | ((height - 1) << 14)
    return _riff_webp(b"VP8L", b"\x2f" + struct.pack("<I", bits) + bytes(16))


def webp_extended(width: int, height: int) -> bytes:
    """A WebP with an extended (``VP8X``) header: a canvas of ``width`` x ``height`` (at most 2**24)."""
    _check_range("width", width, 1, 1 << 24)
    _check_range("height", height, 1, 1 << 24)
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff_webp(b"VP8X", b"\x10\x00\x00\x00" + canvas)


def bmp(width: int, height: int, *, top_down: bool = False) -> bytes:
    """A 24-bit BMP (BITMAPINFOHEADER) of black pixels; ``top_down`` stores a negative height."""
    _check_range("width", width, 1, 2**31 - 1)
    _check_range("height", height, 1, 2**31 - 1)
    row_bytes = (3 * width + 3) // 4 * 4  # rows are padded to 4 bytes
    pixels = bytes(row_bytes * height)
    stored_height = -height if top_down else height
    # 2835 pixels per metre is 72 dpi.
    info = struct.pack("<IiiHHIIiiII", 40, width, stored_height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    header = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info))
    return header + info + pixels


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _riff_webp(kind: bytes, payload: bytes) -> bytes:
    # RIFF chunks are padded to an even size; the chunk's size field does not count the pad byte.
    chunk = kind + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) % 2)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def _is_rgb(color: object) -> bool:
    return (
        isinstance(color, tuple)
        and len(color) == 3
        and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in color)
    )


def _check_range(name: str, value: int, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
