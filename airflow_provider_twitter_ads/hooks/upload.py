"""The chunked media upload (INIT / APPEND / FINALIZE) and STATUS, sent through a transport.

The requests are built and read by :mod:`~airflow_provider_twitter_ads.utils.upload_protocol`;
this module only sequences them and sends them through ``transport.request`` (``AdsApiHook``).

``upload_media`` streams an object through a ``RangeReader`` in bounded memory: each APPEND's
body is a :class:`~airflow_provider_twitter_ads.utils.upload_protocol.MultipartBody` whose media
part reads the segment from the reader as the socket takes it, in blocks of
``STREAM_BLOCK_BYTES`` (256 KiB). No segment is ever held whole; ``max_parallel_segments`` APPENDs in
flight hold about that many blocks. Every attempt of an APPEND (the hook's retries and the rounds
below) reads its range from the reader again.

Retry decisions, on top of the hook's own retries of transient errors:

- INIT is sent as idempotent: if its response is lost and the hook sends it again, the first
  session is an orphan nobody appends to, and the API expires it (``expires_after_secs``).
- APPEND is idempotent by the API's contract (re-sending an index replaces it). When the hook gives
  up on a transient error (lost response, 5xx, unreachable), the segment is sent again (read from
  the reader again), up to ``APPEND_ATTEMPTS`` rounds.
- FINALIZE is idempotent by contract (finalizing twice returns the same media). If it still fails,
  ``MediaUploadError`` names the media id so the upload can be inspected with STATUS.
- An expired session (the API says "expired", or ``expires_after_secs`` has passed by our clock)
  starts again from INIT, at most ``MAX_SESSION_STARTS`` sessions in all.
- Images that fit in one segment (and have no ``additional_owners``) use the simple, single-request
  upload; like INIT, a lost response leaves at most an unused media that the API expires.

Given an :class:`UploadJournal` (the operator makes one from the task state store), a chunked upload
also survives the death of its process: the session is recorded after INIT, progress every few
segments and the media after FINALIZE, and the next try continues that session (the decision is
:func:`~airflow_provider_twitter_ads.utils.upload_resume.resume_point`). A resumed session the API
refuses (expired, unknown, already finalized) is given up for a fresh INIT.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from airflow_provider_twitter_ads.exceptions import (
    AdsApiConnectionError,
    AdsApiError,
    AdsApiNotFoundError,
    AdsApiResponseLostError,
    AdsApiServerError,
    MediaUploadError,
)
from airflow_provider_twitter_ads.ids import validate_media_id
from airflow_provider_twitter_ads.utils import upload_protocol as protocol
from airflow_provider_twitter_ads.utils.processing import (
    MIN_WAIT_SECONDS,
    ProcessingStatus,
    check_processing,
    unknown_media_error,
    validate_wait_bounds,
)
from airflow_provider_twitter_ads.utils.segments import (
    DEFAULT_SEGMENT_BYTES,
    RangeReader,
    RangeStream,
    Segment,
    SegmentPlan,
    plan_segments,
)
from airflow_provider_twitter_ads.utils.sniff import SIGNATURE_BYTES, check_image_bytes
from airflow_provider_twitter_ads.utils.task_state import TaskState
from airflow_provider_twitter_ads.utils.upload_resume import (
    RECORD_KEY,
    ResumePoint,
    SegmentProgress,
    UploadIdentity,
    resume_point,
    session_record,
)
from airflow_provider_twitter_ads.vocabulary import MediaCategory, get_media_category, normalize_media_type

__all__ = [
    "APPEND_ATTEMPTS",
    "MAX_SESSION_STARTS",
    "RangeReader",
    "UploadJournal",
    "UploadTransport",
    "get_upload_status",
    "poll_processing",
    "upload_media",
    "wait_for_processing",
]

log = logging.getLogger(__name__)

#: Sessions started at most per upload (the first plus restarts after an expiry).
MAX_SESSION_STARTS = 3
#: Rounds per segment: each round is one ``transport.request`` (with the transport's own retries).
APPEND_ATTEMPTS = 2

# Errors after which the same request may be sent again: nothing was, or an idempotent write was, done.
_TRANSIENT_ERRORS = (AdsApiResponseLostError, AdsApiConnectionError, AdsApiServerError)


class UploadTransport(Protocol):
    """Sends one upload API request with retries and returns its JSON body (``AdsApiHook`` is one)."""

    @property
    def upload_api(self) -> str:
        """The connection's upload API version, used when a call names none."""
        ...

    def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]: ...


