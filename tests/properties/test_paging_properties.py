"""Cursor paging through the hook against the emulator: every entity exactly once, one request per page."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook

# The emulator fixture is one server for the session; each example resets it itself.
PAGING_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# At most 12 pages per listing keeps an example's requests few; tiny pages still come with small totals.
MAX_PAGES = 12


def totals_and_counts(max_total: int, max_count: int) -> st.SearchStrategy[tuple[int, int]]:
    """``(total, count)`` pairs whose listing takes at most ``MAX_PAGES`` pages."""
    return st.integers(min_value=0, max_value=max_total).flatmap(
        lambda total: st.tuples(
            st.just(total), st.integers(min_value=max(1, math.ceil(total / MAX_PAGES)), max_value=max_count)
        )
    )


def _page_requests(emulator: AdsApiEmulator, path: str) -> list[dict]:
    return [r for r in emulator.api_requests("GET", path) if r["path"].endswith(path)]


@PAGING_SETTINGS
@given(total_and_count=totals_and_counts(60, 1000))
def test_media_creatives_page_every_entity_once(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, total_and_count: tuple[int, int]
) -> None:
    total, count = total_and_count
    ads_api_emulator.reset()
    seeded = ads_api_emulator.seed_entities("media_creatives", total) if total else []
    ads_api_emulator.request_log.clear()
    hook = AdsApiHook(twitter_ads_conn_id=twitter_ads_connection)

    pager = hook.list_media_creatives(count=count, sort_by="created_at-asc")
    ids = [entity["id"] for entity in pager]

    assert ids == [entity["id"] for entity in seeded]
    assert len(set(ids)) == len(ids)
    expected_pages = max(1, math.ceil(total / count))
    assert len(_page_requests(ads_api_emulator, "/media_creatives")) == expected_pages
    assert pager.pages == expected_pages


@PAGING_SETTINGS
@given(total_and_count=totals_and_counts(60, 50))
def test_media_library_pages_every_entry_once_within_its_smaller_limit(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, total_and_count: tuple[int, int]
) -> None:
    total, count = total_and_count
    ads_api_emulator.reset()
    seeded = ads_api_emulator.seed_entities("media_library", total) if total else []
    ads_api_emulator.request_log.clear()
    hook = AdsApiHook(twitter_ads_conn_id=twitter_ads_connection)

    keys = [entry["media_key"] for entry in hook.list_media_library(count=count)]

    assert sorted(keys) == sorted(entry["media_key"] for entry in seeded)
    assert len(set(keys)) == len(keys)
    assert len(_page_requests(ads_api_emulator, "/media_library")) == max(1, math.ceil(total / count))


@PAGING_SETTINGS
@given(total_and_count=totals_and_counts(40, 30), deleted=st.integers(min_value=0, max_value=8))
def test_total_count_and_deleted_entities_across_pages(
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    total_and_count: tuple[int, int],
    deleted: int,
) -> None:
    total, count = total_and_count
    ads_api_emulator.reset()
    live = ads_api_emulator.seed_entities("account_media", total) if total else []
    gone = ads_api_emulator.seed_entities("account_media", deleted, deleted=True) if deleted else []
    ads_api_emulator.request_log.clear()
    hook = AdsApiHook(twitter_ads_conn_id=twitter_ads_connection)

    pager = hook.list_account_media(count=count, with_total_count=True)
    live_ids = [entity["id"] for entity in pager]
    everything = [entity["id"] for entity in hook.list_account_media(count=count, with_deleted=True)]

    assert sorted(live_ids) == sorted(entity["id"] for entity in live)
    assert pager.total_count == total
    assert sorted(everything) == sorted(entity["id"] for entity in live + gone)
    assert len(set(everything)) == len(everything)
    # with_total_count rides on the first page only: the API refuses it together with a cursor.
    pages = _page_requests(ads_api_emulator, "/account_media")
    assert all(r["status"] == 200 for r in pages)
    assert len(pages) == max(1, math.ceil(total / count)) + max(1, math.ceil((total + deleted) / count))
