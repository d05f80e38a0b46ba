"""Provider metadata read by Airflow's ProvidersManager through the entry point."""

from __future__ import annotations

from typing import Any

from airflow_provider_twitter_ads import __version__

INTEGRATION = "X (Twitter) Ads API"


def get_provider_info() -> dict[str, Any]:
    """Return the provider's name, versions, connection type, hooks, operators, sensors and triggers."""
    return {
        "package-name": "airflow-provider-twitter-ads",
        "name": "X (Twitter) Ads",
        "description": "Upload creative media from S3 to the X (Twitter) Ads API and put it on line items: media "
        "creatives, or cards and posts promoted on a line item.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://developer.x.com/en/docs/x-ads-api",
                "tags": ["service"],
            }
        ],
        "connection-types": [
            {
                "connection-type": "twitter_ads",
                "hook-class-name": "airflow_provider_twitter_ads.hooks.ads_api.AdsApiHook",
                "hook-name": "X (Twitter) Ads API",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port", "host", "extra"],
                    "relabeling": {"login": "Consumer (API) key", "password": "Consumer (API) secret"},
                    "placeholders": {
                        "account_id": "18ce54d4x5t",
                        "api_version": "12",
                        "ads_api_url": "https://ads-api.x.com",
                        "upload_api_url": "https://api.x.com",
                        "timeout": "60",
                        "upload_api": "v2",
                    },
                },
                "conn-fields": {
                    "access_token": {
                        "label": "Access token",
                        "schema": {"type": ["string", "null"]},
                    },
                    "access_token_secret": {
                        "label": "Access token secret",
                        "schema": {"type": ["string", "null"], "format": "password"},
                    },
                    "account_id": {
                        "label": "Default ads account id",
                        "schema": {"type": ["string", "null"]},
                    },
                    "api_version": {
                        "label": "Ads API version",
                        # A number, not "12": Airflow hands every string extra to the secret masker, which
                        # warns for each one shorter than 5 characters.
                        "schema": {"type": ["integer", "null"], "default": 12},
                    },
                    "ads_api_url": {
                        "label": "Ads API base URL",
                        "schema": {"type": ["string", "null"], "default": "https://ads-api.x.com"},
                    },
                    "upload_api_url": {
                        "label": "Media upload base URL",
                        "schema": {"type": ["string", "null"], "default": "https://api.x.com"},
                    },
                    "upload_api": {
                        "label": "Media upload API version",
                        # No default stored: empty means v2, and a short string would make the masker warn.
                        "schema": {"type": ["string", "null"], "enum": ["v2", "v1.1", None]},
                    },
                    "timeout": {
                        "label": "Request timeout (seconds)",
                        "schema": {"type": ["number", "null"], "default": 60},
                    },
                },
            }
        ],
        "hooks": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [
                    "airflow_provider_twitter_ads.hooks.ads_api",
                    "airflow_provider_twitter_ads.hooks.ads_api_async",
                ],
            }
        ],
        "operators": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [
                    "airflow_provider_twitter_ads.operators.upload",
                    "airflow_provider_twitter_ads.operators.account_media",
                    "airflow_provider_twitter_ads.operators.media_creative",
                    "airflow_provider_twitter_ads.operators.card",
                    "airflow_provider_twitter_ads.operators.tweet",
                    "airflow_provider_twitter_ads.operators.promoted_tweet",
                    "airflow_provider_twitter_ads.operators.creative_live",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": INTEGRATION,
                "python-modules": ["airflow_provider_twitter_ads.sensors.processing"],
            }
        ],
        "triggers": [
            {
                "integration-name": INTEGRATION,
                "python-modules": ["airflow_provider_twitter_ads.triggers.processing"],
            }
        ],
    }
