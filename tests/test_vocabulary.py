"""vocabulary.py: media categories, media types, creative types and display sizes."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.vocabulary import (
    CREATIVE_TYPES,
    DISPLAY_CREATIVE_TYPE_DIMENSIONS,
    MB,
    MEDIA_CATEGORIES,
    check_creative_type,
    get_media_category,
    normalize_media_type,
)


def test_the_display_table_is_the_documented_one() -> None:
    assert dict(DISPLAY_CREATIVE_TYPE_DIMENSIONS) == {
        "BANNER": (320, 50),
        "BANNER_TABLET": (728, 90),
        "INTERSTITIAL": (320, 480),
        "INTERSTITIAL_LANDSCAPE": (480, 320),
        "INTERSTITIAL_TABLET": (768, 1024),
        "INTERSTITIAL_LANDSCAPE_TABLET": (1024, 768),
        "MEDIUM_RECTANGLE": (300, 250),
    }
    assert set(CREATIVE_TYPES.ALL) == {"PREROLL", *DISPLAY_CREATIVE_TYPE_DIMENSIONS}
    with pytest.raises(TypeError):
        DISPLAY_CREATIVE_TYPE_DIMENSIONS["BANNER"] = (1, 1)  # type: ignore[index]


def test_check_creative_type() -> None:
    assert check_creative_type(" banner ") == "BANNER"
    with pytest.raises(ValueError, match=r"creative_type must be one of .*got 'SKYSCRAPER'"):
        check_creative_type("SKYSCRAPER")
    with pytest.raises(TypeError, match="creative_type"):
        check_creative_type(3)


@pytest.mark.parametrize(
    ("name", "kind", "max_bytes", "prefix", "processing"),
    [
        ("tweet_image", "image", 5 * MB, "3", False),
        ("dm_image", "image", 5 * MB, "3", False),
        ("tweet_gif", "gif", 15 * MB, "16", True),
        ("dm_gif", "gif", 15 * MB, "16", True),
        ("tweet_video", "video", 512 * MB, "7", True),
        ("dm_video", "video", 512 * MB, "7", True),
        ("amplify_video", "video", 512 * MB, "13", True),
    ],
)
def test_categories_match_the_api(
    name: str, kind: str, max_bytes: int, prefix: str, processing: bool
) -> None:
    category = get_media_category(name)
    assert (category.kind, category.max_bytes, category.key_prefix, category.needs_processing) == (
        kind,
        max_bytes,
        prefix,
        processing,
    )


def test_exactly_seven_categories() -> None:
    assert sorted(MEDIA_CATEGORIES) == sorted(
        ["tweet_image", "dm_image", "tweet_gif", "dm_gif", "tweet_video", "dm_video", "amplify_video"]
    )


@pytest.mark.parametrize("name", ["tweet_images", "TWEET_IMAGE", "", None, 3])
def test_unknown_category_is_refused_listing_the_valid_ones(name: object) -> None:
    with pytest.raises(ValueError, match=r"media_category must be one of tweet_image, .*amplify_video"):
        get_media_category(name)


def test_check_accepts_types_and_sizes_up_to_the_limit() -> None:
    get_media_category("tweet_image").check("image/webp", 5 * MB)
    get_media_category("tweet_gif").check("image/gif", 15 * MB)
    get_media_category("amplify_video").check("video/quicktime", 512 * MB)


def test_check_refuses_a_type_the_category_does_not_take() -> None:
    with pytest.raises(
        ValueError, match=r"media_type 'image/gif' is not accepted by media_category 'tweet_image'"
    ):
        get_media_category("tweet_image").check("image/gif", 10)
    with pytest.raises(ValueError, match=r"'video/mp4' is not accepted by media_category 'tweet_gif'"):
        get_media_category("tweet_gif").check("video/mp4", 10)


def test_check_refuses_one_byte_over_the_limit() -> None:
    with pytest.raises(ValueError, match=r"total_bytes 5242881 is over the 5 MB \(5242880 bytes\) limit"):
        get_media_category("dm_image").check("image/png", 5 * MB + 1)
    with pytest.raises(ValueError, match="total_bytes 536870913"):
        get_media_category("tweet_video").check("video/mp4", 512 * MB + 1)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("image/JPEG", "image/jpeg"), ("image/jpg", "image/jpeg"), ("video/mp4; codecs=avc1", "video/mp4")],
)
def test_media_types_are_normalized(given: str, expected: str) -> None:
    assert normalize_media_type(given) == expected


@pytest.mark.parametrize("given", ["mp4", "", None, 5])
def test_media_type_that_is_not_a_mime_type_is_refused(given: object) -> None:
    with pytest.raises(ValueError, match="media_type must be a MIME type"):
        normalize_media_type(given)
