"""
### A carousel card from S3 images, a nullcast post, a promoted post

The promoted-post path, for every objective but pre-roll (here WEBSITE_CLICKS):

1. lists the images under an S3 prefix (2 to 6 of them, at least 800 px wide, 1:1 or 1.91:1),
2. uploads each (`tweet_image`, one mapped task instance per image) with `additional_owners`
   naming the user who posts, because that user is not the one whose token uploads,
3. makes one carousel card (`SWIPEABLE_MEDIA` + `DETAILS` with a website destination), adding the
   images to the account's media library,
4. makes a nullcast (promoted-only) post with the card, as the account's FULL promotable user,
5. promotes the post on a line item.

Every create is exactly once: a retry or a twin of a task finds what an earlier try made by its
name. The defaults match the offline demo (`make demo`) and the emulator's seeded account.

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

from airflow_provider_twitter_ads.operators.card import CreateCardOperator
from airflow_provider_twitter_ads.operators.promoted_tweet import PromoteTweetOperator
from airflow_provider_twitter_ads.operators.tweet import CreateTweetOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")

with DAG(
    dag_id="twitter_ads_promoted_carousel",
    description="S3 images -> carousel card -> nullcast post -> promoted post on a WEBSITE_CLICKS line item.",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["twitter_ads", "example", "promoted post"],
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    params={
        "s3_bucket": Param("twitter-ads-demo", type="string", minLength=3, description="S3 bucket."),
        "s3_prefix": Param("promoted/carousel/", type="string", description="2 to 6 images under it."),
        "account_id": Param("", type="string", description="Ads account; empty: the connection's."),
        "as_user_id": Param(
            "756201191646691328",
            type="string",
            pattern="^[0-9]+$",
            description="The FULL promotable user who posts (GET promotable_users); also the uploads' "
            "additional owner.",
        ),
        "website_url": Param(
            "https://example.com/autumn",
            type="string",
            pattern="^https?://",
            description="Where the card leads (http or https).",
        ),
        "title": Param(
            "Autumn roast", type="string", minLength=1, maxLength=70, description="The card's headline."
        ),
        "text": Param(
            "Our autumn roast is here. https://example.com/autumn",
            type="string",
            description="The post's text: at most 280 weighted characters, a URL counts 23.",
        ),
        "line_item_id": Param("8v7jo", type="string", minLength=1, description="A WEBSITE_CLICKS line item."),
    },
) as dag:

    @task
    def list_images(s3_bucket: str, s3_prefix: str) -> list[str]:
        """The image keys under the prefix, sorted: the carousel's order."""
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        keys = S3Hook(aws_conn_id="aws_default").list_keys(bucket_name=s3_bucket, prefix=s3_prefix) or []
        images = sorted(key for key in keys if key.lower().endswith(IMAGE_SUFFIXES))
        if not 2 <= len(images) <= 6:
            raise ValueError(
                f"A carousel takes 2 to 6 images; s3://{s3_bucket}/{s3_prefix} has {len(images)}"
            )
        return images

    image_keys = list_images(s3_bucket="{{ params.s3_bucket }}", s3_prefix="{{ params.s3_prefix }}")

    # [START howto_upload_for_another_user]
    upload_images = UploadMediaOperator.partial(
        task_id="upload_image",
        s3_bucket="{{ params.s3_bucket }}",
        media_category="tweet_image",
        # The post is made as the FULL promotable user, not as the token's user: name it.
        additional_owners="{{ params.as_user_id }}",
        map_index_template="{{ task.s3_key }}",
    ).expand(s3_key=image_keys)
    # [END howto_upload_for_another_user]

    # [START howto_create_card]
    card = CreateCardOperator(
        task_id="create_card",
        media_keys=upload_images.output,
        website_url="{{ params.website_url }}",
        title="{{ params.title }}",
        account_id="{{ params.account_id }}",
    )
    # [END howto_create_card]

    # [START howto_create_tweet]
    post = CreateTweetOperator(
        task_id="create_tweet",
        text="{{ params.text }}",
        card_uri=card.output,
        as_user_id="{{ params.as_user_id }}",
        account_id="{{ params.account_id }}",
    )
    # [END howto_create_tweet]

    # [START howto_promote_tweet]
    promote = PromoteTweetOperator(
        task_id="promote_tweet",
        line_item_id="{{ params.line_item_id }}",
        tweet_ids=post.output,
        account_id="{{ params.account_id }}",
    )
    # [END howto_promote_tweet]
