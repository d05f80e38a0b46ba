"""Line items: ``accounts/:account_id/line_items`` (v12 reference, "Line Items").

A missing or deleted line item is 404 with ``config.line_item_not_found_code``: the documented
``LINE_ITEM_NOT_FOUND`` unless the configuration asks for the generic ``NOT_FOUND``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid
from airflow_provider_twitter_ads.emulator.ads.models import iso_time, stamp
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    delete_response,
    entity_response,
    enum_value,
    find_entity,
    get_response,
    ids_filter,
    list_response,
)
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState

KIND = "line_items"
ID_NAME = "line_item_id"
FILTERS = (ids_filter("line_item_ids", "id"), ids_filter("campaign_ids", "campaign_id"))
ENTITY_STATUSES = ("ACTIVE", "PAUSED")
_AMOUNTS = ("bid_amount_local_micro", "total_budget_amount_local_micro", "daily_budget_amount_local_micro")
_TIMES = ("start_time", "end_time")
# Writable in the reference's PUT but not emulated: refused rather than ignored, so a test that
# sets one does not pass against a line item that never changed.
NOT_EMULATED = (
    "advertiser_domain",
    "advertiser_user_id",
    "android_app_store_identifier",
    "audience_expansion",
    "bid_strategy",
    "categories",
    "duration_in_days",
    "frequency_cap",
    "goal",
    "ios_app_store_identifier",
    "pay_by",
)


def list_line_items(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET line_items``: ``line_item_ids`` and ``campaign_ids`` filters."""
    return list_response(request, state, KIND, FILTERS)


def get_line_item(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET line_items/:line_item_id``."""
    return get_response(request, state, KIND, ID_NAME)


def update_line_item(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``PUT line_items/:line_item_id``: ``name``, ``entity_status``, the bid and budget amounts and
    the flight times. Every value is checked before any is applied; read-only fields are ignored."""
    line_item = find_entity(state, KIND, request.path_params[ID_NAME], ID_NAME)
    for name in NOT_EMULATED:
        if request.param(name) is not None:
            raise invalid(name, f"{name} can not be updated on the emulator (not emulated)")
    changes: dict[str, Any] = {}
    name = request.param("name")
    if name is not None:
        if not name.strip():
            raise invalid("name", "name must not be empty")
        changes["name"] = name
    status = request.param("entity_status")
    if status is not None:
        changes["entity_status"] = enum_value("entity_status", status, ENTITY_STATUSES)
    for field in _AMOUNTS:
        value = request.param(field)
        if value is not None:
            changes[field] = _positive_micro(field, value)
    for field in _TIMES:
        value = request.param(field)
        if value is not None:
            changes[field] = _time(field, value)
    daily = changes.get("daily_budget_amount_local_micro", line_item.get("daily_budget_amount_local_micro"))
    total = changes.get("total_budget_amount_local_micro", line_item.get("total_budget_amount_local_micro"))
    if daily is not None and total is not None and daily > total:
        raise invalid(
            "daily_budget_amount_local_micro",
            f"daily_budget_amount_local_micro {daily} is over total_budget_amount_local_micro {total}",
        )
    if changes:
        line_item.update(changes, updated_at=stamp(state))
    return entity_response(request, line_item)


def delete_line_item(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``DELETE line_items/:line_item_id``; deleting it again is the line item 404 (the reference)."""
    return delete_response(request, state, KIND, ID_NAME)


def _positive_micro(name: str, value: str) -> int:
    """A long above zero ("Only values greater than zero are accepted")."""
    if not re.fullmatch(r"[0-9]+", value) or int(value) <= 0:
        raise invalid(name, f"{name} must be an integer above 0, got {value!r}")
    return int(value)


def _time(name: str, value: str) -> str:
    """An ISO 8601 time with a time zone, stored as ``2026-03-05T00:00:00Z``."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid(name, f"Expected time, got {value!r} for {name}")
    return iso_time(moment.timestamp())
