"""Cards: ``accounts/:account_id/cards`` (v12 reference, "Cards"; the "Carousels" guide).

Creates and updates take a JSON body (``name``, ``components``); ``slides`` are not served.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_twitter_ads.emulator.ads.cards import card_name, check_components, new_card
from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid
from airflow_provider_twitter_ads.emulator.ads.models import stamp
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    delete_response,
    entity_response,
    find_entity,
    get_response,
    ids_filter,
    list_response,
    text_filter,
)
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState

KIND = "cards"
ID_NAME = "card_id"
CARDS_DEFAULT_COUNT, CARDS_MAX_COUNT = 100, 200
FILTERS = (
    ids_filter("card_ids", "id"),
    ids_filter("card_uris", "card_uri"),
    text_filter("q", ("name",)),
)


def _json_body(request: EmulatorRequest) -> dict[str, Any]:
    if not isinstance(request.json, dict):
        raise invalid("body", "cards take a JSON object body (Content-Type: application/json)")
    if "slides" in request.json:
        raise invalid("slides", "slides are not served by the emulator; give components")
    return request.json


def create_card(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST cards``: every call creates a new card, whatever its name."""
    body = _json_body(request)
    name = card_name(body.get("name"))
    components, card_type = check_components(state, body.get("components"))
    entity = new_card(state, name, components, card_type, stamp(state))
    return entity_response(request, entity, 201)


def list_cards(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET cards``: ``card_ids``, ``card_uris`` and ``q`` (a name search)."""
    return list_response(
        request, state, KIND, FILTERS, default_count=CARDS_DEFAULT_COUNT, max_count=CARDS_MAX_COUNT
    )


def get_card(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET cards/:card_id``."""
    return get_response(request, state, KIND, ID_NAME)


def update_card(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``PUT cards/:card_id``: ``name`` and ``components`` (replaced whole); other fields are ignored."""
    card = find_entity(state, KIND, request.path_params[ID_NAME], ID_NAME)
    body = _json_body(request)
    changes: dict[str, Any] = {}
    if "name" in body:
        changes["name"] = card_name(body["name"])
    if "components" in body:
        changes["components"], changes["card_type"] = check_components(state, body["components"])
    if changes:
        card.update(changes, updated_at=stamp(state))
    return entity_response(request, card)


def delete_card(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``DELETE cards/:card_id``."""
    return delete_response(request, state, KIND, ID_NAME)
