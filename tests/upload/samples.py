"""Hand-built media headers and bodies for the upload tests (no imaging library needed)."""

from __future__ import annotations

import hashlib
import random
import struct
import zlib


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def noise(size: int, seed: int = 0) -> bytes:
    """Deterministic incompressible bytes."""
    return random.Random(seed).randbytes(size)


def mp4(size: int, seed: int = 0) -> bytes:
    """``size`` bytes that start like an MP4 (an ``ftyp`` box), then noise."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return (head + noise(max(0, size - len(head)), seed))[:size]


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png(width: int, height: int) -> bytes:
    """A valid RGB PNG of ``width`` x ``height`` black pixels."""
    rows = b"".join(b"\x00" + b"\x00" * 3 * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    """A GIF89a header (logical screen descriptor) and trailer."""
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b";"


def jpeg(width: int, height: int, padding: int = 0, sof: int = 0xC0) -> bytes:
    """A JPEG's markers: SOI, JFIF APP0, ``padding`` bytes of APP1 segments, SOF, a scan, EOI."""
    parts = [
        b"\xff\xd8",
        b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
    ]
    while padding > 0:
        chunk = min(padding, 65533)
        parts.append(b"\xff\xe1" + struct.pack(">H", chunk + 2) + b"\x00" * chunk)
        padding -= chunk
    # Two fill bytes before the frame marker, which decoders must skip.
    parts.append(
        b"\xff\xff"
        + bytes([0xFF, sof])
        + struct.pack(">HBHHB", 17, 8, height, width, 3)
        + b"\x01\x11\x00" * 3
    )
    parts.append(b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x00" * 16 + b"\xff\xd9")
    return b"".join(parts)


def _riff(chunk: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_lossy(width: int, height: int) -> bytes:
    frame = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 16
    return _riff(b"VP8 ", frame)


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return _riff(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 16)


def webp_extended(width: int, height: int) -> bytes:
    payload = b"\x10\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff(b"VP8X", payload)


def bmp(width: int, height: int, top_down: bool = False) -> bytes:
    row = (3 * width + 3) // 4 * 4
    pixels = b"\x00" * row * height
    dib = struct.pack(
        "<IiiHHIIiiII", 40, width, -height if top_down else height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0
    )
    header = b"BM" + struct.pack("<IHHI", 14 + len(dib) + len(pixels), 0, 0, 14 + len(dib))
    return header + dib + pixels
