"""Benchmark: how often apache/airflow#67287 hits a deferrable VideoProcessingSensor, by poll_before_defer.

Starts moto's S3 server and the Ads API emulator in this process, then a real Airflow (scheduler,
dag-processor, triggerer, api-server, LocalExecutor on SQLite, parallelism 4) from the scheduler
test harness, with the two DAGs of ``bench/dags/sensor_race.py``: each uploads a tiny MP4 from S3
(no wait), then waits for its processing with a deferrable ``VideoProcessingSensor``; one DAG with
``poll_before_defer=0`` (the default), one with ``POLL_BEFORE_DEFER``. The emulator's processing
takes ``--processing-seconds``, chosen so that processing often ends around the sensor's deferral,
where the race hits. ``--runs`` runs of each DAG are triggered at once, interleaved, so both
settings see the same load.

Per setting it prints: runs, runs whose sensor needed more than one try, the scheduler's
apache/airflow#67287 lines for the sensor, deferrals (trigger log files, one per deferral), and
the median sensor duration (first try's start to last try's end). Every process is stopped on exit
(the harness does it, by PID).

Usage: ``python bench/sensor_race.py [--runs 20] [--processing-seconds 6] [--keep-logs DIR]``
"""

from __future__ import annotations

import argparse
import ast
import json
import logging
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig

ROOT = Path(__file__).resolve().parents[1]
# The scheduler harness lives with the tests (it is their fixture's engine), not in the package:
# put the tests folder on the path to reuse it rather than copy it.
sys.path.insert(0, str(ROOT / "tests"))

from scheduler.harness import RealAirflow, real_airflow  # noqa: E402

DAG_FILE = ROOT / "bench" / "dags" / "sensor_race.py"


def _poll_before_defer() -> float:
    """The DAG file's ``POLL_BEFORE_DEFER``, read from its source: importing it here would import
    Airflow in this process, outside the harness's private home."""
    for node in ast.parse(DAG_FILE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "POLL_BEFORE_DEFER" for t in targets):
                return float(ast.literal_eval(node.value))
    raise LookupError(f"{DAG_FILE.name} defines no POLL_BEFORE_DEFER")


SETTINGS = {"sensor_race_defer_at_once": 0.0, "sensor_race_poll_before_defer": _poll_before_defer()}
SENSOR = "wait_for_processing"
KEY = "tiny.mp4"


