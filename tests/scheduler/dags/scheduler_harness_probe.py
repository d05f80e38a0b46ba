"""A DAG for testing the scheduler harness itself: one task that waits to be killed on its first try."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from airflow.sdk import DAG, get_current_context, task

with DAG(
    dag_id="scheduler_harness_probe",
    schedule=None,
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(seconds=0)},
):

    @task
    def hold() -> int:
        """The first try sleeps until the test kills it; the retry returns its try number."""
        try_number = get_current_context()["ti"].try_number
        if try_number == 1:
            time.sleep(600)
        return try_number

    hold()
