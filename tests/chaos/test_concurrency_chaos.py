"""Every create the provider does, by several tasks at once, with faults on: one live entity, and
every task returns it (issue 10). Each run counts into the chaos totals (``concurrent=``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from support.concurrency import run_together
from support.creatives import live, ready_media

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import AdsApiError
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator

from .conftest import CLIENT_TIMEOUT
from .harness import PREROLL_LINE_ITEM, Totals

TASKS = 4
#: Task tries per task, as Airflow's ``retries`` would give.
TRIES = 4
LATENCY = 0.2
FAULTS = {
    "random": {
        "rates": {"error": 0.06, "rate_limit": 0.04, "drop_before": 0.04, "drop_after": 0.04},
        "options": {"error": {"status": 503}, "rate_limit": {"with_reset": True, "reset_in": 0.2}},
        "seed": 10,
    }
}


def _with_retries(body: Callable[[], dict[str, Any]], totals: Totals) -> Callable[[], dict[str, Any]]:
    def task() -> dict[str, Any]:
        for attempt in range(1, TRIES + 1):
            try:
                return body()
            except (AdsApiError, TimeoutError):
                if attempt == TRIES:
                    raise
                totals.task_retries += 1
        raise AssertionError("unreachable")

    return task


def _account_media(upload: dict[str, Any]) -> dict[str, Any]:
    return CreateAccountMediaOperator(task_id="account_media", media_key=upload, timeout=10).execute({})


def _stop_faults(emulator: AdsApiEmulator, totals: Totals) -> None:
    """Turn the faults off, counting first what was injected (clearing resets the counts)."""
    totals.faults.update(emulator.faults.injected)
    emulator.faults.clear()


def _check(emulator: AdsApiEmulator, returned: dict[str, set[str]], totals: Totals, chaos: Totals) -> None:
    """One run of ``TASKS`` twins: of each kind, one live entity, the one every twin returned.

    ``returned`` maps each kind the twins created to the ids they returned; the run is added to
    the session's totals once, whatever the number of kinds.
    """
    live_ids = {kind: {str(e["id"]) for e in live(emulator, kind)} for kind in returned}
    totals.runs += 1
    totals.concurrent += TASKS
    for kind, ids in returned.items():
        totals.duplicates += max(len(live_ids[kind]) - 1, 0)
        totals.lost += 0 if live_ids[kind] & ids else 1
    chaos.add(totals)
    assert {kind: (len(live_ids[kind]), ids) for kind, ids in returned.items()} == {
        kind: (1, live_ids[kind]) for kind in returned
    }


@pytest.mark.parametrize("category", ["amplify_video", "tweet_image"])
def test_concurrent_account_media_with_faults(
    ads_api_emulator: AdsApiEmulator, chaos_connection: str, chaos_totals: Totals, category: str
) -> None:
    totals = Totals()
    upload = ready_media(ads_api_emulator, category, *((300, 250) if category == "tweet_image" else ()))
    ads_api_emulator.update_config(latency=LATENCY)
    ads_api_emulator.faults.configure(FAULTS)
    results = run_together(TASKS, _with_retries(lambda: _account_media(upload), totals))
    _stop_faults(ads_api_emulator, totals)
    _check(ads_api_emulator, {"account_media": {r["id"] for r in results}}, totals, chaos_totals)


@pytest.mark.parametrize(
    ("category", "image_media_key"),
    [("amplify_video", False), ("tweet_image", False), ("tweet_image", True)],
    ids=["video", "image-without-media-key", "image-with-media-key"],
)
def test_v4_concurrent_account_media_with_faults(
    ads_api_emulator: AdsApiEmulator,
    chaos_connection: str,
    chaos_totals: Totals,
    monkeypatch: pytest.MonkeyPatch,
    category: str,
    image_media_key: bool,
) -> None:
    """API v4 (POST account_media, no media library): the twins converge over what names the media."""
    ads_api_emulator.update_config(
        supported_versions=(*ads_api_emulator.config.supported_versions, 4),
        image_account_media_media_key=image_media_key,
    )
    connection = ads_api_emulator.airflow_connection(timeout=CLIENT_TIMEOUT, api_version="4")
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    totals = Totals()
    upload = ready_media(ads_api_emulator, category, *((300, 250) if category == "tweet_image" else ()))
    ads_api_emulator.update_config(latency=LATENCY)
    ads_api_emulator.faults.configure(FAULTS)
    results = run_together(TASKS, _with_retries(lambda: _account_media(upload), totals))
    _stop_faults(ads_api_emulator, totals)
    assert live(ads_api_emulator, "media_library") == []
    _check(ads_api_emulator, {"account_media": {r["id"] for r in results}}, totals, chaos_totals)


@pytest.mark.parametrize("with_call_to_action", [False, True], ids=["media-creative", "call-to-action"])
def test_concurrent_media_creatives_and_call_to_actions_with_faults(
    ads_api_emulator: AdsApiEmulator, chaos_connection: str, chaos_totals: Totals, with_call_to_action: bool
) -> None:
    totals = Totals()
    media = _account_media(ready_media(ads_api_emulator, "amplify_video"))
    cta = {"call_to_action": "WATCH_NOW", "call_to_action_url": "https://example.com"}
    ads_api_emulator.update_config(latency=LATENCY)
    ads_api_emulator.faults.configure(FAULTS)

    def attach() -> dict[str, Any]:
        return AttachMediaCreativeOperator(
            task_id="media_creative",
            account_media_id=media,
            line_item_id=PREROLL_LINE_ITEM,
            **(cta if with_call_to_action else {}),
        ).execute({})

    results = run_together(TASKS, _with_retries(attach, totals))
    _stop_faults(ads_api_emulator, totals)
    returned = {"media_creatives": {r["id"] for r in results}}
    if with_call_to_action:
        returned["preroll_call_to_actions"] = {r["preroll_call_to_action"]["id"] for r in results}
    _check(ads_api_emulator, returned, totals, chaos_totals)
