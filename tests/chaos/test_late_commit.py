"""A write that commits after the client gave up waiting for it (the server was slow, not the network).

The client's read timeout fires while the server is still working on the first request. Looking
once, at once, finds nothing and would create the entity again, and then the first request would
commit too; the operators instead keep looking for a settle period (``settle_seconds``, twice the
client's timeout) before creating again. ``slow`` faults with ``when: before`` play that server:
they sleep past the client's timeout, then handle the request.
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator

from .conftest import CLIENT_TIMEOUT
from .harness import PipelineSettings, Totals, check_outcomes, make_assets, run_pipeline

LATE_SECONDS = 2.5


@pytest.mark.parametrize("path", ["/media_creatives$", "/media_library$"])
def test_a_write_committed_after_the_timeout_is_not_made_twice(
    ads_api_emulator: AdsApiEmulator, chaos_connection: str, s3_client: Any, s3_bucket: str, path: str
) -> None:
    asset = make_assets(0, random.Random(3), video_bytes=50_000)[1]
    s3_client.put_object(Bucket=s3_bucket, Key=asset.s3_key, Body=asset.data)
    # Well past the client's timeout, so the operator's lookup surely comes before the commit.
    late = {"seconds": LATE_SECONDS, "when": "before"}
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "slow", "method": "POST", "path": path, "options": late}]}
    )

    outcome = run_pipeline(asset, PipelineSettings(bucket=s3_bucket))
    # Let the slow request finish committing.
    time.sleep(LATE_SECONDS - CLIENT_TIMEOUT + 0.2)

    totals = Totals()
    problems = check_outcomes(ads_api_emulator, [outcome], totals)
    assert outcome.done
    assert ads_api_emulator.faults.injected["slow"] == 1
    assert problems == []
    assert totals.duplicates == 0
