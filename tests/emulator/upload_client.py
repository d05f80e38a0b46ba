"""OAuth1-signed clients for the emulator's media upload API (v2 and v1.1).

The clients send exactly what the brief's API facts describe, one request per method, so tests can
also send bad requests. ``upload`` runs a whole chunked upload, optionally out of order and from
several threads (each thread with its own connection).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from requests_oauthlib import OAuth1

from airflow_provider_twitter_ads.emulator import AdsApiEmulator


def split(data: bytes, segment_bytes: int) -> list[bytes]:
    return [data[start : start + segment_bytes] for start in range(0, len(data), segment_bytes)]


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

    def upload(
        self,
        data: bytes,
        media_category: str,
        media_type: str,
        segment_bytes: int = 1024 * 1024,
        order: Iterable[int] | None = None,
        threads: int = 1,
    ) -> dict[str, Any]:
        """INIT, APPEND every segment, FINALIZE; the finalized media (v2: the ``data`` member)."""
        media_id = self.start(data, media_category, media_type)
        for response in self.upload_segments(media_id, split(data, segment_bytes), order, threads):
            self.check_appended(response)
        finalized = self.finalize(media_id)
        assert finalized.status_code == 200, finalized.text
        return self.finalized_body(finalized)

    def start(self, data: bytes, media_category: str, media_type: str) -> str:
        raise NotImplementedError

    def finalize(self, media_id: str) -> requests.Response:
        raise NotImplementedError

    def check_appended(self, response: requests.Response) -> None:
        assert response.status_code == 200, response.text

    def finalized_body(self, response: requests.Response) -> dict[str, Any]:
        return response.json()["data"]

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

    def check_appended(self, response: requests.Response) -> None:
        assert response.status_code == 204, response.text
        assert response.content == b""

    def finalized_body(self, response: requests.Response) -> dict[str, Any]:
        return response.json()
