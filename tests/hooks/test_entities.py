"""The hook's entity methods over real HTTP: create, get, update, delete, and their input checks."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.emulator.ads import add_ready_media
from airflow_provider_twitter_ads.exceptions import (
    AdsApiBadRequestError,
    AdsApiNotFoundError,
    AdsApiResponseLostError,
)
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.utils.segments import BytesRangeReader

MakeHook = Callable[..., AdsApiHook]
Inject = Callable[..., None]


def _image_account_media(emulator: AdsApiEmulator) -> str:
    return emulator.seed_entities("account_media", 1)[0]["id"]


# -- line items and account override ------------------------------------------------------------------


def test_get_line_item(hook: AdsApiHook) -> None:
    line_item = hook.get_line_item("8v7jp")
    assert (line_item["objective"], line_item["campaign_id"]) == ("VIDEO_VIEWS", "8yn7m")


@pytest.mark.parametrize(
    "call",
    [
        lambda h: h.get_line_item("nope1"),
        lambda h: h.get_line_item("8v7js"),  # deleted
        lambda h: h.get_media_creative("nope1"),
        lambda h: h.get_account_media("nope1"),
        lambda h: h.get_media_library_entry("3_1029825579531807971"),
        lambda h: h.get_preroll_call_to_action("nope1"),
        lambda h: h.delete_media_creative("nope1"),
    ],
)
def test_missing_entities_are_not_found(hook: AdsApiHook, call: Callable[[AdsApiHook], object]) -> None:
    with pytest.raises(AdsApiNotFoundError) as info:
        call(hook)
    assert info.value.codes == ["NOT_FOUND"]


def test_account_id_argument_overrides_the_connection(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    with pytest.raises(AdsApiNotFoundError, match="GET accounts/other1/line_items/8v7jo failed with 404"):
        hook.get_line_item("8v7jo", account_id="other1")
    assert ads_api_emulator.api_requests()[0]["path"] == "/12/accounts/other1/line_items/8v7jo"


# -- media creatives ----------------------------------------------------------------------------------


def test_media_creative_lifecycle(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    account_media_id = _image_account_media(ads_api_emulator)
    created = hook.create_media_creative(account_media_id, "8v7jo", landing_url="https://example.com/shop")
    assert created["account_media_id"] == account_media_id
    assert created["landing_url"] == "https://example.com/shop"
    assert hook.get_media_creative(created["id"])["id"] == created["id"]
    deleted = hook.delete_media_creative(created["id"])
    assert deleted["deleted"] is True
    with pytest.raises(AdsApiNotFoundError):
        hook.get_media_creative(created["id"])
    posts = ads_api_emulator.api_requests("POST")
    assert posts[0]["query"] == {
        "account_media_id": account_media_id,
        "line_item_id": "8v7jo",
        "landing_url": "https://example.com/shop",
    }


def test_preroll_media_creative_needs_no_landing_url(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    preroll = ads_api_emulator.seed_entities("account_media", 1, creative_type="PREROLL")[0]["id"]
    created = hook.create_media_creative(preroll, "8v7jr")
    assert created["landing_url"] is None


def test_api_validation_errors_come_back_as_bad_request(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator
) -> None:
    with pytest.raises(AdsApiBadRequestError) as info:
        hook.create_media_creative(_image_account_media(ads_api_emulator), "8v7js", "https://example.com")
    assert info.value.errors[0]["parameter"] == "line_item_id"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"landing_url": "ftp://example.com"}, ValueError, "landing_url must be an absolute http(s) URL"),
        ({"landing_url": "example.com/x"}, ValueError, "landing_url must be an absolute http(s) URL"),
        ({"account_media_id": ""}, ValueError, "account_media_id must be a single non-empty id, got ''"),
        ({"line_item_id": "a,b"}, ValueError, "line_item_id must be a single non-empty id, got 'a,b'"),
        ({"line_item_id": None}, TypeError, "line_item_id must be a string id, got NoneType"),
    ],
)
def test_create_media_creative_checks_inputs_first(
    hook: AdsApiHook,
    ads_api_emulator: AdsApiEmulator,
    kwargs: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    arguments: dict[str, object] = {"account_media_id": "1abcd", "line_item_id": "8v7jo", **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        hook.create_media_creative(**arguments)  # type: ignore[arg-type]
    assert ads_api_emulator.api_requests() == []


@pytest.mark.parametrize(
    "call",
    [
        lambda h: h.get_media_creative("a/b"),
        lambda h: h.delete_account_media(""),
        lambda h: h.get_line_item("x?y"),
        lambda h: h.delete_preroll_call_to_action(".."),
    ],
)
def test_ids_in_paths_are_checked_first(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, call: Callable[[AdsApiHook], object]
) -> None:
    with pytest.raises(ValueError, match="must be a single non-empty id"):
        call(hook)
    assert ads_api_emulator.api_requests() == []


# -- account media ------------------------------------------------------------------------------------


def test_get_and_delete_account_media(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    account_media_id = _image_account_media(ads_api_emulator)
    assert hook.get_account_media(account_media_id)["creative_type"] == "MEDIUM_RECTANGLE"
    assert hook.delete_account_media(account_media_id)["deleted"] is True
    with pytest.raises(AdsApiNotFoundError):
        hook.delete_account_media(account_media_id)


def test_create_account_media_needs_api_version_4(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    with pytest.raises(
        ValueError, match="create_account_media needs api_version <= 4, the connection uses 12"
    ):
        hook.create_account_media("MEDIUM_RECTANGLE", media_id="1029825579531807971")
    assert ads_api_emulator.api_requests() == []


def test_create_account_media_on_version_4(make_hook: MakeHook, ads_api_emulator: AdsApiEmulator) -> None:
    hook = make_hook(api_version="4")
    image = add_ready_media(ads_api_emulator.state, "tweet_image", 300, 250)
    video = add_ready_media(ads_api_emulator.state, "amplify_video")
    banner = hook.create_account_media("MEDIUM_RECTANGLE", media_id=image.media_id)
    assert (banner["creative_type"], banner["media_key"]) == ("MEDIUM_RECTANGLE", image.media_key)
    preroll = hook.create_account_media("PREROLL", video_id=video.media_id)
    assert preroll["creative_type"] == "PREROLL"
    assert [r["path"] for r in ads_api_emulator.api_requests("POST")] == [
        "/4/accounts/18ce54d4x5t/account_media"
    ] * 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"creative_type": "BANNER"}, "needs exactly one of media_id and video_id"),
        (
            {"creative_type": "BANNER", "media_id": "1", "video_id": "2"},
            "needs exactly one of media_id and video_id",
        ),
        ({"creative_type": "PREROLL", "media_id": "1"}, "creative_type PREROLL needs video_id, not media_id"),
        ({"creative_type": "BANNER", "video_id": "1"}, "creative_type BANNER needs media_id, not video_id"),
        ({"creative_type": "SKYSCRAPER", "media_id": "1"}, "creative_type must be one of"),
    ],
)
def test_create_account_media_checks_inputs_first(
    make_hook: MakeHook, ads_api_emulator: AdsApiEmulator, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make_hook(api_version="4").create_account_media(**kwargs)
    assert ads_api_emulator.api_requests() == []


# -- media library ------------------------------------------------------------------------------------


def test_media_library_lifecycle(hook: AdsApiHook, ads_api_emulator: AdsApiEmulator) -> None:
    image = add_ready_media(ads_api_emulator.state, "tweet_image", 320, 50)
    entry = hook.add_to_media_library(image.media_key, name="Spring banner", file_name="spring.png")
    assert (entry["media_key"], entry["media_type"], entry["name"]) == (
        image.media_key,
        "IMAGE",
        "Spring banner",
    )
    # Adding a banner-sized image created its account media too.
    created = [
        e for e in ads_api_emulator.state.table("account_media").values() if e["media_key"] == image.media_key
    ]
    assert [e["creative_type"] for e in created] == ["BANNER"]
    assert hook.get_media_library_entry(image.media_key)["file_name"] == "spring.png"
    updated = hook.update_media_library_entry(image.media_key, title="Spring", description="Launch")
    assert (updated["title"], updated["description"], updated["name"]) == (
        "Spring",
        "Launch",
        "Spring banner",
    )
    assert hook.delete_media_library_entry(image.media_key)["deleted"] is True
    with pytest.raises(AdsApiNotFoundError):
        hook.get_media_library_entry(image.media_key)


def test_media_library_add_is_not_resent_after_a_lost_response(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, inject: Inject
) -> None:
    image = add_ready_media(ads_api_emulator.state, "tweet_image", 320, 50)
    inject("drop_after", method="POST", path="/media_library$")
    with pytest.raises(AdsApiResponseLostError):
        hook.add_to_media_library(image.media_key)
    assert len(ads_api_emulator.api_requests("POST")) == 1
    # Resending would have created the BANNER account media a second time.
    created = [
        e for e in ads_api_emulator.state.table("account_media").values() if e["media_key"] == image.media_key
    ]
    assert len(created) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h: h.add_to_media_library("abc"), "media_key must look like '<prefix>_<media id>'"),
        (
            lambda h: h.add_to_media_library("3_1029825579531807971", poster_media_key="x"),
            "poster_media_key must look like",
        ),
        (lambda h: h.get_media_library_entry("3-1"), "media_key must look like"),
        (
            lambda h: h.update_media_library_entry("3_1029825579531807971"),
            "update_media_library_entry needs at least one field",
        ),
        (lambda h: h.delete_media_library_entry(""), "media_key must look like"),
    ],
)
def test_media_library_checks_inputs_first(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, call: Callable[[AdsApiHook], object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call(hook)
    assert ads_api_emulator.api_requests() == []


# -- preroll call-to-actions --------------------------------------------------------------------------


def test_preroll_call_to_action_lifecycle(hook: AdsApiHook) -> None:
    created = hook.create_preroll_call_to_action("8v7jr", "WATCH_NOW", "https://example.com/watch")
    assert (created["line_item_id"], created["call_to_action"]) == ("8v7jr", "WATCH_NOW")
    assert hook.get_preroll_call_to_action(created["id"])["call_to_action_url"] == "https://example.com/watch"
    updated = hook.update_preroll_call_to_action(created["id"], call_to_action="SHOP")
    assert (updated["call_to_action"], updated["call_to_action_url"]) == ("SHOP", "https://example.com/watch")
    updated = hook.update_preroll_call_to_action(created["id"], call_to_action_url="https://example.com/buy")
    assert updated["call_to_action_url"] == "https://example.com/buy"
    assert hook.delete_preroll_call_to_action(created["id"])["deleted"] is True


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda h: h.create_preroll_call_to_action("8v7jr", "BUY", "https://example.com"),
            "call_to_action must be one of GO_TO, SEE_MORE, SHOP, VISIT_SITE, WATCH_NOW, got 'BUY'",
        ),
        (
            lambda h: h.create_preroll_call_to_action("8v7jr", "SHOP", "www.example.com"),
            "call_to_action_url must be an absolute http(s) URL",
        ),
        (
            lambda h: h.update_preroll_call_to_action("abc12"),
            "update_preroll_call_to_action needs call_to_action or call_to_action_url",
        ),
        (
            # Case does not matter (vocabulary.check_call_to_action, as for the operators); BUY is no value.
            lambda h: h.update_preroll_call_to_action("abc12", call_to_action="buy"),
            "call_to_action must be one of",
        ),
    ],
)
def test_preroll_call_to_action_checks_inputs_first(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, call: Callable[[AdsApiHook], object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call(hook)
    assert ads_api_emulator.api_requests() == []


# -- upload delegation --------------------------------------------------------------------------------


@pytest.mark.parametrize("upload_api", ["v2", "v1.1"])
def test_upload_media_and_status_delegate_to_media_upload(
    hook: AdsApiHook, ads_api_emulator: AdsApiEmulator, upload_api: str
) -> None:
    image = samples.png(300, 250)
    uploaded = hook.upload_media(
        BytesRangeReader(image), len(image), "image/png", "tweet_image", upload_api=upload_api
    )
    assert uploaded["media_key"] == f"3_{uploaded['media_id']}"
    assert ads_api_emulator.state.media[uploaded["media_key"]].total_bytes == len(image)
    status = hook.get_upload_status(uploaded["media_id"], upload_api=upload_api)
    assert status == {
        "media_id": uploaded["media_id"],
        "media_key": uploaded["media_key"],
        "processing_info": None,
    }
