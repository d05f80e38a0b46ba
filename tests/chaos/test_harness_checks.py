"""The chaos checks themselves: each broken promise they look for is planted once and must be caught."""

from __future__ import annotations

import random
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import AdsApiResponseLostError, error_from_response
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.vocabulary import DISPLAY_CREATIVE_TYPE_DIMENSIONS

from .harness import (
    AssetOutcome,
    PipelineSettings,
    TaskRun,
    Totals,
    carries_api_error,
    check_outcomes,
    make_assets,
    run_pipeline,
    run_task,
)


@pytest.fixture
def finished(
    ads_api_emulator: AdsApiEmulator, chaos_connection: str, s3_client: Any, s3_bucket: str
) -> list[AssetOutcome]:
    """Both pipelines run once without faults."""
    outcomes = []
    for asset in make_assets(0, random.Random(7), video_bytes=150_000):
        s3_client.put_object(Bucket=s3_bucket, Key=asset.s3_key, Body=asset.data)
        outcomes.append(run_pipeline(asset, PipelineSettings(bucket=s3_bucket)))
    return outcomes


def test_clean_runs_pass_and_each_planted_problem_is_caught(
    ads_api_emulator: AdsApiEmulator, finished: list[AssetOutcome], chaos_connection: str
) -> None:
    totals = Totals()
    assert check_outcomes(ads_api_emulator, finished, totals) == []
    assert (totals.done, totals.failed, totals.duplicates, totals.lost) == (2, 0, 0, 0)
    assert all(task.tries == 1 for outcome in finished for task in outcome.tasks)
    preroll, display = finished
    assert [t.task_id for t in preroll.tasks] == [
        "upload",
        "wait_for_processing",
        "account_media",
        "media_creative",
    ]
    assert preroll.account_media["creative_type"] == "PREROLL"
    assert display.account_media["creative_type"] == display.asset.creative_type
    hook = AdsApiHook(chaos_connection)

    # A second media creative for the same account media and line item.
    hook.create_media_creative(
        display.account_media["id"], display.asset.line_item_id, landing_url=display.asset.landing_url
    )
    totals = Totals()
    problems = check_outcomes(ads_api_emulator, finished, totals)
    assert totals.duplicates == 1
    assert any("duplicates" in p and display.asset.s3_key in p for p in problems)

    # Re-adding media to the library makes the API create its account media again.
    hook.add_to_media_library(preroll.upload["media_key"])
    totals = Totals()
    problems = check_outcomes(ads_api_emulator, finished, totals)
    assert totals.duplicates == 2
    assert any("'PREROLL': 2" in p for p in problems)

    # Uploaded bytes that are not the S3 object's.
    ads_api_emulator.state.media[display.upload["media_key"]].sha256 = "0" * 64
    problems = check_outcomes(ads_api_emulator, finished)
    assert any("match no S3 object" in p for p in problems)
    assert any("bytes differ from S3" in p for p in problems)


def test_a_failure_without_the_api_error_is_a_lost_asset(ads_api_emulator: AdsApiEmulator) -> None:
    asset = make_assets(0, random.Random(1), video_bytes=1000)[1]
    outcome = AssetOutcome(asset, [TaskRun("upload", tries=4, error=KeyError("media_id"))])
    totals = Totals()
    problems = check_outcomes(ads_api_emulator, [outcome], totals)
    assert totals.lost == 1
    assert any("lost" in p and "KeyError" in p for p in problems)


def test_api_errors_are_recognized_through_the_exception_chain() -> None:
    body = b'{"errors": [{"code": "INVALID_PARAMETER", "message": "bad landing_url", "parameter": "landing_url"}]}'
    api_error = error_from_response(400, body, {}, "POST", "accounts/x/media_creatives")
    assert carries_api_error(api_error)
    try:
        try:
            raise api_error
        except Exception as exc:
            raise RuntimeError(f"attach failed: {exc}") from exc
    except RuntimeError as wrapped:
        assert carries_api_error(wrapped)
    # A wrapper that drops the API's code and message does not carry it.
    try:
        try:
            raise api_error
        except Exception as exc:
            raise RuntimeError("attach failed") from exc
    except RuntimeError as wrapped:
        assert not carries_api_error(wrapped)
    assert carries_api_error(AdsApiResponseLostError("no response within 1 s", method="POST", path="p"))
    assert not carries_api_error(ValueError("landing_url"))


def test_tasks_are_retried_like_airflow_with_a_fresh_operator_per_try() -> None:
    built: list[object] = []

    class Flaky:
        retries = 3

        def __init__(self) -> None:
            built.append(self)

        def execute(self, context: dict) -> str:
            if len(built) < 3:
                raise RuntimeError(f"try {len(built)} failed")
            return "ok"

    run = run_task("flaky", Flaky)
    assert (run.ok, run.tries, run.result, len(built)) == (True, 3, "ok", 3)
    assert [str(e) for e in run.errors] == ["try 1 failed", "try 2 failed"]

    class Broken(Flaky):
        def execute(self, context: dict) -> str:
            raise RuntimeError("always")

    built.clear()
    run = run_task("broken", Broken)
    assert (run.ok, run.tries, len(built)) == (False, 4, 4)


def test_display_assets_have_their_creative_types_size_and_differ_per_run() -> None:
    from airflow_provider_twitter_ads.emulator.images import read_image_header

    displays = [make_assets(run, random.Random(run), video_bytes=1000)[1] for run in range(7)]
    assert {asset.creative_type for asset in displays} == set(DISPLAY_CREATIVE_TYPE_DIMENSIONS)
    for asset in displays:
        header = read_image_header(asset.data)
        assert header is not None
        size = DISPLAY_CREATIVE_TYPE_DIMENSIONS[asset.creative_type]
        assert (header.media_type, header.width, header.height) == ("image/png", *size)
    # The same size in a later run is another file: a re-run never finds the earlier upload.
    assert make_assets(7, random.Random(7), 1000)[1].sha256 != displays[0].sha256
