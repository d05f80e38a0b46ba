"""S3 locations and the ranged reader, against moto's S3 server on loopback."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Callable

import pytest

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.hooks.s3_reader import (
    S3ObjectChangedError,
    S3ObjectNotFoundError,
    S3RangeReader,
    parse_s3_uri,
    resolve_s3_location,
)
from airflow_provider_twitter_ads.utils.segments import RangeReader, RangeStream, plan_segments


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://assets/videos/launch.mp4", ("assets", "videos/launch.mp4")),
        ("S3://assets/a", ("assets", "a")),
        ("s3://assets/dir/with space/x.png", ("assets", "dir/with space/x.png")),
    ],
)
def test_parse_s3_uri(uri: str, expected: tuple[str, str]) -> None:
    assert parse_s3_uri(uri) == expected


@pytest.mark.parametrize(
    "uri", ["assets/x.mp4", "s3://assets", "s3://assets/", "s3:///key", "https://a/b", None, 1]
)
def test_bad_s3_uri_is_refused_by_name(uri: object) -> None:
    with pytest.raises(ValueError, match="s3_uri must look like 's3://bucket/key'"):
        parse_s3_uri(uri)


def test_location_from_bucket_and_key_or_uri() -> None:
    assert resolve_s3_location(s3_bucket="b1", s3_key="k/x.mp4") == ("b1", "k/x.mp4")
    assert resolve_s3_location(s3_uri="s3://b1/k/x.mp4") == ("b1", "k/x.mp4")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"s3_uri": "s3://b/k", "s3_bucket": "b"}, "either s3_uri or s3_bucket \\+ s3_key, not both"),
        ({"s3_uri": "s3://b/k", "s3_key": "k"}, "not both"),
        ({}, "Give the object to upload"),
        ({"s3_uri": None, "s3_bucket": "", "s3_key": ""}, "Give the object to upload"),
        ({"s3_bucket": "b"}, "s3_key must be a non-empty string"),
        ({"s3_key": "k"}, "s3_bucket must be a non-empty string"),
        ({"s3_bucket": "b/c", "s3_key": "k"}, "s3_bucket must be a bucket name without '/'"),
    ],
)
def test_bad_locations_are_refused(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_s3_location(**kwargs)


@pytest.fixture
def video(s3_client, s3_bucket: str) -> bytes:
    data = samples.mp4(1_000_003, seed=7)
    s3_client.put_object(Bucket=s3_bucket, Key="videos/clip.mp4", Body=data, ContentType="video/mp4")
    return data


def test_open_reads_size_type_and_etag(s3_bucket: str, video: bytes, aws_connection: str) -> None:
    with S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection) as reader:
        assert isinstance(reader, RangeReader)
        assert (reader.size, reader.content_type) == (len(video), "video/mp4")
        assert reader.etag and reader.etag.strip('"') == hashlib.md5(video).hexdigest()
        assert reader.uri == f"s3://{s3_bucket}/videos/clip.mp4"
        assert reader.get_requests == 0


def test_missing_bucket_and_missing_key_are_named(s3_bucket: str, aws_connection: str) -> None:
    with pytest.raises(S3ObjectNotFoundError, match="s3_bucket 'no-such-bucket-x1' does not exist"):
        S3RangeReader.open("no-such-bucket-x1", "a.mp4", aws_conn_id=aws_connection)
    with pytest.raises(
        S3ObjectNotFoundError, match=f"s3_key 'missing.mp4' does not exist in bucket '{s3_bucket}'"
    ):
        S3RangeReader.open(s3_bucket, "missing.mp4", aws_conn_id=aws_connection)


def test_sequential_reads_stream_from_one_get(s3_bucket: str, video: bytes, aws_connection: str) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    plan = plan_segments(len(video), 64 * 1024)
    assert b"".join(reader.read_range(s.start, s.end) for s in plan) == video
    assert reader.get_requests == 1
    # Reaching the end released the stream.
    assert reader._cursors == []


def test_a_re_read_opens_its_own_stream_and_the_sequence_continues(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    assert reader.read_range(0, 100) == video[:100]
    assert reader.read_range(100, 200) == video[100:200]
    assert reader.read_range(0, 100) == video[:100]  # a retried segment
    assert reader.get_requests == 2
    assert reader.read_range(200, 300) == video[200:300]  # the sequence goes on where it was
    assert reader.get_requests == 2
    assert reader.read_range(len(video) - 3, len(video)) == video[-3:]
    assert reader.get_requests == 3
    reader.close()
    assert reader._cursors == []


def test_a_broken_stream_is_reopened_at_the_same_position(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    assert reader.read_range(0, 1000) == video[:1000]
    reader._cursors[0].body.close()
    assert reader.read_range(1000, 5000) == video[1000:5000]
    assert reader.get_requests == 2


def test_an_object_replaced_mid_read_fails_clearly(
    s3_client, s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    s3_client.put_object(Bucket=s3_bucket, Key="videos/clip.mp4", Body=b"other bytes")
    with pytest.raises(S3ObjectChangedError, match="changed while it was being uploaded"):
        reader.read_range(0, 10)


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 4), (0, 1_000_004)])
def test_ranges_outside_the_object_are_refused(
    s3_bucket: str, video: bytes, aws_connection: str, start: int, end: int
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    with pytest.raises(ValueError, match="is outside s3://"):
        reader.read_range(start, end)
    assert reader.get_requests == 0


def test_a_range_streams_in_blocks_from_the_sequential_get(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    plan = plan_segments(len(video), 300_000)
    streamed = []
    for segment in plan:
        blocks = list(reader.stream_range(segment.start, segment.end, block_bytes=65_536))
        assert max(len(block) for block in blocks) <= 65_536
        streamed.append(b"".join(blocks))
    assert b"".join(streamed) == video
    assert reader.get_requests == 1
    assert reader._cursors == []


def test_a_re_read_behind_the_sequential_get_gets_exactly_its_range(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    assert reader.read_range(0, 1000) == video[:1000]
    ahead = reader.stream_range(1000, 9000, block_bytes=100)
    behind = reader.stream_range(0, 500, block_bytes=100)  # a retried segment
    got_ahead, got_behind = [next(ahead)], []
    # Interleaved reads: each stream owns its GET, so neither disturbs the other.
    for block in behind:
        got_behind.append(block)
        got_ahead.append(next(ahead))
    got_ahead.extend(ahead)
    assert b"".join(got_ahead) == video[1000:9000]
    assert b"".join(got_behind) == video[:500]
    assert reader.get_requests == 2
    # The sequential GET waits at 9000 for the next segment; the re-read's GET is gone.
    assert [cursor.position for cursor in reader._cursors] == [9000]
    reader.close()


def _start_threads(*targets: Callable[[], object]) -> list[threading.Thread]:
    """A started thread per target, each given 0.3 s: one still alive then is blocked."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(0.3)
    return threads


