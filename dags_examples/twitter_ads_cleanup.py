"""
### Clean up what a run created

Deletes promoted posts and media creatives, then cards and account media, by id. Give the ids as params or in the run's conf,
as lists or comma-separated strings, e.g.
`{"media_creative_ids": ["4n4tc", "4n4td"], "account_media_ids": "1a2b3,1a2b4"}` or
`{"promoted_tweet_ids": ["1efwlo"], "card_ids": ["1029825579531807974"]}`.
The ids are in the XCom of a run of `twitter_ads_preroll_video` or `twitter_ads_display_images`
(the `id` of each `create_account_media` and `attach_media_creative` result), or of
`twitter_ads_promoted_carousel` or `twitter_ads_promoted_video` (the `id` of `promote_tweet` and
`create_card`). Posts themselves cannot be deleted through the Ads API; a nullcast post that is
no longer promoted is seen by nobody.

Each id is its own mapped task instance; an id that is already deleted or does not exist counts as
done, so the DAG can be re-run safely. Promoted posts and media creatives go first: they reference the posts' cards and the account media.
Deleting an account media made from the media library leaves the library entry in place.

Connection: `twitter_ads_default` (X Ads API).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

try:
    from airflow.sdk import DAG, Param, task
except ImportError:  # Airflow 2.10
    from airflow.decorators import task  # type: ignore[no-redef]
    from airflow.models.dag import DAG  # type: ignore[no-redef]
    from airflow.models.param import Param  # type: ignore[no-redef]

from airflow_provider_twitter_ads.operators.account_media import DeleteAccountMediaOperator
from airflow_provider_twitter_ads.operators.card import DeleteCardOperator
from airflow_provider_twitter_ads.operators.media_creative import DeleteMediaCreativeOperator
from airflow_provider_twitter_ads.operators.promoted_tweet import DeletePromotedTweetOperator


def id_list(value: Any, name: str) -> list[str]:
    """A list of ids from a list or a comma-separated string; empty entries and duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of ids or a comma-separated string, got {value!r}")
    ids: list[str] = []
    for item in value:
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            raise TypeError(f"{name} must hold id strings, got {item!r}")
        text = str(item).strip()
        if text and text not in ids:
            ids.append(text)
    return ids


_ID_LIST_SCHEMA: dict[str, Any] = {"type": ["array", "string"], "items": {"type": "string"}}

with DAG(
    dag_id="twitter_ads_cleanup",
    description="Delete promoted posts, media creatives, cards and account media by id.",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["twitter_ads", "example", "cleanup"],
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    params={
        "media_creative_ids": Param([], **_ID_LIST_SCHEMA, description="Media creative ids to delete."),
        "account_media_ids": Param([], **_ID_LIST_SCHEMA, description="Account media ids to delete."),
        "promoted_tweet_ids": Param([], **_ID_LIST_SCHEMA, description="Promoted post ids to delete."),
        "card_ids": Param([], **_ID_LIST_SCHEMA, description="Card ids to delete."),
        "account_id": Param(
            "",
            type="string",
            description="Ads account id; empty uses the account_id of the twitter_ads connection.",
        ),
    },
) as dag:

    @task
    def media_creative_ids(params: dict[str, Any] | None = None) -> list[str]:
        """The media creative ids from the params (a run's conf overrides them)."""
        return id_list((params or {}).get("media_creative_ids"), "media_creative_ids")

    @task
    def account_media_ids(params: dict[str, Any] | None = None) -> list[str]:
        """The account media ids from the params (a run's conf overrides them)."""
        return id_list((params or {}).get("account_media_ids"), "account_media_ids")

    @task
    def promoted_tweet_ids(params: dict[str, Any] | None = None) -> list[str]:
        """The promoted post ids from the params (a run's conf overrides them)."""
        return id_list((params or {}).get("promoted_tweet_ids"), "promoted_tweet_ids")

    @task
    def card_ids(params: dict[str, Any] | None = None) -> list[str]:
        """The card ids from the params (a run's conf overrides them)."""
        return id_list((params or {}).get("card_ids"), "card_ids")

    # [START howto_delete_promoted_tweets]
    delete_promoted_tweets = DeletePromotedTweetOperator.partial(
        task_id="delete_promoted_tweet",
        account_id="{{ params.account_id }}",
    ).expand(promoted_tweet_id=promoted_tweet_ids())
    delete_cards = DeleteCardOperator.partial(
        task_id="delete_card",
        account_id="{{ params.account_id }}",
        trigger_rule="none_failed",
    ).expand(card_id=card_ids())
    delete_promoted_tweets >> delete_cards
    # [END howto_delete_promoted_tweets]

    # [START howto_delete_media_creatives]
    # Mapped over the ids: an empty list skips the step instead of failing it.
    delete_media_creatives = DeleteMediaCreativeOperator.partial(
        task_id="delete_media_creative",
        account_id="{{ params.account_id }}",
    ).expand(media_creative_id=media_creative_ids())
    # [END howto_delete_media_creatives]

    # [START howto_delete_account_media]
    delete_account_media = DeleteAccountMediaOperator.partial(
        task_id="delete_account_media",
        account_id="{{ params.account_id }}",
        # Runs after the creatives are gone, even when there were none to delete.
        trigger_rule="none_failed",
    ).expand(account_media_id=account_media_ids())
    # [END howto_delete_account_media]

    delete_media_creatives >> delete_account_media
