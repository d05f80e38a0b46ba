"""Pre-roll call-to-actions: ``accounts/:account_id/preroll_call_to_actions``.

v12 reference, "Preroll Call To Actions"; the line items they may belong to follow the
"Video Views Pre-roll Objective" guide (product_type MEDIA, objective PREROLL_VIEWS).
"""

from __future__ import annotations

from typing import Any

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid
from airflow_provider_twitter_ads.emulator.ads.models import (
    CALL_TO_ACTIONS,
    allows_preroll_cta,
    new_preroll_cta,
    stamp,
    url_param,
)
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    delete_response,
    entity_response,
    enum_value,
    find_entity,
    get_response,
    ids_filter,
    list_response,
    live_line_item,
    require_enum,
)
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState

KIND = "preroll_call_to_actions"
ID_NAME = "preroll_call_to_action_id"
FILTERS = (ids_filter("line_item_ids", "line_item_id"), ids_filter("preroll_call_to_action_ids", "id"))


def create_preroll_cta(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST preroll_call_to_actions`` on a MEDIA / PREROLL_VIEWS line item."""
    line_item_id = request.require("line_item_id")
    call_to_action = require_enum(request, "call_to_action", CALL_TO_ACTIONS)
    url = url_param("call_to_action_url", request.require("call_to_action_url"))
    line_item = live_line_item(state, line_item_id)
    if not allows_preroll_cta(line_item):
        raise invalid(
            "line_item_id",
            f"line_item_id {line_item_id!r} is {line_item['product_type']} / {line_item['objective']}; "
            "pre-roll call-to-actions need a MEDIA line item with objective PREROLL_VIEWS",
        )
    entity = new_preroll_cta(state, line_item_id, call_to_action, url, stamp(state))
    return entity_response(request, entity, 201)


def list_preroll_ctas(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET preroll_call_to_actions``."""
    return list_response(request, state, KIND, FILTERS)


def get_preroll_cta(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET preroll_call_to_actions/:preroll_call_to_action_id``."""
    return get_response(request, state, KIND, ID_NAME)


def update_preroll_cta(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``PUT preroll_call_to_actions/:id``: ``call_to_action`` and its URL; other fields are ignored."""
    entity = find_entity(state, KIND, request.path_params[ID_NAME], ID_NAME)
    changes: dict[str, Any] = {}
    call_to_action = request.param("call_to_action")
    if call_to_action is not None:
        changes["call_to_action"] = enum_value("call_to_action", call_to_action, CALL_TO_ACTIONS)
    url = request.param("call_to_action_url")
    if url is not None:
        changes["call_to_action_url"] = url_param("call_to_action_url", url)
    if changes:
        entity.update(changes, updated_at=stamp(state))
    return entity_response(request, entity)


def delete_preroll_cta(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``DELETE preroll_call_to_actions/:preroll_call_to_action_id``."""
    return delete_response(request, state, KIND, ID_NAME)
