"""The media upload protocol (v2 and v1.1) as pure code: build each request, read each response.

Like google-resumable-media's ``_upload.py``: nothing here sends anything. A request is an
:class:`UploadRequest`; the chunked upload in :mod:`~airflow_provider_twitter_ads.hooks.upload`
hands it to a transport and gives the answer back to the matching ``parse_*`` function.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_twitter_ads.exceptions import AdsApiError, UploadSessionExpiredError
from airflow_provider_twitter_ads.vocabulary import check_upload_api

#: More parallel appends than this mostly adds connections, not speed.
MAX_PARALLEL_SEGMENTS = 16
#: The API takes at most this many additional owners.
MAX_ADDITIONAL_OWNERS = 100

V2_PATH = "2/media/upload"
V11_PATH = "1.1/media/upload.json"


@dataclass(frozen=True)
class UploadRequest:
    """One request of the upload protocol, sent to the upload API (``api="upload"``)."""

    method: str
    path: str
    params: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None
    json: Mapping[str, Any] | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    # Every upload write is idempotent by the API's contract or harmless to repeat (see hooks.upload).
    idempotent: bool = True

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``transport.request(method, path, **kwargs)``."""
        sent: dict[str, Any] = {"api": "upload", "idempotent": self.idempotent}
        for name in ("params", "data", "json", "files"):
            value = getattr(self, name)
            if value is not None:
                sent[name] = dict(value)
        return sent


@dataclass
class UploadSession:
    """An upload session from INIT: its media id and when our clock says it expires."""

    media_id: str
    media_key: str | None
    expires_after_secs: int | None
    # time.monotonic() after which our clock says the session has expired (None: never).
    expires_at: float | None

    def check_alive(self) -> None:
        if self.expires_at is not None and time.monotonic() >= self.expires_at:
            raise UploadSessionExpiredError(f"upload session {self.media_id} passed its expires_after_secs")


# -- argument checks (all run before the first request) ---------------------------------------------


def resolve_upload_api(upload_api: str | None, connection_upload_api: str) -> str:
    """``upload_api`` if given, else the connection's; ``ValueError`` if unknown."""
    if upload_api is None:
        return check_upload_api(connection_upload_api, "the connection's upload_api")
    return check_upload_api(upload_api)


def normalize_additional_owners(additional_owners: object) -> list[str]:
    """User ids as a list of numeric strings, from a list/tuple or a comma-separated string."""
    if additional_owners is None or additional_owners == "":
        return []
    if isinstance(additional_owners, str):
        items: Iterable[object] = [part.strip() for part in additional_owners.split(",")]
    elif isinstance(additional_owners, (list, tuple)):
        items = additional_owners
    else:
        raise TypeError(
            "additional_owners must be a list of user ids or a comma-separated string, "
            f"got {type(additional_owners).__name__}: {additional_owners!r}"
        )
    owners = []
    for item in items:
        text = str(item).strip() if isinstance(item, (str, int)) and not isinstance(item, bool) else None
        if not text or not text.isdigit():
            raise ValueError(f"additional_owners must hold numeric user ids, got {item!r}")
        owners.append(text)
    if len(owners) > MAX_ADDITIONAL_OWNERS:
        raise ValueError(f"additional_owners takes at most {MAX_ADDITIONAL_OWNERS} ids, got {len(owners)}")
    return owners


def validate_parallelism(max_parallel_segments: object) -> int:
    """``max_parallel_segments`` if it is an int within 1..``MAX_PARALLEL_SEGMENTS``."""
    if isinstance(max_parallel_segments, bool) or not isinstance(max_parallel_segments, int):
        raise TypeError(f"max_parallel_segments must be an int, got {max_parallel_segments!r}")
    if not 1 <= max_parallel_segments <= MAX_PARALLEL_SEGMENTS:
        raise ValueError(
            f"max_parallel_segments must be between 1 and {MAX_PARALLEL_SEGMENTS}, got {max_parallel_segments}"
        )
    return max_parallel_segments


# -- building requests --------------------------------------------------------------------------------


def _media_part(data: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"media": ("media", data, "application/octet-stream")}


