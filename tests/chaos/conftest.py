"""Chaos suite fixtures: quick hook retries, a short client timeout, and the session's fault totals."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.hooks import ads_api
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings

from .harness import Totals

#: Seconds the client waits for a response; ``slow`` faults sleep past it.
CLIENT_TIMEOUT = 1.0
SLOW_SECONDS = 1.5
#: Runs of each pipeline in the default (CI) chaos test; ``CHAOS_RUNS`` or ``--chaos-long`` asks for more.
CI_RUNS = 9
LONG_RUNS = 200

_TOTALS = pytest.StashKey[Totals]()


def chaos_runs(config: pytest.Config) -> int:
    """How many runs the chaos test makes: ``CHAOS_RUNS``, else ``--chaos-long``, else the CI count."""
    if os.environ.get("CHAOS_RUNS"):
        return int(os.environ["CHAOS_RUNS"])
    if config.getoption("chaos_long", default=False):
        return LONG_RUNS
    return CI_RUNS


@pytest.fixture
def chaos_totals(request: pytest.FixtureRequest) -> Totals:
    """Totals over the whole session, printed in the terminal summary."""
    return request.config.stash.setdefault(_TOTALS, Totals())


@pytest.fixture
def quick_hook_retries(monkeypatch: pytest.MonkeyPatch) -> RetrySettings:
    """Hooks the operators build get tiny backoffs (the operators take no retry settings)."""
    quick = functools.partial(
        RetrySettings, max_attempts=4, backoff_base=0.01, backoff_cap=0.05, max_rate_limit_wait=5.0
    )
    monkeypatch.setattr(ads_api, "RetrySettings", quick)
    return quick()


@pytest.fixture
def chaos_connection(
    ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, quick_hook_retries: RetrySettings
) -> Iterator[str]:
    """``twitter_ads_default`` on the emulator with a short timeout, so ``slow`` faults time out."""
    connection = ads_api_emulator.airflow_connection(timeout=CLIENT_TIMEOUT)
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    ads_api_emulator.update_config(processing_seconds=0.3, check_after_secs=1)
    yield "twitter_ads_default"
    ads_api_emulator.faults.clear()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    totals = config.stash.get(_TOTALS, None)
    if totals is None or not totals.runs:
        return
    terminalreporter.write_sep("=", "chaos totals")
    for line in totals.lines():
        terminalreporter.write_line(line)
