"""Whatever the API (or a proxy in front of it) answers, the client's parsers give a usable answer.

Error bodies, rate-limit headers and processing status bodies are generated at random: the parsers
must never crash with something else than the documented error, and what they return must hold.
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_twitter_ads.exceptions import (
    AdsApiError,
    AdsApiMalformedResponseError,
    AdsApiRateLimitError,
    AdsApiServerError,
    RateLimitWaitTooLongError,
    error_class_for,
    error_from_response,
)
from airflow_provider_twitter_ads.hooks.retry_policy import rate_limit_wait
from airflow_provider_twitter_ads.utils.processing import read_status
from airflow_provider_twitter_ads.utils.upload_protocol import parse_status

# PROPERTY_EXAMPLES=2000 for a longer hunt; CI keeps 50.
PROPERTY_SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "50")), deadline=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
error_items = st.fixed_dictionaries(
    {},
    optional={
        "code": json_values,
        "message": json_values,
        "parameter": json_values,
        "title": json_values,
        "detail": json_values,
        "type": json_values,
    },
)
error_bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"errors": st.lists(error_items | json_values, max_size=3)}).map(
        lambda v: json.dumps(v).encode()
    ),
    st.builds(lambda item: json.dumps(item).encode(), error_items),
    st.just(b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"),
)
statuses = st.sampled_from([400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 520])


@PROPERTY_SETTINGS
@given(
    status=statuses, body=error_bodies, content_type=st.sampled_from(["application/json", "text/html", ""])
)
def test_any_error_body_becomes_the_status_error(status: int, body: bytes, content_type: str) -> None:
    error = error_from_response(
        status, body, {"Content-Type": content_type}, "POST", "accounts/a/media_creatives"
    )

    assert isinstance(error, error_class_for(status))
    assert isinstance(error, AdsApiError)
    assert error.status_code == status
    text = str(error)
    assert text.startswith(f"POST accounts/a/media_creatives failed with {status}")
    assert len(text) < 2000
    assert all(isinstance(code, str) for code in error.codes)
    assert all(set(e) == {"code", "message", "parameter"} for e in error.errors)
    assert repr(error)
    if status >= 500:
        assert isinstance(error, AdsApiServerError)


@PROPERTY_SETTINGS
@given(
    code=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ_", min_size=3, max_size=20),
    message=st.text(min_size=1, max_size=60).filter(str.strip),
    parameter=st.from_regex(r"\A[a-z_]{1,15}\Z", fullmatch=True),
)
def test_the_apis_code_message_and_parameter_reach_the_error_text(
    code: str, message: str, parameter: str
) -> None:
    body = json.dumps({"errors": [{"code": code, "message": message, "parameter": parameter}]})
    error = error_from_response(400, body, {}, "POST", "p")
    assert error.codes == [code]
    assert f"400 {code} ({parameter}): {message}" in str(error)


header_values = st.one_of(
    st.text(max_size=15),
    st.integers(min_value=-(10**10), max_value=10**11).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
rate_headers = st.dictionaries(
    st.sampled_from(
        [
            "x-rate-limit-reset",
            "x-rate-limit-remaining",
            "x-account-rate-limit-reset",
            "x-account-rate-limit-remaining",
            "Retry-After",
            "retry-after",
        ]
    ),
    header_values,
    max_size=5,
)


@PROPERTY_SETTINGS
@given(headers=rate_headers, max_wait=st.floats(min_value=0.5, max_value=1000))
def test_rate_limit_wait_is_a_bounded_wait_or_a_clear_refusal(
    headers: dict[str, str], max_wait: float
) -> None:
    try:
        wait = rate_limit_wait(headers, time.time(), max_wait)
    except RateLimitWaitTooLongError as error:
        assert isinstance(error, AdsApiRateLimitError)
        assert "max_rate_limit_wait" in str(error)
        return
    assert math.isfinite(wait)
    assert 0 < wait <= max_wait


status_infos = st.one_of(
    st.none(),
    json_values,
    st.fixed_dictionaries(
        {
            "state": st.sampled_from(["pending", "in_progress", "succeeded", "failed", "weird", ""])
            | json_values
        },
        optional={"check_after_secs": json_values, "progress_percent": json_values, "error": json_values},
    ),
)


@PROPERTY_SETTINGS
@given(
    info=status_infos,
    wrap=st.sampled_from(["v2", "v1.1"]),
    media_id=st.from_regex(r"\A[0-9]{19}\Z", fullmatch=True),
)
def test_any_status_body_reads_as_a_state_or_a_clear_error(info: Any, wrap: str, media_id: str) -> None:
    if wrap == "v2":
        body: dict[str, Any] = {
            "data": {"id": media_id, "media_key": f"13_{media_id}", "processing_info": info}
        }
    else:
        body = {"media_id": int(media_id), "media_id_string": media_id, "processing_info": info}
    try:
        normalized = parse_status(body, media_id)
    except AdsApiMalformedResponseError as error:
        # A processing_info that is not an object is a malformed answer, named where it is parsed.
        assert info is not None and not isinstance(info, dict)
        assert "processing_info" in str(error)
        return
    assert normalized["media_id"] == media_id
    try:
        status = read_status(normalized)
    except (ValueError, TypeError) as error:
        assert media_id in str(error) or "status" in str(error)
        return
    assert status.media_id == media_id
    assert isinstance(status.state, str) and status.state
    wait = status.next_wait(0.5, 30.0)
    assert 0.5 <= wait <= 30.0
    if status.failed:
        error = status.processing_error()
        assert error.media_id == media_id
        assert media_id in str(error)


def test_headers_without_a_usable_reset_wait_the_default() -> None:
    assert rate_limit_wait({"x-rate-limit-reset": "soon"}, time.time(), 10) == 1.0
    assert rate_limit_wait({}, time.time(), 10) == 1.0
