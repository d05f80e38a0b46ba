"""When and how long to wait before resending a request: pure functions shared by the sync and async clients.

The rules:

- 429 is always retried (the API refused the request before doing anything), after the wait the
  rate-limit headers ask for; a wait longer than ``max_rate_limit_wait`` fails at once, and so does
  one that would take the call's rate-limit waits in all past ``max_total_rate_limit_wait``.
- ``AdsApiConnectionError`` (the server was never reached) is always retried.
- 408, 423, 500, 502, 503, 504 and lost responses are retried only for idempotent requests
  (GET, PUT, DELETE, or a POST the caller marked ``idempotent=True``): resending a POST whose
  response was lost could create a second entity.
- Every other error is final.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from airflow_provider_twitter_ads.exceptions import (
    AdsApiConnectionError,
    AdsApiError,
    AdsApiRateLimitError,
    AdsApiResponseLostError,
    RateLimitWaitTooLongError,
)

RETRYABLE_STATUSES = frozenset({408, 423, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Wait after a 429 whose reset time is missing, unreadable or already past.
DEFAULT_RATE_LIMIT_WAIT = 1.0

__all__ = [
    "DEFAULT_RATE_LIMIT_WAIT",
    "IDEMPOTENT_METHODS",
    "RETRYABLE_STATUSES",
    "RateLimitWaitTooLongError",
    "RetrySettings",
    "backoff_wait",
    "is_idempotent",
    "rate_limit_too_long",
    "rate_limit_wait",
    "retry_wait",
    "should_retry",
    "spent_window_wait",
    "total_rate_limit_wait_too_long",
]


@dataclass(frozen=True)
class RetrySettings:
    """How often and how long a client retries.

    ``max_attempts`` counts every HTTP attempt (the first one included). Backoff waits are
    ``uniform(0, min(backoff_cap, backoff_base * 2 ** (attempt - 1)))``. ``max_rate_limit_wait``
    bounds one rate-limit wait; ``max_total_rate_limit_wait`` bounds all the rate-limit waits of
    one call (the waits after 429s and the holds for a spent window), so its attempts cannot add
    up to ``max_attempts - 1`` full windows.
    """

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_rate_limit_wait: float = 900.0
    max_total_rate_limit_wait: float = 900.0

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise TypeError(f"max_attempts must be an int, got {self.max_attempts!r}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts!r}")
        for name in ("backoff_base", "backoff_cap", "max_rate_limit_wait", "max_total_rate_limit_wait"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise TypeError(f"{name} must be a finite number, got {value!r}")
            if value < 0:
                raise ValueError(f"{name} must not be negative, got {value!r}")


def is_idempotent(method: str, idempotent: bool | None = None) -> bool:
    """Whether resending ``method`` cannot create a duplicate; ``idempotent`` overrides the method's rule."""
    if idempotent is not None:
        return idempotent
    return method.upper() in IDEMPOTENT_METHODS


def should_retry(error: BaseException, *, idempotent: bool) -> bool:
    """Whether ``error`` may be retried for a request of the given idempotency."""
    if not isinstance(error, AdsApiError) or isinstance(error, RateLimitWaitTooLongError):
        return False
    if isinstance(error, (AdsApiConnectionError, AdsApiRateLimitError)):
        return True
    if isinstance(error, AdsApiResponseLostError):
        return idempotent
    return idempotent and error.status_code in RETRYABLE_STATUSES


def rate_limit_wait(headers: Mapping[str, str], now: float, max_wait: float) -> float:
    """Seconds to wait after a 429 before resending.

    Reads ``x-account-rate-limit-reset``, else ``x-rate-limit-reset`` (epoch seconds), else
    ``Retry-After`` (seconds or an HTTP date). A reset whose ``-remaining`` header says the
    budget is not spent is skipped: that budget did not cause the 429. A missing, unreadable or
    past reset gives ``DEFAULT_RATE_LIMIT_WAIT``. Raises ``RateLimitWaitTooLongError`` when the
    wait exceeds ``max_wait``.
    """
    lowered = {k.lower(): str(v) for k, v in headers.items()}
    wait = _reset_wait(lowered, now)
    if wait is None:
        wait = DEFAULT_RATE_LIMIT_WAIT
    if wait > max_wait:
        raise RateLimitWaitTooLongError(
            f"rate limit resets in {wait:.0f} s, longer than max_rate_limit_wait={max_wait:g} s; "
            "retry later or raise max_rate_limit_wait",
            status_code=429,
            headers=lowered,
        )
    return wait


