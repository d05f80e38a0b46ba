"""Operators that promote posts on a line item (promoted tweets) and delete promoted posts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from airflow_provider_twitter_ads.compat import Context
from airflow_provider_twitter_ads.exceptions import (
    AdsApiNotFoundError,
    AdsApiResponseLostError,
    names_missing,
)
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.ids import entity_id
from airflow_provider_twitter_ads.lineage import (
    Resource,
    check_creative_live_outlets,
    creative_live_events,
    promoted_post_lineage,
)
from airflow_provider_twitter_ads.operators.base import (
    AdsApiEntityOperator,
    DeleteEntitiesOperator,
    remembered_create,
    report_creatives_live,
)
from airflow_provider_twitter_ads.utils.exactly_once import converge, create_once
from airflow_provider_twitter_ads.utils.promoted_posts import (
    check_line_item_takes_posts,
    check_tweet_ids,
    promoted_tweet_result,
    survivor,
)
from airflow_provider_twitter_ads.utils.task_state import TaskState
from airflow_provider_twitter_ads.vocabulary import MISSING_LINE_ITEM_CODES, NOT_FOUND_CODES


class PromoteTweetOperator(AdsApiEntityOperator):
    """Promote posts on a line item (``POST promoted_tweets``), exactly once per post.

    :param line_item_id: a line item of product type PROMOTED_TWEETS (any objective but the
        pre-roll PREROLL_VIEWS), or its id in a dict.
    :param tweet_ids: a post id, a list of up to 50, or ``CreateTweetOperator`` dicts.
    :param account_id: the ads account; default: the connection's ``account_id``.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :param settle_seconds: after a create's response is lost, seconds to keep looking for it before
        creating again; default: twice the connection's timeout.
    :return: ``{"id", "line_item_id", "tweet_id", "entity_status", "approval_status", "created_at",
        "account_id"}``, or a list of them when ``tweet_ids`` is a list.
    """

    template_fields: Sequence[str] = ("line_item_id", "tweet_ids", "account_id")

    def __init__(
        self,
        *,
        line_item_id: str | Mapping[str, Any],
        tweet_ids: Any,
        account_id: str | None = None,
        twitter_ads_conn_id: str = AdsApiHook.default_conn_name,
        settle_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(twitter_ads_conn_id=twitter_ads_conn_id, settle_seconds=settle_seconds, **kwargs)
        self.line_item_id = line_item_id
        self.tweet_ids = tweet_ids
        self.account_id = account_id

    def execute(self, context: Context) -> dict[str, Any] | list[dict[str, Any]]:
        # Everything is checked, and every entity read, before the first write.
        raw_line_item = (
            self.line_item_id.get("id") if isinstance(self.line_item_id, Mapping) else self.line_item_id
        )
        line_item_id = entity_id(raw_line_item, "line_item_id")
        wanted = check_tweet_ids(self.tweet_ids)
        account_id = self.account_id or self.hook.account_id
        namespace = self.lineage_namespace
        check_creative_live_outlets(
            self.outlets, namespace=namespace, account_id=account_id, line_item_ids=[line_item_id]
        )
        try:
            line_item = self.hook.get_line_item(line_item_id, account_id=account_id)
        except AdsApiNotFoundError as exc:
            # Any other 404 is a wrong route or base URL, not a missing line item.
            if not names_missing(exc, *MISSING_LINE_ITEM_CODES):
                raise
            raise ValueError(
                f"line_item_id {line_item_id!r} is missing or deleted in account {account_id} ({exc})"
            ) from exc
        check_line_item_takes_posts(line_item)
        self._check_posts(wanted, account_id)

        state = TaskState.of(context)
        remembered = {
            tweet_id: remembered_create(
                state,
                f"created.promoted_tweet.{line_item_id}.{tweet_id}",
                lambda promoted_id: self.hook.get_promoted_tweet(promoted_id, account_id=account_id),
                lambda promoted, tweet_id=tweet_id: (
                    (str(promoted.get("line_item_id")), str(promoted.get("tweet_id")))
                    == (line_item_id, tweet_id)
                ),
                not_found_code=NOT_FOUND_CODES.PROMOTED_TWEET,
                what="promoted post",
            )
            for tweet_id in wanted
        }
        # What an earlier try of this task promoted: settled ones need no list at all; one whose try
        # died before its converge step is converged below as this task's own.
        recalled = {tweet_id: remembered[tweet_id].recall() for tweet_id in wanted}
        chosen: dict[str, Mapping[str, Any]] = {
            tweet_id: found[0] for tweet_id, found in recalled.items() if found is not None and found[1]
        }
        mine: dict[str, Mapping[str, Any]] = {
            tweet_id: found[0] for tweet_id, found in recalled.items() if found is not None and not found[1]
        }

        def live() -> dict[str, list[dict[str, Any]]]:
            found: dict[str, list[dict[str, Any]]] = {}
            for promoted in self.hook.list_promoted_tweets(account_id, line_item_ids=[line_item_id]):
                if not promoted.get("deleted") and str(promoted.get("tweet_id")) in wanted:
                    found.setdefault(str(promoted["tweet_id"]), []).append(promoted)
            return found

        rest = [tweet_id for tweet_id in wanted if tweet_id not in chosen and tweet_id not in mine]
        existing = live() if rest else {}
        missing = [tweet_id for tweet_id in rest if tweet_id not in existing]
        if missing:

            def find() -> dict[str, dict[str, Any]] | None:
                now = live()
                if all(tweet_id in now for tweet_id in missing):
                    return {tweet_id: dict(_pick(now[tweet_id])) for tweet_id in missing}
                return None

            def create() -> dict[str, dict[str, Any]]:
                made = self.hook.create_promoted_tweets(line_item_id, missing, account_id=account_id)
                made_by_tweet = {str(promoted["tweet_id"]): promoted for promoted in made}
                # Right after the response: a worker that dies from here on leaves its retry the ids.
                for tweet_id, promoted in made_by_tweet.items():
                    if tweet_id in remembered:
                        remembered[tweet_id].remember(promoted, settled=False)
                return made_by_tweet

            created_now, created = create_once(
                find,
                create,
                lost_errors=(AdsApiResponseLostError,),
                what="promoted posts",
                settle_seconds=self._settle_seconds(),
            )
            if created:
                mine.update(created_now)
        if mine:
            self._lineage = promoted_post_lineage(
                namespace,
                account_id=account_id,
                line_item_id=line_item_id,
                promoted=[(tweet_id, str(promoted["id"])) for tweet_id, promoted in mine.items()],
            )
        for tweet_id in wanted:
            if tweet_id in chosen:
                continue
            if tweet_id in mine:
                # The list is read at once, as it always was here (converge_seconds is not applied).
                chosen[tweet_id] = (
                    converge(
                        [mine[tweet_id]],
                        lambda tweet_id=tweet_id: live().get(tweet_id, []),
                        lambda own: self.hook.delete_promoted_tweet(str(own["id"]), account_id=account_id),
                        pick=_pick,
                        what="promoted post",
                        converge_seconds=0,
                        remembered=remembered[tweet_id],
                    )
                    or mine[tweet_id]
                )
            else:
                chosen[tweet_id] = _pick(existing.get(tweet_id) or live()[tweet_id])
                remembered[tweet_id].remember(chosen[tweet_id], settled=True)
        results = [promoted_tweet_result(chosen[tweet_id], account_id) for tweet_id in wanted]
        self._lineage = promoted_post_lineage(
            namespace,
            account_id=account_id,
            line_item_id=line_item_id,
            promoted=[(result["tweet_id"], result["id"]) for result in results],
        )
        report_creatives_live(context, self.outlets, namespace, creative_live_events(results))
        self.log.info(
            "Promoted posts on line item %s: %s",
            line_item_id,
            ", ".join(f"{r['tweet_id']} -> {r['id']}" for r in results),
        )
        return results if isinstance(self.tweet_ids, (list, tuple)) else results[0]

    def _check_posts(self, wanted: list[str], account_id: str) -> None:
        """Every post exists and is by one of the account's promotable users."""
        found: set[str] = set()
        for user in self.hook.list_promotable_users(account_id):
            if user.get("deleted") or len(found) == len(wanted):
                continue
            for tweet in self.hook.list_tweets(
                account_id, tweet_ids=wanted, timeline_type="ALL", user_id=str(user["user_id"])
            ):
                found.add(str(tweet.get("tweet_id") or tweet.get("id_str")))
        unknown = [tweet_id for tweet_id in wanted if tweet_id not in found]
        if unknown:
            raise ValueError(
                f"tweet_ids {', '.join(unknown)}: no published post of a promotable user of account {account_id}"
            )


def _pick(promoted: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    chosen = survivor(promoted, lambda entity: str(entity.get("id")))
    assert chosen is not None
    return chosen


class DeletePromotedTweetOperator(DeleteEntitiesOperator):
    """Delete promoted posts (they cannot be updated); ones already deleted or missing count as done.

    :param promoted_tweet_id: an id, a list of ids, or ``PromoteTweetOperator`` dicts (their ``id``).
    :param account_id: the ads account; default: the connection's ``account_id``.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :return: the list of promoted post ids that are now deleted.
    """

    id_parameter = "promoted_tweet_id"
    entity_name = "promoted post"
    not_found_code = NOT_FOUND_CODES.PROMOTED_TWEET
    lineage_resource = Resource.PROMOTED_TWEETS
    template_fields: Sequence[str] = ("promoted_tweet_id", "account_id")

    def __init__(self, *, promoted_tweet_id: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.promoted_tweet_id = promoted_tweet_id

    def _delete_one(self) -> Callable[..., Any]:
        return self.hook.delete_promoted_tweet
