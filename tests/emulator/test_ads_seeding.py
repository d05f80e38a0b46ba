"""Bulk seeding (``AdsApiEmulator.seed_entities`` and ``POST /_emulator/seed``) and paging through it."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .ads_client import AdsClient


@pytest.mark.parametrize(
    ("kind", "path", "count", "page_size", "pages"),
    [
        ("media_creatives", "media_creatives", 250, 100, 3),
        ("account_media", "account_media", 300, 100, 3),
        ("preroll_call_to_actions", "preroll_call_to_actions", 201, 100, 3),
        ("media_library", "media_library", 120, 50, 3),
    ],
)
def test_seeded_entities_page_without_gaps_or_duplicates(
    ads_api_emulator: AdsApiEmulator,
    ads: AdsClient,
    kind: str,
    path: str,
    count: int,
    page_size: int,
    pages: int,
) -> None:
    seeded = ads_api_emulator.seed_entities(kind, count)
    assert len(seeded) == count
    id_field = "media_key" if kind == "media_library" else "id"
    entities, page_count = ads.all_pages(path, count=page_size)
    ids = [entity[id_field] for entity in entities]
    assert page_count == pages
    assert len(ids) == len(set(ids))
    assert set(ids) >= {entity[id_field] for entity in seeded}


def test_seeded_entities_are_valid_and_created_at_increases(ads_api_emulator: AdsApiEmulator) -> None:
    creatives = ads_api_emulator.seed_entities("media_creatives", 5)
    stamps = [creative["created_at"] for creative in creatives]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5
    account_media = ads_api_emulator.state.tables["account_media"][creatives[0]["account_media_id"]]
    assert account_media["creative_type"] == "MEDIUM_RECTANGLE"
    assert {c["line_item_id"] for c in creatives} == {"8v7jo"}
    assert all(c["landing_url"].startswith("https://") for c in creatives)
    later = ads_api_emulator.seed_entities("media_creatives", 2, line_item_id="8v7jp", deleted=True)
    assert later[0]["created_at"] > stamps[-1]
    assert [c["line_item_id"] for c in later] == ["8v7jp", "8v7jp"] and later[0]["deleted"] is True


def test_seeded_preroll_account_media_has_a_video_id(ads_api_emulator: AdsApiEmulator) -> None:
    [entity] = ads_api_emulator.seed_entities("account_media", 1, creative_type="PREROLL")
    record = ads_api_emulator.state.media[entity["media_key"]]
    assert entity["video_id"] == record.media_key and record.media_category == "amplify_video"
    assert entity["media_url"] is None


@pytest.mark.parametrize(
    ("kind", "count", "fields", "message"),
    [
        ("campaigns", 1, {}, "kind must be one of"),
        ("media_creatives", -1, {}, "count"),
        ("media_creatives", 1, {"colour": "red"}, "colour"),
        ("media_creatives", 1, {"line_item_id": "nope"}, "nope"),
        ("account_media", 1, {"creative_type": "BILLBOARD"}, "BILLBOARD"),
    ],
)
def test_seed_entities_rejects_bad_input(
    ads_api_emulator: AdsApiEmulator, kind: str, count: int, fields: dict, message: str
) -> None:
    before = ads_api_emulator.state.snapshot()
    with pytest.raises(ValueError, match=message):
        ads_api_emulator.seed_entities(kind, count, **fields)
    assert ads_api_emulator.state.snapshot() == before


@pytest.mark.parametrize(
    "kind", ["media_creatives", "account_media", "media_library", "preroll_call_to_actions"]
)
def test_every_field_but_the_key_can_be_overridden(ads_api_emulator: AdsApiEmulator, kind: str) -> None:
    key = "media_key" if kind == "media_library" else "id"
    [template] = ads_api_emulator.seed_entities(kind, 1)
    overrides = {name: value for name, value in template.items() if name != key}
    overrides["created_at"] = "2026-01-01T00:00:00Z"
    [copy] = ads_api_emulator.seed_entities(kind, 1, **overrides)
    assert {name: copy[name] for name in overrides} == overrides
    with pytest.raises(ValueError, match=key):
        ads_api_emulator.seed_entities(kind, 1, **{key: "x"})


def test_seed_control_action(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    response = requests.post(
        ads_api_emulator.url + "/_emulator/seed",
        json={"kind": "preroll_call_to_actions", "count": 3, "call_to_action": "SHOP"},
        timeout=10,
    )
    assert response.status_code == 200
    seeded = response.json()["data"]
    assert [entity["call_to_action"] for entity in seeded] == ["SHOP"] * 3
    listed = ads.get("preroll_call_to_actions").json()["data"]
    assert [entity["id"] for entity in listed] == [entity["id"] for entity in seeded]
    bad = requests.post(
        ads_api_emulator.url + "/_emulator/seed", json={"kind": "nope", "count": 1}, timeout=10
    )
    assert bad.status_code == 400 and "nope" in bad.json()["errors"][0]["message"]
    missing = requests.post(ads_api_emulator.url + "/_emulator/seed", json={"count": 1}, timeout=10)
    assert missing.status_code == 400
