"""The pure retry rules: which errors are retried and how long to wait."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest

from airflow_provider_twitter_ads.exceptions import (
    AdsApiBadRequestError,
    AdsApiConnectionError,
    AdsApiError,
    AdsApiNotFoundError,
    AdsApiRateLimitError,
    AdsApiResponseLostError,
    AdsApiServerError,
    RateLimitWaitTooLongError,
)
from airflow_provider_twitter_ads.hooks.retry_policy import (
    DEFAULT_RATE_LIMIT_WAIT,
    RETRYABLE_STATUSES,
    RetrySettings,
    backoff_wait,
    is_idempotent,
    rate_limit_wait,
    retry_wait,
    should_retry,
    spent_window_wait,
    total_rate_limit_wait_too_long,
)

NOW = 1_800_000_000.0


def test_retryable_statuses() -> None:
    assert {408, 423, 429, 500, 502, 503, 504} == RETRYABLE_STATUSES


def test_account_reset_wins() -> None:
    headers = {"x-account-rate-limit-reset": str(int(NOW) + 30), "x-rate-limit-reset": str(int(NOW) + 60)}
    assert rate_limit_wait(headers, NOW, 900) == 30


def test_endpoint_reset_when_no_account_reset() -> None:
    assert rate_limit_wait({"X-Rate-Limit-Reset": str(int(NOW) + 12)}, NOW, 900) == 12


def test_budget_with_remaining_requests_did_not_cause_the_429() -> None:
    headers = {
        "x-account-rate-limit-remaining": "40",
        "x-account-rate-limit-reset": str(int(NOW) + 800),
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(int(NOW) + 5),
    }
    assert rate_limit_wait(headers, NOW, 900) == 5


def test_retry_after_seconds_and_date() -> None:
    assert rate_limit_wait({"Retry-After": "7"}, NOW, 900) == 7
    date = formatdate(NOW + 20, usegmt=True)
    assert rate_limit_wait({"Retry-After": date}, NOW, 900) == pytest.approx(20, abs=1)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-rate-limit-reset": str(int(NOW) - 10)},
        {"x-account-rate-limit-reset": "soon"},
        {"retry-after": "0"},
        {"retry-after": "not a date"},
    ],
)
def test_missing_past_or_unreadable_reset_waits_the_default(headers: dict[str, str]) -> None:
    assert rate_limit_wait(headers, NOW, 900) == DEFAULT_RATE_LIMIT_WAIT == 1.0


def test_wait_longer_than_the_cap_fails_clearly() -> None:
    with pytest.raises(RateLimitWaitTooLongError, match="rate limit resets in 1200 s, longer than") as info:
        rate_limit_wait({"x-rate-limit-reset": str(int(NOW) + 1200)}, NOW, 900)
    assert info.value.status_code == 429
    assert isinstance(info.value, AdsApiRateLimitError)


def test_backoff_is_full_jitter_below_the_exponential_ceiling() -> None:
    rng = random.Random(1)
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (10, 30.0), (200, 30.0)):
        waits = [backoff_wait(attempt, 0.5, 30.0, rng=rng) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        # Jittered: spread over the range rather than one value.
        assert max(waits) > ceiling * 0.8
        assert min(waits) < ceiling * 0.2


def test_backoff_rejects_attempt_zero() -> None:
    with pytest.raises(ValueError, match="attempt must be at least 1, got 0"):
        backoff_wait(0)


def test_idempotency_by_method() -> None:
    assert is_idempotent("get") and is_idempotent("PUT") and is_idempotent("DELETE")
    assert not is_idempotent("POST")
    assert is_idempotent("POST", True)
    assert not is_idempotent("GET", False)


def _error(cls: type[AdsApiError], status: int | None) -> AdsApiError:
    return cls("x", status_code=status, method="GET", path="accounts/a")


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (_error(AdsApiRateLimitError, 429), False, True),
        (_error(AdsApiConnectionError, None), False, True),
        (_error(AdsApiResponseLostError, None), False, False),
        (_error(AdsApiResponseLostError, None), True, True),
        (_error(AdsApiServerError, 503), False, False),
        (_error(AdsApiServerError, 503), True, True),
        (_error(AdsApiServerError, 501), True, False),
        (_error(AdsApiError, 408), True, True),
        (_error(AdsApiError, 423), True, True),
        (_error(AdsApiBadRequestError, 400), True, False),
        (_error(AdsApiNotFoundError, 404), True, False),
        (_error(RateLimitWaitTooLongError, 429), True, False),
        (ValueError("x"), True, False),
    ],
)
def test_should_retry(error: BaseException, idempotent: bool, expected: bool) -> None:
    assert should_retry(error, idempotent=idempotent) is expected


def test_retry_wait_uses_the_api_wait_for_429() -> None:
    settings = RetrySettings(backoff_base=100, backoff_cap=100)
    error = _error(AdsApiRateLimitError, 429)
    error.retry_after = 2.5
    assert retry_wait(error, 1, settings) == 2.5
    no_headers = _error(AdsApiRateLimitError, 429)
    assert retry_wait(no_headers, 1, settings) == DEFAULT_RATE_LIMIT_WAIT


def test_retry_wait_too_long_names_the_request() -> None:
    error = AdsApiRateLimitError(
        status_code=429, method="GET", path="accounts/a", headers={"x-rate-limit-reset": "99999999999"}
    )
    with pytest.raises(RateLimitWaitTooLongError, match="GET accounts/a failed with 429"):
        retry_wait(error, 1, RetrySettings())


def test_retry_wait_backs_off_for_other_errors() -> None:
    settings = RetrySettings(backoff_base=0.01, backoff_cap=0.02)
    assert 0 <= retry_wait(_error(AdsApiServerError, 503), 3, settings) <= 0.02


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_attempts": 0}, ValueError),
        ({"max_attempts": 2.0}, TypeError),
        ({"backoff_base": -1}, ValueError),
        ({"max_rate_limit_wait": float("inf")}, TypeError),
        ({"max_total_rate_limit_wait": -1}, ValueError),
        ({"max_total_rate_limit_wait": "900"}, TypeError),
    ],
)
def test_retry_settings_validation(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error, match=next(iter(kwargs))):
        RetrySettings(**kwargs)  # type: ignore[arg-type]


def test_retry_settings_defaults() -> None:
    settings = RetrySettings()
    assert (settings.max_attempts, settings.max_rate_limit_wait) == (5, 900.0)
    # One full window in all per call, not one per attempt (4 x 900 s with five attempts).
    assert settings.max_total_rate_limit_wait == 900.0


def test_total_rate_limit_waits_fit_until_they_pass_the_setting() -> None:
    assert total_rate_limit_wait_too_long(0.0, 900.0, 900.0) is None
    assert total_rate_limit_wait_too_long(600.0, 300.0, 900.0) is None
    too_long = total_rate_limit_wait_too_long(600.0, 300.5, 900.0)
    assert isinstance(too_long, RateLimitWaitTooLongError)
    assert str(too_long).endswith(
        "rate-limit waits of this call would reach 900.5 s (600.0 s waited, 300.5 s more asked), over "
        "max_total_rate_limit_wait=900 s; retry later or raise max_total_rate_limit_wait"
    )
    # A zero budget refuses every rate-limit wait.
    assert total_rate_limit_wait_too_long(0.0, 1.0, 0.0) is not None


def test_a_spent_window_holds_the_next_request_until_its_reset() -> None:
    assert spent_window_wait(NOW + 2.5, NOW, max_wait=10) == 2.5
    # Past resets and no spent window hold nothing.
    assert spent_window_wait(NOW - 1, NOW, max_wait=10) == 0.0
    assert spent_window_wait(0.0, NOW, max_wait=10) == 0.0
    # A reset beyond max_wait is not waited for here: the request goes and the API's 429 decides.
    assert spent_window_wait(NOW + 60, NOW, max_wait=10) == 0.0
