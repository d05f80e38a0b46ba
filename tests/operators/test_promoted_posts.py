"""operators/card.py, operators/tweet.py and operators/promoted_tweet.py against the emulator.

The promoted-post path end to end (card, nullcast post, promoted post), exactly once under retries,
lost responses and twins, and every bad input refused before any write.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from support.concurrency import prepare_twin_thread
from support.creatives import live, tables, writes
from support.promoted import (
    DELETED,
    FULL_USER,
    LANDING,
    PREROLL_VIEWS,
    VIDEO_VIEWS,
    WEBSITE_CLICKS,
    owned_media,
)

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import AdsApiBadRequestError, AdsApiNotFoundError
from airflow_provider_twitter_ads.operators.card import CreateCardOperator, DeleteCardOperator
from airflow_provider_twitter_ads.operators.promoted_tweet import (
    DeletePromotedTweetOperator,
    PromoteTweetOperator,
)
from airflow_provider_twitter_ads.operators.tweet import CreateTweetOperator

TITLE = "Autumn roast"


def card(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("website_url", LANDING)
    kwargs.setdefault("title", TITLE)
    return CreateCardOperator(task_id="card", **kwargs).execute({})


def post(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("text", "Fresh autumn roast, out now")
    return CreateTweetOperator(task_id="post", **kwargs).execute({})


def promote(**kwargs: Any) -> Any:
    return PromoteTweetOperator(task_id="promote", **kwargs).execute({})


def test_carousel_card_post_and_promoted_post(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    images = [owned_media(ads_api_emulator) for _ in range(3)]
    made = card(media_keys=images)
    assert made["card_type"] == "IMAGE_CAROUSEL_WEBSITE"
    assert made["card_uri"] == f"card://{made['id']}"
    assert made["media_keys"] == [image["media_key"] for image in images]
    tweet = post(card_uri=made)
    assert tweet["card_uri"] == made["card_uri"] and tweet["nullcast"] is True
    assert tweet["user_id"] == FULL_USER
    promoted = promote(line_item_id=WEBSITE_CLICKS, tweet_ids=tweet)
    assert (promoted["line_item_id"], promoted["tweet_id"]) == (WEBSITE_CLICKS, tweet["tweet_id"])
    # Small JSON-safe XCom values.
    for result in (made, tweet, promoted):
        assert json.loads(json.dumps(result)) == result
    assert len(live(ads_api_emulator, "cards")) == len(live(ads_api_emulator, "promoted_tweets")) == 1


def test_video_media_card_adds_library_media(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    video = owned_media(ads_api_emulator, "amplify_video", 1280, 720, in_library=False, state="succeeded")
    made = card(media_keys=video)
    assert made["card_type"] == "VIDEO_WEBSITE"
    assert ads_api_emulator.state.tables["media_library"][video["media_key"]]["deleted"] is False
    tweet = post(card_uri=made["card_uri"], text="")
    assert promote(line_item_id=VIDEO_VIEWS, tweet_ids=[tweet])[0]["tweet_id"] == tweet["tweet_id"]


def test_reruns_reuse_what_exists(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    images = [owned_media(ads_api_emulator) for _ in range(2)]
    first = card(media_keys=images)
    tweet = post(card_uri=first)
    promoted = promote(line_item_id=WEBSITE_CLICKS, tweet_ids=[tweet])
    before = writes(ads_api_emulator)
    assert card(media_keys=images) == first
    assert post(card_uri=first) == tweet
    assert promote(line_item_id=WEBSITE_CLICKS, tweet_ids=[tweet]) == promoted
    assert writes(ads_api_emulator) == before


def test_changed_card_inputs_update_the_card(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    images = [owned_media(ads_api_emulator) for _ in range(2)]
    first = card(media_keys=images, name="my card")
    second = card(media_keys=images[:1], name="my card")
    assert second["id"] == first["id"] and second["card_type"] == "IMAGE_WEBSITE"


def test_names_are_deterministic_and_overridable(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    image = owned_media(ads_api_emulator)
    context = {"run_id": "manual__1"}
    one = CreateCardOperator(task_id="card", media_keys=image, website_url=LANDING, title=TITLE)
    assert one.execute(context)["name"] == one.execute(context)["name"]
    other = one.execute({"run_id": "manual__2"})
    assert other["id"] != one.execute(context)["id"]
    assert card(media_keys=image, name="Autumn 2026")["name"] == "Autumn 2026"


@pytest.mark.parametrize("path", ["/cards$", "/tweet$", "/promoted_tweets$"])
def test_lost_responses_create_once(ads_api_emulator: AdsApiEmulator, conn: str, path: str) -> None:
    image = owned_media(ads_api_emulator)
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": path, "times": 1}]}
    )
    made = card(media_keys=image)
    tweet = post(card_uri=made)
    promote(line_item_id=WEBSITE_CLICKS, tweet_ids=tweet)
    assert ads_api_emulator.faults.injected.get("drop_after") == 1
    assert len(live(ads_api_emulator, "cards")) == 1
    assert len(ads_api_emulator.state.tables["tweets"]) == 1
    assert len(live(ads_api_emulator, "promoted_tweets")) == 1


def test_twins_settle_on_one_card_and_one_promoted_post(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    """Two tries of one task instance at once: both return the same survivor; the loser's is deleted."""
    image = owned_media(ads_api_emulator)
    tweet = post(media_keys=image)
    # Both twins find nothing, then both create: the emulator holds each create a moment.
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "slow", "method": "POST", "options": {"seconds": 0.3, "when": "before"}, "times": 4}
            ]
        }
    )
    results: dict[str, list[Any]] = {"card": [], "promoted": []}

    def twin() -> None:
        prepare_twin_thread()
        results["card"].append(card(media_keys=image, name="twin card"))
        results["promoted"].append(promote(line_item_id=WEBSITE_CLICKS, tweet_ids=tweet))

    threads = [threading.Thread(target=twin) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results["card"]) == len(results["promoted"]) == 2
    assert results["card"][0]["id"] == results["card"][1]["id"]
    assert results["promoted"][0]["id"] == results["promoted"][1]["id"]
    assert [c["id"] for c in live(ads_api_emulator, "cards")] == [results["card"][0]["id"]]
    assert [p["id"] for p in live(ads_api_emulator, "promoted_tweets")] == [results["promoted"][0]["id"]]


