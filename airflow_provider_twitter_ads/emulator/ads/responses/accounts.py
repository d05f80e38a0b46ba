"""Accounts and campaigns (read-only)."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.ads.exceptions import account_not_found
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    entity_response,
    get_response,
    ids_filter,
    list_response,
)
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState


def list_accounts(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET accounts``."""
    return list_response(request, state, "accounts", [ids_filter("account_ids", "id")])


def get_account(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET accounts/:account_id``; an unknown account is 403 ``ACCOUNT_NOT_FOUND``."""
    account_id = request.path_params["account_id"]
    account = state.table("accounts").get(account_id)
    if account is None or account.get("deleted"):
        raise account_not_found(account_id)
    return entity_response(request, account)


def list_campaigns(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET accounts/:account_id/campaigns``."""
    return list_response(request, state, "campaigns", [ids_filter("campaign_ids", "id")])


def get_campaign(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET accounts/:account_id/campaigns/:campaign_id``."""
    return get_response(request, state, "campaigns", "campaign_id")
