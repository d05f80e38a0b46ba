"""Ads API entities and their rules: the creative vocabulary, media-derived fields, entity builders.

Builders put a new entity into its ``state`` table and return it; handlers in ``responses`` call
them after checking the request. Uploaded media comes from ``state.media`` (the upload API's).
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid, invalid_media
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord
from airflow_provider_twitter_ads.emulator.upload.processing import refresh_processing

Entity = dict[str, Any]

# Image creative types and the exact pixel size each one needs; PREROLL takes an amplify_video.
CREATIVE_TYPE_SIZES: dict[str, tuple[int, int]] = {
    "BANNER": (320, 50),
    "BANNER_TABLET": (728, 90),
    "INTERSTITIAL": (320, 480),
    "INTERSTITIAL_LANDSCAPE": (480, 320),
    "INTERSTITIAL_TABLET": (768, 1024),
    "INTERSTITIAL_LANDSCAPE_TABLET": (1024, 768),
    "MEDIUM_RECTANGLE": (300, 250),
}
#: What the account media ``creative_types`` filter accepts (v12 reference, "Account Media").
CREATIVE_TYPES = (*CREATIVE_TYPE_SIZES, "PREROLL", "VAST_PREROLL")
#: What an account media can be created as here (VAST_PREROLL comes from VAST tags, not uploads).
CREATABLE_CREATIVE_TYPES = (*CREATIVE_TYPE_SIZES, "PREROLL")
CALL_TO_ACTIONS = ("GO_TO", "SEE_MORE", "SHOP", "VISIT_SITE", "WATCH_NOW")
LIBRARY_MEDIA_TYPES = ("IMAGE", "GIF", "VIDEO")
MEDIA_TYPE_BY_CATEGORY = {
    "tweet_image": "IMAGE",
    "dm_image": "IMAGE",
    "tweet_gif": "GIF",
    "dm_gif": "GIF",
    "tweet_video": "VIDEO",
    "dm_video": "VIDEO",
    "amplify_video": "VIDEO",
}
#: ``media_status`` of library media whose processing finished ("Video Views Pre-roll Objective" guide).
MEDIA_STATUS_DONE = "TRANSCODE_COMPLETED"
# The line items a pre-roll call-to-action may belong to ("Video Views Pre-roll Objective" guide).
PREROLL_PRODUCT_TYPE = "MEDIA"
PREROLL_OBJECTIVE = "PREROLL_VIEWS"

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


# -- time and ids -----------------------------------------------------------------------------------


def iso_time(epoch: float) -> str:
    """``2026-11-23T04:00:00Z`` for an epoch time."""
    return time.strftime(_TIME_FORMAT, time.gmtime(epoch))


def stamp(state: EmulatorState) -> str:
    """Now, or the newest timestamp already handed out if the clock is behind it (seeded batches)."""
    moment = max(float(int(time.time())), state.entity_clock)
    state.entity_clock = moment
    return iso_time(moment)


def batch_stamps(state: EmulatorState, count: int) -> list[str]:
    """``count`` increasing timestamps, one second apart, ending about now and after any earlier one."""
    start = max(float(int(time.time())) - count, state.entity_clock + 1)
    if count:
        state.entity_clock = max(state.entity_clock, start + count - 1)
    return [iso_time(start + offset) for offset in range(count)]


def token(media_id: str, length: int = 15) -> str:
    """A stable URL-safe token for a media id, as in the API's media URLs."""
    digest = hashlib.sha256(media_id.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:length]


def url_param(name: str, value: str) -> str:
    """An absolute http(s) URL, else 400 ``INVALID_PARAMETER`` on ``name``."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise invalid(name, f"{name} must be an http(s) URL, got {value!r}")
    return value


# -- media ------------------------------------------------------------------------------------------


def media_type_of(record: MediaRecord) -> str | None:
    """IMAGE, GIF or VIDEO for the record's media category (None for subtitles)."""
    return MEDIA_TYPE_BY_CATEGORY.get(record.media_category.lower())


def ready_media(state: EmulatorState, media_key: str, parameter: str) -> MediaRecord:
    """Uploaded, finalized media whose processing succeeded, else 400 ``INVALID_MEDIA``."""
    record = state.media.get(media_key)
    if record is None:
        raise invalid_media(parameter, f"{parameter} {media_key!r} is not an uploaded media")
    if not record.finalized:
        raise invalid_media(parameter, f"{parameter} {media_key!r} has not been finalized")
    refresh_processing(record)
    if record.state != "succeeded":
        raise invalid_media(
            parameter, f"{parameter} {media_key!r} processing is {record.state}, not succeeded"
        )
    if media_type_of(record) is None:
        raise invalid_media(
            parameter, f"{parameter} {media_key!r} is {record.media_category}, not an ad media"
        )
    return record


