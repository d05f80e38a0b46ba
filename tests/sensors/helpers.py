"""Sensor and trigger test helpers: real uploads to the emulator over HTTP, sample media, request log reads."""

from __future__ import annotations

from typing import Any

import requests
from requests_oauthlib import OAuth1

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator

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
