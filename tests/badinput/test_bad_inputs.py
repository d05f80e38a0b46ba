"""Every operator and the connection, fed bad input: a clear error, no write, the emulator unchanged.

Each case prepares what it needs (S3 objects, finished uploads, account media), then calls the
operator or hook. The error must be of the expected type and name the bad parameter and value.
When the input alone shows it is wrong, nothing may be written to the API at all (no POST, PUT or
DELETE); otherwise no write may succeed. Either way the emulator's state is what it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from support.promoted import owned_media

from airflow_provider_twitter_ads.emulator import samples
from airflow_provider_twitter_ads.emulator.state import DEFAULT_ACCESS_TOKEN_SECRET, DEFAULT_CONSUMER_SECRET
from airflow_provider_twitter_ads.exceptions import (
    AdsApiBadRequestError,
    AdsApiConnectionError,
    AdsApiNotFoundError,
    AdsApiUnauthorizedError,
)
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.card import CreateCardOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.operators.promoted_tweet import PromoteTweetOperator
from airflow_provider_twitter_ads.operators.tweet import CreateTweetOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor
from airflow_provider_twitter_ads.vocabulary import MEDIA_CATEGORIES

from .conftest import BadInputContext, closed_port

UNKNOWN_MEDIA_ID = "1999999999999999999"
PNG_300X250 = samples.png(300, 250)
MP4 = samples.mp4(4000)
WRITES = ("POST", "PUT", "DELETE")

Action = Callable[[], Any]


@dataclass
class Case:
    """``prepare(ctx)`` sets up and returns the call that must fail."""

    id: str
    prepare: Callable[[BadInputContext], Action]
    error: type[BaseException] | tuple[type[BaseException], ...]
    # Each must appear in the error text: the bad parameter's name and/or the bad value.
    names: list[str]
    # True: the input alone shows it is wrong, so not even a failed write may be sent.
    input_only: bool = True
    tags: list[str] = field(default_factory=list)


def upload(ctx: BadInputContext, key: str | None = None, **kwargs: Any) -> Action:
    arguments: dict[str, Any] = {"media_category": "tweet_image"}
    if key is not None:
        arguments.update(s3_bucket=ctx.bucket, s3_key=key)
    arguments.update(kwargs)
    return lambda: UploadMediaOperator(task_id="upload", **arguments).execute({})


def card(**kwargs: Any) -> Action:
    arguments = {"website_url": "https://example.com/autumn", "title": "Autumn", "name": "bad card", **kwargs}
    return lambda: CreateCardOperator(task_id="card", **arguments).execute({})


def tweet(**kwargs: Any) -> Action:
    arguments = {"text": "Autumn roast", "name": "bad post", **kwargs}
    return lambda: CreateTweetOperator(task_id="post", **arguments).execute({})


def promote(**kwargs: Any) -> Action:
    arguments = {"line_item_id": "8v7jo", "tweet_ids": "1029825579531807001", **kwargs}
    return lambda: PromoteTweetOperator(task_id="promote", **arguments).execute({})


def account_media(**kwargs: Any) -> Action:
    arguments = {"timeout": 2, **kwargs}
    return lambda: CreateAccountMediaOperator(task_id="account_media", **arguments).execute({})


def attach(**kwargs: Any) -> Action:
    return lambda: AttachMediaCreativeOperator(task_id="media_creative", **kwargs).execute({})


def sensor(**kwargs: Any) -> Action:
    arguments = {
        "mode": "poke",
        "deferrable": False,
        "poke_interval": 0.2,
        "min_poke_interval": 0.1,
        "timeout": 5,
    }
    arguments.update(kwargs)
    return lambda: VideoProcessingSensor(task_id="wait", **arguments).execute({})


def hook_call(method: str, *args: Any, conn_id: str = "twitter_ads_default", **kwargs: Any) -> Action:
    def call() -> Any:
        result = getattr(AdsApiHook(conn_id), method)(*args, **kwargs)
        # list_* methods are lazy: the first page is what sends the request.
        return next(iter(result), None) if method.startswith("list_") else result

    return call


CASES = [
    # -- UploadMediaOperator ----------------------------------------------------------------------
    Case(
        "upload-unknown-category",
        lambda c: upload(c, c.put("a.png", PNG_300X250), media_category="tweet_pic"),
        ValueError,
        ["media_category", "tweet_pic"],
    ),
    Case(
        "upload-video-as-image",
        lambda c: upload(c, c.put("clip.mp4", MP4, "video/mp4"), media_category="tweet_image"),
        ValueError,
        ["video/mp4", "tweet_image"],
    ),
    Case(
        "upload-image-as-amplify-video",
        lambda c: upload(c, c.put("a.png", PNG_300X250, "image/png"), media_category="amplify_video"),
        ValueError,
        ["image/png", "amplify_video"],
    ),
    Case(
        "upload-media-type-not-taken",
        lambda c: upload(c, c.put("a.png", PNG_300X250), media_type="text/plain"),
        ValueError,
        ["text/plain", "tweet_image"],
    ),
    Case(
        "upload-media-type-not-mime",
        lambda c: upload(c, c.put("a.png", PNG_300X250), media_type="png"),
        ValueError,
        ["media_type", "png"],
    ),
    Case("upload-missing-key", lambda c: upload(c, "nope/missing.png"), ValueError, ["nope/missing.png"]),
    Case(
        "upload-missing-bucket",
        lambda c: upload(c, s3_bucket="no-such-bucket-chaos", s3_key="a.png"),
        ValueError,
        ["no-such-bucket-chaos"],
    ),
    Case(
        "upload-empty-object",
        lambda c: upload(c, c.put("empty.png", b"", "image/png")),
        ValueError,
        ["empty"],
    ),
    Case(
        "upload-oversize-image",
        lambda c: upload(c, c.put("big.png", PNG_300X250 + bytes(5 * 1024 * 1024 + 1 - len(PNG_300X250)))),
        ValueError,
        ["5242881", "tweet_image"],
    ),
    Case(
        "upload-both-uri-and-bucket",
        lambda c: upload(c, s3_uri=f"s3://{c.bucket}/a.png", s3_bucket=c.bucket, s3_key="a.png"),
        ValueError,
        ["s3_uri", "s3_bucket"],
    ),
    Case("upload-no-location", lambda c: upload(c), ValueError, ["s3_uri", "s3_bucket"]),
    Case(
        "upload-uri-not-s3",
        lambda c: upload(c, s3_uri="https://bucket.example.com/a.png"),
        ValueError,
        ["s3_uri", "https://bucket.example.com/a.png"],
    ),
    Case(
        "upload-text-named-jpg",
        lambda c: upload(c, c.put("photos/photo.jpg", b"not a photo, just notes\n")),
        ValueError,
        ["photos/photo.jpg", "image/jpeg", "text ('not a photo, just notes')"],
    ),
    Case(
        "upload-segment-over-5-mib",
        lambda c: upload(c, c.put("a.png", PNG_300X250), segment_bytes=6 * 1024 * 1024),
        ValueError,
        ["segment_bytes", str(6 * 1024 * 1024)],
    ),
    Case(
        "upload-parallel-zero",
        lambda c: upload(c, c.put("a.png", PNG_300X250), max_parallel_segments=0),
        ValueError,
        ["max_parallel_segments", "0"],
    ),
    Case(
        "upload-unknown-api",
        lambda c: upload(c, c.put("a.png", PNG_300X250), upload_api="v3"),
        ValueError,
        ["upload_api", "v3"],
    ),
    Case(
        "upload-bad-additional-owners",
        lambda c: upload(c, c.put("a.png", PNG_300X250), additional_owners="alice,bob"),
        ValueError,
        ["additional_owners", "alice"],
    ),
    # -- VideoProcessingSensor --------------------------------------------------------------------
    Case("sensor-malformed-media-id", lambda c: sensor(media_id="12345"), ValueError, ["media_id", "12345"]),
    Case(
        "sensor-dict-without-media-id",
        lambda c: sensor(media_id={"media_key": "13_1"}),
        ValueError,
        ["media_id"],
    ),
    Case(
        "sensor-unknown-media",
        lambda c: sensor(media_id=UNKNOWN_MEDIA_ID),
        AdsApiNotFoundError,
        [UNKNOWN_MEDIA_ID],
    ),
    Case(
        "sensor-min-interval-above-max",
        lambda c: sensor(media_id=UNKNOWN_MEDIA_ID, poke_interval=1, min_poke_interval=5),
        ValueError,
        ["min_poke_interval", "poke_interval"],
    ),
    # -- CreateAccountMediaOperator ---------------------------------------------------------------
    Case(
        "account-media-unknown-creative-type",
        lambda c: account_media(media_key=c.ready_media("tweet_image", 300, 250), creative_type="SKYSCRAPER"),
        ValueError,
        ["creative_type", "SKYSCRAPER"],
    ),
    Case(
        "account-media-video-where-image-needed",
        lambda c: account_media(
            media_key=c.ready_media("amplify_video")["media_key"], creative_type="BANNER"
        ),
        ValueError,
        ["BANNER", "amplify_video"],
    ),
    Case(
        "account-media-wrong-image-size",
        lambda c: account_media(media_key=c.ready_media("tweet_image", 100, 100), creative_type="BANNER"),
        ValueError,
        ["320x50", "100x100"],
    ),
    Case(
        "account-media-image-of-no-display-size",
        lambda c: account_media(media_key=c.ready_media("tweet_image", 640, 360)),
        ValueError,
        ["640x360"],
    ),
    Case(
        "account-media-malformed-key",
        lambda c: account_media(media_key="13-1029825579531807971"),
        ValueError,
        ["media_key", "13-1029825579531807971"],
    ),
    Case(
        "account-media-unknown-key-prefix",
        lambda c: account_media(media_key="99_1029825579531807971"),
        ValueError,
        ["media_key", "99"],
    ),
    Case(
        "account-media-gif",
        lambda c: account_media(media_key=c.ready_media("tweet_gif")["media_key"]),
        ValueError,
        ["media_key", "gif"],
    ),
    Case(
        "account-media-bare-id-without-type",
        lambda c: account_media(media_id=c.ready_media("tweet_image", 300, 250)["media_id"]),
        ValueError,
        ["media_id", "creative_type"],
    ),
    Case(
        "account-media-poster-not-image",
        lambda c: account_media(
            media_key=c.ready_media("amplify_video")["media_key"],
            poster_media_key=c.ready_media("amplify_video")["media_key"],
        ),
        ValueError,
        ["poster_media_key"],
    ),
    Case(
        "account-media-never-uploaded",
        lambda c: account_media(media_key=f"13_{UNKNOWN_MEDIA_ID}"),
        AdsApiBadRequestError,
        # Error codes and responses: a media key naming no usable media is INVALID_MEDIA.
        ["media_key", f"13_{UNKNOWN_MEDIA_ID}", "INVALID_MEDIA"],
        input_only=False,
    ),
    # -- AttachMediaCreativeOperator --------------------------------------------------------------
    Case(
        "attach-unknown-line-item",
        lambda c: attach(
            account_media_id=c.account_media(), line_item_id="zzzzz", landing_url="https://e.com"
        ),
        ValueError,
        ["line_item_id", "zzzzz"],
    ),
    Case(
        "attach-deleted-line-item",
        lambda c: attach(
            account_media_id=c.account_media(), line_item_id="8v7js", landing_url="https://e.com"
        ),
        ValueError,
        ["line_item_id", "8v7js", "deleted"],
    ),
    Case(
        "attach-website-clicks-without-landing-url",
        lambda c: attach(account_media_id=c.account_media(), line_item_id="8v7jo"),
        ValueError,
        ["landing_url", "WEBSITE_CLICKS"],
    ),
    Case(
        "attach-landing-url-not-http",
        lambda c: attach(
            account_media_id=c.account_media(), line_item_id="8v7jo", landing_url="ftp://e.com/x"
        ),
        ValueError,
        ["landing_url", "ftp://e.com/x"],
    ),
    Case(
        "attach-landing-url-relative",
        lambda c: attach(account_media_id=c.account_media(), line_item_id="8v7jo", landing_url="/landing"),
        ValueError,
        ["landing_url", "/landing"],
    ),
    Case(
        "attach-bad-call-to-action",
        lambda c: attach(
            account_media_id=c.account_media("PREROLL"),
            line_item_id="8v7jp",
            call_to_action="BUY_NOW",
            call_to_action_url="https://e.com",
        ),
        ValueError,
        ["call_to_action", "BUY_NOW"],
    ),
    Case(
        "attach-call-to-action-without-url",
        lambda c: attach(
            account_media_id=c.account_media("PREROLL"), line_item_id="8v7jp", call_to_action="SHOP"
        ),
        ValueError,
        ["call_to_action_url", "SHOP"],
    ),
    Case(
        "attach-call-to-action-on-display-media",
        lambda c: attach(
            account_media_id=c.account_media(),
            line_item_id="8v7jo",
            landing_url="https://e.com",
            call_to_action="SHOP",
            call_to_action_url="https://e.com/shop",
        ),
        ValueError,
        ["call_to_action", "MEDIUM_RECTANGLE"],
    ),
    Case(
        "attach-unknown-account-media",
        lambda c: attach(account_media_id="zzzzz", line_item_id="8v7jo", landing_url="https://e.com"),
        ValueError,
        ["account_media_id", "zzzzz"],
    ),
    Case(
        "attach-no-line-items",
        lambda c: attach(account_media_id=c.account_media(), line_item_id=[]),
        ValueError,
        ["line_item_id"],
    ),
    Case(
        "attach-one-bad-line-item-in-a-list",
        lambda c: attach(
            account_media_id=c.account_media(), line_item_id=["8v7jo", "8v7js"], landing_url="https://e.com"
        ),
        ValueError,
        ["line_item_id", "8v7js"],
    ),
    Case(
        "attach-list-with-a-website-clicks-line-item-and-no-landing-url",
        lambda c: attach(account_media_id=c.account_media(), line_item_id=["8v7jq", "8v7jo"]),
        ValueError,
        ["landing_url", "8v7jo", "WEBSITE_CLICKS"],
    ),
    Case(
        "attach-comma-in-line-item-id",
        lambda c: attach(
            account_media_id=c.account_media(), line_item_id="8v7jo,8v7jp", landing_url="https://e.com"
        ),
        ValueError,
        ["line_item_id", "8v7jo,8v7jp"],
    ),
    Case(
        "attach-account-id-path",
        lambda c: attach(
            account_media_id=c.account_media(),
            line_item_id="8v7jo",
            landing_url="https://e.com",
            account_id="18ce54d4x5t/../other",
        ),
        ValueError,
        ["account_id", "18ce54d4x5t/../other"],
    ),
    Case(
        "account-media-negative-timeout",
        lambda c: account_media(media_key=c.ready_media("amplify_video"), timeout=-1),
        ValueError,
        ["timeout", "-1"],
    ),
    # -- hook parameters --------------------------------------------------------------------------
    Case("list-count-zero", lambda c: hook_call("list_media_creatives", count=0), ValueError, ["count", "0"]),
    Case(
        "list-count-1001",
        lambda c: hook_call("list_account_media", count=1001),
        ValueError,
        ["count", "1001"],
    ),
    Case(
        "library-count-51", lambda c: hook_call("list_media_library", count=51), ValueError, ["count", "51"]
    ),
    Case(
        "list-201-ids",
        lambda c: hook_call("list_media_creatives", line_item_ids=[f"li{i}" for i in range(201)]),
        ValueError,
        ["line_item_ids", "200"],
    ),
    Case(
        "list-total-count-with-cursor",
        lambda c: hook_call("list_media_creatives", with_total_count=True, cursor="abc"),
        ValueError,
        ["with_total_count", "cursor"],
    ),
    Case(
        "create-creative-bad-landing-url",
        lambda c: hook_call(
            "create_media_creative", c.account_media()["id"], "8v7jo", landing_url="javascript:x"
        ),
        ValueError,
        ["landing_url", "javascript:x"],
    ),
    # -- the connection ---------------------------------------------------------------------------
    Case(
        "connection-wrong-consumer-secret",
        lambda c: account_media(
            media_key=c.ready_media("amplify_video"),
            twitter_ads_conn_id=c.connection(password="wrong-secret-123"),
        ),
        AdsApiUnauthorizedError,
        ["401", "UNAUTHORIZED_ACCESS"],
        input_only=False,
    ),
    Case(
        "connection-wrong-token-secret",
        lambda c: upload(
            c,
            c.put("a.png", PNG_300X250),
            twitter_ads_conn_id=c.connection(access_token_secret="wrong-token-secret"),
        ),
        AdsApiUnauthorizedError,
        # Media upload spec: a v2 401 is an about:blank problem, its code the status phrase.
        ["401", "UNAUTHORIZED"],
        input_only=False,
    ),
    Case(
        "connection-missing-access-token",
        lambda c: attach(
            account_media_id="abcde",
            line_item_id="8v7jo",
            landing_url="https://e.com",
            twitter_ads_conn_id=c.connection(access_token=None),
        ),
        ValueError,
        ["access_token", "missing"],
    ),
    Case(
        "connection-missing-consumer-key",
        lambda c: hook_call("get_line_item", "8v7jo", conn_id=c.connection(login="")),
        ValueError,
        ["consumer key", "missing"],
    ),
    Case(
        "connection-api-version-not-a-number",
        lambda c: hook_call("get_line_item", "8v7jo", conn_id=c.connection(api_version="v12")),
        ValueError,
        ["api_version", "v12"],
    ),
    Case(
        "connection-api-version-not-served",
        lambda c: hook_call("get_line_item", "8v7jo", conn_id=c.connection(api_version="99")),
        AdsApiNotFoundError,
        ["99"],
        input_only=False,
    ),
    Case(
        "connection-url-not-http",
        lambda c: hook_call(
            "get_line_item", "8v7jo", conn_id=c.connection(ads_api_url="ftp://ads.example.com")
        ),
        ValueError,
        ["ads_api_url", "ftp://ads.example.com"],
    ),
    Case(
        "connection-timeout-zero",
        lambda c: hook_call("get_line_item", "8v7jo", conn_id=c.connection(timeout=0)),
        ValueError,
        ["timeout", "0"],
    ),
    Case(
        "connection-unknown-extra",
        lambda c: hook_call("get_line_item", "8v7jo", conn_id=c.connection(acount_id="18ce54d4x5t")),
        ValueError,
        ["acount_id"],
    ),
    Case(
        "connection-unreachable-host",
        lambda c: attach(
            account_media_id="abcde",
            line_item_id="8v7jo",
            landing_url="https://e.com",
            twitter_ads_conn_id=c.connection(ads_api_url=f"http://127.0.0.1:{closed_port()}"),
        ),
        AdsApiConnectionError,
        ["could not connect", "ConnectionRefused"],
        input_only=False,
    ),
    # -- CreateCardOperator, CreateTweetOperator, PromoteTweetOperator ------------------------------
    Case(
        "card-seven-media",
        lambda c: card(media_keys=[owned_media(c.emulator) for _ in range(7)]),
        ValueError,
        ["media_keys", "SWIPEABLE_MEDIA", "7"],
    ),
    Case(
        "card-media-of-two-kinds",
        lambda c: card(
            media_keys=[owned_media(c.emulator), owned_media(c.emulator, "amplify_video", 1280, 720)]
        ),
        ValueError,
        ["media_keys", "mixes"],
    ),
    Case(
        "card-gif",
        lambda c: card(media_keys=owned_media(c.emulator, "tweet_gif", 480, 270)),
        ValueError,
        ["media_keys", "gif"],
    ),
    Case(
        "card-image-too-small",
        lambda c: card(media_keys=owned_media(c.emulator, width=640, height=335)),
        ValueError,
        ["640x335", "800"],
    ),
    Case(
        "card-video-still-processing",
        lambda c: card(
            media_keys=owned_media(
                c.emulator, "amplify_video", 1280, 720, in_library=False, state="in_progress"
            )
        ),
        ValueError,
        ["media_keys", "not finished processing"],
    ),
    Case(
        "card-media-not-in-library",
        lambda c: card(media_keys=owned_media(c.emulator, in_library=False), add_to_library=False),
        ValueError,
        ["media_keys", "media library"],
    ),
    Case(
        "card-media-never-uploaded",
        lambda c: card(media_keys=f"3_{UNKNOWN_MEDIA_ID}"),
        ValueError,
        ["media_keys", UNKNOWN_MEDIA_ID, "not an uploaded media"],
    ),
    Case(
        "card-url-not-http",
        lambda c: card(media_keys=owned_media(c.emulator), website_url="javascript:alert(1)"),
        ValueError,
        ["website_url", "javascript:alert(1)"],
    ),
    Case(
        "card-website-and-app",
        lambda c: card(media_keys=owned_media(c.emulator), button_label="INSTALL"),
        ValueError,
        ["website", "app"],
    ),
    Case("tweet-text-over-280", lambda c: tweet(text="x" * 281), ValueError, ["text", "281", "280"]),
    Case("tweet-cjk-counts-twice", lambda c: tweet(text="咖" * 141), ValueError, ["text", "282"]),
    Case(
        "tweet-url-counts-23",
        lambda c: tweet(text="a" * 257 + " https://example.com/" + "p" * 200),
        ValueError,
        ["text", "281"],
    ),
    Case(
        "tweet-card-and-media",
        lambda c: tweet(card_uri="card://1029825579531807971", media_keys=owned_media(c.emulator)),
        ValueError,
        ["card_uri", "media_keys"],
    ),
    Case(
        "tweet-five-images",
        lambda c: tweet(media_keys=[owned_media(c.emulator) for _ in range(5)]),
        ValueError,
        ["media_keys", "4"],
    ),
    Case(
        "tweet-video-and-image",
        lambda c: tweet(
            media_keys=[owned_media(c.emulator, "amplify_video", 1280, 720), owned_media(c.emulator)]
        ),
        ValueError,
        ["media_keys", "alone"],
    ),
    Case(
        "tweet-not-a-promotable-user",
        lambda c: tweet(as_user_id="12345"),
        ValueError,
        ["as_user_id", "12345"],
    ),
    Case(
        "tweet-card-uri-malformed",
        lambda c: tweet(card_uri="card:/123"),
        ValueError,
        ["card_uri", "card:/123"],
    ),
    Case(
        "promote-51-posts",
        lambda c: promote(tweet_ids=[str(1029825579531807000 + n) for n in range(51)]),
        ValueError,
        ["tweet_ids", "50", "51"],
    ),
    Case(
        "promote-on-preroll-line-item",
        lambda c: promote(line_item_id="8v7jr"),
        ValueError,
        ["8v7jr", "MEDIA", "PREROLL_VIEWS"],
    ),
    Case(
        "promote-unknown-post",
        lambda c: promote(tweet_ids=UNKNOWN_MEDIA_ID),
        ValueError,
        ["tweet_ids", UNKNOWN_MEDIA_ID],
    ),
]


def _state(emulator: Any) -> dict[str, Any]:
    """The emulator's entities and media; a table a read merely created while empty counts as absent."""
    snapshot = emulator.state.snapshot()
    snapshot["tables"] = {kind: rows for kind, rows in snapshot["tables"].items() if rows}
    return snapshot


