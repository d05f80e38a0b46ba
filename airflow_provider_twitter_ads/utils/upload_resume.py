"""Resuming a chunked upload across task tries, as pure code: the record, the decision, the throttle.

After INIT the upload records its session (:class:`SessionRecord`, JSON) in the task state store;
as APPENDs complete it records which segments are known done; after FINALIZE it records that.
A retry reads the record back and :func:`resume_point` says whether it continues the same session
(:class:`ResumePoint`) or why it starts over (a sentence). :class:`SegmentProgress` decides when
progress is worth a store write. Nothing here reads a store or sends a request: the I/O is in
:mod:`~airflow_provider_twitter_ads.hooks.upload`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The task state key of the upload's session (``TaskState`` adds its ``twitter_ads.`` prefix).
RECORD_KEY = "upload_session"
#: The record's format; a record of another version is never resumed.
RECORD_VERSION = 1
#: A session that expires sooner than this (seconds) is not resumed: the rest of the upload
#: and FINALIZE must fit before the API forgets the session.
EXPIRY_MARGIN_SECONDS = 600.0
#: Progress is written after at least this many newly done segments ...
MIN_SEGMENTS_PER_WRITE = 4
#: ... and at most this many progress writes are made per upload (larger plans write less often).
MAX_PROGRESS_WRITES = 50


@dataclass(frozen=True)
class UploadIdentity:
    """What a session was opened for: a retry resumes it only if every field is the same."""

    source: str
    etag: str | None
    total_bytes: int
    segment_bytes: int
    segment_count: int
    upload_api: str
    media_type: str
    media_category: str
    additional_owners: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "etag": self.etag,
            "total_bytes": self.total_bytes,
            "segment_bytes": self.segment_bytes,
            "segment_count": self.segment_count,
            "upload_api": self.upload_api,
            "media_type": self.media_type,
            "media_category": self.media_category,
            "additional_owners": list(self.additional_owners),
        }


@dataclass(frozen=True)
class ResumePoint:
    """A session a retry continues: its media, its expiry (epoch seconds), the segments known done."""

    media_id: str
    media_key: str | None
    expires_at: float | None
    done: frozenset[int]
    finalized: bool = False


def session_record(
    identity: UploadIdentity,
    media_id: str,
    media_key: str | None,
    expires_at: float | None,
    done: Iterable[int] = (),
    finalized: bool = False,
) -> dict[str, Any]:
    """The JSON record of a session: ``identity``'s fields, the media, ``expires_at`` and progress.

    Progress is ``done_prefix`` (segments ``0..done_prefix-1`` are done) and ``done_extra`` (the
    done segments above it, out of order from parallel APPENDs): a few numbers, never a list of
    every segment.
    """
    prefix, extra = compact_done(done)
    return {
        "version": RECORD_VERSION,
        **identity.as_json(),
        "media_id": media_id,
        "media_key": media_key,
        "expires_at": expires_at,
        "done_prefix": prefix,
        "done_extra": extra,
        "finalized": finalized,
    }


def compact_done(done: Iterable[int]) -> tuple[int, list[int]]:
    """``(prefix, extra)``: ``0..prefix-1`` are all in ``done``, ``extra`` the sorted rest above it."""
    indexes = set(done)
    prefix = 0
    while prefix in indexes:
        prefix += 1
    return prefix, sorted(i for i in indexes if i > prefix)


def resume_point(record: object, identity: UploadIdentity, now: float) -> ResumePoint | str:
    """The session to continue, or why a fresh upload is needed.

    ``record`` is what the store holds (None when nothing was recorded); ``now`` is epoch seconds.
    Fresh when the record is missing or malformed, when anything of ``identity`` differs (the S3
    object's ETag or size, the segment plan, the upload API, the media type, category or owners),
    or when the session expires within ``EXPIRY_MARGIN_SECONDS``.
    """
    if record is None:
        return "nothing was recorded"
    if not isinstance(record, Mapping) or record.get("version") != RECORD_VERSION:
        return "the recorded session is not in a format this version reads"
    try:
        media_id = str(record["media_id"])
        done = _done_of(record, identity.segment_count)
    except (KeyError, TypeError, ValueError):
        return "the recorded session is malformed"
    expected = identity.as_json()
    for name, label in _COMPARED:
        if record.get(name) != expected[name]:
            return f"the {label} changed ({record.get(name)!r} then, {expected[name]!r} now)"
    expires_at = record.get("expires_at")
    if expires_at is not None:
        if not isinstance(expires_at, (int, float)) or isinstance(expires_at, bool):
            return "the recorded session is malformed"
        left = expires_at - now
        if left < EXPIRY_MARGIN_SECONDS:
            when = "expired" if left <= 0 else f"expires in {left:.0f} s"
            return (
                f"upload session {media_id} {when} (a session is resumed only with more than "
                f"{EXPIRY_MARGIN_SECONDS:.0f} s left)"
            )
    media_key = record.get("media_key")
    return ResumePoint(
        media_id=media_id,
        media_key=str(media_key) if media_key else None,
        expires_at=float(expires_at) if expires_at is not None else None,
        done=done,
        finalized=record.get("finalized") is True,
    )


# The identity fields a retry compares, with the words its log line uses.
_COMPARED = (
    ("source", "S3 object"),
    ("etag", "S3 object's ETag"),
    ("total_bytes", "S3 object's size"),
    ("upload_api", "upload API"),
    ("segment_bytes", "segment size"),
    ("segment_count", "segment count"),
    ("media_type", "media type"),
    ("media_category", "media category"),
    ("additional_owners", "additional owners"),
)


def _done_of(record: Mapping[str, Any], count: int) -> frozenset[int]:
    prefix = record["done_prefix"]
    extra = record["done_extra"]
    if isinstance(prefix, bool) or not isinstance(prefix, int) or not isinstance(extra, list):
        raise TypeError("done_prefix must be an int and done_extra a list")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in extra):
        raise TypeError("done_extra must hold ints")
    done = frozenset(range(prefix)) | frozenset(extra)
    if prefix < 0 or any(not 0 <= i < count for i in done):
        raise ValueError("a done segment is outside the plan")
    return done


def write_step(segment_count: int) -> int:
    """Newly done segments between two progress writes: ``max(4, ceil(count / 50))``."""
    return max(MIN_SEGMENTS_PER_WRITE, math.ceil(segment_count / MAX_PROGRESS_WRITES))


class SegmentProgress:
    """The segments known done, and whether enough are new since the last write to write again.

    Not thread-safe: the caller holds a lock around :meth:`add` and :meth:`written`.
    """

    def __init__(self, segment_count: int, done: Iterable[int] = ()) -> None:
        self.step = write_step(segment_count)
        self.done: set[int] = set(done)
        self._unwritten = 0

    def add(self, index: int) -> bool:
        """Mark ``index`` done; True when a progress write is due."""
        if index not in self.done:
            self.done.add(index)
            self._unwritten += 1
        return self._unwritten >= self.step

    def written(self) -> None:
        """The progress so far is in the store."""
        self._unwritten = 0
