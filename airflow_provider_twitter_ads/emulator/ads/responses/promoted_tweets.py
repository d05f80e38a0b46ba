"""Promoted posts: ``accounts/:account_id/promoted_tweets`` (v12 reference, "Promoted Tweets").

A promoted post ties a published post to a line item that takes promoted posts; they cannot be
updated. Promoted posts of a deleted line item are listed only with ``with_deleted=true``.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid
from airflow_provider_twitter_ads.emulator.ads.models import Entity, stamp
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    delete_response,
    get_response,
    ids_filter,
    ids_param,
    list_response,
    live_line_item,
)
from airflow_provider_twitter_ads.emulator.ads.tweets import (
    MAX_PROMOTED_TWEET_IDS,
    new_promoted_tweet,
    promotable_user,
    takes_promoted_tweets,
)
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response, request_echo
from airflow_provider_twitter_ads.emulator.state import EmulatorState

KIND = "promoted_tweets"
ID_NAME = "promoted_tweet_id"
FILTERS = (ids_filter("line_item_ids", "line_item_id"), ids_filter("promoted_tweet_ids", "id"))


def create_promoted_tweets(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST promoted_tweets``: one promoted post per tweet id, all or none; every call creates anew."""
    line_item_id = request.require("line_item_id")
    tweet_ids = ids_param("tweet_ids", request.require("tweet_ids"))
    if not tweet_ids or len(tweet_ids) > MAX_PROMOTED_TWEET_IDS:
        raise invalid("tweet_ids", f"tweet_ids takes 1 to {MAX_PROMOTED_TWEET_IDS} ids, got {len(tweet_ids)}")
    line_item = live_line_item(state, line_item_id)
    if not takes_promoted_tweets(line_item):
        raise invalid(
            "line_item_id",
            f"line_item_id {line_item_id!r} is {line_item['product_type']} / {line_item['objective']}; "
            "it takes no promoted posts",
        )
    tweets = state.table("tweets")
    for tweet_id in tweet_ids:
        tweet = tweets.get(tweet_id)
        if tweet is None or tweet["tweet_type"] != "PUBLISHED":
            raise invalid("tweet_ids", f"tweet_ids {tweet_id!r} is not a published post")
        if promotable_user(state, tweet["user"]["id_str"]) is None:
            raise invalid("tweet_ids", f"tweet_ids {tweet_id!r} is by no promotable user of this account")
    when = stamp(state)
    created = [dict(new_promoted_tweet(state, line_item_id, tweet_id, when)) for tweet_id in tweet_ids]
    body: dict[str, Any] = {
        "request": request_echo(request),
        "data_type": "promoted_tweet",
        "data": created,
        "total_count": len(created),
    }
    return Response(body, 201)


def _of_deleted_line_item(state: EmulatorState) -> Any:
    line_items = state.table("line_items")

    def check(entity: Entity) -> bool:
        return bool(line_items.get(entity["line_item_id"], {}).get("deleted"))

    return check


def list_promoted_tweets(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET promoted_tweets``: ``line_item_ids`` and ``promoted_tweet_ids``."""
    return list_response(request, state, KIND, FILTERS, counts_as_deleted=_of_deleted_line_item(state))


def get_promoted_tweet(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET promoted_tweets/:promoted_tweet_id``."""
    return get_response(request, state, KIND, ID_NAME)


def delete_promoted_tweet(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``DELETE promoted_tweets/:promoted_tweet_id``."""
    return delete_response(request, state, KIND, ID_NAME)
