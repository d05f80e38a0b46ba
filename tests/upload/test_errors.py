"""``MediaUploadError``: its message, and that it survives pickling and Airflow's serialization."""

from __future__ import annotations

import importlib
import pickle

from airflow_provider_twitter_ads.exceptions import AdsApiServerError, MediaUploadError


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
