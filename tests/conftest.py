"""Shared fixtures: the Ads API emulator (plugin), a real moto S3 server on loopback, an Airflow home."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Airflow reads its home and settings at import time: set them before anything imports it. The
# home is always a fresh one, so the tests never touch a developer's own metadata database.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="airflow-home-")
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

# Imported after the environment above: these import Airflow.
from support.uploads import HOOK_ATTEMPTS, TINY_MP4, upload

from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings

pytest_plugins = ["airflow_provider_twitter_ads.emulator.pytest_plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--chaos-long", action="store_true", default=False, help="many more chaos runs (tests/chaos)"
    )


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server on a free loopback port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_client(s3_server: str):
    import boto3

    return boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")


@pytest.fixture
def aws_connection(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Points ``aws_default`` at the moto server; returns the conn id."""
    conn = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"endpoint_url": s3_server, "region_name": "us-east-1"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(conn))
    return "aws_default"


@pytest.fixture
def s3_bucket(s3_client, aws_connection: str) -> Iterator[str]:
    """A fresh, empty bucket on the moto server."""
    import uuid

    name = f"assets-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    yield name
    paginator = s3_client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=name):
        for obj in page.get("Contents", []):
            s3_client.delete_object(Bucket=name, Key=obj["Key"])
    s3_client.delete_bucket(Bucket=name)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """The session's Airflow home with a migrated SQLite metadata DB (``dag.test()`` needs one)."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
        timeout=240,
    )


@pytest.fixture
def load_dag(airflow_db: None, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``load_dag(path, dag_id)``: the DAG from a file or folder, ready for ``dag.test()``.

    ``dag.test()`` serializes the DAG from the dags-folder bundle, whose path Airflow copied into
    ``airflow.settings`` when it was first imported: both are pointed at the DAG's folder.
    """

    def load(path: Path, dag_id: str) -> Any:
        folder = path if path.is_dir() else path.parent
        monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(folder))
        import airflow.settings

        monkeypatch.setattr(airflow.settings, "DAGS_FOLDER", str(folder))
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(path))
        assert bag.import_errors == {}
        return bag.get_dag(dag_id)

    return load


# -- shared fixtures of the provider tests ------------------------------------------------------------


@pytest.fixture
def fast_retries() -> RetrySettings:
    return RetrySettings(max_attempts=HOOK_ATTEMPTS, backoff_base=0.01, backoff_cap=0.05)


@pytest.fixture
def put_object(s3_client, s3_bucket: str) -> Callable[..., str]:
    """Store bytes in the test bucket; returns the key."""

    def put(key: str, data: bytes, content_type: str | None = None) -> str:
        extra = {"ContentType": content_type} if content_type else {}
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=data, **extra)
        return key

    return put


@pytest.fixture
def upload_video(ads_api_emulator: AdsApiEmulator) -> Callable[..., dict[str, Any]]:
    """Uploads a tiny video (or other media) to the emulator; returns the FINALIZE data."""

    def _upload(content: bytes = TINY_MP4, **kwargs: Any) -> dict[str, Any]:
        return upload(ads_api_emulator, content, **kwargs)

    return _upload


@pytest.fixture
def api_version(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "12")


@pytest.fixture
def conn(ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, api_version: str) -> str:
    """``twitter_ads_default`` pointing at the emulator with the test's API version.

    Versions past end of life (Versions page: only 11 and 12 are live) are served again for it.
    """
    if int(api_version) not in ads_api_emulator.config.supported_versions:
        ads_api_emulator.update_config(
            supported_versions=(*ads_api_emulator.config.supported_versions, int(api_version))
        )
    connection = ads_api_emulator.airflow_connection(api_version=api_version)
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    return "twitter_ads_default"


@pytest.fixture(params=[False, True], ids=["image-am-without-media-key", "image-am-with-media-key"])
def image_media_key_mode(request: pytest.FixtureRequest, ads_api_emulator: AdsApiEmulator) -> bool:
    """Runs the test in both emulator modes for image account media: without ``media_key`` (the
    "Identifying media" prose and the creatives guide) and with it (that page's identifier table)."""
    ads_api_emulator.update_config(image_account_media_media_key=request.param)
    return bool(request.param)
