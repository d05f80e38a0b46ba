"""Account media: ``accounts/:account_id/account_media`` (v12 reference, "Account Media")."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid, invalid_media
from airflow_provider_twitter_ads.emulator.ads.models import (
    CREATABLE_CREATIVE_TYPES,
    CREATIVE_TYPE_SIZES,
    CREATIVE_TYPES,
    media_type_of,
    new_account_media,
    ready_media,
    stamp,
)
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    delete_response,
    entity_response,
    enum_filter,
    get_response,
    ids_filter,
    list_response,
    require_enum,
)
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord

KIND = "account_media"
FILTERS = (
    ids_filter("account_media_ids", "id"),
    enum_filter("creative_types", "creative_type", CREATIVE_TYPES),
)


def _ready_media_by_id(state: EmulatorState, media_id: str, parameter: str) -> MediaRecord:
    record = state.media_by_id(media_id)
    if record is None:
        raise invalid_media(parameter, f"{parameter} {media_id!r} is not an uploaded media")
    return ready_media(state, record.media_key, parameter)


def create_account_media(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST account_media`` (up to v4 only; later versions create it through the media library)."""
    creative_type = require_enum(request, "creative_type", CREATABLE_CREATIVE_TYPES)
    if creative_type == "PREROLL":
        video_id = request.require("video_id")
        record = _ready_media_by_id(state, video_id, "video_id")
        if record.media_category.lower() != "amplify_video":
            raise invalid_media(
                "video_id", f"video_id {video_id!r} is not an amplify_video (PREROLL needs one)"
            )
    else:
        media_id = request.require("media_id")
        record = _ready_media_by_id(state, media_id, "media_id")
        if media_type_of(record) != "IMAGE":
            raise invalid_media(
                "media_id", f"media_id {media_id!r} is not an image ({creative_type} needs one)"
            )
        width, height = CREATIVE_TYPE_SIZES[creative_type]
        if (record.width, record.height) != (width, height):
            raise invalid(
                "media_id",
                f"media_id {media_id!r} is {record.width}x{record.height}; "
                f"{creative_type} needs exactly {width}x{height}",
            )
    entity = new_account_media(state, record, creative_type, stamp(state))
    return entity_response(request, entity, 201)


def list_account_media(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET account_media``."""
    return list_response(request, state, KIND, FILTERS)


def get_account_media(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET account_media/:account_media_id``."""
    return get_response(request, state, KIND, "account_media_id")


def delete_account_media(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``DELETE account_media/:account_media_id``."""
    return delete_response(request, state, KIND, "account_media_id")
