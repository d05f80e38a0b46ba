"""OAuth1-signed clients for the emulator's media upload API (v2 and v1.1), and sample media bytes.

The clients send exactly what the brief's API facts describe, one request per method, so tests can
also send bad requests. ``upload`` runs a whole chunked upload, optionally out of order and from
several threads (each thread with its own connection).
"""

from __future__ import annotations

import hashlib
import random
import struct
import threading
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from requests_oauthlib import OAuth1

from airflow_provider_twitter_ads.emulator import AdsApiEmulator


def split(data: bytes, segment_bytes: int) -> list[bytes]:
    return [data[start : start + segment_bytes] for start in range(0, len(data), segment_bytes)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _SignedClient:
    def __init__(self, emulator: AdsApiEmulator) -> None:
        self.emulator = emulator
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        """One signed session (one connection) per thread."""
        session = getattr(self._local, "session", None)
        if session is None:
            config = self.emulator.config
            session = requests.Session()
            session.auth = OAuth1(
                config.consumer_key, config.consumer_secret, config.access_token, config.access_token_secret
            )
            self._local.session = session
        return session

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.emulator.url}{path}", timeout=30, **kwargs)

    def upload_segments(
        self,
        media_id: str,
        segments: list[bytes],
        order: Iterable[int] | None = None,
        threads: int = 1,
    ) -> list[requests.Response]:
        """APPEND each segment (in ``order``, from ``threads`` threads); the responses in that order."""
        indexes = list(order) if order is not None else list(range(len(segments)))
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(lambda index: self.append(media_id, index, segments[index]), indexes))

    def append(self, media_id: str, segment_index: int | str, data: bytes) -> requests.Response:
        raise NotImplementedError


