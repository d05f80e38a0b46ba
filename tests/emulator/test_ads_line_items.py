"""Line items (``ads/responses/line_items.py``): reads, updates, deletes and their not-found code.

"Error codes and responses" (v12) lists 404 ``LINE_ITEM_NOT_FOUND``; the "Line Items" reference
gives the PUT parameters and says a second DELETE is a 404.
"""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .ads_client import AdsClient, error_of

PREROLL_CTA = {"call_to_action": "SHOP", "call_to_action_url": "https://example.com/shop"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("line_item_id", ["zzzzz", "8v7js"])  # unknown, deleted
def test_missing_line_item_is_line_item_not_found(ads: AdsClient, method: str, line_item_id: str) -> None:
    """ "Error codes and responses": 404 ``LINE_ITEM_NOT_FOUND``, on the path's ``line_item_id``."""
    params = {"name": "renamed"} if method == "PUT" else None
    response = ads.request(method, f"line_items/{line_item_id}", params=params)
    assert error_of(response) == (404, "LINE_ITEM_NOT_FOUND", "line_item_id")
    assert f"line_item_id {line_item_id!r} was not found" in response.json()["errors"][0]["message"]


def test_writes_naming_a_missing_line_item_create_nothing(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    """A ``line_item_id`` parameter naming no live line item answers as the path does."""
    account_media = ads_api_emulator.seed_entities("account_media", 1, creative_type="PREROLL")[0]["id"]
    writes = {
        "media_creatives": {"account_media_id": account_media},
        "promoted_tweets": {"tweet_ids": "1166476031668015104"},
        "preroll_call_to_actions": PREROLL_CTA,
    }
    for path, params in writes.items():
        for line_item_id in ("zzzzz", "8v7js"):
            response = ads.post(path, params={**params, "line_item_id": line_item_id})
            assert error_of(response) == (404, "LINE_ITEM_NOT_FOUND", "line_item_id"), path
    tables = ads_api_emulator.state.tables
    assert [tables.get(kind, {}) for kind in writes] == [{}, {}, {}]


@pytest.mark.parametrize("code", ["LINE_ITEM_NOT_FOUND", "NOT_FOUND"])
def test_line_item_not_found_code_switch(ads_api_emulator: AdsApiEmulator, ads: AdsClient, code: str) -> None:
    """The generic code the real API was seen answering, for reads and writes alike; other kinds
    keep their own code."""
    ads_api_emulator.update_config(line_item_not_found_code=code)
    assert error_of(ads.get("line_items/zzzzz")) == (404, code, "line_item_id")
    created = ads.post("preroll_call_to_actions", params={**PREROLL_CTA, "line_item_id": "zzzzz"})
    assert error_of(created) == (404, code, "line_item_id")
    assert error_of(ads.get("media_creatives/zzzzz")) == (
        404,
        "MEDIA_CREATIVE_NOT_FOUND",
        "media_creative_id",
    )


def test_line_item_not_found_code_takes_only_the_two_codes(ads_api_emulator: AdsApiEmulator) -> None:
    with pytest.raises(
        ValueError, match="line_item_not_found_code must be one of LINE_ITEM_NOT_FOUND, NOT_FOUND"
    ):
        ads_api_emulator.update_config(rate_limit=7, line_item_not_found_code="ROUTE_NOT_FOUND")
    # Refused as a whole: the valid change beside it was not applied either.
    assert (ads_api_emulator.config.line_item_not_found_code, ads_api_emulator.config.rate_limit) == (
        "LINE_ITEM_NOT_FOUND",
        100_000,
    )


def test_update_line_item(ads: AdsClient) -> None:
    """ "Line Items", PUT: the writable fields change and ``updated_at`` moves; the rest stays."""
    before = ads.get("line_items/8v7jo").json()["data"]
    params = {
        "name": "Launch - renamed",
        "entity_status": "PAUSED",
        "bid_amount_local_micro": "140000",
        "total_budget_amount_local_micro": "37500000",
        "daily_budget_amount_local_micro": "5500000",
        "start_time": "2026-04-01T00:00:00Z",
        "end_time": "2026-04-30T12:00:00+02:00",
        # Read-only fields sent back, as the official SDK does, are ignored.
        "objective": "ENGAGEMENTS",
        "created_at": "2020-01-01T00:00:00Z",
    }
    response = ads.put("line_items/8v7jo", params=params)
    assert response.status_code == 200, response.text
    after = response.json()["data"]
    assert {name: after[name] for name in list(params)[:7]} == {
        "name": "Launch - renamed",
        "entity_status": "PAUSED",
        "bid_amount_local_micro": 140000,
        "total_budget_amount_local_micro": 37500000,
        "daily_budget_amount_local_micro": 5500000,
        "start_time": "2026-04-01T00:00:00Z",
        "end_time": "2026-04-30T10:00:00Z",
    }
    assert (after["objective"], after["created_at"]) == (before["objective"], before["created_at"])
    assert after["updated_at"] >= before["updated_at"] and after["updated_at"] != before["updated_at"]
    assert ads.get("line_items/8v7jo").json()["data"] == after


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"entity_status": "DRAFT"}, "entity_status"),
        ({"bid_amount_local_micro": "0"}, "bid_amount_local_micro"),
        ({"bid_amount_local_micro": "1.5"}, "bid_amount_local_micro"),
        ({"start_time": "tomorrow"}, "start_time"),
        ({"end_time": "2026-04-30T12:00:00"}, "end_time"),  # no time zone
        ({"name": " "}, "name"),
        (
            {"total_budget_amount_local_micro": "1000000", "daily_budget_amount_local_micro": "2000000"},
            "daily_budget_amount_local_micro",
        ),
        ({"bid_strategy": "MAX"}, "bid_strategy"),  # writable in the reference, not emulated
        ({"advertiser_user_id": "756201191646691328"}, "advertiser_user_id"),
    ],
)
def test_bad_line_item_update_changes_nothing(ads: AdsClient, params: dict[str, str], parameter: str) -> None:
    before = ads.get("line_items/8v7jo").json()["data"]
    # A valid change beside the bad one is not applied either.
    response = ads.put("line_items/8v7jo", params={"name": "not applied", **params})
    assert error_of(response) == (400, "INVALID_PARAMETER", parameter)
    assert ads.get("line_items/8v7jo").json()["data"] == before


def test_delete_line_item(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """ "Line Items", DELETE: the line item comes back deleted; deleting it again is a 404, and its
    promoted posts are listed only with ``with_deleted=true`` (deletes do not cascade)."""
    promoted = ads_api_emulator.seed_entities("promoted_tweets", 1, line_item_id="8v7jq")[0]
    response = ads.delete("line_items/8v7jq")
    assert response.status_code == 200, response.text
    assert (response.json()["data"]["id"], response.json()["data"]["deleted"]) == ("8v7jq", True)
    assert error_of(ads.delete("line_items/8v7jq")) == (404, "LINE_ITEM_NOT_FOUND", "line_item_id")
    assert ads.get("line_items/8v7jq", params={"with_deleted": "true"}).json()["data"]["deleted"] is True
    assert "8v7jq" not in [li["id"] for li in ads.get("line_items").json()["data"]]
    assert ads.get("promoted_tweets").json()["data"] == []
    listed = ads.get("promoted_tweets", params={"with_deleted": "true"}).json()["data"]
    assert [(p["id"], p["deleted"]) for p in listed] == [(promoted["id"], False)]
