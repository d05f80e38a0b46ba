"""The sensor in a real DAG run (``dag.test()``): poke, reschedule and deferrable, XCom in and out."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from support.uploads import TINY_MP4, status_requests

from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator

DAG_FILE = """
import json
import os
from datetime import datetime, timezone

from airflow.sdk import DAG, task

from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor
from airflow_provider_twitter_ads.utils.segments import BytesRangeReader

VIDEO = bytes.fromhex(os.environ["SENSOR_TEST_VIDEO"])

with DAG("video_processing_modes", schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)):

    @task
    def upload():
        return AdsApiHook().upload_media(BytesRangeReader(VIDEO), len(VIDEO), "video/mp4", "tweet_video")

    @task
    def collect(poke, reschedule, deferrable):
        with open(os.environ["SENSOR_TEST_OUTPUT"], "w") as out:
            json.dump({"poke": poke, "reschedule": reschedule, "deferrable": deferrable}, out)

    # Each sensor waits right after its own upload, so each one sees processing still running.
    first, second, third = upload(), upload(), upload()
    poke = VideoProcessingSensor(task_id="poke", media_id=first, poke_interval=30, timeout=60)
    reschedule = VideoProcessingSensor(
        task_id="reschedule", media_id=second, mode="reschedule", poke_interval=30, timeout=60
    )
    deferrable = VideoProcessingSensor(
        task_id="deferrable",
        media_id="{{ ti.xcom_pull(task_ids='upload__2')['media_id'] }}",
        deferrable=True,
        poke_interval=30,
        timeout=60,
    )
    poke >> second
    reschedule >> third >> deferrable
    collect(poke.output, reschedule.output, deferrable.output)
"""


@pytest.mark.slow
def test_every_mode_in_a_dag_run(
    load_dag,
    ads_api_emulator: AdsApiEmulator,
    twitter_ads_connection: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ads_api_emulator.update_config(processing_seconds=4.0, check_after_secs=1)
    monkeypatch.setenv("SENSOR_TEST_VIDEO", TINY_MP4.hex())
    output = tmp_path / "output.json"
    monkeypatch.setenv("SENSOR_TEST_OUTPUT", str(output))
    (tmp_path / "video_processing_modes.py").write_text(textwrap.dedent(DAG_FILE))

    run = load_dag(tmp_path, "video_processing_modes").test()

    assert str(run.state) == "success"
    media = sorted(ads_api_emulator.state.media.values(), key=lambda record: record.created_at)
    assert len(media) == 3
    results = json.loads(output.read_text())
    for mode, record in zip(("poke", "reschedule", "deferrable"), media, strict=True):
        assert results[mode] == {
            "media_id": record.media_id,
            "media_key": record.media_key,
            "state": "succeeded",
            "progress_percent": 100,
        }
        # Each sensor found processing still running and checked again later.
        assert len(status_requests(ads_api_emulator, record.media_id)) >= 2, mode
