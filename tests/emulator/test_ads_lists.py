"""Accounts, line items and the list behaviour every Ads API list endpoint shares."""

from __future__ import annotations

import base64
import re

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .ads_client import AdsClient, error_of

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# (path, seeded kind): every list endpoint of the account.
LISTS = [
    ("line_items", None),
    ("campaigns", None),
    ("account_media", "account_media"),
    ("media_creatives", "media_creatives"),
    ("preroll_call_to_actions", "preroll_call_to_actions"),
    ("media_library", "media_library"),
]
LIST_PATHS = [path for path, _ in LISTS]
ID_FILTERS = [
    ("line_items", "line_item_ids"),
    ("line_items", "campaign_ids"),
    ("campaigns", "campaign_ids"),
    ("account_media", "account_media_ids"),
    ("media_creatives", "line_item_ids"),
    ("media_creatives", "media_creative_ids"),
    ("preroll_call_to_actions", "line_item_ids"),
]


def test_get_account(ads: AdsClient) -> None:
    response = ads.get()
    assert response.status_code == 200
    account = response.json()["data"]
    assert account["id"] == "18ce54d4x5t"
    assert account["approval_status"] == "ACCEPTED"
    assert account["timezone"] == "America/Los_Angeles"
    assert account["deleted"] is False
    assert ISO_8601.match(account["created_at"])
    assert response.json()["request"]["params"]["account_id"] == "18ce54d4x5t"


@pytest.mark.parametrize("path", ["", "line_items", "line_items/8v7jo", "media_creatives"])
def test_unknown_account_is_403_account_not_found(ads: AdsClient, path: str) -> None:
    """ "Error codes and responses" (v12): ``ACCOUNT_NOT_FOUND`` is served with HTTP 403."""
    response = ads.session.get(ads.url(path, account_id="nosuchacct"), timeout=10)
    assert error_of(response) == (403, "ACCOUNT_NOT_FOUND", "account_id")


def test_get_line_item(ads: AdsClient) -> None:
    response = ads.get("line_items/8v7jo")
    assert response.status_code == 200
    line_item = response.json()["data"]
    assert line_item["id"] == "8v7jo"
    assert line_item["campaign_id"] == "8yn7m"
    assert line_item["objective"] == "WEBSITE_CLICKS"
    assert line_item["product_type"] == "PROMOTED_TWEETS"
    assert line_item["placements"] == ["ALL_ON_TWITTER"]
    assert line_item["entity_status"] == "ACTIVE"
    assert line_item["deleted"] is False
    assert ISO_8601.match(line_item["created_at"]) and ISO_8601.match(line_item["updated_at"])


def test_preroll_views_line_item_is_a_media_product(ads: AdsClient) -> None:
    """ "Video Views Pre-roll Objective" guide: pre-roll line items have ``product_type`` MEDIA."""
    line_item = ads.get("line_items/8v7jr").json()["data"]
    assert (line_item["objective"], line_item["product_type"]) == ("PREROLL_VIEWS", "MEDIA")


def test_deleted_line_item_only_with_with_deleted(ads: AdsClient) -> None:
    assert error_of(ads.get("line_items/8v7js")) == (404, "LINE_ITEM_NOT_FOUND", "line_item_id")
    response = ads.get("line_items/8v7js", params={"with_deleted": "true"})
    assert response.status_code == 200
    assert response.json()["data"]["deleted"] is True
    assert response.json()["data"]["objective"] == "WEBSITE_CLICKS"


def test_line_item_list_and_filters(ads: AdsClient) -> None:
    default = ads.get("line_items").json()
    assert [li["id"] for li in default["data"]] == ["8v7jo", "8v7jp", "8v7jq", "8v7jr", "8v7jt"]
    assert default["next_cursor"] is None
    with_deleted = ads.get("line_items", params={"with_deleted": "true"}).json()["data"]
    assert {li["id"]: li["objective"] for li in with_deleted} == {
        "8v7jo": "WEBSITE_CLICKS",
        "8v7jp": "VIDEO_VIEWS",
        "8v7jq": "ENGAGEMENTS",
        "8v7jr": "PREROLL_VIEWS",
        "8v7js": "WEBSITE_CLICKS",
        "8v7jt": "VIDEO_VIEWS",
    }
    by_campaign = ads.get("line_items", params={"campaign_ids": "8yn7n"}).json()["data"]
    assert [li["id"] for li in by_campaign] == ["8v7jt"]
    by_ids = ads.get("line_items", params={"line_item_ids": "8v7jt,8v7jo,8v7js"}).json()["data"]
    assert [li["id"] for li in by_ids] == ["8v7jo", "8v7jt"]


def test_campaigns(ads: AdsClient) -> None:
    assert [c["id"] for c in ads.get("campaigns").json()["data"]] == ["8yn7m", "8yn7n"]
    assert ads.get("campaigns/8yn7n").json()["data"]["entity_status"] == "ACTIVE"


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize(
    "params",
    [{"count": "abc"}, {"count": "0"}, {"count": "-1"}, {"count": "1001"}, {"count": "2.5"}, {"count": ""}],
)
def test_bad_count_is_400(ads: AdsClient, path: str, params: dict) -> None:
    assert error_of(ads.get(path, params=params)) == (400, "INVALID_PARAMETER", "count")


def test_media_library_count_is_capped_at_50(ads: AdsClient) -> None:
    assert error_of(ads.get("media_library", params={"count": "51"})) == (400, "INVALID_PARAMETER", "count")
    assert ads.get("media_library", params={"count": "50"}).status_code == 200
    assert ads.get("media_creatives", params={"count": "1000"}).status_code == 200


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("cursor", ["garbage", "", "MTAw", base64.urlsafe_b64encode(b"100.abcdef").decode()])
def test_garbage_cursor_is_400(ads: AdsClient, path: str, cursor: str) -> None:
    assert error_of(ads.get(path, params={"cursor": cursor})) == (400, "INVALID_PARAMETER", "cursor")


