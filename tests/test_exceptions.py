"""exceptions.py: error parsing for every body style, and every exception's round trip through a trigger event."""

from __future__ import annotations

import importlib
import inspect
import json
import pickle

import pytest

from airflow_provider_twitter_ads import exceptions
from airflow_provider_twitter_ads.compat import AirflowException
from airflow_provider_twitter_ads.exceptions import (
    AdsApiBadRequestError,
    AdsApiError,
    AdsApiForbiddenError,
    AdsApiNotFoundError,
    AdsApiRateLimitError,
    AdsApiResponseLostError,
    AdsApiServerError,
    AdsApiUnauthorizedError,
    MediaProcessingError,
    MediaUploadError,
    describe_error,
    error_from_response,
    rebuild_error,
    redact_credentials,
)

MEDIA_ID = "1029825579531807971"

ADS_BODY = {
    "errors": [
        {"code": "INVALID_PARAMETER", "message": "landing_url must be http(s)", "parameter": "landing_url"}
    ],
    "request": {"params": {"account_id": "18ce54d4x5t"}},
}

PATH = "accounts/18ce54d4x5t/media_creatives"

HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


def _every_error_class() -> list[type[Exception]]:
    return [
        cls
        for _, cls in inspect.getmembers(exceptions, inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == exceptions.__name__
    ]


def _example(cls: type[Exception]) -> Exception:
    if issubclass(cls, MediaProcessingError):
        return cls(
            "1029825579531807971", {"code": 3, "name": "InvalidMedia", "message": "Unsupported video format"}
        )
    if issubclass(cls, MediaUploadError):
        return cls(
            "FINALIZE of media 1029825579531807971 failed", media_id="1029825579531807971", status_code=503
        )
    if issubclass(cls, AdsApiError):
        return cls(
            "the API said no",
            status_code=429,
            errors=[{"code": "TOO_MANY_REQUESTS", "message": "Rate limit exceeded"}],
            method="GET",
            path="2/media/upload",
        )
    return cls("s3://bucket/key changed while it was read")


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


def test_media_upload_error_survives_pickling_and_serialization() -> None:
    cause = AdsApiServerError(
        status_code=503,
        errors=[{"code": "SERVICE_UNAVAILABLE", "message": "Over capacity"}],
        method="POST",
        path="2/media/upload/1029825579531807971/finalize",
    )
    error = MediaUploadError.caused_by(
        "FINALIZE of media 1029825579531807971 failed", "1029825579531807971", cause
    )
    assert str(error) == (
        "FINALIZE of media 1029825579531807971 failed: POST 2/media/upload/1029825579531807971/finalize "
        "failed with 503 SERVICE_UNAVAILABLE: Over capacity"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.media_id, copy.status_code) == (
        MediaUploadError,
        str(error),
        "1029825579531807971",
        503,
    )
    classpath, args, kwargs = error.serialize()
    module, _, name = classpath.rpartition(".")
    rebuilt = getattr(importlib.import_module(module), name)(*args, **kwargs)
    assert (str(rebuilt), rebuilt.media_id, rebuilt.codes) == (
        str(error),
        error.media_id,
        ["SERVICE_UNAVAILABLE"],
    )


def test_ads_style_body() -> None:
    error = error_from_response(
        400, json.dumps(ADS_BODY).encode(), {"Content-Type": "application/json"}, "post", PATH
    )
    assert isinstance(error, AdsApiBadRequestError)
    assert isinstance(error, AirflowException)
    assert str(error) == (
        "POST accounts/18ce54d4x5t/media_creatives failed with 400 INVALID_PARAMETER (landing_url): "
        "landing_url must be http(s)"
    )
    assert error.codes == ["INVALID_PARAMETER"]
    assert error.errors == [
        {"code": "INVALID_PARAMETER", "message": "landing_url must be http(s)", "parameter": "landing_url"}
    ]
    assert (error.status_code, error.method, error.path) == (400, "POST", PATH)
    assert repr(error) == (
        "AdsApiBadRequestError(status_code=400, method='POST', "
        "path='accounts/18ce54d4x5t/media_creatives', codes=['INVALID_PARAMETER'])"
    )


def test_several_errors_are_all_named() -> None:
    body = {
        "errors": [
            {"code": "MISSING_PARAMETER", "message": "a is required", "parameter": "a"},
            {"code": "INVALID_PARAMETER", "message": "b is bad", "parameter": "b"},
        ]
    }
    error = error_from_response(400, json.dumps(body), {}, "GET", "accounts/x")
    assert str(error) == (
        "GET accounts/x failed with 400 MISSING_PARAMETER (a): a is required; INVALID_PARAMETER (b): b is bad"
    )
    assert error.codes == ["MISSING_PARAMETER", "INVALID_PARAMETER"]


def test_v2_problem_body() -> None:
    body = {
        "errors": [
            {
                "title": "Invalid Request",
                "detail": "total_bytes must be at most 5242880 for tweet_image",
                "type": "https://api.x.com/2/problems/invalid-request",
                "parameter": "total_bytes",
            }
        ],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.x.com/2/problems/invalid-request",
        "status": 400,
    }
    error = error_from_response(400, json.dumps(body), {}, "POST", "2/media/upload/initialize")
    assert error.errors == [
        {
            "code": "invalid-request",
            "message": "total_bytes must be at most 5242880 for tweet_image",
            "parameter": "total_bytes",
        }
    ]
    assert "400 invalid-request (total_bytes): total_bytes must be at most" in str(error)


def test_v2_problem_without_errors_array() -> None:
    body = {
        "title": "Not Found Error",
        "detail": "Could not find media 1",
        "type": "https://api.x.com/2/problems/resource-not-found",
        "status": 404,
    }
    error = error_from_response(404, json.dumps(body), {}, "GET", "2/media/upload")
    assert isinstance(error, AdsApiNotFoundError)
    assert error.codes == ["resource-not-found"]
    assert str(error).endswith("404 resource-not-found: Could not find media 1")


def test_v11_numeric_code() -> None:
    body = {"errors": [{"code": 324, "message": "Invalid media id"}]}
    error = error_from_response(400, json.dumps(body), {}, "POST", "1.1/media/upload.json")
    assert error.codes == ["324"]
    assert str(error) == "POST 1.1/media/upload.json failed with 400 324: Invalid media id"


def test_v11_request_error_body() -> None:
    body = {
        "request": "/1.1/media/upload.json",
        "error": "Segments do not add up to the provided total file size.",
    }
    error = error_from_response(400, json.dumps(body), {}, "POST", "1.1/media/upload.json")
    assert error.codes == []
    assert error.errors[0]["message"] == "Segments do not add up to the provided total file size."
    assert str(error) == (
        "POST 1.1/media/upload.json failed with 400: Segments do not add up to the provided total file size."
    )


def test_html_502_body() -> None:
    error = error_from_response(502, HTML_502, {"content-type": "text/html"}, "GET", "accounts/x")
    assert isinstance(error, AdsApiServerError)
    assert str(error) == "GET accounts/x failed with 502: non-JSON text/html body: 502 Bad Gateway"
    assert error.errors == []


def test_html_without_title_and_long_text_is_summarized() -> None:
    body = "<html><body><p>" + "overloaded " * 100 + "</p></body></html>"
    error = error_from_response(503, body, {"content-type": "text/html; charset=utf-8"}, "GET", "accounts/x")
    message = str(error)
    assert message.startswith(
        "GET accounts/x failed with 503: non-JSON text/html body: overloaded overloaded"
    )
    assert message.endswith("...")
    assert len(message) < 300


def test_empty_body_uses_the_reason_phrase() -> None:
    assert str(error_from_response(503, b"", {}, "GET", "accounts/x")) == (
        "GET accounts/x failed with 503: Service Unavailable"
    )


def test_json_without_known_shape_is_shown() -> None:
    error = error_from_response(500, '["boom"]', {}, "GET", "accounts/x")
    assert str(error) == 'GET accounts/x failed with 500: ["boom"]'


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, AdsApiBadRequestError),
        (401, AdsApiUnauthorizedError),
        (403, AdsApiForbiddenError),
        (404, AdsApiNotFoundError),
        (429, AdsApiRateLimitError),
        (500, AdsApiServerError),
        (504, AdsApiServerError),
        (409, AdsApiError),
    ],
)
def test_status_classes(status: int, cls: type[AdsApiError]) -> None:
    assert type(error_from_response(status, b"{}", {}, "GET", "accounts/x")) is cls


