"""Media type inference and image dimensions from an object's first bytes.

Everything here reads through a ``RangeReader``, so only the header of an S3 object is fetched,
never the whole object.
"""

from __future__ import annotations

import logging
import os.path
import struct
from collections.abc import Callable

from airflow_provider_twitter_ads.utils.segments import RangeReader
from airflow_provider_twitter_ads.vocabulary import MediaCategory, normalize_media_type

log = logging.getLogger(__name__)

#: How much of an object is read to sniff its type and dimensions.
HEAD_BYTES = 64 * 1024

# Content types S3 (and the tools that write to it) give when they do not know the real one.
GENERIC_CONTENT_TYPES = frozenset(
    {
        "application/octet-stream",
        "binary/octet-stream",
        "application/binary",
        "application/x-binary",
        "application/unknown",
        "application/x-unknown",
        "application/download",
        "application/force-download",
    }
)

EXTENSION_MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".gif": "image/gif",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".qt": "video/quicktime",
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# QuickTime files written before the ftyp atom existed start with one of these atoms.
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
# JPEG start-of-frame markers (they carry the dimensions); C4, C8 and CC are other tables.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# JPEG markers without a length field.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})
_JPEG_MAX_SEGMENTS = 256
#: Bytes an image's signature check needs from the start of the object.
SIGNATURE_BYTES = 64
# Common formats that are not media, named in the error when an image's bytes are one of them.
_OTHER_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x00\x00\x01\x00", "an ICO icon"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)
# Shown of a text head in the error.
_TEXT_PREVIEW_CHARS = 40


def media_type_from_content_type(content_type: str | None) -> str | None:
    """The media type S3 stored, unless missing or generic (``binary/octet-stream``...)."""
    if not content_type or "/" not in content_type:
        return None
    media_type = normalize_media_type(content_type)
    return None if media_type in GENERIC_CONTENT_TYPES else media_type


def media_type_from_key(key: str | None) -> str | None:
    """The media type the key's file extension stands for, if it is one we know."""
    if not key:
        return None
    return EXTENSION_MEDIA_TYPES.get(os.path.splitext(key)[1].lower())


def media_type_from_magic(head: bytes) -> str | None:
    """The media type the first bytes reveal (JPEG, PNG, GIF, WebP, BMP, MP4, QuickTime)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(_PNG_SIGNATURE):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head[4:8] in _QUICKTIME_ATOMS:
        return "video/quicktime"
    # "BM" alone is too weak a signature: also require a plausible DIB header size.
    if (
        head[:2] == b"BM"
        and len(head) >= 18
        and struct.unpack_from("<I", head, 14)[0] in (12, 40, 52, 56, 108, 124)
    ):
        return "image/bmp"
    return None


def infer_media_type(
    content_type: str | None, key: str | None, read_head: Callable[[], bytes]
) -> tuple[str, str] | None:
    """``(media_type, source)`` from the S3 Content-Type if specific, else the key's extension, else
    the magic bytes (``read_head`` is only called then). ``source`` is ``content_type``, ``extension``
    or ``magic``; None when nothing matched.
    """
    for source, media_type in (
        ("content_type", media_type_from_content_type(content_type)),
        ("extension", media_type_from_key(key)),
    ):
        if media_type:
            return media_type, source
    sniffed = media_type_from_magic(read_head())
    return (sniffed, "magic") if sniffed else None


def describe_head(head: bytes) -> str:
    """What an object's first bytes are, as the end of a sentence about them ("its first bytes
    ..."): a media type, a known format, text (quoted), or no known format (in hex)."""
    sniffed = media_type_from_magic(head)
    if sniffed:
        return f"are the signature of {sniffed}"
    for signature, name in _OTHER_SIGNATURES:
        if head.startswith(signature):
            return f"are {name}"
    sample = head[:SIGNATURE_BYTES]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as cut:
        # A multi-byte character cut off by the end of the sample is still text.
        text = sample[: cut.start].decode("utf-8") if cut.start >= len(sample) - 3 else ""
    if text.strip() and all(char.isprintable() or char in "\t\r\n" for char in text):
        preview = " ".join(text.split())
        if len(preview) > _TEXT_PREVIEW_CHARS:
            preview = preview[:_TEXT_PREVIEW_CHARS] + "..."
        return f"are text ({preview!r})"
    return f"match no known format (they start {sample[:8].hex(' ')})" if sample else "are missing"


