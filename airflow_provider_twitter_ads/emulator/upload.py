"""Media upload endpoints: v2 initialize / append / finalize / status and v1.1 media/upload.json.

Received segments are spooled to files, never kept in memory. FINALIZE streams them in index order
through SHA-256, reads image dimensions from the first bytes and deletes them. Video and GIF
processing is computed from the clock whenever it is read (``refresh_processing``): no thread runs
in the background.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Response, Router
from airflow_provider_twitter_ads.emulator.images import read_image_header
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig, EmulatorState, MediaRecord

V1_PATH = "/1.1/media/upload.json"
MAX_SEGMENT_BYTES = 5 * 1024 * 1024
MAX_SEGMENT_INDEX = 999
MAX_ADDITIONAL_OWNERS = 100
PROCESSING_ERROR = {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}
# Share of the processing time spent in ``pending`` before ``in_progress`` starts.
PENDING_SHARE = 0.2
# JPEG dimensions may sit behind large EXIF or ICC segments: read this much for image headers.
_HEAD_BYTES = 1024 * 1024
_READ_CHUNK = 1024 * 1024
_DIGITS = re.compile(r"[0-9]+")
_PROBLEMS = {
    400: ("Invalid Request", "https://api.x.com/2/problems/invalid-request"),
    404: ("Not Found Error", "https://api.x.com/2/problems/resource-not-found"),
}
# v1.1 error codes: a required parameter is missing; a media parameter is invalid.
_V1_MISSING = 38
_V1_INVALID = 324


@dataclass(frozen=True)
class MediaCategory:
    """What a media category accepts and how its media is keyed and processed."""

    media_types: frozenset[str]
    max_bytes: int
    key_prefix: str
    # "image" (no processing), "gif" or "video" (processed after FINALIZE).
    kind: str

    @property
    def needs_processing(self) -> bool:
        return self.kind != "image"


_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/bmp"})
_VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
_IMAGE = MediaCategory(_IMAGE_TYPES, 5_242_880, "3", "image")
_GIF = MediaCategory(frozenset({"image/gif"}), 15_728_640, "16", "gif")
_VIDEO = MediaCategory(_VIDEO_TYPES, 536_870_912, "7", "video")
CATEGORIES: dict[str, MediaCategory] = {
    "tweet_image": _IMAGE,
    "dm_image": _IMAGE,
    "tweet_gif": _GIF,
    "dm_gif": _GIF,
    "tweet_video": _VIDEO,
    "dm_video": _VIDEO,
    "amplify_video": MediaCategory(_VIDEO_TYPES, 536_870_912, "13", "video"),
}


class UploadError(ApiError):
    """An upload API error, rendered in the format of the API version whose route raised it.

    v2: the problem format (``title``, ``detail``, ``type``, ``status``). v1.1: ``{"errors": [{"code",
    "message"}]}`` when ``v1_code`` is set, else ``{"request", "error"}``; an unknown media id is 400.
    """

    def __init__(self, status: int, message: str, parameter: str | None = None, v1_code: int | None = None):
        super().__init__(status, "NOT_FOUND" if status == 404 else "INVALID_PARAMETER", message, parameter)
        self.v1_code = v1_code
        self.api = "v2"

    def for_api(self, api: str) -> UploadError:
        self.api = api
        if api == "v1.1" and self.status == 404:
            self.status = 400
        return self

    def body(self, request: EmulatorRequest | None) -> dict[str, Any]:
        if self.api == "v1.1":
            if self.v1_code is None:
                return {"request": V1_PATH, "error": self.message}
            return {"errors": [{"code": self.v1_code, "message": self.message}]}
        title, problem_type = _PROBLEMS.get(self.status, _PROBLEMS[400])
        error: dict[str, Any] = {"title": title, "detail": self.message, "type": problem_type}
        if self.parameter is not None:
            error["parameter"] = self.parameter
        return {
            "errors": [error],
            "title": title,
            "detail": self.message,
            "type": problem_type,
            "status": self.status,
        }


def _missing(name: str) -> UploadError:
    return UploadError(400, f"{name} parameter is missing.", name, _V1_MISSING)


def _invalid(name: str, message: str) -> UploadError:
    return UploadError(400, message, name, _V1_INVALID)


def refresh_processing(record: MediaRecord, now: float | None = None) -> MediaRecord:
    """Bring ``state``, ``progress_percent`` and ``error`` of a finalized video or GIF up to the clock.

    ``pending`` for the first ``PENDING_SHARE`` of its processing time, then ``in_progress`` with a
    rising ``progress_percent``, then ``succeeded`` (or ``failed`` with ``PROCESSING_ERROR``). Call it
    before reading those fields; other records are returned unchanged.
    """
    if (
        not record.finalized
        or record.processing_started_at is None
        or record.state in ("succeeded", "failed")
    ):
        return record
    elapsed = (time.time() if now is None else now) - record.processing_started_at
    total = record.processing_seconds
    if elapsed >= total:
        record.progress_percent = 100
        record.state = "failed" if record.fail_processing else "succeeded"
        record.error = dict(PROCESSING_ERROR) if record.fail_processing else None
    elif elapsed < total * PENDING_SHARE:
        record.state, record.progress_percent = "pending", 0
    else:
        record.state = "in_progress"
        record.progress_percent = min(99, max(1, int(100 * elapsed / total)))
    return record


def processing_info(
    record: MediaRecord, config: EmulatorConfig, now: float | None = None
) -> dict[str, Any] | None:
    """The ``processing_info`` member for a finalized record at ``now``; None for media without processing."""
    if not record.needs_processing or not record.finalized:
        return None
    refresh_processing(record, now)
    info: dict[str, Any] = {"state": record.state, "progress_percent": record.progress_percent}
    if record.state in ("pending", "in_progress"):
        info["check_after_secs"] = config.check_after_secs
    if record.state == "failed":
        info["error"] = dict(record.error or PROCESSING_ERROR)
    return info


class _Spool:
    """Received segments on disk: a directory per upload session, a file per segment index."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config
        self._root: Path | None = None
        self._sizes: dict[str, dict[int, int]] = {}

    def sizes(self, media_id: str) -> Mapping[int, int]:
        """Bytes received per segment index of one session."""
        return self._sizes.get(media_id, {})

    def sessions(self) -> list[str]:
        return list(self._sizes)

    def write(self, media_id: str, index: int, data: bytes) -> None:
        """Store one segment, replacing an earlier one with the same index."""
        path = self._segment_path(media_id, index)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        self._sizes.setdefault(media_id, {})[index] = len(data)

    def digest(self, media_id: str) -> tuple[str, bytes]:
        """SHA-256 hex digest of the segments in index order, and the first bytes for header checks."""
        hasher = hashlib.sha256()
        head = bytearray()
        for index in sorted(self.sizes(media_id)):
            with open(self._segment_path(media_id, index), "rb") as segment:
                while chunk := segment.read(_READ_CHUNK):
                    hasher.update(chunk)
                    if len(head) < _HEAD_BYTES:
                        head += chunk[: _HEAD_BYTES - len(head)]
        return hasher.hexdigest(), bytes(head)

    def discard(self, media_id: str) -> None:
        """Delete one session's segments."""
        self._sizes.pop(media_id, None)
        if self._root is not None:
            shutil.rmtree(self._root / media_id, ignore_errors=True)

    def clear(self) -> None:
        """Delete every spooled segment and the spool directory itself."""
        self._sizes.clear()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def _segment_path(self, media_id: str, index: int) -> Path:
        if self._root is None:
            # A directory of our own, also inside a configured one: emulators may share that.
            parent = self._config.upload_spool_dir
            if parent:
                os.makedirs(parent, exist_ok=True)
            self._root = Path(tempfile.mkdtemp(prefix="ads-api-emulator-upload-", dir=parent))
        return self._root / media_id / f"{index:03d}"