def test_response_headers_are_kept_lowercased() -> None:
    error = error_from_response(429, b"{}", {"X-Rate-Limit-Reset": "5"}, "GET", "accounts/x")
    assert error.headers == {"x-rate-limit-reset": "5"}


SIGNATURE = "D8EKWFmvyh4Xk4%2BKvQ1lq%2BACQwY%3D"
TOKEN = "1000000001-access-token"
AUTHORIZATION = (
    'OAuth oauth_nonce="2211535300285696326", oauth_timestamp="1796192810", oauth_version="1.0", '
    'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="consumer-key", '
    f'oauth_token="{TOKEN}", oauth_signature="{SIGNATURE}"'
)
REDACTED_AUTHORIZATION = AUTHORIZATION.replace(TOKEN, "***").replace(SIGNATURE, "***")


@pytest.mark.parametrize(
    ("echo", "expected"),
    [
        (AUTHORIZATION, REDACTED_AUTHORIZATION),
        # JSON-escaped, HTML-escaped (named and numeric) and JSON-keyed quoting.
        (json.dumps(AUTHORIZATION)[1:-1], json.dumps(REDACTED_AUTHORIZATION)[1:-1]),
        (AUTHORIZATION.replace('"', "&quot;"), REDACTED_AUTHORIZATION.replace('"', "&quot;")),
        (AUTHORIZATION.replace('"', "&#34;"), REDACTED_AUTHORIZATION.replace('"', "&#34;")),
        (json.dumps({"oauth_token": TOKEN}), '{"oauth_token": "***"}'),
        # Form- or query-encoded, and percent-encoded quoting.
        (f"oauth_token={TOKEN}&oauth_signature={SIGNATURE}&x=1", "oauth_token=***&oauth_signature=***&x=1"),
        (f"oauth_signature%3D%22{SIGNATURE}%22", "oauth_signature%3D%22***%22"),
        # The values wherever else they stand, raw or percent-decoded, are redacted too.
        (
            f'oauth_token={TOKEN} oauth_signature="{SIGNATURE}" (user {TOKEN}, signed D8EKWFmvyh4Xk4+KvQ1lq+ACQwY=)',
            'oauth_token=*** oauth_signature="***" (user ***, signed ***)',
        ),
        # Nothing else is touched: other OAuth parameters and text without credentials.
        (
            'oauth_signature_method="HMAC-SHA1", oauth_token_secret=x',
            'oauth_signature_method="HMAC-SHA1", oauth_token_secret=x',
        ),
        ("no credentials here", "no credentials here"),
    ],
)
def test_redact_credentials(echo: str, expected: str) -> None:
    redacted = redact_credentials(echo)
    assert redacted == expected
    assert redact_credentials(redacted) == redacted


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (
            json.dumps(
                {"errors": [{"code": "REQUEST_BLOCKED", "message": f"Authorization: {AUTHORIZATION}"}]}
            ),
            {},
        ),
        (
            json.dumps(
                {"title": "Forbidden", "detail": f"Authorization: {AUTHORIZATION}", "type": "about:blank"}
            ),
            {},
        ),
        # Shown as a 200-character preview: the echo comes first, so the values are inside it.
        (json.dumps({"blocked": {"oauth_token": TOKEN, "oauth_signature": SIGNATURE}}), {}),
        (
            f"<html><body><p>Matched oauth_token=&quot;{TOKEN}&quot;, oauth_signature=&quot;{SIGNATURE}&quot;"
            f"</p><p>Authorization: {AUTHORIZATION.replace(chr(34), '&quot;')}</p></body></html>",
            {"content-type": "text/html"},
        ),
        (b"", {"x-echo-authorization": AUTHORIZATION}),
    ],
    ids=["ads-errors", "v2-problem", "unknown-json", "html", "response-header"],
)
def test_an_error_body_echoing_the_authorization_header_keeps_neither_value(
    body: str | bytes, headers: dict
) -> None:
    error = error_from_response(403, body, headers, "GET", "accounts/x")
    for shown in (str(error), repr(vars(error)), repr(error.serialize()), json.dumps(describe_error(error))):
        assert TOKEN not in shown and SIGNATURE not in shown
    assert rebuild_error(describe_error(error)).errors == error.errors


