"""The one HTTP core: every fault kind the emulator injects, through both hooks, alike.

Each fault is injected into one STATUS request and read through ``AdsApiHook`` (requests) and
``AsyncAdsApiHook`` (aiohttp). Both must raise the same exception type on a single attempt, and
make the same retry decision (retried and answered, or raised at once) when a second is allowed.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from support.uploads import TINY_MP4, TINY_PNG, upload

from airflow_provider_twitter_ads.emulator.faults import FAULT_KINDS
from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import (
    AdsApiError,
    AdsApiForbiddenError,
    AdsApiRateLimitError,
    AdsApiResponseLostError,
    AdsApiServerError,
    MediaProcessingError,
)
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.ads_api_async import AsyncAdsApiHook
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings, should_retry
from airflow_provider_twitter_ads.utils.processing import check_processing

# Fault kind -> (the error both hooks raise, whether a read is retried after it).
EXPECTED: dict[str, tuple[type[Exception], bool]] = {
    "error": (AdsApiServerError, True),
    "html_error": (AdsApiServerError, True),
    # A gateway refusing the request (403), its body echoing the Authorization header.
    "echo_auth": (AdsApiForbiddenError, False),
    "rate_limit": (AdsApiRateLimitError, True),
    "slow": (AdsApiResponseLostError, True),
    "drop_before": (AdsApiResponseLostError, True),
    "drop_after": (AdsApiResponseLostError, True),
    # Processing failed: the answer is final, the processing check raises and nothing is retried.
    "fail_processing": (MediaProcessingError, False),
}
FAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "rate_limit": {"reset_in": 0.2},
    "slow": {"seconds": 1.5},
}
# A read timeout well under the slow fault's sleep; the other faults answer at once.
TIMEOUT = 0.5


def test_every_fault_kind_has_an_expectation() -> None:
    assert set(EXPECTED) == set(FAULT_KINDS)


def _retries(max_attempts: int) -> RetrySettings:
    return RetrySettings(
        max_attempts=max_attempts, backoff_base=0.01, backoff_cap=0.05, max_rate_limit_wait=5
    )


@pytest.fixture
def conn_id(ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    connection = ads_api_emulator.airflow_connection(timeout=TIMEOUT)
    monkeypatch.setenv("AIRFLOW_CONN_ADS_FAULTS", json.dumps(connection))
    return "ads_faults"


def _media_for(kind: str, emulator: AdsApiEmulator) -> str:
    if kind != "fail_processing":
        return upload(emulator, TINY_PNG, media_category="tweet_image", media_type="image/png")["id"]
    emulator.update_config(processing_seconds=0.2, check_after_secs=1)
    emulator.faults.configure(
        {"scripted": [{"kind": "fail_processing", "method": "POST", "path": "finalize", "times": 1}]}
    )
    media_id = upload(emulator, TINY_MP4)["id"]
    time.sleep(0.5)
    return media_id


def _inject(kind: str, emulator: AdsApiEmulator, times: int) -> None:
    if kind == "fail_processing":
        emulator.faults.clear()
        return
    fault = {
        "kind": kind,
        "method": "GET",
        "path": "media/upload",
        "times": times,
        "options": FAULT_OPTIONS.get(kind, {}),
    }
    emulator.faults.configure({"scripted": [fault]})


def _sync_status(conn_id: str, media_id: str, max_attempts: int) -> Exception | None:
    try:
        check_processing(
            AdsApiHook(conn_id, retry_settings=_retries(max_attempts)).get_upload_status(media_id)
        )
    except AdsApiError as error:
        return error
    return None


def _async_status(conn_id: str, media_id: str, max_attempts: int) -> Exception | None:
    async def status() -> Exception | None:
        async with AsyncAdsApiHook(conn_id, retry_settings=_retries(max_attempts)) as hook:
            try:
                check_processing(await hook.get_upload_status(media_id))
            except AdsApiError as error:
                return error
        return None

    return asyncio.run(status())


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_one_attempt_raises_the_same_error_in_both_hooks(
    kind: str, ads_api_emulator: AdsApiEmulator, conn_id: str
) -> None:
    expected_type, retried = EXPECTED[kind]
    media_id = _media_for(kind, ads_api_emulator)
    raised = []
    for read in (_sync_status, _async_status):
        _inject(kind, ads_api_emulator, times=1)
        raised.append(read(conn_id, media_id, 1))
    sync_error, async_error = raised
    assert type(sync_error) is type(async_error) is expected_type
    assert should_retry(sync_error, idempotent=True) is should_retry(async_error, idempotent=True) is retried
    # One HTTP attempt each: neither hook (nor its HTTP library) resent the request on its own.
    assert isinstance(sync_error, AdsApiError) and isinstance(async_error, AdsApiError)
    assert sync_error.attempts == async_error.attempts == 1


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_both_hooks_make_the_same_retry_decision(
    kind: str, ads_api_emulator: AdsApiEmulator, conn_id: str
) -> None:
    expected_type, retried = EXPECTED[kind]
    media_id = _media_for(kind, ads_api_emulator)
    outcomes = []
    for read in (_sync_status, _async_status):
        _inject(kind, ads_api_emulator, times=1)
        error = read(conn_id, media_id, 2)
        outcomes.append(None if error is None else (type(error), getattr(error, "attempts", None)))
    if retried:
        # The fault hit the first attempt and the second was answered, in both hooks.
        assert outcomes == [None, None]
        assert ads_api_emulator.faults.injected[kind] == 2
    else:
        assert outcomes == [(expected_type, 1), (expected_type, 1)]
