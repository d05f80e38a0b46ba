"""The emulator's command line: ``python -m airflow_provider_twitter_ads.emulator``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from requests_oauthlib import OAuth1

from airflow_provider_twitter_ads.emulator import (
    DEFAULT_ACCESS_TOKEN,
    DEFAULT_ACCESS_TOKEN_SECRET,
    DEFAULT_CONSUMER_KEY,
    DEFAULT_CONSUMER_SECRET,
)
from airflow_provider_twitter_ads.emulator.__main__ import build_parser, config_from_args, load_fault_plan


@contextmanager
def running_cli(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_twitter_ads.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url:
            process.wait(timeout=10)
            pytest.fail(f"the emulator did not start: {process.stderr.read() if process.stderr else ''}")
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_cli_prints_url_applies_settings_and_stops_on_sigterm() -> None:
    with running_cli("--processing-seconds", "3", "--latency", "0.01", "--check-after-secs", "2") as (
        process,
        url,
    ):
        assert url.startswith("http://127.0.0.1:")
        assert process.stdout is not None
        conn_line = process.stdout.readline().strip()
        assert conn_line.startswith("AIRFLOW_CONN_TWITTER_ADS_DEFAULT='")
        conn = json.loads(conn_line.split("=", 1)[1].strip("'"))
        assert conn["conn_type"] == "twitter_ads"
        assert conn["extra"]["ads_api_url"] == url
        assert conn["extra"]["upload_api_url"] == url

        assert get_json(f"{url}/_emulator/health") == {"ok": True}
        config = get_json(f"{url}/_emulator/config")
        assert config["processing_seconds"] == 3.0
        assert config["latency"] == 0.01
        assert config["check_after_secs"] == 2
        assert config["consumer_secret"] == "***"

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def test_cli_stops_on_sigint() -> None:
    with running_cli() as (process, url):
        assert get_json(f"{url}/_emulator/health") == {"ok": True}
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0


def test_cli_loads_an_inline_fault_plan() -> None:
    plan = {"scripted": [{"kind": "error", "options": {"status": 503}, "path": "accounts", "times": 1}]}
    with running_cli("--faults", json.dumps(plan)) as (process, url):
        session = requests.Session()
        session.auth = OAuth1(
            DEFAULT_CONSUMER_KEY,
            DEFAULT_CONSUMER_SECRET,
            DEFAULT_ACCESS_TOKEN,
            DEFAULT_ACCESS_TOKEN_SECRET,
        )
        first = session.get(f"{url}/12/accounts/18ce54d4x5t", timeout=10)
        assert first.status_code == 503
        assert first.json()["errors"][0]["code"] == "SERVICE_UNAVAILABLE"
        second = session.get(f"{url}/12/accounts/18ce54d4x5t", timeout=10)
        assert second.status_code == 200
        assert get_json(f"{url}/_emulator/faults") == {"injected": {"error": 1}}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def test_cli_rejects_a_bad_fault_plan() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "airflow_provider_twitter_ads.emulator",
            "--faults",
            '{"scripted": [{"kind": "nope"}]}',
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Unknown fault kind 'nope'" in result.stderr


def test_cli_rejects_negative_settings() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--processing-seconds", "-1"])


def test_config_from_args_maps_every_option() -> None:
    args = build_parser().parse_args(
        [
            "--processing-seconds",
            "0.5",
            "--check-after-secs",
            "0",
            "--latency",
            "0.2",
            "--rate-limit",
            "7",
            "--account-rate-limit",
            "5",
            "--rate-limit-window",
            "60",
            "--upload-expires-after-secs",
            "30",
            "--account-id",
            "abc12",
        ]
    )
    config = config_from_args(args)
    assert (config.processing_seconds, config.check_after_secs, config.latency) == (0.5, 0, 0.2)
    assert (config.rate_limit, config.account_rate_limit, config.rate_limit_window) == (7, 5, 60.0)
    assert config.upload_expires_after_secs == 30
    assert config.account_id == "abc12"


def test_load_fault_plan_from_file(tmp_path) -> None:
    path = tmp_path / "faults.json"
    path.write_text('{"random": {"rates": {"error": 0.1}, "seed": 3}}', encoding="utf-8")
    assert load_fault_plan(str(path)) == {"random": {"rates": {"error": 0.1}, "seed": 3}}
    with pytest.raises(ValueError, match="JSON object"):
        load_fault_plan("[1, 2]")