def test_response_lost_message() -> None:
    error = AdsApiResponseLostError("no response within 1 s", method="POST", path=PATH)
    assert str(error) == f"POST {PATH} failed: no response within 1 s"
    assert error.status_code is None


def test_plain_message() -> None:
    assert str(AdsApiError("something odd")) == "something odd"


def test_pickle_and_airflow_serialize_round_trip() -> None:
    error = error_from_response(400, json.dumps(ADS_BODY), {}, "POST", PATH)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is AdsApiBadRequestError
    assert (str(copy), copy.errors, copy.status_code) == (str(error), error.errors, 400)

    classpath, args, kwargs = error.serialize()
    assert classpath == "airflow_provider_twitter_ads.exceptions.AdsApiBadRequestError"
    rebuilt = AdsApiBadRequestError(*args, **kwargs)
    assert str(rebuilt) == str(error)
    assert rebuilt.codes == ["INVALID_PARAMETER"]


def test_media_processing_error() -> None:
    error = MediaProcessingError(
        "1029825579531807971", {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}
    )
    assert (
        str(error)
        == "Media 1029825579531807971 processing failed: InvalidMedia (1): Unsupported video format"
    )
    assert error.media_id == "1029825579531807971"
    assert error.error["name"] == "InvalidMedia"
    assert isinstance(error, AdsApiError)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    _, args, kwargs = error.serialize()
    assert str(MediaProcessingError(*args, **kwargs)) == str(error)


def test_every_exception_class_is_covered() -> None:
    names = {cls.__name__ for cls in _every_error_class()}
    assert {"AdsApiError", "MediaUploadError", "UploadSessionExpiredError", "S3ObjectChangedError"} <= names
    assert len(names) == 16  # AdsApiMalformedResponseError joined (issue 10)


@pytest.mark.parametrize("cls", _every_error_class(), ids=lambda cls: cls.__name__)
def test_every_exception_survives_a_trigger_event(cls: type[Exception]) -> None:
    original = _example(cls)
    # A trigger event is stored as JSON: the description must survive that too.
    rebuilt = rebuild_error(json.loads(json.dumps(describe_error(original))))
    assert type(rebuilt) is cls
    assert str(rebuilt) == str(original)
    if isinstance(original, AdsApiError):
        assert isinstance(rebuilt, AdsApiError)
        assert (rebuilt.status_code, rebuilt.codes, rebuilt.method, rebuilt.path) == (
            original.status_code,
            original.codes,
            original.method,
            original.path,
        )
    for attribute in ("media_id", "error"):
        assert getattr(rebuilt, attribute, None) == getattr(original, attribute, None)
