"""
### A video card from S3, a nullcast post, a promoted post

The promoted-post path for one video:

1. uploads the video (`amplify_video`) with `additional_owners` naming the user who posts, and
   waits until X has processed it,
2. makes a `MEDIA` card with a website destination (adding the video to the media library),
3. makes a nullcast post with the card and promotes it on a line item (here VIDEO_VIEWS).

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

from airflow_provider_twitter_ads.operators.card import CreateCardOperator
from airflow_provider_twitter_ads.operators.promoted_tweet import PromoteTweetOperator
from airflow_provider_twitter_ads.operators.tweet import CreateTweetOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator

with DAG(
    dag_id="twitter_ads_promoted_video",
    description="S3 video -> MEDIA card -> nullcast post -> promoted post.",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["twitter_ads", "example", "promoted post", "video"],
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    params={
        "s3_bucket": Param("twitter-ads-demo", type="string", minLength=3, description="S3 bucket."),
        "s3_key": Param("promoted/launch.mp4", type="string", minLength=1, description="The MP4."),
        "account_id": Param("", type="string", description="Ads account; empty: the connection's."),
        "as_user_id": Param(
            "756201191646691328",
            type="string",
            pattern="^[0-9]+$",
            description="The FULL promotable user who posts; also the upload's additional owner.",
        ),
        "website_url": Param(
            "https://example.com/launch",
            type="string",
            pattern="^https?://",
            description="Where the card leads (http or https).",
        ),
        "title": Param(
            "Watch the launch", type="string", minLength=1, maxLength=70, description="The card's headline."
        ),
        "text": Param("The launch, in 15 seconds.", type="string", description="The post's text."),
        "line_item_id": Param("8v7jp", type="string", minLength=1, description="A VIDEO_VIEWS line item."),
    },
) as dag:
    upload_video = UploadMediaOperator(
        task_id="upload_video",
        s3_bucket="{{ params.s3_bucket }}",
        s3_key="{{ params.s3_key }}",
        media_category="amplify_video",
        additional_owners="{{ params.as_user_id }}",
        wait_for_processing=True,
    )

    # [START howto_create_video_card]
    card = CreateCardOperator(
        task_id="create_card",
        media_keys=upload_video.output,
        website_url="{{ params.website_url }}",
        title="{{ params.title }}",
        account_id="{{ params.account_id }}",
    )
    # [END howto_create_video_card]

    post = CreateTweetOperator(
        task_id="create_tweet",
        text="{{ params.text }}",
        card_uri=card.output,
        as_user_id="{{ params.as_user_id }}",
        account_id="{{ params.account_id }}",
    )

    promote = PromoteTweetOperator(
        task_id="promote_tweet",
        line_item_id="{{ params.line_item_id }}",
        tweet_ids=post.output,
        account_id="{{ params.account_id }}",
    )
