"""Media creatives: ``accounts/:account_id/media_creatives`` (v12 reference, "Media Creatives")."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.ads.models import new_media_creative, stamp, url_param
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    ListFilter,
    Predicate,
    delete_response,
    entity_response,
    get_response,
    ids_filter,
    list_response,
    live_line_item,
    live_reference,
    optional_param,
)
from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState

KIND = "media_creatives"


def create_media_creative(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST media_creatives``: every call creates a new creative."""
    account_media_id = request.require("account_media_id")
    line_item_id = request.require("line_item_id")
    account_media = live_reference(state, "account_media", account_media_id, "account_media_id")
    line_item = live_line_item(state, line_item_id)
    landing_url = optional_param(request, "landing_url")
    if account_media["creative_type"] == "PREROLL":
        landing_url = None  # preroll creatives take their link from the call-to-action
    elif landing_url is not None:
        url_param("landing_url", landing_url)
    elif line_item["objective"] == "WEBSITE_CLICKS":
        raise ApiError(
            400,
            "MISSING_PARAMETER",
            f"landing_url is required for WEBSITE_CLICKS line item {line_item_id!r}",
            "landing_url",
        )
    entity = new_media_creative(state, account_media, line_item_id, landing_url, stamp(state))
    return entity_response(request, entity, 201)


def list_media_creatives(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET media_creatives``: ``campaign_id``, ``line_item_ids`` and ``media_creative_ids`` filters."""
    line_items = state.table("line_items")

    def campaign_filter(value: str) -> Predicate:
        return lambda entity: line_items.get(entity["line_item_id"], {}).get("campaign_id") == value

    filters = (
        ListFilter("campaign_id", campaign_filter),
        ids_filter("line_item_ids", "line_item_id"),
        ids_filter("media_creative_ids", "id"),
    )
    return list_response(request, state, KIND, filters)


def get_media_creative(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET media_creatives/:media_creative_id``."""
    return get_response(request, state, KIND, "media_creative_id")


def delete_media_creative(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``DELETE media_creatives/:media_creative_id``."""
    return delete_response(request, state, KIND, "media_creative_id")