def spent_window_wait(reset_at: float, now: float, max_wait: float) -> float:
    """Seconds to hold a request because the last answer said the window resets at ``reset_at``.

    Zero when the reset has passed, and zero when it is further away than ``max_wait``: the request
    is then sent, and the API's 429 says how long the wait really is.
    """
    wait = reset_at - now
    if wait <= 0 or wait > max_wait:
        return 0.0
    return wait


def _reset_wait(headers: dict[str, str], now: float) -> float | None:
    for prefix in ("x-account-rate-limit", "x-rate-limit"):
        reset = _number(headers.get(f"{prefix}-reset"))
        remaining = _number(headers.get(f"{prefix}-remaining"))
        if reset is None or (remaining is not None and remaining > 0):
            continue
        return reset - now if reset > now else None
    retry_after = headers.get("retry-after")
    if retry_after is None:
        return None
    seconds = _number(retry_after)
    if seconds is None:
        try:
            seconds = parsedate_to_datetime(retry_after).timestamp() - now
        except (TypeError, ValueError, IndexError):
            return None
    return seconds if seconds > 0 else None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def backoff_wait(
    attempt: int, base: float = 0.5, cap: float = 30.0, *, rng: random.Random | None = None
) -> float:
    """Exponential backoff with full jitter: ``uniform(0, min(cap, base * 2 ** (attempt - 1)))``.

    ``attempt`` is the number of the attempt that just failed, starting at 1.
    """
    if attempt < 1:
        raise ValueError(f"attempt must be at least 1, got {attempt!r}")
    ceiling = min(cap, base * 2 ** min(attempt - 1, 62))
    return (rng or random).uniform(0, ceiling)


def retry_wait(error: BaseException, attempt: int, settings: RetrySettings) -> float:
    """The wait before the next attempt: the API's ``retry_after`` for a 429, else backoff."""
    if isinstance(error, AdsApiError) and error.retry_after is not None:
        return error.retry_after
    if isinstance(error, AdsApiRateLimitError):
        try:
            return rate_limit_wait(error.headers, time.time(), settings.max_rate_limit_wait)
        except RateLimitWaitTooLongError as too_long:
            raise rate_limit_too_long(error, too_long) from None
    return backoff_wait(attempt, settings.backoff_base, settings.backoff_cap)


def total_rate_limit_wait_too_long(
    waited: float, wait: float, total: float
) -> RateLimitWaitTooLongError | None:
    """The error for a rate-limit wait of ``wait`` seconds after the call already waited ``waited``,
    when both together pass ``total`` (``max_total_rate_limit_wait``); None while they fit."""
    if waited + wait <= total:
        return None
    return RateLimitWaitTooLongError(
        f"rate-limit waits of this call would reach {waited + wait:.1f} s ({waited:.1f} s waited, "
        f"{wait:.1f} s more asked), over max_total_rate_limit_wait={total:g} s; retry later or raise "
        "max_total_rate_limit_wait",
        status_code=429,
    )


def rate_limit_too_long(error: AdsApiError, too_long: RateLimitWaitTooLongError) -> RateLimitWaitTooLongError:
    """``too_long`` completed with the request (method, path, API errors) that ``error`` describes."""
    result = RateLimitWaitTooLongError(
        too_long._message,
        status_code=429,
        errors=error.errors,
        method=error.method,
        path=error.path,
        headers=error.headers,
    )
    result.attempts = error.attempts
    return result
