"""The resume decision and the progress throttle, as pure code (no store, no request)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from airflow_provider_twitter_ads.utils.upload_resume import (
    EXPIRY_MARGIN_SECONDS,
    ResumePoint,
    SegmentProgress,
    UploadIdentity,
    compact_done,
    resume_point,
    session_record,
    write_step,
)

NOW = 1_800_000_000.0
IDENTITY = UploadIdentity(
    source="s3://assets/clip.mp4",
    etag='"3f2a"',
    total_bytes=40 * 65536,
    segment_bytes=65536,
    segment_count=40,
    upload_api="v2",
    media_type="video/mp4",
    media_category="amplify_video",
    additional_owners=("1001",),
)


def _record(**changes: object) -> dict:
    record = session_record(IDENTITY, "1029825579531807971", "13_1029825579531807971", NOW + 3600, range(7))
    record.update(changes)
    return record


def test_a_matching_record_resumes_from_its_done_segments() -> None:
    record = session_record(IDENTITY, "1029825579531807971", None, NOW + 3600, [0, 1, 2, 5, 6])
    assert json.loads(json.dumps(record)) == record
    assert (record["done_prefix"], record["done_extra"]) == (3, [5, 6])
    assert resume_point(record, IDENTITY, NOW) == ResumePoint(
        media_id="1029825579531807971",
        media_key=None,
        expires_at=NOW + 3600,
        done=frozenset({0, 1, 2, 5, 6}),
        finalized=False,
    )


def test_a_finalized_record_says_so_and_a_session_without_expiry_never_expires() -> None:
    record = session_record(IDENTITY, "7", "13_7", None, range(40), finalized=True)
    point = resume_point(record, IDENTITY, NOW + 10**9)
    assert isinstance(point, ResumePoint)
    assert (point.finalized, point.expires_at, len(point.done)) == (True, None, 40)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("etag", '"9c1b"', "the S3 object's ETag changed ('\"3f2a\"' then, '\"9c1b\"' now)"),
        ("total_bytes", 40 * 65536 + 1, "the S3 object's size changed"),
        ("source", "s3://assets/other.mp4", "the S3 object changed"),
        ("upload_api", "v1.1", "the upload API changed ('v2' then, 'v1.1' now)"),
        ("segment_bytes", 131072, "the segment size changed"),
        ("segment_count", 20, "the segment count changed"),
        ("media_type", "video/quicktime", "the media type changed"),
        ("media_category", "tweet_video", "the media category changed"),
        ("additional_owners", (), "the additional owners changed"),
    ],
)
def test_anything_of_the_identity_that_differs_starts_fresh_and_says_what(
    field: str, value: object, reason: str
) -> None:
    now = dataclasses.replace(IDENTITY, **{field: value})
    found = resume_point(_record(), now, NOW)
    assert isinstance(found, str) and found.startswith(reason), found


def test_an_expired_session_or_one_inside_the_margin_starts_fresh() -> None:
    expired = resume_point(_record(expires_at=NOW - 1), IDENTITY, NOW)
    assert expired == (
        "upload session 1029825579531807971 expired (a session is resumed only with more than "
        f"{EXPIRY_MARGIN_SECONDS:.0f} s left)"
    )
    close = resume_point(_record(expires_at=NOW + EXPIRY_MARGIN_SECONDS - 30), IDENTITY, NOW)
    assert isinstance(close, str) and close.startswith(
        f"upload session 1029825579531807971 expires in {EXPIRY_MARGIN_SECONDS - 30:.0f} s"
    )
    assert isinstance(
        resume_point(_record(expires_at=NOW + EXPIRY_MARGIN_SECONDS + 1), IDENTITY, NOW), ResumePoint
    )


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (None, "nothing was recorded"),
        ("a string", "the recorded session is not in a format this version reads"),
        ({**_record(), "version": 2}, "the recorded session is not in a format this version reads"),
        ({k: v for k, v in _record().items() if k != "media_id"}, "the recorded session is malformed"),
        (_record(done_prefix="7"), "the recorded session is malformed"),
        (_record(done_extra=[40]), "the recorded session is malformed"),
        (_record(done_extra=[True]), "the recorded session is malformed"),
        (_record(done_prefix=41), "the recorded session is malformed"),
        (_record(expires_at="soon"), "the recorded session is malformed"),
    ],
)
def test_a_missing_or_malformed_record_starts_fresh(record: object, reason: str) -> None:
    assert resume_point(record, IDENTITY, NOW) == reason


def test_compact_done_keeps_a_prefix_and_the_few_above_it() -> None:
    assert compact_done([]) == (0, [])
    assert compact_done(range(999)) == (999, [])
    assert compact_done([1, 2, 3]) == (0, [1, 2, 3])
    assert compact_done([0, 1, 3, 4, 7]) == (2, [3, 4, 7])


@pytest.mark.parametrize(("count", "step"), [(1, 4), (16, 4), (200, 4), (201, 5), (1000, 20)])
def test_write_step_is_at_least_four_and_a_fiftieth(count: int, step: int) -> None:
    assert write_step(count) == step


def test_a_thousand_segments_make_at_most_fifty_progress_writes() -> None:
    progress = SegmentProgress(1000)
    writes = 0
    # Parallel APPENDs finish out of order; a repeated index (a resent segment) is no new progress.
    for index in [*range(1, 1000, 2), *range(0, 1000, 2), 5, 6]:
        if progress.add(index):
            writes += 1
            progress.written()
    assert writes == 50
    assert progress.done == set(range(1000))


def test_progress_resumed_from_a_record_counts_only_new_segments() -> None:
    progress = SegmentProgress(16, done=range(8))
    assert [progress.add(i) for i in (3, 8, 9, 10)] == [False, False, False, False]
    assert progress.add(11) is True
