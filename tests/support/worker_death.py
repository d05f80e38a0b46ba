"""A worker that dies mid-upload, for resume tests: an S3 reader that stops the upload at segment k."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_provider_twitter_ads.hooks.s3_reader import S3RangeReader
from airflow_provider_twitter_ads.utils.segments import STREAM_BLOCK_BYTES


class WorkerDied(BaseException):
    """Stands for SIGKILL or an OOM kill: no ``except Exception`` catches it, nothing after it runs."""


def dying_reader(at_segment: int, segment_bytes: int) -> type[S3RangeReader]:
    """An ``S3RangeReader`` whose streams die from segment ``at_segment`` on (earlier ones complete).

    Uploads stream each segment with ``stream_range``: that is where the death happens, so the
    APPEND of segment ``at_segment`` (and any after it) never reaches the API.
    """

    class DyingReader(S3RangeReader):
        def stream_range(
            self, start: int, end: int, block_bytes: int = STREAM_BLOCK_BYTES
        ) -> Iterator[bytes]:
            if start >= at_segment * segment_bytes:
                raise WorkerDied(f"the worker died before segment {start // segment_bytes}")
            return super().stream_range(start, end, block_bytes)

    return DyingReader
