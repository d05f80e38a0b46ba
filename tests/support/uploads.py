"""Upload test helpers: real uploads to the emulator over HTTP, sample media, recording readers, request log reads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import requests
from requests_oauthlib import OAuth1

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.utils.segments import STREAM_BLOCK_BYTES, BytesRangeReader

# Bytes 4..8 are "ftyp": the emulator accepts this as an MP4 and processes it.
TINY_MP4 = samples.mp4(224)
NOT_A_VIDEO = b"this is a text file, not a video" * 4
TINY_PNG = samples.png(1, 1)


def _auth(emulator: AdsApiEmulator) -> OAuth1:
    config = emulator.config
    return OAuth1(
        config.consumer_key, config.consumer_secret, config.access_token, config.access_token_secret
    )


def upload(
    emulator: AdsApiEmulator,
    content: bytes = TINY_MP4,
    media_category: str = "tweet_video",
    media_type: str = "video/mp4",
) -> dict[str, Any]:
    """INITIALIZE, APPEND and FINALIZE through the v2 upload endpoints; the FINALIZE ``data``."""
    auth = _auth(emulator)
    init = requests.post(
        f"{emulator.url}/2/media/upload/initialize",
        json={"media_type": media_type, "total_bytes": len(content), "media_category": media_category},
        auth=auth,
        timeout=10,
    )
    init.raise_for_status()
    media_id = init.json()["data"]["id"]
    append = requests.post(
        f"{emulator.url}/2/media/upload/{media_id}/append",
        data={"segment_index": "0"},
        files={"media": ("blob", content, "application/octet-stream")},
        auth=auth,
        timeout=10,
    )
    append.raise_for_status()
    finalize = requests.post(f"{emulator.url}/2/media/upload/{media_id}/finalize", auth=auth, timeout=10)
    finalize.raise_for_status()
    return finalize.json()["data"]


def status_requests(emulator: AdsApiEmulator, media_id: str) -> list[dict[str, Any]]:
    """The STATUS requests the emulator received for ``media_id``, oldest first."""
    return [
        entry
        for entry in emulator.api_requests("GET", "media/upload")
        if entry["query"].get("command") == "STATUS" and entry["query"].get("media_id") == media_id
    ]


#: Small segments keep the multi-segment tests fast.
SEGMENT = 64 * 1024
#: HTTP attempts per request in these tests (the hook's default is 5).
HOOK_ATTEMPTS = 3


class RecordingReader(BytesRangeReader):
    """A ``BytesRangeReader`` that records every range it hands out, read whole or streamed (thread-safe)."""

    def __init__(self, data: bytes, on_read: Callable[[int, int], None] | None = None) -> None:
        super().__init__(data)
        self.reads: list[tuple[int, int]] = []
        self._lock = threading.Lock()
        self._on_read = on_read

    def _record(self, start: int, end: int) -> None:
        with self._lock:
            self.reads.append((start, end))
        if self._on_read is not None:
            self._on_read(start, end)

    def read_range(self, start: int, end: int) -> bytes:
        self._record(start, end)
        return super().read_range(start, end)

    def stream_range(self, start: int, end: int, block_bytes: int = STREAM_BLOCK_BYTES) -> Iterator[bytes]:
        # Recorded when the stream starts, as a read is.
        blocks = super().stream_range(start, end, block_bytes)

        def recorded() -> Iterator[bytes]:
            self._record(start, end)
            yield from blocks

        return recorded()


def media_records(emulator: AdsApiEmulator) -> dict[str, object]:
    with emulator.state.lock:
        return dict(emulator.state.media)
