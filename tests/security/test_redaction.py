"""The consumer secret, the access token secret and OAuth signatures never leave the signing code.

The pipelines run at DEBUG (our loggers, Airflow's, urllib3's and the OAuth libraries') against an
emulator whose secrets are distinctive canaries, with faults that make the client warn and retry,
and with wrong secrets that make the API refuse. Then every place a secret could surface is
searched: log records and console output, rendered template fields, XCom values, reprs of hooks,
configs, triggers and operators, trigger events, and exception texts with their tracebacks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import traceback
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from chaos.harness import AssetOutcome, PipelineSettings, make_assets, run_pipeline

from airflow_provider_twitter_ads.compat import BaseOperator
from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig
from airflow_provider_twitter_ads.exceptions import AdsApiError, AdsApiUnauthorizedError
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.ads_api_async import AsyncAdsApiHook
from airflow_provider_twitter_ads.hooks.connection import AdsApiConnectionConfig
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger

CONSUMER_SECRET = "CONSUMER-SECRET-canary-9f2c"
TOKEN_SECRET = "TOKEN-SECRET-canary-7e1d"
WRONG_SECRET = "WRONG-SECRET-canary-3b8a"
DEBUG_LOGGERS = (
    "",
    "airflow",
    "airflow.task",
    "airflow_provider_twitter_ads",
    "urllib3",
    "requests",
    "requests_oauthlib",
    "oauthlib",
    "aiohttp",
)


def forbidden(*secrets: str) -> list[str]:
    """The secrets as they could appear: raw, percent-encoded, and joined as the HMAC signing key."""
    found = []
    for secret in secrets:
        found += [secret, quote(secret, safe=""), secret.lower()]
    found.append(f"{quote(secrets[0], safe='')}&{quote(secrets[1], safe='')}")
    return found


SECRETS = forbidden(CONSUMER_SECRET, TOKEN_SECRET)


def leaks(text: str, secrets: list[str] = SECRETS) -> list[str]:
    """What in ``text`` gives a secret away: a secret itself or any OAuth signature."""
    found = [secret for secret in secrets if secret in text]
    if "oauth_signature" in text:
        found.append("oauth_signature")
    return found


@pytest.fixture(scope="module")
def canary_emulator() -> Iterator[AdsApiEmulator]:
    config = EmulatorConfig(
        consumer_secret=CONSUMER_SECRET,
        access_token_secret=TOKEN_SECRET,
        processing_seconds=0.3,
        check_after_secs=1,
    )
    with AdsApiEmulator(config) as emulator:
        yield emulator


@pytest.fixture
def canary(canary_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> AdsApiEmulator:
    """``twitter_ads_default`` and ``twitter_ads_wrong`` (a wrong consumer secret) on the canary emulator."""
    canary_emulator.reset()
    connection = canary_emulator.airflow_connection(timeout=5)
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_WRONG", json.dumps({**connection, "password": WRONG_SECRET}))
    return canary_emulator


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger that could see a request at DEBUG, captured even if it does not propagate."""
    attached = []
    for name in DEBUG_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
        logger = logging.getLogger(name or None)
        if name and not logger.propagate:
            logger.addHandler(caplog.handler)
            attached.append(logger)
    yield caplog
    for logger in attached:
        logger.removeHandler(caplog.handler)


