"""Clearing finished tasks and running them again (same upstream XComs) creates nothing new."""

from __future__ import annotations

import random
from typing import Any

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor

from .harness import PipelineSettings, check_outcomes, make_assets, run_pipeline, run_task

CREATED_KINDS = ("media_library", "account_media", "media_creatives", "preroll_call_to_actions")


def entity_ids(emulator: AdsApiEmulator) -> dict[str, list[str]]:
    with emulator.state.lock:
        return {kind: sorted(emulator.state.table(kind)) for kind in CREATED_KINDS}


def test_rerunning_the_downstream_tasks_of_a_done_run_creates_nothing(
    ads_api_emulator: AdsApiEmulator, chaos_connection: str, s3_client: Any, s3_bucket: str
) -> None:
    assets = make_assets(
        0,
        random.Random(11),
        video_bytes=60_000,
        display_line_items=["8v7jo", "8v7jq"],
        call_to_action=("SEE_MORE", "https://example.com/more"),
    )
    outcomes = []
    for asset in assets:
        s3_client.put_object(Bucket=s3_bucket, Key=asset.s3_key, Body=asset.data)
        outcomes.append(run_pipeline(asset, PipelineSettings(bucket=s3_bucket)))
    assert all(outcome.done for outcome in outcomes)
    before = entity_ids(ads_api_emulator)

    # Cleared and run again, twice, with lost responses on the reads the tasks make first.
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "GET", "path": "/accounts/", "times": 6}]}
    )
    for _ in range(2):
        for outcome in outcomes:
            asset = outcome.asset
            reruns = [
                run_task(
                    "account_media",
                    lambda asset=asset, outcome=outcome: CreateAccountMediaOperator(
                        task_id="account_media",
                        media_key=outcome.upload,
                        creative_type="PREROLL" if asset.pipeline == "preroll" else None,
                        retries=3,
                    ),
                ),
                run_task(
                    "media_creative",
                    lambda asset=asset, outcome=outcome: AttachMediaCreativeOperator(
                        task_id="media_creative",
                        account_media_id=outcome.account_media,
                        line_item_id=asset.line_item_id,
                        landing_url=asset.landing_url,
                        call_to_action=asset.call_to_action[0] if asset.call_to_action else None,
                        call_to_action_url=asset.call_to_action[1] if asset.call_to_action else None,
                        retries=3,
                    ),
                ),
            ]
            if asset.pipeline == "preroll":
                reruns.append(
                    run_task(
                        "wait_for_processing",
                        lambda outcome=outcome: VideoProcessingSensor(
                            task_id="wait",
                            media_id=outcome.upload,
                            mode="poke",
                            deferrable=False,
                            poke_interval=0.2,
                            min_poke_interval=0.05,
                            retries=3,
                        ),
                    )
                )
            assert all(run.ok for run in reruns), [run.error for run in reruns]
            assert reruns[0].result["id"] == outcome.account_media["id"]
            assert [c["id"] for c in outcome.creatives] == [
                c["id"]
                for c in (reruns[1].result if isinstance(reruns[1].result, list) else [reruns[1].result])
            ]

    assert ads_api_emulator.faults.injected["drop_after"] == 6
    assert entity_ids(ads_api_emulator) == before
    assert check_outcomes(ads_api_emulator, outcomes) == []