def test_a_read_started_meanwhile_waits_for_the_sequential_get(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    first = reader.stream_range(0, 1000, block_bytes=100)
    got_first = [next(first)]
    second: list[bytes] = []
    # The next segment's APPEND starts while the first is still being sent.
    (waiter,) = _start_threads(lambda: second.extend(reader.stream_range(1000, 2000, 100)))
    assert waiter.is_alive() and second == []  # it waits for the GET to reach byte 1000
    got_first.extend(first)
    waiter.join(10)
    assert not waiter.is_alive()
    assert b"".join(got_first) == video[:1000] and b"".join(second) == video[1000:2000]
    assert reader.get_requests == 1
    reader.close()


def test_announced_reads_share_the_get_whichever_starts_first(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    plan = list(plan_segments(len(video), 250_000))
    for segment in plan:
        reader.expect_read(segment.start, segment.end)
    got: dict[int, bytes] = {}

    def read(index: int) -> None:
        got[index] = reader.read_range(plan[index].start, plan[index].end)

    # The workers of the later segments start first, as threads may.
    later = _start_threads(*(functools.partial(read, index) for index in reversed(range(1, len(plan)))))
    assert all(thread.is_alive() for thread in later) and got == {}
    read(0)
    for thread in later:
        thread.join(10)
    assert b"".join(got[index] for index in range(len(plan))) == video
    assert reader.get_requests == 1
    assert reader._expected == []


def test_a_forgotten_read_holds_up_no_read_after_it(
    s3_bucket: str, video: bytes, aws_connection: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were the second read to wait for the forgotten one, it would wait this long.
    monkeypatch.setattr("airflow_provider_twitter_ads.hooks.s3_reader._CHAIN_WAIT_SECONDS", 3600.0)
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    reader.expect_read(0, 1000)
    reader.expect_read(1000, 2000)
    second: list[bytes] = []
    (waiter,) = _start_threads(lambda: second.append(reader.read_range(1000, 2000)))
    assert waiter.is_alive()  # waits for the read of [0, 1000) to carry the GET to 1000
    reader.forget_read(0, 1000)  # that APPEND was dropped
    waiter.join(10)
    assert not waiter.is_alive() and second == [video[1000:2000]]
    assert reader.get_requests == 1
    reader.close()


def test_a_head_read_alone_hands_its_get_to_the_read_from_byte_0(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    assert reader.read_range(0, 64) == video[:64]  # a signature check
    assert reader.read_range(0, 1000) == video[:1000]  # a header sniff
    plan = plan_segments(len(video), 300_000)
    assert b"".join(b"".join(reader.stream_range(s.start, s.end, 4096)) for s in plan) == video
    assert reader.get_requests == 1
    # A retried first segment reads S3 again: the head was let go once the stream went past it.
    assert reader.read_range(0, 300_000) == video[:300_000]
    assert reader.get_requests == 2
    reader.close()


def test_a_stream_given_up_halfway_closes_its_get(s3_bucket: str, video: bytes, aws_connection: str) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    stream = reader.stream_range(0, 10_000, block_bytes=1000)
    assert next(stream) == video[:1000]
    stream.close()  # what the HTTP stack does when a request fails mid-body
    assert reader._cursors == [] and reader._active == set()
    # The next read of the same range opens a new GET and gets every byte.
    assert reader.read_range(0, 10_000) == video[:10_000]
    assert reader.get_requests == 2


def test_a_range_stream_re_reads_s3_on_every_iteration(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    stream = RangeStream(reader, 1000, 200_000)
    assert b"".join(stream) == video[1000:200_000]
    assert b"".join(stream) == video[1000:200_000]  # a retried APPEND
    assert reader.get_requests == 2


def test_parallel_streams_from_threads_deliver_every_byte(
    s3_bucket: str, video: bytes, aws_connection: str
) -> None:
    reader = S3RangeReader.open(s3_bucket, "videos/clip.mp4", aws_conn_id=aws_connection)
    plan = list(plan_segments(len(video), 100_000))
    results: dict[int, bytes] = {}

    def read(index: int) -> None:
        segment = plan[index]
        results[index] = b"".join(reader.stream_range(segment.start, segment.end, block_bytes=8192))

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(plan))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert b"".join(results[i] for i in range(len(plan))) == video
    assert 1 <= reader.get_requests <= len(plan)
    reader.close()
    assert reader._cursors == [] and reader._active == set()