def _writes(requests: list[dict[str, Any]]) -> list[str]:
    return [f"{r['method']} {r['path']} -> {r['status']}" for r in requests if r["method"] in WRITES]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_fails_clearly_and_changes_nothing(bad_input: BadInputContext, case: Case) -> None:
    emulator = bad_input.emulator
    action = case.prepare(bad_input)
    before = _state(emulator)
    seen = len(emulator.request_log)

    with pytest.raises(case.error) as caught:
        action()

    message = str(caught.value)
    for name in case.names:
        assert name in message, f"{name!r} is not named in: {message}"
    for secret in (DEFAULT_CONSUMER_SECRET, DEFAULT_ACCESS_TOKEN_SECRET):
        assert secret not in message
    sent = list(emulator.request_log)[seen:]
    if case.input_only:
        assert _writes(sent) == [], "a write was sent for input that alone shows it is wrong"
    else:
        assert [w for w in _writes(sent) if int(w.rsplit(" ", 1)[1] or 0) < 300] == []
    assert _state(emulator) == before


def test_the_table_covers_every_operator_and_the_connection() -> None:
    prefixes = {case.id.split("-", 1)[0] for case in CASES}
    assert {
        "upload",
        "sensor",
        "account",
        "attach",
        "list",
        "connection",
        "card",
        "tweet",
        "promote",
    } <= prefixes
    assert len(CASES) >= 30


