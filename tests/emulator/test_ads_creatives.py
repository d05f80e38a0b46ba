"""Account media, media creatives and preroll call-to-actions."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.ads import add_ready_media

from .ads_client import AdsClient, error_of


def _media_id(emulator: AdsApiEmulator, category: str, width: int = 1280, height: int = 720) -> str:
    return add_ready_media(emulator.state, category, width, height).media_id


def _account_media_id(emulator: AdsApiEmulator, creative_type: str = "MEDIUM_RECTANGLE") -> str:
    return emulator.seed_entities("account_media", 1, creative_type=creative_type)[0]["id"]


# -- account media ----------------------------------------------------------------------------------


@pytest.fixture
def version_4(ads_api_emulator: AdsApiEmulator) -> None:
    """Serve the end-of-life version 4 too, the last with ``POST account_media``."""
    ads_api_emulator.update_config(supported_versions=(4, 11, 12))


@pytest.mark.usefixtures("version_4")
def test_post_account_media_image_on_version_4(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """Image account media: ``video_id`` null, ``media_url`` set (v12 reference, "Account Media")."""
    ads_api_emulator.update_config(image_account_media_media_key=True)
    media_id = _media_id(ads_api_emulator, "tweet_image", 320, 50)
    response = ads.post(
        "account_media", version="4", params={"creative_type": "BANNER", "media_id": media_id}
    )
    assert response.status_code == 201
    entity = response.json()["data"]
    assert entity["creative_type"] == "BANNER"
    assert entity["media_key"] == f"3_{media_id}"
    assert entity["video_id"] is None
    assert entity["media_url"].startswith("https://pbs.twimg.com/media/")
    assert entity["deleted"] is False
    assert ads.get(f"account_media/{entity['id']}").json()["data"] == entity


@pytest.mark.usefixtures("version_4")
def test_post_account_media_preroll_on_version_4(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """PREROLL: ``video_id`` holds the media key, ``media_url`` is null.

    v12 reference, "Account Media", example ``"video_id": "13_771791717175468032", "media_url": null``.
    """
    video_id = _media_id(ads_api_emulator, "amplify_video")
    response = ads.post(
        "account_media", version="4", params={"creative_type": "PREROLL", "video_id": video_id}
    )
    assert response.status_code == 201
    assert response.json()["data"]["video_id"] == f"13_{video_id}"
    assert response.json()["data"]["media_url"] is None
    assert response.json()["data"]["media_key"] == f"13_{video_id}"


@pytest.mark.usefixtures("version_4")
@pytest.mark.parametrize("version", ["11", "12"])
def test_post_account_media_is_gone_after_version_4(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, version: str
) -> None:
    media_id = _media_id(ads_api_emulator, "tweet_image", 320, 50)
    response = ads.post(
        "account_media", version=version, params={"creative_type": "BANNER", "media_id": media_id}
    )
    assert error_of(response)[:2] == (404, "ROUTE_NOT_FOUND")
    assert ads_api_emulator.state.tables.get("account_media", {}) == {}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"media_id": "1"}, ("MISSING_PARAMETER", "creative_type")),
        ({"creative_type": "BILLBOARD", "media_id": "1"}, ("INVALID_PARAMETER", "creative_type")),
        ({"creative_type": "BANNER"}, ("MISSING_PARAMETER", "media_id")),
        ({"creative_type": "PREROLL"}, ("MISSING_PARAMETER", "video_id")),
        ({"creative_type": "VAST_PREROLL", "media_id": "1"}, ("INVALID_PARAMETER", "creative_type")),
        ({"creative_type": "BANNER"}, ("MISSING_PARAMETER", "media_id")),
        ({"creative_type": "PREROLL"}, ("MISSING_PARAMETER", "video_id")),
        ({"creative_type": "BANNER", "media_id": "1029825579531800000"}, ("INVALID_MEDIA", "media_id")),
        ({"creative_type": "BANNER", "media_id": "<image 300x250>"}, ("INVALID_PARAMETER", "media_id")),
        ({"creative_type": "MEDIUM_RECTANGLE", "media_id": "<gif>"}, ("INVALID_MEDIA", "media_id")),
        ({"creative_type": "MEDIUM_RECTANGLE", "media_id": "<amplify>"}, ("INVALID_MEDIA", "media_id")),
        ({"creative_type": "PREROLL", "video_id": "<tweet video>"}, ("INVALID_MEDIA", "video_id")),
        ({"creative_type": "PREROLL", "video_id": "<image 300x250>"}, ("INVALID_MEDIA", "video_id")),
    ],
)
@pytest.mark.usefixtures("version_4")
def test_post_account_media_validation(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, params: dict, expected: tuple[str, str]
) -> None:
    media = {
        "<image 300x250>": lambda: _media_id(ads_api_emulator, "tweet_image", 300, 250),
        "<gif>": lambda: _media_id(ads_api_emulator, "tweet_gif", 300, 250),
        "<amplify>": lambda: _media_id(ads_api_emulator, "amplify_video", 300, 250),
        "<tweet video>": lambda: _media_id(ads_api_emulator, "tweet_video"),
    }
    resolved = {name: media[value]() if value in media else value for name, value in params.items()}
    assert error_of(ads.post("account_media", version="4", params=resolved)) == (400, *expected)
    assert ads_api_emulator.state.tables.get("account_media", {}) == {}


def test_account_media_has_no_put(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """A method the resource does not have is no route ("Error codes and responses": ROUTE_NOT_FOUND)."""
    account_media_id = _account_media_id(ads_api_emulator)
    response = ads.put(f"account_media/{account_media_id}", params={"creative_type": "BANNER"})
    assert error_of(response)[:2] == (404, "ROUTE_NOT_FOUND")


def test_account_media_list_filters(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    banners = ads_api_emulator.seed_entities("account_media", 2, creative_type="BANNER")
    prerolls = ads_api_emulator.seed_entities("account_media", 2, creative_type="PREROLL")

    def listed(**params: str) -> list[str]:
        return [entity["id"] for entity in ads.get("account_media", params=params).json()["data"]]

    assert listed(creative_types="PREROLL") == [entity["id"] for entity in prerolls]
    # VAST_PREROLL is one of the filter's documented values (v12 reference, "Account Media").
    assert listed(creative_types="VAST_PREROLL") == []
    assert listed(creative_types="PREROLL,BANNER") == [entity["id"] for entity in banners + prerolls]
    assert listed(account_media_ids=f"{banners[1]['id']},{prerolls[0]['id']}") == [
        banners[1]["id"],
        prerolls[0]["id"],
    ]
    for bad in ("VIDEO", "PREROLL,banner"):
        response = ads.get("account_media", params={"creative_types": bad})
        assert error_of(response) == (400, "INVALID_PARAMETER", "creative_types")


def test_delete_account_media(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    account_media_id = _account_media_id(ads_api_emulator)
    deleted = ads.delete(f"account_media/{account_media_id}")
    assert deleted.status_code == 200
    assert deleted.json()["data"]["id"] == account_media_id and deleted.json()["data"]["deleted"] is True
    assert error_of(ads.delete(f"account_media/{account_media_id}")) == (
        404,
        "ACCOUNT_MEDIA_NOT_FOUND",
        "account_media_id",
    )
    assert error_of(ads.get(f"account_media/{account_media_id}")) == (
        404,
        "ACCOUNT_MEDIA_NOT_FOUND",
        "account_media_id",
    )
    assert ads.get(f"account_media/{account_media_id}", params={"with_deleted": "true"}).status_code == 200
    assert ads.get("account_media").json()["data"] == []


# -- media creatives --------------------------------------------------------------------------------


def test_create_media_creative(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """A media creative carries ``creative_type`` and no ``serving_status``.

    v12 reference, "Media Creatives": the example has ``creative_type``; ``serving_status`` only
    appears in an old (v3) example.
    """
    account_media_id = _account_media_id(ads_api_emulator)
    params = {
        "account_media_id": account_media_id,
        "line_item_id": "8v7jo",
        "landing_url": "https://example.com/a",
    }
    response = ads.post("media_creatives", params=params)
    assert response.status_code == 201
    creative = response.json()["data"]
    assert creative["account_media_id"] == account_media_id
    assert creative["line_item_id"] == "8v7jo"
    assert creative["landing_url"] == "https://example.com/a"
    assert (creative["creative_type"], creative["entity_status"], creative["approval_status"]) == (
        "MEDIUM_RECTANGLE",
        "ACTIVE",
        "ACCEPTED",
    )
    assert "serving_status" not in creative
    assert creative["deleted"] is False
    assert ads.get(f"media_creatives/{creative['id']}").json()["data"] == creative
    # No server-side dedupe: the same POST makes another creative.
    again = ads.post("media_creatives", json=params).json()["data"]
    assert again["id"] != creative["id"]
    assert len(ads.get("media_creatives").json()["data"]) == 2


def test_website_clicks_needs_a_landing_url(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    account_media_id = _account_media_id(ads_api_emulator)
    response = ads.post(
        "media_creatives", params={"account_media_id": account_media_id, "line_item_id": "8v7jo"}
    )
    assert error_of(response) == (400, "MISSING_PARAMETER", "landing_url")
    # Other objectives do without one.
    other = ads.post(
        "media_creatives", params={"account_media_id": account_media_id, "line_item_id": "8v7jp"}
    )
    assert other.status_code == 201 and other.json()["data"]["landing_url"] is None


@pytest.mark.parametrize(
    "landing_url",
    ["ftp://example.com/a", "example.com", "https://", "javascript:alert(1)", "https://a b.com"],
)
@pytest.mark.parametrize("line_item_id", ["8v7jo", "8v7jq"])
def test_landing_url_must_be_http(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, landing_url: str, line_item_id: str
) -> None:
    params = {
        "account_media_id": _account_media_id(ads_api_emulator),
        "line_item_id": line_item_id,
        "landing_url": landing_url,
    }
    assert error_of(ads.post("media_creatives", params=params)) == (400, "INVALID_PARAMETER", "landing_url")


@pytest.mark.parametrize("landing_url", [None, "https://example.com/ignored", "not a url"])
def test_preroll_ignores_landing_url(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, landing_url: str | None
) -> None:
    params = {"account_media_id": _account_media_id(ads_api_emulator, "PREROLL"), "line_item_id": "8v7jo"}
    if landing_url is not None:
        params["landing_url"] = landing_url
    response = ads.post("media_creatives", params=params)
    assert response.status_code == 201
    assert response.json()["data"]["landing_url"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"line_item_id": "8v7jp"}, (400, "MISSING_PARAMETER", "account_media_id")),
        ({"account_media_id": "<am>"}, (400, "MISSING_PARAMETER", "line_item_id")),
        (
            {"account_media_id": "nope1", "line_item_id": "8v7jp"},
            (400, "INVALID_PARAMETER", "account_media_id"),
        ),
        (
            {"account_media_id": "<deleted am>", "line_item_id": "8v7jp"},
            (400, "INVALID_PARAMETER", "account_media_id"),
        ),
        # "Error codes and responses": a missing (or deleted) line item is 404 LINE_ITEM_NOT_FOUND.
        ({"account_media_id": "<am>", "line_item_id": "zzzzz"}, (404, "LINE_ITEM_NOT_FOUND", "line_item_id")),
        (
            {"account_media_id": "<am>", "line_item_id": "8v7js", "landing_url": "https://example.com"},
            (404, "LINE_ITEM_NOT_FOUND", "line_item_id"),
        ),
    ],
)
def test_media_creative_validation(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, params: dict, expected: tuple[int, str, str]
) -> None:
    refs = {
        "<am>": lambda: _account_media_id(ads_api_emulator),
        "<deleted am>": lambda: ads_api_emulator.seed_entities("account_media", 1, deleted=True)[0]["id"],
    }
    resolved = {name: refs[value]() if value in refs else value for name, value in params.items()}
    assert error_of(ads.post("media_creatives", params=resolved)) == expected
    assert ads_api_emulator.state.tables.get("media_creatives", {}) == {}


def test_media_creative_list_filters(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    on_jo = ads_api_emulator.seed_entities("media_creatives", 2)
    on_jt = ads_api_emulator.seed_entities("media_creatives", 2, line_item_id="8v7jt", landing_url=None)
    gone = ads_api_emulator.seed_entities("media_creatives", 1, deleted=True)

    def listed(**params: str) -> list[str]:
        return [entity["id"] for entity in ads.get("media_creatives", params=params).json()["data"]]

    ids = [entity["id"] for entity in on_jo + on_jt]
    assert listed() == ids
    assert listed(campaign_id="8yn7n") == ids[2:]
    assert listed(campaign_id="8yn7m") == ids[:2]
    assert listed(campaign_id="nope") == []
    assert listed(line_item_ids="8v7jt,8v7jo") == ids
    assert listed(media_creative_ids=f"{ids[3]},{ids[0]}") == [ids[0], ids[3]]
    assert listed(sort_by="created_at-desc") == ids[::-1]
    assert listed(with_deleted="true") == [*ids, gone[0]["id"]]
    assert listed(media_creative_ids=gone[0]["id"]) == []


def test_delete_media_creative(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    [creative] = ads_api_emulator.seed_entities("media_creatives", 1)
    deleted = ads.delete(f"media_creatives/{creative['id']}")
    assert deleted.status_code == 200 and deleted.json()["data"]["deleted"] is True
    assert error_of(ads.get(f"media_creatives/{creative['id']}")) == (
        404,
        "MEDIA_CREATIVE_NOT_FOUND",
        "media_creative_id",
    )
    assert error_of(ads.delete(f"media_creatives/{creative['id']}")) == (
        404,
        "MEDIA_CREATIVE_NOT_FOUND",
        "media_creative_id",
    )
    restored = ads.get(f"media_creatives/{creative['id']}", params={"with_deleted": "true"}).json()["data"]
    assert restored["deleted"] is True and restored["updated_at"] >= creative["updated_at"]


# -- preroll call-to-actions ------------------------------------------------------------------------


def test_preroll_call_to_action_crud(ads: AdsClient) -> None:
    created = ads.post(
        "preroll_call_to_actions",
        params={
            "line_item_id": "8v7jr",
            "call_to_action": "WATCH_NOW",
            "call_to_action_url": "https://x.test/w",
        },
    )
    assert created.status_code == 201
    cta = created.json()["data"]
    assert (cta["line_item_id"], cta["call_to_action"], cta["call_to_action_url"]) == (
        "8v7jr",
        "WATCH_NOW",
        "https://x.test/w",
    )
    assert ads.get(f"preroll_call_to_actions/{cta['id']}").json()["data"] == cta
    assert [
        c["id"] for c in ads.get("preroll_call_to_actions", params={"line_item_ids": "8v7jr"}).json()["data"]
    ] == [cta["id"]]
    assert ads.get("preroll_call_to_actions", params={"line_item_ids": "8v7jo"}).json()["data"] == []

    updated = ads.put(f"preroll_call_to_actions/{cta['id']}", params={"call_to_action": "SHOP"}).json()[
        "data"
    ]
    assert (updated["call_to_action"], updated["call_to_action_url"]) == ("SHOP", "https://x.test/w")
    updated = ads.put(
        f"preroll_call_to_actions/{cta['id']}", params={"call_to_action_url": "http://x.test/shop"}
    ).json()["data"]
    assert (updated["call_to_action"], updated["call_to_action_url"]) == ("SHOP", "http://x.test/shop")
    for bad, parameter in (
        ({"call_to_action": "BUY"}, "call_to_action"),
        ({"call_to_action_url": "x"}, "call_to_action_url"),
    ):
        response = ads.put(f"preroll_call_to_actions/{cta['id']}", params=bad)
        assert error_of(response) == (400, "INVALID_PARAMETER", parameter)
    assert ads.get(f"preroll_call_to_actions/{cta['id']}").json()["data"]["call_to_action"] == "SHOP"

    deleted = ads.delete(f"preroll_call_to_actions/{cta['id']}")
    assert deleted.status_code == 200 and deleted.json()["data"]["deleted"] is True
    missing = (404, "NOT_FOUND", "preroll_call_to_action_id")
    assert error_of(ads.get(f"preroll_call_to_actions/{cta['id']}")) == missing
    assert (
        error_of(ads.put(f"preroll_call_to_actions/{cta['id']}", params={"call_to_action": "SHOP"}))
        == missing
    )
    assert error_of(ads.delete(f"preroll_call_to_actions/{cta['id']}")) == missing


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"call_to_action": "SHOP", "call_to_action_url": "https://x.test"},
            (400, "MISSING_PARAMETER", "line_item_id"),
        ),
        (
            {"line_item_id": "8v7jr", "call_to_action_url": "https://x.test"},
            (400, "MISSING_PARAMETER", "call_to_action"),
        ),
        (
            {"line_item_id": "8v7jr", "call_to_action": "SHOP"},
            (400, "MISSING_PARAMETER", "call_to_action_url"),
        ),
        (
            {"line_item_id": "8v7jr", "call_to_action": "shop", "call_to_action_url": "https://x.test"},
            (400, "INVALID_PARAMETER", "call_to_action"),
        ),
        (
            {"line_item_id": "8v7jr", "call_to_action": "SHOP", "call_to_action_url": "x.test"},
            (400, "INVALID_PARAMETER", "call_to_action_url"),
        ),
        # "Error codes and responses": a missing (or deleted) line item is 404 LINE_ITEM_NOT_FOUND.
        (
            {"line_item_id": "8v7js", "call_to_action": "SHOP", "call_to_action_url": "https://x.test"},
            (404, "LINE_ITEM_NOT_FOUND", "line_item_id"),
        ),
        (
            {"line_item_id": "zzzzz", "call_to_action": "SHOP", "call_to_action_url": "https://x.test"},
            (404, "LINE_ITEM_NOT_FOUND", "line_item_id"),
        ),
        # Only MEDIA / PREROLL_VIEWS line items take pre-roll CTAs ("Video Views Pre-roll Objective").
        (
            {"line_item_id": "8v7jp", "call_to_action": "SHOP", "call_to_action_url": "https://x.test"},
            (400, "INVALID_PARAMETER", "line_item_id"),
        ),
        (
            {"line_item_id": "8v7jo", "call_to_action": "SHOP", "call_to_action_url": "https://x.test"},
            (400, "INVALID_PARAMETER", "line_item_id"),
        ),
    ],
)
def test_preroll_call_to_action_validation(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, params: dict, expected: tuple[int, str, str]
) -> None:
    assert error_of(ads.post("preroll_call_to_actions", params=params)) == expected
    assert ads_api_emulator.state.tables.get("preroll_call_to_actions", {}) == {}
