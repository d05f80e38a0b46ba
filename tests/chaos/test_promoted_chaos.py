"""The promoted-post path (card, post, promoted post) run again and again under seeded random
faults, with task retries and twin runs of each task.

Whatever the faults, afterwards every chain reported done has exactly one live card, one post and
one promoted post, and the twins of a chain agree on them; a chain that failed for good failed with
the API's error.
"""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from support.concurrency import prepare_twin_thread
from support.creatives import live
from support.promoted import WEBSITE_CLICKS, owned_media

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import AdsApiError
from airflow_provider_twitter_ads.operators.card import CreateCardOperator
from airflow_provider_twitter_ads.operators.promoted_tweet import PromoteTweetOperator
from airflow_provider_twitter_ads.operators.tweet import CreateTweetOperator

from .conftest import CLIENT_TIMEOUT, SLOW_SECONDS, chaos_runs

FAULT_RATES = {"error": 0.05, "rate_limit": 0.02, "slow": 0.015, "drop_before": 0.03, "drop_after": 0.05}
TASK_TRIES = 4


def with_retries(run: Any) -> Any:
    """Airflow's task retries: the same task instance (same context) tried again after a failure."""
    for attempt in range(1, TASK_TRIES + 1):
        try:
            return run()
        except AdsApiError:
            if attempt == TASK_TRIES:
                raise
    raise AssertionError("unreachable")


def chain(media: list[dict[str, Any]], run_id: str, results: list[Any]) -> None:
    prepare_twin_thread()
    context = {"run_id": run_id}
    settle = {"settle_seconds": 2 * CLIENT_TIMEOUT}
    try:
        card = with_retries(
            lambda: CreateCardOperator(
                task_id="card", media_keys=media, website_url="https://example.com/a", title="A", **settle
            ).execute(context)
        )
        tweet = with_retries(
            lambda: CreateTweetOperator(task_id="post", text="A", card_uri=card, **settle).execute(context)
        )
        promoted = with_retries(
            lambda: PromoteTweetOperator(
                task_id="promote", line_item_id=WEBSITE_CLICKS, tweet_ids=tweet, **settle
            ).execute(context)
        )
        results.append((card["id"], tweet["tweet_id"], promoted["id"]))
    except AdsApiError as error:
        results.append(error)


@pytest.mark.slow
def test_promoted_chains_under_faults_are_exactly_once(
    ads_api_emulator: AdsApiEmulator, chaos_connection: str, request: pytest.FixtureRequest
) -> None:
    runs = max(3, chaos_runs(request.config) // 3)
    media = [owned_media(ads_api_emulator) for _ in range(3)]
    outcomes: dict[str, list[Any]] = {}
    for run in range(runs):
        ads_api_emulator.faults.configure(
            {
                "random": {
                    "rates": FAULT_RATES,
                    "options": {"slow": {"seconds": SLOW_SECONDS}},
                    "path": "/accounts/",
                    "seed": random.Random(run).randrange(10_000),
                }
            }
        )
        run_id = f"chaos__{run}"
        results: list[Any] = []
        twins = [threading.Thread(target=chain, args=(media, run_id, results)) for _ in range(2)]
        for twin in twins:
            twin.start()
        for twin in twins:
            twin.join(timeout=300)
        outcomes[run_id] = results
    ads_api_emulator.faults.clear()

    done = 0
    for run_id, results in outcomes.items():
        assert len(results) == 2, run_id
        finished = [r for r in results if isinstance(r, tuple)]
        assert len(set(finished)) <= 1, f"{run_id}: twins disagree: {finished}"
        done += bool(finished)
    cards = live(ads_api_emulator, "cards")
    by_run = {}
    for card in cards:
        by_run.setdefault(card["name"], []).append(card["id"])
    assert all(len(ids) == 1 for ids in by_run.values()), by_run
    promoted = live(ads_api_emulator, "promoted_tweets")
    assert len({p["tweet_id"] for p in promoted}) == len(promoted), "a post promoted twice"
    finished_cards = {r[0] for results in outcomes.values() for r in results if isinstance(r, tuple)}
    assert finished_cards <= {card["id"] for card in cards}
    assert done >= runs // 2, f"only {done} of {runs} chains got through"
