"""Handlers are plain functions of a request and the state: callable without a server."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.emulator.ads import seed as ads_seed
from airflow_provider_twitter_ads.emulator.ads import urls as ads_urls
from airflow_provider_twitter_ads.emulator.ads.responses import line_items, media_creatives, media_library
from airflow_provider_twitter_ads.emulator.control import urls as control_urls
from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Router
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig, EmulatorState
from airflow_provider_twitter_ads.emulator.upload import responses as upload_responses
from airflow_provider_twitter_ads.emulator.upload import urls as upload_urls
from airflow_provider_twitter_ads.emulator.upload.seed import add_ready_media


@pytest.fixture
def state() -> EmulatorState:
    state = EmulatorState(EmulatorConfig())
    ads_seed.seed(state)
    return state


def _request(method: str, query: dict[str, str] | None = None, **path_params: str) -> EmulatorRequest:
    params = {"version": "12", "account_id": EmulatorConfig().account_id, **path_params}
    return EmulatorRequest(method, "/", dict(query or {}), {}, b"", path_params=params)


def test_a_read_handler_alone(state: EmulatorState) -> None:
    response = line_items.get_line_item(_request("GET", line_item_id="8v7jr"), state)
    assert response.status == 200
    assert response.body["data"]["product_type"] == "MEDIA"
    assert response.body["request"]["params"] == {"account_id": "18ce54d4x5t", "line_item_id": "8v7jr"}


def test_a_write_handler_alone(state: EmulatorState) -> None:
    record = add_ready_media(state, "tweet_image", 300, 250)
    added = media_library.add_to_library(_request("POST", {"media_key": record.media_key}), state)
    assert added.status == 201
    [account_media] = state.table("account_media").values()
    query = {"account_media_id": account_media["id"], "line_item_id": "8v7jq"}
    created = media_creatives.create_media_creative(_request("POST", query), state)
    assert created.status == 201
    assert created.body["data"]["creative_type"] == "MEDIUM_RECTANGLE"
    assert list(state.table("media_creatives")) == [created.body["data"]["id"]]


def test_a_handler_raises_the_documented_error(state: EmulatorState) -> None:
    with pytest.raises(ApiError) as info:
        media_creatives.get_media_creative(_request("GET", media_creative_id="nope"), state)
    assert (info.value.status, info.value.code, info.value.parameter) == (
        404,
        "MEDIA_CREATIVE_NOT_FOUND",
        "media_creative_id",
    )


def test_an_upload_handler_alone(state: EmulatorState) -> None:
    query = {"total_bytes": "10", "media_type": "video/mp4", "media_category": "amplify_video"}
    response = upload_responses.v2_initialize(_request("POST", query), state)
    assert response.status == 200
    assert response.body["data"]["media_key"].startswith("13_")


def test_route_tables_have_one_route_per_method_and_path(state: EmulatorState) -> None:
    router = Router()
    ads_urls.register(router, state)
    upload_urls.register(router, state)
    control_urls.register(router, object())  # type: ignore[arg-type]
    keys = [(route.method, route.pattern.pattern) for route in router.routes]
    assert len(keys) == len(set(keys))
    controls = [route for route in router.routes if route.control]
    assert {route.pattern.pattern for route in controls} == {
        f"^/_emulator{url.template}$" for url in control_urls.URLS
    }
    assert all(not route.authenticated for route in controls)
