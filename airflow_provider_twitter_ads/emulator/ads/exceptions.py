"""Ads API errors with the codes of the "Error codes and responses" page of the v12 reference.

https://docs.x.com/x-ads-api/fundamentals/error-codes-and-responses
"""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.core import ApiError
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig

#: The documented not-found code per entity kind; kinds without one use the generic NOT_FOUND.
#: Line items answer ``config.line_item_not_found_code`` (documented ``LINE_ITEM_NOT_FOUND``, or
#: the generic code the real API was seen answering).
NOT_FOUND_CODES = {
    "account_media": "ACCOUNT_MEDIA_NOT_FOUND",
    "campaigns": "CAMPAIGN_NOT_FOUND",
    "cards": "CARD_NOT_FOUND",
    "media_creatives": "MEDIA_CREATIVE_NOT_FOUND",
    "promotable_users": "PROMOTABLE_USER_NOT_FOUND",
    "promoted_tweets": "PROMOTED_TWEET_NOT_FOUND",
    "tweets": "TWEET_NOT_FOUND",
}


def invalid(parameter: str, message: str) -> ApiError:
    """400 ``INVALID_PARAMETER``."""
    return ApiError(400, "INVALID_PARAMETER", message, parameter)


def invalid_media(parameter: str, message: str) -> ApiError:
    """400 ``INVALID_MEDIA``: a media key that names no usable media."""
    return ApiError(400, "INVALID_MEDIA", message, parameter)


def not_found(config: EmulatorConfig, kind: str, parameter: str, entity_id: str) -> ApiError:
    """404 with the kind's documented code; for line items, the one ``config`` chooses."""
    code = NOT_FOUND_CODES.get(kind, "NOT_FOUND")
    if kind == "line_items":
        code = config.line_item_not_found_code
    return ApiError(404, code, f"{parameter} {entity_id!r} was not found", parameter)


def account_not_found(account_id: str) -> ApiError:
    """403 ``ACCOUNT_NOT_FOUND``: the documented status for an account the user cannot reach."""
    return ApiError(403, "ACCOUNT_NOT_FOUND", f"account_id {account_id!r} was not found", "account_id")
