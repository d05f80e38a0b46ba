"""utils/creatives.py: which media can become which creative type, finders and results."""

from __future__ import annotations

import json

import pytest

from airflow_provider_twitter_ads.utils.creatives import (
    MediaRef,
    account_media_added_since,
    account_media_result,
    creative_type_for_dimensions,
    display_types_of_aspect_ratio,
    find_account_media,
    find_media_creative,
    library_entry_misfit,
    media_creative_result,
    media_ref,
    parse_aspect_ratio,
    resolve_creative_type,
    scan_account_media,
    validate_call_to_action,
)
from airflow_provider_twitter_ads.vocabulary import (
    AMPLIFY_VIDEO,
    CALL_TO_ACTIONS,
    DISPLAY_CREATIVE_TYPE_DIMENSIONS,
    IMAGE,
)

MEDIA_ID = "1029825579531807971"


def _upload(**overrides: object) -> dict[str, object]:
    result: dict[str, object] = {
        "media_id": MEDIA_ID,
        "media_key": f"3_{MEDIA_ID}",
        "media_category": "tweet_image",
        "media_type": "image/png",
        "total_bytes": 1234,
        "width": 300,
        "height": 250,
        "processing_info": None,
        "s3_uri": "s3://assets/a.png",
    }
    result.update(overrides)
    return result


@pytest.mark.parametrize(("name", "size"), sorted(DISPLAY_CREATIVE_TYPE_DIMENSIONS.items()))
def test_creative_type_for_dimensions(name: str, size: tuple[int, int]) -> None:
    assert creative_type_for_dimensions(*size) == name


def test_creative_type_for_other_dimensions_is_none() -> None:
    assert creative_type_for_dimensions(50, 320) is None
    assert creative_type_for_dimensions(640, 480) is None
    assert creative_type_for_dimensions(None, 50) is None


def test_media_ref_from_the_upload_dict() -> None:
    ref = media_ref(_upload())
    assert ref == MediaRef(f"3_{MEDIA_ID}", MEDIA_ID, IMAGE, 300, 250)
    assert media_ref(media_id=_upload()) == ref
    assert resolve_creative_type(ref) == "MEDIUM_RECTANGLE"


