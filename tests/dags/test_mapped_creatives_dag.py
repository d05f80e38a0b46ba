"""The operators in a real DAG run: ``.partial().expand()`` over the upstream task's dicts."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from support.creatives import live, ready_media

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.ads.models import media_url

DAG_FILE = """
import json
import os
from datetime import datetime, timezone

from airflow.sdk import DAG, task

from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator

with DAG("creatives_mapped", schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)):

    @task
    def uploads():
        return json.loads(os.environ["CREATIVES_TEST_UPLOADS"])

    account_media = CreateAccountMediaOperator.partial(task_id="account_media", timeout=5).expand(
        media_key=uploads()
    )
    AttachMediaCreativeOperator.partial(
        task_id="media_creative", line_item_id="8v7jo", landing_url="https://example.com/landing"
    ).expand(account_media_id=account_media.output)
"""


@pytest.mark.slow
def test_mapped_chain_makes_one_creative_per_upload(
    load_dag,
    ads_api_emulator: AdsApiEmulator,
    conn: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uploads = [ready_media(ads_api_emulator, "tweet_image", *size) for size in ((320, 50), (300, 250))]
    uploads.append(ready_media(ads_api_emulator, "tweet_image", 320, 50))
    monkeypatch.setenv("CREATIVES_TEST_UPLOADS", json.dumps(uploads))
    (tmp_path / "creatives_mapped.py").write_text(textwrap.dedent(DAG_FILE))

    run = load_dag(tmp_path, "creatives_mapped").test()

    assert str(run.state) == "success"
    # Image account media carry no media_key (Account Media docs): their media_url names the upload.
    key_by_url = {media_url(ads_api_emulator.state.media[u["media_key"]]): u["media_key"] for u in uploads}
    account_media = {
        m.get("media_key") or key_by_url[m["media_url"]]: m for m in live(ads_api_emulator, "account_media")
    }
    assert [account_media[u["media_key"]]["creative_type"] for u in uploads] == [
        "BANNER",
        "MEDIUM_RECTANGLE",
        "BANNER",
    ]
    creatives = live(ads_api_emulator, "media_creatives")
    assert sorted(c["account_media_id"] for c in creatives) == sorted(m["id"] for m in account_media.values())
    assert {c["line_item_id"] for c in creatives} == {"8v7jo"}
