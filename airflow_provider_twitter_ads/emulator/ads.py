"""Ads API endpoints: accounts, campaigns, line items, media library, account media, media creatives
and preroll call-to-actions, with the API's shared list behaviour (counts, cursors, filters, sorting).

Every list endpoint goes through :func:`list_response`; every single-entity read through
:func:`find_entity`. Uploaded media comes from ``state.media`` (filled by the upload endpoints).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_twitter_ads.emulator.core import (
    ApiError,
    EmulatorRequest,
    Response,
    Router,
    request_echo,
)
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord
from airflow_provider_twitter_ads.emulator.upload import refresh_processing

Entity = dict[str, Any]
Predicate = Callable[[Entity], bool]

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
CREATIVE_TYPES = (*CREATIVE_TYPE_SIZES, "PREROLL")
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
MEDIA_KEY_PREFIX_BY_CATEGORY = {
    "tweet_image": "3",
    "dm_image": "3",
    "tweet_video": "7",
    "dm_video": "7",
    "amplify_video": "13",
    "tweet_gif": "16",
    "dm_gif": "16",
}
SORT_FIELDS = ("created_at", "updated_at")
MAX_IDS_PER_FILTER = 200
DEFAULT_COUNT, MAX_COUNT = 200, 1000
LIBRARY_DEFAULT_COUNT, LIBRARY_MAX_COUNT = 20, 50
# The media library exists from v5 on; creating account media directly only up to v4.
LIBRARY_MIN_VERSION = 5
ACCOUNT_MEDIA_POST_MAX_VERSION = 4

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_CURSOR_SALT = "ads-api-emulator-cursor"

SEEDED_CAMPAIGNS: tuple[tuple[str, str], ...] = (("8yn7m", "Launch campaign"), ("8yn7n", "Always-on video"))
# (id, campaign_id, objective, name, deleted)
SEEDED_LINE_ITEMS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("8v7jo", "8yn7m", "WEBSITE_CLICKS", "Launch - website clicks", False),
    ("8v7jp", "8yn7m", "VIDEO_VIEWS", "Launch - video views", False),
    ("8v7jq", "8yn7m", "ENGAGEMENTS", "Launch - engagements", False),
    ("8v7jr", "8yn7m", "PREROLL_VIEWS", "Launch - preroll views", False),
    ("8v7js", "8yn7m", "WEBSITE_CLICKS", "Launch - website clicks (old)", True),
    ("8v7jt", "8yn7n", "VIDEO_VIEWS", "Always-on - video views", False),
)
_SEED_CREATED_AT = "2026-03-02T17:00:00Z"
_SEED_UPDATED_AT = "2026-03-09T10:30:00Z"


# -- time and ids -----------------------------------------------------------------------------------


def iso_time(epoch: float) -> str:
    """``2026-11-23T04:00:00Z`` for an epoch time."""
    return time.strftime(_TIME_FORMAT, time.gmtime(epoch))


def _stamp(state: EmulatorState) -> str:
    """Now, or the newest timestamp already handed out if the clock is behind it (seeded batches)."""
    moment = max(float(int(time.time())), state.entity_clock)
    state.entity_clock = moment
    return iso_time(moment)


def _batch_stamps(state: EmulatorState, count: int) -> list[str]:
    """``count`` increasing timestamps, one second apart, ending about now and after any earlier one."""
    start = max(float(int(time.time())) - count, state.entity_clock + 1)
    if count:
        state.entity_clock = max(state.entity_clock, start + count - 1)
    return [iso_time(start + offset) for offset in range(count)]


def _token(media_id: str, length: int = 15) -> str:
    """A stable URL-safe token for a media id, as in the API's media URLs."""
    digest = hashlib.sha256(media_id.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:length]


# -- parameter parsing ------------------------------------------------------------------------------