def test_media_ref_from_a_key_or_an_id() -> None:
    assert media_ref(f"13_{MEDIA_ID}") == MediaRef(f"13_{MEDIA_ID}", MEDIA_ID, AMPLIFY_VIDEO)
    assert media_ref(media_id=MEDIA_ID, creative_type="PREROLL").media_key == f"13_{MEDIA_ID}"
    assert media_ref(media_id=MEDIA_ID, creative_type="BANNER").media_key == f"3_{MEDIA_ID}"
    upload_without_key = _upload(media_key=None, media_category="amplify_video", width=None, height=None)
    assert media_ref(upload_without_key).media_key == f"13_{MEDIA_ID}"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({}, "One of media_key or media_id is required"),
        ({"media_id": MEDIA_ID}, "alone does not say what kind"),
        ({"media_key": f"3_{MEDIA_ID}", "media_id": "1029825579531807972"}, "does not match media_key"),
        (
            {"media_key": _upload(media_category="amplify_video")},
            "names media of kind 'image' but media_category 'amplify_video'",
        ),
        ({"media_key": _upload(media_category="photo")}, "media_category must be one of"),
        ({"media_key": {"width": 1}}, "neither 'media_key' nor 'media_id'"),
        ({"media_key": _upload(), "media_id": _upload()}, "not both"),
        ({"media_key": _upload(width=0)}, "width must be a positive integer"),
    ],
)
def test_media_ref_errors(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises((ValueError, TypeError)) as caught:
        media_ref(**kwargs)
    assert fragment in str(caught.value)


def test_media_ref_rejects_non_numeric_sizes() -> None:
    with pytest.raises(TypeError, match="height must be a positive integer or None, got 'tall'"):
        media_ref(_upload(height="tall"))


def test_resolve_creative_type_infers_and_checks() -> None:
    video = media_ref(f"13_{MEDIA_ID}")
    assert resolve_creative_type(video) == "PREROLL"
    assert resolve_creative_type(video, "preroll") == "PREROLL"
    image = media_ref(_upload(width=320, height=50))
    assert resolve_creative_type(image) == "BANNER"
    assert resolve_creative_type(image, "BANNER") == "BANNER"
    # A key alone has no size: a given display type is taken on trust, none given is an error.
    assert resolve_creative_type(media_ref(f"3_{MEDIA_ID}"), "INTERSTITIAL") == "INTERSTITIAL"


@pytest.mark.parametrize(
    ("media", "creative_type", "fragment"),
    [
        (f"3_{MEDIA_ID}", "PREROLL", "PREROLL needs an amplify_video"),
        (f"7_{MEDIA_ID}", "PREROLL", "PREROLL needs an amplify_video"),
        (f"13_{MEDIA_ID}", "BANNER", "BANNER needs an image"),
        (f"16_{MEDIA_ID}", "BANNER", "BANNER needs an image"),
        (_upload(width=320, height=50), "MEDIUM_RECTANGLE", "needs a 300x250 image, but media"),
        (_upload(width=640, height=480), None, "is 640x480, which matches no display creative type"),
        (f"3_{MEDIA_ID}", None, "creative_type is required for image"),
        (f"7_{MEDIA_ID}", None, "cannot become account media"),
        (f"16_{MEDIA_ID}", None, "cannot become account media"),
        (f"13_{MEDIA_ID}", "CAROUSEL", "creative_type must be one of"),
    ],
)
def test_resolve_creative_type_errors(media: object, creative_type: str | None, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        resolve_creative_type(media_ref(media), creative_type)
    assert fragment in str(caught.value)


def test_call_to_action_validation() -> None:
    assert validate_call_to_action(None, None) is None
    assert validate_call_to_action("watch_now", "https://example.com") == ("WATCH_NOW", "https://example.com")
    assert set(CALL_TO_ACTIONS.ALL) == {"GO_TO", "SEE_MORE", "SHOP", "VISIT_SITE", "WATCH_NOW"}
    with pytest.raises(ValueError, match=r"call_to_action must be one of .*got 'BUY'"):
        validate_call_to_action("BUY", "https://example.com")
    with pytest.raises(ValueError, match="without call_to_action_url"):
        validate_call_to_action("SHOP", None)
    with pytest.raises(ValueError, match="without call_to_action"):
        validate_call_to_action(None, "https://example.com")
    with pytest.raises(ValueError, match="call_to_action_url must be an absolute http"):
        validate_call_to_action("SHOP", "example.com")


def test_finders_skip_deleted_and_other_entities() -> None:
    media = [
        {"id": "a", "media_key": "3_1", "creative_type": "BANNER", "deleted": True},
        {"id": "b", "media_key": "3_1", "creative_type": "INTERSTITIAL", "deleted": False},
        {"id": "c", "media_key": "3_1", "creative_type": "BANNER", "deleted": False},
    ]
    assert find_account_media(media, "3_1", "BANNER") == media[2]
    assert find_account_media(media, "3_1") == media[1]
    assert find_account_media(media, "3_2") is None
    assert scan_account_media(media, "3_1", "BANNER") == (media[2], media[1])
    assert scan_account_media(media, "3_1", "MEDIUM_RECTANGLE") == (None, media[1])
    assert scan_account_media(iter(media), "3_1", "INTERSTITIAL") == (media[1], None)
    creatives = [
        {"id": "x", "account_media_id": "a", "line_item_id": "l1", "entity_status": "DELETED"},
        {"id": "y", "account_media_id": "a", "line_item_id": "l2"},
        {"id": "z", "account_media_id": "a", "line_item_id": "l1"},
    ]
    assert find_media_creative(creatives, "a", "l1") == creatives[2]
    assert find_media_creative(creatives, "b", "l1") is None


def test_results_are_json_safe_summaries() -> None:

    image = {
        "id": "a1",
        "creative_type": "BANNER",
        "media_key": "3_1",
        "media_url": "https://x/y.png",
        "created_at": "2024-01-01T00:00:00Z",
        "deleted": False,
    }
    assert account_media_result(image, "acc") == {
        "id": "a1",
        "creative_type": "BANNER",
        "media_key": "3_1",
        "media_url": "https://x/y.png",
        "account_id": "acc",
    }
    video = {"id": "a2", "creative_type": "PREROLL", "media_key": "13_1", "video_id": 13}
    assert account_media_result(video, "acc")["video_id"] == "13"
    assert "media_url" not in account_media_result(video, "acc")
    creative = {
        "id": "c1",
        "line_item_id": "l1",
        "account_media_id": "a1",
        "entity_status": "ACTIVE",
        "approval_status": "ACCEPTED",
        "serving_status": "ACTIVE",
        "landing_url": None,
        "deleted": False,
    }
    result = media_creative_result(creative, "acc", "BANNER")
    assert result["id"] == "c1" and result["creative_type"] == "BANNER" and "deleted" not in result
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(
    ("text", "ratio"),
    [("6:5", 1.2), ("16:9", 16 / 9), ("1.91:1", 1.91), (" 32:5 ", 6.4)],
)
def test_parse_aspect_ratio(text: str, ratio: float) -> None:
    assert parse_aspect_ratio(text) == pytest.approx(ratio)


@pytest.mark.parametrize("bad", [None, 1.2, "", "6", "6:5:1", "a:b", "0:5", "6:0", "-6:5", "inf:1", "nan:1"])
def test_unreadable_aspect_ratios_are_none(bad: object) -> None:
    assert parse_aspect_ratio(bad) is None


def test_display_types_of_aspect_ratio() -> None:
    assert display_types_of_aspect_ratio(1.2) == ["MEDIUM_RECTANGLE"]
    assert display_types_of_aspect_ratio(4 / 3) == ["INTERSTITIAL_LANDSCAPE_TABLET"]
    assert display_types_of_aspect_ratio(16 / 9) == []
    for name, (width, height) in DISPLAY_CREATIVE_TYPE_DIMENSIONS.items():
        assert display_types_of_aspect_ratio(width / height) == [name]


def test_library_entry_misfit() -> None:
    misfit = library_entry_misfit({"aspect_ratio": "6:5"}, "BANNER")
    assert misfit == (
        "the media library entry gives its aspect ratio as 6:5 (the shape of MEDIUM_RECTANGLE 300x250), "
        "but BANNER needs exactly 320x50"
    )
    other = library_entry_misfit({"aspect_ratio": "16:9"}, "MEDIUM_RECTANGLE")
    assert other is not None and "16:9 (the shape of no display creative type)" in other
    # The same shape does not prove the size, and an entry without a readable ratio tells nothing.
    assert library_entry_misfit({"aspect_ratio": "32:5"}, "BANNER") is None
    assert library_entry_misfit({"aspect_ratio": "6.02:5"}, "MEDIUM_RECTANGLE") is None
    assert library_entry_misfit({}, "BANNER") is None
    assert library_entry_misfit({"aspect_ratio": "wide"}, "BANNER") is None
    # PREROLL is no display type: its fit is the media kind, checked before any write.
    assert library_entry_misfit({"aspect_ratio": "16:9"}, "PREROLL") is None


def test_account_media_added_since_stops_at_what_existed_before() -> None:
    newest_first = [
        {"id": "n3", "media_key": "3_1", "creative_type": "MEDIUM_RECTANGLE", "deleted": False},
        {"id": "n2", "media_key": "3_2", "creative_type": "BANNER", "deleted": False},
        {"id": "n1", "media_key": "3_1", "creative_type": "BANNER", "deleted": True},
        {"id": "old2", "media_key": "3_1", "creative_type": "MEDIUM_RECTANGLE", "deleted": False},
        {"id": "old1", "media_key": "3_1", "creative_type": "MEDIUM_RECTANGLE", "deleted": False},
    ]
    read: list[str] = []

    def pager() -> object:
        for entity in newest_first:
            read.append(entity["id"])
            yield entity

    assert account_media_added_since(pager(), "3_1", {"old2", "old1", "zz"}) == [newest_first[0]]
    assert read == ["n3", "n2", "n1", "old2"]  # stops at the first one seen before the write
    # Even a pre-existing one listed out of order (after a deleted marker) stops the scan.
    assert account_media_added_since(newest_first, "3_1", {"n1"}) == [newest_first[0]]
    # Nothing existed before: everything with the key is new.
    assert [e["id"] for e in account_media_added_since(newest_first, "3_1", set())] == ["n3", "old2", "old1"]
