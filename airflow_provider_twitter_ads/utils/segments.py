"""Planning a chunked upload: how many segments, how large, and which byte range each covers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

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


class BytesRangeReader:
    """A ``RangeReader`` over bytes already in memory (tests, small generated assets)."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def __len__(self) -> int:
        return len(self._data)

    def read_range(self, start: int, end: int) -> bytes:
        if not 0 <= start <= end <= len(self._data):
            raise ValueError(f"range [{start}, {end}) is outside the {len(self._data)} bytes")
        return bytes(self._data[start:end])
