"""Pure tests: media id normalizer, status reading and the wait between status checks."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_twitter_ads.compat import AirflowException
from airflow_provider_twitter_ads.exceptions import (
    AdsApiNotFoundError,
    AdsApiServerError,
    MediaProcessingError,
    describe_error,
    error_from_response,
    rebuild_error,
)
from airflow_provider_twitter_ads.ids import normalize_media_id
from airflow_provider_twitter_ads.utils.processing import (
    next_wait,
    read_status,
    unknown_media_error,
    validate_wait_bounds,
)
from airflow_provider_twitter_ads.utils.upload_protocol import parse_status

MEDIA_ID = "1029825579531807971"


class TestNormalizeMediaId:
    def test_str_id(self) -> None:
        assert normalize_media_id(MEDIA_ID) == MEDIA_ID

    def test_int_id(self) -> None:
        assert normalize_media_id(int(MEDIA_ID)) == MEDIA_ID

    def test_upload_operator_dict(self) -> None:
        upload = {"media_id": MEDIA_ID, "media_key": f"7_{MEDIA_ID}", "media_category": "tweet_video"}
        assert normalize_media_id(upload) == MEDIA_ID

    def test_dict_without_media_id(self) -> None:
        with pytest.raises(ValueError, match=r"media_id is a dict without a 'media_id' key.*media_key"):
            normalize_media_id({"media_key": f"7_{MEDIA_ID}"})

    def test_dict_with_bad_id_names_the_key(self) -> None:
        with pytest.raises(ValueError, match=r"media_id\['media_id'\] must be a 19-digit"):
            normalize_media_id({"media_id": "12"})

    def test_surrounding_whitespace_is_ignored(self) -> None:
        # One rule for every entry point (ids.py): a template's trailing newline is not an error.
        assert normalize_media_id(f" {MEDIA_ID}\n") == MEDIA_ID

    @pytest.mark.parametrize(
        "bad", ["", "abc", "12345", MEDIA_ID + "0", f"{MEDIA_ID[:9]} {MEDIA_ID[9:]}", "7_" + MEDIA_ID]
    )
    def test_malformed_str(self, bad: str) -> None:
        with pytest.raises(ValueError, match="must be a 19-digit numeric media id") as info:
            normalize_media_id(bad)
        assert repr(bad) in str(info.value)

    def test_rendered_dict_gets_a_hint(self) -> None:
        with pytest.raises(ValueError, match="looks like a rendered dict"):
            normalize_media_id(str({"media_id": MEDIA_ID}))

    @pytest.mark.parametrize("bad", [None, 1.5, True, [MEDIA_ID], b"1029825579531807971"])
    def test_wrong_type(self, bad: object) -> None:
        with pytest.raises(TypeError, match=f"media_id must be a media id .* not {type(bad).__name__}"):
            normalize_media_id(bad)

    def test_parameter_name_is_used(self) -> None:
        with pytest.raises(ValueError, match=r"^video must be"):
            normalize_media_id("x", parameter="video")


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


class TestNormalizeStatusResponse:
    def test_v2(self) -> None:
        body = {
            "data": {"id": MEDIA_ID, "media_key": f"7_{MEDIA_ID}", "processing_info": {"state": "pending"}}
        }
        assert parse_status(body, MEDIA_ID) == {
            "media_id": MEDIA_ID,
            "media_key": f"7_{MEDIA_ID}",
            "processing_info": {"state": "pending"},
        }

    def test_v11(self) -> None:
        body = {"media_id": int(MEDIA_ID), "media_id_string": MEDIA_ID, "media_key": f"3_{MEDIA_ID}"}
        assert parse_status(body, MEDIA_ID) == {
            "media_id": MEDIA_ID,
            "media_key": f"3_{MEDIA_ID}",
            "processing_info": None,
        }


class TestErrorRoundTrip:
    def test_api_error_keeps_class_status_and_codes(self) -> None:
        original = error_from_response(
            404,
            b'{"errors": [{"title": "Not Found Error", "detail": "Media id 1 was not found", '
            b'"type": "https://api.x.com/2/problems/resource-not-found"}]}',
            {"content-type": "application/json"},
            "GET",
            "2/media/upload",
        )
        described = describe_error(original)
        assert json.loads(json.dumps(described)) == described
        rebuilt = rebuild_error(described)
        assert type(rebuilt) is AdsApiNotFoundError
        assert (rebuilt.status_code, rebuilt.codes, rebuilt.path) == (
            404,
            ["resource-not-found"],
            "2/media/upload",
        )
        assert str(rebuilt) == str(original)

    def test_html_error_message_survives(self) -> None:
        original = error_from_response(
            502, b"<html><title>502 Bad Gateway</title></html>", {"content-type": "text/html"}, "GET", "p"
        )
        rebuilt = rebuild_error(describe_error(original))
        assert type(rebuilt) is AdsApiServerError
        assert "502 Bad Gateway" in str(rebuilt)
        assert str(rebuilt) == str(original)

    def test_processing_error(self) -> None:
        original = MediaProcessingError(MEDIA_ID, {"code": 1, "name": "InvalidMedia", "message": "Bad"})
        rebuilt = rebuild_error(describe_error(original))
        assert isinstance(rebuilt, MediaProcessingError)
        assert (rebuilt.media_id, rebuilt.error, str(rebuilt)) == (MEDIA_ID, original.error, str(original))

    def test_other_errors_become_airflow_exceptions_with_type_and_message(self) -> None:
        rebuilt = rebuild_error(describe_error(ValueError("Connection 'x': timeout must be positive")))
        assert type(rebuilt) is AirflowException
        assert str(rebuilt) == "ValueError: Connection 'x': timeout must be positive"

    def test_foreign_classpath_is_not_imported(self) -> None:
        described = {
            "type": "Evil",
            "message": "boom",
            "serialized": {"classpath": "os.system", "args": ["true"], "kwargs": {}},
        }
        rebuilt = rebuild_error(described)
        assert type(rebuilt) is AirflowException
        assert str(rebuilt) == "Evil: boom"


def test_unknown_media_error_names_the_media_and_keeps_the_api_error() -> None:
    original = error_from_response(
        404, b'{"errors": [{"code": "NOT_FOUND", "message": "no such media"}]}', {}, "GET", "2/media/upload"
    )
    error = unknown_media_error(MEDIA_ID, original)
    assert isinstance(error, AdsApiNotFoundError)
    assert error.codes == ["NOT_FOUND"]
    assert f"media {MEDIA_ID} is unknown to the upload API" in str(error)
    assert "no such media" in str(error)
