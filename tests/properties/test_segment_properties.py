"""Properties of chunked-upload segment planning (utils/segments.py) over random sizes."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_twitter_ads.utils.segments import (
    MAX_SEGMENT_BYTES,
    MAX_SEGMENTS,
    MAX_UPLOAD_BYTES,
    BytesRangeReader,
    plan_segments,
)

# PROPERTY_EXAMPLES=2000 for a longer hunt; CI keeps 50.
PROPERTY_SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "50")), deadline=None)

total_sizes = st.one_of(
    st.integers(min_value=1, max_value=64 * 1024),
    st.integers(min_value=1, max_value=MAX_UPLOAD_BYTES),
    # Around the edges where the preferred size stops fitting in 1,000 segments.
    st.integers(min_value=MAX_UPLOAD_BYTES - 4096, max_value=MAX_UPLOAD_BYTES),
    st.sampled_from([MAX_SEGMENT_BYTES - 1, MAX_SEGMENT_BYTES, MAX_SEGMENT_BYTES + 1, MAX_UPLOAD_BYTES]),
)
segment_sizes = st.one_of(
    st.integers(min_value=1, max_value=MAX_SEGMENT_BYTES),
    st.sampled_from([1, 1024, 4 * 1024 * 1024, MAX_SEGMENT_BYTES]),
)


@PROPERTY_SETTINGS
@given(total=total_sizes, preferred=segment_sizes)
def test_segments_are_contiguous_covering_and_within_limits(total: int, preferred: int) -> None:
    plan = plan_segments(total, preferred)
    segments = list(plan)
    assert 1 <= len(segments) <= MAX_SEGMENTS
    assert len(plan) == len(segments)
    assert [s.index for s in segments] == list(range(len(segments)))
    assert segments[0].start == 0
    assert segments[-1].end == total
    for previous, current in itertools.pairwise(segments):
        assert current.start == previous.end
    assert all(0 < s.length <= MAX_SEGMENT_BYTES for s in segments)
    assert sum(s.length for s in segments) == total
    # Every segment but the last has the planned size; the preference is kept unless it cannot fit.
    assert all(s.length == plan.segment_bytes for s in segments[:-1])
    if -(-total // preferred) <= MAX_SEGMENTS:
        assert plan.segment_bytes == preferred
    else:
        assert plan.segment_bytes > preferred


@PROPERTY_SETTINGS
@given(data=st.binary(min_size=1, max_size=4096), preferred=st.integers(min_value=1, max_value=700))
def test_reading_every_segment_rebuilds_the_object(data: bytes, preferred: int) -> None:
    reader = BytesRangeReader(data)
    plan = plan_segments(len(data), preferred)
    assert b"".join(reader.read_range(s.start, s.end) for s in plan) == data


@PROPERTY_SETTINGS
@given(total=st.integers(min_value=1, max_value=10**9), index=st.integers(min_value=-5, max_value=10**4))
def test_out_of_range_segment_indexes_are_refused(total: int, index: int) -> None:
    plan = plan_segments(total, MAX_SEGMENT_BYTES)
    if 0 <= index < plan.count:
        assert plan.segment(index).index == index
    else:
        with pytest.raises(IndexError, match=str(index)):
            plan.segment(index)


@PROPERTY_SETTINGS
@given(total=st.integers(min_value=MAX_UPLOAD_BYTES + 1, max_value=MAX_UPLOAD_BYTES * 4))
def test_objects_too_large_for_a_chunked_upload_are_refused(total: int) -> None:
    with pytest.raises(ValueError, match="total_bytes"):
        plan_segments(total)


@PROPERTY_SETTINGS
@given(preferred=st.integers(min_value=MAX_SEGMENT_BYTES + 1, max_value=MAX_SEGMENT_BYTES * 10))
def test_segments_over_the_api_limit_are_refused(preferred: int) -> None:
    with pytest.raises(ValueError, match="segment_bytes"):
        plan_segments(1000, preferred)


@PROPERTY_SETTINGS
@given(value=st.one_of(st.integers(max_value=0), st.booleans(), st.floats(), st.text(max_size=5)))
def test_non_positive_or_non_int_sizes_are_refused(value: object) -> None:
    with pytest.raises((TypeError, ValueError), match="total_bytes"):
        plan_segments(value)  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError), match="segment_bytes"):
        plan_segments(1000, value)  # type: ignore[arg-type]
