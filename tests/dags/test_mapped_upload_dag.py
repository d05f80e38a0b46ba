"""``UploadMediaOperator.partial(...).expand(s3_key=[...])`` in a real DAG run (``dag.test()``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support.uploads import media_records

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples

DAG_FILE = """
import os
from datetime import datetime, timezone

from airflow.sdk import DAG

from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator

with DAG("upload_mapped", schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)):
    UploadMediaOperator.partial(
        task_id="upload",
        s3_bucket=os.environ["UPLOAD_TEST_BUCKET"],
        media_category="tweet_image",
    ).expand(s3_key=["banners/a.png", "banners/b.jpg", "banners/c.gif.png"])
"""


@pytest.mark.slow
def test_one_upload_per_mapped_key(
    load_dag,
    twitter_ads_connection: str,
    ads_api_emulator: AdsApiEmulator,
    put_object,
    s3_bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    images = {
        "banners/a.png": samples.png(320, 50),
        "banners/b.jpg": samples.jpeg(300, 250),
        "banners/c.gif.png": samples.png(728, 90),
    }
    for key, data in images.items():
        put_object(key, data)
    monkeypatch.setenv("UPLOAD_TEST_BUCKET", s3_bucket)
    (tmp_path / "upload_mapped.py").write_text(textwrap.dedent(DAG_FILE))

    run = load_dag(tmp_path, "upload_mapped").test()

    assert str(run.state) == "success"
    uploaded = {(r.sha256, r.width, r.height) for r in media_records(ads_api_emulator).values()}
    assert uploaded == {
        (samples.sha256(images["banners/a.png"]), 320, 50),
        (samples.sha256(images["banners/b.jpg"]), 300, 250),
        (samples.sha256(images["banners/c.gif.png"]), 728, 90),
    }