def test_delete_operators(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    made = card(media_keys=owned_media(ads_api_emulator))
    promoted = promote(line_item_id=WEBSITE_CLICKS, tweet_ids=post(card_uri=made))
    assert DeletePromotedTweetOperator(task_id="d", promoted_tweet_id=promoted).execute({}) == [
        promoted["id"]
    ]
    assert DeleteCardOperator(task_id="d", card_id=[made, made["id"]]).execute({}) == [made["id"]]
    # Again: already deleted counts as done.
    assert DeleteCardOperator(task_id="d", card_id=made).execute({}) == [made["id"]]
    assert live(ads_api_emulator, "cards") == live(ads_api_emulator, "promoted_tweets") == []


def test_operators_are_templated_and_mappable() -> None:
    assert set(CreateCardOperator.template_fields) >= {"media_keys", "website_url", "title", "name"}
    assert set(CreateTweetOperator.template_fields) >= {"text", "card_uri", "media_keys", "name"}
    assert set(PromoteTweetOperator.template_fields) >= {"line_item_id", "tweet_ids"}
    mapped = CreateCardOperator.partial(task_id="cards", website_url=LANDING, title=TITLE).expand(
        media_keys=[["3_1029825579531807971"], ["3_1029825579531807972"]]
    )
    assert mapped.task_id == "cards"


# -- bad input, refused before any write ----------------------------------------------------------


def _refused(emulator: AdsApiEmulator, run: Any, message: str) -> None:
    before = tables(emulator)
    with pytest.raises((ValueError, TypeError), match=message):
        run()
    assert writes(emulator) == []
    assert tables(emulator) == before


@pytest.mark.parametrize(
    ("media", "message"),
    [
        ([("tweet_image", 1200, 628)] * 7, "carousel"),
        ([], "at least one media"),
        ([("tweet_image", 1200, 628), ("amplify_video", 1280, 720)], "mixes"),
        ([("tweet_gif", 480, 270)], "images or videos"),
        ([("tweet_image", 600, 600)], "800"),
    ],
)
def test_bad_card_media(
    ads_api_emulator: AdsApiEmulator, conn: str, media: list[tuple[str, int, int]], message: str
) -> None:
    keys = [owned_media(ads_api_emulator, *spec) for spec in media]
    ads_api_emulator.request_log.clear()
    _refused(ads_api_emulator, lambda: card(media_keys=keys), message)


def test_card_video_still_processing(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    video = owned_media(ads_api_emulator, "amplify_video", 1280, 720, in_library=False, state="in_progress")
    _refused(ads_api_emulator, lambda: card(media_keys=video), "not finished processing")


def test_card_media_not_in_library(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    image = owned_media(ads_api_emulator, in_library=False)
    _refused(ads_api_emulator, lambda: card(media_keys=image, add_to_library=False), "media library")
    _refused(ads_api_emulator, lambda: card(media_keys="3_1029825579531800000"), "not an uploaded media")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"website_url": "ftp://example.com/x"}, "http"),
        ({"website_url": "javascript:alert(1)"}, "http"),
        ({"title": "t" * 71}, "at most 70"),
        ({"name": "n" * 81}, "at most 80"),
        (
            {"button_label": "INSTALL", "website_url": None, "title": None, "country_code": "US"},
            "googleplay_app_id",
        ),
    ],
)
def test_bad_card_inputs(
    ads_api_emulator: AdsApiEmulator, conn: str, kwargs: dict[str, Any], message: str
) -> None:
    image = owned_media(ads_api_emulator)
    ads_api_emulator.request_log.clear()
    _refused(ads_api_emulator, lambda: card(media_keys=image, **kwargs), message)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "x" * 281}, "weighs 281"),
        ({"text": "咖" * 141}, "weighs 282"),
        ({"text": "y" * 257 + " https://example.com/" + "z" * 300}, "weighs 281"),
        ({"text": None}, "text is required"),
        ({"as_user_id": "999"}, "not a promotable user"),
        ({"as_user_id": "2417045708"}, "RETWEETS_ONLY"),
        ({"card_uri": "https://cards.example.com/1"}, "card://"),
        ({"card_uri": "card://1"}, "names no card"),
        ({"name": "n" * 81}, "at most 80"),
        ({"nullcast": "false"}, "True or False"),
    ],
)
def test_bad_posts(ads_api_emulator: AdsApiEmulator, conn: str, kwargs: dict[str, Any], message: str) -> None:
    _refused(ads_api_emulator, lambda: post(**kwargs), message)


