"""utils/upload_protocol.py: building and reading upload requests, with no I/O."""

from __future__ import annotations

from collections.abc import Iterator
from email import policy
from email.parser import BytesParser

import pytest

from airflow_provider_twitter_ads.exceptions import (
    AdsApiBadRequestError,
    AdsApiServerError,
    UploadSessionExpiredError,
)
from airflow_provider_twitter_ads.utils import upload_protocol as protocol
from airflow_provider_twitter_ads.utils.upload_protocol import parse_status

MEDIA_ID = "1029825579531807971"


class CountingSource:
    """Media bytes in blocks of ``block`` that counts how often it was read."""

    def __init__(self, data: bytes, block: int = 2, length: int | None = None) -> None:
        self.data = data
        self.block = block
        self.length = len(data) if length is None else length
        self.reads = 0

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        self.reads += 1
        return (self.data[at : at + self.block] for at in range(0, len(self.data), self.block))


def _parts(request: protocol.UploadRequest) -> tuple[dict[str, str], tuple[str, str, bytes]]:
    """The text fields and the ``(filename, content type, bytes)`` of the media part, read back by
    the standard library's MIME parser from what the body yields."""
    kwargs = request.kwargs()
    body = kwargs["data"]
    sent = b"".join(body)
    assert len(sent) == len(body)
    content_type = kwargs["headers"]["Content-Type"]
    assert content_type == body.content_type
    assert content_type.startswith("multipart/form-data; boundary=")
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + sent
    )
    assert message.is_multipart() and not message.defects
    fields: dict[str, str] = {}
    media: tuple[str, str, bytes] | None = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is None:
            fields[name] = part.get_payload(decode=True).decode()
        else:
            assert name == "media" and media is None
            media = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    assert media is not None
    return fields, media


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
    append = protocol.append_request("v2", MEDIA_ID, 3, CountingSource(b"abc\r\n--x"))
    assert append.path == f"2/media/upload/{MEDIA_ID}/append"
    assert _parts(append) == ({"segment_index": "3"}, ("media", "application/octet-stream", b"abc\r\n--x"))
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
    append = protocol.append_request("v1.1", MEDIA_ID, 0, CountingSource(b"x"))
    assert append.path == "1.1/media/upload.json"
    assert _parts(append) == (
        {"command": "APPEND", "media_id": MEDIA_ID, "segment_index": "0"},
        ("media", "application/octet-stream", b"x"),
    )
    assert protocol.finalize_request("v1.1", MEDIA_ID).kwargs()["data"] == {
        "command": "FINALIZE",
        "media_id": MEDIA_ID,
    }
    simple = protocol.simple_request("v1.1", CountingSource(b"png"), "image/png", "tweet_image")
    assert simple.path == "1.1/media/upload.json"
    assert _parts(simple) == (
        {"media_category": "tweet_image", "media_type": "image/png"},
        ("media", "application/octet-stream", b"png"),
    )
    assert protocol.simple_request("v2", CountingSource(b"png"), "image/png", "tweet_image").path == (
        "2/media/upload"
    )


def test_a_multipart_body_has_its_length_up_front_and_reads_the_media_on_every_iteration() -> None:
    source = CountingSource(bytes(range(256)) * 40, block=1000)
    body = protocol.append_request("v2", MEDIA_ID, 7, source).kwargs()["data"]
    assert len(body) > len(source) == 10240
    assert source.reads == 0  # nothing is read until the body is sent
    first = b"".join(body)
    blocks = list(body)
    assert source.reads == 2
    assert b"".join(blocks) == first and len(first) == len(body)
    # The media's blocks pass through as they come: none is joined into a segment-sized copy.
    assert max(len(block) for block in blocks) == 1000


@pytest.mark.parametrize(("data", "length"), [(b"abcd", 3), (b"ab", 3)], ids=["too many", "too few"])
def test_a_source_that_yields_other_than_its_length_fails_while_sending(data: bytes, length: int) -> None:
    body = protocol.append_request("v2", MEDIA_ID, 0, CountingSource(data, length=length)).kwargs()["data"]
    with pytest.raises(ValueError, match="the media source yielded"):
        b"".join(body)


def test_each_body_has_its_own_boundary() -> None:
    first, second = (protocol.append_request("v2", MEDIA_ID, 0, CountingSource(b"a")).body for _ in range(2))
    assert first is not None and second is not None
    assert first.boundary != second.boundary and len(first.boundary) == 32


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