def test_a_creative_type_the_image_does_not_fit_leaves_nothing_behind(bad_input: BadInputContext) -> None:
    # A bare key carries no size, so only the API's answer shows the 300x250 image is no BANNER.
    media_key = bad_input.ready_media("tweet_image", 300, 250)["media_key"]

    with pytest.raises(ValueError, match="BANNER") as caught:
        account_media(media_key=media_key, creative_type="BANNER")()

    assert "MEDIUM_RECTANGLE" in str(caught.value)
    # Deleting what it added counts as leaving nothing: the API keeps deleted entities.
    live = {
        kind: [e for e in rows if not e.get("deleted")]
        for kind, rows in _state(bad_input.emulator)["tables"].items()
        if kind in ("media_library", "account_media")
    }
    assert live == {kind: [] for kind in live}


@pytest.mark.parametrize(
    "category", [c.name for c in MEDIA_CATEGORIES.values() if c.kind in ("image", "gif")]
)
@pytest.mark.parametrize(
    ("key", "data", "content_type", "seen"),
    [
        ("photo.jpg", b"Q3 banner copy: Autumn roast, now in store\n", None, "are text ('Q3 banner copy"),
        (
            "photo.gif",
            b"Q3 banner copy: Autumn roast, now in store\n",
            "image/gif",
            "are text ('Q3 banner copy",
        ),
        ("banner.png", b"%PDF-1.7\n" + bytes(range(256)), "image/png", "are a PDF document"),
        ("clip.webp", MP4, "image/webp", "are the signature of video/mp4"),
    ],
    ids=["text-as-jpg", "text-as-gif", "pdf-as-png", "mp4-as-webp"],
)
def test_bytes_that_are_no_image_send_no_request_for_any_image_category(
    bad_input: BadInputContext, category: str, key: str, data: bytes, content_type: str | None, seen: str
) -> None:
    # The key's extension or the Content-Type names an image; a media_type of the category is given
    # where they name one the category does not take, so only the bytes are wrong.
    taken = MEDIA_CATEGORIES[category].media_types
    claimed = "image/jpeg" if key.endswith(".jpg") else content_type
    media_type = None if claimed in taken else sorted(taken)[0]
    uri = f"s3://{bad_input.bucket}/{bad_input.put(key, data, content_type)}"
    seen_before = len(bad_input.emulator.request_log)

    with pytest.raises(ValueError) as caught:
        upload(bad_input, s3_uri=uri, media_category=category, media_type=media_type)()

    message = str(caught.value)
    assert message.startswith(f"{uri} is not an image media_category '{category}' takes")
    assert f"its first bytes {seen}" in message
    # Not one request reached the API: no INIT, no simple upload.
    assert list(bad_input.emulator.request_log)[seen_before:] == []
