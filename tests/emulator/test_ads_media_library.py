"""The media library: validation against uploaded media, listing, updates, and account media auto-creation."""

from __future__ import annotations

import time

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.ads import add_ready_media
from airflow_provider_twitter_ads.emulator.state import MediaRecord

from .ads_client import AdsClient, error_of

CREATIVE_SIZES = [
    ("BANNER", 320, 50),
    ("BANNER_TABLET", 728, 90),
    ("INTERSTITIAL", 320, 480),
    ("INTERSTITIAL_LANDSCAPE", 480, 320),
    ("INTERSTITIAL_TABLET", 768, 1024),
    ("INTERSTITIAL_LANDSCAPE_TABLET", 1024, 768),
    ("MEDIUM_RECTANGLE", 300, 250),
]


def _media(
    emulator: AdsApiEmulator, category: str = "tweet_image", width: int = 1200, height: int = 628
) -> str:
    return add_ready_media(emulator.state, category, width, height).media_key


def _account_media(ads: AdsClient) -> list[dict]:
    return ads.get("account_media").json()["data"]


def test_add_image_to_library(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """``media_status`` of processed media is TRANSCODE_COMPLETED ("Video Views Pre-roll Objective" guide)."""
    media_key = _media(ads_api_emulator)
    response = ads.post(
        "media_library",
        params={"media_key": media_key, "name": "Latte", "file_name": "latte.jpeg", "title": "Morning"},
    )
    assert response.status_code == 201
    entry = response.json()["data"]
    assert entry["media_key"] == media_key
    assert entry["media_id"] == media_key.split("_", 1)[1]
    assert entry["media_type"] == "IMAGE"
    assert entry["media_category"] == "TWEET_IMAGE"
    assert entry["media_status"] == "TRANSCODE_COMPLETED"
    assert entry["media_url"].startswith("https://pbs.twimg.com/media/")
    assert (entry["name"], entry["file_name"], entry["title"], entry["description"]) == (
        "Latte",
        "latte.jpeg",
        "Morning",
        None,
    )
    assert entry["deleted"] is False and entry["created_at"] == entry["updated_at"]
    assert entry["aspect_ratio"] == "300:157"
    # 1200x628 matches no creative type: no account media.
    assert _account_media(ads) == []


def test_media_key_is_required(ads: AdsClient) -> None:
    assert error_of(ads.post("media_library", params={"name": "x"})) == (
        400,
        "MISSING_PARAMETER",
        "media_key",
    )


def test_unknown_media_key_is_400_invalid_media(ads: AdsClient) -> None:
    """ "Error codes and responses" (v12): a bad media key is 400 ``INVALID_MEDIA``."""
    response = ads.post("media_library", params={"media_key": "3_1029825579531807971"})
    assert error_of(response) == (400, "INVALID_MEDIA", "media_key")


def _insert(emulator: AdsApiEmulator, **fields: object) -> str:
    """A media record put straight into state, as the upload endpoints would leave it."""
    media_id = emulator.state.next_media_id()
    record = MediaRecord(
        media_id=media_id,
        media_key=f"13_{media_id}",
        media_category="amplify_video",
        media_type="video/mp4",
        total_bytes=1000,
        width=1280,
        height=720,
        needs_processing=True,
    )
    for name, value in fields.items():
        setattr(record, name, value)
    emulator.state.media[record.media_key] = record
    emulator.state.media_key_by_id[media_id] = record.media_key
    return record.media_key


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"finalized": False, "state": "pending"}, id="not-finalized"),
        pytest.param(
            {
                "finalized": True,
                "state": "pending",
                "processing_started_at": time.time(),
                "processing_seconds": 600,
            },
            id="pending",
        ),
        pytest.param(
            {
                "finalized": True,
                "state": "in_progress",
                "processing_started_at": time.time(),
                "processing_seconds": 600,
            },
            id="in-progress",
        ),
        pytest.param({"finalized": True, "state": "failed"}, id="failed"),
        pytest.param(
            {
                "finalized": True,
                "state": "in_progress",
                "processing_started_at": time.time() - 10,
                "processing_seconds": 1,
                "fail_processing": True,
            },
            id="failing-when-done",
        ),
    ],
)
def test_media_that_is_not_ready_is_refused(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, fields: dict
) -> None:
    media_key = _insert(ads_api_emulator, **fields)
    assert error_of(ads.post("media_library", params={"media_key": media_key})) == (
        400,
        "INVALID_MEDIA",
        "media_key",
    )
    assert ads_api_emulator.state.tables.get("media_library", {}) == {}
    assert _account_media(ads) == []


