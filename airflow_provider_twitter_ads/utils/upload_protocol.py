"""The media upload protocol (v2 and v1.1) as pure code: build each request, read each response.

Like google-resumable-media's ``_upload.py``: nothing here sends anything. A request is an
:class:`UploadRequest`; the chunked upload in :mod:`~airflow_provider_twitter_ads.hooks.upload`
hands it to a transport and gives the answer back to the matching ``parse_*`` function. Media
bytes travel in a :class:`MultipartBody`, which streams them from a source and never holds them.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from airflow_provider_twitter_ads.exceptions import (
    AdsApiError,
    AdsApiMalformedResponseError,
    UploadSessionExpiredError,
)
from airflow_provider_twitter_ads.ids import validate_media_id, validate_media_key
from airflow_provider_twitter_ads.vocabulary import check_upload_api

#: More parallel appends than this mostly adds connections, not speed.
MAX_PARALLEL_SEGMENTS = 16
#: The API takes at most this many additional owners.
MAX_ADDITIONAL_OWNERS = 100

V2_PATH = "2/media/upload"
V11_PATH = "1.1/media/upload.json"
#: The name, file name and Content-Type of the media part of an APPEND or a simple upload.
MEDIA_PART = ("media", "media", "application/octet-stream")


class MediaSource(Protocol):
    """Media bytes with a known length; each iteration yields all of them again, in blocks."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[bytes]: ...


class MultipartBody:
    """A ``multipart/form-data`` body: text fields, then one media part streamed from ``media``.

    Its length (the request's Content-Length) is known before anything is read. Iterating it yields
    the fields and the media part's headers, the media's blocks as ``media`` yields them, and the
    closing delimiter; every iteration reads the media again, so a resent request re-reads it. A
    source that yields more or fewer bytes than its length raises ``ValueError`` while being sent.
    """

    def __init__(self, fields: Mapping[str, str], media: MediaSource, boundary: str | None = None) -> None:
        self.boundary = boundary or secrets.token_hex(16)
        self.media = media
        delimiter = f"--{self.boundary}\r\n".encode("ascii")
        name, filename, content_type = MEDIA_PART
        parts = [
            delimiter
            + f'Content-Disposition: form-data; name="{field}"\r\n\r\n'.encode()
            + str(value).encode("utf-8")
            + b"\r\n"
            for field, value in fields.items()
        ]
        parts.append(
            delimiter
            + f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode()
            + f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        self._head = b"".join(parts)
        self._tail = f"\r\n--{self.boundary}--\r\n".encode("ascii")

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self._head) + len(self.media) + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        expected = len(self.media)
        yield self._head
        sent = 0
        for block in self.media:
            sent += len(block)
            if sent > expected:
                raise ValueError(f"the media source yielded more than its {expected} bytes")
            yield block
        if sent != expected:
            raise ValueError(f"the media source yielded {sent} bytes, not its {expected}")
        yield self._tail

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} bytes, media {self.media!r})"


@dataclass(frozen=True)
class UploadRequest:
    """One request of the upload protocol, sent to the upload API (``api="upload"``)."""

    method: str
    path: str
    params: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None
    json: Mapping[str, Any] | None = None
    body: MultipartBody | None = None
    # Every upload write is idempotent by the API's contract or harmless to repeat (see hooks.upload).
    idempotent: bool = True

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``transport.request(method, path, **kwargs)``.

        A multipart body goes as ``data`` (a sized iterable: sent with Content-Length, block by
        block) with its ``Content-Type`` in ``headers``.
        """
        sent: dict[str, Any] = {"api": "upload", "idempotent": self.idempotent}
        for name in ("params", "data", "json"):
            value = getattr(self, name)
            if value is not None:
                sent[name] = dict(value)
        if self.body is not None:
            sent["data"] = self.body
            sent["headers"] = {"Content-Type": self.body.content_type}
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


def append_request(upload_api: str, media_id: str, segment_index: int, media: MediaSource) -> UploadRequest:
    """APPEND: one segment of the session, streamed from ``media`` (re-sending an index replaces it)."""
    if upload_api == "v2":
        body = MultipartBody({"segment_index": str(segment_index)}, media)
        return UploadRequest("POST", f"{V2_PATH}/{media_id}/append", body=body)
    fields = {"command": "APPEND", "media_id": media_id, "segment_index": str(segment_index)}
    return UploadRequest("POST", V11_PATH, body=MultipartBody(fields, media))


def finalize_request(upload_api: str, media_id: str) -> UploadRequest:
    """FINALIZE: close the session (finalizing twice returns the same media)."""
    if upload_api == "v2":
        return UploadRequest("POST", f"{V2_PATH}/{media_id}/finalize")
    return UploadRequest("POST", V11_PATH, data={"command": "FINALIZE", "media_id": media_id})


def simple_request(
    upload_api: str, media: MediaSource, media_type: str, media_category: str
) -> UploadRequest:
    """The single-request upload of a small image, streamed from ``media``."""
    fields = {"media_category": media_category, "media_type": media_type}
    return UploadRequest(
        "POST", V2_PATH if upload_api == "v2" else V11_PATH, body=MultipartBody(fields, media)
    )


def status_request(upload_api: str, media_id: str) -> UploadRequest:
    """STATUS: the media's processing state (a read)."""
    path = V2_PATH if upload_api == "v2" else V11_PATH
    return UploadRequest("GET", path, params={"command": "STATUS", "media_id": media_id}, idempotent=True)


