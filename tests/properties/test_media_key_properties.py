"""Properties of media id <-> media key conversion (ids.py) over generated input."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_twitter_ads.ids import (
    media_id_from_key,
    media_key_for,
    media_kind_from_key,
    parse_media_key,
    validate_media_id,
)
from airflow_provider_twitter_ads.utils.creatives import media_ref
from airflow_provider_twitter_ads.vocabulary import MEDIA_CATEGORY_KINDS, MEDIA_KEY_PREFIXES

# PROPERTY_EXAMPLES=2000 for a longer hunt; CI keeps 50.
PROPERTY_SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "50")), deadline=None)

# A media id is 19 ASCII digits (ids.MEDIA_ID_PATTERN), leading zeros included.
media_ids = st.from_regex(r"\A[0-9]{19}\Z", fullmatch=True)
api_media_ids = st.integers(min_value=10**18, max_value=10**19 - 1).map(str)
kinds = st.sampled_from(sorted(MEDIA_KEY_PREFIXES))
categories = st.sampled_from(sorted(MEDIA_CATEGORY_KINDS))
_VALID_KEY = re.compile(r"([0-9]+)_([0-9]{19})")


@PROPERTY_SETTINGS
@given(media_id=media_ids, kind=kinds)
def test_key_of_a_kind_round_trips(media_id: str, kind: str) -> None:
    key = media_key_for(media_id, kind)
    assert key == f"{MEDIA_KEY_PREFIXES[kind]}_{media_id}"
    assert parse_media_key(key) == (kind, media_id)
    assert media_kind_from_key(key) == kind
    assert media_id_from_key(key) == media_id


@PROPERTY_SETTINGS
@given(media_id=api_media_ids, category=categories)
def test_key_of_a_category_round_trips(media_id: str, category: str) -> None:
    key = media_key_for(media_id, category)
    assert parse_media_key(key) == (MEDIA_CATEGORY_KINDS[category], media_id)
    # The int form of the id (the v1.1 API's media_id) gives the same key.
    assert media_key_for(int(media_id), category) == key


@PROPERTY_SETTINGS
@given(media_id=api_media_ids, category=categories)
def test_upload_dict_and_its_key_name_the_same_media(media_id: str, category: str) -> None:
    key = media_key_for(media_id, category)
    upload = {"media_id": media_id, "media_key": key, "media_category": category}
    from_dict = media_ref(media_key=upload)
    from_key = media_ref(media_key=key)
    assert (from_dict.media_key, from_dict.media_id, from_dict.kind) == (
        from_key.media_key,
        from_key.media_id,
        from_key.kind,
    )
    assert from_dict.media_id == media_id


@PROPERTY_SETTINGS
@given(text=st.text(max_size=40))
def test_malformed_keys_are_rejected_with_the_value_named(text: str) -> None:
    found = _VALID_KEY.fullmatch(text.strip())
    if found is not None and found.group(1) in MEDIA_KEY_PREFIXES.values():
        assert parse_media_key(text) == (media_kind_from_key(text), found.group(2))
        return
    with pytest.raises(ValueError) as caught:
        parse_media_key(text)
    assert "media_key" in str(caught.value)
    assert repr(text) in str(caught.value)


@PROPERTY_SETTINGS
@given(
    prefix=st.integers(min_value=0, max_value=99)
    .map(str)
    .filter(lambda p: p not in MEDIA_KEY_PREFIXES.values()),
    media_id=api_media_ids,
)
def test_unknown_prefixes_are_rejected(prefix: str, media_id: str) -> None:
    with pytest.raises(ValueError, match="unknown prefix"):
        parse_media_key(f"{prefix}_{media_id}")


@PROPERTY_SETTINGS
@given(value=st.one_of(st.none(), st.booleans(), st.floats(), st.lists(st.integers()), st.binary()))
def test_non_strings_are_type_errors(value: object) -> None:
    with pytest.raises(TypeError, match="media_key"):
        parse_media_key(value)
    with pytest.raises(TypeError, match="media_id"):
        validate_media_id(value)


@PROPERTY_SETTINGS
@given(text=st.text(max_size=30) | st.from_regex(r"\A\s?[0-9]{17,21}\s?\Z", fullmatch=True))
def test_media_ids_are_digits_only(text: str) -> None:
    if re.fullmatch(r"[0-9]{19}", text.strip()):
        assert validate_media_id(text) == text.strip()
        return
    with pytest.raises(ValueError, match="media_id"):
        validate_media_id(text)


@PROPERTY_SETTINGS
@given(digits=st.text(alphabet="٠١٢٣٤٥٦٧٨٩０１２３４５６７８９", min_size=1, max_size=19))
def test_non_ascii_digits_are_not_media_ids(digits: str) -> None:
    # str.isdigit() accepts these; the API does not.
    with pytest.raises(ValueError):
        validate_media_id(digits)
    with pytest.raises(ValueError):
        parse_media_key(f"13_{digits}")