def test_cursor_of_another_list_is_refused(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    ads_api_emulator.seed_entities("account_media", 3)
    cursor = ads.get("account_media", params={"count": 1}).json()["next_cursor"]
    assert cursor is not None and re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert ads.get("account_media", params={"count": 1, "cursor": cursor}).status_code == 200
    response = ads.get("media_creatives", params={"count": 1, "cursor": cursor})
    assert error_of(response) == (400, "INVALID_PARAMETER", "cursor")


@pytest.mark.parametrize(("path", "kind"), [item for item in LISTS if item[1]])
def test_with_total_count(ads_api_emulator: AdsApiEmulator, ads: AdsClient, path: str, kind: str) -> None:
    ads_api_emulator.seed_entities(kind, 7)
    body = ads.get(path, params={"count": 3, "with_total_count": "true"}).json()
    assert body["total_count"] == 7
    assert len(body["data"]) == 3
    assert "total_count" not in ads.get(path, params={"count": 3}).json()
    next_page = {"cursor": body["next_cursor"], "with_total_count": "true"}
    assert error_of(ads.get(path, params=next_page)) == (400, "INVALID_PARAMETER", "with_total_count")
    assert (
        ads.get(path, params={"cursor": body["next_cursor"], "with_total_count": "false"}).status_code == 200
    )


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("name", ["with_deleted", "with_total_count"])
@pytest.mark.parametrize("value", ["1", "True", "yes", ""])
def test_booleans_must_be_true_or_false(ads: AdsClient, path: str, name: str, value: str) -> None:
    assert error_of(ads.get(path, params={name: value})) == (400, "INVALID_PARAMETER", name)


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("sort_by", ["name-asc", "created_at", "created_at-up", "CREATED_AT-ASC"])
def test_unknown_sort_by_is_400(ads: AdsClient, path: str, sort_by: str) -> None:
    assert error_of(ads.get(path, params={"sort_by": sort_by})) == (400, "INVALID_PARAMETER", "sort_by")


@pytest.mark.parametrize(("path", "param"), ID_FILTERS)
def test_at_most_200_ids_per_filter(ads: AdsClient, path: str, param: str) -> None:
    ids = [f"id{number}" for number in range(201)]
    assert error_of(ads.get(path, params={param: ",".join(ids)})) == (400, "INVALID_PARAMETER", param)
    response = ads.get(path, params={param: ",".join(ids[:200])})
    assert response.status_code == 200 and response.json()["data"] == []


def test_sort_by_created_and_updated(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    seeded = [entity["id"] for entity in ads_api_emulator.seed_entities("preroll_call_to_actions", 4)]
    ascending = ads.get("preroll_call_to_actions", params={"sort_by": "created_at-asc"}).json()["data"]
    descending = ads.get("preroll_call_to_actions", params={"sort_by": "created_at-desc"}).json()["data"]
    assert [cta["id"] for cta in ascending] == seeded
    assert [cta["id"] for cta in descending] == seeded[::-1]
    # Updating the oldest makes it the most recently updated.
    assert (
        ads.put(f"preroll_call_to_actions/{seeded[0]}", params={"call_to_action": "SHOP"}).status_code == 200
    )
    by_update = ads.get("preroll_call_to_actions", params={"sort_by": "updated_at-desc"}).json()["data"]
    assert by_update[0]["id"] == seeded[0]


def test_paging_with_sort_and_filters_has_no_gaps(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    mine = ads_api_emulator.seed_entities("media_creatives", 230, line_item_id="8v7jt")
    ads_api_emulator.seed_entities("media_creatives", 40, line_item_id="8v7jo")
    entities, pages = ads.all_pages(
        "media_creatives", count=100, line_item_ids="8v7jt", sort_by="created_at-desc"
    )
    assert pages == 3
    assert [entity["id"] for entity in entities] == [entity["id"] for entity in reversed(mine)]


def test_deleted_entities_are_hidden_unless_with_deleted(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    ads_api_emulator.seed_entities("account_media", 3)
    gone = ads_api_emulator.seed_entities("account_media", 2, deleted=True)
    visible = ads.get("account_media", params={"with_total_count": "true"}).json()
    assert visible["total_count"] == 3
    everything = ads.get("account_media", params={"with_deleted": "true", "with_total_count": "true"}).json()
    assert everything["total_count"] == 5
    assert {entity["id"] for entity in gone} <= {entity["id"] for entity in everything["data"]}


def test_list_echoes_request_params(ads: AdsClient) -> None:
    """``*_ids`` filters are echoed as JSON arrays, other parameters as sent.

    Every example of the v12 reference does so, e.g. "Account Media":
    ``"params": {"account_media_ids": ["3wpx"], "account_id": "18ce54d4x5t"}``.
    """
    body = ads.get("line_items", params={"count": "2", "campaign_ids": "8yn7m"}).json()
    params = body["request"]["params"]
    assert params["count"] == "2" and params["campaign_ids"] == ["8yn7m"]
    assert params["account_id"] == "18ce54d4x5t"
    assert "version" not in params
    listed = ads.get("line_items", params={"line_item_ids": "8v7jo,8v7jp"}).json()["request"]["params"]
    assert listed["line_item_ids"] == ["8v7jo", "8v7jp"]
    assert not any(name.startswith("oauth_") for name in params)
    assert len(body["data"]) == 2 and body["next_cursor"] is not None
