"""utils/promoted_posts.py: card media and components, post text and media, names and survivors."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.utils.promoted_posts import (
    CardMedia,
    app_component,
    card_matches,
    check_as_user_id,
    check_card_media,
    check_card_uri,
    check_library_entry,
    check_line_item_takes_posts,
    check_post_media,
    check_post_text,
    check_tweet_ids,
    created_at,
    default_name,
    media_component,
    media_list,
    survivor,
    website_component,
    weighted_length,
)

IMAGE_KEY, VIDEO_KEY, GIF_KEY = "3_1029825579531807971", "13_1029825579531807972", "16_1029825579531807973"


def test_one_media_makes_a_media_card_two_to_six_a_carousel() -> None:
    assert media_component(media_list(IMAGE_KEY)) == {"type": "MEDIA", "media_key": IMAGE_KEY}
    keys = [f"3_10298255795318079{n:02d}" for n in range(10, 16)]
    assert media_component(media_list(keys)) == {"type": "SWIPEABLE_MEDIA", "media_keys": keys}
    with pytest.raises(ValueError, match="2 to 6"):
        media_component(media_list([*keys, "3_1029825579531807999"]))
    with pytest.raises(ValueError, match="repeats"):
        media_list([IMAGE_KEY, IMAGE_KEY])


def test_card_media_kinds_and_sizes() -> None:
    with pytest.raises(ValueError, match="mixes"):
        check_card_media(media_list([IMAGE_KEY, VIDEO_KEY]))
    with pytest.raises(ValueError, match="images or videos"):
        check_card_media(media_list(GIF_KEY))
    with pytest.raises(ValueError, match="800"):
        check_card_media([CardMedia(IMAGE_KEY, "image", 799, 418)])
    with pytest.raises(ValueError, match=r"1\.91:1"):
        check_card_media([CardMedia(IMAGE_KEY, "image", 1200, 900)])
    assert check_card_media([CardMedia(IMAGE_KEY, "image", 800, 800)]) == "MEDIA"
    with pytest.raises(ValueError, match="not finished processing"):
        check_card_media(media_list({"media_key": VIDEO_KEY, "processing_info": {"state": "in_progress"}}))


def test_library_entries() -> None:
    with pytest.raises(ValueError, match="media library"):
        check_library_entry(IMAGE_KEY, None)
    with pytest.raises(ValueError, match="media library"):
        check_library_entry(IMAGE_KEY, {"deleted": True})
    with pytest.raises(ValueError, match="TRANSCODING"):
        check_library_entry(VIDEO_KEY, {"media_type": "VIDEO", "media_status": "TRANSCODING"})
    check_library_entry(VIDEO_KEY, {"media_type": "VIDEO", "media_status": "TRANSCODE_COMPLETED"})


def test_destinations() -> None:
    details = website_component("Fresh", "https://example.com/a")
    assert details == {
        "type": "DETAILS",
        "title": "Fresh",
        "destination": {"type": "WEBSITE", "url": "https://example.com/a"},
    }
    for url in ("ftp://example.com", "example.com", "https://exa mple.com", None):
        with pytest.raises((ValueError, TypeError)):
            website_component("t", url)
    with pytest.raises(ValueError, match="at most 70"):
        website_component("t" * 71, "https://example.com")
    button = app_component("INSTALL", "us", googleplay_app_id="com.example")
    assert button["destination"] == {"type": "APP", "country_code": "US", "googleplay_app_id": "com.example"}
    with pytest.raises(ValueError, match="button_label"):
        app_component("CLICK", "US", googleplay_app_id="com.example")
    card = {"components": [{"type": "MEDIA", "media_key": IMAGE_KEY, "media_metadata": {}}, details]}
    assert card_matches(card, [{"type": "MEDIA", "media_key": IMAGE_KEY}, details])


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("a" * 280, 280),
        ("咖" * 140, 280),
        ("café", 4),
        ("see https://example.com/" + "x" * 200, 27),
        ("two https://a.example and http://b.example", 4 + 23 + 5 + 23),
    ],
)
def test_weighted_length(text: str, length: int) -> None:
    assert weighted_length(text) == length


def test_post_text_and_media() -> None:
    assert check_post_text("a" * 280, has_media=False) == "a" * 280
    with pytest.raises(ValueError, match="weighs 281"):
        check_post_text("a" * 281, has_media=False)
    with pytest.raises(ValueError, match="required"):
        check_post_text("", has_media=False)
    assert check_post_text(None, has_media=True) == ""
    images = media_list([f"3_10298255795318079{n:02d}" for n in range(10, 15)])
    check_post_media(images[:4])
    with pytest.raises(ValueError, match="at most 4"):
        check_post_media(images)
    with pytest.raises(ValueError, match="alone"):
        check_post_media(media_list([IMAGE_KEY, GIF_KEY]))
    assert check_card_uri({"card_uri": "card://123"}) == "card://123"
    with pytest.raises(ValueError, match="card://"):
        check_card_uri("https://cards.twitter.com/cards/1")


def test_as_user_id_defaults_to_the_full_user() -> None:
    users = [
        {"user_id": "1", "promotable_user_type": "RETWEETS_ONLY"},
        {"user_id": "2", "promotable_user_type": "FULL"},
    ]
    assert check_as_user_id(None, users) == "2"
    assert check_as_user_id("2", users) == "2"
    with pytest.raises(ValueError, match="RETWEETS_ONLY"):
        check_as_user_id("1", users)
    with pytest.raises(ValueError, match="not a promotable user"):
        check_as_user_id("3", users)


def test_tweet_ids_and_line_items() -> None:
    assert check_tweet_ids([{"tweet_id": "12"}, 13, "12"]) == ["12", "13"]
    with pytest.raises(ValueError, match="at most 50"):
        check_tweet_ids([str(n) for n in range(1, 52)])
    with pytest.raises(ValueError, match="numeric"):
        check_tweet_ids("abc")
    check_line_item_takes_posts({"id": "a", "product_type": "PROMOTED_TWEETS", "objective": "WEBSITE_CLICKS"})
    with pytest.raises(ValueError, match="no promoted posts"):
        check_line_item_takes_posts({"id": "b", "product_type": "MEDIA", "objective": "PREROLL_VIEWS"})


def test_names_and_survivors() -> None:
    name = default_name("card", "dag", "task", "run", 2)
    assert name == default_name("card", "dag", "task", "run", 2)
    assert name != default_name("card", "dag", "task", "run", 3)
    assert name != default_name("card", "dag", "task", "other-run", 2)
    assert len(default_name("post", "d" * 300, "t" * 300, "r", None)) <= 80
    entities = [
        {"id": "b", "created_at": "2026-03-02T17:00:01Z"},
        {"id": "a", "created_at": "2026-03-02T17:00:01Z"},
        {"id": "c", "created_at": "2026-03-02T17:00:00Z"},
    ]
    assert survivor(entities, lambda e: e["id"])["id"] == "c"
    assert survivor(entities[:2], lambda e: e["id"])["id"] == "a"
    assert survivor([], lambda e: e["id"]) is None
    assert created_at({"created_at": "Tue Aug 27 22:22:12 +0000 2019"}).year == 2019
