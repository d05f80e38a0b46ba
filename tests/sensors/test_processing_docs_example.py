"""The offline test example that docs/sensors/video_processing.rst shows, run for real."""

from __future__ import annotations

# [START howto_test_video_processing]
import pytest

from airflow_provider_twitter_ads.exceptions import MediaProcessingError
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor
from airflow_provider_twitter_ads.utils.segments import BytesRangeReader

# Bytes 4..8 are "ftyp": the emulator takes this for an MP4.
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(200)


def test_processing_failure_fails_the_task(ads_api_emulator, twitter_ads_connection):
    ads_api_emulator.update_config(processing_seconds=0.5, check_after_secs=1)
    ads_api_emulator.faults.configure({"scripted": [{"kind": "fail_processing", "path": r"/finalize$"}]})
    media = AdsApiHook().upload_media(BytesRangeReader(VIDEO), len(VIDEO), "video/mp4", "tweet_video")

    sensor = VideoProcessingSensor(task_id="wait", media_id=media)
    with pytest.raises(MediaProcessingError, match="the upload API gave no reason"):
        sensor.execute(context={})
    # [END howto_test_video_processing]
    assert media["processing_info"]["state"] == "pending"
