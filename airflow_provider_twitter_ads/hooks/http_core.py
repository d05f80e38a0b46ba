"""The HTTP core shared by the sync and async hooks: one response parser, one error mapping, one retry loop.

Each hook only sends one request and hands the answer here:

- :func:`parse_response` turns a status, body and headers into the JSON body or the matching
  ``AdsApiError`` (a 2xx whose body is not JSON is an ``AdsApiResponseLostError``: the request was
  handled but its answer cannot be read).
- :func:`retrying` and :func:`async_retrying` build tenacity's ``Retrying`` and ``AsyncRetrying``
  from the same policy functions of :mod:`~airflow_provider_twitter_ads.hooks.retry_policy`.
- :class:`RateLimitWindow` holds the next request when the last answer said the window is spent.
- :class:`RateLimitBudget` keeps the rate-limit waits of one call within
  ``RetrySettings.max_total_rate_limit_wait``.

Whole-request deadlines and response validation belong here too, so both hooks get them at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import tenacity

from airflow_provider_twitter_ads.exceptions import (
    AdsApiConnectionError,
    AdsApiError,
    AdsApiRateLimitError,
    AdsApiResponseLostError,
    RateLimitWaitTooLongError,
    error_from_response,
)
from airflow_provider_twitter_ads.hooks.retry_policy import (
    RetrySettings,
    rate_limit_too_long,
    rate_limit_wait,
    retry_wait,
    should_retry,
    spent_window_wait,
    total_rate_limit_wait_too_long,
)

_RATE_LIMIT_PREFIXES = ("x-account-rate-limit", "x-rate-limit")

#: The slowest upload rate a request body is allowed (bytes per second) in :func:`request_deadline`.
MIN_SEND_RATE = 64 * 1024


def request_deadline(timeout: float, body_bytes: int = 0) -> float:
    """The whole-request deadline, in seconds: ``2 x timeout + body_bytes / MIN_SEND_RATE``.

    One ``timeout`` to connect and one for the answer, plus the time to send the body at 64 KiB/s.
    The connection's ``timeout`` alone bounds each socket read, so a server or proxy trickling its
    answer a byte at a time would hold the request forever; the deadline bounds all of it.
    """
    return 2.0 * timeout + max(body_bytes, 0) / MIN_SEND_RATE


def deadline_passed(reason: str, method: str, path: str, deadline: float) -> AdsApiResponseLostError:
    """No complete answer within the whole-request deadline: a lost response (reads are retried;
    a create's lost response is looked up by ``create_once``)."""
    return AdsApiResponseLostError(
        f"no complete response within the whole-request deadline of {deadline:g} s ({reason}); the "
        "request may have been processed",
        method=method,
        path=path,
    )


def parse_response(
    status_code: int,
    body: bytes,
    headers: Mapping[str, str],
    method: str,
    path: str,
    settings: RetrySettings,
) -> dict[str, Any]:
    """The JSON body of a 2xx answer (``{}`` when empty), else raise the ``AdsApiError`` for it.

    A 429 carries ``retry_after`` from its rate-limit headers, or is a ``RateLimitWaitTooLongError``
    when the reset is further away than ``settings.max_rate_limit_wait``.
    """
    if status_code >= 300:
        error = error_from_response(status_code, body, headers, method, path)
        if status_code == 429:
            try:
                error.retry_after = rate_limit_wait(headers, time.time(), settings.max_rate_limit_wait)
            except RateLimitWaitTooLongError as too_long:
                raise rate_limit_too_long(error, too_long) from None
        raise error
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except ValueError:
        raise AdsApiResponseLostError(
            f"answered {status_code} with a body that is not JSON; the request may have been processed",
            status_code=status_code,
            method=method,
            path=path,
        ) from None
    return payload if isinstance(payload, dict) else {"data": payload}


def connection_error(reason: str, method: str, path: str) -> AdsApiConnectionError:
    """The server was never reached: nothing was written."""
    return AdsApiConnectionError(f"could not connect ({reason})", method=method, path=path)


def response_lost_error(reason: str, method: str, path: str) -> AdsApiResponseLostError:
    """The request may have reached the server, but no answer came back."""
    return AdsApiResponseLostError(reason, method=method, path=path)


def log_response(
    log: logging.Logger,
    method: str,
    path: str,
    status_code: int,
    elapsed_ms: float,
    headers: Mapping[str, str],
) -> None:
    """One log line per answered request: status, time and the rate-limit budget left."""
    lowered = {k.lower(): v for k, v in headers.items()}
    remaining = lowered.get("x-account-rate-limit-remaining") or lowered.get("x-rate-limit-remaining")
    log.info(
        "%s %s -> %d in %.0f ms, rate limit remaining %s",
        method,
        path,
        status_code,
        elapsed_ms,
        remaining if remaining is not None else "n/a",
    )


def log_no_response(
    log: logging.Logger, method: str, path: str, cause: BaseException, elapsed_ms: float
) -> None:
    """One log line per request that got no answer."""
    log.info("%s %s -> no response (%s) in %.0f ms", method, path, type(cause).__name__, elapsed_ms)


class RateLimitWindow:
    """The reset time of a rate-limit window the last answers said is spent (thread-safe)."""

    def __init__(self) -> None:
        self._until = 0.0
        self._lock = threading.Lock()

    def remember(self, headers: Mapping[str, str]) -> None:
        """Note the reset of every spent window these response headers report."""
        lowered = {k.lower(): str(v) for k, v in headers.items()}
        for prefix in _RATE_LIMIT_PREFIXES:
            remaining, reset = lowered.get(f"{prefix}-remaining"), lowered.get(f"{prefix}-reset")
            if remaining == "0" and reset and reset.isdigit():
                with self._lock:
                    self._until = max(self._until, float(reset))

    def wait(self, max_wait: float, log: logging.Logger) -> float:
        """Seconds to hold the next request (see :func:`~.retry_policy.spent_window_wait`), logged."""
        hold = spent_window_wait(self._until, time.time(), max_wait)
        if hold:
            log.info("Rate-limit window spent; waiting %.1f s for its reset", hold)
        return hold


class RateLimitBudget:
    """The rate-limit waiting one call (all its attempts) may still do: what is left of
    ``settings.max_total_rate_limit_wait``. Make one per call."""

    def __init__(self, settings: RetrySettings) -> None:
        self.settings = settings
        self.waited = 0.0

    def hold(self, window: RateLimitWindow, log: logging.Logger) -> float:
        """Seconds to hold the next attempt for a spent window, counted as waited. A hold longer
        than what is left is not waited: the request goes, and the API's 429 decides."""
        left = max(0.0, self.settings.max_total_rate_limit_wait - self.waited)
        hold = window.wait(min(self.settings.max_rate_limit_wait, left), log)
        self.waited += hold
        return hold

    def take(self, error: AdsApiError, wait: float, log: logging.Logger) -> float:
        """``wait`` (after ``error``, a 429) counted as waited; ``RateLimitWaitTooLongError`` when
        it does not fit in what is left, with a warning that the budget is used up."""
        total = self.settings.max_total_rate_limit_wait
        too_long = total_rate_limit_wait_too_long(self.waited, wait, total)
        if too_long is not None:
            log.warning(
                "%s %s: rate-limit waits used up (%.1f s waited, %.1f s more asked, "
                "max_total_rate_limit_wait=%g s); not retrying",
                error.method,
                error.path,
                self.waited,
                wait,
                total,
            )
            raise rate_limit_too_long(error, too_long)
        self.waited += wait
        return wait


def _retry_args(
    log: logging.Logger, settings: RetrySettings, idempotent: bool, budget: RateLimitBudget
) -> dict[str, Any]:
    def log_retry(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s; retrying in %.2f s (attempt %d of %d)",
            error,
            wait,
            state.attempt_number + 1,
            settings.max_attempts,
        )

    def wait(state: tenacity.RetryCallState) -> float:
        assert state.outcome is not None
        error = state.outcome.exception()
        seconds = retry_wait(error, state.attempt_number, settings)
        if isinstance(error, AdsApiRateLimitError):
            return budget.take(error, seconds, log)
        return seconds

    return {
        "stop": tenacity.stop_after_attempt(settings.max_attempts),
        "retry": tenacity.retry_if_exception(lambda exc: should_retry(exc, idempotent=idempotent)),
        "wait": wait,
        "before_sleep": log_retry,
        "reraise": True,
    }


def retrying(
    log: logging.Logger,
    settings: RetrySettings,
    *,
    idempotent: bool,
    budget: RateLimitBudget,
) -> tenacity.Retrying:
    """The sync retry loop: stop, retry decision, waits and retry log lines from the shared policy;
    the waits after 429s are taken from ``budget`` (the call's :class:`RateLimitBudget`)."""
    return tenacity.Retrying(**_retry_args(log, settings, idempotent, budget))


def async_retrying(
    log: logging.Logger,
    settings: RetrySettings,
    *,
    idempotent: bool,
    budget: RateLimitBudget,
) -> tenacity.AsyncRetrying:
    """The async retry loop, from the same policy functions as :func:`retrying`."""
    return tenacity.AsyncRetrying(**_retry_args(log, settings, idempotent, budget))


def count_attempts(error: AdsApiError, attempts: int) -> AdsApiError:
    """``error`` with the number of HTTP attempts made before it was raised."""
    error.attempts = attempts
    return error