def media_url(record: MediaRecord) -> str:
    media_type = media_type_of(record)
    if media_type == "IMAGE":
        extension = {"image/png": "png", "image/webp": "webp", "image/bmp": "bmp"}.get(
            record.media_type, "jpg"
        )
        return f"https://pbs.twimg.com/media/{token(record.media_id)}.{extension}"
    if media_type == "GIF":
        return f"https://video.twimg.com/tweet_video/{token(record.media_id)}.mp4"
    size = f"{record.width}x{record.height}" if record.width and record.height else "1280x720"
    folder = "amplify_video" if record.media_category.lower() == "amplify_video" else "ext_tw_video"
    return f"https://video.twimg.com/{folder}/{record.media_id}/vid/{size}/{token(record.media_id)}.mp4"


def aspect_ratio(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    a, b = width, height
    while b:
        a, b = b, a % b
    return f"{width // a}:{height // a}"


def creative_type_for_size(width: int | None, height: int | None) -> str | None:
    """The image creative type whose size is exactly ``width`` x ``height``."""
    for creative_type, size in CREATIVE_TYPE_SIZES.items():
        if size == (width, height):
            return creative_type
    return None


# -- entity builders --------------------------------------------------------------------------------


def new_account_media(state: EmulatorState, record: MediaRecord, creative_type: str, when: str) -> Entity:
    """An account media for ``record``, shaped as in the v12 reference ("Account Media").

    PREROLL: ``video_id`` holds the media key and ``media_url`` is null. Images: ``video_id`` is
    null and ``media_url`` is set; ``media_key`` only when ``image_account_media_media_key`` is on
    (the docs disagree; see the fidelity table).
    """
    entity: Entity = {"id": state.next_entity_id(), "creative_type": creative_type}
    if creative_type == "PREROLL":
        entity.update(video_id=record.media_key, media_url=None, media_key=record.media_key)
    else:
        entity.update(video_id=None, media_url=media_url(record))
        if state.config.image_account_media_media_key:
            entity["media_key"] = record.media_key
    entity.update(created_at=when, updated_at=when, deleted=False)
    state.table("account_media")[entity["id"]] = entity
    return entity


def new_library_entry(record: MediaRecord, details: dict[str, str | None], when: str) -> Entity:
    media_type = media_type_of(record)
    return {
        "media_key": record.media_key,
        "media_id": record.media_id,
        "media_type": media_type,
        "media_category": record.media_category.upper(),
        "media_url": media_url(record),
        "name": details.get("name"),
        "file_name": details.get("file_name"),
        "title": details.get("title"),
        "description": details.get("description"),
        "poster_media_key": details.get("poster_media_key"),
        "poster_media_url": details.get("poster_media_url"),
        "aspect_ratio": aspect_ratio(record.width, record.height),
        "duration": record.duration_ms if media_type != "IMAGE" else None,
        "tweeted": False,
        "media_status": MEDIA_STATUS_DONE,
        "created_at": when,
        "updated_at": when,
        "deleted": False,
    }


def new_media_creative(
    state: EmulatorState, account_media: Entity, line_item_id: str, landing_url: str | None, when: str
) -> Entity:
    """A media creative; ``creative_type`` is its account media's, as in the v12 reference."""
    entity: Entity = {
        "id": state.next_entity_id(),
        "account_media_id": account_media["id"],
        "creative_type": account_media["creative_type"],
        "line_item_id": line_item_id,
        "landing_url": landing_url,
        "entity_status": "ACTIVE",
        "approval_status": "ACCEPTED",
        "created_at": when,
        "updated_at": when,
        "deleted": False,
    }
    state.table("media_creatives")[entity["id"]] = entity
    return entity


def new_preroll_cta(
    state: EmulatorState, line_item_id: str, call_to_action: str, call_to_action_url: str, when: str
) -> Entity:
    entity: Entity = {
        "id": state.next_entity_id(),
        "line_item_id": line_item_id,
        "call_to_action": call_to_action,
        "call_to_action_url": call_to_action_url,
        "created_at": when,
        "updated_at": when,
        "deleted": False,
    }
    state.table("preroll_call_to_actions")[entity["id"]] = entity
    return entity


def auto_account_media(state: EmulatorState, record: MediaRecord, when: str) -> Entity | None:
    """The account media the API creates when media joins the library, if its kind calls for one."""
    if record.media_category.lower() == "amplify_video":
        return new_account_media(state, record, "PREROLL", when)
    if media_type_of(record) == "IMAGE":
        creative_type = creative_type_for_size(record.width, record.height)
        if creative_type is not None:
            return new_account_media(state, record, creative_type, when)
    return None


def mark_deleted(state: EmulatorState, entity: Entity) -> Entity:
    entity["deleted"] = True
    entity["updated_at"] = stamp(state)
    return entity


def allows_preroll_cta(line_item: Entity) -> bool:
    """Pre-roll call-to-actions belong to MEDIA / PREROLL_VIEWS line items only."""
    return (
        line_item.get("product_type") == PREROLL_PRODUCT_TYPE
        and line_item.get("objective") == PREROLL_OBJECTIVE
    )
