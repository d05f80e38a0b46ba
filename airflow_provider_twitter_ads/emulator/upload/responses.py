"""Upload API handlers: v2 ``media/upload`` (initialize, append, finalize, STATUS, simple) and v1.1
``media/upload.json``. Each is ``handler(request, state) -> Response``.

v2 follows the media upload OpenAPI spec and the "Chunked media upload" quickstart; v1.1 its
"POST media/upload" and "GET media/upload (STATUS)" reference pages.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord
from airflow_provider_twitter_ads.emulator.upload.exceptions import invalid, missing
from airflow_provider_twitter_ads.emulator.upload.models import CATEGORIES, Uploads, _media_id
from airflow_provider_twitter_ads.emulator.upload.processing import processing_info


def media_bytes(request: EmulatorRequest, base64_field: str) -> bytes | None:
    """The binary ``media`` part, else the base64 ``base64_field`` decoded, else None."""
    data = request.files.get("media")
    if data is not None:
        return data
    encoded = request.params.get(base64_field)
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise invalid(base64_field, f"{base64_field} is not valid base64.") from None


def media_details(
    record: MediaRecord, state: EmulatorState, now: float | None, *, v1: bool, size: bool = True
) -> dict[str, Any]:
    """``size``, ``expires_after_secs``, ``processing_info`` and the ``image`` / ``video`` object.

    v2 FINALIZE and STATUS both carry all of them (the spec's media upload response); v1.1 STATUS
    has no ``size`` (its reference's examples).
    """
    details: dict[str, Any] = {"size": record.total_bytes} if size else {}
    details["expires_after_secs"] = Uploads(state).expires_after_secs(record)
    info = processing_info(record, state.config, now, with_error=v1)
    if info is not None:
        details["processing_info"] = info
    kind = CATEGORIES[record.media_category].kind
    if kind == "image" and record.width and record.height:
        details["image"] = {"image_type": record.media_type, "w": record.width, "h": record.height}
    elif kind in ("video", "gif"):
        details["video"] = {"video_type": "video/mp4" if kind == "gif" else record.media_type}
    return details


def _finalized_at(record: MediaRecord, first: bool) -> float | None:
    # The FINALIZE that starts processing reports it as it started (``pending``), like the real API;
    # a repeated FINALIZE reports the state now.
    return record.processing_started_at if first else None


# -- v2 ---------------------------------------------------------------------------------------------


def _v2_media(record: MediaRecord, state: EmulatorState, now: float | None = None) -> Response:
    ids = {"id": record.media_id, "media_key": record.media_key}
    return Response({"data": {**ids, **media_details(record, state, now, v1=False)}})


def v2_initialize(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST /2/media/upload/initialize``."""
    uploads = Uploads(state)
    record = uploads.initialize(request.params)
    data = {"id": record.media_id, "media_key": record.media_key}
    return Response({"data": {**data, "expires_after_secs": uploads.expires_after_secs(record)}})


def v2_append(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST /2/media/upload/{id}/append``."""
    media_id = _media_id(request.path_params["media_id"], "id")
    data = media_bytes(request, "media")
    if data is None:
        raise missing("media")
    record = Uploads(state).append(media_id, request.params.get("segment_index"), data)
    return Response({"data": {"expires_at": int(record.expires_at)}})


def v2_finalize(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST /2/media/upload/{id}/finalize``."""
    media_id = _media_id(request.path_params["media_id"], "id")
    record, first = Uploads(state).finalize(media_id, request.fail_processing)
    return _v2_media(record, state, _finalized_at(record, first))


def v2_status(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET /2/media/upload?media_id=...`` (``command=STATUS`` optional)."""
    params = request.params
    record = Uploads(state).status(params.get("command"), params.get("media_id"), command_required=False)
    return _v2_media(record, state)


def v2_simple(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST /2/media/upload`` with the whole image."""
    return _v2_media(Uploads(state).simple(request.params, media_bytes(request, "media_data")), state)


# -- v1.1 -------------------------------------------------------------------------------------------


def _v1_ids(record: MediaRecord) -> dict[str, Any]:
    return {
        "media_id": int(record.media_id),
        "media_id_string": record.media_id,
        "media_key": record.media_key,
    }


def _v1_media(record: MediaRecord, state: EmulatorState, now: float | None = None) -> Response:
    return Response({**_v1_ids(record), **media_details(record, state, now, v1=True)})


def v1_post(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST /1.1/media/upload.json``: INIT, APPEND, FINALIZE, or (no command) simple upload."""
    uploads = Uploads(state)
    params = request.params
    command = params.get("command")
    if not command:
        if "media" not in request.files and "media_data" not in params:
            raise missing("media")
        return _v1_media(uploads.simple(params, media_bytes(request, "media_data")), state)
    if command == "INIT":
        record = uploads.initialize(params)
        return Response({**_v1_ids(record), "expires_after_secs": uploads.expires_after_secs(record)})
    if command == "APPEND":
        media_id = _media_id(params.get("media_id"))
        data = media_bytes(request, "media_data")
        if data is None:
            raise missing("media")
        uploads.append(media_id, params.get("segment_index"), data)
        return Response(None, 204)
    if command == "FINALIZE":
        record, first = uploads.finalize(_media_id(params.get("media_id")), request.fail_processing)
        return _v1_media(record, state, _finalized_at(record, first))
    raise invalid("command", f"command must be INIT, APPEND or FINALIZE; got {command!r}.")


def v1_status(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET /1.1/media/upload.json?command=STATUS&media_id=...``."""
    params = request.params
    record = Uploads(state).status(params.get("command"), params.get("media_id"), command_required=True)
    return Response({**_v1_ids(record), **media_details(record, state, None, v1=True, size=False)})
