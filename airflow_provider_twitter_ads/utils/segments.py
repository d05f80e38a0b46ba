"""Planning a chunked upload: how many segments, how large, and which byte range each covers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

KIB = 1024
MIB = 1024 * KIB

#: The upload API's per-segment limit (5 MiB).
MAX_SEGMENT_BYTES = 5 * MIB
#: The upload API accepts segment indexes 0..999.
MAX_SEGMENTS = 1000
#: Our default segment size: below the limit so a segment never hits it exactly.
DEFAULT_SEGMENT_BYTES = 4 * MIB
#: The largest object a chunked upload can carry (1,000 segments of 5 MiB).
MAX_UPLOAD_BYTES = MAX_SEGMENT_BYTES * MAX_SEGMENTS

#: Bytes per block when a range is streamed to the socket: an APPEND in flight holds about this much.
#: 256 KiB, not 64: each block costs a read from S3 and a send, and at 64 KiB that per-block work
#: cost about 15% of a streamed upload's throughput (``bench/upload.py``).
STREAM_BLOCK_BYTES = 256 * KIB

# A grown segment size is rounded up to whole KiB to keep ranges readable in logs.
_GROWTH_ALIGNMENT = KIB


@dataclass(frozen=True)
class Segment:
    """One APPEND: ``index`` and the half-open byte range ``[start, end)`` of the object."""

    index: int
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class SegmentPlan:
    """``count`` segments of ``segment_bytes`` (the last one may be shorter) covering ``total_bytes``."""

    total_bytes: int
    segment_bytes: int
    count: int

    def segment(self, index: int) -> Segment:
        if not 0 <= index < self.count:
            raise IndexError(f"segment index {index} is outside 0..{self.count - 1}")
        start = index * self.segment_bytes
        return Segment(index, start, min(start + self.segment_bytes, self.total_bytes))

    def __iter__(self) -> Iterator[Segment]:
        return (self.segment(index) for index in range(self.count))

    def __len__(self) -> int:
        return self.count


def _positive_int(value: object, parameter: str) -> int:
    # bool is an int subclass; True as a byte count is always a mistake.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{parameter} must be an int, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{parameter} must be positive, got {value}")
    return value


def plan_segments(total_bytes: int, segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> SegmentPlan:
    """Split ``total_bytes`` into at most 1,000 segments of at most 5 MiB.

    ``segment_bytes`` is a preference: when it would need more than 1,000 segments the size grows
    (to the smallest KiB multiple that fits, capped at 5 MiB). Raises ``ValueError`` for a size above
    5 MiB or an object larger than 1,000 x 5 MiB.
    """
    _positive_int(total_bytes, "total_bytes")
    _positive_int(segment_bytes, "segment_bytes")
    if segment_bytes > MAX_SEGMENT_BYTES:
        raise ValueError(
            f"segment_bytes must be at most {MAX_SEGMENT_BYTES} (5 MiB, the API's limit), got {segment_bytes}"
        )
    if total_bytes > MAX_UPLOAD_BYTES:
        raise ValueError(
            f"total_bytes {total_bytes} is more than a chunked upload can carry "
            f"({MAX_SEGMENTS} segments of {MAX_SEGMENT_BYTES} bytes = {MAX_UPLOAD_BYTES})"
        )
    if -(-total_bytes // segment_bytes) > MAX_SEGMENTS:
        needed = -(-total_bytes // MAX_SEGMENTS)
        segment_bytes = min(MAX_SEGMENT_BYTES, -(-needed // _GROWTH_ALIGNMENT) * _GROWTH_ALIGNMENT)
    return SegmentPlan(total_bytes, segment_bytes, -(-total_bytes // segment_bytes))


@runtime_checkable
class RangeReader(Protocol):
    """Hands out byte ranges of one object, any number of times, in any order (retries re-read)."""

    def read_range(self, start: int, end: int) -> bytes:
        """The bytes ``[start, end)``; exactly ``end - start`` of them."""
        ...


def stream_range(
    reader: RangeReader, start: int, end: int, block_bytes: int = STREAM_BLOCK_BYTES
) -> Iterator[bytes]:
    """The bytes ``[start, end)`` of ``reader`` in blocks of at most ``block_bytes``.

    A reader with its own ``stream_range(start, end, block_bytes)`` (``S3RangeReader``,
    ``BytesRangeReader``) streams them; any other ``RangeReader`` is read whole once and sliced.
    """
    own: Any = getattr(reader, "stream_range", None)
    if own is not None:
        return iter(own(start, end, block_bytes))
    data = memoryview(reader.read_range(start, end))
    return (bytes(data[at : at + block_bytes]) for at in range(0, len(data), block_bytes))


class RangeStream:
    """The bytes ``[start, end)`` of a reader as a sized body: each iteration reads them again, in blocks.

    An HTTP request sends it block by block with ``Content-Length: end - start``; a retried request
    iterates it again, so the range is read from the reader again instead of being kept in memory.
    """

    def __init__(
        self, reader: RangeReader, start: int, end: int, block_bytes: int = STREAM_BLOCK_BYTES
    ) -> None:
        if not 0 <= start <= end:
            raise ValueError(f"range [{start}, {end}) is not a byte range")
        self.reader = reader
        self.start = start
        self.end = end
        self.block_bytes = _positive_int(block_bytes, "block_bytes")

    def __len__(self) -> int:
        return self.end - self.start

    def __iter__(self) -> Iterator[bytes]:
        return stream_range(self.reader, self.start, self.end, self.block_bytes)

    def __repr__(self) -> str:
        return f"{type(self).__name__}([{self.start}, {self.end}))"


class BytesRangeReader:
    """A ``RangeReader`` over bytes already in memory (tests, small generated assets)."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def __len__(self) -> int:
        return len(self._data)

    def _check(self, start: int, end: int) -> None:
        if not 0 <= start <= end <= len(self._data):
            raise ValueError(f"range [{start}, {end}) is outside the {len(self._data)} bytes")

    def read_range(self, start: int, end: int) -> bytes:
        self._check(start, end)
        return bytes(self._data[start:end])

    def stream_range(self, start: int, end: int, block_bytes: int = STREAM_BLOCK_BYTES) -> Iterator[bytes]:
        """The bytes ``[start, end)`` in blocks of at most ``block_bytes`` (one block copied at a time)."""
        self._check(start, end)
        data = self._data
        return (bytes(data[at : min(at + block_bytes, end)]) for at in range(start, end, block_bytes))