class _Client:
    """Sends the protocol's requests of one upload API version through the transport."""

    def __init__(self, transport: UploadTransport, upload_api: str) -> None:
        self.transport = transport
        self.api = upload_api

    def _send(self, request: protocol.UploadRequest) -> dict[str, Any]:
        return self.transport.request(request.method, request.path, **request.kwargs())

    def initialize(
        self, total_bytes: int, media_type: str, media_category: str, additional_owners: list[str]
    ) -> protocol.UploadSession:
        started = time.monotonic()
        request = protocol.init_request(self.api, total_bytes, media_type, media_category, additional_owners)
        return protocol.parse_init(self.api, self._send(request), started)

    def append(self, media_id: str, segment_index: int, media: protocol.MediaSource) -> None:
        self._send(protocol.append_request(self.api, media_id, segment_index, media))

    def finalize(self, media_id: str) -> dict[str, Any]:
        return protocol.parse_finalized(
            self.api, self._send(protocol.finalize_request(self.api, media_id)), media_id
        )

    def simple(self, media: protocol.MediaSource, media_type: str, media_category: str) -> dict[str, Any]:
        request = protocol.simple_request(self.api, media, media_type, media_category)
        return protocol.parse_finalized(self.api, self._send(request))

    def status(self, media_id: str) -> dict[str, Any]:
        return protocol.parse_status(self._send(protocol.status_request(self.api, media_id)), media_id)


# -- the record a retry resumes from -----------------------------------------------------------------


class UploadJournal:
    """Records a chunked upload's session in the task state store, and reads it back on a retry.

    ``source`` and ``etag`` name the object read (``s3://bucket/key`` and its ETag); the upload adds
    its plan, API and media. One write after INIT, one per
    :func:`~airflow_provider_twitter_ads.utils.upload_resume.write_step` newly done segments, one
    after FINALIZE. Thread-safe (parallel APPENDs report from their threads). Without a store
    (``TaskState.available`` false) it does nothing.
    """

    def __init__(
        self, state: TaskState, source: str, etag: str | None, clock: Callable[[], float] = time.time
    ) -> None:
        self.state = state
        self.source = source
        self.etag = etag
        self._clock = clock
        self._lock = threading.Lock()
        self._identity: UploadIdentity | None = None
        self._session: protocol.UploadSession | None = None
        self._expires_at: float | None = None
        self._progress: SegmentProgress | None = None

    def identity(
        self, plan: SegmentPlan, upload_api: str, media_type: str, media_category: str, owners: list[str]
    ) -> UploadIdentity:
        return UploadIdentity(
            source=self.source,
            etag=self.etag,
            total_bytes=plan.total_bytes,
            segment_bytes=plan.segment_bytes,
            segment_count=plan.count,
            upload_api=upload_api,
            media_type=media_type,
            media_category=media_category,
            additional_owners=tuple(owners),
        )

    def resume(self, identity: UploadIdentity) -> ResumePoint | None:
        """The recorded session to continue, or None (logging why, when one was recorded)."""
        self._identity = identity
        if not self.state.available:
            return None
        found = resume_point(self.state.get(RECORD_KEY), identity, self._clock())
        if isinstance(found, str):
            if found != "nothing was recorded":
                log.info(
                    "Not resuming the recorded upload of %s: %s; starting a fresh upload", self.source, found
                )
            return None
        return found

    def started(self, session: protocol.UploadSession, done: frozenset[int], *, resumed: bool) -> None:
        """The session being appended to; recorded now unless it came from the record."""
        assert self._identity is not None, "resume() first"
        with self._lock:
            self._session = session
            self._expires_at = (
                None
                if session.expires_at is None
                else self._clock() + (session.expires_at - time.monotonic())
            )
            self._progress = SegmentProgress(self._identity.segment_count, done)
            if not resumed:
                self._write(finalized=False)

    def segment_done(self, index: int) -> None:
        """An APPEND was answered; the progress is written when enough is new."""
        with self._lock:
            if self._progress is not None and self._progress.add(index):
                self._write(finalized=False)
                self._progress.written()

    def finalized(self, result: dict[str, Any]) -> None:
        """FINALIZE succeeded: a retry goes straight to STATUS. The media's lifetime replaces the session's."""
        with self._lock:
            if self._progress is None or self._identity is None:
                return
            lifetime = result.get("expires_after_secs")
            if lifetime is not None:
                self._expires_at = self._clock() + lifetime
            self._progress.done.update(range(self._identity.segment_count))
            self._write(finalized=True, media_key=result.get("media_key"))

    def forget(self) -> None:
        """The recorded session is no use (the API refused it): nothing to resume until the next INIT."""
        with self._lock:
            self._progress = None
        self.state.delete(RECORD_KEY)

    def _write(self, *, finalized: bool, media_key: str | None = None) -> None:
        assert self._identity is not None and self._session is not None and self._progress is not None
        record = session_record(
            self._identity,
            self._session.media_id,
            media_key or self._session.media_key,
            self._expires_at,
            self._progress.done,
            finalized=finalized,
        )
        self.state.set(RECORD_KEY, record)


