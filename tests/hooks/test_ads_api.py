"""hooks/ads_api.py against the emulator over real HTTP: signing, retries, rate limits, lost responses, entity methods, paging and the connection test."""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1
from support.creatives import add_preroll_line_item
from support.rogue_server import rogue_server

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.emulator.ads import add_ready_media
from airflow_provider_twitter_ads.exceptions import (
    AdsApiBadRequestError,
    AdsApiConnectionError,
    AdsApiError,
    AdsApiForbiddenError,
    AdsApiMalformedResponseError,
    AdsApiNotFoundError,
    AdsApiRateLimitError,
    AdsApiResponseLostError,
    AdsApiServerError,
    AdsApiUnauthorizedError,
    RateLimitWaitTooLongError,
    names_missing,
)
from airflow_provider_twitter_ads.hooks import http_core
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook, EntityPager, _body_bytes
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings
from airflow_provider_twitter_ads.utils.segments import BytesRangeReader
from airflow_provider_twitter_ads.utils.upload_protocol import MultipartBody
from airflow_provider_twitter_ads.vocabulary import MISSING_LINE_ITEM_CODES, NOT_FOUND_CODES

HOOK_LOGGER = "airflow_provider_twitter_ads.hooks.ads_api"

CREATIVES = "accounts/{account_id}/media_creatives"

MakeHook = Callable[..., AdsApiHook]

Inject = Callable[..., None]


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == HOOK_LOGGER and r.levelno == logging.INFO]


def _retry_waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    return [
        float(m.group(1))
        for r in caplog.records
        if r.name == HOOK_LOGGER and (m := re.search(r"retrying in ([0-9.]+) s", r.getMessage()))
    ]


def _creative_count(emulator: AdsApiEmulator) -> int:
    return len(emulator.state.table("media_creatives"))


def _account_media_id(emulator: AdsApiEmulator) -> str:
    """A fresh image account media (MEDIUM_RECTANGLE) to attach."""
    return emulator.seed_entities("account_media", 1)[0]["id"]


def _settled_requests(emulator: AdsApiEmulator, expected: int) -> list[dict[str, object]]:
    """The request log once ``expected`` requests are in it (a slow request is logged when it wakes)."""
    deadline = time.monotonic() + 10
    while len(emulator.api_requests()) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return emulator.api_requests()


def _image_account_media(emulator: AdsApiEmulator) -> str:
    return emulator.seed_entities("account_media", 1)[0]["id"]


def _list_requests(emulator: AdsApiEmulator, kind: str) -> list[dict[str, Any]]:
    return emulator.api_requests("GET", f"/{kind}")


ListCall = Callable[[AdsApiHook], object]

TOO_MANY_IDS = [f"id{i}" for i in range(201)]


