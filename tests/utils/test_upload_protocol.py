"""utils/upload_protocol.py: building and reading upload requests, with no I/O."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.exceptions import (
    AdsApiBadRequestError,
    AdsApiServerError,
    UploadSessionExpiredError,
)
from airflow_provider_twitter_ads.utils import upload_protocol as protocol
from airflow_provider_twitter_ads.utils.upload_protocol import parse_status

MEDIA_ID = "1029825579531807971"


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


# -- building requests ---------------------------------------------------------------------------


def test_v2_requests() -> None:
    init = protocol.init_request("v2", 10, "video/mp4", "amplify_video", ["12"])
    assert (init.method, init.path) == ("POST", "2/media/upload/initialize")
    assert init.kwargs() == {
        "api": "upload",
        "idempotent": True,
        "json": {
            "media_type": "video/mp4",
            "total_bytes": 10,
            "media_category": "amplify_video",
            "additional_owners": ["12"],
        },
    }
    append = protocol.append_request("v2", MEDIA_ID, 3, b"abc")
    assert append.path == f"2/media/upload/{MEDIA_ID}/append"
    assert append.kwargs()["data"] == {"segment_index": "3"}
    assert append.kwargs()["files"] == {"media": ("media", b"abc", "application/octet-stream")}
    assert protocol.finalize_request("v2", MEDIA_ID).kwargs() == {"api": "upload", "idempotent": True}
    assert protocol.finalize_request("v2", MEDIA_ID).path == f"2/media/upload/{MEDIA_ID}/finalize"
    status = protocol.status_request("v2", MEDIA_ID)
    assert (status.method, status.path, dict(status.params or {})) == (
        "GET",
        "2/media/upload",
        {"command": "STATUS", "media_id": MEDIA_ID},
    )


def test_v11_requests() -> None:
    init = protocol.init_request("v1.1", 10, "image/gif", "tweet_gif", [])
    assert (init.method, init.path) == ("POST", "1.1/media/upload.json")
    assert init.kwargs()["data"] == {
        "command": "INIT",
        "total_bytes": "10",
        "media_type": "image/gif",
        "media_category": "tweet_gif",
    }
    append = protocol.append_request("v1.1", MEDIA_ID, 0, b"x")
    assert append.kwargs()["data"] == {"command": "APPEND", "media_id": MEDIA_ID, "segment_index": "0"}
    assert protocol.finalize_request("v1.1", MEDIA_ID).kwargs()["data"] == {
        "command": "FINALIZE",
        "media_id": MEDIA_ID,
    }
    simple = protocol.simple_request("v1.1", b"png", "image/png", "tweet_image")
    assert simple.path == "1.1/media/upload.json"
    assert simple.kwargs()["data"] == {"media_category": "tweet_image", "media_type": "image/png"}


# -- reading responses -----------------------------------------------------------------------------


def test_parse_init_of_both_versions() -> None:
    v2 = protocol.parse_init(
        "v2", {"data": {"id": MEDIA_ID, "media_key": f"13_{MEDIA_ID}", "expires_after_secs": 60}}, 100.0
    )
    assert (v2.media_id, v2.media_key, v2.expires_after_secs, v2.expires_at) == (
        MEDIA_ID,
        f"13_{MEDIA_ID}",
        60,
        160.0,
    )
    v11 = protocol.parse_init("v1.1", {"media_id": int(MEDIA_ID), "media_id_string": MEDIA_ID}, 5.0)
    assert (v11.media_id, v11.media_key, v11.expires_at) == (MEDIA_ID, None, None)


def test_parse_finalized_of_both_versions() -> None:
    expected = {
        "media_id": MEDIA_ID,
        "media_key": f"7_{MEDIA_ID}",
        "size": 10,
        "expires_after_secs": 86400,
        "processing_info": {"state": "pending"},
    }
    data = {**expected, "id": MEDIA_ID}
    del data["media_id"]
    assert protocol.parse_finalized("v2", {"data": data}) == expected
    v11 = {"media_id_string": MEDIA_ID, "media_key": f"7_{MEDIA_ID}", "size": 10, "expires_after_secs": 86400}
    assert protocol.parse_finalized("v1.1", {**v11, "processing_info": {"state": "pending"}}) == expected
    # An empty v2 answer names the session's media id and no processing.
    assert protocol.parse_finalized("v2", {}, MEDIA_ID)["media_id"] == MEDIA_ID
    assert protocol.parse_finalized("v2", {}, MEDIA_ID)["processing_info"] is None


def test_expiry_is_read_from_the_error_or_our_clock() -> None:
    expired = AdsApiBadRequestError("upload session expired", status_code=400)
    assert protocol.is_expired(expired)
    assert protocol.is_expired(UploadSessionExpiredError("passed its expires_after_secs"))
    assert not protocol.is_expired(AdsApiServerError("expired", status_code=503))
    assert not protocol.is_expired(AdsApiBadRequestError("bad segment", status_code=400))


def test_argument_checks() -> None:
    assert protocol.resolve_upload_api(None, "v1.1") == "v1.1"
    assert protocol.resolve_upload_api("v2", "v1.1") == "v2"
    with pytest.raises(ValueError, match=r"the connection's upload_api must be one of v2, v1\.1"):
        protocol.resolve_upload_api(None, "v3")
    assert protocol.normalize_additional_owners("1, 2") == ["1", "2"]
    with pytest.raises(ValueError, match="numeric user ids"):
        protocol.normalize_additional_owners(["x"])
    assert protocol.validate_parallelism(16) == 16
    with pytest.raises(ValueError, match="between 1 and 16"):
        protocol.validate_parallelism(17)
