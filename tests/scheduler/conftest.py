"""Fixtures for running DAGs under a real Airflow: the demo's assets in a bucket, the Airflow itself."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .harness import RealAirflow, demo, real_airflow

#: Long enough that the sensor's first poke finds the video still processing, so it defers.
PROCESSING_SECONDS = 20.0
EXAMPLE_DAG_FILES = (
    demo.DAGS_FOLDER / f"{demo.PREROLL_DAG}.py",
    demo.DAGS_FOLDER / f"{demo.DISPLAY_DAG}.py",
)

_SUMMARIES = pytest.StashKey[list[str]]()


@pytest.fixture
def demo_assets_bucket(s3_client) -> Iterator[tuple[str, list]]:
    """A fresh bucket holding the demo's video and display images; yields ``(bucket, assets)``."""
    bucket = f"scheduler-{uuid.uuid4().hex[:12]}"
    assets = demo.sample_assets()
    s3_client.create_bucket(Bucket=bucket)
    for asset in assets:
        s3_client.put_object(Bucket=bucket, Key=asset.key, Body=asset.data, ContentType=asset.content_type)
    yield bucket, assets
    for asset in assets:
        s3_client.delete_object(Bucket=bucket, Key=asset.key)
    s3_client.delete_bucket(Bucket=bucket)


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture
def scheduler_airflow(
    request: pytest.FixtureRequest, ads_api_emulator: AdsApiEmulator, s3_server: str, tmp_path: Path
) -> Iterator[RealAirflow]:
    """A real Airflow (scheduler, dag-processor, triggerer, api-server) with the example DAGs parsed.

    When the test fails, the components' log tails are printed (shown with the failure).
    """
    ads_api_emulator.update_config(processing_seconds=PROCESSING_SECONDS)
    with real_airflow(ads_api_emulator, s3_server, tmp_path, EXAMPLE_DAG_FILES) as airflow:
        yield airflow
        if request.node.stash.get(_CALL_FAILED, False):
            print(f"component logs under {airflow.logs}:\n{airflow.log_tails()}")


@pytest.fixture
def scheduler_summary(request: pytest.FixtureRequest) -> list[str]:
    """Lines printed in the terminal summary (the test's own output is captured)."""
    return request.config.stash.setdefault(_SUMMARIES, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(_SUMMARIES, None)
    if not lines:
        return
    terminalreporter.write_sep("=", "scheduler harness")
    for line in lines:
        terminalreporter.write_line(line)
