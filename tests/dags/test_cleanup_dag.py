"""``twitter_ads_cleanup`` in a real DAG run (``dag.test()``) against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags_examples"


@pytest.fixture
def cleanup_dag(load_dag, twitter_ads_connection: str):
    return load_dag(DAGS_FOLDER / "twitter_ads_cleanup.py", "twitter_ads_cleanup")


def task_states(run) -> dict[str, list[str]]:
    states: dict[str, list[str]] = {}
    for ti in sorted(run.get_task_instances(), key=lambda ti: (ti.task_id, ti.map_index)):
        states.setdefault(ti.task_id, []).append(str(ti.state))
    return states


@pytest.mark.slow
def test_cleanup_deletes_creatives_then_account_media(cleanup_dag, ads_api_emulator: AdsApiEmulator) -> None:
    creatives = ads_api_emulator.seed_entities("media_creatives", 2)
    spare_media = ads_api_emulator.seed_entities("account_media", 2)
    creative_ids = [c["id"] for c in creatives]
    account_media_ids = sorted({c["account_media_id"] for c in creatives} | {spare_media[0]["id"]})

    run = cleanup_dag.test(
        run_conf={
            "media_creative_ids": creative_ids,
            # A comma-separated string works too, as typed into the trigger form.
            "account_media_ids": ",".join(account_media_ids),
        }
    )

    assert str(run.state) == "success"
    assert task_states(run) == {
        "account_media_ids": ["success"],
        "card_ids": ["success"],
        "delete_account_media": ["success"] * len(account_media_ids),
        "delete_card": ["skipped"],
        "delete_media_creative": ["success"] * 2,
        "delete_promoted_tweet": ["skipped"],
        "media_creative_ids": ["success"],
        "promoted_tweet_ids": ["success"],
    }
    tables = ads_api_emulator.state.tables
    assert [tables["media_creatives"][i]["deleted"] for i in creative_ids] == [True, True]
    assert [tables["account_media"][i]["deleted"] for i in account_media_ids] == [True] * len(
        account_media_ids
    )
    # Untouched: the account media nobody asked to delete.
    assert tables["account_media"][spare_media[1]["id"]]["deleted"] is False
    # Creatives went first: they reference the account media.
    deletes = [r["path"] for r in ads_api_emulator.api_requests("DELETE")]
    last_creative = max(i for i, path in enumerate(deletes) if "/media_creatives/" in path)
    first_account_media = min(i for i, path in enumerate(deletes) if "/account_media/" in path)
    assert last_creative < first_account_media


@pytest.mark.slow
def test_cleanup_without_ids_skips_and_rerun_is_safe(cleanup_dag, ads_api_emulator: AdsApiEmulator) -> None:
    run = cleanup_dag.test()
    assert str(run.state) == "success"
    assert task_states(run)["delete_media_creative"] == ["skipped"]
    assert task_states(run)["delete_account_media"] == ["skipped"]
    assert ads_api_emulator.api_requests("DELETE") == []

    [creative] = ads_api_emulator.seed_entities("media_creatives", 1, deleted=True)
    run = cleanup_dag.test(run_conf={"media_creative_ids": [creative["id"], "nosuch1"]})
    # Already deleted and unknown ids count as done.
    assert str(run.state) == "success"
    assert task_states(run)["delete_media_creative"] == ["success", "success"]