def log_text(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> str:
    """Captured records (formatted, with tracebacks, and their raw args) and console output."""
    out, err = capfd.readouterr()
    records = [f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records]
    return "\n".join([caplog.text, *records, out, err])


def error_text(error: BaseException) -> str:
    """Everything an error shows: str, repr, traceback with its chain, and its attributes."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, AdsApiError):
        parts += [repr(vars(error)), repr(error.serialize())]
    return "\n".join(parts)


def rendered_fields(operator: BaseOperator) -> str:
    operator.render_template_fields({"run_id": "security", "ds": "2026-03-05"})
    return repr({name: getattr(operator, name) for name in operator.template_fields})


def upload_asset(s3_client: Any, bucket: str, seed: int) -> list[Any]:
    assets = make_assets(seed, random.Random(seed), video_bytes=120_000)
    for asset in assets:
        s3_client.put_object(Bucket=bucket, Key=asset.s3_key, Body=asset.data)
    return assets


def test_pipelines_at_debug_with_faults_leak_no_secret(
    canary: AdsApiEmulator,
    debug_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    s3_client: Any,
    s3_bucket: str,
) -> None:
    # Lost responses, server errors and rate limits make the client log warnings and retry.
    canary.faults.configure(
        {
            "scripted": [
                {"kind": "drop_after", "method": "POST", "path": "/media_library$"},
                {"kind": "error", "method": "GET", "path": "/account_media$", "options": {"status": 503}},
                {"kind": "html_error", "method": "GET", "path": "/line_items/"},
                {"kind": "rate_limit", "method": "POST", "path": "/append$", "options": {"reset_in": 0.1}},
                {"kind": "drop_after", "method": "POST", "path": "/media_creatives$"},
            ]
        }
    )
    outcomes: list[AssetOutcome] = [
        run_pipeline(asset, PipelineSettings(bucket=s3_bucket, retries=1))
        for asset in upload_asset(s3_client, s3_bucket, 1)
    ]
    assert all(outcome.done for outcome in outcomes), [o.failed_task for o in outcomes]
    assert sum(canary.faults.injected.values()) == 5

    xcoms = json.dumps([[task.result for task in outcome.tasks] for outcome in outcomes])
    errors = [error for outcome in outcomes for task in outcome.tasks for error in task.errors]
    texts = {
        "logs": log_text(debug_logs, capfd),
        "xcom": xcoms,
        "errors of failed tries": "\n".join(error_text(e) for e in errors),
    }
    assert any(r.levelno == logging.WARNING for r in debug_logs.records), "the faults were not logged"
    assert any(r.levelno == logging.DEBUG and r.name.startswith("urllib3") for r in debug_logs.records)
    for where, text in texts.items():
        assert leaks(text) == [], f"secret in {where}"


def test_failed_processing_error_leaks_no_secret(
    canary: AdsApiEmulator,
    debug_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    s3_client: Any,
    s3_bucket: str,
) -> None:
    canary.faults.configure({"scripted": [{"kind": "fail_processing", "path": "/finalize$"}]})
    preroll = upload_asset(s3_client, s3_bucket, 2)[0]
    outcome = run_pipeline(preroll, PipelineSettings(bucket=s3_bucket, retries=0))
    failed = outcome.failed_task
    assert failed is not None and failed.task_id == "wait_for_processing"
    assert "processing failed: the upload API gave no reason" in str(failed.error)
    assert leaks(error_text(failed.error)) == []
    assert leaks(log_text(debug_logs, capfd)) == []


def test_wrong_secret_errors_leak_no_secret(
    canary: AdsApiEmulator,
    debug_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    s3_client: Any,
    s3_bucket: str,
) -> None:
    preroll, display = upload_asset(s3_client, s3_bucket, 3)
    account_media = canary.seed_entities("account_media", 1)[0]
    wrong = {"twitter_ads_conn_id": "twitter_ads_wrong"}
    calls = [
        lambda: UploadMediaOperator(
            task_id="upload",
            s3_bucket=s3_bucket,
            s3_key=display.s3_key,
            media_category="tweet_image",
            **wrong,
        ).execute({}),
        lambda: VideoProcessingSensor(
            task_id="wait",
            media_id="1" * 19,
            mode="poke",
            deferrable=False,
            poke_interval=0.1,
            min_poke_interval=0.05,
            timeout=2,
            **wrong,
        ).execute({}),
        lambda: CreateAccountMediaOperator(
            task_id="account_media", media_key=f"13_{'1' * 19}", timeout=1, **wrong
        ).execute({}),
        lambda: AttachMediaCreativeOperator(
            task_id="creative",
            account_media_id=account_media,
            line_item_id="8v7jo",
            landing_url="https://e.com",
            **wrong,
        ).execute({}),
        lambda: list(AdsApiHook("twitter_ads_wrong").list_media_creatives()),
        lambda: asyncio.run(_async_status("twitter_ads_wrong", "1" * 19)),
    ]
    secrets = forbidden(CONSUMER_SECRET, TOKEN_SECRET) + forbidden(WRONG_SECRET, TOKEN_SECRET)
    for call in calls:
        with pytest.raises(AdsApiUnauthorizedError) as caught:
            call()
        # Ads API 401s are UNAUTHORIZED_ACCESS; v2 upload 401s about:blank problems (UNAUTHORIZED).
        assert re.search(r"401 UNAUTHORIZED(_ACCESS)?: ", str(caught.value))
        assert leaks(error_text(caught.value), secrets) == []
    assert leaks(log_text(debug_logs, capfd), secrets) == []
    assert preroll.pipeline == "preroll"


async def _async_status(conn_id: str, media_id: str) -> dict[str, Any]:
    async with AsyncAdsApiHook(conn_id) as hook:
        return await hook.get_upload_status(media_id)


def test_reprs_templates_triggers_and_events_hold_no_secret(
    canary: AdsApiEmulator,
    debug_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    s3_client: Any,
    s3_bucket: str,
) -> None:
    from airflow.sdk.exceptions import TaskDeferred

    preroll = upload_asset(s3_client, s3_bucket, 4)[0]
    outcome = run_pipeline(preroll, PipelineSettings(bucket=s3_bucket, retries=0))
    assert outcome.done
    upload = outcome.upload

    hook = AdsApiHook()
    hook.get_line_item("8v7jp")
    session = hook.get_conn()
    async_hook = AsyncAdsApiHook()
    asyncio.run(async_hook.get_config())
    config = AdsApiConnectionConfig.from_connection(hook.get_connection("twitter_ads_default"))

    sensor = VideoProcessingSensor(
        task_id="wait", media_id=upload, deferrable=True, poke_interval=0.2, min_poke_interval=0.1
    )
    # A video still processing makes the deferrable sensor defer.
    canary.update_config(processing_seconds=5)
    sensor_for_pending = VideoProcessingSensor(
        task_id="wait",
        media_id=_pending_upload(canary, s3_client, s3_bucket),
        deferrable=True,
        poke_interval=0.2,
        min_poke_interval=0.1,
    )
    with pytest.raises(TaskDeferred) as deferred:
        sensor_for_pending.execute({})
    trigger = deferred.value.trigger
    assert isinstance(trigger, VideoProcessingTrigger)
    canary.update_config(processing_seconds=0.1)
    event = asyncio.run(_first_event(trigger))

    operators = [
        UploadMediaOperator(task_id="upload", s3_uri=upload["s3_uri"], media_category="amplify_video"),
        sensor,
        CreateAccountMediaOperator(task_id="account_media", media_key=upload),
        AttachMediaCreativeOperator(
            task_id="creative", account_media_id=outcome.account_media, line_item_id="8v7jp"
        ),
    ]
    texts = {
        "hook reprs": repr(hook) + repr(vars(hook)) + repr(session.auth) + repr(vars(session.auth)),
        "oauth client repr": repr(getattr(session.auth, "client", "")),
        "async hook reprs": repr(async_hook) + repr(vars(async_hook)),
        "config": repr(config) + str(config),
        "trigger": repr(trigger)
        + repr(trigger.serialize())
        + str(deferred.value)
        + repr(vars(deferred.value)),
        "trigger event": repr(event) + repr(getattr(event, "payload", event)),
        "operator reprs": repr(operators) + repr([vars(op).get("hook") for op in operators]),
        "rendered template fields": "".join(rendered_fields(op) for op in operators),
        "xcom": json.dumps([task.result for task in outcome.tasks]),
        "logs": log_text(debug_logs, capfd),
    }
    for where, text in texts.items():
        assert leaks(text) == [], f"secret in {where}"


def _pending_upload(canary: AdsApiEmulator, s3_client: Any, bucket: str) -> dict[str, Any]:
    """A video uploaded just now, still processing."""
    asset = make_assets(99, random.Random(99), video_bytes=80_000)[0]
    s3_client.put_object(Bucket=bucket, Key=asset.s3_key, Body=asset.data)
    return UploadMediaOperator(
        task_id="upload", s3_bucket=bucket, s3_key=asset.s3_key, media_category="amplify_video"
    ).execute({})


async def _first_event(trigger: VideoProcessingTrigger) -> Any:
    async for event in trigger.run():
        return event
    raise AssertionError("the trigger fired no event")


def test_the_hook_registers_both_secrets_with_the_masker(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.log import redact

    # Fresh values: the masker already knows the canaries other tests registered.
    consumer_secret = f"masker-consumer-{uuid.uuid4().hex}"
    token_secret = f"masker-token-{uuid.uuid4().hex}"
    connection = {
        "conn_type": "twitter_ads",
        "login": "key",
        "password": consumer_secret,
        "extra": {
            "access_token": "1-token",
            "access_token_secret": token_secret,
            "account_id": "18ce54d4x5t",
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_MASKED", json.dumps(connection))
    assert redact(f"a {consumer_secret} b") == f"a {consumer_secret} b"
    AdsApiHook("twitter_ads_masked").config  # noqa: B018 - reading the config registers the secrets
    assert redact(f"a {consumer_secret} b {token_secret}") == "a *** b ***"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ads_api_url", f"https://user:{CONSUMER_SECRET}@ads.example.com"),
        ("ads_api_url", f"ftp://user:{CONSUMER_SECRET}@ads.example.com"),
        ("upload_api_url", f"https://upload.example.com/?oauth_signature={TOKEN_SECRET}"),
        ("upload_api_url", f"https://upload.example.com/#{TOKEN_SECRET}"),
    ],
)
def test_connection_errors_do_not_echo_credentials_in_urls(
    canary: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, field: str, value: str
) -> None:
    connection = canary.airflow_connection()
    connection["extra"][field] = value
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_URLS", json.dumps(connection))
    with pytest.raises(ValueError, match=field) as caught:
        AdsApiHook("twitter_ads_urls").get_line_item("8v7jo")
    assert leaks(error_text(caught.value)) == []


def test_promoted_post_operators_leak_no_secret(
    canary: AdsApiEmulator, debug_logs: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    from support.promoted import WEBSITE_CLICKS, owned_media

    from airflow_provider_twitter_ads.operators.card import CreateCardOperator, DeleteCardOperator
    from airflow_provider_twitter_ads.operators.promoted_tweet import PromoteTweetOperator
    from airflow_provider_twitter_ads.operators.tweet import CreateTweetOperator

    # A lost response makes the card operator warn and look again; a 503 makes the hook retry.
    canary.faults.configure(
        {
            "scripted": [
                {"kind": "drop_after", "method": "POST", "path": "/cards$", "times": 1},
                {"kind": "error", "method": "GET", "path": "/promoted_tweets$", "times": 1},
            ]
        }
    )
    card_op = CreateCardOperator(
        task_id="card",
        media_keys=[owned_media(canary), owned_media(canary)],
        website_url="https://example.com/autumn",
        title="Autumn",
    )
    card = card_op.execute({})
    tweet_op = CreateTweetOperator(task_id="post", text="Autumn roast", card_uri=card)
    tweet = tweet_op.execute({})
    promote_op = PromoteTweetOperator(task_id="promote", line_item_id=WEBSITE_CLICKS, tweet_ids=tweet)
    promoted = promote_op.execute({})
    with pytest.raises(AdsApiUnauthorizedError) as caught:
        DeleteCardOperator(task_id="delete", card_id=card, twitter_ads_conn_id="twitter_ads_wrong").execute(
            {}
        )

    secrets = forbidden(CONSUMER_SECRET, TOKEN_SECRET) + forbidden(WRONG_SECRET, TOKEN_SECRET)
    assert canary.faults.injected.get("drop_after") == 1
    xcom = json.dumps([card, tweet, promoted])
    assert leaks(xcom, secrets) == []
    assert leaks(error_text(caught.value), secrets) == []
    for operator in (card_op, tweet_op, promote_op):
        assert leaks(rendered_fields(operator) + repr(operator), secrets) == []
    assert leaks(log_text(debug_logs, capfd), secrets) == []


# -- error bodies that echo the request's Authorization header ------------------------------------

# The value after an oauth_signature or oauth_token, in any quoting.
_ECHOED = re.compile(
    r"(oauth_(?:signature|token))(?:\\?[\"']|&quot;)?\s*[=:]\s*(?:\\?[\"']|&quot;)?([^\s\"'\\&,;<>]*)"
)


def echoed(text: str, token: str) -> list[str]:
    """What in ``text`` is an echoed OAuth credential: a signature or token value, or the access token."""
    found = [f"{name}={value}" for name, value in _ECHOED.findall(text) if value not in ("", "***")]
    return found + (["the access token"] if token in text else [])


def _echo_auth(path: str, body_format: str, status: int = 403, times: int = 1) -> dict[str, Any]:
    options = {"status": status, "format": body_format}
    return {"kind": "echo_auth", "path": path, "times": times, "options": options}


async def _trigger_event(media_id: str) -> Any:
    return await _first_event(VideoProcessingTrigger(media_id=media_id, max_poll_interval=1))


@pytest.mark.parametrize("body_format", ["json", "html"])
def test_error_bodies_echoing_the_authorization_header_leak_neither_signature_nor_token(
    canary: AdsApiEmulator,
    debug_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    s3_client: Any,
    s3_bucket: str,
    body_format: str,
) -> None:
    from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings

    token = canary.config.access_token
    preroll, display = upload_asset(s3_client, s3_bucket, 5)
    quick = RetrySettings(max_attempts=2, backoff_base=0.01, backoff_cap=0.02)
    # What reaches each place an echo could surface: the sync hook (a 503 retried and logged, then a
    # 403), the simple upload and the chunked upload's APPEND, the async hook and a trigger's event.
    cases = [
        (
            "sync hook",
            [_echo_auth("/line_items/", body_format, status=503, times=2)],
            lambda: AdsApiHook(retry_settings=quick).get_line_item("8v7jo"),
        ),
        (
            "simple upload",
            [_echo_auth("/2/media/upload$", body_format)],
            lambda: UploadMediaOperator(
                task_id="upload", s3_bucket=s3_bucket, s3_key=display.s3_key, media_category="tweet_image"
            ).execute({}),
        ),
        (
            "APPEND",
            [_echo_auth("/append$", body_format)],
            lambda: UploadMediaOperator(
                task_id="upload",
                s3_bucket=s3_bucket,
                s3_key=preroll.s3_key,
                media_category="amplify_video",
                segment_bytes=64 * 1024,
            ).execute({}),
        ),
        (
            "async hook",
            [_echo_auth("/2/media/upload$", body_format)],
            lambda: asyncio.run(_async_status("twitter_ads_default", "1" * 19)),
        ),
    ]
    texts: dict[str, str] = {}
    for where, faults, call in cases:
        canary.faults.configure({"scripted": faults})
        with pytest.raises(AdsApiError) as caught:
            call()
        texts[f"{where}: exception"] = error_text(caught.value)
        # The echo arrived and was read: the message quotes both values, redacted.
        assert 'oauth_token="***"' in str(caught.value), where
        assert 'oauth_signature="***"' in str(caught.value), where
    canary.faults.configure({"scripted": [_echo_auth("/2/media/upload$", body_format)]})
    event = asyncio.run(_trigger_event("1" * 19))
    assert event.payload["status"] == "error"
    texts["trigger event"] = json.dumps(event.payload)
    texts["logs"] = log_text(debug_logs, capfd)

    assert canary.faults.injected["echo_auth"] == 6
    for where, text in texts.items():
        assert echoed(text, token) == [], f"an echoed credential in {where}"
        assert leaks(text.replace("oauth_signature", "")) == [], f"a secret in {where}"
    # The retried 503 was logged with its (redacted) message.
    assert any(
        "retrying in" in r.getMessage() and "Authorization: OAuth" in r.getMessage()
        for r in debug_logs.records
    )
