"""Ads API endpoints (accounts, line items, media library, account media, media creatives)."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response, Router
from airflow_provider_twitter_ads.emulator.state import EmulatorState


def register(router: Router, state: EmulatorState) -> None:
    """Add the Ads API routes to ``router``."""

    def get_account(request: EmulatorRequest) -> Response:
        account = state.table("accounts").get(request.path_params["account_id"])
        return Response({"data": account, "request": {"params": request.path_params}})

    router.add("GET", "/{version}/accounts/{account_id}", get_account)


def seed(state: EmulatorState) -> None:
    """Fill an empty state with one account, its campaigns and line items."""
    state.table("accounts")[state.config.account_id] = {"id": state.config.account_id, "name": "Emulator"}
