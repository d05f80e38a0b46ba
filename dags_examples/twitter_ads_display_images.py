"""
### Display images from an S3 prefix to a line item

Lists every image under an S3 prefix and, for each one, as its own mapped task instance (one per
image per step, visible in the grid):

1. uploads it to the X Ads API (`tweet_image`),
2. adds it to the account's media library; the image's width and height choose its display
   creative type (`BANNER` 320x50, `BANNER_TABLET` 728x90, `INTERSTITIAL` 320x480,
   `INTERSTITIAL_LANDSCAPE` 480x320, `INTERSTITIAL_TABLET` 768x1024,
   `INTERSTITIAL_LANDSCAPE_TABLET` 1024x768, `MEDIUM_RECTANGLE` 300x250),
3. attaches the account media to a `WEBSITE_CLICKS` line item with a landing URL,

and then, in one task, updates each line item's creative-live Asset (through the
`twitter_ads_creative_live` alias) with the media creatives that went live on it.

An image whose size matches no creative type fails its own task instances, and the report waits
for them (clear the failed ones once fixed). Images need no processing, so there is no sensor.

Trigger it with the params below, or with a JSON conf such as
`{"s3_bucket": "my-creatives", "s3_prefix": "display/spring/", "landing_url": "https://example.com/spring"}`.
The defaults match the offline demo (`make demo`) and the emulator's seeded account.

Connections: `twitter_ads_default` (X Ads API) and `aws_default` (S3).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

try:
    from airflow.sdk import DAG, Param, task
except ImportError:  # Airflow 2.10
    from airflow.decorators import task  # type: ignore[no-redef]
    from airflow.models.dag import DAG  # type: ignore[no-redef]
    from airflow.models.param import Param  # type: ignore[no-redef]

from airflow_provider_twitter_ads.lineage import creative_live_alias
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.creative_live import ReportCreativesLiveOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator

# The image types the Ads API accepts for display creatives, by file name suffix.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")

with DAG(
    dag_id="twitter_ads_display_images",
    description="Upload every image under an S3 prefix and attach each to a WEBSITE_CLICKS line item.",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=4,
    tags=["twitter_ads", "example", "image"],
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    params={
        "s3_bucket": Param(
            "twitter-ads-demo", type="string", minLength=3, description="S3 bucket of the images."
        ),
        "s3_prefix": Param(
            "display/", type="string", description="Key prefix; every image under it is used."
        ),
        "account_id": Param(
            "",
            type="string",
            description="Ads account id; empty uses the account_id of the twitter_ads connection.",
        ),
        "line_item_id": Param("8v7jo", type="string", minLength=1, description="A WEBSITE_CLICKS line item."),
        "landing_url": Param(
            "https://example.com/",
            type="string",
            pattern="^https?://",
            description="Where a click on the creative leads (http or https).",
        ),
    },
) as dag:
    # [START howto_list_images_s3]
    @task
    def list_images(s3_bucket: str, s3_prefix: str) -> list[str]:
        """The image keys under the prefix, sorted, so that map indexes are stable across runs."""
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        keys = S3Hook(aws_conn_id="aws_default").list_keys(bucket_name=s3_bucket, prefix=s3_prefix) or []
        images = sorted(key for key in keys if key.lower().endswith(IMAGE_SUFFIXES))
        if not images:
            raise ValueError(f"No images ({', '.join(IMAGE_SUFFIXES)}) under s3://{s3_bucket}/{s3_prefix}")
        return images

    image_keys = list_images(s3_bucket="{{ params.s3_bucket }}", s3_prefix="{{ params.s3_prefix }}")
    # [END howto_list_images_s3]

    # [START howto_upload_media_mapped]
    upload_images = UploadMediaOperator.partial(
        task_id="upload_image",
        s3_bucket="{{ params.s3_bucket }}",
        media_category="tweet_image",
        map_index_template="{{ task.s3_key }}",
    ).expand(s3_key=image_keys)
    # [END howto_upload_media_mapped]

    # [START howto_create_account_media_mapped]
    # No creative_type: each upload's width and height choose it.
    create_account_media = CreateAccountMediaOperator.partial(
        task_id="create_account_media",
        account_id="{{ params.account_id }}",
        map_index_template="{{ task.media_key.s3_uri if task.media_key is mapping else task.media_key }}",
    ).expand(media_key=upload_images.output)
    # [END howto_create_account_media_mapped]

    # [START howto_attach_media_creative_mapped]
    attach_media_creatives = AttachMediaCreativeOperator.partial(
        task_id="attach_media_creative",
        line_item_id="{{ params.line_item_id }}",
        landing_url="{{ params.landing_url }}",
        map_index_template="{{ task.account_media_id.creative_type if task.account_media_id is mapping else '' }}",
    ).expand(account_media_id=create_account_media.output)
    # [END howto_attach_media_creative_mapped]

    # [START howto_report_creatives_live]
    # One task sends the creative-live events of every mapped attach: mapped tasks that send the
    # first event of a new Asset at once race in Airflow, and the loser fails without a retry.
    ReportCreativesLiveOperator(
        task_id="report_creatives_live",
        results=attach_media_creatives.output,
        outlets=[creative_live_alias()],
    )
    # [END howto_report_creatives_live]
