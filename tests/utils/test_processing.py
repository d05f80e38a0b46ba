"""utils/processing.py: status reading, the processing check and the wait between checks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_twitter_ads.exceptions import (
    AdsApiNotFoundError,
    MediaProcessingError,
    error_from_response,
)
from airflow_provider_twitter_ads.utils.processing import (
    next_wait,
    read_status,
    unknown_media_error,
    validate_wait_bounds,
)

MEDIA_ID = "1029825579531807971"


class TestNextWait:
    def test_follows_hint_inside_bounds(self) -> None:
        assert next_wait(5, 1, 60) == 5.0

    def test_bounded_below(self) -> None:
        assert next_wait(0, 1, 60) == 1.0

    def test_bounded_above(self) -> None:
        assert next_wait(600, 1, 30) == 30.0

    @pytest.mark.parametrize("hint", [None, "soon", -1, math.nan, math.inf, True])
    def test_unusable_hint_falls_back_to_max(self, hint: object) -> None:
        assert next_wait(hint, 2, 45) == 45.0

    def test_numeric_string_hint(self) -> None:
        assert next_wait("3", 1, 60) == 3.0

    @given(
        hint=st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-10, 10_000)),
        low=st.floats(0.1, 100),
        extra=st.floats(0, 1000),
    )
    def test_always_within_bounds(self, hint: object, low: float, extra: float) -> None:
        high = low + extra
        assert low <= next_wait(hint, low, high) <= high


class TestValidateWaitBounds:
    def test_ok(self) -> None:
        validate_wait_bounds(1, 60)
        validate_wait_bounds(5.0, 5.0)

    def test_min_above_max(self) -> None:
        with pytest.raises(
            ValueError, match=r"min_poke_interval \(10\) must not be greater than poke_interval"
        ):
            validate_wait_bounds(10, 5, ("min_poke_interval", "poke_interval"))

    @pytest.mark.parametrize("bad", [0, -1, math.inf, math.nan])
    def test_not_positive(self, bad: float) -> None:
        with pytest.raises(ValueError, match="low must be a positive number of seconds"):
            validate_wait_bounds(bad, 60, ("low", "high"))

    def test_not_a_number(self) -> None:
        with pytest.raises(TypeError, match="high must be a number of seconds, not str"):
            validate_wait_bounds(1, "60", ("low", "high"))  # type: ignore[arg-type]


class TestReadStatus:
    def test_image_without_processing_is_done(self) -> None:
        status = read_status({"media_id": MEDIA_ID, "media_key": f"3_{MEDIA_ID}", "processing_info": None})
        assert (status.done, status.succeeded, status.failed) == (True, True, False)
        assert status.needs_processing is False
        assert status.result() == {
            "media_id": MEDIA_ID,
            "media_key": f"3_{MEDIA_ID}",
            "state": "succeeded",
            "progress_percent": 100,
        }

    def test_in_progress(self) -> None:
        status = read_status(
            {
                "media_id": MEDIA_ID,
                "media_key": f"7_{MEDIA_ID}",
                "processing_info": {"state": "in_progress", "check_after_secs": 3, "progress_percent": 40},
            }
        )
        assert (status.done, status.state, status.progress_percent) == (False, "in_progress", 40)
        assert status.next_wait(1, 60) == 3.0
        assert status.next_wait(1, 2) == 2.0
        assert status.describe() == f"Media {MEDIA_ID} processing is in_progress (40%)"

    def test_pending_without_hint_waits_the_cap(self) -> None:
        status = read_status({"media_id": MEDIA_ID, "processing_info": {"state": "pending"}})
        assert status.done is False
        assert status.next_wait(1, 20) == 20.0

    def test_unknown_state_is_not_done(self) -> None:
        status = read_status({"media_id": MEDIA_ID, "processing_info": {"state": "queued"}})
        assert status.done is False

    def test_failed_keeps_the_api_error(self) -> None:
        api_error = {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}
        status = read_status(
            {
                "media_id": MEDIA_ID,
                "media_key": f"7_{MEDIA_ID}",
                "processing_info": {"state": "failed", "progress_percent": 10, "error": api_error},
            }
        )
        assert (status.done, status.failed, status.succeeded) == (True, True, False)
        assert status.error == api_error
        error = status.processing_error()
        assert isinstance(error, MediaProcessingError)
        assert (error.media_id, error.error) == (MEDIA_ID, api_error)
        assert str(error) == f"Media {MEDIA_ID} processing failed: InvalidMedia (1): Unsupported video format"

    def test_failed_without_error_details_still_names_the_media(self) -> None:
        status = read_status({"media_id": MEDIA_ID, "processing_info": {"state": "failed"}})
        assert status.failed
        assert str(status.processing_error()).startswith(f"Media {MEDIA_ID} processing failed")

    def test_succeeded(self) -> None:
        status = read_status(
            {
                "media_id": MEDIA_ID,
                "media_key": f"7_{MEDIA_ID}",
                "processing_info": {"state": "succeeded", "progress_percent": 100},
            }
        )
        assert status.succeeded and status.needs_processing
        assert status.result()["state"] == "succeeded"

    @pytest.mark.parametrize(
        ("payload", "message"),
        [
            ({"processing_info": None}, "status has no media_id"),
            ({"media_id": MEDIA_ID, "processing_info": "pending"}, "must be a dict"),
            ({"media_id": MEDIA_ID, "processing_info": {"progress_percent": 3}}, "has no state"),
        ],
    )
    def test_malformed(self, payload: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            read_status(payload)

    def test_not_a_dict(self) -> None:
        with pytest.raises(TypeError, match="status must be a dict, not list"):
            read_status([])  # type: ignore[arg-type]


def test_unknown_media_error_names_the_media_and_keeps_the_api_error() -> None:
    original = error_from_response(
        404, b'{"errors": [{"code": "NOT_FOUND", "message": "no such media"}]}', {}, "GET", "2/media/upload"
    )
    error = unknown_media_error(MEDIA_ID, original)
    assert isinstance(error, AdsApiNotFoundError)
    assert error.codes == ["NOT_FOUND"]
    assert f"media {MEDIA_ID} is unknown to the upload API" in str(error)
    assert "no such media" in str(error)
