"""Paging and list filters over real HTTP: lazy cursors, request counts, limits checked before sending."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook, EntityPager


def _list_requests(emulator: AdsApiEmulator, kind: str) -> list[dict[str, Any]]:
    return emulator.api_requests("GET", f"/{kind}")


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
    ads_api_emulator.seed_entities("preroll_call_to_actions", 1, line_item_id="8v7jt")
    found = hook.list_preroll_call_to_actions(line_item_ids=["8v7jr"])
    assert sorted(e["id"] for e in found) == sorted(e["id"] for e in on_jr)


# -- limits: every bad list request fails before anything is sent ---------------------------------

ListCall = Callable[[AdsApiHook], object]
TOO_MANY_IDS = [f"id{i}" for i in range(201)]


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
