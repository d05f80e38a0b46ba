"""An operator that makes a post (Tweet) to promote: nullcast, with a card or media."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_twitter_ads.compat import Context
from airflow_provider_twitter_ads.exceptions import AdsApiNotFoundError, AdsApiResponseLostError
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.lineage import post_lineage
from airflow_provider_twitter_ads.operators.base import AdsApiEntityOperator, remembered_create, task_name
from airflow_provider_twitter_ads.utils.exactly_once import converge, create_once
from airflow_provider_twitter_ads.utils.promoted_posts import (
    check_as_user_id,
    check_card_uri,
    check_post_media,
    check_post_text,
    check_tweet_name,
    media_list,
    survivor,
    tweet_result,
)
from airflow_provider_twitter_ads.utils.task_state import TaskState


class CreateTweetOperator(AdsApiEntityOperator):
    """Make a post (``POST accounts/:account_id/tweet``), exactly once, by its ``name``.

    :param text: the post's text: at most 280 weighted characters (CJK and emoji count 2, every URL
        23); may be empty with a card or media.
    :param card_uri: ``card://...`` or ``CreateCardOperator``'s dict; not with ``media_keys``.
    :param media_keys: up to 4 images, or one GIF or video (keys or ``UploadMediaOperator`` dicts).
        Media that another user posts must be uploaded with ``additional_owners`` naming that user.
    :param as_user_id: who posts; default: the account's FULL promotable user.
    :param nullcast: True (default) for a promoted-only post that followers do not see.
    :param name: the post's name, which a retry or twin finds it by; default: one derived from the
        DAG, task, run and map index.
    :param account_id: the ads account; default: the connection's ``account_id``.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :param settle_seconds: after a create's response is lost, seconds to keep looking for it before
        creating again; default: twice the connection's timeout.
    :return: ``{"tweet_id", "name", "card_uri", "nullcast", "user_id", "created_at", "account_id"}``.
    """

    template_fields: Sequence[str] = ("text", "card_uri", "media_keys", "as_user_id", "name", "account_id")

    def __init__(
        self,
        *,
        text: str | None = None,
        card_uri: str | Mapping[str, Any] | None = None,
        media_keys: Any = None,
        as_user_id: str | None = None,
        nullcast: bool = True,
        name: str | None = None,
        account_id: str | None = None,
        twitter_ads_conn_id: str = AdsApiHook.default_conn_name,
        settle_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(twitter_ads_conn_id=twitter_ads_conn_id, settle_seconds=settle_seconds, **kwargs)
        self.text = text
        self.card_uri = card_uri
        self.media_keys = media_keys
        self.as_user_id = as_user_id
        self.nullcast = nullcast
        self.name = name
        self.account_id = account_id

    def execute(self, context: Context) -> dict[str, Any]:
        # Everything is checked, and every entity read, before the first write.
        card_uri = None if self.card_uri in (None, "") else check_card_uri(self.card_uri)
        media = media_list(self.media_keys) if self.media_keys not in (None, "", []) else []
        if card_uri is not None and media:
            raise ValueError("give card_uri or media_keys, not both: a post shows a card or media")
        check_post_media(media)
        text = check_post_text(self.text, has_media=bool(card_uri or media))
        if not isinstance(self.nullcast, bool):
            raise TypeError(f"nullcast must be True or False, got {self.nullcast!r}")
        name = check_tweet_name(self.name or task_name("post", context, self))
        account_id = self.account_id or self.hook.account_id
        user_id = check_as_user_id(self.as_user_id, self.hook.list_promotable_users(account_id))
        card_id = None if card_uri is None else self._check_card(card_uri, account_id)

        def find_all() -> list[dict[str, Any]]:
            return [
                tweet
                for tweet in self.hook.list_tweets(
                    account_id, name=name, timeline_type="ALL", user_id=user_id
                )
                if tweet.get("name") == name
            ]

        def create() -> dict[str, Any]:
            return self.hook.create_tweet(
                user_id,
                text,
                card_uri=card_uri,
                media_keys=[item.media_key for item in media],
                name=name,
                nullcast=self.nullcast,
                account_id=account_id,
            )

        # Posts cannot be deleted: "live" is a post of this user by this id with this name.
        remembered = remembered_create(
            TaskState.of(context),
            f"created.post.{name}",
            lambda tweet_id: self.hook.get_tweet(tweet_id, account_id=account_id, user_id=user_id),
            lambda tweet: tweet.get("name") == name,
            not_found_code=None,
            what="post",
            identity=_tweet_id,
            converged_later=True,
        )
        tweet, created = create_once(
            lambda: survivor(find_all(), _tweet_id),
            create,
            lost_errors=(AdsApiResponseLostError,),
            what="post",
            settle_seconds=self._settle_seconds(),
            identity=_tweet_id,
            remembered=remembered,
        )
        if created:
            # Posts cannot be deleted through the Ads API: a twin's extra copy stays, unpromoted.
            # The list is read at once, as it always was here (converge_seconds is not applied).
            tweet = (
                converge(
                    [tweet],
                    find_all,
                    None,
                    pick=lambda tweets: survivor(tweets, _tweet_id),
                    identity=_tweet_id,
                    what="post",
                    converge_seconds=0,
                    remembered=remembered,
                )
                or tweet
            )
        result = tweet_result(tweet, account_id)
        self._lineage = post_lineage(
            self.lineage_namespace,
            tweet_id=result["tweet_id"],
            media_keys=[item.media_key for item in media],
            account_id=account_id,
            card_id=card_id,
        )
        self.log.info("%s post %s (%s)", "Created" if created else "Reusing", result["tweet_id"], name)
        return result

    def _check_card(self, card_uri: str, account_id: str) -> str:
        """The id of the live card ``card_uri`` names in the account; ValueError if there is none."""
        card_id = card_uri.removeprefix("card://")
        try:
            card = self.hook.get_card(card_id, account_id=account_id)
        except AdsApiNotFoundError as exc:
            raise ValueError(f"card_uri {card_uri} names no card of account {account_id}") from exc
        if card.get("deleted"):
            raise ValueError(f"card_uri {card_uri} names a deleted card")
        return str(card.get("id") or card_id)


def _tweet_id(tweet: Mapping[str, Any]) -> str:
    return str(tweet.get("tweet_id") or tweet.get("id_str") or tweet.get("id"))
