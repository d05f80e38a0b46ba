"""Video and GIF processing, computed from the clock whenever it is read: no background thread."""

from __future__ import annotations

import time
from typing import Any

from airflow_provider_twitter_ads.emulator.state import EmulatorConfig, MediaRecord

PROCESSING_ERROR = {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}
# Share of the processing time spent in ``pending`` before ``in_progress`` starts.
PENDING_SHARE = 0.2


def refresh_processing(record: MediaRecord, now: float | None = None) -> MediaRecord:
    """Bring ``state``, ``progress_percent`` and ``error`` of a finalized video or GIF up to the clock.

    ``pending`` for the first ``PENDING_SHARE`` of its processing time, then ``in_progress`` with a
    rising ``progress_percent``, then ``succeeded`` (or ``failed`` with ``PROCESSING_ERROR``). Call it
    before reading those fields; other records are returned unchanged.
    """
    if (
        not record.finalized
        or record.processing_started_at is None
        or record.state in ("succeeded", "failed")
    ):
        return record
    elapsed = (time.time() if now is None else now) - record.processing_started_at
    total = record.processing_seconds
    if elapsed >= total:
        record.progress_percent = 100
        record.state = "failed" if record.fail_processing else "succeeded"
        record.error = dict(PROCESSING_ERROR) if record.fail_processing else None
    elif elapsed < total * PENDING_SHARE:
        record.state, record.progress_percent = "pending", 0
    else:
        record.state = "in_progress"
        record.progress_percent = min(99, max(1, int(100 * elapsed / total)))
    return record


def processing_info(
    record: MediaRecord, config: EmulatorConfig, now: float | None = None, *, with_error: bool
) -> dict[str, Any] | None:
    """The ``processing_info`` member for a finalized record at ``now``; None for media without processing.

    ``with_error``: add the v1.1 ``error`` object to a failed state. The v2 spec's processing info
    has no ``error`` member, so v2 reports a failure by ``state`` alone.
    """
    if not record.needs_processing or not record.finalized:
        return None
    refresh_processing(record, now)
    info: dict[str, Any] = {"state": record.state, "progress_percent": record.progress_percent}
    if record.state in ("pending", "in_progress"):
        info["check_after_secs"] = config.check_after_secs
    if record.state == "failed" and with_error:
        info["error"] = dict(record.error or PROCESSING_ERROR)
    return info