def test_one_signed_session_without_urllib3_retries(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    session = hook.get_conn()
    assert hook.get_conn() is session
    assert isinstance(session.auth, OAuth1)
    assert session.auth.client.signature_method == "HMAC-SHA1"
    assert session.auth.client.signature_type == "AUTH_HEADER"
    adapter = session.get_adapter(ads_api_emulator.url)
    assert adapter.max_retries.total == 0
    assert hook.request("GET", "accounts/{account_id}")["data"]["id"] == "18ce54d4x5t"
    assert hook.request("GET", "accounts/{account_id}/campaigns")["data"][0]["id"] == "8yn7m"
    assert hook.get_conn() is session


def test_close_opens_a_new_session_next_time(hook: AdsApiHook) -> None:
    first = hook.get_conn()
    hook.close()
    assert hook.get_conn() is not first


def test_wrong_secret_is_401_and_not_retried(make_hook: MakeHook, ads_api_emulator: AdsApiEmulator) -> None:
    hook = make_hook(password="not-the-consumer-secret")
    with pytest.raises(AdsApiUnauthorizedError) as info:
        hook.request("GET", "accounts/{account_id}")
    error = info.value
    assert error.status_code == 401
    assert error.codes == ["UNAUTHORIZED_ACCESS"]
    assert error.attempts == 1
    assert str(error) == (
        "GET accounts/18ce54d4x5t failed with 401 UNAUTHORIZED_ACCESS: This request is not properly authenticated"
    )
    assert len(ads_api_emulator.api_requests()) == 1


def test_query_and_form_parameters_are_signed(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    # The emulator checks the signature over the query (lists comma-separated, booleans as words).
    page = hook.request(
        "GET",
        "accounts/{account_id}/line_items",
        params={"line_item_ids": ["8v7jo", "8v7js"], "with_deleted": True},
    )
    assert sorted(item["id"] for item in page["data"]) == ["8v7jo", "8v7js"]
    (logged,) = ads_api_emulator.api_requests()
    assert logged["query"] == {"line_item_ids": "8v7jo,8v7js", "with_deleted": "true"}


def test_concurrent_requests_share_the_session(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    results: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(hook.get_line_item("8v7jo")["id"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == ["8v7jo"] * 18
    assert len(ads_api_emulator.api_requests("GET", "/line_items/8v7jo")) == 18


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"method": "PATCH", "path": "accounts/{account_id}"},
            "method must be one of DELETE, GET, POST, PUT, got 'PATCH'",
        ),
        (
            {"method": "GET", "path": "https://example.com/12/accounts"},
            "path must be relative without a query",
        ),
        ({"method": "GET", "path": "accounts/{account_id}?with_deleted=true"}, "pass params="),
        ({"method": "GET", "path": ""}, "path must be a non-empty relative path"),
        (
            {"method": "GET", "path": "accounts/{account_id}", "api": "media"},
            "api must be 'ads' or 'upload', got 'media'",
        ),
        (
            {"method": "GET", "path": "accounts/{account_id}", "account_id": "a/b"},
            "account_id must be a single non-empty id",
        ),
        (
            {"method": "GET", "path": "accounts", "params": {"ids": ["a,b"]}},
            "ids values must not contain commas",
        ),
    ],
)
def test_bad_requests_fail_before_sending(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        hook.request(**kwargs)  # type: ignore[arg-type]
    assert ads_api_emulator.api_requests() == []


def test_missing_account_id_names_the_fix(make_hook: MakeHook, ads_api_emulator: AdsApiEmulator) -> None:
    hook = make_hook(account_id=None)
    with pytest.raises(
        ValueError, match="account_id is not set: pass account_id= or set the account_id extra"
    ):
        hook.request("GET", "accounts/{account_id}")
    assert (
        hook.request("GET", "accounts/{account_id}", account_id="18ce54d4x5t")["data"]["id"] == "18ce54d4x5t"
    )
    assert len(ads_api_emulator.api_requests()) == 1


def test_upload_api_base(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    with pytest.raises(AdsApiNotFoundError) as info:
        hook.request("GET", "2/media/upload", params={"command": "STATUS", "media_id": "1"}, api="upload")
    assert info.value.path == "2/media/upload"
    (logged,) = ads_api_emulator.api_requests()
    assert logged["path"] == "/2/media/upload"


def test_get_is_retried_on_503_until_it_succeeds(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    inject("error", times=2, status=503)
    assert hook.get_line_item("8v7jo")["id"] == "8v7jo"
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [503, 503, 200]


def test_get_gives_up_after_max_attempts(
    inject: Inject, make_hook: MakeHook, ads_api_emulator: AdsApiEmulator
) -> None:
    hook = make_hook(retry_settings=RetrySettings(max_attempts=3, backoff_base=0.01))
    inject("error", times=10, status=503)
    with pytest.raises(AdsApiServerError) as info:
        hook.get_line_item("8v7jo")
    assert info.value.attempts == 3
    assert info.value.codes == ["SERVICE_UNAVAILABLE"]
    assert len(ads_api_emulator.api_requests()) == 3


@pytest.mark.parametrize("status", [408, 423, 500, 502, 504])
def test_each_retryable_status(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, status: int
) -> None:
    inject("error", status=status)
    assert hook.get_line_item("8v7jo")["id"] == "8v7jo"
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [status, 200]


@pytest.mark.parametrize("status", [400, 403, 409, 501])
def test_other_errors_are_not_retried(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, status: int
) -> None:
    inject("error", status=status)
    with pytest.raises(AdsApiError) as info:
        hook.get_line_item("8v7jo")
    assert info.value.status_code == status
    assert len(ads_api_emulator.api_requests()) == 1


def test_missing_entity_is_404_not_retried(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    with pytest.raises(AdsApiNotFoundError) as info:
        hook.get_line_item("zzzzz")
    assert info.value.codes == ["LINE_ITEM_NOT_FOUND"]
    assert len(ads_api_emulator.api_requests()) == 1


def test_post_is_not_retried_on_503(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    before = _creative_count(ads_api_emulator)
    inject("error", status=503, method="POST")
    with pytest.raises(AdsApiServerError):
        hook.create_media_creative(_account_media_id(ads_api_emulator), "8v7jo", "https://example.com/a")
    assert len(ads_api_emulator.api_requests("POST")) == 1
    assert _creative_count(ads_api_emulator) == before


def test_idempotent_post_is_retried_on_503(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    before = _creative_count(ads_api_emulator)
    inject("error", status=503, method="POST")
    params = {"account_media_id": _account_media_id(ads_api_emulator), "line_item_id": "8v7jq"}
    created = hook.request("POST", CREATIVES, params=params, idempotent=True)["data"]
    assert created["line_item_id"] == "8v7jq"
    assert [r["status"] for r in ads_api_emulator.api_requests("POST")] == [503, 201]
    assert _creative_count(ads_api_emulator) == before + 1


def test_post_is_retried_on_429_without_duplicates(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    before = _creative_count(ads_api_emulator)
    inject("rate_limit", method="POST", with_reset=False)
    created = hook.create_media_creative(
        _account_media_id(ads_api_emulator), "8v7jo", "https://example.com/a"
    )
    assert created["landing_url"] == "https://example.com/a"
    assert [r["status"] for r in ads_api_emulator.api_requests("POST")] == [429, 201]
    assert _creative_count(ads_api_emulator) == before + 1
    assert _retry_waits(caplog) == [1.0]


def test_429_waits_for_the_reset_header(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    inject("rate_limit", with_reset=True, reset_in=1)
    assert hook.get_line_item("8v7jo")["id"] == "8v7jo"
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [429, 200]
    (wait,) = _retry_waits(caplog)
    # Reset headers are whole epoch seconds, rounded up: at most two seconds away.
    assert 0 < wait <= 2.0


def test_429_without_reset_header_waits_the_default(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    inject("rate_limit", with_reset=False)
    assert hook.get_line_item("8v7jo")["id"] == "8v7jo"
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [429, 200]
    assert _retry_waits(caplog) == [1.0]


def test_429_reset_beyond_the_cap_fails_at_once(
    inject: Inject, make_hook: MakeHook, ads_api_emulator: AdsApiEmulator
) -> None:
    hook = make_hook(retry_settings=RetrySettings(max_rate_limit_wait=5))
    inject("rate_limit", times=5, with_reset=True, reset_in=120)
    with pytest.raises(RateLimitWaitTooLongError) as info:
        hook.get_line_item("8v7jo")
    message = str(info.value)
    assert message.startswith("GET accounts/18ce54d4x5t/line_items/8v7jo failed with 429 TOO_MANY_REQUESTS")
    assert re.search(r"rate limit resets in 1[12][0-9] s, longer than max_rate_limit_wait=5 s", message)
    assert len(ads_api_emulator.api_requests()) == 1


def test_real_account_budget_exhaustion(make_hook: MakeHook, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(account_rate_limit=2, rate_limit_window=900)
    hook = make_hook(retry_settings=RetrySettings(max_rate_limit_wait=30))
    hook.get_line_item("8v7jo")
    hook.get_line_item("8v7jo")
    with pytest.raises(RateLimitWaitTooLongError, match=r"rate limit resets in (89[0-9]|90[01]) s"):
        hook.get_line_item("8v7jo")
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [200, 200, 429]


def test_429_retries_are_bounded(
    inject: Inject, make_hook: MakeHook, ads_api_emulator: AdsApiEmulator
) -> None:
    hook = make_hook(retry_settings=RetrySettings(max_attempts=2, max_rate_limit_wait=5))
    inject("rate_limit", times=5, with_reset=False)
    with pytest.raises(AdsApiRateLimitError) as info:
        hook.get_line_item("8v7jo")
    assert not isinstance(info.value, RateLimitWaitTooLongError)
    assert info.value.attempts == 2
    assert len(ads_api_emulator.api_requests()) == 2


def test_rate_limit_waits_of_one_call_are_bounded_in_total(
    inject: Inject, make_hook: MakeHook, ads_api_emulator: AdsApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    # Each 429 without reset headers asks for a 1 s wait: the first fits in 1.5 s, the second not.
    settings = RetrySettings(max_attempts=5, max_rate_limit_wait=5, max_total_rate_limit_wait=1.5)
    hook = make_hook(retry_settings=settings)
    inject("rate_limit", times=5, with_reset=False)
    with pytest.raises(RateLimitWaitTooLongError) as info:
        hook.get_line_item("8v7jo")
    message = str(info.value)
    assert message.startswith("GET accounts/18ce54d4x5t/line_items/8v7jo failed with 429 TOO_MANY_REQUESTS")
    assert (
        "would reach 2.0 s (1.0 s waited, 1.0 s more asked), over max_total_rate_limit_wait=1.5 s" in message
    )
    assert info.value.attempts == 2
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [429, 429]
    used_up = [r for r in caplog.records if "rate-limit waits used up" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in used_up] == [
        (
            logging.WARNING,
            "GET accounts/18ce54d4x5t/line_items/8v7jo: rate-limit waits used up (1.0 s waited, 1.0 s more "
            "asked, max_total_rate_limit_wait=1.5 s); not retrying",
        )
    ]
    # The budget is per call: the next call starts with all of it.
    inject("rate_limit", times=1, with_reset=False)
    assert hook.get_line_item("8v7jo")["id"] == "8v7jo"
    assert [r["status"] for r in ads_api_emulator.api_requests()][2:] == [429, 200]


def test_a_spent_window_longer_than_the_budget_left_is_not_held(
    make_hook: MakeHook, ads_api_emulator: AdsApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    # One request per 2 s window: the first answer says the window is spent for 2-3 s more.
    ads_api_emulator.update_config(account_rate_limit=1, rate_limit_window=2)
    hook = make_hook(retry_settings=RetrySettings(max_rate_limit_wait=5, max_total_rate_limit_wait=1))
    hook.get_line_item("8v7jo")
    with pytest.raises(RateLimitWaitTooLongError, match="over max_total_rate_limit_wait=1 s"):
        hook.get_line_item("8v7jo")
    # Not held for the window (it would not fit): sent, refused with 429, and not waited out.
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [200, 429]
    assert not [r for r in caplog.records if "Rate-limit window spent" in r.getMessage()]


def test_lost_post_response_is_not_resent(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    before = _creative_count(ads_api_emulator)
    inject("drop_after", method="POST", path="/media_creatives$")
    with pytest.raises(AdsApiResponseLostError) as info:
        hook.create_media_creative(_account_media_id(ads_api_emulator), "8v7jo", "https://example.com/a")
    assert info.value.status_code is None
    assert info.value.attempts == 1
    assert "the request may have been processed" in str(info.value)
    assert len(ads_api_emulator.api_requests("POST")) == 1
    # The write happened: exactly one new entity, and the caller knows to look before re-creating.
    assert _creative_count(ads_api_emulator) == before + 1


def test_dropped_connection_before_handling_is_still_a_lost_response(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    # The client cannot tell "dropped before" from "dropped after": it must assume the worst for a POST.
    before = _creative_count(ads_api_emulator)
    inject("drop_before", method="POST")
    with pytest.raises(AdsApiResponseLostError):
        hook.create_media_creative(_account_media_id(ads_api_emulator), "8v7jo", "https://example.com/a")
    assert _creative_count(ads_api_emulator) == before


def test_lost_get_response_is_retried(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    inject("drop_after", method="GET")
    assert hook.get_line_item("8v7jo")["id"] == "8v7jo"
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [None, 200]


def test_read_timeout_on_get_is_retried(
    inject: Inject, make_hook: MakeHook, ads_api_emulator: AdsApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    # The retry must answer within the timeout even on a busy machine: a wide margin, not a tight one.
    hook = make_hook(timeout=1.0)
    inject("slow", method="GET", seconds=2.0, when="before")
    assert hook.get_line_item("8v7jo")["id"] == "8v7jo"
    first, second = _request_lines(caplog)
    assert "-> no response (ReadTimeout) in" in first
    assert "-> 200 in" in second
    assert sorted(r["fault"] or "" for r in _settled_requests(ads_api_emulator, 2)) == ["", "slow"]


def test_read_timeouts_exhaust_retries(
    inject: Inject, make_hook: MakeHook, ads_api_emulator: AdsApiEmulator
) -> None:
    hook = make_hook(timeout=0.2, retry_settings=RetrySettings(max_attempts=2, backoff_base=0.01))
    inject("slow", times=5, seconds=0.6, when="before")
    with pytest.raises(AdsApiResponseLostError, match=r"failed: no response within 0\.2 s") as info:
        hook.get_line_item("8v7jo")
    assert info.value.attempts == 2
    assert len(_settled_requests(ads_api_emulator, 2)) == 2


def test_read_timeout_after_a_post_commits_is_not_resent(
    inject: Inject, make_hook: MakeHook, ads_api_emulator: AdsApiEmulator
) -> None:
    hook = make_hook(timeout=0.3)
    before = _creative_count(ads_api_emulator)
    inject("slow", method="POST", seconds=1.0, when="after")
    with pytest.raises(AdsApiResponseLostError, match=r"no response within 0\.3 s") as info:
        hook.create_media_creative(_account_media_id(ads_api_emulator), "8v7jo", "https://example.com/a")
    assert info.value.attempts == 1
    assert _creative_count(ads_api_emulator) == before + 1
    assert len(_settled_requests(ads_api_emulator, 1)) == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_nothing_listening_is_retried_then_raised(
    make_hook: MakeHook, closed_port: int, caplog: pytest.LogCaptureFixture, method: str
) -> None:
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    url = f"http://127.0.0.1:{closed_port}"
    hook = make_hook(ads_api_url=url, retry_settings=RetrySettings(max_attempts=3, backoff_base=0.01))
    with pytest.raises(AdsApiConnectionError, match="could not connect") as info:
        hook.request(method, CREATIVES)
    # The server was never reached, so even a POST is resent: nothing could have been created.
    assert info.value.attempts == 3
    assert info.value.status_code is None
    assert str(info.value).startswith(
        f"{method} accounts/18ce54d4x5t/media_creatives failed: could not connect"
    )
    assert len([line for line in _request_lines(caplog) if "no response (ConnectionError)" in line]) == 3


def test_html_502_is_retried_then_reported(
    inject: Inject, make_hook: MakeHook, ads_api_emulator: AdsApiEmulator
) -> None:
    hook = make_hook(retry_settings=RetrySettings(max_attempts=2, backoff_base=0.01))
    inject("html_error", times=5)
    with pytest.raises(AdsApiServerError) as info:
        hook.get_line_item("8v7jo")
    assert str(info.value) == (
        "GET accounts/18ce54d4x5t/line_items/8v7jo failed with 502: non-JSON text/html body: 502 Bad Gateway"
    )
    assert len(ads_api_emulator.api_requests()) == 2


def test_html_502_then_success(inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    inject("html_error")
    assert hook.get_line_item("8v7jo")["id"] == "8v7jo"
    assert [r["status"] for r in ads_api_emulator.api_requests()] == [502, 200]


def test_html_4xx_is_parsed_and_not_retried(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    inject("html_error", status=404)
    with pytest.raises(
        AdsApiNotFoundError, match="failed with 404: non-JSON text/html body: 502 Bad Gateway"
    ):
        hook.get_line_item("8v7jo")
    assert len(ads_api_emulator.api_requests()) == 1


def test_api_error_keeps_code_and_parameter(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    with pytest.raises(AdsApiError) as info:
        hook.create_media_creative(_account_media_id(ads_api_emulator), "8v7jo")
    assert info.value.status_code == 400
    assert info.value.errors[0]["code"] == "MISSING_PARAMETER"
    assert info.value.errors[0]["parameter"] == "landing_url"
    assert "400 MISSING_PARAMETER (landing_url)" in str(info.value)


def test_one_log_line_per_request(
    make_hook: MakeHook, ads_api_emulator: AdsApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    ads_api_emulator.update_config(account_rate_limit=500)
    hook = make_hook()
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    hook.get_line_item("8v7jo")
    hook.request("GET", "accounts")  # not account-scoped: only the endpoint budget is reported
    first, second = _request_lines(caplog)
    assert re.fullmatch(
        r"GET accounts/18ce54d4x5t/line_items/8v7jo -> 200 in \d+ ms, rate limit remaining 499", first
    )
    assert re.fullmatch(r"GET accounts -> 200 in \d+ ms, rate limit remaining 99999", second)


def test_retry_lines(
    inject: Inject, hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=HOOK_LOGGER)
    inject("error", status=503)
    hook.get_line_item("8v7jo")
    messages = [r.getMessage() for r in caplog.records if r.name == HOOK_LOGGER]
    assert len(messages) == 3
    assert messages[0].startswith("GET accounts/18ce54d4x5t/line_items/8v7jo -> 503 in ")
    assert re.fullmatch(
        r"GET accounts/18ce54d4x5t/line_items/8v7jo failed with 503 SERVICE_UNAVAILABLE: Over capacity; "
        r"retrying in [0-9.]+ s \(attempt 2 of 4\)",
        messages[1],
    )
    assert " -> 200 in " in messages[2]


def test_no_secret_reaches_logs_errors_or_reprs(
    inject: Inject,
    make_hook: MakeHook,
    ads_api_emulator: AdsApiEmulator,
    closed_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config = ads_api_emulator.config
    wrong_secret = "wrong-consumer-secret-for-this-test"
    forbidden = [
        config.consumer_secret,
        config.access_token_secret,
        wrong_secret,
        "oauth_signature",
        "Authorization",
    ]
    texts: list[str] = []

    def record(error: BaseException) -> None:
        texts.extend([str(error), repr(error), "".join(traceback.format_exception(error))])

    hook = make_hook()
    hook.get_line_item("8v7jo")
    inject("error", status=503)
    hook.get_line_item("8v7jo")
    texts.extend([repr(hook), repr(hook.config), str(hook.config)])
    for failing, call in [
        (make_hook(password=wrong_secret), lambda h: h.get_line_item("8v7jo")),
        (make_hook(ads_api_url=f"http://127.0.0.1:{closed_port}"), lambda h: h.get_line_item("8v7jo")),
        (hook, lambda h: h.get_line_item("nothere")),
    ]:
        with pytest.raises(AdsApiError) as info:
            call(failing)
        record(info.value)
    inject("drop_after", method="POST")
    with pytest.raises(AdsApiResponseLostError) as lost:
        hook.create_media_creative(_account_media_id(ads_api_emulator), "8v7jo", "https://example.com/a")
    record(lost.value)
    assert hook.test_connection()[0] is True

    texts.append(caplog.text)
    texts.extend(r.getMessage() for r in caplog.records)
    assert len(caplog.records) > 10
    for text in texts:
        for secret in forbidden:
            assert secret not in text


def test_test_connection_ok(hook: AdsApiHook) -> None:
    assert hook.test_connection() == (
        True,
        "Connected to ads account 18ce54d4x5t (Emulator Coffee Co.) with API version 12",
    )


def test_test_connection_wrong_secret(make_hook: MakeHook, ads_api_emulator: AdsApiEmulator) -> None:
    ok, message = make_hook(password="wrong-consumer-secret").test_connection()
    assert ok is False
    assert message == (
        "GET accounts/18ce54d4x5t failed with 401 UNAUTHORIZED_ACCESS: This request is not properly authenticated"
    )
    assert len(ads_api_emulator.api_requests()) == 1


def test_test_connection_unknown_account(make_hook: MakeHook) -> None:
    ok, message = make_hook(account_id="nope1").test_connection()
    assert ok is False
    # Error codes and responses: an account the credentials cannot see is 403 ACCOUNT_NOT_FOUND.
    assert message.startswith("GET accounts/nope1 failed with 403 ACCOUNT_NOT_FOUND")


def test_test_connection_without_account_id(make_hook: MakeHook, ads_api_emulator: AdsApiEmulator) -> None:
    assert make_hook(account_id=None).test_connection() == (
        False,
        "Set the account_id extra so the connection can be tested",
    )
    assert ads_api_emulator.api_requests() == []


def test_test_connection_bad_connection(make_hook: MakeHook) -> None:
    ok, message = make_hook(api_version="v12").test_connection()
    assert ok is False
    assert "api_version must be a positive integer like '12', got 'v12'" in message


def test_test_connection_unreachable(make_hook: MakeHook, closed_port: int) -> None:
    ok, message = make_hook(ads_api_url=f"http://127.0.0.1:{closed_port}").test_connection()
    assert ok is False
    assert message.startswith("GET accounts/18ce54d4x5t failed: could not connect")


def test_unsigned_requests_are_what_the_emulator_rejects(ads_api_emulator: AdsApiEmulator) -> None:
    # Guards the signing tests above: without the hook's OAuth1 the same URL is refused.
    response = requests.get(f"{ads_api_emulator.url}/12/accounts/18ce54d4x5t", timeout=5)
    assert response.status_code == 401


def test_get_line_item(hook: AdsApiHook) -> None:
    line_item = hook.get_line_item("8v7jp")
    assert (line_item["objective"], line_item["campaign_id"]) == ("VIDEO_VIEWS", "8yn7m")


# Error codes and responses: the entity's own code where the page lists one, else NOT_FOUND.
@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda h: h.get_line_item("nope1"), "LINE_ITEM_NOT_FOUND"),
        (lambda h: h.get_line_item("8v7js"), "LINE_ITEM_NOT_FOUND"),  # deleted
        (lambda h: h.get_media_creative("nope1"), "MEDIA_CREATIVE_NOT_FOUND"),
        (lambda h: h.get_account_media("nope1"), "ACCOUNT_MEDIA_NOT_FOUND"),
        (lambda h: h.get_media_library_entry("3_1029825579531807971"), "NOT_FOUND"),
        (lambda h: h.get_preroll_call_to_action("nope1"), "NOT_FOUND"),
        (lambda h: h.delete_media_creative("nope1"), "MEDIA_CREATIVE_NOT_FOUND"),
    ],
)
def test_missing_entities_are_not_found(
    hook: AdsApiHook, call: Callable[[AdsApiHook], object], code: str
) -> None:
    with pytest.raises(AdsApiNotFoundError) as info:
        call(hook)
    assert info.value.codes == [code]


@pytest.mark.parametrize("code", ["LINE_ITEM_NOT_FOUND", "NOT_FOUND"])
def test_a_missing_line_item_is_named_missing_by_either_code(
    make_hook: MakeHook, ads_api_emulator: AdsApiEmulator, code: str
) -> None:
    """The documented LINE_ITEM_NOT_FOUND and the generic NOT_FOUND seen in practice both name a
    missing line item; a wrong route (a version that is not served) never does."""
    ads_api_emulator.update_config(line_item_not_found_code=code)
    with pytest.raises(AdsApiNotFoundError) as missing:
        make_hook().get_line_item("zzzzz")
    assert missing.value.codes == [code]
    assert names_missing(missing.value, *MISSING_LINE_ITEM_CODES)
    assert not names_missing(missing.value, NOT_FOUND_CODES.MEDIA_CREATIVE)
    with pytest.raises(AdsApiNotFoundError) as wrong_route:
        make_hook(api_version="10").get_line_item("8v7jo")
    assert wrong_route.value.codes == [NOT_FOUND_CODES.ROUTE]
    assert not names_missing(wrong_route.value, *MISSING_LINE_ITEM_CODES)


def test_account_id_argument_overrides_the_connection(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    with pytest.raises(
        AdsApiForbiddenError, match="GET accounts/other1/line_items/8v7jo failed with 403 ACCOUNT_NOT_FOUND"
    ):
        hook.get_line_item("8v7jo", account_id="other1")
    assert ads_api_emulator.api_requests()[0]["path"] == "/12/accounts/other1/line_items/8v7jo"


def test_media_creative_lifecycle(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    account_media_id = _image_account_media(ads_api_emulator)
    created = hook.create_media_creative(account_media_id, "8v7jo", landing_url="https://example.com/shop")
    assert created["account_media_id"] == account_media_id
    assert created["landing_url"] == "https://example.com/shop"
    assert hook.get_media_creative(created["id"])["id"] == created["id"]
    deleted = hook.delete_media_creative(created["id"])
    assert deleted["deleted"] is True
    with pytest.raises(AdsApiNotFoundError):
        hook.get_media_creative(created["id"])
    posts = ads_api_emulator.api_requests("POST")
    assert posts[0]["query"] == {
        "account_media_id": account_media_id,
        "line_item_id": "8v7jo",
        "landing_url": "https://example.com/shop",
    }


def test_preroll_media_creative_needs_no_landing_url(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    preroll = ads_api_emulator.seed_entities("account_media", 1, creative_type="PREROLL")[0]["id"]
    created = hook.create_media_creative(preroll, "8v7jr")
    assert created["landing_url"] is None


def test_api_validation_errors_come_back_as_bad_request(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    with pytest.raises(AdsApiBadRequestError) as info:
        hook.create_media_creative("nope1", "8v7jo", "https://example.com")
    assert info.value.errors[0]["parameter"] == "account_media_id"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"landing_url": "ftp://example.com"}, ValueError, "landing_url must be an absolute http(s) URL"),
        ({"landing_url": "example.com/x"}, ValueError, "landing_url must be an absolute http(s) URL"),
        ({"account_media_id": ""}, ValueError, "account_media_id must be a single non-empty id, got ''"),
        ({"line_item_id": "a,b"}, ValueError, "line_item_id must be a single non-empty id, got 'a,b'"),
        ({"line_item_id": None}, TypeError, "line_item_id must be a string id, got NoneType"),
    ],
)
def test_create_media_creative_checks_inputs_first(
    hook: AdsApiHook,
    ads_api_emulator: AdsApiEmulator,
    kwargs: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    arguments: dict[str, object] = {"account_media_id": "1abcd", "line_item_id": "8v7jo", **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        hook.create_media_creative(**arguments)  # type: ignore[arg-type]
    assert ads_api_emulator.api_requests() == []


@pytest.mark.parametrize(
    "call",
    [
        lambda h: h.get_media_creative("a/b"),
        lambda h: h.delete_account_media(""),
        lambda h: h.get_line_item("x?y"),
        lambda h: h.delete_preroll_call_to_action(".."),
    ],
)
def test_ids_in_paths_are_checked_first(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, call: Callable[[AdsApiHook], object]
) -> None:
    with pytest.raises(ValueError, match="must be a single non-empty id"):
        call(hook)
    assert ads_api_emulator.api_requests() == []


def test_get_and_delete_account_media(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    account_media_id = _image_account_media(ads_api_emulator)
    assert hook.get_account_media(account_media_id)["creative_type"] == "MEDIUM_RECTANGLE"
    assert hook.delete_account_media(account_media_id)["deleted"] is True
    with pytest.raises(AdsApiNotFoundError):
        hook.delete_account_media(account_media_id)


def test_create_account_media_needs_api_version_4(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    with pytest.raises(
        ValueError, match="create_account_media needs api_version <= 4, the connection uses 12"
    ):
        hook.create_account_media("MEDIUM_RECTANGLE", media_id="1029825579531807971")
    assert ads_api_emulator.api_requests() == []


def test_create_account_media_on_version_4(make_hook: MakeHook, ads_api_emulator: AdsApiEmulator) -> None:
    # Versions: 4 is end of life; the emulator serves it again for this test.
    ads_api_emulator.update_config(supported_versions=(4, 11, 12))
    hook = make_hook(api_version="4")
    image = add_ready_media(ads_api_emulator.state, "tweet_image", 300, 250)
    video = add_ready_media(ads_api_emulator.state, "amplify_video")
    banner = hook.create_account_media("MEDIUM_RECTANGLE", media_id=image.media_id)
    # Account Media: an image's has a media_url and video_id null (media_key only in the table).
    assert (banner["creative_type"], banner["video_id"]) == ("MEDIUM_RECTANGLE", None)
    assert banner["media_url"]
    preroll = hook.create_account_media("PREROLL", video_id=video.media_id)
    assert preroll["creative_type"] == "PREROLL"
    assert [r["path"] for r in ads_api_emulator.api_requests("POST")] == [
        "/4/accounts/18ce54d4x5t/account_media"
    ] * 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"creative_type": "BANNER"}, "needs exactly one of media_id and video_id"),
        (
            {"creative_type": "BANNER", "media_id": "1", "video_id": "2"},
            "needs exactly one of media_id and video_id",
        ),
        ({"creative_type": "PREROLL", "media_id": "1"}, "creative_type PREROLL needs video_id, not media_id"),
        ({"creative_type": "BANNER", "video_id": "1"}, "creative_type BANNER needs media_id, not video_id"),
        ({"creative_type": "SKYSCRAPER", "media_id": "1"}, "creative_type must be one of"),
    ],
)
def test_create_account_media_checks_inputs_first(
    make_hook: MakeHook, ads_api_emulator: AdsApiEmulator, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make_hook(api_version="4").create_account_media(**kwargs)
    assert ads_api_emulator.api_requests() == []


def test_media_library_lifecycle(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    image = add_ready_media(ads_api_emulator.state, "tweet_image", 320, 50)
    entry = hook.add_to_media_library(image.media_key, name="Spring banner", file_name="spring.png")
    assert (entry["media_key"], entry["media_type"], entry["name"]) == (
        image.media_key,
        "IMAGE",
        "Spring banner",
    )
    # Adding a banner-sized image created its account media too.
    created = [
        e
        for e in ads_api_emulator.state.table("account_media").values()
        if e["media_url"] == entry["media_url"]
    ]
    assert [e["creative_type"] for e in created] == ["BANNER"]
    assert hook.get_media_library_entry(image.media_key)["file_name"] == "spring.png"
    updated = hook.update_media_library_entry(image.media_key, title="Spring", description="Launch")
    assert (updated["title"], updated["description"], updated["name"]) == (
        "Spring",
        "Launch",
        "Spring banner",
    )
    assert hook.delete_media_library_entry(image.media_key)["deleted"] is True
    with pytest.raises(AdsApiNotFoundError):
        hook.get_media_library_entry(image.media_key)


def test_media_library_add_is_not_resent_after_a_lost_response(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, inject: Inject
) -> None:
    image = add_ready_media(ads_api_emulator.state, "tweet_image", 320, 50)
    inject("drop_after", method="POST", path="/media_library$")
    with pytest.raises(AdsApiResponseLostError):
        hook.add_to_media_library(image.media_key)
    assert len(ads_api_emulator.api_requests("POST")) == 1
    # Resending would have created the BANNER account media a second time.
    created = [
        e for e in ads_api_emulator.state.table("account_media").values() if e["creative_type"] == "BANNER"
    ]
    assert len(created) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h: h.add_to_media_library("abc"), "media_key must look like '<prefix>_<media id>'"),
        (
            lambda h: h.add_to_media_library("3_1029825579531807971", poster_media_key="x"),
            "poster_media_key must look like",
        ),
        (lambda h: h.get_media_library_entry("3-1"), "media_key must look like"),
        (
            lambda h: h.update_media_library_entry("3_1029825579531807971"),
            "update_media_library_entry needs at least one field",
        ),
        (lambda h: h.delete_media_library_entry(""), "media_key must look like"),
    ],
)
def test_media_library_checks_inputs_first(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, call: Callable[[AdsApiHook], object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call(hook)
    assert ads_api_emulator.api_requests() == []


def test_preroll_call_to_action_lifecycle(hook: AdsApiHook) -> None:
    created = hook.create_preroll_call_to_action("8v7jr", "WATCH_NOW", "https://example.com/watch")
    assert (created["line_item_id"], created["call_to_action"]) == ("8v7jr", "WATCH_NOW")
    assert hook.get_preroll_call_to_action(created["id"])["call_to_action_url"] == "https://example.com/watch"
    updated = hook.update_preroll_call_to_action(created["id"], call_to_action="SHOP")
    assert (updated["call_to_action"], updated["call_to_action_url"]) == ("SHOP", "https://example.com/watch")
    updated = hook.update_preroll_call_to_action(created["id"], call_to_action_url="https://example.com/buy")
    assert updated["call_to_action_url"] == "https://example.com/buy"
    assert hook.delete_preroll_call_to_action(created["id"])["deleted"] is True


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda h: h.create_preroll_call_to_action("8v7jr", "BUY", "https://example.com"),
            "call_to_action must be one of GO_TO, SEE_MORE, SHOP, VISIT_SITE, WATCH_NOW, got 'BUY'",
        ),
        (
            lambda h: h.create_preroll_call_to_action("8v7jr", "SHOP", "www.example.com"),
            "call_to_action_url must be an absolute http(s) URL",
        ),
        (
            lambda h: h.update_preroll_call_to_action("abc12"),
            "update_preroll_call_to_action needs call_to_action or call_to_action_url",
        ),
        (
            # Case does not matter (vocabulary.check_call_to_action, as for the operators); BUY is no value.
            lambda h: h.update_preroll_call_to_action("abc12", call_to_action="buy"),
            "call_to_action must be one of",
        ),
    ],
)
def test_preroll_call_to_action_checks_inputs_first(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, call: Callable[[AdsApiHook], object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call(hook)
    assert ads_api_emulator.api_requests() == []


@pytest.mark.parametrize("upload_api", ["v2", "v1.1"])
def test_upload_media_and_status_delegate_to_media_upload(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, upload_api: str
) -> None:
    image = samples.png(300, 250)
    uploaded = hook.upload_media(
        BytesRangeReader(image), len(image), "image/png", "tweet_image", upload_api=upload_api
    )
    assert uploaded["media_key"] == f"3_{uploaded['media_id']}"
    assert ads_api_emulator.state.media[uploaded["media_key"]].total_bytes == len(image)
    status = hook.get_upload_status(uploaded["media_id"], upload_api=upload_api)
    assert status == {
        "media_id": uploaded["media_id"],
        "media_key": uploaded["media_key"],
        "processing_info": None,
    }


def test_2500_media_creatives_at_count_1000_in_exactly_3_requests(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    seeded = ads_api_emulator.seed_entities("media_creatives", 2500)
    items = list(hook.list_media_creatives(sort_by="created_at-asc"))
    assert [item["id"] for item in items] == [entity["id"] for entity in seeded]
    requests = _list_requests(ads_api_emulator, "media_creatives")
    assert len(requests) == 3
    assert [r["query"].get("count") for r in requests] == ["1000", "1000", "1000"]
    assert "cursor" not in requests[0]["query"]
    assert requests[1]["query"]["cursor"] != requests[2]["query"]["cursor"]


def test_paging_is_lazy(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.seed_entities("media_creatives", 2500)
    pager = hook.list_media_creatives()
    assert isinstance(pager, EntityPager)
    assert _list_requests(ads_api_emulator, "media_creatives") == []  # nothing sent until iterated
    first = next(pager)
    assert first["line_item_id"] == "8v7jo"
    assert len(_list_requests(ads_api_emulator, "media_creatives")) == 1
    for _ in range(999):
        next(pager)
    assert (pager.pages, len(_list_requests(ads_api_emulator, "media_creatives"))) == (1, 1)
    next(pager)  # item 1001 needs the second page
    assert (pager.pages, len(_list_requests(ads_api_emulator, "media_creatives"))) == (2, 2)


def test_total_count_is_asked_on_the_first_page_only(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    ads_api_emulator.seed_entities("media_creatives", 2500)
    pager = hook.list_media_creatives(with_total_count=True)
    assert pager.total_count is None
    assert sum(1 for _ in pager) == 2500
    assert pager.total_count == 2500
    queries = [r["query"] for r in _list_requests(ads_api_emulator, "media_creatives")]
    assert [q.get("with_total_count") for q in queries] == ["true", None, None]


def test_start_from_a_cursor(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    seeded = ads_api_emulator.seed_entities("media_creatives", 30)
    first_page = hook.request("GET", "accounts/{account_id}/media_creatives", params={"count": 10})
    rest = list(hook.list_media_creatives(cursor=first_page["next_cursor"], count=10))
    assert [item["id"] for item in rest] == [entity["id"] for entity in seeded[10:]]


def test_generic_paginate(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    pager = hook.paginate("accounts/{account_id}/line_items", {"with_deleted": True}, count=2)
    assert [item["id"] for item in pager] == ["8v7jo", "8v7jp", "8v7jq", "8v7jr", "8v7js", "8v7jt"]
    assert pager.pages == 3


def test_empty_list(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    pager = hook.list_preroll_call_to_actions()
    assert list(pager) == []
    assert pager.pages == 1


def test_media_creative_filters(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    on_jo = ads_api_emulator.seed_entities("media_creatives", 3)
    on_jp = ads_api_emulator.seed_entities("media_creatives", 2, line_item_id="8v7jp")
    on_jt = ads_api_emulator.seed_entities("media_creatives", 2, line_item_id="8v7jt")
    deleted = ads_api_emulator.seed_entities("media_creatives", 1, line_item_id="8v7jp", deleted=True)

    def ids(pager: EntityPager) -> list[str]:
        return sorted(item["id"] for item in pager)

    def expected(*groups: list[dict[str, Any]]) -> list[str]:
        return sorted(entity["id"] for group in groups for entity in group)

    assert ids(hook.list_media_creatives(line_item_ids=["8v7jp", "8v7jt"])) == expected(on_jp, on_jt)
    assert ids(hook.list_media_creatives(line_item_ids="8v7jp")) == expected(on_jp)
    assert ids(hook.list_media_creatives(campaign_id="8yn7n")) == expected(on_jt)
    wanted = [on_jo[0]["id"], on_jt[1]["id"]]
    assert ids(hook.list_media_creatives(media_creative_ids=wanted)) == sorted(wanted)
    assert ids(hook.list_media_creatives(line_item_ids=["8v7jp"], with_deleted=True)) == expected(
        on_jp, deleted
    )
    queries = [r["query"] for r in _list_requests(ads_api_emulator, "media_creatives")]
    assert queries[0]["line_item_ids"] == "8v7jp,8v7jt"
    assert queries[4]["with_deleted"] == "true"


def test_sort_order(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    seeded = ads_api_emulator.seed_entities("preroll_call_to_actions", 5)
    newest_first = [item["id"] for item in hook.list_preroll_call_to_actions(sort_by="created_at-desc")]
    assert newest_first == [entity["id"] for entity in reversed(seeded)]


def test_account_media_filters(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    banners = ads_api_emulator.seed_entities("account_media", 2, creative_type="BANNER")
    prerolls = ads_api_emulator.seed_entities("account_media", 1, creative_type="PREROLL")
    assert [e["id"] for e in hook.list_account_media(creative_types=["PREROLL"])] == [prerolls[0]["id"]]
    both = hook.list_account_media(creative_types=["BANNER", "PREROLL"], with_total_count=True)
    assert sorted(e["id"] for e in both) == sorted(e["id"] for e in banners + prerolls)
    assert both.total_count == 3
    picked = hook.list_account_media(account_media_ids=[banners[1]["id"]])
    assert [e["creative_type"] for e in picked] == ["BANNER"]


def test_media_library_pages_of_50(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    seeded = ads_api_emulator.seed_entities("media_library", 120)
    videos = ads_api_emulator.seed_entities("media_library", 2, media_category="amplify_video")
    entries = list(hook.list_media_library(media_type="IMAGE"))
    assert sorted(e["media_key"] for e in entries) == sorted(e["media_key"] for e in seeded)
    assert [r["query"]["count"] for r in _list_requests(ads_api_emulator, "media_library")] == ["50"] * 3
    assert sorted(e["media_key"] for e in hook.list_media_library(media_type="VIDEO")) == sorted(
        e["media_key"] for e in videos
    )


def test_preroll_call_to_action_filter(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    on_jr = ads_api_emulator.seed_entities("preroll_call_to_actions", 2)
    other = add_preroll_line_item(ads_api_emulator)
    ads_api_emulator.seed_entities("preroll_call_to_actions", 1, line_item_id=other)
    found = hook.list_preroll_call_to_actions(line_item_ids=["8v7jr"])
    assert sorted(e["id"] for e in found) == sorted(e["id"] for e in on_jr)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda h: h.list_media_creatives(count=0), ValueError, "count must be between 1 and 1000, got 0"),
        (
            lambda h: h.list_media_creatives(count=1001),
            ValueError,
            "count must be between 1 and 1000, got 1001",
        ),
        (lambda h: h.list_account_media(count=-5), ValueError, "count must be between 1 and 1000, got -5"),
        (lambda h: h.list_media_library(count=51), ValueError, "count must be between 1 and 50, got 51"),
        (lambda h: h.list_media_library(count=0), ValueError, "count must be between 1 and 50, got 0"),
        (lambda h: h.list_media_creatives(count="many"), TypeError, "count must be an int, got 'many'"),
        (
            lambda h: h.list_media_creatives(line_item_ids=TOO_MANY_IDS),
            ValueError,
            "line_item_ids accepts at most 200 values per request, got 201",
        ),
        (
            lambda h: h.list_media_creatives(media_creative_ids=",".join(TOO_MANY_IDS)),
            ValueError,
            "media_creative_ids accepts at most 200 values per request, got 201",
        ),
        (
            lambda h: h.list_account_media(account_media_ids=TOO_MANY_IDS),
            ValueError,
            "account_media_ids accepts at most 200 values per request, got 201",
        ),
        (
            lambda h: h.list_preroll_call_to_actions(line_item_ids=TOO_MANY_IDS),
            ValueError,
            "line_item_ids accepts at most 200 values per request, got 201",
        ),
        (lambda h: h.list_media_creatives(line_item_ids=[]), ValueError, "line_item_ids must not be empty"),
        (
            lambda h: h.list_media_creatives(with_total_count=True, cursor="abc"),
            ValueError,
            "with_total_count cannot be combined with cursor",
        ),
        (
            lambda h: h.list_account_media(with_total_count=True, cursor="abc"),
            ValueError,
            "with_total_count cannot be combined with cursor",
        ),
        (
            lambda h: h.list_media_creatives(sort_by="newest"),
            ValueError,
            "sort_by must look like 'created_at-asc'",
        ),
        (
            lambda h: h.list_media_creatives(with_deleted="yes"),
            TypeError,
            "with_deleted must be a bool, got 'yes'",
        ),
        (
            lambda h: h.list_media_library(media_type="PHOTO"),
            ValueError,
            "media_type must be one of GIF, IMAGE, VIDEO, got 'PHOTO'",
        ),
        (
            lambda h: h.list_media_creatives(campaign_id="a,b"),
            ValueError,
            "campaign_id must be a single non-empty id, got 'a,b'",
        ),
        (
            lambda h: h.paginate("accounts/{account_id}/line_items", {"ids": ["x"]}, count=5000),
            ValueError,
            "count must be between 1 and 1000, got 5000",
        ),
        (
            lambda h: h.list_preroll_call_to_actions(line_item_id="8v7jr"),
            TypeError,
            "unexpected keyword argument 'line_item_id'",
        ),
    ],
)
def test_limits_are_checked_before_any_request(
    hook: AdsApiHook,
    ads_api_emulator: AdsApiEmulator,
    call: ListCall,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call(hook)
    assert ads_api_emulator.api_requests() == []


def test_200_ids_are_accepted(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    ids = [f"id{i}" for i in range(200)]
    assert list(hook.list_media_creatives(media_creative_ids=ids)) == []
    (logged,) = ads_api_emulator.api_requests()
    assert logged["query"]["media_creative_ids"].count(",") == 199


# -- cards, posts, promoted posts and promotable users ----------------------------------------------


def test_card_methods(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    seeded = ads_api_emulator.seed_entities("cards", 5)
    pager = hook.list_cards(count=2)
    assert [card["id"] for card in pager] == [card["id"] for card in seeded]
    assert len(ads_api_emulator.api_requests("GET", "/cards")) == 3
    key = seeded[0]["components"][0]["media_key"]
    components = [
        {"type": "MEDIA", "media_key": key},
        {"type": "DETAILS", "title": "T", "destination": {"type": "WEBSITE", "url": "https://example.com"}},
    ]
    card = hook.create_card("Hook card", components)
    assert card["card_uri"] == f"card://{card['id']}"
    assert [c["id"] for c in hook.list_cards(q="hook card")] == [card["id"]]
    assert [c["id"] for c in hook.list_cards(card_ids=[card["id"]])] == [card["id"]]
    assert hook.update_card(card["id"], name="Renamed")["name"] == "Renamed"
    assert hook.get_card(card["id"])["name"] == "Renamed"
    assert hook.delete_card(card["id"])["deleted"] is True
    with pytest.raises(AdsApiNotFoundError):
        hook.get_card(card["id"])
    with pytest.raises(ValueError, match="count"):
        hook.list_cards(count=201)


def test_post_and_promoted_post_methods(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    users = list(hook.list_promotable_users())
    full = next(user["user_id"] for user in users if user["promotable_user_type"] == "FULL")
    seeded = ads_api_emulator.seed_entities("tweets", 3)
    assert [t["id_str"] for t in hook.list_tweets(count=2)] == [t["id_str"] for t in seeded]
    tweet = hook.create_tweet(full, "Hook post", name="hook-post-1")
    assert tweet["nullcast"] is True
    assert [t["id_str"] for t in hook.list_tweets(name="HOOK-post")] == [tweet["id_str"]]
    assert hook.get_tweet(tweet["id_str"])["name"] == "hook-post-1"
    with pytest.raises(AdsApiNotFoundError):
        hook.get_tweet("1029825579531800000")
    promoted = hook.create_promoted_tweets("8v7jo", [tweet["id_str"], seeded[0]["id_str"]])
    assert [p["tweet_id"] for p in promoted] == [tweet["id_str"], seeded[0]["id_str"]]
    assert [p["id"] for p in hook.list_promoted_tweets(line_item_ids=["8v7jo"], count=1)] == [
        p["id"] for p in promoted
    ]
    assert hook.get_promoted_tweet(promoted[0]["id"])["tweet_id"] == tweet["id_str"]
    assert hook.delete_promoted_tweet(promoted[0]["id"])["deleted"] is True
    with pytest.raises(ValueError, match="at most 50"):
        hook.create_promoted_tweets("8v7jo", [str(n) for n in range(51)])
    with pytest.raises(ValueError, match="not both"):
        hook.create_tweet(full, "x", card_uri="card://1", media_keys=["3_1029825579531807971"])
    with pytest.raises(ValueError, match="weighs"):
        hook.create_tweet(full, "x" * 281)


def test_create_card_is_not_retried_after_a_lost_response(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    key = ads_api_emulator.seed_entities("cards", 1)[0]["components"][0]["media_key"]
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": "/cards$"}]}
    )
    components = [
        {"type": "MEDIA", "media_key": key},
        {"type": "DETAILS", "title": "T", "destination": {"type": "WEBSITE", "url": "https://example.com"}},
    ]
    with pytest.raises(AdsApiResponseLostError):
        hook.create_card("lost", components)
    assert len(ads_api_emulator.api_requests("POST", "/cards")) == 1


def test_a_cursor_cycle_stops_the_listing() -> None:
    # Pages whose next_cursor cycles A -> B -> A: only a cursor repeated twice in a row was caught.
    pages = {None: "A", "A": "B", "B": "A"}
    fetched: list[str | None] = []

    def fetch(params: dict[str, str]) -> dict[str, Any]:
        cursor = params.get("cursor")
        fetched.append(cursor)
        return {"data": [{"id": f"after-{cursor}"}], "next_cursor": pages[cursor]}

    pager = EntityPager(fetch, {"count": "1"})
    with pytest.raises(AdsApiError, match="returned next_cursor 'A' again after 3 pages: the cursors cycle"):
        list(pager)
    assert fetched == [None, "A", "B"]


def test_a_listing_that_starts_at_a_cursor_stops_when_it_comes_back() -> None:
    pager = EntityPager(lambda params: {"data": [], "next_cursor": "A"}, {"cursor": "A"})
    with pytest.raises(AdsApiError, match="next_cursor 'A' again after 1 pages"):
        list(pager)


TWO_QUICK_ATTEMPTS = RetrySettings(max_attempts=2, backoff_base=0.01, backoff_cap=0.05)

#: One byte every this many seconds: far inside the per-read timeout, far past the deadline.
TRICKLE = 0.05
ENTITY_BODY = b'{"data": {"id": "8v7jo", "name": "a line item", "entity_status": "ACTIVE"}, "request": {}}'


def test_a_trickling_read_fails_at_its_deadline_as_a_retryable_lost_response(make_hook: MakeHook) -> None:
    # 180-odd bytes at one per 0.05 s takes 9 s; timeout 0.5 s gives a deadline of 2 x 0.5 = 1 s.
    with rogue_server(ENTITY_BODY, byte_every=TRICKLE) as url:
        hook = make_hook(ads_api_url=url, timeout=0.5, retry_settings=TWO_QUICK_ATTEMPTS)
        with pytest.raises(AdsApiResponseLostError, match="whole-request deadline of 1 s") as caught:
            hook.get_line_item("8v7jo")
    assert caught.value.attempts == 2  # a read is retried


def test_a_trickling_write_is_a_lost_response_and_not_resent(make_hook: MakeHook) -> None:
    with rogue_server(ENTITY_BODY, byte_every=TRICKLE) as url:
        hook = make_hook(ads_api_url=url, timeout=0.5, retry_settings=TWO_QUICK_ATTEMPTS)
        with pytest.raises(AdsApiResponseLostError, match="whole-request deadline") as caught:
            hook.create_media_creative("1a2b3", "8v7jo", landing_url="https://example.com")
    assert caught.value.attempts == 1  # create_once looks it up; the hook never resends a create


def test_the_deadline_formula() -> None:
    assert http_core.request_deadline(10) == 20
    assert http_core.request_deadline(10, 5 * 64 * 1024) == 25


class _InMemoryMedia:
    """Media bytes in memory, yielded in two blocks."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[bytes]:
        half = len(self._data) // 2
        yield self._data[:half]
        yield self._data[half:]


def test_the_deadline_counts_a_streaming_body_by_its_length() -> None:
    body = MultipartBody({"segment_index": "0"}, _InMemoryMedia(b"x" * 300_000))
    assert len(body) > 300_000
    assert _body_bytes({"data": body}) == len(body)
    assert _body_bytes({"data": b"abc"}) == 3
    assert _body_bytes({"data": {"command": "INIT"}}) == 0
    assert _body_bytes({"files": {"media": ("m.bin", b"12345")}}) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"data": {"name": "no id"}}', "no usable id"),
        (b'{"data": {"id": null}}', "no usable id"),
        (b'{"data": {"id": "None"}}', "no usable id"),
        (b'{"data": [1, 2]}', "no data entity"),
        (b'{"id": "8v7jo"}', "no data entity"),
    ],
)
def test_a_malformed_2xx_entity_is_a_clear_error(make_hook: MakeHook, body: bytes, field: str) -> None:
    with rogue_server(body) as url:
        hook = make_hook(ads_api_url=url, retry_settings=TWO_QUICK_ATTEMPTS)
        with pytest.raises(
            AdsApiMalformedResponseError, match=f"GET accounts/18ce54d4x5t/line_items/8v7jo .*{field}"
        ):
            hook.get_line_item("8v7jo")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # v1.1's shape from the v2 route: no data envelope.
        (
            b'{"media_id": 1029825579531807971, "media_id_string": "1029825579531807971"}',
            "has no data object",
        ),
        (b'{"data": {"media_key": "3_1029825579531807971"}}', "has no id"),
        (b'{"data": {"id": "None", "media_key": "3_None"}}', "has a malformed id \\('None'\\)"),
        (b'{"data": {"id": "1029825579531807971", "media_key": "3_None"}}', "has a malformed media_key"),
    ],
)
def test_a_malformed_2xx_upload_answer_is_a_clear_error(
    make_hook: MakeHook, body: bytes, message: str
) -> None:
    with rogue_server(body) as url:
        hook = make_hook(upload_api_url=url, retry_settings=TWO_QUICK_ATTEMPTS)
        image = samples.png(300, 250)
        reader = BytesRangeReader(image)
        with pytest.raises(AdsApiError, match=f"simple upload \\(v2\\) answer {message}") as caught:
            hook.upload_media(reader, len(image), "image/png", "tweet_image")
    assert "None" not in str(getattr(caught.value, "media_id", "") or "")
