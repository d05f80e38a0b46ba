"""Chunked media upload (INIT / APPEND / FINALIZE) and STATUS over ``AdsApiHook.request``.

``upload_media`` streams an object through a ``RangeReader`` in bounded memory: at most
``max_parallel_segments`` segments are being appended and one more is read ahead, each at most
5 MiB.

Retry decisions, on top of the hook's own retries of transient errors:

- INIT is sent as idempotent: if its response is lost and the hook sends it again, the first
  session is an orphan nobody appends to, and the API expires it (``expires_after_secs``).
- APPEND is idempotent by the API's contract (re-sending an index replaces it). When the hook gives
  up on a transient error (lost response, 5xx, unreachable), the segment is re-read from the
  reader and sent again, up to ``APPEND_ATTEMPTS`` rounds.
- FINALIZE is idempotent by contract (finalizing twice returns the same media). If it still fails,
  ``MediaUploadError`` names the media id so the upload can be inspected with STATUS.
- An expired session (the API says "expired", or ``expires_after_secs`` has passed by our clock)
  starts again from INIT, at most ``MAX_SESSION_STARTS`` sessions in all.
- Images that fit in one segment (and have no ``additional_owners``) use the simple, single-request
  upload; like INIT, a lost response leaves at most an unused media that the API expires.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_twitter_ads.exceptions import (
    AdsApiConnectionError,
    AdsApiError,
    AdsApiNotFoundError,
    AdsApiResponseLostError,
    AdsApiServerError,
)
from airflow_provider_twitter_ads.utils.media import validate_media_id
from airflow_provider_twitter_ads.utils.media_categories import (
    MediaCategory,
    get_media_category,
    normalize_media_type,
)
from airflow_provider_twitter_ads.utils.processing import (
    MIN_WAIT_SECONDS,
    ProcessingStatus,
    normalize_status_response,
    read_status,
    unknown_media_error,
    validate_wait_bounds,
)
from airflow_provider_twitter_ads.utils.segments import (
    DEFAULT_SEGMENT_BYTES,
    RangeReader,
    Segment,
    SegmentPlan,
    plan_segments,
)

if TYPE_CHECKING:
    from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook

__all__ = [
    "APPEND_ATTEMPTS",
    "MAX_PARALLEL_SEGMENTS",
    "MAX_SESSION_STARTS",
    "UPLOAD_APIS",
    "MediaUploadError",
    "RangeReader",
    "get_upload_status",
    "normalize_additional_owners",
    "resolve_upload_api",
    "upload_media",
    "validate_parallelism",
]

log = logging.getLogger(__name__)

UPLOAD_APIS = ("v2", "v1.1")
#: Sessions started at most per upload (the first plus restarts after an expiry).
MAX_SESSION_STARTS = 3
#: Rounds per segment: each round is one ``hook.request`` (with the hook's own retries).
APPEND_ATTEMPTS = 2
#: More parallel appends than this mostly adds connections, not speed.
MAX_PARALLEL_SEGMENTS = 16
#: The API takes at most this many additional owners.
MAX_ADDITIONAL_OWNERS = 100

# Errors after which the same request may be sent again: nothing was, or an idempotent write was, done.
_TRANSIENT_ERRORS = (AdsApiResponseLostError, AdsApiConnectionError, AdsApiServerError)


class MediaUploadError(AdsApiError):
    """An upload could not be completed; ``media_id`` names the upload session (None before INIT)."""

    def __init__(
        self,
        message: str | None = None,
        *,
        media_id: str | None = None,
        status_code: int | None = None,
        errors: list[dict[str, Any]] | None = None,
        method: str | None = None,
        path: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.media_id = media_id
        super().__init__(
            message, status_code=status_code, errors=errors, method=method, path=path, headers=headers
        )

    @classmethod
    def caused_by(cls, summary: str, media_id: str | None, cause: BaseException) -> MediaUploadError:
        """``summary: <cause>``, keeping the cause's status and API errors for callers to inspect."""
        if isinstance(cause, AdsApiError):
            return cls(
                f"{summary}: {cause}",
                media_id=media_id,
                status_code=cause.status_code,
                errors=cause.errors,
                method=cause.method,
                path=cause.path,
            )
        return cls(f"{summary}: {type(cause).__name__}: {cause}", media_id=media_id)

    def _describe(self) -> str:
        # The summary already says what failed; the base class would restate the status and path.
        return self._message or "Media upload failed"

    def serialize(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        classpath, args, kwargs = super().serialize()
        return classpath, args, {**kwargs, "media_id": self.media_id}


class _SessionExpired(Exception):
    """The upload session expired (by the API's word or our clock): start again from INIT."""


# -- argument checks (pure; all run before the first request) -------------------------------------


def resolve_upload_api(hook: AdsApiHook, upload_api: str | None) -> str:
    """``upload_api`` if given, else the connection's (default ``v2``); ``ValueError`` if unknown."""
    if upload_api is None:
        config = getattr(hook, "config", None)
        upload_api = getattr(config, "upload_api", None) or "v2"
        parameter = "the connection's upload_api"
    else:
        parameter = "upload_api"
    if upload_api not in UPLOAD_APIS:
        raise ValueError(f"{parameter} must be one of {', '.join(UPLOAD_APIS)}, got {upload_api!r}")
    return upload_api


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
    if isinstance(max_parallel_segments, bool) or not isinstance(max_parallel_segments, int):
        raise TypeError(f"max_parallel_segments must be an int, got {max_parallel_segments!r}")
    if not 1 <= max_parallel_segments <= MAX_PARALLEL_SEGMENTS:
        raise ValueError(
            f"max_parallel_segments must be between 1 and {MAX_PARALLEL_SEGMENTS}, got {max_parallel_segments}"
        )
    return max_parallel_segments


# -- the two API versions ---------------------------------------------------------------------------


@dataclass
class _Session:
    media_id: str
    media_key: str | None
    expires_after_secs: int | None
    # time.monotonic() after which our clock says the session has expired (None: never).
    expires_at: float | None

    def check_alive(self) -> None:
        if self.expires_at is not None and time.monotonic() >= self.expires_at:
            raise _SessionExpired(f"upload session {self.media_id} passed its expires_after_secs")


def _session(media_id: object, media_key: object, expires_after_secs: object, started: float) -> _Session:
    expires = int(expires_after_secs) if isinstance(expires_after_secs, (int, float, str)) else None
    return _Session(
        media_id=str(media_id),
        media_key=str(media_key) if media_key else None,
        expires_after_secs=expires,
        expires_at=started + expires if expires is not None else None,
    )


def _media_part(data: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"media": ("media", data, "application/octet-stream")}


def _finalized(data: Mapping[str, Any], media_id: str | None = None) -> dict[str, Any]:
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


class _UploadClient:
    """The requests of one upload API version; every method is one ``hook.request``."""

    def __init__(self, hook: AdsApiHook) -> None:
        self.hook = hook

    def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.hook.request("POST", path, api="upload", idempotent=True, **kwargs)

    def initialize(
        self, total_bytes: int, media_type: str, media_category: str, additional_owners: list[str]
    ) -> _Session:
        raise NotImplementedError

    def append(self, media_id: str, segment_index: int, data: bytes) -> None:
        raise NotImplementedError

    def finalize(self, media_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def simple(self, data: bytes, media_type: str, media_category: str) -> dict[str, Any]:
        raise NotImplementedError

    def status(self, media_id: str) -> dict[str, Any]:
        raise NotImplementedError


class _V2Client(_UploadClient):
    def initialize(
        self, total_bytes: int, media_type: str, media_category: str, additional_owners: list[str]
    ) -> _Session:
        body: dict[str, Any] = {
            "media_type": media_type,
            "total_bytes": total_bytes,
            "media_category": media_category,
        }
        if additional_owners:
            body["additional_owners"] = additional_owners
        started = time.monotonic()
        data = self._post("2/media/upload/initialize", json=body).get("data") or {}
        return _session(data.get("id"), data.get("media_key"), data.get("expires_after_secs"), started)

    def append(self, media_id: str, segment_index: int, data: bytes) -> None:
        self._post(
            f"2/media/upload/{media_id}/append",
            data={"segment_index": str(segment_index)},
            files=_media_part(data),
        )

    def finalize(self, media_id: str) -> dict[str, Any]:
        return _finalized(self._post(f"2/media/upload/{media_id}/finalize").get("data") or {}, media_id)

    def simple(self, data: bytes, media_type: str, media_category: str) -> dict[str, Any]:
        fields = {"media_category": media_category, "media_type": media_type}
        return _finalized(
            self._post("2/media/upload", data=fields, files=_media_part(data)).get("data") or {}
        )

    def status(self, media_id: str) -> dict[str, Any]:
        return self.hook.request(
            "GET", "2/media/upload", params={"command": "STATUS", "media_id": media_id}, api="upload"
        )


class _V11Client(_UploadClient):
    path = "1.1/media/upload.json"

    def initialize(
        self, total_bytes: int, media_type: str, media_category: str, additional_owners: list[str]
    ) -> _Session:
        fields = {
            "command": "INIT",
            "total_bytes": str(total_bytes),
            "media_type": media_type,
            "media_category": media_category,
        }
        if additional_owners:
            fields["additional_owners"] = ",".join(additional_owners)
        started = time.monotonic()
        body = self._post(self.path, data=fields)
        media_id = body.get("media_id_string") or body.get("media_id")
        return _session(media_id, body.get("media_key"), body.get("expires_after_secs"), started)

    def append(self, media_id: str, segment_index: int, data: bytes) -> None:
        fields = {"command": "APPEND", "media_id": media_id, "segment_index": str(segment_index)}
        self._post(self.path, data=fields, files=_media_part(data))

    def finalize(self, media_id: str) -> dict[str, Any]:
        return _finalized(self._post(self.path, data={"command": "FINALIZE", "media_id": media_id}), media_id)

    def simple(self, data: bytes, media_type: str, media_category: str) -> dict[str, Any]:
        fields = {"media_category": media_category, "media_type": media_type}
        return _finalized(self._post(self.path, data=fields, files=_media_part(data)))

    def status(self, media_id: str) -> dict[str, Any]:
        return self.hook.request(
            "GET", self.path, params={"command": "STATUS", "media_id": media_id}, api="upload"
        )


def _client(hook: AdsApiHook, upload_api: str) -> _UploadClient:
    return _V2Client(hook) if upload_api == "v2" else _V11Client(hook)


def _is_expired(error: BaseException) -> bool:
    if isinstance(error, _SessionExpired):
        return True
    return (
        isinstance(error, AdsApiError)
        and error.status_code is not None
        and 400 <= error.status_code < 500
        and "expired" in str(error).lower()
    )


# -- the upload -----------------------------------------------------------------------------------


def upload_media(
    hook: AdsApiHook,
    reader: RangeReader,
    total_bytes: int,
    media_type: str,
    media_category: str,
    additional_owners: Iterable[str] | str | None = None,
    segment_bytes: int = DEFAULT_SEGMENT_BYTES,
    max_parallel_segments: int = 1,
    upload_api: str | None = None,
) -> dict[str, Any]:
    """Upload ``total_bytes`` read through ``reader`` and return the finalized media.

    Returns ``{"media_id", "media_key", "size", "expires_after_secs", "processing_info"}``
    (``processing_info`` is None for images). All arguments are checked before the first request
    (``ValueError`` / ``TypeError`` naming the argument). Raises ``MediaUploadError`` when a session
    cannot be completed, and the hook's ``AdsApiError`` for errors the API reports on INIT.
    """
    if not isinstance(reader, RangeReader):
        raise TypeError(f"reader must have read_range(start, end) -> bytes, got {type(reader).__name__}")
    plan = plan_segments(total_bytes, segment_bytes)
    category = get_media_category(media_category)
    media_type = normalize_media_type(media_type)
    category.check(media_type, total_bytes)
    owners = normalize_additional_owners(additional_owners)
    parallel = validate_parallelism(max_parallel_segments)
    api = resolve_upload_api(hook, upload_api)
    client = _client(hook, api)

    if category.kind == "image" and plan.count == 1 and not owners:
        return _simple_upload(client, reader, plan, media_type, category)
    uploader = _ChunkedUpload(client, reader, plan, media_type, category, owners, parallel)
    return uploader.run()


def _retry_rounds(action: Callable[[], Any], describe: str) -> Any:
    """Run ``action`` up to ``APPEND_ATTEMPTS`` times while it fails with a transient error."""
    for attempt in range(1, APPEND_ATTEMPTS + 1):
        try:
            return action()
        except _TRANSIENT_ERRORS as error:
            if attempt == APPEND_ATTEMPTS:
                raise
            log.warning(
                "%s failed after the hook's retries (%s); re-reading and sending again", describe, error
            )
    raise AssertionError("unreachable")


def _simple_upload(
    client: _UploadClient, reader: RangeReader, plan: SegmentPlan, media_type: str, category: MediaCategory
) -> dict[str, Any]:
    log.info("Uploading %d bytes of %s as %s in one request", plan.total_bytes, media_type, category.name)
    result = _retry_rounds(
        lambda: client.simple(reader.read_range(0, plan.total_bytes), media_type, category.name),
        "Simple upload",
    )
    return _with_media_key(result, category)


def _with_media_key(result: dict[str, Any], category: MediaCategory) -> dict[str, Any]:
    if not result.get("media_key"):
        result["media_key"] = f"{category.key_prefix}_{result['media_id']}"
    return result


class _ChunkedUpload:
    """One chunked upload: sessions (restarted on expiry), segments in order or in parallel."""

    def __init__(
        self,
        client: _UploadClient,
        reader: RangeReader,
        plan: SegmentPlan,
        media_type: str,
        category: MediaCategory,
        owners: list[str],
        parallel: int,
    ) -> None:
        self.client = client
        self.reader = reader
        self.plan = plan
        self.media_type = media_type
        self.category = category
        self.owners = owners
        self.parallel = parallel
        self._progress_step = max(1, plan.count // 10)

    def run(self) -> dict[str, Any]:
        for start in range(1, MAX_SESSION_STARTS + 1):
            session = self.client.initialize(
                self.plan.total_bytes, self.media_type, self.category.name, self.owners
            )
            log.info(
                "Upload session %s: %d bytes of %s as %s in %d segment(s) of %d bytes, %d in parallel",
                session.media_id,
                self.plan.total_bytes,
                self.media_type,
                self.category.name,
                self.plan.count,
                self.plan.segment_bytes,
                self.parallel,
            )
            try:
                self._append_all(session)
                session.check_alive()
                return _with_media_key(self._finalize(session), self.category)
            except (AdsApiError, _SessionExpired) as error:
                if not _is_expired(error):
                    if isinstance(error, MediaUploadError):
                        raise
                    raise MediaUploadError.caused_by(
                        f"Uploading media {session.media_id} failed", session.media_id, error
                    ) from error
                if start == MAX_SESSION_STARTS:
                    raise MediaUploadError.caused_by(
                        f"Upload session of media {session.media_id} expired; gave up after "
                        f"{MAX_SESSION_STARTS} sessions",
                        session.media_id,
                        error,
                    ) from error
                log.warning(
                    "Upload session %s expired (%s); starting again from INIT", session.media_id, error
                )
        raise AssertionError("unreachable")

    def _finalize(self, session: _Session) -> dict[str, Any]:
        try:
            result = self.client.finalize(session.media_id)
        except AdsApiError as error:
            if _is_expired(error):
                raise
            raise MediaUploadError.caused_by(
                f"FINALIZE of media {session.media_id} failed (all {self.plan.count} segment(s) were "
                "appended; check it with get_upload_status)",
                session.media_id,
                error,
            ) from error
        log.info("Finalized media %s (%s bytes)", result["media_id"], result.get("size"))
        return result

    def _append(self, session: _Session, segment: Segment, read: list[bytes]) -> None:
        """APPEND one segment. ``read`` holds its bytes if already read; they are taken out of it so a
        retry's fresh read never sits in memory next to the failed one.
        """

        def send() -> None:
            session.check_alive()
            payload = read.pop() if read else self.reader.read_range(segment.start, segment.end)
            self.client.append(session.media_id, segment.index, payload)

        _retry_rounds(send, f"APPEND of segment {segment.index} of media {session.media_id}")
        if (segment.index + 1) % self._progress_step == 0 or segment.index + 1 == self.plan.count:
            log.info("Media %s: segment %d/%d appended", session.media_id, segment.index + 1, self.plan.count)

    def _append_all(self, session: _Session) -> None:
        # The main thread reads segments in order (one streaming S3 GET) and hands them to
        # `parallel` APPEND workers. A segment is read only when one of `parallel + 1` buffers is
        # free, and its buffer is given back when its APPEND is answered: the next segment is read
        # while the others are being sent, and reading never runs further ahead than that.
        buffers = threading.Semaphore(self.parallel + 1)
        failed = threading.Event()
        futures: list[Future[None]] = []

        def append(segment: Segment, read: list[bytes]) -> None:
            try:
                # Segments queued behind a failure are dropped, not sent.
                if not failed.is_set():
                    self._append(session, segment, read)
            finally:
                read.clear()

        def done(future: Future[None]) -> None:
            if future.exception() is not None:
                failed.set()
            buffers.release()

        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="media-append") as pool:
            for segment in self.plan:
                buffers.acquire()
                if failed.is_set():
                    buffers.release()
                    break
                try:
                    read = [self.reader.read_range(segment.start, segment.end)]
                except BaseException:
                    failed.set()
                    buffers.release()
                    raise
                future = pool.submit(append, segment, read)
                del read
                future.add_done_callback(done)
                futures.append(future)
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            # An expiry wins: it restarts the session, whatever else failed alongside it.
            raise next((e for e in errors if _is_expired(e)), errors[0])  # type: ignore[misc]


def get_upload_status(hook: AdsApiHook, media_id: str, upload_api: str | None = None) -> dict[str, Any]:
    """STATUS of an upload as ``{"media_id", "media_key", "processing_info"}`` (None for images)."""
    media_id = validate_media_id(media_id)
    body = _client(hook, resolve_upload_api(hook, upload_api)).status(media_id)
    status = normalize_status_response(body, media_id)
    status["processing_info"] = status.get("processing_info") or None
    return status


def wait_for_processing(
    hook: AdsApiHook,
    media_id: str,
    upload_api: str | None = None,
    *,
    min_wait: float = MIN_WAIT_SECONDS,
    max_wait: float = 60.0,
    timeout: float = 3600.0,
    sleep: Callable[[float], None] = time.sleep,
) -> ProcessingStatus:
    """Check STATUS until processing succeeds, waiting ``check_after_secs`` (bounded) between checks.

    Returns the succeeded status (at once for media that needs no processing). Raises
    ``MediaProcessingError`` when processing fails and ``TimeoutError`` after ``timeout`` seconds.
    """
    validate_wait_bounds(min_wait, max_wait, ("min_wait", "max_wait"))
    deadline = time.monotonic() + timeout
    while True:
        try:
            payload = get_upload_status(hook, media_id, upload_api)
        except AdsApiNotFoundError as error:
            raise unknown_media_error(media_id, error) from None
        status = read_status(payload)
        if status.failed:
            raise status.processing_error()
        if status.succeeded:
            return status
        wait = status.next_wait(min_wait, max_wait)
        if time.monotonic() + wait > deadline:
            raise TimeoutError(
                f"Media {media_id} was still {status.state} after {timeout:g} s of waiting for processing"
            )
        log.info("%s; next check in %.1f s", status.describe(), wait)
        sleep(wait)
