"""Cards, posts (Tweets), promoted posts and promotable users.

Pages: v12 reference "Cards", "Tweets", "Promoted Tweets", "Promotable Users"; the "Carousels",
"Identifying Cards" and "Tweets" guides; "POST media/upload" (``additional_owners``); "Counting
characters"; "Error codes and responses".
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.emulator.ads import add_ready_media
from airflow_provider_twitter_ads.emulator.ads.seed import SEEDED_PROMOTABLE_USERS
from airflow_provider_twitter_ads.emulator.ads.tweets import weighted_length

from .ads_client import AdsClient, error_of

FULL_USER = SEEDED_PROMOTABLE_USERS[0][1]
RETWEETS_ONLY_USER = SEEDED_PROMOTABLE_USERS[1][1]
WEBSITE = {
    "type": "DETAILS",
    "title": "Fresh roast",
    "destination": {"type": "WEBSITE", "url": "https://example.com/roast"},
}


def _library_media(
    emulator: AdsApiEmulator,
    ads: AdsClient,
    category: str = "tweet_image",
    width: int = 1200,
    height: int = 628,
    owners: tuple[str, ...] = (FULL_USER,),
) -> str:
    """A finished upload (owned for ``owners``) added to the media library over HTTP."""
    with emulator.state.lock:
        record = add_ready_media(emulator.state, category, width, height)
        record.extra["additional_owners"] = list(owners)
    response = ads.post("media_library", params={"media_key": record.media_key})
    assert response.status_code == 201, response.text
    return record.media_key


def _card(ads: AdsClient, media_keys: list[str], name: str = "Autumn carousel") -> dict[str, Any]:
    media = (
        {"type": "MEDIA", "media_key": media_keys[0]}
        if len(media_keys) == 1
        else {"type": "SWIPEABLE_MEDIA", "media_keys": media_keys}
    )
    response = ads.post("cards", json={"name": name, "components": [media, WEBSITE]})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _tweet(ads: AdsClient, **params: Any) -> requests.Response:
    return ads.post("tweet", params={"as_user_id": FULL_USER, **params})


# -- promotable users -------------------------------------------------------------------------------


def test_promotable_users_have_one_full_user(ads: AdsClient) -> None:
    """ "Promotable Users": ``user_id``, ``promotable_user_type`` FULL or RETWEETS_ONLY."""
    body = ads.get("promotable_users").json()
    types = {user["user_id"]: user["promotable_user_type"] for user in body["data"]}
    assert types == {FULL_USER: "FULL", RETWEETS_ONLY_USER: "RETWEETS_ONLY"}
    first = body["data"][0]
    assert set(first) >= {"id", "user_id", "account_id", "created_at", "updated_at", "deleted"}
    assert ads.get(f"promotable_users/{first['id']}").json()["data"] == first
    assert ads.get("promotable_users", params={"promotable_user_ids": first["id"]}).json()["data"] == [first]
    assert error_of(ads.get("promotable_users/nope")) == (
        404,
        "PROMOTABLE_USER_NOT_FOUND",
        "promotable_user_id",
    )


# -- cards ------------------------------------------------------------------------------------------


def test_carousel_card_shape(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Cards" / "Carousels": SWIPEABLE_MEDIA then DETAILS; ``card_uri`` is ``card://`` + id."""
    keys = [_library_media(ads_api_emulator, ads) for _ in range(3)]
    card = _card(ads, keys)
    assert card["card_uri"] == f"card://{card['id']}"
    assert card["id"].isdigit()
    assert card["card_type"] == "IMAGE_CAROUSEL_WEBSITE"
    assert card["name"] == "Autumn carousel"
    swipeable, details = card["components"]
    assert swipeable["type"] == "SWIPEABLE_MEDIA"
    assert swipeable["media_keys"] == keys
    assert swipeable["media_metadata"][keys[0]]["type"] == "IMAGE"
    assert swipeable["media_metadata"][keys[0]]["width"] == 1200
    assert details == WEBSITE
    assert card["deleted"] is False and card["created_at"] == card["updated_at"]
    assert ads.get(f"cards/{card['id']}").json()["data"] == card


