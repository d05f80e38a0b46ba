"""Both pipelines, run again and again while the emulator injects seeded random faults.

Whatever the faults, afterwards: every asset reported done has exactly one media library entry,
one account media of its creative type and one media creative on its line item; every other asset
failed with the API's error; and no uploaded media holds bytes that differ from its S3 object.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .conftest import CLIENT_TIMEOUT, SLOW_SECONDS, chaos_runs
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


# CHAOS_RATE_SCALE=3 triples every rate, for a harsher long run.
RATE_SCALE = float(os.environ.get("CHAOS_RATE_SCALE", "1"))

# Scripted faults make sure even a short run meets the worst cases once: a write whose response is
# lost (the client must look before writing again) and a video whose processing fails.
SCRIPTED_BY_RUN = {
    0: [
        {"kind": "drop_after", "method": "POST", "path": "/preroll_call_to_actions$"},
        {"kind": "drop_after", "method": "POST", "path": "/media_library$"},
        {"kind": "drop_after", "method": "POST", "path": "/media_creatives$"},
    ],
    1: [
        {"kind": "fail_processing", "method": "POST", "path": "/finalize$"},
        {"kind": "slow", "method": "POST", "path": "/media_creatives$", "options": {"seconds": SLOW_SECONDS}},
    ],
    2: [
        {"kind": "drop_after", "method": "POST", "path": "/finalize$"},
        {"kind": "drop_after", "method": "POST", "path": "/media_creatives$", "times": 2},
        {"kind": "drop_after", "method": "PUT", "path": "/preroll_call_to_actions/"},
    ],
}


def fault_plan(run: int, seed: int, extra: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """The run's fault plan: seeded random faults (each run varies the error status, reset headers),
    plus scripted ones in the first runs."""
    return {
        "scripted": [*extra, *SCRIPTED_BY_RUN.get(run, [])],
        "random": {
            "rates": {kind: rate * RATE_SCALE for kind, rate in FAULT_RATES.items()},
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


@dataclass(frozen=True)
class Variant:
    """How a chaos test's pipelines talk to the API."""

    seed: int
    upload_api: str = "v2"
    api_version: str = "12"
    max_parallel_segments: int = 1
    # Short upload sessions make slow faults expire them: the upload must start a new session.
    upload_expires_after_secs: int | None = None
    # Added to the first run's scripted faults.
    first_run_faults: tuple[dict[str, Any], ...] = ()
    # Attach the image to several line items; set a call-to-action on the video's line item, a
    # different one each run (the first run creates it, later ones update it).
    display_line_items: tuple[str, ...] | None = None
    calls_to_action: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        expiry = f"-expires{self.upload_expires_after_secs}s" if self.upload_expires_after_secs else ""
        extras = "-multi-line-items-cta" if self.display_line_items or self.calls_to_action else ""
        return (
            f"seed{self.seed}-upload{self.upload_api}-ads{self.api_version}-parallel{self.max_parallel_segments}"
            f"{expiry}{extras}"
        )


VARIANTS = [
    Variant(seed=1),
    Variant(
        seed=2,
        upload_api="v1.1",
        max_parallel_segments=3,
        display_line_items=("8v7jo", "8v7jq"),
        calls_to_action=(("WATCH_NOW", "https://example.com/watch"), ("SHOP", "https://example.com/shop")),
    ),
    # API version 4 has no media library: account media is created with POST account_media.
    Variant(
        seed=3,
        api_version="4",
        max_parallel_segments=2,
        upload_expires_after_secs=2,
        # Four slow APPENDs outlast the 2 s session.
        first_run_faults=(
            {
                "kind": "slow",
                "method": "POST",
                "path": "/append$",
                "times": 3,
                "options": {"seconds": SLOW_SECONDS},
            },
        ),
    ),
]


def run_chaos(
    emulator: AdsApiEmulator, s3_client: Any, bucket: str, runs: int, variant: Variant
) -> tuple[list[AssetOutcome], Totals, list[str]]:
    seed = variant.seed
    rng = random.Random(seed)
    settings = PipelineSettings(
        bucket=bucket, max_parallel_segments=variant.max_parallel_segments, upload_api=variant.upload_api
    )
    outcomes: list[AssetOutcome] = []
    for run in range(runs):
        assets = make_assets(
            run,
            rng,
            video_bytes=rng.randint(100_000, 200_000),
            display_line_items=list(variant.display_line_items) if variant.display_line_items else None,
            call_to_action=variant.calls_to_action[run % 2] if variant.calls_to_action else None,
        )
        for asset in assets:
            content_type = "video/mp4" if asset.pipeline == "preroll" else "image/png"
            s3_client.put_object(Bucket=bucket, Key=asset.s3_key, Body=asset.data, ContentType=content_type)
        emulator.faults.configure(fault_plan(run, seed, variant.first_run_faults if run == 0 else ()))
        for asset in assets:
            outcomes.append(run_pipeline(asset, settings, run_id=f"chaos_{seed}_{run}"))
        emulator.faults.configure({})
    totals = Totals(runs=runs)
    totals.faults.update(emulator.faults.injected)
    problems = check_outcomes(emulator, outcomes, totals, media_library=int(variant.api_version) >= 5)
    return outcomes, totals, problems


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS, ids=[v.id for v in VARIANTS])
def test_pipelines_survive_random_faults(
    ads_api_emulator: AdsApiEmulator,
    chaos_connection: str,
    s3_client: Any,
    s3_bucket: str,
    chaos_totals: Totals,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    variant: Variant,
) -> None:
    if int(variant.api_version) not in ads_api_emulator.config.supported_versions:
        # Versions: only 11 and 12 are live; the emulator serves an end-of-life one for this run.
        ads_api_emulator.update_config(
            supported_versions=(*ads_api_emulator.config.supported_versions, int(variant.api_version))
        )
    connection = ads_api_emulator.airflow_connection(timeout=CLIENT_TIMEOUT, api_version=variant.api_version)
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    if variant.upload_expires_after_secs:
        ads_api_emulator.update_config(upload_expires_after_secs=variant.upload_expires_after_secs)
    runs = max(1, chaos_runs(request.config) // len(VARIANTS))
    outcomes, totals, problems = run_chaos(ads_api_emulator, s3_client, s3_bucket, runs, variant)
    chaos_totals.add(totals)

    assert not problems, "\n".join(problems)
    assert totals.duplicates == 0
    assert totals.lost == 0
    assert totals.done + totals.failed == len(outcomes) == 2 * runs
    # The run really was chaotic, and most assets still made it.
    assert sum(totals.faults.values()) > 0
    assert totals.done >= len(outcomes) // 2
