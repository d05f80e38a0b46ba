"""utils/upload_protocol.py: building and reading upload requests, with no I/O."""

from __future__ import annotations

import inspect

from airflow_provider_twitter_ads import exceptions
from airflow_provider_twitter_ads.exceptions import (
    AdsApiError,
    MediaProcessingError,
    MediaUploadError,
)
from airflow_provider_twitter_ads.utils.upload_protocol import parse_status

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