def test_video_media_card_shape(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Cards" example: a MEDIA video card is VIDEO_WEBSITE with ``video_duration`` and aspect ratio."""
    key = _library_media(ads_api_emulator, ads, "amplify_video", 1280, 720)
    card = _card(ads, [key], name="Launch video")
    assert card["card_type"] == "VIDEO_WEBSITE"
    metadata = card["components"][0]["media_metadata"][key]
    assert metadata["type"] == "VIDEO"
    assert metadata["video_aspect_ratio"] == "16:9"
    assert metadata["video_duration"] == 15_000


def test_app_card_with_button(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Cards": BUTTON has an ENUM label and an APP destination."""
    key = _library_media(ads_api_emulator, ads, width=800, height=800)
    button = {
        "type": "BUTTON",
        "label": {"type": "ENUM", "value": "INSTALL"},
        "destination": {"type": "APP", "country_code": "US", "googleplay_app_id": "com.example.coffee"},
    }
    response = ads.post(
        "cards", json={"name": "App", "components": [{"type": "MEDIA", "media_key": key}, button]}
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["card_type"] == "IMAGE_APP"


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        (
            [{"type": "SWIPEABLE_MEDIA", "media_keys": ["{0}"]}, WEBSITE],
            ("INVALID_PARAMETER", "components[0]"),
        ),
        (
            [{"type": "SWIPEABLE_MEDIA", "media_keys": ["{0}"] * 7}, WEBSITE],
            ("INVALID_PARAMETER", "components[0]"),
        ),
        ([{"type": "MEDIA", "media_key": "{0}"}], ("UNKNOWN_CARD_TYPE", "components")),
        ([WEBSITE, {"type": "MEDIA", "media_key": "{0}"}], ("UNKNOWN_CARD_TYPE", "components")),
        ([{"type": "POLL"}, WEBSITE], ("INVALID_PARAMETER", "components[0]")),
        (
            [
                {"type": "MEDIA", "media_key": "{0}"},
                {
                    "type": "DETAILS",
                    "title": "x",
                    "destination": {"type": "WEBSITE", "url": "ftp://example.com"},
                },
            ],
            ("INVALID_PARAMETER", "components[1].destination.url"),
        ),
        (
            [
                {"type": "MEDIA", "media_key": "{0}"},
                {"type": "DETAILS", "destination": WEBSITE["destination"]},
            ],
            ("MISSING_PARAMETER", "components[1]"),
        ),
    ],
)
def test_bad_card_components_create_nothing(
    ads_api_emulator: AdsApiEmulator,
    ads: AdsClient,
    components: list[dict[str, Any]],
    expected: tuple[str, str],
) -> None:
    key = _library_media(ads_api_emulator, ads)
    filled = [
        {
            **component,
            **({"media_key": key} if "media_key" in component else {}),
            **({"media_keys": [key] * len(component["media_keys"])} if "media_keys" in component else {}),
        }
        for component in components
    ]
    response = ads.post("cards", json={"name": "Bad", "components": filled})
    assert error_of(response)[1:] == expected, response.text
    assert ads_api_emulator.state.tables["cards"] == {}


def test_card_media_must_be_in_the_library(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Cards": card media must be in the account's media library (uploaded is not enough)."""
    with ads_api_emulator.state.lock:
        outside = add_ready_media(ads_api_emulator.state, "tweet_image", 1200, 628).media_key
    inside = _library_media(ads_api_emulator, ads)
    response = ads.post(
        "cards",
        json={
            "name": "c",
            "components": [{"type": "SWIPEABLE_MEDIA", "media_keys": [inside, outside]}, WEBSITE],
        },
    )
    assert error_of(response) == (400, "INVALID_MEDIA", "components[0].media_keys")
    ads.delete(f"media_library/{inside}")
    response = ads.post(
        "cards", json={"name": "c", "components": [{"type": "MEDIA", "media_key": inside}, WEBSITE]}
    )
    assert error_of(response) == (400, "INVALID_MEDIA", "components[0].media_key")
    assert ads_api_emulator.state.tables["cards"] == {}


def test_carousel_media_of_one_kind_and_card_sizes(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Carousels": one kind of media; creatives overview: images >= 800 px wide, 1:1 or 1.91:1."""
    image = _library_media(ads_api_emulator, ads)
    video = _library_media(ads_api_emulator, ads, "amplify_video", 1280, 720)
    mixed = ads.post(
        "cards",
        json={
            "name": "m",
            "components": [{"type": "SWIPEABLE_MEDIA", "media_keys": [image, video]}, WEBSITE],
        },
    )
    assert error_of(mixed) == (400, "INVALID_MEDIA", "components[0]")
    small = _library_media(ads_api_emulator, ads, width=600, height=600)
    response = ads.post(
        "cards", json={"name": "s", "components": [{"type": "MEDIA", "media_key": small}, WEBSITE]}
    )
    assert error_of(response) == (400, "INVALID_MEDIA", "components[0].media_key")
    assert ads_api_emulator.state.tables["cards"] == {}


def test_cards_take_a_json_body_with_a_name(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    key = _library_media(ads_api_emulator, ads)
    form = ads.post("cards", data={"name": "form", "components": "x"})
    assert error_of(form)[:2] == (400, "INVALID_PARAMETER")
    nameless = ads.post("cards", json={"components": [{"type": "MEDIA", "media_key": key}, WEBSITE]})
    assert error_of(nameless) == (400, "MISSING_PARAMETER", "name")
    assert ads_api_emulator.state.tables["cards"] == {}


def test_cards_list_by_ids_and_name_search_and_page(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Cards": ``card_ids`` and ``q`` (name) filters; count default 100, max 200; cursors."""
    seeded = ads_api_emulator.seed_entities("cards", 5)
    named = _card(ads, [_library_media(ads_api_emulator, ads)], name="Spring Sale 2026")
    assert [c["id"] for c in ads.get("cards", params={"q": "spring sale"}).json()["data"]] == [named["id"]]
    wanted = f"{seeded[1]['id']},{seeded[3]['id']}"
    assert [c["id"] for c in ads.get("cards", params={"card_ids": wanted}).json()["data"]] == wanted.split(
        ","
    )
    everything, pages = ads.all_pages("cards", count=2)
    assert [c["id"] for c in everything] == [c["id"] for c in seeded] + [named["id"]]
    assert pages == 3
    assert error_of(ads.get("cards", params={"count": 201}))[1:] == ("INVALID_PARAMETER", "count")


def test_card_update_and_delete(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    card = _card(ads, [_library_media(ads_api_emulator, ads)], name="Old name")
    video = _library_media(ads_api_emulator, ads, "amplify_video", 1280, 720)
    updated = ads.put(
        f"cards/{card['id']}",
        json={"name": "New name", "components": [{"type": "MEDIA", "media_key": video}, WEBSITE], "id": "x"},
    ).json()["data"]
    assert (updated["name"], updated["card_type"], updated["id"]) == ("New name", "VIDEO_WEBSITE", card["id"])
    assert updated["card_uri"] == card["card_uri"]
    deleted = ads.delete(f"cards/{card['id']}").json()["data"]
    assert deleted["deleted"] is True
    assert error_of(ads.get(f"cards/{card['id']}")) == (404, "CARD_NOT_FOUND", "card_id")
    assert ads.get("cards").json()["data"] == []
    assert ads.get("cards", params={"with_deleted": "true"}).json()["data"][0]["id"] == card["id"]


# -- posts ------------------------------------------------------------------------------------------


def test_nullcast_post_with_a_card(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Tweets": ``as_user_id``, ``card_uri``, ``name``; ``nullcast`` defaults to true; PUBLISHED."""
    card = _card(ads, [_library_media(ads_api_emulator, ads) for _ in range(2)])
    response = _tweet(
        ads, text="Autumn roast https://example.com/roast", card_uri=card["card_uri"], name="autumn-1"
    )
    assert response.status_code == 201, response.text
    tweet = response.json()["data"]
    assert tweet["nullcast"] is True
    assert tweet["tweet_type"] == "PUBLISHED"
    assert tweet["card_uri"] == card["card_uri"]
    assert tweet["name"] == "autumn-1"
    assert tweet["id_str"] == tweet["tweet_id"] == str(tweet["id"])
    assert tweet["user"] == {"id": int(FULL_USER), "id_str": FULL_USER}
    assert tweet["full_text"] == "Autumn roast https://example.com/roast"
    assert tweet["entities"]["urls"][0]["url"] == "https://example.com/roast"
    # The Tweet object's created_at format ("Tweets" example: "Tue Aug 27 22:22:12 +0000 2019").
    assert tweet["created_at"].endswith(f"+0000 {tweet['created_at'][-4:]}")
    assert len(tweet["created_at"].split()) == 6


def test_post_with_media_keys(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    keys = [_library_media(ads_api_emulator, ads) for _ in range(4)]
    tweet = _tweet(ads, text="Four", media_keys=",".join(keys)).json()["data"]
    assert [m["media_key"] for m in tweet["extended_entities"]["media"]] == keys
    assert {m["type"] for m in tweet["extended_entities"]["media"]} == {"photo"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"as_user_id": "999"}, (400, "INVALID_USER_ID", "as_user_id")),
        ({"as_user_id": RETWEETS_ONLY_USER}, (400, "INVALID_USER_ID", "as_user_id")),
        ({"as_user_id": None}, (400, "MISSING_PARAMETER", "as_user_id")),
        ({"text": None}, (400, "TWEET_CANNOT_BE_BLANK", "text")),
        ({"text": "x" * 281}, (400, "INVALID_TWEET", "text")),
        ({"text": "咖" * 141}, (400, "INVALID_TWEET", "text")),
        ({"text": "a" * 257 + " https://example.com/" + "p" * 100}, (400, "INVALID_TWEET", "text")),
        ({"card_uri": "card://1", "media_keys": "3_1"}, (400, "EXCLUSIVE_PARAMETERS", "media_keys")),
        ({"card_uri": "card://1"}, (400, "INVALID_PARAMETER", "card_uri")),
        ({"nullcast": "yes"}, (400, "INVALID_PARAMETER", "nullcast")),
        ({"name": "n" * 81}, (400, "INVALID_PARAMETER", "name")),
    ],
)
def test_bad_posts_create_nothing(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, params: dict[str, Any], expected: tuple[int, str, str]
) -> None:
    query = {"as_user_id": FULL_USER, "text": "Hello", **params}
    response = ads.post("tweet", params={k: v for k, v in query.items() if v is not None})
    assert error_of(response) == expected, response.text
    assert ads_api_emulator.state.tables["tweets"] == {}


def test_weighted_length_counts_urls_as_23_and_cjk_twice() -> None:
    """ "Counting characters": a URL is 23 whatever its length; CJK weighs 2."""
    assert weighted_length("a" * 280) == 280
    assert weighted_length("咖" * 140) == 280
    assert weighted_length("see https://example.com/" + "x" * 200) == 4 + 23
    # The 280 limit is reached exactly: accepted.
    assert weighted_length("a" * 256 + " https://example.com/very/long/path") == 280


def test_post_media_mix_and_counts(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Tweets": up to 4 images, or 1 GIF, or 1 video."""
    images = [_library_media(ads_api_emulator, ads) for _ in range(5)]
    video = _library_media(ads_api_emulator, ads, "amplify_video", 1280, 720)
    five = _tweet(ads, text="x", media_keys=",".join(images))
    assert error_of(five) == (400, "INVALID_PARAMETER", "media_keys")
    mixed = _tweet(ads, text="x", media_keys=f"{images[0]},{video}")
    assert error_of(mixed) == (400, "INVALID_PARAMETER", "media_keys")
    assert ads_api_emulator.state.tables["tweets"] == {}
    assert _tweet(ads, text="x", media_keys=video).status_code == 201


def test_media_for_another_user_needs_additional_owners(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    """ "POST media/upload": ``additional_owners`` lets another user post the media."""
    response = ads.session.post(
        f"{ads.emulator.url}/1.1/media/upload.json",
        files={"media": ("a.png", samples.png(1200, 628), "image/png")},
        data={"media_category": "tweet_image"},
        timeout=10,
    )
    plain = response.json()
    owned = ads.session.post(
        f"{ads.emulator.url}/1.1/media/upload.json",
        files={"media": ("b.png", samples.png(1200, 628, salt=b"b"), "image/png")},
        data={"media_category": "tweet_image", "additional_owners": FULL_USER},
        timeout=10,
    ).json()
    refused = _tweet(ads, text="x", media_keys=plain["media_key"])
    assert error_of(refused) == (400, "INVALID_MEDIA", "media_keys")
    assert "additional_owners" in refused.json()["errors"][0]["message"]
    assert _tweet(ads, text="x", media_keys=owned["media_key"]).status_code == 201
    # The same holds for media reached through a card.
    ads.post("media_library", params={"media_key": plain["media_key"]})
    card = _card(ads, [plain["media_key"]])
    assert error_of(_tweet(ads, text="x", card_uri=card["card_uri"])) == (400, "INVALID_MEDIA", "card_uri")


def test_tweets_list_filters(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Tweets": tweet_type required; name is a case-insensitive prefix; tweet_ids; timeline_type."""
    first = _tweet(ads, text="a", name="Autumn-1").json()["data"]
    second = _tweet(ads, text="b", name="autumn-2").json()["data"]
    organic = _tweet(ads, text="c", name="autumn-3", nullcast="false").json()["data"]
    _tweet(ads, text="d", name="winter-1")

    def ids(**params: Any) -> list[str]:
        response = ads.get("tweets", params={"tweet_type": "PUBLISHED", **params})
        assert response.status_code == 200, response.text
        return [t["id_str"] for t in response.json()["data"]]

    assert ids(name="AUTUMN") == [first["id_str"], second["id_str"]]
    assert ids(name="autumn", timeline_type="ALL") == [first["id_str"], second["id_str"], organic["id_str"]]
    assert ids(timeline_type="ORGANIC") == [organic["id_str"]]
    assert ids(name="umn") == []
    assert ids(tweet_ids=second["id_str"]) == [second["id_str"]]
    assert ids(user_id=RETWEETS_ONLY_USER) == []
    assert ads.get("tweets", params={"tweet_type": "DRAFT"}).json()["data"] == []
    assert error_of(ads.get("tweets")) == (400, "MISSING_PARAMETER", "tweet_type")
    sort = ads.get("tweets", params={"tweet_type": "PUBLISHED", "sort_by": "created_at-asc"})
    assert error_of(sort) == (400, "INVALID_PARAMETER", "sort_by")


def test_tweets_page(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    seeded = ads_api_emulator.seed_entities("tweets", 5)
    everything, pages = ads.all_pages("tweets", tweet_type="PUBLISHED", count=2)
    assert [t["id_str"] for t in everything] == [t["id_str"] for t in seeded]
    assert pages == 3


# -- promoted posts ---------------------------------------------------------------------------------


def test_promoted_tweets_shape_and_lifecycle(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Promoted Tweets": POST takes line_item_id and tweet_ids; each references both; DELETE."""
    tweets = [_tweet(ads, text=f"t{n}").json()["data"]["id_str"] for n in range(2)]
    response = ads.post("promoted_tweets", params={"line_item_id": "8v7jo", "tweet_ids": ",".join(tweets)})
    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert [p["tweet_id"] for p in created] == tweets
    assert {p["line_item_id"] for p in created} == {"8v7jo"}
    assert set(created[0]) >= {
        "id",
        "entity_status",
        "approval_status",
        "created_at",
        "updated_at",
        "deleted",
    }
    assert response.json()["request"]["params"]["tweet_ids"] == tweets
    one = created[0]
    assert ads.get(f"promoted_tweets/{one['id']}").json()["data"] == one
    listed = ads.get("promoted_tweets", params={"line_item_ids": "8v7jo"}).json()["data"]
    assert [p["id"] for p in listed] == [p["id"] for p in created]
    assert ads.get("promoted_tweets", params={"promoted_tweet_ids": one["id"]}).json()["data"] == [one]
    assert ads.delete(f"promoted_tweets/{one['id']}").json()["data"]["deleted"] is True
    assert error_of(ads.get(f"promoted_tweets/{one['id']}")) == (
        404,
        "PROMOTED_TWEET_NOT_FOUND",
        "promoted_tweet_id",
    )
    assert ads.put(f"promoted_tweets/{one['id']}").status_code == 404  # promoted tweets cannot be updated


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"line_item_id": "8v7jr"}, (400, "INVALID_PARAMETER", "line_item_id")),  # PREROLL_VIEWS / MEDIA
        # "Error codes and responses": a missing (or deleted) line item is 404 LINE_ITEM_NOT_FOUND.
        ({"line_item_id": "8v7js"}, (404, "LINE_ITEM_NOT_FOUND", "line_item_id")),  # deleted
        ({"line_item_id": "nope"}, (404, "LINE_ITEM_NOT_FOUND", "line_item_id")),
        ({"tweet_ids": "123"}, (400, "INVALID_PARAMETER", "tweet_ids")),
        ({"tweet_ids": ",".join(str(n) for n in range(51))}, (400, "INVALID_PARAMETER", "tweet_ids")),
        ({"tweet_ids": None}, (400, "MISSING_PARAMETER", "tweet_ids")),
    ],
)
def test_bad_promoted_tweets_create_nothing(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, params: dict[str, Any], expected: tuple[int, str, str]
) -> None:
    tweet = _tweet(ads, text="t").json()["data"]["id_str"]
    query = {"line_item_id": "8v7jo", "tweet_ids": tweet, **params}
    response = ads.post("promoted_tweets", params={k: v for k, v in query.items() if v is not None})
    assert error_of(response) == expected, response.text
    assert ads_api_emulator.state.tables["promoted_tweets"] == {}


def test_promoted_tweets_of_a_deleted_line_item_need_with_deleted(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    """ "Promoted Tweets": of deleted line items they are listed only with with_deleted=true."""
    promoted = ads_api_emulator.seed_entities("promoted_tweets", 1, line_item_id="8v7jp")[0]
    with ads_api_emulator.state.lock:
        ads_api_emulator.state.tables["line_items"]["8v7jp"]["deleted"] = True
    assert ads.get("promoted_tweets").json()["data"] == []
    listed = ads.get("promoted_tweets", params={"with_deleted": "true"}).json()["data"]
    assert [(p["id"], p["deleted"]) for p in listed] == [(promoted["id"], False)]


def test_promoted_tweets_page_and_every_post_creates_anew(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    tweet = _tweet(ads, text="t").json()["data"]["id_str"]
    for _ in range(2):
        ads.post("promoted_tweets", params={"line_item_id": "8v7jo", "tweet_ids": tweet})
    seeded = ads_api_emulator.seed_entities("promoted_tweets", 3)
    everything, pages = ads.all_pages("promoted_tweets", count=2)
    assert len(everything) == 5 and pages == 3
    assert [p["id"] for p in everything][-3:] == [p["id"] for p in seeded]
    assert [p["tweet_id"] for p in everything][:2] == [tweet, tweet]


# -- OAuth, faults and rate limits apply as everywhere --------------------------------------------


def test_new_routes_check_signatures(ads_api_emulator: AdsApiEmulator) -> None:
    for method, path in [
        ("GET", "cards"),
        ("POST", "tweet"),
        ("GET", "promoted_tweets"),
        ("GET", "promotable_users"),
    ]:
        response = requests.request(
            method,
            f"{ads_api_emulator.url}/12/accounts/{ads_api_emulator.config.account_id}/{path}",
            timeout=10,
        )
        assert response.status_code == 401, (method, path)
        assert response.json()["errors"][0]["code"] == "UNAUTHORIZED_ACCESS"


def test_lost_response_on_card_create_still_creates(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    key = _library_media(ads_api_emulator, ads)
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": "/cards$"}]}
    )
    with pytest.raises(requests.ConnectionError):
        ads.post("cards", json={"name": "lost", "components": [{"type": "MEDIA", "media_key": key}, WEBSITE]})
    assert [c["name"] for c in ads.get("cards", params={"q": "lost"}).json()["data"]] == ["lost"]


def test_rate_limit_on_promoted_tweets(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    ads_api_emulator.update_config(account_rate_limit=2)
    statuses = [ads.get("promoted_tweets").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert ads.get("cards").status_code == 200  # its own endpoint family