def test_post_media_mixes(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    images = [owned_media(ads_api_emulator) for _ in range(5)]
    video = owned_media(ads_api_emulator, "amplify_video", 1280, 720)
    made = card(media_keys=images[0])
    ads_api_emulator.request_log.clear()
    _refused(ads_api_emulator, lambda: post(media_keys=images), "at most 4 images")
    _refused(ads_api_emulator, lambda: post(media_keys=[images[0], video]), "alone")
    _refused(ads_api_emulator, lambda: post(media_keys=images[:1], card_uri=made), "not both")


def test_weighted_text_at_the_limit_is_accepted(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    text = "a" * 256 + " https://example.com/" + "b" * 300  # 256 + 1 + 23 = 280
    assert post(text=text)["tweet_id"]


@pytest.mark.parametrize("code", ["LINE_ITEM_NOT_FOUND", "NOT_FOUND"])
def test_a_missing_line_item_is_a_clear_error_by_either_code(
    ads_api_emulator: AdsApiEmulator, conn: str, code: str
) -> None:
    tweet = post(text="promote me")
    ads_api_emulator.update_config(line_item_not_found_code=code)
    ads_api_emulator.request_log.clear()
    _refused(ads_api_emulator, lambda: promote(line_item_id="nope0", tweet_ids=tweet), f"404 {code}")


def test_a_wrong_route_is_not_taken_for_a_missing_line_item(
    ads_api_emulator: AdsApiEmulator, conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tweet = post(text="promote me")
    # A base URL with an extra path segment: every request is 404 ROUTE_NOT_FOUND.
    connection = ads_api_emulator.airflow_connection(ads_api_url=f"{ads_api_emulator.url}/ads")
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_WRONG_ROUTE", json.dumps(connection))
    ads_api_emulator.request_log.clear()
    with pytest.raises(AdsApiNotFoundError, match="ROUTE_NOT_FOUND") as info:
        PromoteTweetOperator(
            task_id="promote",
            line_item_id=WEBSITE_CLICKS,
            tweet_ids=tweet,
            twitter_ads_conn_id="twitter_ads_wrong_route",
        ).execute({})
    assert "missing or deleted" not in str(info.value)
    assert writes(ads_api_emulator) == []


def test_media_without_additional_owners_fails_with_the_api_error(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    image = owned_media(ads_api_emulator, owners=())
    with pytest.raises(AdsApiBadRequestError, match="additional_owners"):
        post(media_keys=image)
    assert ads_api_emulator.state.tables["tweets"] == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"line_item_id": PREROLL_VIEWS}, "takes no promoted posts"),
        ({"line_item_id": DELETED}, "missing or deleted"),
        ({"line_item_id": "nope"}, "missing"),
        ({"tweet_ids": [str(1029825579531807971 + n) for n in range(51)]}, "at most 50"),
        ({"tweet_ids": "1029825579531800000"}, "no published post"),
        ({"tweet_ids": "abc"}, "numeric"),
    ],
)
def test_bad_promotions(
    ads_api_emulator: AdsApiEmulator, conn: str, kwargs: dict[str, Any], message: str
) -> None:
    tweet = post(text="promote me")
    ads_api_emulator.request_log.clear()
    kwargs = {"line_item_id": WEBSITE_CLICKS, "tweet_ids": tweet, **kwargs}
    _refused(ads_api_emulator, lambda: promote(**kwargs), message)
