"""Two DAGs for ``bench/sensor_race.py``: upload a tiny video, then wait for it with a deferrable sensor.

``poll_before_defer`` is not templated (it is checked when the DAG is parsed), so each setting is
its own DAG: ``sensor_race_defer_at_once`` (0, the default) and ``sensor_race_poll_before_defer``
(``POLL_BEFORE_DEFER`` seconds). Everything else is the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.sdk import DAG, Param

from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor

#: Seconds the second DAG's sensor keeps checking in the worker; the bench prints it.
POLL_BEFORE_DEFER = 10.0


def _race_dag(dag_id: str, poll_before_defer: float) -> DAG:
    with DAG(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
        catchup=False,
        max_active_runs=4,
        # A race hit sends the sensor to retry: a short delay keeps the bench short, and the count
        # of tries over 1 is what it measures, not whether the run survives.
        default_args={"retries": 3, "retry_delay": timedelta(seconds=2)},
        params={"s3_bucket": Param("sensor-race", type="string"), "s3_key": Param("tiny.mp4", type="string")},
    ) as dag:
        upload = UploadMediaOperator(
            task_id="upload",
            s3_bucket="{{ params.s3_bucket }}",
            s3_key="{{ params.s3_key }}",
            media_category="amplify_video",
            wait_for_processing=False,
        )
        VideoProcessingSensor(
            task_id="wait_for_processing",
            media_id=upload.output,
            deferrable=True,
            poke_interval=5,
            timeout=600,
            poll_before_defer=poll_before_defer,
        )
    return dag


_race_dag(dag_id="sensor_race_defer_at_once", poll_before_defer=0.0)
_race_dag(dag_id="sensor_race_poll_before_defer", poll_before_defer=POLL_BEFORE_DEFER)