def init_request(
    upload_api: str, total_bytes: int, media_type: str, media_category: str, additional_owners: list[str]
) -> UploadRequest:
    """INIT: open an upload session for ``total_bytes`` of ``media_type``."""
    if upload_api == "v2":
        body: dict[str, Any] = {
            "media_type": media_type,
            "total_bytes": total_bytes,
            "media_category": media_category,
        }
        if additional_owners:
            body["additional_owners"] = additional_owners
        return UploadRequest("POST", f"{V2_PATH}/initialize", json=body)
    fields = {
        "command": "INIT",
        "total_bytes": str(total_bytes),
        "media_type": media_type,
        "media_category": media_category,
    }
    if additional_owners:
        fields["additional_owners"] = ",".join(additional_owners)
    return UploadRequest("POST", V11_PATH, data=fields)


def append_request(upload_api: str, media_id: str, segment_index: int, data: bytes) -> UploadRequest:
    """APPEND: one segment of the session (re-sending an index replaces it)."""
    if upload_api == "v2":
        return UploadRequest(
            "POST",
            f"{V2_PATH}/{media_id}/append",
            data={"segment_index": str(segment_index)},
            files=_media_part(data),
        )
    fields = {"command": "APPEND", "media_id": media_id, "segment_index": str(segment_index)}
    return UploadRequest("POST", V11_PATH, data=fields, files=_media_part(data))


def finalize_request(upload_api: str, media_id: str) -> UploadRequest:
    """FINALIZE: close the session (finalizing twice returns the same media)."""
    if upload_api == "v2":
        return UploadRequest("POST", f"{V2_PATH}/{media_id}/finalize")
    return UploadRequest("POST", V11_PATH, data={"command": "FINALIZE", "media_id": media_id})


def simple_request(upload_api: str, data: bytes, media_type: str, media_category: str) -> UploadRequest:
    """The single-request upload of a small image."""
    fields = {"media_category": media_category, "media_type": media_type}
    return UploadRequest(
        "POST", V2_PATH if upload_api == "v2" else V11_PATH, data=fields, files=_media_part(data)
    )


def status_request(upload_api: str, media_id: str) -> UploadRequest:
    """STATUS: the media's processing state (a read)."""
    path = V2_PATH if upload_api == "v2" else V11_PATH
    return UploadRequest("GET", path, params={"command": "STATUS", "media_id": media_id}, idempotent=True)


# -- reading responses -----------------------------------------------------------------------------


def _data(upload_api: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
    if upload_api == "v2":
        data = body.get("data")
        return data if isinstance(data, Mapping) else {}
    return body


def parse_init(upload_api: str, body: Mapping[str, Any], started: float) -> UploadSession:
    """The session INIT opened; ``started`` is ``time.monotonic()`` when INIT was sent."""
    data = _data(upload_api, body)
    media_id = data.get("id") if upload_api == "v2" else data.get("media_id_string") or data.get("media_id")
    expires_after = data.get("expires_after_secs")
    expires = int(expires_after) if isinstance(expires_after, (int, float, str)) else None
    media_key = data.get("media_key")
    return UploadSession(
        media_id=str(media_id),
        media_key=str(media_key) if media_key else None,
        expires_after_secs=expires,
        expires_at=started + expires if expires is not None else None,
    )


def parse_finalized(upload_api: str, body: Mapping[str, Any], media_id: str | None = None) -> dict[str, Any]:
    """A FINALIZE (or simple upload) answer as ``{"media_id", "media_key", "size", "expires_after_secs",
    "processing_info"}``."""
    data = _data(upload_api, body)
    found_id = data.get("id") or data.get("media_id_string") or data.get("media_id") or media_id
    size = data.get("size")
    expires = data.get("expires_after_secs")
    return {
        "media_id": str(found_id),
        "media_key": data.get("media_key"),
        "size": int(size) if size is not None else None,
        "expires_after_secs": int(expires) if expires is not None else None,
        "processing_info": data.get("processing_info") or None,
    }


def parse_status(body: Mapping[str, Any], media_id: str) -> dict[str, Any]:
    """A v2 (``{"data": {...}}``) or v1.1 STATUS body as ``{"media_id", "media_key", "processing_info"}``
    (``processing_info`` None for media that needs no processing)."""
    data = body.get("data") if isinstance(body.get("data"), Mapping) else body
    found_id = data.get("id") or data.get("media_id_string") or data.get("media_id") or media_id
    return {
        "media_id": str(found_id),
        "media_key": data.get("media_key"),
        "processing_info": data.get("processing_info") or None,
    }


def is_expired(error: BaseException) -> bool:
    """Whether ``error`` says the upload session expired (by the API's word or our clock)."""
    if isinstance(error, UploadSessionExpiredError):
        return True
    return (
        isinstance(error, AdsApiError)
        and error.status_code is not None
        and 400 <= error.status_code < 500
        and "expired" in str(error).lower()
    )
