"""A DAG for the resume test: a large video from S3, uploaded in many segments, then its account media.

The test SIGKILLs the upload's task process halfway; the retry (2 s later) must continue the same
upload session from the task state store instead of starting again from INIT.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.sdk import DAG

from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator

#: 2 MiB segments: a 64 MiB object is 32 APPENDs, so "halfway" is a clear point to kill at.
SEGMENT_BYTES = 2 * 1024 * 1024

with DAG(
    dag_id="twitter_ads_upload_resume",
    schedule=None,
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=2)},
):
    upload_video = UploadMediaOperator(
        task_id="upload_video",
        s3_bucket="{{ dag_run.conf['s3_bucket'] }}",
        s3_key="{{ dag_run.conf['s3_key'] }}",
        media_category="amplify_video",
        segment_bytes=SEGMENT_BYTES,
        # The account media needs the processed video: wait in this task (no triggerer round trip).
        wait_for_processing=True,
        deferrable=False,
        poll_interval=2,
    )
    CreateAccountMediaOperator(
        task_id="create_account_media", media_key=upload_video.output, creative_type="PREROLL"
    )
