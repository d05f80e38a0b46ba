"""A real DAG run with the OpenLineage listener on: the events it emits, and the creative-live Asset events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from support.creatives import live

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        find_spec("airflow.providers.openlineage") is None, reason="needs the openlineage provider"
    ),
]
ROOT = Path(__file__).resolve().parents[2]

DAG_FILE = """
import json
import os
from datetime import datetime, timezone

from airflow.sdk import DAG

from airflow_provider_twitter_ads.lineage import creative_live_alias, creative_live_asset
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator

ACCOUNT = os.environ["LINEAGE_TEST_ACCOUNT"]
LIVE = creative_live_asset(ACCOUNT, "8v7jo", ads_api_url=os.environ["LINEAGE_TEST_ADS_API_URL"])

with DAG("lineage_run", schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)):
    UploadMediaOperator(
        task_id="upload", s3_uri=os.environ["LINEAGE_TEST_S3_URI"], media_category="tweet_image"
    )
    AttachMediaCreativeOperator(
        task_id="attach",
        account_media_id=os.environ["LINEAGE_TEST_ACCOUNT_MEDIA"],
        line_item_id=["8v7jo", "8v7jp"],
        landing_url="https://example.com/spring",
        outlets=[LIVE, creative_live_alias()],
    )
"""

RUN = """
import json, sys
from airflow.dag_processing.dagbag import DagBag

dag = DagBag(dag_folder=sys.argv[1]).get_dag("lineage_run")
run = dag.test()

from airflow.models.asset import AssetEvent
from airflow.utils.session import create_session

with create_session() as session:
    events = [
        {"uri": event.asset.uri, "extra": event.extra}
        for event in session.query(AssetEvent).filter(AssetEvent.source_run_id == run.run_id)
    ]
print("LINEAGE_RESULT " + json.dumps({"state": str(run.state), "asset_events": events}))
"""


def test_the_listener_emits_each_task_s_datasets(
    airflow_db: None,
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    aws_connection: str,
    s3_client: Any,
    s3_bucket: str,
    tmp_path: Path,
) -> None:
    s3_client.put_object(Bucket=s3_bucket, Key="display/banner.png", Body=samples.png(320, 50))
    (account_media,) = ads_api_emulator.seed_entities("account_media", 1, creative_type="BANNER")
    account = ads_api_emulator.config.account_id
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "lineage_run.py").write_text(textwrap.dedent(DAG_FILE))
    events_file = tmp_path / "events.jsonl"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(events_file), "append": True}
        ),
        "LINEAGE_TEST_ACCOUNT": account,
        "LINEAGE_TEST_ADS_API_URL": ads_api_emulator.url,
        "LINEAGE_TEST_S3_URI": f"s3://{s3_bucket}/display/banner.png",
        "LINEAGE_TEST_ACCOUNT_MEDIA": account_media["id"],
    }
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(dags)], capture_output=True, text=True, env=env, timeout=240
    )
    assert done.returncode == 0, done.stderr[-4000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("LINEAGE_RESULT ")]
    outcome = json.loads(line.removeprefix("LINEAGE_RESULT "))
    assert outcome["state"] == "success", done.stderr[-4000:]

    completed = {}
    for line in events_file.read_text().splitlines():
        event = json.loads(line)
        if event["eventType"] == "COMPLETE" and event["job"]["name"].startswith("lineage_run."):
            completed[event["job"]["name"]] = event
    namespace = f"x-ads://{urlsplit(ads_api_emulator.url).netloc}"

    upload = completed["lineage_run.upload"]
    assert [(d["namespace"], d["name"]) for d in upload["inputs"]] == [
        (f"s3://{s3_bucket}", "display/banner.png")
    ]
    (media,) = upload["outputs"]
    assert media["namespace"] == namespace and media["name"].startswith("media/3_")
    assert media["outputFacets"]["outputStatistics"]["size"] == len(samples.png(320, 50))

    attach = completed["lineage_run.attach"]
    assert [d["name"] for d in attach["inputs"]] == [
        f"accounts/{account}/account_media/{account_media['id']}",
        f"accounts/{account}/line_items/8v7jo",
        f"accounts/{account}/line_items/8v7jp",
    ]
    creatives = {c["line_item_id"]: c["id"] for c in live(ads_api_emulator, "media_creatives")}
    assert sorted(d["name"] for d in attach["outputs"]) == sorted(
        f"accounts/{account}/media_creatives/{creative_id}" for creative_id in creatives.values()
    )

    # The Asset event of the outlet, and one per line item through the alias.
    live_uri = f"{namespace}/accounts/{account}/line_items/8v7jo"
    by_uri: dict[str, list[dict[str, Any]]] = {}
    for event in outcome["asset_events"]:
        by_uri.setdefault(event["uri"], []).append(event["extra"])
    assert sorted(by_uri) == [live_uri, f"{namespace}/accounts/{account}/line_items/8v7jp"]
    assert {"account_id": account, "media_creative_ids": [creatives["8v7jo"]]}.items() <= by_uri[live_uri][
        0
    ].items()
