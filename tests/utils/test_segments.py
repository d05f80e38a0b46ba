"""Segment planning: defaults, growth past 1,000 segments, limits; ranges streamed in blocks."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.utils.segments import (
    DEFAULT_SEGMENT_BYTES,
    MAX_SEGMENT_BYTES,
    MAX_UPLOAD_BYTES,
    MIB,
    STREAM_BLOCK_BYTES,
    BytesRangeReader,
    RangeReader,
    RangeStream,
    Segment,
    plan_segments,
    stream_range,
)


class WholeReadsOnly:
    """A ``RangeReader`` without ``stream_range``; counts its reads."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reads: list[tuple[int, int]] = []

    def read_range(self, start: int, end: int) -> bytes:
        self.reads.append((start, end))
        return self.data[start:end]


def test_default_segments_are_4_mib_and_the_last_is_the_rest() -> None:
    plan = plan_segments(10 * MIB + 5)
    assert plan.segment_bytes == DEFAULT_SEGMENT_BYTES == 4 * MIB
    assert list(plan) == [
        Segment(0, 0, 4 * MIB),
        Segment(1, 4 * MIB, 8 * MIB),
        Segment(2, 8 * MIB, 10 * MIB + 5),
    ]


@pytest.mark.parametrize(
    ("total", "segment", "count"),
    [(1, 65536, 1), (65536, 65536, 1), (65537, 65536, 2), (10 * 65536 + 1, 65536, 11)],
)
def test_counts_at_the_edges(total: int, segment: int, count: int) -> None:
    assert plan_segments(total, segment).count == count


def test_a_small_preference_grows_to_fit_1000_segments() -> None:
    plan = plan_segments(512 * MIB, 64 * 1024)
    assert plan.count <= 1000
    # The smallest whole KiB that fits: ceil(512 MiB / 1000) rounded up to 1 KiB.
    assert plan.segment_bytes == 525 * 1024
    assert plan.segment(plan.count - 1).end == 512 * MIB


def test_the_largest_object_uses_1000_segments_of_5_mib() -> None:
    plan = plan_segments(MAX_UPLOAD_BYTES, 1024)
    assert (plan.count, plan.segment_bytes) == (1000, MAX_SEGMENT_BYTES)


def test_one_byte_more_than_1000_x_5_mib_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"total_bytes 5242880001 .*1000 segments of 5242880"):
        plan_segments(MAX_UPLOAD_BYTES + 1)


@pytest.mark.parametrize(
    ("total", "segment", "error", "match"),
    [
        (0, MIB, ValueError, "total_bytes must be positive"),
        (-1, MIB, ValueError, "total_bytes must be positive"),
        (1.5, MIB, TypeError, "total_bytes must be an int"),
        (True, MIB, TypeError, "total_bytes must be an int"),
        (10, 0, ValueError, "segment_bytes must be positive"),
        (10, "4MiB", TypeError, "segment_bytes must be an int"),
        (10, MAX_SEGMENT_BYTES + 1, ValueError, "segment_bytes must be at most 5242880"),
    ],
)
def test_bad_sizes_are_refused_naming_the_argument(
    total: object, segment: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        plan_segments(total, segment)  # type: ignore[arg-type]


def test_bytes_reader_is_a_range_reader_and_checks_ranges() -> None:
    reader = BytesRangeReader(b"abcdef")
    assert isinstance(reader, RangeReader)
    assert reader.read_range(1, 4) == b"bcd"
    assert reader.read_range(6, 6) == b""
    with pytest.raises(ValueError, match=r"\[4, 7\)"):
        reader.read_range(4, 7)


def test_a_bytes_reader_streams_a_range_in_blocks() -> None:
    data = bytes(range(256)) * 1000
    blocks = list(BytesRangeReader(data).stream_range(10, 200_010, block_bytes=65_536))
    assert [len(block) for block in blocks] == [65_536, 65_536, 65_536, 3_392]
    assert b"".join(blocks) == data[10:200_010]
    assert list(BytesRangeReader(data).stream_range(5, 5)) == []
    with pytest.raises(ValueError, match="outside the 256000 bytes"):
        BytesRangeReader(data).stream_range(0, 256_001)


def test_a_reader_without_stream_range_is_read_once_per_iteration_and_sliced() -> None:
    reader = WholeReadsOnly(b"0123456789")
    assert list(stream_range(reader, 1, 9, block_bytes=3)) == [b"123", b"456", b"78"]
    assert reader.reads == [(1, 9)]


def test_a_range_stream_has_its_length_and_reads_again_on_every_iteration() -> None:
    reader = WholeReadsOnly(b"0123456789" * 100_000)
    stream = RangeStream(reader, 100, 600_100)
    assert len(stream) == 600_000 and stream.block_bytes == STREAM_BLOCK_BYTES
    assert reader.reads == []  # nothing is read until it is iterated
    assert b"".join(stream) == b"".join(stream) == reader.data[100:600_100]
    assert reader.reads == [(100, 600_100), (100, 600_100)]
    assert max(len(block) for block in stream) == STREAM_BLOCK_BYTES


@pytest.mark.parametrize(
    ("start", "end", "block", "error"),
    [(-1, 5, 4, ValueError), (6, 5, 4, ValueError), (0, 5, 0, ValueError), (0, 5, 1.5, TypeError)],
)
def test_a_range_stream_refuses_bad_ranges_and_blocks(
    start: int, end: int, block: object, error: type
) -> None:
    with pytest.raises(error):
        RangeStream(BytesRangeReader(b"abcdef"), start, end, block)  # type: ignore[arg-type]
