"""``twitter_ads_promoted_carousel`` and ``twitter_ads_promoted_video`` in real DAG runs (``dag.test()``)
against the emulator and moto's S3, then ``twitter_ads_cleanup`` removing what they made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.creatives import live

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.ads.seed import SEEDED_PROMOTABLE_USERS
from airflow_provider_twitter_ads.emulator.samples import mp4, png

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags_examples"
FULL_USER = SEEDED_PROMOTABLE_USERS[0][1]


@pytest.fixture
def connections(twitter_ads_connection: str, aws_connection: str) -> None:
    """Both connections point at the local servers."""


@pytest.mark.slow
def test_carousel_dag_then_cleanup(
    load_dag, connections: None, ads_api_emulator: AdsApiEmulator, s3_client: Any, s3_bucket: str
) -> None:
    for index in range(3):
        s3_client.put_object(
            Bucket=s3_bucket, Key=f"carousel/{index}.png", Body=png(1200, 628, salt=bytes([index]))
        )
    dag = load_dag(DAGS_FOLDER / "twitter_ads_promoted_carousel.py", "twitter_ads_promoted_carousel")
    run = dag.test(run_conf={"s3_bucket": s3_bucket, "s3_prefix": "carousel/"})
    assert str(run.state) == "success"

    (card,) = live(ads_api_emulator, "cards")
    assert card["card_type"] == "IMAGE_CAROUSEL_WEBSITE"
    assert len(card["components"][0]["media_keys"]) == 3
    (tweet,) = ads_api_emulator.state.tables["tweets"].values()
    assert (tweet["card_uri"], tweet["nullcast"], tweet["user"]["id_str"]) == (
        card["card_uri"],
        True,
        FULL_USER,
    )
    (promoted,) = live(ads_api_emulator, "promoted_tweets")
    assert (promoted["line_item_id"], promoted["tweet_id"]) == ("8v7jo", tweet["id_str"])

    cleanup = load_dag(DAGS_FOLDER / "twitter_ads_cleanup.py", "twitter_ads_cleanup")
    run = cleanup.test(run_conf={"promoted_tweet_ids": [promoted["id"]], "card_ids": card["id"]})
    assert str(run.state) == "success"
    assert live(ads_api_emulator, "promoted_tweets") == live(ads_api_emulator, "cards") == []


@pytest.mark.slow
def test_video_dag(
    load_dag, connections: None, ads_api_emulator: AdsApiEmulator, s3_client: Any, s3_bucket: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=0.3, check_after_secs=0)
    s3_client.put_object(Bucket=s3_bucket, Key="launch.mp4", Body=mp4(300_000), ContentType="video/mp4")
    dag = load_dag(DAGS_FOLDER / "twitter_ads_promoted_video.py", "twitter_ads_promoted_video")
    run = dag.test(run_conf={"s3_bucket": s3_bucket, "s3_key": "launch.mp4"})
    assert str(run.state) == "success"
    (card,) = live(ads_api_emulator, "cards")
    assert card["card_type"] == "VIDEO_WEBSITE"
    (promoted,) = live(ads_api_emulator, "promoted_tweets")
    assert promoted["line_item_id"] == "8v7jp"