def check_image_bytes(
    category: MediaCategory, media_type: str, read_head: Callable[[], bytes], name: str
) -> None:
    """Refuse an image or GIF upload whose first bytes are no image format ``category`` takes.

    ``read_head`` gives the object's first ``SIGNATURE_BYTES`` (or more, or all of it); it is only
    called for image and GIF categories. ``name`` names the object in the error (its ``s3://``
    URI). The media type and the key's extension only say what the object claims to be; its
    signature says what it is. Videos are not checked here: the API's processing reports what it
    cannot decode.
    """
    if category.kind not in ("image", "gif"):
        return
    head = read_head()
    if media_type_from_magic(head) in category.media_types:
        return
    raise ValueError(
        f"{name} is not an image media_category {category.name!r} takes: its media_type is "
        f"{media_type}, but its first bytes {describe_head(head)}; the category takes "
        f"{', '.join(sorted(category.media_types))}"
    )


class _HeaderWindow:
    """Random access to an object's bytes: served from the head, past it by small ranged reads."""

    def __init__(self, reader: RangeReader, total_bytes: int, head: bytes) -> None:
        self._reader = reader
        self._total = total_bytes
        self._head = head

    def read(self, offset: int, length: int) -> bytes:
        end = min(offset + length, self._total)
        if offset >= end:
            return b""
        if end <= len(self._head):
            return self._head[offset:end]
        return self._reader.read_range(offset, end)


def image_dimensions(
    reader: RangeReader, total_bytes: int, head: bytes | None = None
) -> tuple[int, int] | None:
    """``(width, height)`` from a PNG, JPEG, GIF, WebP or BMP header; None if not recognized.

    Reads at most ``HEAD_BYTES`` from the start (pass ``head`` if already read), and for a JPEG whose
    frame header lies further in, a few bytes per marker segment it has to skip.
    """
    if head is None:
        head = reader.read_range(0, min(HEAD_BYTES, total_bytes))
    try:
        if head.startswith(_PNG_SIGNATURE) and head[12:16] == b"IHDR":
            return struct.unpack_from(">II", head, 16)
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack_from("<HH", head, 6)
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return _webp_dimensions(head)
        if head[:2] == b"BM":
            return _bmp_dimensions(head)
        if head.startswith(b"\xff\xd8"):
            return _jpeg_dimensions(_HeaderWindow(reader, total_bytes, head))
    except struct.error:
        log.info("Image header is truncated; dimensions unknown")
    return None


def _webp_dimensions(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", head, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and head[20:21] == b"\x2f":
        bits = struct.unpack_from("<I", head, 21)[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    return None


def _bmp_dimensions(head: bytes) -> tuple[int, int] | None:
    dib_size = struct.unpack_from("<I", head, 14)[0]
    if dib_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        return struct.unpack_from("<HH", head, 18)
    width, height = struct.unpack_from("<ii", head, 18)
    # A negative height means the rows are stored top-down.
    return abs(width), abs(height)


def _jpeg_dimensions(window: _HeaderWindow) -> tuple[int, int] | None:
    offset = 2
    for _ in range(_JPEG_MAX_SEGMENTS):
        marker = window.read(offset, 2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if kind == 0xFF:  # fill byte before a marker
            offset += 1
            continue
        if kind in _JPEG_STANDALONE:
            offset += 2
            continue
        if kind in (0xD9, 0xDA):  # end of image / start of scan: no frame header before it
            return None
        header = window.read(offset + 2, 7)
        if len(header) < 2:
            return None
        if kind in _JPEG_SOF:
            height, width = struct.unpack_from(">HH", header, 3)
            return width, height
        offset += 2 + struct.unpack_from(">H", header, 0)[0]
    return None
