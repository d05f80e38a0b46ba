"""The whole pipeline through real uploads: S3 object -> upload -> (processing) -> account media ->
media creative, and the same run again creating nothing."""

from __future__ import annotations

from typing import Any

import pytest
from support.creatives import live, tables, writes

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.samples import mp4, png
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor


@pytest.fixture
def connections(twitter_ads_connection: str, aws_connection: str) -> None:
    """Both connections point at the local servers."""


def upload_and_wait(s3_bucket: str, key: str, category: str) -> dict[str, Any]:
    upload = UploadMediaOperator(
        task_id="upload", s3_bucket=s3_bucket, s3_key=key, media_category=category
    ).execute({})
    if upload["processing_info"] is not None:
        VideoProcessingSensor(
            task_id="wait", media_id=upload, poke_interval=0.2, min_poke_interval=0.1, timeout=30
        ).execute({})
    return upload


def to_creative(upload: dict[str, Any], **attach_kwargs: Any) -> dict[str, Any]:
    account_media = CreateAccountMediaOperator(task_id="account_media", media_key=upload, timeout=5).execute(
        {}
    )
    return AttachMediaCreativeOperator(
        task_id="media_creative", account_media_id=account_media, **attach_kwargs
    ).execute({})


def test_video_from_s3_to_a_preroll_creative_with_a_call_to_action(
    connections: None, ads_api_emulator: AdsApiEmulator, s3_client: Any, s3_bucket: str
) -> None:
    ads_api_emulator.update_config(processing_seconds=0.3, check_after_secs=0)
    s3_client.put_object(Bucket=s3_bucket, Key="video/launch.mp4", Body=mp4(300_000), ContentType="video/mp4")

    creative = to_creative(
        upload_and_wait(s3_bucket, "video/launch.mp4", "amplify_video"),
        line_item_id="8v7jr",
        call_to_action="WATCH_NOW",
        call_to_action_url="https://example.com/watch",
    )

    (account_media,) = live(ads_api_emulator, "account_media")
    assert (account_media["creative_type"], creative["account_media_id"]) == ("PREROLL", account_media["id"])
    assert [c["id"] for c in live(ads_api_emulator, "media_creatives")] == [creative["id"]]
    (cta,) = live(ads_api_emulator, "preroll_call_to_actions")
    assert creative["preroll_call_to_action"]["id"] == cta["id"]


def test_image_from_s3_to_a_display_creative_twice(
    connections: None, ads_api_emulator: AdsApiEmulator, s3_client: Any, s3_bucket: str
) -> None:
    s3_client.put_object(Bucket=s3_bucket, Key="display/box.png", Body=png(300, 250), ContentType="image/png")
    upload = upload_and_wait(s3_bucket, "display/box.png", "tweet_image")
    assert (upload["width"], upload["height"]) == (300, 250)
    kwargs = {"line_item_id": "8v7jo", "landing_url": "https://example.com/box"}

    first = to_creative(upload, **kwargs)
    before, writes_before = tables(ads_api_emulator), writes(ads_api_emulator)
    again = to_creative(upload, **kwargs)

    assert again == first
    assert first["creative_type"] == "MEDIUM_RECTANGLE"
    assert tables(ads_api_emulator) == before
    assert writes(ads_api_emulator) == writes_before
    assert len([w for w in writes_before if "/accounts/" in w[1]]) == 2  # library add, media creative
