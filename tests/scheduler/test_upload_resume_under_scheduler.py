"""An upload whose task process is SIGKILLed halfway resumes its session on the retry, under a real Airflow.

Scheduler, dag-processor, triggerer and api-server run in a fresh home (LocalExecutor on SQLite);
the task state store lives in that metadata DB, reached through the execution API, as in production.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples

from .harness import real_airflow

DAG_FILE = Path(__file__).parent / "dags" / "twitter_ads_upload_resume.py"
DAG_ID = "twitter_ads_upload_resume"
OBJECT_BYTES = 64 * 1024 * 1024
SEGMENTS = 32
#: Added to every emulator request, so the 32 APPENDs take several seconds.
LATENCY = 0.3


def _appended(emulator: AdsApiEmulator) -> list[dict]:
    return [
        e for e in emulator.api_requests("POST", "/append") if e["status"] is not None and e["status"] < 300
    ]


def _ids(state: dict, kind: str) -> set[str]:
    """The ids of the live (not deleted) entities of ``kind`` in an emulator snapshot."""
    return {e.get("id") or e.get("media_key") for e in state["tables"][kind] if not e.get("deleted")}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_killed_upload_resumes_its_session_on_the_retry(
    ads_api_emulator: AdsApiEmulator,
    s3_server: str,
    s3_client,
    tmp_path: Path,
    scheduler_summary: list[str],
) -> None:
    bucket, key = f"resume-{uuid.uuid4().hex[:12]}", "videos/large.mp4"
    data = samples.mp4(OBJECT_BYTES, seed=64)
    s3_client.create_bucket(Bucket=bucket)
    s3_client.put_object(Bucket=bucket, Key=key, Body=data, ContentType="video/mp4")
    ads_api_emulator.update_config(latency=LATENCY)
    seeded = {kind: _ids(ads_api_emulator.snapshot(), kind) for kind in ("media_library", "account_media")}
    try:
        with real_airflow(ads_api_emulator, s3_server, tmp_path, [DAG_FILE]) as airflow:
            airflow.unpause(DAG_ID)
            run_id = airflow.trigger(DAG_ID, {"s3_bucket": bucket, "s3_key": key})
            airflow.wait_for_task(DAG_ID, run_id, "upload_video", ["running"], timeout=300)
            deadline = time.monotonic() + 300
            while len(_appended(ads_api_emulator)) < SEGMENTS // 2:
                assert time.monotonic() < deadline, "the upload never got halfway"
                airflow.check_components()
                time.sleep(0.05)
            killed_pid = airflow.kill_task(DAG_ID, run_id, "upload_video")
            appended_at_kill = len(_appended(ads_api_emulator))

            [outcome] = airflow.wait_for_runs([(DAG_ID, run_id)], timeout=600)
            upload_ti = next(ti for ti in outcome.task_instances if ti.task_id == "upload_video")
            retry_log = airflow.task_log(DAG_ID, run_id, upload_ti, lines=400)
            state = airflow.emulator_state()
            assert (outcome.state, outcome.not_succeeded) == ("success", []), airflow.failure_report(outcome)
    finally:
        for name in [o["Key"] for o in s3_client.list_objects_v2(Bucket=bucket).get("Contents", [])]:
            s3_client.delete_object(Bucket=bucket, Key=name)
        s3_client.delete_bucket(Bucket=bucket)

    inits = ads_api_emulator.api_requests("POST", "/initialize")
    appends = ads_api_emulator.api_requests("POST", "/append")
    finalizes = ads_api_emulator.api_requests("POST", "/finalize")
    appended_bytes = sum(e["bytes_in"] for e in appends)
    media = [m for m in state["media"] if m["total_bytes"] == OBJECT_BYTES]
    library = _ids(state, "media_library") - seeded["media_library"]
    account_media = _ids(state, "account_media") - seeded["account_media"]
    scheduler_summary.append(
        f"upload resume: killed pid {killed_pid} after {appended_at_kill}/{SEGMENTS} segments; "
        f"upload tries={upload_ti.try_number} INIT={len(inits)} APPEND requests={len(appends)} "
        f"appended={appended_bytes / OBJECT_BYTES:.2f}x of {OBJECT_BYTES // 2**20} MiB "
        f"FINALIZE={len(finalizes)} sha256_intact={[m['sha256'] for m in media] == [samples.sha256(data)]} "
        f"library_entries={len(library)} account_media={len(account_media)}"
    )

    assert upload_ti.try_number == 2
    assert "Resuming upload session" in retry_log, retry_log
    assert len(inits) == 1
    assert appended_bytes <= 1.6 * OBJECT_BYTES
    assert len(finalizes) == 1
    assert [m["sha256"] for m in media] == [samples.sha256(data)]
    assert len(library) == 1
    assert len(account_media) == 1
