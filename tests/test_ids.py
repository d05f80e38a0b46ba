"""ids.py: media ids, media keys and entity ids, each with one rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_twitter_ads.ids import (
    entity_ids,
    media_id_from_key,
    media_key_for,
    media_kind_from_key,
    normalize_media_id,
    parse_media_key,
    path_segment,
    validate_media_id,
)
from airflow_provider_twitter_ads.vocabulary import (
    AMPLIFY_VIDEO,
    GIF,
    IMAGE,
    MEDIA_KEY_PREFIXES,
    VIDEO,
)

MEDIA_ID = "1029825579531807971"


@pytest.mark.parametrize(
    ("kind_or_category", "expected"),
    [
        ("tweet_image", f"3_{MEDIA_ID}"),
        ("dm_image", f"3_{MEDIA_ID}"),
        ("tweet_video", f"7_{MEDIA_ID}"),
        ("dm_video", f"7_{MEDIA_ID}"),
        ("amplify_video", f"13_{MEDIA_ID}"),
        ("tweet_gif", f"16_{MEDIA_ID}"),
        ("dm_gif", f"16_{MEDIA_ID}"),
        (IMAGE, f"3_{MEDIA_ID}"),
        (GIF, f"16_{MEDIA_ID}"),
    ],
)
def test_media_key_for_uses_the_kind_prefix(kind_or_category: str, expected: str) -> None:
    assert media_key_for(MEDIA_ID, kind_or_category) == expected


def test_media_key_parts() -> None:
    assert parse_media_key(f"13_{MEDIA_ID}") == (AMPLIFY_VIDEO, MEDIA_ID)
    assert media_kind_from_key(f"7_{MEDIA_ID}") == VIDEO
    assert media_kind_from_key(f"16_{MEDIA_ID}") == GIF
    assert media_id_from_key(f"3_{MEDIA_ID}") == MEDIA_ID
    assert media_key_for(int(MEDIA_ID), "amplify_video") == f"13_{MEDIA_ID}"


@given(st.integers(min_value=10**18, max_value=10**19 - 1), st.sampled_from(sorted(MEDIA_KEY_PREFIXES)))
def test_media_key_round_trips(number: int, kind: str) -> None:
    key = media_key_for(str(number), kind)
    assert parse_media_key(key) == (kind, str(number))


@pytest.mark.parametrize(
    ("bad", "error", "fragment"),
    [
        ("13-1029825579531807971", ValueError, "must look like"),
        ("1029825579531807971", ValueError, "must look like"),
        ("5_1029825579531807971", ValueError, "unknown prefix '5'"),
        ("13_", ValueError, "must look like"),
        ("13_abc", ValueError, "must look like"),
        (13, TypeError, "must be a string"),
        (None, TypeError, "must be a string"),
    ],
)
def test_bad_media_keys_name_the_value(bad: object, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match="media_key") as caught:
        parse_media_key(bad)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("bad", ["", "12a", "-1", "1.5", "1" * 21])
def test_bad_media_ids(bad: str) -> None:
    with pytest.raises(ValueError, match="media_id"):
        validate_media_id(bad)
    with pytest.raises(TypeError, match="media_id"):
        validate_media_id(True)


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown media kind or category 'photo'"):
        media_key_for(MEDIA_ID, "photo")


def test_entity_ids() -> None:
    assert entity_ids("8v7jo", "line_item_id") == ["8v7jo"]
    assert entity_ids(["8v7jo", "8v7jp", "8v7jo"], "line_item_id") == ["8v7jo", "8v7jp"]
    assert entity_ids({"id": "abc", "creative_type": "BANNER"}, "account_media_id") == ["abc"]
    for bad in ([], "", None, ["ok", " "], "a/b", {"creative_type": "BANNER"}):
        with pytest.raises(ValueError, match="line_item_id"):
            entity_ids(bad, "line_item_id")


def test_path_segment() -> None:
    assert path_segment("id", "8v7jo") == "8v7jo"
    assert path_segment("id", 12) == "12"
    assert path_segment("media_key", "3_102") == "3_102"
    for bad in ("", " ", "a/b", "a?b", "a,b", "..", "a#b"):
        with pytest.raises(ValueError, match="id must be a single non-empty id"):
            path_segment("id", bad)
    with pytest.raises(TypeError, match="id must be a string id, got NoneType"):
        path_segment("id", None)


class TestNormalizeMediaId:
    def test_str_id(self) -> None:
        assert normalize_media_id(MEDIA_ID) == MEDIA_ID

    def test_int_id(self) -> None:
        assert normalize_media_id(int(MEDIA_ID)) == MEDIA_ID

    def test_upload_operator_dict(self) -> None:
        upload = {"media_id": MEDIA_ID, "media_key": f"7_{MEDIA_ID}", "media_category": "tweet_video"}
        assert normalize_media_id(upload) == MEDIA_ID

    def test_dict_without_media_id(self) -> None:
        with pytest.raises(ValueError, match=r"media_id is a dict without a 'media_id' key.*media_key"):
            normalize_media_id({"media_key": f"7_{MEDIA_ID}"})

    def test_dict_with_bad_id_names_the_key(self) -> None:
        with pytest.raises(ValueError, match=r"media_id\['media_id'\] must be a 19-digit"):
            normalize_media_id({"media_id": "12"})

    def test_surrounding_whitespace_is_ignored(self) -> None:
        # One rule for every entry point (ids.py): a template's trailing newline is not an error.
        assert normalize_media_id(f" {MEDIA_ID}\n") == MEDIA_ID

    @pytest.mark.parametrize(
        "bad", ["", "abc", "12345", MEDIA_ID + "0", f"{MEDIA_ID[:9]} {MEDIA_ID[9:]}", "7_" + MEDIA_ID]
    )
    def test_malformed_str(self, bad: str) -> None:
        with pytest.raises(ValueError, match="must be a 19-digit numeric media id") as info:
            normalize_media_id(bad)
        assert repr(bad) in str(info.value)

    def test_rendered_dict_gets_a_hint(self) -> None:
        with pytest.raises(ValueError, match="looks like a rendered dict"):
            normalize_media_id(str({"media_id": MEDIA_ID}))

    @pytest.mark.parametrize("bad", [None, 1.5, True, [MEDIA_ID], b"1029825579531807971"])
    def test_wrong_type(self, bad: object) -> None:
        with pytest.raises(TypeError, match=f"media_id must be a media id .* not {type(bad).__name__}"):
            normalize_media_id(bad)

    def test_parameter_name_is_used(self) -> None:
        with pytest.raises(ValueError, match=r"^video must be"):
            normalize_media_id("x", parameter="video")