class V2Client(_SignedClient):
    """``/2/media/upload/...``."""

    def initialize(self, **body: Any) -> requests.Response:
        return self.request("POST", "/2/media/upload/initialize", json=body)

    def append(self, media_id: str, segment_index: int | str, data: bytes) -> requests.Response:
        return self.request(
            "POST",
            f"/2/media/upload/{media_id}/append",
            data={"segment_index": str(segment_index)},
            files={"media": ("blob", data, "application/octet-stream")},
        )

    def finalize(self, media_id: str) -> requests.Response:
        return self.request("POST", f"/2/media/upload/{media_id}/finalize")

    def status(self, media_id: str) -> requests.Response:
        return self.request("GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id})

    def simple(self, data: bytes, **fields: str) -> requests.Response:
        return self.request(
            "POST",
            "/2/media/upload",
            data=fields,
            files={"media": ("blob", data, "application/octet-stream")},
        )

    def start(self, data: bytes, media_category: str, media_type: str) -> str:
        response = self.initialize(
            total_bytes=len(data), media_type=media_type, media_category=media_category
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]["id"]

    def upload(
        self,
        data: bytes,
        media_category: str,
        media_type: str,
        segment_bytes: int = 1024 * 1024,
        order: Iterable[int] | None = None,
        threads: int = 1,
    ) -> dict[str, Any]:
        """INIT, APPEND every segment, FINALIZE; the FINALIZE ``data``."""
        media_id = self.start(data, media_category, media_type)
        for response in self.upload_segments(media_id, split(data, segment_bytes), order, threads):
            assert response.status_code == 200, response.text
        finalized = self.finalize(media_id)
        assert finalized.status_code == 200, finalized.text
        return finalized.json()["data"]


class V11Client(_SignedClient):
    """``/1.1/media/upload.json``."""

    path = "/1.1/media/upload.json"

    def init(self, **fields: Any) -> requests.Response:
        return self.request("POST", self.path, data={"command": "INIT", **fields})

    def append(self, media_id: str, segment_index: int | str, data: bytes) -> requests.Response:
        return self.request(
            "POST",
            self.path,
            data={"command": "APPEND", "media_id": media_id, "segment_index": str(segment_index)},
            files={"media": ("blob", data, "application/octet-stream")},
        )

    def finalize(self, media_id: str) -> requests.Response:
        return self.request("POST", self.path, data={"command": "FINALIZE", "media_id": media_id})

    def status(self, media_id: str) -> requests.Response:
        return self.request("GET", self.path, params={"command": "STATUS", "media_id": media_id})

    def simple(self, data: bytes, **fields: str) -> requests.Response:
        return self.request(
            "POST", self.path, data=fields, files={"media": ("blob", data, "application/octet-stream")}
        )

    def start(self, data: bytes, media_category: str, media_type: str) -> str:
        response = self.init(total_bytes=len(data), media_type=media_type, media_category=media_category)
        assert response.status_code == 200, response.text
        return response.json()["media_id_string"]

    def upload(
        self,
        data: bytes,
        media_category: str,
        media_type: str,
        segment_bytes: int = 1024 * 1024,
        order: Iterable[int] | None = None,
        threads: int = 1,
    ) -> dict[str, Any]:
        """INIT, APPEND every segment, FINALIZE; the FINALIZE body."""
        media_id = self.start(data, media_category, media_type)
        for response in self.upload_segments(media_id, split(data, segment_bytes), order, threads):
            assert response.status_code == 204, response.text
            assert response.content == b""
        finalized = self.finalize(media_id)
        assert finalized.status_code == 200, finalized.text
        return finalized.json()


# -- sample media -----------------------------------------------------------------------------------


def random_bytes(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def mp4(size: int, seed: int = 0) -> bytes:
    """``size`` bytes that start like an MP4 file (an ``ftyp`` box), the rest random."""
    head = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00isomiso2"
    return (head + random_bytes(max(0, size - len(head)), seed))[:size]


def png(width: int, height: int) -> bytes:
    """A complete, valid grey PNG."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int, exif_bytes: int = 0, sof: int = 0xC0) -> bytes:
    """A JPEG header (APP0, optional APP1 padding, DQT, DHT, SOF ``sof``) and a scan stub, then EOI."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    parts = [b"\xff\xd8", segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")]
    while exif_bytes > 0:  # APP1 segments hold at most 65533 bytes each
        size = min(exif_bytes, 65_000)
        parts.append(segment(0xE1, b"Exif\x00\x00" + b"\x00" * size))
        exif_bytes -= size
    parts.append(segment(0xDB, b"\x00" + bytes(range(64))))
    parts.append(segment(0xC4, b"\x00" + b"\x00" * 15 + b"\x01" + b"\x00"))  # DHT shares the SOF range
    components = b"".join(bytes([index, 0x11, 0]) for index in (1, 2, 3))
    parts.append(b"\xff\xff")  # a fill byte before the next marker is allowed
    parts.append(segment(sof, struct.pack(">BHHB", 8, height, width, 3) + components))
    parts.append(segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00") + b"\x00" * 16 + b"\xff\xd9")
    return b"".join(parts)


def gif(width: int, height: int, first_frame: tuple[int, int] | None = None) -> bytes:
    """A GIF89a with a global colour table and one 1x1-pixel-coded frame."""
    frame_width, frame_height = first_frame or (width, height)
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0x80, 0, 0)
        + b"\x00\x00\x00\xff\xff\xff"
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, frame_width, frame_height, 0)
        + b"\x02\x02\x44\x01\x00"
        + b";"
    )


def webp_lossy(width: int, height: int) -> bytes:
    frame = b"\x9d\x01\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8
    return _riff(b"VP8 ", frame)


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return _riff(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 4)


def webp_extended(width: int, height: int) -> bytes:
    payload = b"\x10\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff(b"VP8X", payload)


def _riff(kind: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + kind + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def bmp(width: int, height: int, top_down: bool = False) -> bytes:
    """A 24-bit BMP (BITMAPINFOHEADER) of black pixels."""
    row = (width * 3 + 3) // 4 * 4
    pixels = b"\x00" * row * height
    info = struct.pack(
        "<IiiHHIIiiII", 40, width, -height if top_down else height, 1, 24, 0, len(pixels), 0, 0, 0, 0
    )
    header = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info))
    return header + info + pixels
