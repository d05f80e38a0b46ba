"""What the harness reads from the components' logs, checked on log lines as Airflow 3.3.2 writes them."""

from __future__ import annotations

from pathlib import Path

from .harness import RealAirflow

RUN_ID = "manual__2026-12-01T20:32:02.618556+00:00"


def _airflow(tmp_path: Path) -> RealAirflow:
    return RealAirflow(tmp_path, env={}, api_url="http://127.0.0.1:9", emulator_url="http://127.0.0.1:9")


def _mismatch(task: str, state: str, map_index: int = -1) -> str:
    index = f"map_index={map_index} " if map_index >= 0 else ""
    return (
        "2026-12-01T20:32:30.1Z [info     ] Executor LocalExecutor(parallelism=4) reported that the task "
        f"instance <TaskInstance: twitter_ads_preroll_video.{task} {RUN_ID} {index}[{state}] "
        "ti_id=01a2334e-a876-73ef-969b-8b83072b5d8f> finished with state success, but the task "
        f"instance's state attribute is {state}. Learn more: https://airflow.apache.org/docs/\n"
    )


def test_race_67287_hits_names_each_queued_mismatch_and_nothing_else(tmp_path: Path) -> None:
    airflow = _airflow(tmp_path)
    assert airflow.race_67287_hits() == []
    (airflow.logs / "scheduler.log").write_text(
        "2026-12-01T20:32:29.0Z [info     ] 1 tasks up for execution:\n"
        + _mismatch("wait_for_processing", "queued")
        + _mismatch("wait_for_processing", "running")
        + _mismatch("upload_image", "queued", map_index=3),
        encoding="utf-8",
    )
    assert airflow.race_67287_hits() == [
        f"twitter_ads_preroll_video.wait_for_processing {RUN_ID}",
        f"twitter_ads_preroll_video.upload_image {RUN_ID}",
    ]


def test_trigger_log_joins_every_try_of_that_task_instance_only(tmp_path: Path) -> None:
    airflow = _airflow(tmp_path)
    runs = tmp_path / "logs" / "dag_id=d" / f"run_id={RUN_ID}"
    sensor = runs / "task_id=wait"
    sensor.mkdir(parents=True)
    (sensor / "attempt=1.log").write_text("task log\n", encoding="utf-8")
    (sensor / "attempt=1.log.trigger.2.log").write_text("try 1 trigger\n", encoding="utf-8")
    (sensor / "attempt=2.log.trigger.5.log").write_text("try 2 trigger\n", encoding="utf-8")
    mapped = runs / "task_id=wait" / "map_index=0"
    mapped.mkdir()
    (mapped / "attempt=1.log.trigger.2.log").write_text("mapped trigger\n", encoding="utf-8")

    assert airflow.trigger_log("d", RUN_ID, "wait") == "try 1 trigger\ntry 2 trigger\n"
    assert airflow.trigger_log("d", RUN_ID, "wait", map_index=0) == "mapped trigger\n"
    assert airflow.trigger_log("d", RUN_ID, "other") == ""
