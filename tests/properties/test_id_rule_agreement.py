"""Every entry point that takes a media id or a media key accepts and refuses the same values.

The same generated value goes to the id rules themselves (``ids.py``), the helpers the operators
use, the sensor, the trigger, and both hooks over real HTTP. Accepting means going on (for a
hook: sending the request, which the emulator answers 404 for an unknown media); refusing means a
``ValueError`` or ``TypeError`` before anything is sent.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import AdsApiError
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.hooks.ads_api_async import AsyncAdsApiHook
from airflow_provider_twitter_ads.hooks.retry_policy import RetrySettings
from airflow_provider_twitter_ads.ids import (
    media_key_for,
    normalize_media_id,
    parse_media_key,
    validate_media_id,
    validate_media_key,
)
from airflow_provider_twitter_ads.sensors.processing import VideoProcessingSensor
from airflow_provider_twitter_ads.triggers.processing import VideoProcessingTrigger
from airflow_provider_twitter_ads.utils.creatives import media_ref
from airflow_provider_twitter_ads.vocabulary import MEDIA_KEY_PREFIXES

# Each example sends requests over HTTP: fewer than the pure property tests, more with PROPERTY_EXAMPLES.
AGREEMENT_SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ONE_ATTEMPT = RetrySettings(max_attempts=1)
MEDIA_ID = "1029825579531807971"

_ids = st.integers(min_value=10**18, max_value=10**19 - 1)
# Templates are checked when they are rendered, not when a DAG is parsed; leave them out here.
_text = st.text(max_size=25).filter(lambda text: "{{" not in text and "{%" not in text)
near_media_ids = st.one_of(
    _ids.map(str),
    _ids,
    st.from_regex(r"\A\s?[0-9]{17,21}\s?\Z", fullmatch=True),
    st.sampled_from(["", "12345", f"7_{MEDIA_ID}", "١٠٢٩٨٢٥٥٧٩٥٣١٨٠٧٩٧١", MEDIA_ID[:9] + " " + MEDIA_ID[9:]]),
    _text,
    st.none(),
    st.booleans(),
    st.floats(),
)
near_media_keys = st.one_of(
    st.tuples(st.sampled_from(sorted(MEDIA_KEY_PREFIXES.values())), _ids).map(lambda p: f"{p[0]}_{p[1]}"),
    st.from_regex(r"\A\s?[0-9]{1,3}[_-][0-9]{17,21}\s?\Z", fullmatch=True),
    st.sampled_from(["", "3_1", "99_1", f"3_{MEDIA_ID}/x", f"5_{MEDIA_ID}", f"13-{MEDIA_ID}"]),
    _text,
    st.none(),
    st.integers(),
)


def _accepts(call: Callable[[], Any]) -> bool:
    try:
        call()
    except (ValueError, TypeError):
        return False
    except AdsApiError:
        return True  # the request was sent: the value passed the checks
    return True


def _async_status(conn_id: str, value: Any) -> None:
    async def status() -> None:
        async with AsyncAdsApiHook(conn_id, retry_settings=ONE_ATTEMPT) as hook:
            await hook.get_upload_status(value)

    asyncio.run(status())


@AGREEMENT_SETTINGS
@given(value=near_media_ids)
def test_every_media_id_entry_point_agrees(
    value: Any, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    hook = AdsApiHook(twitter_ads_connection, retry_settings=ONE_ATTEMPT)
    entry_points: dict[str, Callable[[], Any]] = {
        "ids.validate_media_id": lambda: validate_media_id(value),
        "ids.normalize_media_id": lambda: normalize_media_id(value),
        "ids.media_key_for": lambda: media_key_for(value, "amplify_video"),
        "creatives.media_ref": lambda: media_ref(media_id=value, creative_type="PREROLL"),
        "VideoProcessingSensor": lambda: VideoProcessingSensor(task_id="wait", media_id=value),
        "VideoProcessingTrigger": lambda: VideoProcessingTrigger(value),
        "AdsApiHook.get_upload_status": lambda: hook.get_upload_status(value),
        "AsyncAdsApiHook.get_upload_status": lambda: _async_status(twitter_ads_connection, value),
    }
    before = len(ads_api_emulator.api_requests())
    verdicts = {name: _accepts(call) for name, call in entry_points.items()}
    expected = isinstance(value, (str, int)) and not isinstance(value, bool)
    expected = expected and re.fullmatch(r"[0-9]{19}", str(value).strip()) is not None
    assert verdicts == dict.fromkeys(entry_points, expected), value
    # Both hooks sent their STATUS request only for an accepted id.
    assert len(ads_api_emulator.api_requests()) - before == (2 if expected else 0)


@AGREEMENT_SETTINGS
@given(value=near_media_keys)
def test_every_media_key_entry_point_agrees(
    value: Any, ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    hook = AdsApiHook(twitter_ads_connection, retry_settings=ONE_ATTEMPT)
    entry_points: dict[str, Callable[[], Any]] = {
        "ids.parse_media_key": lambda: parse_media_key(value),
        "ids.validate_media_key": lambda: validate_media_key(value),
        "creatives.media_ref": lambda: media_ref(media_key=value),
        "AdsApiHook.get_media_library_entry": lambda: hook.get_media_library_entry(value),
    }
    before = len(ads_api_emulator.api_requests())
    verdicts = {name: _accepts(call) for name, call in entry_points.items()}
    found = re.fullmatch(r"([0-9]+)_([0-9]{19})", value.strip()) if isinstance(value, str) else None
    expected = found is not None and found.group(1) in MEDIA_KEY_PREFIXES.values()
    assert verdicts == dict.fromkeys(entry_points, expected), value
    assert len(ads_api_emulator.api_requests()) - before == (1 if expected else 0)