def _invalid(parameter: str, message: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER", message, parameter)


def int_param(request: EmulatorRequest, name: str, default: int, low: int, high: int) -> int:
    """An integer parameter within ``low..high``, or the default when absent."""
    value = request.param(name)
    if value is None:
        return default
    if not re.fullmatch(r"\d+", value) or not low <= int(value) <= high:
        raise _invalid(name, f"{name} must be an integer between {low} and {high}, got {value!r}")
    return int(value)


def bool_param(request: EmulatorRequest, name: str, default: bool = False) -> bool:
    """A boolean parameter: exactly ``true`` or ``false``."""
    value = request.param(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise _invalid(name, f"{name} must be true or false, got {value!r}")
    return value == "true"


def ids_param(name: str, value: str) -> list[str]:
    """A comma-separated id list of at most ``MAX_IDS_PER_FILTER`` ids."""
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if len(ids) > MAX_IDS_PER_FILTER:
        raise _invalid(name, f"{name} accepts at most {MAX_IDS_PER_FILTER} ids, got {len(ids)}")
    return ids


def enum_value(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise _invalid(name, f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def require_enum(request: EmulatorRequest, name: str, allowed: Iterable[str]) -> str:
    return enum_value(name, request.require(name), allowed)


def optional_param(request: EmulatorRequest, name: str) -> str | None:
    """The parameter's value; an empty string counts as absent."""
    value = request.param(name)
    return value if value else None


def url_param(name: str, value: str) -> str:
    """An absolute http(s) URL."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise _invalid(name, f"{name} must be an http(s) URL, got {value!r}")
    return value


def sort_param(request: EmulatorRequest, fields: Iterable[str] = SORT_FIELDS) -> tuple[str, bool] | None:
    """``sort_by`` as (field, descending), e.g. ``created_at-desc``; None when absent."""
    value = request.param("sort_by")
    if value is None:
        return None
    allowed = [f"{field}-{direction}" for field in fields for direction in ("asc", "desc")]
    enum_value("sort_by", value, allowed)
    field, direction = value.rsplit("-", 1)
    return field, direction == "desc"


# -- cursors ----------------------------------------------------------------------------------------


def _cursor_check(kind: str, offset: int) -> str:
    return hashlib.sha256(f"{_CURSOR_SALT}:{kind}:{offset}".encode()).hexdigest()[:12]


def encode_cursor(kind: str, offset: int) -> str:
    """An opaque cursor: the offset and a check, so a made-up or foreign cursor is refused."""
    raw = f"{offset}.{_cursor_check(kind, offset)}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(kind: str, cursor: str) -> int:
    bad = _invalid("cursor", f"cursor {cursor!r} is not a cursor this endpoint returned")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        offset_text, check = raw.split(".")
        offset = int(offset_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if offset < 0 or check != _cursor_check(kind, offset):
        raise bad
    return offset


# -- the shared list and read helpers ---------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """A list filter parameter; ``build`` turns its value into a predicate or raises ``ApiError``."""

    param: str
    build: Callable[[str], Predicate]


def ids_filter(param: str, field: str) -> ListFilter:
    """``param`` holds comma-separated ids that ``field`` must be one of."""

    def build(value: str) -> Predicate:
        wanted = set(ids_param(param, value))
        return lambda entity: entity.get(field) in wanted

    return ListFilter(param, build)


def enum_filter(param: str, field: str, allowed: Iterable[str], *, multiple: bool = True) -> ListFilter:
    """``param`` holds one (or, if ``multiple``, comma-separated) values of an enum."""
    allowed = tuple(allowed)

    def build(value: str) -> Predicate:
        values = ids_param(param, value) if multiple else [value]
        wanted = {enum_value(param, item, allowed) for item in values}
        return lambda entity: entity.get(field) in wanted

    return ListFilter(param, build)


def text_filter(param: str, fields: Iterable[str]) -> ListFilter:
    """``param`` is a case-insensitive substring of any of ``fields``."""
    fields = tuple(fields)

    def build(value: str) -> Predicate:
        needle = value.lower()
        return lambda entity: any(needle in str(entity.get(field) or "").lower() for field in fields)

    return ListFilter(param, build)


def list_response(
    request: EmulatorRequest,
    state: EmulatorState,
    kind: str,
    filters: Iterable[ListFilter] = (),
    *,
    default_count: int = DEFAULT_COUNT,
    max_count: int = MAX_COUNT,
) -> Response:
    """One page of ``kind``: count, cursor, with_deleted, with_total_count, sort_by and ``filters``.

    Without ``sort_by`` entities come in creation order. Every parameter is validated before any
    filtering, so a bad request is refused whatever the table holds.
    """
    count = int_param(request, "count", default_count, 1, max_count)
    with_deleted = bool_param(request, "with_deleted")
    with_total_count = bool_param(request, "with_total_count")
    cursor = request.param("cursor")
    if with_total_count and cursor is not None:
        raise _invalid("with_total_count", "with_total_count can not be combined with cursor")
    offset = decode_cursor(kind, cursor) if cursor is not None else 0
    order = sort_param(request)
    predicates = [f.build(value) for f in filters if (value := optional_param(request, f.param)) is not None]

    rows = [
        entity
        for entity in state.table(kind).values()
        if (with_deleted or not entity.get("deleted")) and all(match(entity) for match in predicates)
    ]
    if order is not None:
        field, descending = order
        # Stable sorts: ties keep creation order (reversed for descending).
        rows = sorted(
            rows[::-1] if descending else rows, key=lambda e: e.get(field) or "", reverse=descending
        )
    page = rows[offset : offset + count]
    end = offset + count
    body: dict[str, Any] = {
        "request": request_echo(request),
        "data": [dict(entity) for entity in page],
        "next_cursor": encode_cursor(kind, end) if end < len(rows) else None,
    }
    if with_total_count:
        body["total_count"] = len(rows)
    return Response(body)


def find_entity(
    state: EmulatorState, kind: str, entity_id: str, parameter: str, *, with_deleted: bool = False
) -> Entity:
    """The entity, or 404 ``NOT_FOUND``; deleted entities count as missing unless ``with_deleted``."""
    entity = state.table(kind).get(entity_id)
    if entity is None or (entity.get("deleted") and not with_deleted):
        raise ApiError(404, "NOT_FOUND", f"{parameter} {entity_id!r} was not found", parameter)
    return entity


def _entity_response(request: EmulatorRequest, entity: Entity, status: int = 200) -> Response:
    # A copy: the body is serialized after the state lock is released.
    return Response({"request": request_echo(request), "data": dict(entity)}, status)


def _live_reference(state: EmulatorState, kind: str, entity_id: str, parameter: str) -> Entity:
    """An entity that a write refers to: missing or deleted is a 400 on that parameter."""
    entity = state.table(kind).get(entity_id)
    if entity is None or entity.get("deleted"):
        raise _invalid(parameter, f"{parameter} {entity_id!r} does not exist or is deleted")
    return entity


def _mark_deleted(state: EmulatorState, entity: Entity) -> Entity:
    entity["deleted"] = True
    entity["updated_at"] = _stamp(state)
    return entity


# -- media ------------------------------------------------------------------------------------------


def media_type_of(record: MediaRecord) -> str | None:
    """IMAGE, GIF or VIDEO for the record's media category."""
    return MEDIA_TYPE_BY_CATEGORY.get(record.media_category.lower())


def _ready_media(state: EmulatorState, media_key: str, parameter: str) -> MediaRecord:
    """Uploaded, finalized media whose processing succeeded, else 400 on ``parameter``."""
    record = state.media.get(media_key)
    if record is None:
        raise _invalid(parameter, f"{parameter} {media_key!r} is not an uploaded media")
    if not record.finalized:
        raise _invalid(parameter, f"{parameter} {media_key!r} has not been finalized")
    refresh_processing(record)
    if record.state != "succeeded":
        raise _invalid(parameter, f"{parameter} {media_key!r} processing is {record.state}, not succeeded")
    return record


def _media_url(record: MediaRecord) -> str:
    media_type = media_type_of(record)
    if media_type == "IMAGE":
        extension = {"image/png": "png", "image/webp": "webp", "image/bmp": "bmp"}.get(
            record.media_type, "jpg"
        )
        return f"https://pbs.twimg.com/media/{_token(record.media_id)}.{extension}"
    if media_type == "GIF":
        return f"https://video.twimg.com/tweet_video/{_token(record.media_id)}.mp4"
    size = f"{record.width}x{record.height}" if record.width and record.height else "1280x720"
    folder = "amplify_video" if record.media_category.lower() == "amplify_video" else "ext_tw_video"
    return f"https://video.twimg.com/{folder}/{record.media_id}/vid/{size}/{_token(record.media_id)}.mp4"


def _aspect_ratio(width: int | None, height: int | None) -> str | None:
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


def add_ready_media(
    state: EmulatorState,
    media_category: str = "tweet_image",
    width: int | None = None,
    height: int | None = None,
    media_type: str | None = None,
) -> MediaRecord:
    """Put a finalized media whose processing succeeded into ``state.media``, as a finished upload would."""
    category = media_category.lower()
    kind = MEDIA_TYPE_BY_CATEGORY[category]
    default_mime = {"IMAGE": "image/jpeg", "GIF": "image/gif", "VIDEO": "video/mp4"}[kind]
    default_size = {"IMAGE": (1200, 628), "GIF": (480, 270), "VIDEO": (1280, 720)}[kind]
    media_id = state.next_media_id()
    record = MediaRecord(
        media_id=media_id,
        media_key=f"{MEDIA_KEY_PREFIX_BY_CATEGORY[category]}_{media_id}",
        media_category=category,
        media_type=media_type or default_mime,
        total_bytes=1024,
        finalized=True,
        width=width if width is not None else default_size[0],
        height=height if height is not None else default_size[1],
        duration_ms=15_000 if kind == "VIDEO" else None,
        needs_processing=kind != "IMAGE",
        state="succeeded",
        progress_percent=100,
    )
    record.received_bytes = record.total_bytes
    state.media[record.media_key] = record
    state.media_key_by_id[media_id] = record.media_key
    return record


# -- entity builders --------------------------------------------------------------------------------


def _new_account_media(state: EmulatorState, record: MediaRecord, creative_type: str, stamp: str) -> Entity:
    entity: Entity = {
        "id": state.next_entity_id(),
        "creative_type": creative_type,
        "media_key": record.media_key,
    }
    if creative_type == "PREROLL":
        entity["video_id"] = record.media_id
    else:
        entity["media_url"] = _media_url(record)
    entity.update(created_at=stamp, updated_at=stamp, deleted=False)
    state.table("account_media")[entity["id"]] = entity
    return entity


def _new_library_entry(record: MediaRecord, details: dict[str, str | None], stamp: str) -> Entity:
    media_type = media_type_of(record)
    return {
        "media_key": record.media_key,
        "media_id": record.media_id,
        "media_type": media_type,
        "media_category": record.media_category.upper(),
        "media_url": _media_url(record),
        "name": details.get("name"),
        "file_name": details.get("file_name"),
        "title": details.get("title"),
        "description": details.get("description"),
        "poster_media_key": details.get("poster_media_key"),
        "poster_media_url": details.get("poster_media_url"),
        "aspect_ratio": _aspect_ratio(record.width, record.height),
        "duration": record.duration_ms if media_type != "IMAGE" else None,
        "tweeted": False,
        "media_status": "TRANSCODED",
        "created_at": stamp,
        "updated_at": stamp,
        "deleted": False,
    }


def _new_media_creative(
    state: EmulatorState, account_media_id: str, line_item_id: str, landing_url: str | None, stamp: str
) -> Entity:
    entity: Entity = {
        "id": state.next_entity_id(),
        "account_media_id": account_media_id,
        "line_item_id": line_item_id,
        "landing_url": landing_url,
        "serving_status": "ACTIVE",
        "entity_status": "ACTIVE",
        "approval_status": "ACCEPTED",
        "created_at": stamp,
        "updated_at": stamp,
        "deleted": False,
    }
    state.table("media_creatives")[entity["id"]] = entity
    return entity


def _new_preroll_cta(
    state: EmulatorState, line_item_id: str, call_to_action: str, call_to_action_url: str, stamp: str
) -> Entity:
    entity: Entity = {
        "id": state.next_entity_id(),
        "line_item_id": line_item_id,
        "call_to_action": call_to_action,
        "call_to_action_url": call_to_action_url,
        "created_at": stamp,
        "updated_at": stamp,
        "deleted": False,
    }
    state.table("preroll_call_to_actions")[entity["id"]] = entity
    return entity


def _auto_account_media(state: EmulatorState, record: MediaRecord, stamp: str) -> Entity | None:
    """The account media the API creates when media joins the library, if its kind calls for one."""
    if record.media_category.lower() == "amplify_video":
        return _new_account_media(state, record, "PREROLL", stamp)
    if media_type_of(record) == "IMAGE":
        creative_type = creative_type_for_size(record.width, record.height)
        if creative_type is not None:
            return _new_account_media(state, record, creative_type, stamp)
    return None


# -- seed data --------------------------------------------------------------------------------------


def seed(state: EmulatorState) -> None:
    """Fill an empty state with the account, its campaigns and line items (one of them deleted)."""
    state.entity_clock = 0.0
    account_id = state.config.account_id
    state.table("accounts")[account_id] = {
        "id": account_id,
        "name": "Emulator Coffee Co.",
        "business_name": "Emulator Coffee Co.",
        "business_id": None,
        "industry_type": "RETAIL",
        "timezone": "America/Los_Angeles",
        "timezone_switch_at": "2026-03-02T08:00:00Z",
        "approval_status": "ACCEPTED",
        "salt": _token(account_id, 32),
        "created_at": _SEED_CREATED_AT,
        "updated_at": _SEED_UPDATED_AT,
        "deleted": False,
    }
    for campaign_id, name in SEEDED_CAMPAIGNS:
        state.table("campaigns")[campaign_id] = {
            "id": campaign_id,
            "name": name,
            "funding_instrument_id": "lygyi",
            "entity_status": "ACTIVE",
            "currency": "USD",
            "daily_budget_amount_local_micro": 50_000_000,
            "total_budget_amount_local_micro": None,
            "start_time": "2026-03-05T00:00:00Z",
            "end_time": None,
            "reasons_not_servable": [],
            "servable": True,
            "created_at": _SEED_CREATED_AT,
            "updated_at": _SEED_UPDATED_AT,
            "deleted": False,
        }
    for line_item_id, campaign_id, objective, name, deleted in SEEDED_LINE_ITEMS:
        state.table("line_items")[line_item_id] = {
            "id": line_item_id,
            "campaign_id": campaign_id,
            "name": name,
            "objective": objective,
            "product_type": "PROMOTED_TWEETS",
            "placements": ["ALL_ON_TWITTER"],
            "entity_status": "PAUSED" if deleted else "ACTIVE",
            "bid_strategy": "AUTO",
            "bid_amount_local_micro": None,
            "pay_by": "IMPRESSION",
            "currency": "USD",
            "creative_source": "MANUAL",
            "start_time": "2026-03-05T00:00:00Z",
            "end_time": None,
            "created_at": _SEED_CREATED_AT,
            "updated_at": _SEED_UPDATED_AT,
            "deleted": deleted,
        }


_COMMON_FIELDS = ("created_at", "updated_at", "deleted")
# What seed_entities accepts per kind: the entity's fields except its key, plus the seeding choices
# it understands (creative_type, media_category, account_media_id, line_item_id...).
_SEED_FIELDS: dict[str, frozenset[str]] = {
    "account_media": frozenset((*_COMMON_FIELDS, "creative_type", "media_key", "media_url", "video_id")),
    "media_library": frozenset(
        (
            *_COMMON_FIELDS,
            "media_id",
            "media_type",
            "media_category",
            "media_url",
            "name",
            "file_name",
            "title",
            "description",
            "poster_media_key",
            "poster_media_url",
            "aspect_ratio",
            "duration",
            "tweeted",
            "media_status",
        )
    ),
    "media_creatives": frozenset(
        (
            *_COMMON_FIELDS,
            "account_media_id",
            "line_item_id",
            "landing_url",
            "serving_status",
            "entity_status",
            "approval_status",
        )
    ),
    "preroll_call_to_actions": frozenset(
        (*_COMMON_FIELDS, "line_item_id", "call_to_action", "call_to_action_url")
    ),
}
SEEDABLE_KINDS = tuple(_SEED_FIELDS)


def seed_entities(state: EmulatorState, kind: str, count: int, **fields: Any) -> list[Entity]:
    """Insert ``count`` valid ``kind`` entities with increasing ``created_at``; returns copies.

    Defaults: account media are MEDIUM_RECTANGLE images (``creative_type`` may say otherwise, PREROLL
    included), each with its own uploaded media; media library entries are ``tweet_image`` media
    (``media_category`` may say otherwise); media creatives use line item 8v7jo and one fresh
    account media (``account_media_id``, ``line_item_id``, ``landing_url`` may say otherwise);
    preroll call-to-actions use line item 8v7jr. Other ``fields`` override the entity's fields
    (e.g. ``deleted=True``); an unknown field or kind is a ``ValueError``.
    """
    if kind not in SEEDABLE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SEEDABLE_KINDS)}, got {kind!r}")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}")
    unknown = sorted(set(fields) - _SEED_FIELDS[kind])
    if unknown:
        raise ValueError(f"{kind} entities have no field(s) {', '.join(unknown)}")
    if count == 0:
        return []
    builders: dict[str, Callable[[EmulatorState, int, dict[str, Any]], list[Entity]]] = {
        "account_media": _seed_account_media,
        "media_library": _seed_media_library,
        "media_creatives": _seed_media_creatives,
        "preroll_call_to_actions": _seed_preroll_ctas,
    }
    created = builders[kind](state, count, dict(fields))
    return [dict(entity) for entity in created]


def _apply_overrides(entities: list[Entity], overrides: dict[str, Any]) -> list[Entity]:
    for entity in entities:
        entity.update(overrides)
    return entities


def _seed_account_media(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    creative_type = fields.pop("creative_type", "MEDIUM_RECTANGLE")
    if creative_type not in CREATIVE_TYPES:
        raise ValueError(f"creative_type must be one of {', '.join(CREATIVE_TYPES)}, got {creative_type!r}")
    entities = []
    for stamp in _batch_stamps(state, count):
        if creative_type == "PREROLL":
            record = add_ready_media(state, "amplify_video")
        else:
            record = add_ready_media(state, "tweet_image", *CREATIVE_TYPE_SIZES[creative_type])
        entities.append(_new_account_media(state, record, creative_type, stamp))
    return _apply_overrides(entities, fields)


def _seed_media_library(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    category = str(fields.pop("media_category", "tweet_image")).lower()
    if category not in MEDIA_TYPE_BY_CATEGORY:
        raise ValueError(
            f"media_category must be one of {', '.join(MEDIA_TYPE_BY_CATEGORY)}, got {category!r}"
        )
    entities = []
    library = state.table("media_library")
    for stamp in _batch_stamps(state, count):
        record = add_ready_media(state, category)
        number = len(library) + 1
        extension = {"IMAGE": "jpg", "GIF": "gif", "VIDEO": "mp4"}[media_type_of(record) or "IMAGE"]
        details = {"name": f"Seeded asset {number}", "file_name": f"seeded-{number}.{extension}"}
        entity = _new_library_entry(record, details, stamp)
        library[record.media_key] = entity
        entities.append(entity)
    return _apply_overrides(entities, fields)


def _seed_media_creatives(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    line_item_id = fields.pop("line_item_id", "8v7jo")
    if line_item_id not in state.table("line_items"):
        raise ValueError(f"line_item_id {line_item_id!r} is not a line item")
    account_media_id = fields.pop("account_media_id", None)
    if account_media_id is not None and account_media_id not in state.table("account_media"):
        raise ValueError(f"account_media_id {account_media_id!r} is not an account media")
    stamps = _batch_stamps(state, count + (account_media_id is None))
    if account_media_id is None:
        record = add_ready_media(state, "tweet_image", *CREATIVE_TYPE_SIZES["MEDIUM_RECTANGLE"])
        account_media_id = _new_account_media(state, record, "MEDIUM_RECTANGLE", stamps.pop(0))["id"]
    account_media = state.table("account_media")[account_media_id]
    default_url = None if account_media["creative_type"] == "PREROLL" else "https://example.com/landing"
    landing_url = fields.pop("landing_url", default_url)
    entities = [
        _new_media_creative(state, account_media_id, line_item_id, landing_url, stamp) for stamp in stamps
    ]
    return _apply_overrides(entities, fields)


def _seed_preroll_ctas(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    line_item_id = fields.pop("line_item_id", "8v7jr")
    if line_item_id not in state.table("line_items"):
        raise ValueError(f"line_item_id {line_item_id!r} is not a line item")
    call_to_action = fields.pop("call_to_action", "WATCH_NOW")
    if call_to_action not in CALL_TO_ACTIONS:
        raise ValueError(
            f"call_to_action must be one of {', '.join(CALL_TO_ACTIONS)}, got {call_to_action!r}"
        )
    url = fields.pop("call_to_action_url", "https://example.com/watch")
    entities = [
        _new_preroll_cta(state, line_item_id, call_to_action, url, stamp)
        for stamp in _batch_stamps(state, count)
    ]
    return _apply_overrides(entities, fields)


# -- routes -----------------------------------------------------------------------------------------


def register(router: Router, state: EmulatorState) -> None:
    """Add the Ads API routes to ``router``."""
    account_base = "/{version}/accounts/{account_id}"

    def route(
        method: str,
        suffix: str,
        handler: Callable[[EmulatorRequest], Response],
        *,
        min_version: int | None = None,
        max_version: int | None = None,
    ) -> None:
        def checked(request: EmulatorRequest) -> Response:
            version = int(request.path_params["version"])
            if (min_version is not None and version < min_version) or (
                max_version is not None and version > max_version
            ):
                raise ApiError(
                    404, "NOT_FOUND", f"{method} {suffix or '/'} is not available in version {version}"
                )
            account_id = request.path_params["account_id"]
            if account_id not in state.table("accounts"):
                raise ApiError(404, "NOT_FOUND", f"account_id {account_id!r} was not found", "account_id")
            return handler(request)

        router.add(method, account_base + suffix, checked)

    def path_id(request: EmulatorRequest, name: str) -> str:
        return request.path_params[name]

    def get_one(kind: str, id_name: str) -> Callable[[EmulatorRequest], Response]:
        def handler(request: EmulatorRequest) -> Response:
            with_deleted = bool_param(request, "with_deleted")
            entity = find_entity(state, kind, path_id(request, id_name), id_name, with_deleted=with_deleted)
            return _entity_response(request, entity)

        return handler

    def delete_one(kind: str, id_name: str) -> Callable[[EmulatorRequest], Response]:
        def handler(request: EmulatorRequest) -> Response:
            entity = find_entity(state, kind, path_id(request, id_name), id_name)
            return _entity_response(request, _mark_deleted(state, entity))

        return handler

    def list_of(kind: str, *filters: ListFilter, **limits: int) -> Callable[[EmulatorRequest], Response]:
        return lambda request: list_response(request, state, kind, filters, **limits)

    # Accounts, campaigns, line items (read-only).
    def list_accounts(request: EmulatorRequest) -> Response:
        return list_response(request, state, "accounts", [ids_filter("account_ids", "id")])

    def get_account(request: EmulatorRequest) -> Response:
        account_id = path_id(request, "account_id")
        return _entity_response(request, find_entity(state, "accounts", account_id, "account_id"))

    router.add("GET", "/{version}/accounts", list_accounts)
    router.add("GET", account_base, get_account)
    route("GET", "/campaigns", list_of("campaigns", ids_filter("campaign_ids", "id")))
    route("GET", "/campaigns/{campaign_id}", get_one("campaigns", "campaign_id"))
    route(
        "GET",
        "/line_items",
        list_of("line_items", ids_filter("line_item_ids", "id"), ids_filter("campaign_ids", "campaign_id")),
    )
    route("GET", "/line_items/{line_item_id}", get_one("line_items", "line_item_id"))

    # Media library.
    def poster_details(request: EmulatorRequest) -> dict[str, str | None]:
        poster_key = optional_param(request, "poster_media_key")
        if poster_key is None:
            return {}
        poster = _ready_media(state, poster_key, "poster_media_key")
        if media_type_of(poster) != "IMAGE":
            raise _invalid("poster_media_key", f"poster_media_key {poster_key!r} is not an image")
        return {"poster_media_key": poster_key, "poster_media_url": _media_url(poster)}

    def add_to_library(request: EmulatorRequest) -> Response:
        media_key = request.require("media_key")
        record = _ready_media(state, media_key, "media_key")
        details: dict[str, str | None] = {
            name: optional_param(request, name) for name in ("name", "file_name", "title", "description")
        }
        details.update(poster_details(request))
        stamp = _stamp(state)
        library = state.table("media_library")
        existing = library.get(media_key)
        # Deliberately unforgiving, as the real API may be: account media is created on every add.
        _auto_account_media(state, record, stamp)
        if existing is not None and not existing["deleted"]:
            return _entity_response(request, existing)
        library.pop(media_key, None)
        entry = library[media_key] = _new_library_entry(record, details, stamp)
        return _entity_response(request, entry, 201)

    def update_library_entry(request: EmulatorRequest) -> Response:
        entry = find_entity(state, "media_library", path_id(request, "media_key"), "media_key")
        changes: dict[str, Any] = {
            name: request.param(name)
            for name in ("name", "file_name", "title", "description")
            if request.param(name) is not None
        }
        if request.param("poster_media_key") is not None:
            # An empty poster_media_key removes the poster.
            changes.update(poster_details(request) or {"poster_media_key": None, "poster_media_url": None})
        if changes:
            entry.update(changes, updated_at=_stamp(state))
        return _entity_response(request, entry)

    library_filters = (
        enum_filter("media_type", "media_type", LIBRARY_MEDIA_TYPES, multiple=False),
        text_filter("q", ("name", "title", "file_name")),
    )
    library_limits = {"default_count": LIBRARY_DEFAULT_COUNT, "max_count": LIBRARY_MAX_COUNT}
    since = {"min_version": LIBRARY_MIN_VERSION}
    route("POST", "/media_library", add_to_library, **since)
    route("GET", "/media_library", list_of("media_library", *library_filters, **library_limits), **since)
    route("GET", "/media_library/{media_key}", get_one("media_library", "media_key"), **since)
    route("PUT", "/media_library/{media_key}", update_library_entry, **since)
    route("DELETE", "/media_library/{media_key}", delete_one("media_library", "media_key"), **since)

    # Account media.
    def ready_media_by_id(media_id: str, parameter: str) -> MediaRecord:
        record = state.media_by_id(media_id)
        if record is None:
            raise _invalid(parameter, f"{parameter} {media_id!r} is not an uploaded media")
        return _ready_media(state, record.media_key, parameter)

    def create_account_media(request: EmulatorRequest) -> Response:
        creative_type = require_enum(request, "creative_type", CREATIVE_TYPES)
        if creative_type == "PREROLL":
            video_id = request.require("video_id")
            record = ready_media_by_id(video_id, "video_id")
            if record.media_category.lower() != "amplify_video":
                raise _invalid(
                    "video_id", f"video_id {video_id!r} is not an amplify_video (PREROLL needs one)"
                )
        else:
            media_id = request.require("media_id")
            record = ready_media_by_id(media_id, "media_id")
            if media_type_of(record) != "IMAGE":
                raise _invalid(
                    "media_id", f"media_id {media_id!r} is not an image ({creative_type} needs one)"
                )
            width, height = CREATIVE_TYPE_SIZES[creative_type]
            if (record.width, record.height) != (width, height):
                raise _invalid(
                    "media_id",
                    f"media_id {media_id!r} is {record.width}x{record.height}; "
                    f"{creative_type} needs exactly {width}x{height}",
                )
        entity = _new_account_media(state, record, creative_type, _stamp(state))
        return _entity_response(request, entity, 201)

    route("POST", "/account_media", create_account_media, max_version=ACCOUNT_MEDIA_POST_MAX_VERSION)
    route(
        "GET",
        "/account_media",
        list_of(
            "account_media",
            ids_filter("account_media_ids", "id"),
            enum_filter("creative_types", "creative_type", CREATIVE_TYPES),
        ),
    )
    route("GET", "/account_media/{account_media_id}", get_one("account_media", "account_media_id"))
    route("DELETE", "/account_media/{account_media_id}", delete_one("account_media", "account_media_id"))

    # Media creatives.
    def create_media_creative(request: EmulatorRequest) -> Response:
        account_media_id = request.require("account_media_id")
        line_item_id = request.require("line_item_id")
        account_media = _live_reference(state, "account_media", account_media_id, "account_media_id")
        line_item = _live_reference(state, "line_items", line_item_id, "line_item_id")
        landing_url = optional_param(request, "landing_url")
        if account_media["creative_type"] == "PREROLL":
            landing_url = None  # preroll creatives take their link from the call-to-action
        elif landing_url is not None:
            url_param("landing_url", landing_url)
        elif line_item["objective"] == "WEBSITE_CLICKS":
            raise ApiError(
                400,
                "MISSING_PARAMETER",
                f"landing_url is required for WEBSITE_CLICKS line item {line_item_id!r}",
                "landing_url",
            )
        entity = _new_media_creative(state, account_media_id, line_item_id, landing_url, _stamp(state))
        return _entity_response(request, entity, 201)

    def campaign_filter(value: str) -> Predicate:
        line_items = state.table("line_items")
        return lambda entity: line_items.get(entity["line_item_id"], {}).get("campaign_id") == value

    route("POST", "/media_creatives", create_media_creative)
    route(
        "GET",
        "/media_creatives",
        list_of(
            "media_creatives",
            ListFilter("campaign_id", campaign_filter),
            ids_filter("line_item_ids", "line_item_id"),
            ids_filter("media_creative_ids", "id"),
        ),
    )
    route("GET", "/media_creatives/{media_creative_id}", get_one("media_creatives", "media_creative_id"))
    route(
        "DELETE", "/media_creatives/{media_creative_id}", delete_one("media_creatives", "media_creative_id")
    )

    # Preroll call-to-actions.
    def create_preroll_cta(request: EmulatorRequest) -> Response:
        line_item_id = request.require("line_item_id")
        call_to_action = require_enum(request, "call_to_action", CALL_TO_ACTIONS)
        url = url_param("call_to_action_url", request.require("call_to_action_url"))
        _live_reference(state, "line_items", line_item_id, "line_item_id")
        entity = _new_preroll_cta(state, line_item_id, call_to_action, url, _stamp(state))
        return _entity_response(request, entity, 201)

    def update_preroll_cta(request: EmulatorRequest) -> Response:
        entity = find_entity(
            state,
            "preroll_call_to_actions",
            path_id(request, "preroll_call_to_action_id"),
            "preroll_call_to_action_id",
        )
        changes: dict[str, Any] = {}
        call_to_action = request.param("call_to_action")
        if call_to_action is not None:
            changes["call_to_action"] = enum_value("call_to_action", call_to_action, CALL_TO_ACTIONS)
        url = request.param("call_to_action_url")
        if url is not None:
            changes["call_to_action_url"] = url_param("call_to_action_url", url)
        if changes:
            entity.update(changes, updated_at=_stamp(state))
        return _entity_response(request, entity)

    cta_kind, cta_id = "preroll_call_to_actions", "preroll_call_to_action_id"
    route("POST", "/preroll_call_to_actions", create_preroll_cta)
    route(
        "GET",
        "/preroll_call_to_actions",
        list_of(
            cta_kind,
            ids_filter("line_item_ids", "line_item_id"),
            ids_filter("preroll_call_to_action_ids", "id"),
        ),
    )
    route("GET", "/preroll_call_to_actions/{preroll_call_to_action_id}", get_one(cta_kind, cta_id))
    route("PUT", "/preroll_call_to_actions/{preroll_call_to_action_id}", update_preroll_cta)
    route("DELETE", "/preroll_call_to_actions/{preroll_call_to_action_id}", delete_one(cta_kind, cta_id))