def test_media_whose_processing_time_has_passed_is_accepted(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    media_key = _insert(
        ads_api_emulator,
        finalized=True,
        state="in_progress",
        processing_started_at=time.time() - 10,
        processing_seconds=1,
    )
    response = ads.post("media_library", params={"media_key": media_key})
    assert response.status_code == 201
    assert response.json()["data"]["media_type"] == "VIDEO"


def test_poster_media_key_must_be_a_ready_image(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    video = _media(ads_api_emulator, "amplify_video", 1280, 720)
    gif = _media(ads_api_emulator, "tweet_gif", 480, 270)
    for poster in (gif, "3_1", _insert(ads_api_emulator, finalized=False)):
        response = ads.post("media_library", params={"media_key": video, "poster_media_key": poster})
        assert error_of(response) == (400, "INVALID_MEDIA", "poster_media_key")
    assert _account_media(ads) == []
    poster = _media(ads_api_emulator, "tweet_image", 1280, 720)
    entry = ads.post("media_library", params={"media_key": video, "poster_media_key": poster}).json()["data"]
    assert entry["poster_media_key"] == poster
    assert entry["poster_media_url"].startswith("https://pbs.twimg.com/media/")


@pytest.mark.parametrize("with_media_key", [False, True], ids=["no-media-key", "media-key"])
@pytest.mark.parametrize(("creative_type", "width", "height"), CREATIVE_SIZES)
def test_image_of_a_creative_size_creates_account_media(
    ads_api_emulator: AdsApiEmulator,
    ads: AdsClient,
    creative_type: str,
    width: int,
    height: int,
    with_media_key: bool,
) -> None:
    """Image account media: ``video_id`` null and a ``media_url`` (v12 reference, "Account Media").

    ``media_key`` follows the ``image_account_media_media_key`` switch: the "Identifying media" page
    lists it for account media in its table, while its prose and the creatives guide say account
    media images carry no media identifier.
    """
    ads_api_emulator.update_config(image_account_media_media_key=with_media_key)
    media_key = _media(ads_api_emulator, "tweet_image", width, height)
    assert ads.post("media_library", params={"media_key": media_key}).status_code == 201
    [account_media] = _account_media(ads)
    assert account_media["creative_type"] == creative_type
    assert account_media.get("media_key") == (media_key if with_media_key else None)
    assert ("media_key" in account_media) is with_media_key
    assert account_media["media_url"].startswith("https://pbs.twimg.com/media/")
    assert account_media["video_id"] is None


def test_image_account_media_media_key_is_off_by_default(ads_api_emulator: AdsApiEmulator) -> None:
    assert ads_api_emulator.config.image_account_media_media_key is False
    with pytest.raises(ValueError, match="must be true or false"):
        ads_api_emulator.update_config(image_account_media_media_key="yes")


@pytest.mark.parametrize(
    ("category", "width", "height"),
    [("tweet_image", 321, 50), ("tweet_image", 50, 320), ("tweet_gif", 320, 50), ("tweet_video", 1280, 720)],
)
def test_other_media_creates_no_account_media(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, category: str, width: int, height: int
) -> None:
    media_key = _media(ads_api_emulator, category, width, height)
    assert ads.post("media_library", params={"media_key": media_key}).status_code == 201
    assert _account_media(ads) == []


def test_amplify_video_creates_preroll_account_media(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    media_key = _media(ads_api_emulator, "amplify_video", 1280, 720)
    entry = ads.post("media_library", params={"media_key": media_key}).json()["data"]
    assert entry["media_type"] == "VIDEO" and entry["media_category"] == "AMPLIFY_VIDEO"
    [account_media] = _account_media(ads)
    assert account_media["creative_type"] == "PREROLL"
    # v12 reference, "Account Media": "video_id": "13_771791717175468032", "media_url": null.
    assert account_media["video_id"] == media_key and media_key.startswith("13_")
    assert account_media["media_url"] is None


def test_re_adding_returns_the_entry_but_creates_account_media_again(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient
) -> None:
    media_key = _media(ads_api_emulator, "tweet_image", 300, 250)
    first = ads.post("media_library", params={"media_key": media_key, "name": "first"})
    second = ads.post("media_library", params={"media_key": media_key, "name": "second"})
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["data"] == first.json()["data"]
    account_media = _account_media(ads)
    assert [am["creative_type"] for am in account_media] == ["MEDIUM_RECTANGLE", "MEDIUM_RECTANGLE"]
    assert len({am["id"] for am in account_media}) == 2
    assert {am["media_url"] for am in account_media} == {first.json()["data"]["media_url"]}


def test_library_list_filters(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    entries = {
        "image": ("tweet_image", {"name": "Summer Sale", "file_name": "sale.jpg"}),
        "gif": ("tweet_gif", {"name": "Spinner", "title": "Summer spinner"}),
        "video": ("amplify_video", {"name": "Teaser", "file_name": "SUMMER-teaser.mp4"}),
        "described": ("tweet_image", {"name": "Plain", "description": "A rooftop at dusk"}),
    }
    keys = {}
    for label, (category, details) in entries.items():
        keys[label] = _media(ads_api_emulator, category)
        assert ads.post("media_library", params={"media_key": keys[label], **details}).status_code == 201

    def listed(**params: str) -> list[str]:
        return [entry["media_key"] for entry in ads.get("media_library", params=params).json()["data"]]

    assert listed() == [keys["image"], keys["gif"], keys["video"], keys["described"]]
    assert listed(media_type="GIF") == [keys["gif"]]
    assert listed(media_type="VIDEO") == [keys["video"]]
    # v12 reference, "Media Library": q scopes by name, title, file_name and description.
    assert listed(q="rooftop") == [keys["described"]]
    assert listed(q="summer") == [keys["image"], keys["gif"], keys["video"]]
    assert listed(q="teaser") == [keys["video"]]
    assert listed(q="spin", media_type="GIF") == [keys["gif"]]
    assert listed(q="nothing") == []
    for bad in ("AUDIO", "image", "IMAGE,GIF"):
        response = ads.get("media_library", params={"media_type": bad})
        assert error_of(response) == (400, "INVALID_PARAMETER", "media_type")


def test_library_list_defaults_to_20(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    ads_api_emulator.seed_entities("media_library", 25)
    first = ads.get("media_library").json()
    assert len(first["data"]) == 20 and first["next_cursor"] is not None
    second = ads.get("media_library", params={"cursor": first["next_cursor"]}).json()
    assert len(second["data"]) == 5 and second["next_cursor"] is None


def test_get_update_delete_entry(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    media_key = _media(ads_api_emulator, "amplify_video")
    created = ads.post("media_library", params={"media_key": media_key, "name": "Draft"}).json()["data"]
    assert ads.get(f"media_library/{media_key}").json()["data"] == created

    poster = _media(ads_api_emulator, "tweet_image")
    updated = ads.put(
        f"media_library/{media_key}",
        params={"name": "Final", "description": "Launch teaser", "poster_media_key": poster},
    )
    assert updated.status_code == 200
    entry = updated.json()["data"]
    assert (entry["name"], entry["description"], entry["poster_media_key"]) == (
        "Final",
        "Launch teaser",
        poster,
    )
    assert entry["updated_at"] >= created["updated_at"]
    assert ads.get(f"media_library/{media_key}").json()["data"]["name"] == "Final"
    bad_poster = ads.put(f"media_library/{media_key}", params={"poster_media_key": media_key})
    assert error_of(bad_poster) == (400, "INVALID_MEDIA", "poster_media_key")

    deleted = ads.delete(f"media_library/{media_key}")
    assert deleted.status_code == 200 and deleted.json()["data"]["deleted"] is True
    assert error_of(ads.get(f"media_library/{media_key}")) == (404, "NOT_FOUND", "media_key")
    assert ads.get(f"media_library/{media_key}", params={"with_deleted": "true"}).json()["data"]["deleted"]
    assert error_of(ads.delete(f"media_library/{media_key}")) == (404, "NOT_FOUND", "media_key")
    assert error_of(ads.put(f"media_library/{media_key}", params={"name": "x"})) == (
        404,
        "NOT_FOUND",
        "media_key",
    )
    assert ads.get("media_library").json()["data"] == []
    # Adding it again after deletion makes a fresh entry.
    again = ads.post("media_library", params={"media_key": media_key})
    assert again.status_code == 201 and again.json()["data"]["deleted"] is False


def test_update_ignores_read_only_fields(ads_api_emulator: AdsApiEmulator, ads: AdsClient) -> None:
    """Read-only fields sent back on PUT are ignored, the writable ones applied.

    v12 reference, "Media Library": PUT lists name, title, description, file_name and
    poster_media_key only; the official SDK sends back the rest (aspect_ratio, created_at,
    media_url...), and works against the real API, so the API ignores them.
    """
    media_key = _media(ads_api_emulator, "tweet_image")
    created = ads.post("media_library", params={"media_key": media_key}).json()["data"]
    sent_back = {
        "name": "Renamed",
        "aspect_ratio": "1:1",
        "created_at": "2001-01-01T00:00:00Z",
        "media_url": "https://example.com/other.jpg",
        "media_type": "VIDEO",
        "deleted": "true",
    }
    response = ads.put(f"media_library/{media_key}", params=sent_back)
    assert response.status_code == 200
    entry = response.json()["data"]
    assert entry["name"] == "Renamed"
    for field in ("aspect_ratio", "created_at", "media_url", "media_type", "deleted", "media_key"):
        assert entry[field] == created[field], field


def test_unknown_entry_is_404(ads: AdsClient) -> None:
    assert error_of(ads.get("media_library/3_1")) == (404, "NOT_FOUND", "media_key")
    assert error_of(ads.delete("media_library/3_1")) == (404, "NOT_FOUND", "media_key")


@pytest.mark.parametrize(("method", "path"), [("GET", "media_library"), ("POST", "media_library")])
def test_library_does_not_exist_before_version_3(
    ads_api_emulator: AdsApiEmulator, ads: AdsClient, method: str, path: str
) -> None:
    """The media library arrived in v3 ("Versions" page); those old versions are served only on request."""
    ads_api_emulator.update_config(supported_versions=(2, 3, 11, 12))
    response = ads.request(method, path, version="2", params={"media_key": "3_1"})
    assert error_of(response)[:2] == (404, "ROUTE_NOT_FOUND")
    assert ads.request("GET", path, version="3").status_code == 200
