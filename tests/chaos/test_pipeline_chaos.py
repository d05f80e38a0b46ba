"""Both pipelines, run again and again while the emulator injects seeded random faults.

Whatever the faults, afterwards: every asset reported done has exactly one media library entry,
one account media of its creative type and one media creative on its line item; every other asset
failed with the API's error; and no uploaded media holds bytes that differ from its S3 object.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .conftest import SLOW_SECONDS, chaos_runs
from .harness import (
    AssetOutcome,
    PipelineSettings,
    Totals,
    check_outcomes,
    make_assets,
    run_pipeline,
)

ERROR_STATUSES = (500, 502, 503, 504)
# Per-request probabilities. Every task is retried 3 times and every idempotent request 4 times,
# so at these rates nearly every asset gets through; the point is what the faults leave behind.
FAULT_RATES = {
    "error": 0.05,
    "html_error": 0.01,
    "rate_limit": 0.02,
    "slow": 0.015,
    "drop_before": 0.03,
    "drop_after": 0.04,
    "fail_processing": 0.03,
}


# Scripted faults make sure even a short run meets the worst cases once: a write whose response is
# lost (the client must look before writing again) and a video whose processing fails.
SCRIPTED_BY_RUN = {
    0: [
        {"kind": "drop_after", "method": "POST", "path": "/media_library$"},
        {"kind": "drop_after", "method": "POST", "path": "/media_creatives$"},
    ],
    1: [
        {"kind": "fail_processing", "method": "POST", "path": "/finalize$"},
        {"kind": "slow", "method": "POST", "path": "/media_creatives$", "options": {"seconds": 1.5}},
    ],
    2: [
        {"kind": "drop_after", "method": "POST", "path": "/finalize$"},
        {"kind": "drop_after", "method": "POST", "path": "/media_creatives$", "times": 2},
    ],
}


def fault_plan(run: int, seed: int) -> dict[str, Any]:
    """The run's fault plan: seeded random faults (each run varies the error status, reset headers),
    plus scripted ones in the first runs."""
    return {
        "scripted": SCRIPTED_BY_RUN.get(run, []),
        "random": {
            "rates": FAULT_RATES,
            "options": {
                "error": {"status": ERROR_STATUSES[run % len(ERROR_STATUSES)]},
                "html_error": {"status": 502},
                "rate_limit": {"with_reset": run % 2 == 0, "reset_in": 0.2},
                # Committed, then slow: the client times out on a write that happened.
                "slow": {"seconds": SLOW_SECONDS, "when": "after"},
            },
            "seed": seed * 1000 + run,
        },
    }


def run_chaos(
    emulator: AdsApiEmulator, s3_client: Any, bucket: str, runs: int, seed: int
) -> tuple[list[AssetOutcome], Totals, list[str]]:
    rng = random.Random(seed)
    settings = PipelineSettings(bucket=bucket)
    outcomes: list[AssetOutcome] = []
    for run in range(runs):
        assets = make_assets(run, rng, video_bytes=rng.randint(100_000, 200_000))
        for asset in assets:
            content_type = "video/mp4" if asset.pipeline == "preroll" else "image/png"
            s3_client.put_object(Bucket=bucket, Key=asset.s3_key, Body=asset.data, ContentType=content_type)
        emulator.faults.configure(fault_plan(run, seed))
        for asset in assets:
            outcomes.append(run_pipeline(asset, settings, run_id=f"chaos_{seed}_{run}"))
        emulator.faults.configure({})
    totals = Totals(runs=runs)
    totals.faults.update(emulator.faults.injected)
    problems = check_outcomes(emulator, outcomes, totals)
    return outcomes, totals, problems


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_pipelines_survive_random_faults(
    ads_api_emulator: AdsApiEmulator,
    chaos_connection: str,
    s3_client: Any,
    s3_bucket: str,
    chaos_totals: Totals,
    request: pytest.FixtureRequest,
    seed: int,
) -> None:
    runs = max(1, chaos_runs(request.config) // 2)
    outcomes, totals, problems = run_chaos(ads_api_emulator, s3_client, s3_bucket, runs, seed)
    chaos_totals.add(totals)

    assert not problems, "\n".join(problems)
    assert totals.duplicates == 0
    assert totals.lost == 0
    assert totals.done + totals.failed == len(outcomes) == 2 * runs
    # The run really was chaotic, and most assets still made it.
    assert sum(totals.faults.values()) > 0
    assert totals.done >= len(outcomes) // 2
