"""Promotable users: ``accounts/:account_id/promotable_users`` (v12 reference, "Promotable Users")."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.ads.responses.common import get_response, ids_filter, list_response
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState

KIND = "promotable_users"
FILTERS = (ids_filter("promotable_user_ids", "id"),)


def list_promotable_users(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET promotable_users``."""
    return list_response(request, state, KIND, FILTERS)


def get_promotable_user(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET promotable_users/:promotable_user_id``."""
    return get_response(request, state, KIND, "promotable_user_id")
