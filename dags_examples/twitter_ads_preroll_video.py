"""
### Pre-roll video from S3 to a line item

Uploads one video from S3 to the X Ads API as `amplify_video`, waits for X to finish processing it
(the sensor defers to the triggerer, so no worker slot is held while it waits), adds it to the
account's media library as a `PREROLL` account media, and attaches it to a `VIDEO_VIEWS` line item
as a media creative, with an optional pre-roll call-to-action button.

Trigger it with the params below, or with a JSON conf such as
`{"s3_bucket": "my-creatives", "s3_key": "videos/spring.mp4", "line_item_id": "8v7jr"}`.
The defaults match the offline demo (`make demo`) and the emulator's seeded account.

Connections: `twitter_ads_default` (X Ads API) and `aws_default` (S3).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

try:
    from airflow.sdk import DAG, Param
except ImportError:  # Airflow 2.10
    from airflow.models.dag import DAG  # type: ignore[no-redef]
    from airflow.models.param import Param  # type: ignore[no-redef]

from airflow_provider_twitter_ads.lineage import creative_live_alias
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor

with DAG(
    dag_id="twitter_ads_preroll_video",
    description="Upload a pre-roll video from S3 and attach it to a VIDEO_VIEWS line item.",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=4,
    tags=["twitter_ads", "example", "video"],
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    params={
        "s3_bucket": Param(
            "twitter-ads-demo", type="string", minLength=3, description="S3 bucket of the video."
        ),
        "s3_key": Param(
            "videos/preroll.mp4", type="string", minLength=1, description="Key of the MP4 or MOV video."
        ),
        "account_id": Param(
            "",
            type="string",
            description="Ads account id; empty uses the account_id of the twitter_ads connection.",
        ),
        "line_item_id": Param(
            "8v7jr", type="string", minLength=1, description="A PREROLL_VIEWS line item (product type MEDIA)."
        ),
        "call_to_action": Param(
            "WATCH_NOW",
            type="string",
            enum=["", "GO_TO", "SEE_MORE", "SHOP", "VISIT_SITE", "WATCH_NOW"],
            description="Pre-roll call-to-action button on the line item; empty for none.",
        ),
        "call_to_action_url": Param(
            "https://example.com/",
            type="string",
            description="Where the call-to-action button leads (http or https); empty for none.",
        ),
    },
) as dag:
    # [START howto_upload_media_amplify_video]
    upload_video = UploadMediaOperator(
        task_id="upload_video",
        s3_bucket="{{ params.s3_bucket }}",
        s3_key="{{ params.s3_key }}",
        media_category="amplify_video",
    )
    # [END howto_upload_media_amplify_video]

    # [START howto_sensor_video_processing_deferrable]
    wait_for_processing = VideoProcessingSensor(
        task_id="wait_for_processing",
        media_id=upload_video.output,
        deferrable=True,
        poke_interval=30,
        timeout=60 * 60,
    )
    # [END howto_sensor_video_processing_deferrable]

    # [START howto_create_account_media_preroll]
    create_account_media = CreateAccountMediaOperator(
        task_id="create_account_media",
        media_key=upload_video.output,
        creative_type="PREROLL",
        account_id="{{ params.account_id }}",
    )
    # [END howto_create_account_media_preroll]

    # [START howto_attach_media_creative_video_views]
    attach_media_creative = AttachMediaCreativeOperator(
        task_id="attach_media_creative",
        account_media_id=create_account_media.output,
        line_item_id="{{ params.line_item_id }}",
        call_to_action="{{ params.call_to_action }}",
        call_to_action_url="{{ params.call_to_action_url }}",
        # One creative-live Asset event for the line item attached to (twitter_ads_creative_live).
        outlets=[creative_live_alias()],
    )
    # [END howto_attach_media_creative_video_views]

    # The account media needs the finished video, not just the upload: wait before creating it.
    wait_for_processing >> create_account_media