_SPOOLS: weakref.WeakKeyDictionary[EmulatorState, _Spool] = weakref.WeakKeyDictionary()


def _spool_for(state: EmulatorState) -> _Spool:
    spool = _SPOOLS.get(state)
    if spool is None:
        spool = _SPOOLS[state] = _Spool(state.config)
    return spool


def cleanup(state: EmulatorState) -> None:
    """Delete spooled upload segments."""
    spool = _SPOOLS.get(state)
    if spool is not None:
        with state.lock:
            spool.clear()


class _Uploads:
    """The upload logic both API versions share; it raises ``UploadError`` and returns records."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.config = state.config
        self.spool = _spool_for(state)

    def initialize(self, params: Mapping[str, str]) -> MediaRecord:
        for name in ("total_bytes", "media_type", "media_category"):
            if not params.get(name):
                raise _missing(name)
        category = _category(params["media_category"])
        media_type = _media_type(params["media_category"], category, params["media_type"])
        total_bytes = _total_bytes(params["media_category"], category, params["total_bytes"])
        owners = _additional_owners(params.get("additional_owners"))
        now = time.time()
        self._discard_expired(now)
        return self._new_record(params["media_category"], category, media_type, total_bytes, owners, now)

    def append(self, media_id: str, segment_index: str | None, data: bytes) -> MediaRecord:
        index = _segment_index(segment_index)
        if not data:
            raise _invalid("media", "The media segment is empty.")
        if len(data) > MAX_SEGMENT_BYTES:
            raise _invalid(
                "media", f"A media segment may hold at most {MAX_SEGMENT_BYTES} bytes; got {len(data)}."
            )
        record = self._open_session(media_id, time.time(), "append to")
        sizes = self.spool.sizes(media_id)
        others = sum(sizes.values()) - sizes.get(index, 0)
        if others + len(data) > record.total_bytes:
            raise _invalid(
                "media",
                f"Appending {len(data)} bytes as segment {index} would make {others + len(data)} bytes, "
                f"more than total_bytes {record.total_bytes}.",
            )
        self.spool.write(media_id, index, data)
        record.received_bytes = others + len(data)
        return record

    def finalize(self, media_id: str, fail_processing: bool) -> tuple[MediaRecord, bool]:
        """Finalize an upload; also True when this call (not an earlier one) finalized it."""
        now = time.time()
        record = self._lookup(media_id)
        if record.finalized:
            if now > record.expires_at:
                raise UploadError(400, f"Media {media_id} has expired.", "media_id")
            return record, False
        self._open_session(media_id, now, "finalize")
        sizes = self.spool.sizes(media_id)
        missing = sorted(set(range(max(sizes, default=-1) + 1)) - set(sizes))
        if missing:
            listed = ", ".join(str(index) for index in missing[:20])
            raise UploadError(
                400, f"Segments {listed} of media {media_id} were never appended.", "segment_index"
            )
        received = sum(sizes.values())
        if received != record.total_bytes:
            raise UploadError(
                400,
                f"Segments add up to {received} bytes, "
                f"not the total_bytes {record.total_bytes} given at INIT.",
                "total_bytes",
            )
        digest, head = self.spool.digest(media_id)
        self.spool.discard(media_id)
        # Processing starts once the bytes are hashed, however long that took on a busy machine.
        self._complete(record, digest, received, head, fail_processing, time.time())
        return record, True

    def status(self, command: str | None, media_id: str | None) -> MediaRecord:
        if not command:
            raise _missing("command")
        if command != "STATUS":
            raise _invalid("command", f"command must be STATUS, got {command!r}.")
        record = self._lookup(_media_id(media_id))
        if not record.finalized:
            raise UploadError(400, f"Media {record.media_id} has not been finalized.", "media_id")
        return refresh_processing(record)

    def simple(self, params: Mapping[str, str], data: bytes | None) -> MediaRecord:
        if data is None:
            raise _missing("media")
        if not data:
            raise _invalid("media", "The media is empty.")
        if not params.get("media_category"):
            raise _missing("media_category")
        name = params["media_category"]
        category = _category(name)
        if category.needs_processing:
            raise _invalid(
                "media_category",
                f"Simple upload takes images only; upload {name} with INIT, APPEND and FINALIZE.",
            )
        head = data[:_HEAD_BYTES]
        image = read_image_header(head)
        # Without media_type the header decides, as the API sniffs the file.
        given_type = params.get("media_type") or (image.media_type if image else None)
        if not given_type:
            raise _missing("media_type")
        media_type = _media_type(name, category, given_type)
        _check_size(name, category, len(data), "media")
        owners = _additional_owners(params.get("additional_owners"))
        now = time.time()
        record = self._new_record(name, category, media_type, len(data), owners, now)
        self._complete(record, hashlib.sha256(data).hexdigest(), len(data), head, False, now)
        return record

    def expires_after_secs(self, record: MediaRecord) -> int:
        return max(0, round(record.expires_at - time.time()))

    def _new_record(
        self,
        name: str,
        category: MediaCategory,
        media_type: str,
        total_bytes: int,
        owners: list[str],
        now: float,
    ) -> MediaRecord:
        media_id = self.state.next_media_id()
        record = MediaRecord(
            media_id=media_id,
            media_key=f"{category.key_prefix}_{media_id}",
            media_category=name,
            media_type=media_type,
            total_bytes=total_bytes,
            created_at=now,
            expires_at=now + self.config.upload_expires_after_secs,
            needs_processing=category.needs_processing,
            extra={"additional_owners": owners},
        )
        self.state.media[record.media_key] = record
        self.state.media_key_by_id[media_id] = record.media_key
        return record

    def _complete(
        self, record: MediaRecord, digest: str, size: int, head: bytes, fail_processing: bool, now: float
    ) -> None:
        """Mark a record finalized: hash, size, image dimensions, and the start of its processing."""
        category = CATEGORIES[record.media_category]
        image = read_image_header(head)
        record.sha256 = digest
        record.received_bytes = size
        record.finalized = True
        # From FINALIZE on, the media (not the session) lives this long.
        record.expires_at = now + self.config.upload_expires_after_secs
        if image is not None and category.kind != "video":
            record.width, record.height = image.width, image.height
        if not category.needs_processing:
            record.state, record.progress_percent = "succeeded", 100
            return
        recognized = (
            head[4:8] == b"ftyp" if category.kind == "video" else head.startswith((b"GIF87a", b"GIF89a"))
        )
        record.fail_processing = fail_processing or not recognized
        record.processing_started_at = now
        record.processing_seconds = self.config.processing_seconds
        refresh_processing(record, now)

    def _lookup(self, media_id: str) -> MediaRecord:
        record = self.state.media_by_id(media_id)
        if record is None:
            raise UploadError(404, f"No media with media_id {media_id} was found.", "media_id")
        return record

    def _open_session(self, media_id: str, now: float, action: str) -> MediaRecord:
        record = self._lookup(media_id)
        if record.finalized:
            raise UploadError(400, f"Media {media_id} is already finalized; cannot {action} it.", "media_id")
        if now > record.expires_at:
            self.spool.discard(media_id)
            raise UploadError(
                400,
                f"The upload session of media {media_id} expired {self.config.upload_expires_after_secs} "
                "seconds after INIT; start a new upload.",
                "media_id",
            )
        return record

    def _discard_expired(self, now: float) -> None:
        """Free the disk of abandoned sessions."""
        for media_id in self.spool.sessions():
            record = self.state.media_by_id(media_id)
            if record is None or now > record.expires_at:
                self.spool.discard(media_id)


def _category(name: str) -> MediaCategory:
    category = CATEGORIES.get(name)
    if category is None:
        raise _invalid(
            "media_category", f"media_category must be one of {', '.join(CATEGORIES)}; got {name!r}."
        )
    return category


def _media_type(name: str, category: MediaCategory, media_type: str) -> str:
    if media_type not in category.media_types:
        raise _invalid(
            "media_type",
            f"media_type {media_type!r} is not allowed for media_category {name}; "
            f"use one of {', '.join(sorted(category.media_types))}.",
        )
    return media_type


def _total_bytes(name: str, category: MediaCategory, value: str) -> int:
    if not _DIGITS.fullmatch(value) or int(value) == 0:
        raise _invalid("total_bytes", f"total_bytes must be a positive integer; got {value!r}.")
    _check_size(name, category, int(value))
    return int(value)


def _check_size(name: str, category: MediaCategory, size: int, parameter: str = "total_bytes") -> None:
    if size > category.max_bytes:
        raise _invalid(
            parameter,
            f"{parameter} of {size} bytes exceeds the {category.max_bytes} bytes allowed "
            f"for media_category {name}.",
        )


def _segment_index(value: str | None) -> int:
    if value is None or value == "":
        raise _missing("segment_index")
    if not _DIGITS.fullmatch(value) or int(value) > MAX_SEGMENT_INDEX:
        raise _invalid(
            "segment_index", f"segment_index must be an integer from 0 to {MAX_SEGMENT_INDEX}; got {value!r}."
        )
    return int(value)


def _media_id(value: str | None, parameter: str = "media_id") -> str:
    if not value:
        raise _missing(parameter)
    if not _DIGITS.fullmatch(value):
        raise _invalid(parameter, f"{parameter} must be a numeric media id; got {value!r}.")
    return value


def _additional_owners(value: str | None) -> list[str]:
    if not value:
        return []
    owners = [owner.strip() for owner in value.split(",")]
    bad = [owner for owner in owners if not _DIGITS.fullmatch(owner)]
    if bad:
        raise _invalid("additional_owners", f"additional_owners must be numeric user ids; got {bad[0]!r}.")
    if len(owners) > MAX_ADDITIONAL_OWNERS:
        raise _invalid(
            "additional_owners",
            f"additional_owners may name at most {MAX_ADDITIONAL_OWNERS} users; got {len(owners)}.",
        )
    return owners


def _media_bytes(request: EmulatorRequest, base64_field: str) -> bytes | None:
    """The binary ``media`` part, else the base64 ``base64_field`` decoded, else None."""
    data = request.files.get("media")
    if data is not None:
        return data
    encoded = request.params.get(base64_field)
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise _invalid(base64_field, f"{base64_field} is not valid base64.") from None


def _for_api(
    api: str, handler: Callable[[EmulatorRequest], Response]
) -> Callable[[EmulatorRequest], Response]:
    def serve(request: EmulatorRequest) -> Response:
        try:
            return handler(request)
        except UploadError as error:
            raise error.for_api(api) from None

    return serve


def register(router: Router, state: EmulatorState) -> None:
    """Add the media upload routes to ``router``."""
    uploads = _Uploads(state)

    def processing(record: MediaRecord, now: float | None = None) -> dict[str, Any]:
        info = processing_info(record, state.config, now)
        return {"processing_info": info} if info is not None else {}

    def finalized_at(record: MediaRecord, first: bool) -> float | None:
        # The FINALIZE that starts processing reports it as it started (``pending``), like the real API;
        # a repeated FINALIZE reports the state now.
        return record.processing_started_at if first else None

    # -- v2 ----------------------------------------------------------------------------------------

    def v2_media(record: MediaRecord, now: float | None = None) -> Response:
        return Response(
            {
                "data": {
                    "id": record.media_id,
                    "media_key": record.media_key,
                    "size": record.total_bytes,
                    "expires_after_secs": uploads.expires_after_secs(record),
                    **processing(record, now),
                }
            }
        )

    def v2_initialize(request: EmulatorRequest) -> Response:
        record = uploads.initialize(request.params)
        return Response(
            {
                "data": {
                    "id": record.media_id,
                    "media_key": record.media_key,
                    "expires_after_secs": uploads.expires_after_secs(record),
                }
            }
        )

    def v2_append(request: EmulatorRequest) -> Response:
        media_id = _media_id(request.path_params["media_id"], "id")
        data = _media_bytes(request, "media")
        if data is None:
            raise _missing("media")
        record = uploads.append(media_id, request.params.get("segment_index"), data)
        return Response({"data": {"expires_at": int(record.expires_at)}})

    def v2_finalize(request: EmulatorRequest) -> Response:
        media_id = _media_id(request.path_params["media_id"], "id")
        record, first = uploads.finalize(media_id, request.fail_processing)
        return v2_media(record, finalized_at(record, first))

    def v2_status(request: EmulatorRequest) -> Response:
        record = uploads.status(request.params.get("command"), request.params.get("media_id"))
        return Response(
            {"data": {"id": record.media_id, "media_key": record.media_key, **processing(record)}}
        )

    def v2_simple(request: EmulatorRequest) -> Response:
        return v2_media(uploads.simple(request.params, _media_bytes(request, "media_data")))

    # -- v1.1 --------------------------------------------------------------------------------------

    def v1_ids(record: MediaRecord) -> dict[str, Any]:
        return {
            "media_id": int(record.media_id),
            "media_id_string": record.media_id,
            "media_key": record.media_key,
        }

    def v1_media(record: MediaRecord, now: float | None = None) -> Response:
        return Response(
            {
                **v1_ids(record),
                "size": record.total_bytes,
                "expires_after_secs": uploads.expires_after_secs(record),
                **processing(record, now),
            }
        )

    def v1_post(request: EmulatorRequest) -> Response:
        params = request.params
        command = params.get("command")
        if not command:
            if "media" not in request.files and "media_data" not in params:
                raise _missing("media")
            # Without a command the v1.1 endpoint is the simple upload; its category defaults to tweet_image.
            return v1_media(
                uploads.simple(
                    {"media_category": "tweet_image", **params}, _media_bytes(request, "media_data")
                )
            )
        if command == "INIT":
            record = uploads.initialize(params)
            return Response({**v1_ids(record), "expires_after_secs": uploads.expires_after_secs(record)})
        if command == "APPEND":
            media_id = _media_id(params.get("media_id"))
            data = _media_bytes(request, "media_data")
            if data is None:
                raise _missing("media")
            uploads.append(media_id, params.get("segment_index"), data)
            return Response(None, 204)
        if command == "FINALIZE":
            record, first = uploads.finalize(_media_id(params.get("media_id")), request.fail_processing)
            return v1_media(record, finalized_at(record, first))
        raise _invalid("command", f"command must be INIT, APPEND or FINALIZE; got {command!r}.")

    def v1_status(request: EmulatorRequest) -> Response:
        record = uploads.status(request.params.get("command"), request.params.get("media_id"))
        return Response({**v1_ids(record), **processing(record)})

    router.add("POST", "/2/media/upload/initialize", _for_api("v2", v2_initialize))
    router.add("POST", "/2/media/upload/{media_id}/append", _for_api("v2", v2_append))
    router.add("POST", "/2/media/upload/{media_id}/finalize", _for_api("v2", v2_finalize))
    router.add("GET", "/2/media/upload", _for_api("v2", v2_status))
    router.add("POST", "/2/media/upload", _for_api("v2", v2_simple))
    router.add("POST", V1_PATH, _for_api("v1.1", v1_post))
    router.add("GET", V1_PATH, _for_api("v1.1", v1_status))
