"""S3 locations and a ranged reader that streams an object without holding it in memory or on disk."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from airflow_provider_twitter_ads.exceptions import S3ObjectChangedError, S3ObjectNotFoundError
from airflow_provider_twitter_ads.utils.segments import STREAM_BLOCK_BYTES
from airflow_provider_twitter_ads.utils.sniff import HEAD_BYTES

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

log = logging.getLogger(__name__)

_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$", re.IGNORECASE)
# Reads of one range at most: a broken or timed-out stream is reopened where it broke.
_STREAM_RETRIES = 3
# Idle cursors kept open at once: the sequential read plus one for a re-read (a retried segment).
_MAX_CURSORS = 2
# Longest wait for the sequential GET to reach a read's start before the read opens its own GET.
_CHAIN_WAIT_SECONDS = 30.0


def parse_s3_uri(s3_uri: object) -> tuple[str, str]:
    """``(bucket, key)`` from ``s3://bucket/key``; ``ValueError`` naming ``s3_uri`` otherwise."""
    found = _S3_URI.match(s3_uri) if isinstance(s3_uri, str) else None
    if found is None:
        raise ValueError(f"s3_uri must look like 's3://bucket/key', got {s3_uri!r}")
    return found["bucket"], found["key"]


def format_s3_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


def resolve_s3_location(
    s3_uri: str | None = None, s3_bucket: str | None = None, s3_key: str | None = None
) -> tuple[str, str]:
    """``(bucket, key)`` from either ``s3_uri`` or ``s3_bucket`` + ``s3_key`` (exactly one of the two)."""
    has_uri = s3_uri not in (None, "")
    has_parts = s3_bucket not in (None, "") or s3_key not in (None, "")
    if has_uri and has_parts:
        raise ValueError(
            f"Give either s3_uri or s3_bucket + s3_key, not both (s3_uri={s3_uri!r}, "
            f"s3_bucket={s3_bucket!r}, s3_key={s3_key!r})"
        )
    if has_uri:
        return parse_s3_uri(s3_uri)
    if not has_parts:
        raise ValueError("Give the object to upload: s3_uri, or s3_bucket and s3_key")
    for name, value in (("s3_bucket", s3_bucket), ("s3_key", s3_key)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string when s3_uri is not given, got {value!r}")
    if "/" in s3_bucket:  # type: ignore[operator]
        raise ValueError(f"s3_bucket must be a bucket name without '/', got {s3_bucket!r}")
    return s3_bucket, s3_key  # type: ignore[return-value]


class _Cursor:
    """An open ranged GET, read up to ``position``: to the object's end if ``open_ended``, else to its range's."""

    def __init__(self, body: Any, position: int, *, open_ended: bool = True) -> None:
        self.body = body
        self.position = position
        self.open_ended = open_ended

    def close(self) -> None:
        if self.body is None:
            return
        try:
            self.body.close()
        except Exception:  # closing a broken stream must not hide the real error
            log.debug("Closing an S3 stream failed", exc_info=True)


class S3RangeReader:
    """Reads byte ranges of one S3 object through the amazon provider's ``S3Hook``.

    Sequential reads (the common case: segment after segment) are served from one open GET that is
    read as it goes, so a whole upload costs one S3 request and never more than a block in memory.
    Reads started at once (parallel APPENDs) take that GET in turn: a read whose start the GET is
    still heading for waits until the read before it parks the GET there, so S3 is read once, in
    order, while the APPENDs' answers overlap. Reads announced with :meth:`expect_read` count as
    coming before they start, so parallel threads that start out of order still share the GET. A
    read behind the GET (a retried segment) makes a GET of exactly its range; a read with no GET
    coming opens a new one. The first bytes read alone (a sniffed header, at most
    ``sniff.HEAD_BYTES``) are kept until the read that continues past them takes the GET, so
    sniffing costs no second GET. Every GET carries ``If-Match`` with the ETag seen at ``open``, so
    an object replaced mid-upload fails clearly instead of mixing two versions. Thread-safe: each
    stream owns its GET while it reads.
    """

    def __init__(
        self, s3_hook: S3Hook, bucket: str, key: str, size: int, content_type: str | None, etag: str | None
    ) -> None:
        self.s3_hook = s3_hook
        self.bucket = bucket
        self.key = key
        self.size = size
        self.content_type = content_type
        self.etag = etag
        #: GET requests made so far (for logs and tests).
        self.get_requests = 0
        self._client = s3_hook.get_conn()
        self._lock = threading.Lock()
        # Idle open-ended GETs, parked where the last read on them ended; least recently used first.
        self._cursors: list[_Cursor] = []
        # Open-ended GETs being read now; the condition is notified whenever one is parked or closed.
        self._active: set[_Cursor] = set()
        # Starts of the reads waiting for the sequential GET to reach them.
        self._waiting: list[int] = []
        # Ranges announced by expect_read whose reads have no GET yet.
        self._expected: list[tuple[int, int]] = []
        # The object's first bytes, read alone; served while the sequential GET waits at their end.
        self._head = b""
        self._changed = threading.Condition(self._lock)

    @classmethod
    def open(
        cls, bucket: str, key: str, aws_conn_id: str | None = "aws_default", s3_hook: S3Hook | None = None
    ) -> S3RangeReader:
        """HEAD the object (size, Content-Type, ETag); ``S3ObjectNotFoundError`` if bucket or key is missing.

        Pass ``s3_hook`` to reuse a hook (and its boto3 client) instead of making one for ``aws_conn_id``.
        """
        from botocore.exceptions import ClientError

        if s3_hook is None:
            from airflow.providers.amazon.aws.hooks.s3 import S3Hook

            s3_hook = S3Hook(aws_conn_id=aws_conn_id)
        hook = s3_hook
        try:
            obj = hook.get_key(key, bucket_name=bucket)
        except ClientError as error:
            if _error_code(error) not in ("404", "NoSuchKey", "NoSuchBucket", "NotFound"):
                raise
            if not hook.check_for_bucket(bucket):
                raise S3ObjectNotFoundError(f"s3_bucket {bucket!r} does not exist") from None
            raise S3ObjectNotFoundError(
                f"s3_key {key!r} does not exist in bucket {bucket!r} ({format_s3_uri(bucket, key)})"
            ) from None
        return cls(hook, bucket, key, int(obj.content_length), obj.content_type, obj.e_tag)

    @property
    def uri(self) -> str:
        return format_s3_uri(self.bucket, self.key)

    def read_range(self, start: int, end: int) -> bytes:
        """The bytes ``[start, end)`` of the object."""
        data = b"".join(self.stream_range(start, end, block_bytes=max(1, end - start)))
        if start == 0 < end <= HEAD_BYTES:
            with self._lock:
                if any(cursor.position == end for cursor in self._cursors):
                    self._head = data
        return data

    def expect_read(self, start: int, end: int) -> None:
        """Announce that a read of ``[start, end)`` will come: later reads wait for it to carry the GET on.

        Its read (the first stream of that range) clears it; :meth:`forget_read` clears one that
        will not come, so no read waits for it.
        """
        with self._changed:
            self._expected.append((start, end))

    def forget_read(self, start: int, end: int) -> None:
        """Clear an announcement whose read will not come (no-op once that read has taken its GET)."""
        with self._changed:
            self._unexpect((start, end))

    def stream_range(self, start: int, end: int, block_bytes: int = STREAM_BLOCK_BYTES) -> Iterator[bytes]:
        """The bytes ``[start, end)`` in blocks of at most ``block_bytes``, read from S3 as they are taken.

        The range is checked now; the GET is made when the first block is taken. A stream that
        breaks is reopened where it broke (``S3ObjectChangedError`` if the object was replaced).
        """
        if not 0 <= start <= end <= self.size:
            raise ValueError(f"range [{start}, {end}) is outside {self.uri} ({self.size} bytes)")
        if block_bytes < 1:
            raise ValueError(f"block_bytes must be positive, got {block_bytes}")
        return self._stream(start, end, block_bytes)

    def _stream(self, start: int, end: int, block_bytes: int) -> Iterator[bytes]:
        if start == end:
            return
        read = (start, end)
        with self._lock:
            head = self._head[start:end]
        cursor: _Cursor | None = None
        position = start + len(head)
        failures = 0
        try:
            for at in range(0, len(head), block_bytes):
                yield head[at : at + block_bytes]
            while position < end:
                try:
                    if cursor is None:
                        cursor = self._take_cursor(position, end, read)
                    block = cursor.body.read(min(block_bytes, end - position))
                    if not block:
                        raise EOFError(f"S3 stream ended {end - position} bytes early")
                except S3ObjectChangedError:
                    raise
                except Exception as error:
                    # A broken or timed-out stream: drop it and reopen at the same position.
                    if cursor is not None:
                        self._release(cursor, park=False)
                        cursor = None
                    failures += 1
                    if failures == _STREAM_RETRIES:
                        raise
                    log.warning("Reading %s at %d failed (%s); reopening", self.uri, position, error)
                    continue
                position += len(block)
                cursor.position = position
                yield block
        finally:
            with self._changed:
                # Served from the head alone, or given up before its GET: no longer coming.
                self._unexpect(read)
            if cursor is not None:
                # Park a finished open-ended GET for the next read; drop one given up halfway.
                self._release(cursor, park=position == end < self.size and cursor.open_ended)

    def _unexpect(self, read: tuple[int, int]) -> None:
        # Called holding the lock.
        if read in self._expected:
            self._expected.remove(read)
            self._changed.notify_all()

    def close(self) -> None:
        with self._lock:
            cursors, self._cursors = self._cursors, []
            self._head = b""
            self._changed.notify_all()
        for cursor in cursors:
            cursor.close()

    def __enter__(self) -> S3RangeReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _take_cursor(self, start: int, end: int, read: tuple[int, int]) -> _Cursor:
        """The GET to read ``[start, end)`` from: the sequential one, a GET of that range, or a new one.

        ``read`` is the whole range of the stream asking; its announcement is cleared once it has a GET.
        """
        deadline = time.monotonic() + _CHAIN_WAIT_SECONDS
        with self._changed:
            while True:
                for cursor in self._cursors:
                    if cursor.position == start:
                        self._cursors.remove(cursor)
                        self._active.add(cursor)
                        if start == len(self._head):
                            # The read that continues past the head: from now on the head is stale.
                            self._head = b""
                        self._unexpect(read)
                        return cursor
                # The sequential GET is being read short of `start` (or has just reached it and is
                # about to be parked), or is parked short of it for a read that waits there, or an
                # announced read before this one has no GET yet: the reads before this one take it
                # on to here (when one of them fails, the chain breaks: stop waiting).
                coming = (
                    any(cursor.position <= start for cursor in self._active)
                    or any(
                        cursor.position < start and cursor.position in self._waiting
                        for cursor in self._cursors
                    )
                    or any(other[0] < start for other in self._expected if other != read)
                )
                remaining = deadline - time.monotonic()
                if not coming or remaining <= 0:
                    break
                self._waiting.append(start)
                try:
                    self._changed.wait(remaining)
                finally:
                    self._waiting.remove(start)
            # Behind the sequential GET (a re-read): exactly this range; else a new sequential GET,
            # active from now on so that reads after this one wait for it.
            open_ended = not any(c.position > start for c in (*self._active, *self._cursors))
            cursor = _Cursor(None, start, open_ended=open_ended)
            if open_ended:
                self._active.add(cursor)
            self._unexpect(read)
            self.get_requests += 1
        try:
            cursor.body = self._get(start, None if open_ended else end)
        except BaseException:
            self._release(cursor, park=False)
            raise
        return cursor

    def _release(self, cursor: _Cursor, *, park: bool) -> None:
        with self._changed:
            self._active.discard(cursor)
            if park:
                self._cursors.append(cursor)
                evicted = self._cursors[:-_MAX_CURSORS]
                del self._cursors[:-_MAX_CURSORS]
            else:
                evicted = [cursor]
            self._changed.notify_all()
        for old in evicted:
            old.close()

    def _get(self, start: int, end: int | None) -> Any:
        from botocore.exceptions import ClientError

        last = "" if end is None else str(end - 1)
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key, "Range": f"bytes={start}-{last}"}
        if self.etag:
            params["IfMatch"] = self.etag
        try:
            return self._client.get_object(**params)["Body"]
        except ClientError as error:
            if _error_code(error) in ("PreconditionFailed", "412"):
                raise S3ObjectChangedError(
                    f"{self.uri} changed while it was being uploaded (ETag is no longer {self.etag})"
                ) from None
            raise


def _error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