def _resumed_session(point: ResumePoint) -> protocol.UploadSession:
    """The recorded session, its expiry on this process's monotonic clock."""
    expires_at = None if point.expires_at is None else time.monotonic() + (point.expires_at - time.time())
    return protocol.UploadSession(point.media_id, point.media_key, None, expires_at)


def _refused(error: AdsApiError) -> bool:
    """Whether the API refused the request for good (4xx): a resumed session it refuses is dead."""
    return error.status_code is not None and 400 <= error.status_code < 500


# -- the upload -----------------------------------------------------------------------------------


def upload_media(
    transport: UploadTransport,
    reader: RangeReader,
    total_bytes: int,
    media_type: str,
    media_category: str,
    additional_owners: Iterable[str] | str | None = None,
    segment_bytes: int = DEFAULT_SEGMENT_BYTES,
    max_parallel_segments: int = 1,
    upload_api: str | None = None,
    head: bytes | None = None,
    journal: UploadJournal | None = None,
) -> dict[str, Any]:
    """Upload ``total_bytes`` read through ``reader`` and return the finalized media.

    Returns ``{"media_id", "media_key", "size", "expires_after_secs", "processing_info"}``
    (``processing_info`` is None for images). All arguments are checked before the first request
    (``ValueError`` / ``TypeError`` naming the argument), and so are the first bytes of an image or
    GIF: bytes that are no image format of the category are refused, named by the reader's ``uri``
    (pass ``head``, at least the object's first ``sniff.SIGNATURE_BYTES``, if already read). Raises
    ``MediaUploadError`` when a session cannot be completed, and the hook's ``AdsApiError`` for
    errors the API reports on INIT. With a ``journal``, a chunked upload records its session and
    continues the one a previous try recorded.
    """
    if not isinstance(reader, RangeReader):
        raise TypeError(f"reader must have read_range(start, end) -> bytes, got {type(reader).__name__}")
    plan = plan_segments(total_bytes, segment_bytes)
    category = get_media_category(media_category)
    media_type = normalize_media_type(media_type)
    category.check(media_type, total_bytes)
    owners = protocol.normalize_additional_owners(additional_owners)
    parallel = protocol.validate_parallelism(max_parallel_segments)
    check_image_bytes(
        category,
        media_type,
        lambda: head if head is not None else reader.read_range(0, min(SIGNATURE_BYTES, total_bytes)),
        getattr(reader, "uri", None) or "the media",
    )
    client = _Client(transport, protocol.resolve_upload_api(upload_api, transport.upload_api))

    if category.kind == "image" and plan.count == 1 and not owners:
        return _simple_upload(client, reader, plan, media_type, category)
    uploader = _ChunkedUpload(client, reader, plan, media_type, category, owners, parallel, journal)
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
    client: _Client, reader: RangeReader, plan: SegmentPlan, media_type: str, category: MediaCategory
) -> dict[str, Any]:
    log.info("Uploading %d bytes of %s as %s in one request", plan.total_bytes, media_type, category.name)
    media = RangeStream(reader, 0, plan.total_bytes)
    result = _retry_rounds(lambda: client.simple(media, media_type, category.name), "Simple upload")
    return _with_media_key(result, category)