# -- reading responses -----------------------------------------------------------------------------


def _malformed(endpoint: str, problem: str) -> AdsApiMalformedResponseError:
    return AdsApiMalformedResponseError(f"the {endpoint} answer {problem}")


def _data(
    upload_api: str, body: Mapping[str, Any], endpoint: str, *, allow_empty: bool = False
) -> Mapping[str, Any]:
    """The answer's fields: v2 wraps them in ``data`` (media upload spec), v1.1 does not. An empty
    body is allowed only where the request already names the media (FINALIZE)."""
    if allow_empty and not body:
        return {}
    if upload_api == "v2":
        data = body.get("data")
        if not isinstance(data, Mapping):
            raise _malformed(endpoint, "has no data object (is the upload_api_url a v1.1 endpoint?)")
        return data
    return body


def _media_id(upload_api: str, data: Mapping[str, Any], endpoint: str, fallback: str | None = None) -> str:
    """The answer's media id, checked: ``id`` on v2, ``media_id_string`` / ``media_id`` on v1.1."""
    names = ("id",) if upload_api == "v2" else ("media_id_string", "media_id")
    value = next((data[name] for name in names if data.get(name) not in (None, "")), fallback)
    if value is None:
        raise _malformed(endpoint, f"has no {' or '.join(names)}")
    try:
        return validate_media_id(value, names[0])
    except (TypeError, ValueError):
        raise _malformed(endpoint, f"has a malformed {names[0]} ({value!r})") from None


def _media_key(data: Mapping[str, Any], endpoint: str) -> str | None:
    value = data.get("media_key")
    if value in (None, ""):
        return None
    try:
        return validate_media_key(value)
    except (TypeError, ValueError):
        raise _malformed(endpoint, f"has a malformed media_key ({value!r})") from None


def _count(data: Mapping[str, Any], name: str, endpoint: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise _malformed(endpoint, f"has a malformed {name} ({value!r})")
    return int(str(value).strip())


def parse_init(upload_api: str, body: Mapping[str, Any], started: float) -> UploadSession:
    """The session INIT opened; ``started`` is ``time.monotonic()`` when INIT was sent."""
    endpoint = f"INIT ({upload_api})"
    data = _data(upload_api, body, endpoint)
    media_id = _media_id(upload_api, data, endpoint)
    expires = _count(data, "expires_after_secs", endpoint)
    media_key = _media_key(data, endpoint)
    return UploadSession(
        media_id=media_id,
        media_key=media_key,
        expires_after_secs=expires,
        expires_at=started + expires if expires is not None else None,
    )


def parse_finalized(upload_api: str, body: Mapping[str, Any], media_id: str | None = None) -> dict[str, Any]:
    """A FINALIZE (or simple upload) answer as ``{"media_id", "media_key", "size", "expires_after_secs",
    "processing_info"}``."""
    endpoint = f"{'FINALIZE' if media_id else 'simple upload'} ({upload_api})"
    data = _data(upload_api, body, endpoint, allow_empty=media_id is not None)
    # A simple upload names its media only in the answer: it has no fallback id.
    found_id = _media_id(upload_api, data, endpoint, fallback=media_id)
    key = _media_key(data, endpoint)
    info = data.get("processing_info") or None
    if info is not None and not isinstance(info, Mapping):
        raise _malformed(endpoint, f"has a processing_info that is not an object ({info!r})")
    return {
        "media_id": found_id,
        "media_key": key,
        "size": _count(data, "size", endpoint),
        "expires_after_secs": _count(data, "expires_after_secs", endpoint),
        "processing_info": info,
    }


def parse_status(body: Mapping[str, Any], media_id: str) -> dict[str, Any]:
    """A v2 (``{"data": {...}}``) or v1.1 STATUS body as ``{"media_id", "media_key", "processing_info"}``
    (``processing_info`` None for media that needs no processing)."""
    endpoint = "STATUS"
    data = body.get("data") if isinstance(body.get("data"), Mapping) else body
    upload_api = "v2" if data is not body or "id" in data else "v1.1"
    found_id = _media_id(upload_api, data, endpoint, fallback=media_id)
    info = data.get("processing_info") or None
    if info is not None and not isinstance(info, Mapping):
        raise _malformed(endpoint, f"has a processing_info that is not an object ({info!r})")
    return {
        "media_id": found_id,
        "media_key": _media_key(data, endpoint),
        "processing_info": info,
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
