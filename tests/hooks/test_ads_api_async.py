"""AsyncAdsApiHook against the emulator over real HTTP: status, retries, rate limits, sessions, secrets."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Callable

import pytest
from support.rogue_server import rogue_server
from support.uploads import TINY_PNG, status_requests

from airflow_provider_twitter_ads.compat import BaseHook
from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import (
    AdsApiConnectionError,
    AdsApiNotFoundError,
    AdsApiResponseLostError,
    AdsApiServerError,
    RateLimitWaitTooLongError,
)
from airflow_provider_twitter_ads.hooks import ads_api_async
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.ads_api_async import AsyncAdsApiHook
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings

QUICK_RETRIES = RetrySettings(max_attempts=3, backoff_base=0.01, backoff_cap=0.05, max_rate_limit_wait=5)
UNKNOWN_MEDIA_ID = "1029825579531000000"


@pytest.fixture(autouse=True)
def _quick_processing(ads_api_emulator: AdsApiEmulator) -> None:
    ads_api_emulator.update_config(processing_seconds=1.0, check_after_secs=1)


def use_connection(monkeypatch: pytest.MonkeyPatch, conn_id: str, connection: dict) -> str:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(connection))
    return conn_id


@pytest.mark.parametrize("upload_api", ["v2", "v1.1"])
async def test_status_matches_the_sync_hook(
    twitter_ads_connection: str, upload_video: Callable[..., dict], upload_api: str
) -> None:
    media = upload_video()
    async with AsyncAdsApiHook(twitter_ads_connection) as hook:
        status = await hook.get_upload_status(media["id"], upload_api=upload_api)
    assert status["media_id"] == media["id"]
    assert status["media_key"] == media["media_key"]
    assert status["processing_info"]["state"] in ("pending", "in_progress")
    await asyncio.sleep(1.1)
    async with AsyncAdsApiHook(twitter_ads_connection) as hook:
        done = await hook.get_upload_status(media["id"], upload_api=upload_api)
    sync_done = AdsApiHook(twitter_ads_connection).get_upload_status(media["id"], upload_api=upload_api)
    assert done == sync_done
    assert done["processing_info"] == {"state": "succeeded", "progress_percent": 100}


async def test_image_has_no_processing_info(
    twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    async with AsyncAdsApiHook(twitter_ads_connection) as hook:
        status = await hook.get_upload_status(media["id"])
    assert status == {"media_id": media["id"], "media_key": media["media_key"], "processing_info": None}


async def test_connection_upload_api_setting_is_used(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, upload_video: Callable[..., dict]
) -> None:
    conn_id = use_connection(monkeypatch, "ads_v11", ads_api_emulator.airflow_connection(upload_api="v1.1"))
    media = upload_video()
    async with AsyncAdsApiHook(conn_id) as hook:
        await hook.get_upload_status(media["id"])
    assert [entry["path"] for entry in status_requests(ads_api_emulator, media["id"])] == [
        "/1.1/media/upload.json"
    ]


async def test_unknown_media_is_not_found_without_retries(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    async with AsyncAdsApiHook(twitter_ads_connection, retry_settings=QUICK_RETRIES) as hook:
        with pytest.raises(AdsApiNotFoundError) as info:
            await hook.get_upload_status(UNKNOWN_MEDIA_ID)
    assert info.value.status_code == 404
    assert info.value.path == "2/media/upload"
    assert len(status_requests(ads_api_emulator, UNKNOWN_MEDIA_ID)) == 1


async def test_bad_media_id_is_rejected_before_any_request(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    async with AsyncAdsApiHook(twitter_ads_connection) as hook:
        with pytest.raises(ValueError, match="media_id must be a 19-digit"):
            await hook.get_upload_status("123")
        with pytest.raises(ValueError, match=r"upload_api must be one of v2, v1\.1, got 'v3'"):
            await hook.get_upload_status("1029825579531807971", upload_api="v3")
    assert ads_api_emulator.api_requests() == []


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "options": {"status": 503}},
        {"kind": "html_error"},
        {"kind": "drop_before"},
        {"kind": "drop_after"},
        {"kind": "rate_limit", "options": {"reset_in": 0.2}},
    ],
    ids=lambda fault: fault["kind"],
)
async def test_transient_failures_are_retried(
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    upload_video: Callable[..., dict],
    fault: dict,
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    ads_api_emulator.faults.configure(
        {"scripted": [{**fault, "path": "media/upload", "method": "GET", "times": 2}]}
    )
    async with AsyncAdsApiHook(twitter_ads_connection, retry_settings=QUICK_RETRIES) as hook:
        status = await hook.get_upload_status(media["id"])
    assert status["media_id"] == media["id"]
    assert ads_api_emulator.faults.injected[fault["kind"]] == 2
    assert len(status_requests(ads_api_emulator, media["id"])) == 3


async def test_read_timeout_is_retried(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, upload_video: Callable[..., dict]
) -> None:
    conn_id = use_connection(monkeypatch, "ads_quick", ads_api_emulator.airflow_connection(timeout=0.3))
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "slow", "options": {"seconds": 1, "when": "before"}, "path": "media/upload"}]}
    )
    async with AsyncAdsApiHook(conn_id, retry_settings=QUICK_RETRIES) as hook:
        status = await hook.get_upload_status(media["id"])
    assert status["media_id"] == media["id"]
    assert ads_api_emulator.faults.injected["slow"] == 1


async def test_gives_up_after_max_attempts_with_the_api_error(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "error", "options": {"status": 502}, "path": "media/upload", "times": 10}]}
    )
    async with AsyncAdsApiHook(twitter_ads_connection, retry_settings=QUICK_RETRIES) as hook:
        with pytest.raises(AdsApiServerError) as info:
            await hook.get_upload_status(media["id"])
    assert info.value.status_code == 502
    assert info.value.codes == ["BAD_GATEWAY"]
    assert info.value.attempts == 3
    assert len(status_requests(ads_api_emulator, media["id"])) == 3


async def test_rate_limit_reset_too_far_fails_at_once(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "rate_limit", "options": {"reset_in": 600}, "path": "media/upload"}]}
    )
    async with AsyncAdsApiHook(twitter_ads_connection, retry_settings=QUICK_RETRIES) as hook:
        with pytest.raises(RateLimitWaitTooLongError, match="max_rate_limit_wait"):
            await hook.get_upload_status(media["id"])
    assert len(status_requests(ads_api_emulator, media["id"])) == 1


async def test_rate_limit_waits_of_one_status_call_are_bounded_in_total(
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    upload_video: Callable[..., dict],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=ads_api_async.__name__)
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "rate_limit", "options": {"with_reset": False}, "path": "media/upload", "times": 5}
            ]
        }
    )
    # Each 429 without reset headers asks for a 1 s wait: the first fits in 1.5 s, the second not.
    settings = RetrySettings(max_attempts=5, max_rate_limit_wait=5, max_total_rate_limit_wait=1.5)
    async with AsyncAdsApiHook(twitter_ads_connection, retry_settings=settings) as hook:
        with pytest.raises(RateLimitWaitTooLongError) as info:
            await hook.get_upload_status(media["id"])
    message = str(info.value)
    assert message.startswith("GET 2/media/upload failed with 429")
    assert (
        "would reach 2.0 s (1.0 s waited, 1.0 s more asked), over max_total_rate_limit_wait=1.5 s" in message
    )
    assert info.value.attempts == 2
    assert [r["status"] for r in status_requests(ads_api_emulator, media["id"])] == [429, 429]
    used_up = [r for r in caplog.records if "rate-limit waits used up" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in used_up] == [
        (
            logging.WARNING,
            "GET 2/media/upload: rate-limit waits used up (1.0 s waited, 1.0 s more asked, "
            "max_total_rate_limit_wait=1.5 s); not retrying",
        )
    ]


async def test_a_spent_window_is_waited_out_instead_of_hitting_429(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    ads_api_emulator.update_config(rate_limit=1, rate_limit_window=1.0)
    async with AsyncAdsApiHook(twitter_ads_connection, retry_settings=QUICK_RETRIES) as hook:
        await hook.get_upload_status(media["id"])
        await hook.get_upload_status(media["id"])
    first, second = status_requests(ads_api_emulator, media["id"])
    assert (first["status"], second["status"]) == (200, 200)
    # The first answer said "0 remaining": the hook held the second request until the window reset.
    assert second["time"] > first["time"] + 0.5


async def test_connection_refused_is_retried_then_raised(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    conn_id = use_connection(
        monkeypatch,
        "ads_down",
        ads_api_emulator.airflow_connection(upload_api_url=f"http://127.0.0.1:{closed_port}"),
    )
    async with AsyncAdsApiHook(conn_id, retry_settings=QUICK_RETRIES) as hook:
        with pytest.raises(
            AdsApiConnectionError, match="GET 2/media/upload failed: could not connect"
        ) as info:
            await hook.get_upload_status("1029825579531807971")
    assert info.value.attempts == 3


async def test_secrets_stay_out_of_logs_and_reprs(
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    upload_video: Callable[..., dict],
    caplog: pytest.LogCaptureFixture,
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "error", "options": {"status": 503}, "path": "media"}]}
    )
    caplog.set_level(logging.DEBUG, logger=ads_api_async.__name__)
    async with AsyncAdsApiHook(twitter_ads_connection, retry_settings=QUICK_RETRIES) as hook:
        await hook.get_upload_status(media["id"])
        config = await hook.get_config()
        text = caplog.text + repr(hook) + repr(config)
    assert "retrying" in caplog.text
    for secret in (ads_api_emulator.config.consumer_secret, ads_api_emulator.config.access_token_secret):
        assert secret not in text


async def test_hooks_in_one_loop_share_one_capped_pool(
    twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    hooks = [AsyncAdsApiHook(twitter_ads_connection, connection_limit=3) for _ in range(10)]
    results = await asyncio.gather(*(hook.get_upload_status(media["id"]) for hook in hooks))
    assert {result["media_id"] for result in results} == {media["id"]}
    connectors = {id(hook.get_conn().connector) for hook in hooks}
    assert len(connectors) == 1
    connector = hooks[0].get_conn().connector
    assert connector.limit == 3
    for hook in hooks[:-1]:
        await hook.close()
    assert not connector.closed
    await hooks[-1].close()
    # The last hook out closes the pool; nothing is left open in this loop.
    assert connector.closed
    assert ads_api_async._POOLS.get(asyncio.get_running_loop(), {}) == {}


async def test_close_is_idempotent_and_a_closed_hook_can_be_reused(
    twitter_ads_connection: str, upload_video: Callable[..., dict]
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    hook = AsyncAdsApiHook(twitter_ads_connection)
    await hook.get_upload_status(media["id"])
    session = hook.get_conn()
    await hook.close()
    await hook.close()
    assert session.closed
    assert (await hook.get_upload_status(media["id"]))["media_id"] == media["id"]
    await hook.close()


async def test_connection_is_read_with_sync_fallback(
    twitter_ads_connection: str, upload_video: Callable[..., dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    media = upload_video(TINY_PNG, media_category="tweet_image", media_type="image/png")
    # Airflow 2 has no BaseHook.aget_connection; the hook then reads the connection in a thread.
    monkeypatch.delattr(BaseHook, "aget_connection", raising=False)
    assert not hasattr(BaseHook, "aget_connection")
    async with AsyncAdsApiHook(twitter_ads_connection) as hook:
        assert (await hook.get_upload_status(media["id"]))["media_id"] == media["id"]


async def test_invalid_connection_is_a_clear_error(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = ads_api_emulator.airflow_connection()
    connection["extra"].pop("access_token_secret")
    conn_id = use_connection(monkeypatch, "ads_incomplete", connection)
    async with AsyncAdsApiHook(conn_id) as hook:
        with pytest.raises(ValueError, match="access_token_secret is missing"):
            await hook.get_upload_status("1029825579531807971")
    assert ads_api_emulator.api_requests() == []


@pytest.mark.parametrize("limit", [0, -1, 2.5, True])
def test_connection_limit_must_be_a_positive_int(limit: object) -> None:
    with pytest.raises(ValueError, match="connection_limit must be a positive integer"):
        AsyncAdsApiHook(connection_limit=limit)  # type: ignore[arg-type]


def test_no_connection_is_read_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", raising=False)
    hook = AsyncAdsApiHook("does_not_exist")
    assert repr(hook) == "AsyncAdsApiHook(twitter_ads_conn_id='does_not_exist')"


async def test_a_trickling_status_fails_at_its_deadline_as_a_retryable_lost_response(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b'{"data": {"id": "1029825579531807971", "processing_info": {"state": "in_progress"}}}'
    # One byte per 0.05 s: each read is far inside the 0.5 s timeout, the whole answer takes 10 s.
    with rogue_server(body, byte_every=0.05) as url:
        connection = ads_api_emulator.airflow_connection(upload_api_url=url, timeout=0.5)
        monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_TRICKLE", json.dumps(connection))
        async with AsyncAdsApiHook("twitter_ads_trickle", retry_settings=QUICK_RETRIES) as hook:
            with pytest.raises(AdsApiResponseLostError, match="whole-request deadline of 1 s") as caught:
                await hook.get_upload_status("1029825579531807971")
    assert caught.value.attempts == 3
