"""The example DAGs under a real scheduler, dag-processor, triggerer and LocalExecutor workers.

``make demo`` runs them with ``airflow dags test`` (one process, in-process triggerer); here every
task instance runs in its own worker process, and the video sensor defers to the real triggerer.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .harness import RealAirflow, demo, is_alive, real_airflow

RUN_TIMEOUT = 600.0


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_example_dags_succeed_under_the_real_scheduler(
    scheduler_airflow: RealAirflow, demo_assets_bucket: tuple[str, list], scheduler_summary: list[str]
) -> None:
    airflow = scheduler_airflow
    bucket, assets = demo_assets_bucket
    confs = {
        demo.PREROLL_DAG: {
            "s3_bucket": bucket,
            "s3_key": demo.VIDEO_KEY,
            "line_item_id": demo.PREROLL_LINE_ITEM,
            "call_to_action": demo.CALL_TO_ACTION,
            "call_to_action_url": demo.CALL_TO_ACTION_URL,
        },
        demo.DISPLAY_DAG: {
            "s3_bucket": bucket,
            "s3_prefix": demo.DISPLAY_PREFIX,
            "line_item_id": demo.DISPLAY_LINE_ITEM,
            "landing_url": demo.LANDING_URL,
        },
    }
    for dag_id in confs:
        airflow.unpause(dag_id)
    runs = [(dag_id, airflow.trigger(dag_id, conf)) for dag_id, conf in confs.items()]

    outcomes = airflow.wait_for_runs(runs, timeout=RUN_TIMEOUT)

    instances = [ti for outcome in outcomes for ti in outcome.task_instances]
    race_hits = airflow.race_67287_hits()
    retried = [
        f"{o.dag_id}.{ti.task_id} {o.run_id}"
        for o in outcomes
        for ti in o.task_instances
        if ti.try_number > 1
    ]
    scheduler_summary.append(
        f"scheduler harness: dags={len(confs)} runs={len(runs)} tasks={len(instances)} "
        f"succeeded={sum(ti.state == 'success' for ti in instances)} race_67287={len(race_hits)} "
        f"retried={len(retried)} in {time.monotonic() - airflow.started:.0f}s"
    )
    for outcome in outcomes:
        assert (outcome.state, outcome.not_succeeded) == ("success", []), airflow.failure_report(outcome)
    # The preroll chain, and list_images then one upload, account media and creative per image.
    by_dag = {o.dag_id: sorted((ti.task_id, ti.map_index) for ti in o.task_instances) for o in outcomes}
    assert by_dag[demo.PREROLL_DAG] == [
        ("attach_media_creative", -1),
        ("create_account_media", -1),
        ("upload_video", -1),
        ("wait_for_processing", -1),
    ]
    images = len(assets) - 1
    assert by_dag[demo.DISPLAY_DAG] == sorted(
        [("list_images", -1), ("report_creatives_live", -1)]
        + [
            (task, i)
            for task in ("upload_image", "create_account_media", "attach_media_creative")
            for i in range(images)
        ]
    )
    # Every retry is the known scheduler race (apache/airflow#67287), which the DAG's retries absorb.
    assert set(retried) <= set(race_hits), (retried, race_hits)

    # The sensor waited in the triggerer: the trigger ran there and logged the processing it saw.
    preroll_run = runs[0][1]
    trigger_log = airflow.trigger_log(demo.PREROLL_DAG, preroll_run, "wait_for_processing")
    assert "wait_for_processing/-1/1 (ID" in trigger_log and " starting" in trigger_log, trigger_log
    assert "processing is in_progress" in trigger_log, trigger_log

    # Each attach's creative-live event, every one on the line item's Asset and sent by one task:
    # mapped tasks that send the first event of a new Asset at once race in Airflow 3.3.
    state = airflow.emulator_state()
    events = airflow.api("GET", "/assets/events?limit=100")["asset_events"]
    live = [c for c in state["tables"]["media_creatives"] if not c.get("deleted")]
    display_ids = sorted(c["id"] for c in live if c["line_item_id"] == demo.DISPLAY_LINE_ITEM)
    display_events = [e for e in events if e["source_dag_id"] == demo.DISPLAY_DAG]
    assert {(e["source_task_id"], e["uri"].rsplit("/", 1)[-1]) for e in display_events} == {
        ("report_creatives_live", demo.DISPLAY_LINE_ITEM)
    }
    assert sorted(i for e in display_events for i in e["extra"]["media_creative_ids"]) == display_ids
    assert len(display_ids) == images

    # What the demo checks: one account media and one media creative per asset, on the right line item.
    rows, problems = demo.created_entities(state, assets)
    assert problems == []
    assert len(rows) == len(assets)
    call_to_actions = [
        (c["line_item_id"], c["call_to_action"], c["call_to_action_url"])
        for c in state["tables"]["preroll_call_to_actions"]
        if not c.get("deleted")
    ]
    assert call_to_actions == [(demo.PREROLL_LINE_ITEM, demo.CALL_TO_ACTION, demo.CALL_TO_ACTION_URL)]


PROBE_DAG_FILE = Path(__file__).parent / "dags" / "scheduler_harness_probe.py"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_harness_kills_a_running_task_and_stops_every_process(
    ads_api_emulator: AdsApiEmulator, s3_server: str, tmp_path: Path
) -> None:
    with real_airflow(ads_api_emulator, s3_server, tmp_path, [PROBE_DAG_FILE]) as airflow:
        airflow.unpause("scheduler_harness_probe")
        run_id = airflow.trigger("scheduler_harness_probe", {})
        running = airflow.wait_for_task("scheduler_harness_probe", run_id, "hold", ["running"], timeout=300)
        pid = airflow.task_pid("scheduler_harness_probe", run_id, "hold")
        assert (running.try_number, running.pid) == (1, pid)
        assert pid in {p.pid for p in airflow.processes()}

        assert airflow.kill_task("scheduler_harness_probe", run_id, "hold") == pid

        [outcome] = airflow.wait_for_runs([("scheduler_harness_probe", run_id)], timeout=300)
        [hold] = outcome.task_instances
        assert (outcome.state, hold.state, hold.try_number) == ("success", "success", 2)
        assert hold.pid != pid
        assert pid not in {p.pid for p in airflow.processes()}
        started = airflow.processes()
        assert sorted(airflow.component_pids) == ["api-server", "dag-processor", "scheduler", "triggerer"]
        # The components, and under them the executor's workers.
        assert set(airflow.component_pids.values()) < {p.pid for p in started}
    assert airflow.processes() == []
    assert [p.pid for p in started if is_alive(p)] == []
