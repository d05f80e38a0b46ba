"""vocabulary.py: media categories, media types, creative types and display sizes."""

from __future__ import annotations

import inspect

import pytest

from airflow_provider_twitter_ads import exceptions
from airflow_provider_twitter_ads.exceptions import (
    AdsApiError,
    MediaProcessingError,
    MediaUploadError,
)
from airflow_provider_twitter_ads.vocabulary import (
    CREATIVE_TYPES,
    DISPLAY_CREATIVE_TYPE_DIMENSIONS,
    MB,
    MEDIA_CATEGORIES,
    check_creative_type,
    get_media_category,
    normalize_media_type,
)

MEDIA_ID = "1029825579531807971"

ADS_BODY = {
    "errors": [
        {"code": "INVALID_PARAMETER", "message": "landing_url must be http(s)", "parameter": "landing_url"}
    ],
    "request": {"params": {"account_id": "18ce54d4x5t"}},
}

PATH = "accounts/18ce54d4x5t/media_creatives"

HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


def _every_error_class() -> list[type[Exception]]:
    return [
        cls
        for _, cls in inspect.getmembers(exceptions, inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == exceptions.__name__
    ]


def _example(cls: type[Exception]) -> Exception:
    if issubclass(cls, MediaProcessingError):
        return cls(
            "1029825579531807971", {"code": 3, "name": "InvalidMedia", "message": "Unsupported video format"}
        )
    if issubclass(cls, MediaUploadError):
        return cls(
            "FINALIZE of media 1029825579531807971 failed", media_id="1029825579531807971", status_code=503
        )
    if issubclass(cls, AdsApiError):
        return cls(
            "the API said no",
            status_code=429,
            errors=[{"code": "TOO_MANY_REQUESTS", "message": "Rate limit exceeded"}],
            method="GET",
            path="2/media/upload",
        )
    return cls("s3://bucket/key changed while it was read")


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