def _with_media_key(result: dict[str, Any], category: MediaCategory) -> dict[str, Any]:
    if not result.get("media_key"):
        result["media_key"] = f"{category.key_prefix}_{result['media_id']}"
    return result


class _ChunkedUpload:
    """One chunked upload: sessions (restarted on expiry), segments in order or in parallel."""

    def __init__(
        self,
        client: _Client,
        reader: RangeReader,
        plan: SegmentPlan,
        media_type: str,
        category: MediaCategory,
        owners: list[str],
        parallel: int,
        journal: UploadJournal | None = None,
    ) -> None:
        self.client = client
        self.reader = reader
        self.plan = plan
        self.media_type = media_type
        self.category = category
        self.owners = owners
        self.parallel = parallel
        self.journal = journal
        self._progress_step = max(1, plan.count // 10)

    def run(self) -> dict[str, Any]:
        resumed = self._recorded_session()
        if resumed is not None and resumed.finalized:
            found = self._finalized_media(resumed)
            if found is not None:
                return found
            resumed = None
        # Start 0 is the recorded session, when there is one: it does not count against the limit.
        for start in range(0 if resumed is not None else 1, MAX_SESSION_STARTS + 1):
            if resumed is not None:
                session, done = _resumed_session(resumed), resumed.done
                log.info(
                    "Resuming upload session %s: %d of %d segment(s) known done, %d to append",
                    session.media_id,
                    len(done),
                    self.plan.count,
                    self.plan.count - len(done),
                )
            else:
                session = self.client.initialize(
                    self.plan.total_bytes, self.media_type, self.category.name, self.owners
                )
                done = frozenset()
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
            if self.journal is not None:
                self.journal.started(session, done, resumed=resumed is not None)
            try:
                self._append_all(session, done)
                session.check_alive()
                result = self._finalize(session)
                if self.journal is not None:
                    self.journal.finalized(result)
                return _with_media_key(result, self.category)
            except AdsApiError as error:
                if resumed is not None and (protocol.is_expired(error) or _refused(error)):
                    log.warning(
                        "The resumed upload session %s was refused (%s); starting again from INIT",
                        session.media_id,
                        error,
                    )
                    resumed = None
                    if self.journal is not None:
                        self.journal.forget()
                    continue
                if not protocol.is_expired(error):
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

    def _recorded_session(self) -> ResumePoint | None:
        if self.journal is None:
            return None
        identity = self.journal.identity(
            self.plan, self.client.api, self.media_type, self.category.name, self.owners
        )
        return self.journal.resume(identity)

    def _finalized_media(self, point: ResumePoint) -> dict[str, Any] | None:
        """The media a previous try finalized, checked with one STATUS; None if the API no longer has it."""
        try:
            status = self.client.status(point.media_id)
        except AdsApiError as error:
            if not _refused(error):
                raise
            log.info(
                "Media %s, finalized by a previous try, is gone (%s); starting a fresh upload",
                point.media_id,
                error,
            )
            return None
        log.info("Media %s was finalized by a previous try; not uploading again", point.media_id)
        result = {
            "media_id": status["media_id"],
            "media_key": status["media_key"] or point.media_key,
            "size": self.plan.total_bytes,
            "expires_after_secs": None,
            "processing_info": status["processing_info"],
        }
        return _with_media_key(result, self.category)

    def _finalize(self, session: protocol.UploadSession) -> dict[str, Any]:
        try:
            result = self.client.finalize(session.media_id)
        except AdsApiError as error:
            if protocol.is_expired(error):
                raise
            raise MediaUploadError.caused_by(
                f"FINALIZE of media {session.media_id} failed (all {self.plan.count} segment(s) were "
                "appended; check it with get_upload_status)",
                session.media_id,
                error,
            ) from error
        log.info("Finalized media %s (%s bytes)", result["media_id"], result.get("size"))
        return result

    def _append(self, session: protocol.UploadSession, segment: Segment) -> None:
        """APPEND one segment, its bytes streamed from the reader by each attempt."""
        media = RangeStream(self.reader, segment.start, segment.end)

        def send() -> None:
            session.check_alive()
            self.client.append(session.media_id, segment.index, media)

        _retry_rounds(send, f"APPEND of segment {segment.index} of media {session.media_id}")
        if self.journal is not None:
            self.journal.segment_done(segment.index)
        if (segment.index + 1) % self._progress_step == 0 or segment.index + 1 == self.plan.count:
            log.info("Media %s: segment %d/%d appended", session.media_id, segment.index + 1, self.plan.count)

    def _append_all(self, session: protocol.UploadSession, skip: frozenset[int] = frozenset()) -> None:
        # The main thread hands segments in order to `parallel` APPEND workers; each worker's request
        # body reads its segment as it is sent. A segment is handed out only when one of `parallel`
        # slots is free (its slot is given back when its APPEND is answered), so segments queued
        # behind a failure are never started.
        slots = threading.Semaphore(self.parallel)
        failed = threading.Event()
        futures: list[Future[None]] = []
        # A reader that shares one S3 GET among parallel reads is told which reads come, in order,
        # so a worker that starts before the one ahead of it waits instead of opening a GET.
        expect_read = getattr(self.reader, "expect_read", None)
        forget_read = getattr(self.reader, "forget_read", None)

        def append(segment: Segment) -> None:
            try:
                # Segments queued behind a failure are dropped, not sent.
                if not failed.is_set():
                    self._append(session, segment)
            finally:
                if forget_read is not None:
                    forget_read(segment.start, segment.end)

        def done(future: Future[None]) -> None:
            if future.exception() is not None:
                failed.set()
            slots.release()

        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="media-append") as pool:
            for segment in self.plan:
                # Segments a previous try is known to have appended are not sent again.
                if segment.index in skip:
                    continue
                slots.acquire()
                if failed.is_set():
                    slots.release()
                    break
                if expect_read is not None:
                    expect_read(segment.start, segment.end)
                future = pool.submit(append, segment)
                future.add_done_callback(done)
                futures.append(future)
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            # An expiry wins: it restarts the session, whatever else failed alongside it.
            raise next((e for e in errors if protocol.is_expired(e)), errors[0])  # type: ignore[misc]


