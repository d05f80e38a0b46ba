"""
### Report on a line item each time a creative goes live on it

Scheduled on an Airflow Asset, not on a timer: the creative-live Asset of line item `8v7jo`
(`x-ads://ads-api.x.com/accounts/18ce54d4x5t/line_items/8v7jo`). The `attach_media_creative`
tasks of `twitter_ads_display_images` and `twitter_ads_preroll_video` update it, through the
`twitter_ads_creative_live` Asset alias, whenever they attach a media creative to that line item;
each update carries the ids it attached (`media_creative_ids`, `account_media_id`).

This DAG reads each media creative it is told about and returns its review and serving status.
Give it your own account and line item with `creative_live_asset(account_id, line_item_id)`, and
`ads_api_url=` when the connection points elsewhere than X.

Connection: `twitter_ads_default` (X Ads API).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

try:
    from airflow.sdk import DAG, Param, task
except ImportError:  # Airflow 2.10
    from airflow.decorators import task  # type: ignore[no-redef]
    from airflow.models.dag import DAG  # type: ignore[no-redef]
    from airflow.models.param import Param  # type: ignore[no-redef]

from airflow_provider_twitter_ads.lineage import creative_live_asset

# [START howto_creative_live_asset]
# The emulator's seeded account and its WEBSITE_CLICKS line item (make demo); use your own.
LAUNCH_LINE_ITEM = creative_live_asset("18ce54d4x5t", "8v7jo")
# [END howto_creative_live_asset]

with DAG(
    dag_id="twitter_ads_creative_live",
    description="Runs when a creative goes live on line item 8v7jo; reports each new media creative.",
    doc_md=__doc__,
    # [START howto_schedule_on_creative_live]
    schedule=[LAUNCH_LINE_ITEM],
    # [END howto_schedule_on_creative_live]
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["twitter_ads", "example", "asset"],
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    params={
        "twitter_ads_conn_id": Param(
            "twitter_ads_default", type="string", minLength=1, description="The twitter_ads connection."
        ),
    },
) as dag:

    @task
    def report_live_creatives(
        twitter_ads_conn_id: str, triggering_asset_events: Any = None, triggering_dataset_events: Any = None
    ) -> list[dict]:
        """Each media creative the triggering Asset events name, with its review and serving status."""
        from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook

        hook = AdsApiHook(twitter_ads_conn_id=twitter_ads_conn_id)
        # Airflow 2.10 names them dataset events.
        events = triggering_asset_events or triggering_dataset_events or {}
        found = []
        for event in events.get(LAUNCH_LINE_ITEM, []):
            extra = event.extra or {}
            for media_creative_id in extra.get("media_creative_ids", []):
                creative = hook.get_media_creative(media_creative_id, account_id=extra.get("account_id"))
                found.append(
                    {
                        "id": creative["id"],
                        "line_item_id": creative.get("line_item_id"),
                        "approval_status": creative.get("approval_status"),
                        "serving_status": creative.get("serving_status"),
                    }
                )
        return found

    report_live_creatives(twitter_ads_conn_id="{{ params.twitter_ads_conn_id }}")
