"""Fixtures for the hook tests: connections to the emulator with chosen extras, a fast-retrying hook."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings

# Tiny backoff so retry tests stay fast; 429 waits still follow the emulator's reset headers.
FAST_RETRIES = RetrySettings(max_attempts=4, backoff_base=0.01, backoff_cap=0.05, max_rate_limit_wait=10)

MakeHook = Callable[..., AdsApiHook]


@pytest.fixture
def make_hook(ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> MakeHook:
    """``make_hook(retry_settings=..., password=..., **extra)``: a hook on a fresh connection to the emulator."""
    counter = iter(range(1_000_000))

    def make(
        retry_settings: RetrySettings = FAST_RETRIES, password: str | None = None, **extra: Any
    ) -> AdsApiHook:
        conn = ads_api_emulator.airflow_connection(**extra)
        conn["extra"] = {k: v for k, v in conn["extra"].items() if v is not None}
        if password is not None:
            conn["password"] = password
        conn_id = f"twitter_ads_hook_test_{next(counter)}"
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
        return AdsApiHook(conn_id, retry_settings=retry_settings)

    return make


@pytest.fixture
def hook(make_hook: MakeHook) -> AdsApiHook:
    return make_hook()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


Inject = Callable[..., None]


@pytest.fixture
def inject(ads_api_emulator: AdsApiEmulator) -> Inject:
    """``inject(kind, times=1, method=None, path=None, **options)``: fault the next matching requests."""

    def configure(
        kind: str, *, times: int = 1, method: str | None = None, path: str | None = None, **options: Any
    ) -> None:
        fault: dict[str, Any] = {"kind": kind, "options": options, "times": times}
        if method:
            fault["method"] = method
        if path:
            fault["path"] = path
        ads_api_emulator.faults.configure({"scripted": [fault]})

    return configure