def _parse_time(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


def _sensor_seconds(airflow: RealAirflow, dag_id: str, run_id: str) -> float | None:
    """From the sensor's first try's start to its last try's end, over the REST API's try history."""
    tries = airflow.api(
        "GET", f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances/{SENSOR}/tries"
    )
    starts = [_parse_time(t.get("start_date")) for t in tries["task_instances"]]
    ends = [_parse_time(t.get("end_date")) for t in tries["task_instances"]]
    starts = [s for s in starts if s is not None]
    ends = [e for e in ends if e is not None]
    return max(ends) - min(starts) if starts and ends else None


def _deferrals(airflow: RealAirflow, dag_id: str, run_id: str) -> int:
    """One trigger log file per deferral (the triggerer writes one per trigger it runs)."""
    folder = airflow.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={SENSOR}"
    return len(list(folder.glob("attempt=*.log.trigger.*.log")))


def _media_id(airflow: RealAirflow, dag_id: str, run_id: str) -> str | None:
    """The media id the run's upload task returned (its XCom, over the REST API)."""
    path = f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances/upload"
    entry = airflow.api("GET", f"{path}/xcomEntries/return_value")
    found = re.search(r"\d{19}", json.dumps(entry.get("value")))
    return found.group(0) if found else None


def _left_at_first_check(requests: list[dict[str, Any]], media_id: str, processing: float) -> float | None:
    """Seconds of processing left when the sensor first checked: FINALIZE + processing - first STATUS."""
    finalized = [r["time"] for r in requests if r["path"] == f"/2/media/upload/{media_id}/finalize"]
    checks = [
        r["time"]
        for r in requests
        if r["method"] == "GET" and r["path"] == "/2/media/upload" and r["query"].get("media_id") == media_id
    ]
    if not finalized or not checks:
        return None
    return finalized[0] + processing - min(checks)


def _retry_reasons(airflow: RealAirflow, dag_id: str, run_id: str) -> list[str]:
    """The scheduler's error and warning lines naming the task instance: why a sensor was retried."""
    ti = f"{dag_id}.{SENSOR} {run_id}"
    scheduler_log = (airflow.logs / "scheduler.log").read_text(encoding="utf-8", errors="replace")
    return [
        line[:300]
        for line in scheduler_log.splitlines()
        if ti in line and ("[error" in line or "[warning" in line)
    ]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    rule = "  ".join("=" * w for w in widths)
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join([rule, lines[0], rule, *lines[1:], rule])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per setting (default 20)")
    parser.add_argument(
        "--processing-seconds", type=float, default=6.0, help="emulated video processing (default 6)"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for all runs to finish")
    parser.add_argument(
        "--keep-logs", type=Path, default=None, help="a new folder to keep the Airflow home and logs in"
    )
    args = parser.parse_args()
    # moto's server logs every S3 request it serves; the table is the output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        s3_url = f"http://{host}:{port}"
        bucket = f"sensor-race-{uuid.uuid4().hex[:8]}"
        s3 = boto3.client(
            "s3",
            endpoint_url=s3_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=KEY, Body=samples.mp4(2048), ContentType="video/mp4")
        config = EmulatorConfig(processing_seconds=args.processing_seconds, check_after_secs=1)
        with (
            AdsApiEmulator(config) as emulator,
            tempfile.TemporaryDirectory(prefix="sensor-race-") as temp_dir,
            real_airflow(emulator, s3_url, args.keep_logs or Path(temp_dir), [DAG_FILE]) as airflow,
        ):
            airflow.wait_for_dags(SETTINGS, timeout=240)
            for dag_id in SETTINGS:
                airflow.unpause(dag_id)
            started = time.monotonic()
            runs = [
                (dag_id, airflow.trigger(dag_id, {"s3_bucket": bucket, "s3_key": KEY}))
                for _ in range(args.runs)
                for dag_id in SETTINGS
            ]
            outcomes = airflow.wait_for_runs(runs, timeout=args.timeout)
            wall = time.monotonic() - started
            hits = airflow.race_67287_hits()
            requests = airflow.emulator_requests()
            rows = [
                [
                    "poll_before_defer",
                    "runs",
                    "succeeded",
                    "sensor tries > 1",
                    "race_67287",
                    "deferrals",
                    "median sensor s",
                    "median processing left at 1st check s",
                ]
            ]
            for dag_id, poll in SETTINGS.items():
                mine = [o for o in outcomes if o.dag_id == dag_id]
                sensors = [ti for o in mine for ti in o.task_instances if ti.task_id == SENSOR]
                left = [
                    x
                    for o in mine
                    if (m := _media_id(airflow, dag_id, o.run_id)) is not None
                    and (x := _left_at_first_check(requests, m, args.processing_seconds)) is not None
                ]
                seconds = [s for o in mine if (s := _sensor_seconds(airflow, dag_id, o.run_id)) is not None]
                rows.append(
                    [
                        f"{poll:g} s",
                        str(len(mine)),
                        str(sum(o.state == "success" for o in mine)),
                        str(sum(ti.try_number > 1 for ti in sensors)),
                        str(sum(hit.startswith(f"{dag_id}.{SENSOR} ") for hit in hits)),
                        str(sum(_deferrals(airflow, dag_id, o.run_id) for o in mine)),
                        f"{statistics.median(seconds):.1f}" if seconds else "-",
                        f"{statistics.median(left):.1f}" if left else "-",
                    ]
                )
            print(_table(rows))
            for outcome in outcomes:
                for ti in outcome.task_instances:
                    if ti.task_id == SENSOR and ti.try_number > 1:
                        reasons = _retry_reasons(airflow, outcome.dag_id, outcome.run_id)
                        print(f"retried {outcome.dag_id} {outcome.run_id} (try {ti.try_number}):")
                        print("\n".join(f"  {line}" for line in reasons) or "  no scheduler error or warning")
            print(
                f"processing_seconds {args.processing_seconds:g}, check_after_secs 1, {args.runs} runs "
                f"per setting triggered at once (max_active_runs 4 per DAG, parallelism 4), "
                f"all finished in {wall:.0f} s; race_67287 lines in all: {len(hits)}"
            )
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