def get_upload_status(
    transport: UploadTransport, media_id: str, upload_api: str | None = None
) -> dict[str, Any]:
    """STATUS of an upload as ``{"media_id", "media_key", "processing_info"}`` (None for images).

    An unknown media id raises ``AdsApiNotFoundError`` saying so.
    """
    media_id = validate_media_id(media_id)
    client = _Client(transport, protocol.resolve_upload_api(upload_api, transport.upload_api))
    try:
        return client.status(media_id)
    except AdsApiNotFoundError as error:
        raise unknown_media_error(media_id, error) from None


def wait_for_processing(
    transport: UploadTransport,
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
    status, _ = poll_processing(
        transport, media_id, upload_api, min_wait=min_wait, max_wait=max_wait, within=timeout, sleep=sleep
    )
    if not status.succeeded:
        raise TimeoutError(
            f"Media {media_id} was still {status.state} after {timeout:g} s of waiting for processing"
        )
    return status


def poll_processing(
    transport: UploadTransport,
    media_id: str,
    upload_api: str | None = None,
    *,
    min_wait: float = MIN_WAIT_SECONDS,
    max_wait: float = 60.0,
    within: float,
    checked: ProcessingStatus | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[ProcessingStatus, float]:
    """Check STATUS until processing succeeds or the next wait would end past ``within`` seconds.

    Returns the last status (succeeded or still running) and the seconds spent. ``checked`` is a
    status just read elsewhere (FINALIZE's answer): it counts as the first check, so the loop waits
    before its first request. Raises ``MediaProcessingError`` when processing fails.
    """
    validate_wait_bounds(min_wait, max_wait, ("min_wait", "max_wait"))
    started = time.monotonic()
    if checked is None:
        checked = check_processing(get_upload_status(transport, media_id, upload_api))
    status = checked
    while not status.succeeded:
        wait = status.next_wait(min_wait, max_wait)
        if time.monotonic() + wait > started + within:
            break
        log.info("%s; next check in %.1f s", status.describe(), wait)
        sleep(wait)
        status = check_processing(get_upload_status(transport, media_id, upload_api))
    return status, time.monotonic() - started
