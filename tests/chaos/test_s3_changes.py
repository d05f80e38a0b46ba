"""An S3 object replaced while its upload is stalled: the upload never mixes two versions' bytes."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator

from .conftest import SLOW_SECONDS
from .harness import run_task

SEGMENT = 64 * 1024


def replace_when(condition: Any, replace: Any, timeout: float = 10.0) -> threading.Thread:
    def watch() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                replace()
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_an_object_replaced_mid_upload_is_never_mixed(
    ads_api_emulator: AdsApiEmulator, chaos_connection: str, s3_client: Any, s3_bucket: str
) -> None:
    first = samples.mp4(3 * SEGMENT - 100, seed=1)
    second = samples.mp4(3 * SEGMENT - 100, seed=2)
    s3_client.put_object(Bucket=s3_bucket, Key="clip.mp4", Body=first, ContentType="video/mp4")
    # The first APPEND and its first retry stall past the client's timeout (about two seconds in
    # which the object is replaced); the next retries are lost until the hook gives up, so the
    # segment is read from S3 again, after the object was replaced.
    stall = {"seconds": SLOW_SECONDS}
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "slow", "method": "POST", "path": "/append$", "options": stall},
                {
                    "kind": "slow",
                    "method": "POST",
                    "path": "/append$",
                    "options": {**stall, "when": "before"},
                },
                {"kind": "drop_before", "method": "POST", "path": "/append$", "times": 2},
            ]
        }
    )
    swapper = replace_when(
        lambda: ads_api_emulator.faults.injected["slow"] >= 1,
        lambda: s3_client.put_object(Bucket=s3_bucket, Key="clip.mp4", Body=second, ContentType="video/mp4"),
    )

    run = run_task(
        "upload",
        lambda: UploadMediaOperator(
            task_id="upload",
            s3_bucket=s3_bucket,
            s3_key="clip.mp4",
            media_category="amplify_video",
            segment_bytes=SEGMENT,
            retries=3,
        ),
    )
    swapper.join()

    assert ads_api_emulator.faults.injected["drop_before"] == 2
    digests = {hashlib.sha256(first).hexdigest(): "first", hashlib.sha256(second).hexdigest(): "second"}
    finalized = {key: r.sha256 for key, r in ads_api_emulator.state.media.items() if r.sha256 is not None}
    assert all(digest in digests for digest in finalized.values()), "an upload mixed both versions"
    assert run.ok, run.errors
    # The task ends with the object S3 holds now.
    assert finalized[run.result["media_key"]] == hashlib.sha256(second).hexdigest()
    # The try that saw the object change failed and said so.
    assert any("changed" in str(error) for error in run.errors), run.errors
