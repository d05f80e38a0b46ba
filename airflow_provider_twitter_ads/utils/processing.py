"""The processing check: reading one STATUS answer, deciding what comes next, and how long to wait.

:func:`check_processing` is the one step the hook's wait, the sensor's poke and the trigger share.

The upload API reports processing in ``processing_info``: ``state`` is ``pending``, ``in_progress``,
``succeeded`` or ``failed``, ``check_after_secs`` says when to look again and ``error`` explains a
failure. Media that needs no processing (images) has no ``processing_info`` and is ready at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_twitter_ads.exceptions import AdsApiNotFoundError, MediaProcessingError

SUCCEEDED = "succeeded"
FAILED = "failed"
# Any other state (``pending``, ``in_progress`` or one the API adds later) means "not finished yet".
TERMINAL_STATES = frozenset({SUCCEEDED, FAILED})

MIN_WAIT_SECONDS = 1.0


def validate_wait_bounds(min_wait: float, max_wait: float, names: tuple[str, str] = ("min", "max")) -> None:
    """Raise ValueError unless ``0 < min_wait <= max_wait`` and both are finite numbers."""
    min_name, max_name = names
    for name, value in ((min_name, min_wait), (max_name, max_wait)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    if min_wait > max_wait:
        raise ValueError(f"{min_name} ({min_wait}) must not be greater than {max_name} ({max_wait})")


def validate_poll_before_defer(value: Any, name: str = "poll_before_defer") -> float:
    """``value`` as seconds; ValueError unless it is a finite number >= 0 (a bool is not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number of seconds (0 or more), not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of seconds, 0 or more, got {value!r}")
    return float(value)


def next_wait(check_after_secs: Any, min_wait: float = MIN_WAIT_SECONDS, max_wait: float = 60.0) -> float:
    """Seconds until the next status check: the API's ``check_after_secs`` within ``[min_wait, max_wait]``.

    Without a usable hint (missing, not a number, negative) the wait is ``max_wait``, the caller's
    fixed interval.
    """
    if isinstance(check_after_secs, bool):
        return float(max_wait)
    try:
        hint = float(check_after_secs)
    except (TypeError, ValueError):
        return float(max_wait)
    if not math.isfinite(hint) or hint < 0:
        return float(max_wait)
    return float(min(max(hint, min_wait), max_wait))


@dataclass(frozen=True)
class ProcessingStatus:
    """One status answer, read: what state the media is in and what to do next."""

    media_id: str
    media_key: str | None
    state: str
    progress_percent: int | None
    check_after_secs: float | None
    # The API's {"code", "name", "message"} when the state is ``failed``.
    error: Mapping[str, Any] | None
    needs_processing: bool

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self.state == SUCCEEDED

    @property
    def failed(self) -> bool:
        return self.state == FAILED

    def next_wait(self, min_wait: float = MIN_WAIT_SECONDS, max_wait: float = 60.0) -> float:
        """Seconds until the next check, following the API's ``check_after_secs`` within the bounds."""
        return next_wait(self.check_after_secs, min_wait, max_wait)

    def result(self) -> dict[str, Any]:
        """The sensor's return value: ``{"media_id", "media_key", "state", "progress_percent"}``."""
        return {
            "media_id": self.media_id,
            "media_key": self.media_key,
            "state": self.state,
            "progress_percent": self.progress_percent,
        }

    def processing_error(self) -> MediaProcessingError:
        """The error for a ``failed`` status: names the media id and the API's code, name and message."""
        return MediaProcessingError(self.media_id, self.error)

    def describe(self) -> str:
        """A one-line progress summary for task logs."""
        if not self.needs_processing:
            return f"Media {self.media_id} needs no processing"
        progress = "" if self.progress_percent is None else f" ({self.progress_percent}%)"
        return f"Media {self.media_id} processing is {self.state}{progress}"


def read_status(status: Mapping[str, Any]) -> ProcessingStatus:
    """Read a normalized status dict ``{"media_id", "media_key", "processing_info"}``.

    No ``processing_info`` (images) reads as ``succeeded`` at 100%. Raises ValueError when the
    dict is not a status answer at all.
    """
    if not isinstance(status, Mapping):
        raise TypeError(f"status must be a dict, not {type(status).__name__}")
    media_id = status.get("media_id")
    if media_id in (None, ""):
        raise ValueError(f"status has no media_id: {dict(status)!r}")
    media_key = status.get("media_key")
    info = status.get("processing_info")
    if info is None:
        return ProcessingStatus(
            media_id=str(media_id),
            media_key=media_key,
            state=SUCCEEDED,
            progress_percent=100,
            check_after_secs=None,
            error=None,
            needs_processing=False,
        )
    if not isinstance(info, Mapping):
        raise ValueError(f"processing_info of media {media_id} must be a dict, got {info!r}")
    state = info.get("state")
    if not isinstance(state, str) or not state:
        raise ValueError(f"processing_info of media {media_id} has no state: {dict(info)!r}")
    progress = info.get("progress_percent")
    check_after = info.get("check_after_secs")
    error = info.get("error")
    return ProcessingStatus(
        media_id=str(media_id),
        media_key=media_key,
        state=state,
        progress_percent=int(progress) if isinstance(progress, (int, float)) else None,
        check_after_secs=float(check_after) if isinstance(check_after, (int, float)) else None,
        error=dict(error) if isinstance(error, Mapping) else None,
        needs_processing=True,
    )


def unknown_media_error(media_id: str, error: AdsApiNotFoundError) -> AdsApiNotFoundError:
    """The 404 for a STATUS request, saying plainly that the upload API does not know the media id."""
    return AdsApiNotFoundError(
        f"media {media_id} is unknown to the upload API: never uploaded, not finalized, or expired",
        status_code=error.status_code,
        errors=error.errors,
        method=error.method,
        path=error.path,
    )


def check_processing(status: Mapping[str, Any]) -> ProcessingStatus:
    """One processing check: read a STATUS answer; raise ``MediaProcessingError`` when it failed.

    The returned status is ``succeeded`` (done) or still running (``next_wait`` says when to look
    again). The hook's wait, the sensor's poke and the trigger all take this one step.
    """
    read = read_status(status)
    if read.failed:
        raise read.processing_error()
    return read
