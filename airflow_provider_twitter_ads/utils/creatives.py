"""Pure rules for account media and media creatives: which media can become which creative type.

The operators call these to check every input before their first write, to find an entity an
earlier try created, and to shape their return values. Nothing here talks HTTP.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_twitter_ads.ids import media_key_for, parse_media_key, validate_media_id
from airflow_provider_twitter_ads.utils.params import check_http_url
from airflow_provider_twitter_ads.vocabulary import (
    AMPLIFY_VIDEO,
    CREATIVE_TYPES,
    DISPLAY_CREATIVE_TYPE_DIMENSIONS,
    IMAGE,
    MEDIA_CATEGORY_KINDS,
    MEDIA_KEY_PREFIXES,
    check_call_to_action,
    check_creative_type,
)

# -- creative types -----------------------------------------------------------------------------


_TYPE_BY_DIMENSIONS = {size: name for name, size in DISPLAY_CREATIVE_TYPE_DIMENSIONS.items()}


def creative_type_for_dimensions(width: int | None, height: int | None) -> str | None:
    """The display creative type whose size is exactly ``width`` x ``height``, else None."""
    if width is None or height is None:
        return None
    return _TYPE_BY_DIMENSIONS.get((int(width), int(height)))


def _dimension(value: object, parameter: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise TypeError(f"{parameter} must be a positive integer or None, got {value!r}")
    number = int(str(value).strip())
    if number <= 0:
        raise ValueError(f"{parameter} must be a positive integer, got {value!r}")
    return number


@dataclass(frozen=True)
class MediaRef:
    """One uploaded media as the operators need it: its key, id, kind and (if known) size."""

    media_key: str
    media_id: str
    kind: str
    width: int | None = None
    height: int | None = None


def media_ref(
    media_key: object = None,
    media_id: object = None,
    creative_type: str | None = None,
) -> MediaRef:
    """Normalize ``media_key`` / ``media_id`` (each a string or the upload operator's dict).

    A bare ``media_id`` has no kind, so its key is derived from ``creative_type`` (PREROLL: an
    amplify video, display types: an image); without one it is an error.
    """
    upload: Mapping[str, Any] = {}
    for parameter, value in (("media_key", media_key), ("media_id", media_id)):
        if isinstance(value, Mapping):
            if upload:
                raise ValueError("Give the upload's dict as media_key or as media_id, not both")
            if not value.get("media_key") and not value.get("media_id"):
                raise ValueError(f"{parameter} dict has neither 'media_key' nor 'media_id': {dict(value)!r}")
            upload = value
    if upload:
        media_key, media_id = upload.get("media_key"), upload.get("media_id")
    elif media_key in (None, "") and media_id in (None, ""):
        raise ValueError("One of media_key or media_id is required")

    width = _dimension(upload.get("width"), "width")
    height = _dimension(upload.get("height"), "height")
    category = upload.get("media_category")
    if category is not None and category not in MEDIA_CATEGORY_KINDS:
        raise ValueError(f"media_category must be one of {', '.join(MEDIA_CATEGORY_KINDS)}, got {category!r}")

    if media_key not in (None, ""):
        kind, key_media_id = parse_media_key(media_key)
        if media_id not in (None, "") and validate_media_id(media_id) != key_media_id:
            raise ValueError(f"media_id {media_id!r} does not match media_key {media_key!r}")
        key = str(media_key).strip()
    else:
        checked_id = validate_media_id(media_id)
        if category is not None:
            kind = MEDIA_CATEGORY_KINDS[category]
        elif creative_type is not None:
            kind = AMPLIFY_VIDEO if check_creative_type(creative_type) == CREATIVE_TYPES.PREROLL else IMAGE
        else:
            raise ValueError(
                f"media_id {media_id!r} alone does not say what kind of media it is: "
                "give media_key (e.g. '3_<id>' or '13_<id>') or creative_type"
            )
        key = media_key_for(checked_id, kind)
        key_media_id = checked_id

    if category is not None and MEDIA_CATEGORY_KINDS[category] != kind:
        raise ValueError(
            f"media_key {key!r} names media of kind {kind!r} but media_category {category!r} is of "
            f"kind {MEDIA_CATEGORY_KINDS[category]!r}"
        )
    return MediaRef(media_key=key, media_id=key_media_id, kind=kind, width=width, height=height)


def resolve_creative_type(media: MediaRef, creative_type: str | None = None) -> str:
    """The creative type for ``media``: checked against its kind and size, or inferred from them.

    PREROLL needs an amplify video; the display types need an image whose size, when known, is
    exactly the type's. Without ``creative_type``, an amplify video is PREROLL and an image of a
    known display size is that type.
    """
    if creative_type is not None:
        wanted = check_creative_type(creative_type)
        if wanted == CREATIVE_TYPES.PREROLL:
            if media.kind != AMPLIFY_VIDEO:
                raise ValueError(
                    f"creative_type PREROLL needs an amplify_video media (key prefix "
                    f"{MEDIA_KEY_PREFIXES[AMPLIFY_VIDEO]}_), but media_key {media.media_key!r} is of kind {media.kind!r}"
                )
            return wanted
        if media.kind != IMAGE:
            raise ValueError(
                f"creative_type {wanted} needs an image (key prefix {MEDIA_KEY_PREFIXES[IMAGE]}_), "
                f"but media_key {media.media_key!r} is of kind {media.kind!r}"
            )
        expected = DISPLAY_CREATIVE_TYPE_DIMENSIONS[wanted]
        if media.width is not None and media.height is not None and (media.width, media.height) != expected:
            raise ValueError(
                f"creative_type {wanted} needs a {expected[0]}x{expected[1]} image, but media "
                f"{media.media_key!r} is {media.width}x{media.height}"
            )
        return wanted
    if media.kind == AMPLIFY_VIDEO:
        return CREATIVE_TYPES.PREROLL
    if media.kind == IMAGE:
        if media.width is None or media.height is None:
            raise ValueError(
                f"creative_type is required for image {media.media_key!r}: its size is unknown "
                "(pass the upload's dict, which has width and height, or give creative_type)"
            )
        inferred = creative_type_for_dimensions(media.width, media.height)
        if inferred is None:
            sizes = ", ".join(f"{name} {w}x{h}" for name, (w, h) in DISPLAY_CREATIVE_TYPE_DIMENSIONS.items())
            raise ValueError(
                f"Image {media.media_key!r} is {media.width}x{media.height}, which matches no display "
                f"creative type ({sizes})"
            )
        return inferred
    raise ValueError(
        f"media_key {media.media_key!r} is of kind {media.kind!r}, which cannot become account media: "
        "upload videos as amplify_video (PREROLL) or a display-size image"
    )


#: Relative difference under which two aspect ratios count as the same (the API may round them).
ASPECT_RATIO_TOLERANCE = 0.02


def parse_aspect_ratio(value: object) -> float | None:
    """Width over height from an aspect ratio like ``'6:5'`` or ``'1.91:1'``; None if it is unreadable."""
    if not isinstance(value, str):
        return None
    parts = value.strip().split(":")
    if len(parts) != 2:
        return None
    try:
        width, height = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (0 < width < math.inf and 0 < height < math.inf):
        return None
    return width / height


def _same_ratio(ratio: float, size: tuple[int, int]) -> bool:
    expected = size[0] / size[1]
    return abs(ratio - expected) <= ASPECT_RATIO_TOLERANCE * expected


def display_types_of_aspect_ratio(ratio: float) -> list[str]:
    """The display creative types whose size has (about) this width-over-height ratio."""
    return [name for name, size in DISPLAY_CREATIVE_TYPE_DIMENSIONS.items() if _same_ratio(ratio, size)]


def library_entry_misfit(entry: Mapping[str, Any], creative_type: str) -> str | None:
    """Why the media of a media library entry cannot become ``creative_type``, when the entry shows it.

    Only display types are judged, by the entry's ``aspect_ratio``: an image of another shape cannot
    have the type's exact size. None means the entry does not tell (no readable ``aspect_ratio``, a
    matching shape, which does not prove the exact size, or a type that is not a display type).
    """
    size = DISPLAY_CREATIVE_TYPE_DIMENSIONS.get(creative_type)
    ratio = parse_aspect_ratio(entry.get("aspect_ratio"))
    if size is None or ratio is None or _same_ratio(ratio, size):
        return None
    alike = [
        f"{name} {w}x{h}"
        for name in display_types_of_aspect_ratio(ratio)
        for w, h in [DISPLAY_CREATIVE_TYPE_DIMENSIONS[name]]
    ]
    shape = f"the shape of {', '.join(alike)}" if alike else "the shape of no display creative type"
    return (
        f"the media library entry gives its aspect ratio as {entry['aspect_ratio']} ({shape}), but "
        f"{creative_type} needs exactly {size[0]}x{size[1]}"
    )


# -- media creatives and call-to-actions ---------------------------------------------------------


def validate_call_to_action(call_to_action: object, call_to_action_url: object) -> tuple[str, str] | None:
    """``(call_to_action, call_to_action_url)`` checked, or None when neither is given."""
    if call_to_action in (None, "") and call_to_action_url in (None, ""):
        return None
    if call_to_action in (None, ""):
        raise ValueError(f"call_to_action_url {call_to_action_url!r} was given without call_to_action")
    if call_to_action_url in (None, ""):
        raise ValueError(f"call_to_action {call_to_action!r} was given without call_to_action_url")
    return check_call_to_action(call_to_action), check_http_url("call_to_action_url", call_to_action_url)


def is_live(entity: Mapping[str, Any]) -> bool:
    """True unless the entity is marked deleted."""
    return not entity.get("deleted") and entity.get("entity_status") != "DELETED"


def names_media(entity: Mapping[str, Any], media_key: str, media_url: str | None = None) -> bool | None:
    """Whether an account media was made from ``media_key``, by what it carries; None when it carries
    nothing that says (the Account Media docs show image account media without a media key).

    Read in order: ``media_key``; ``video_id`` (PREROLL: the media key, or the numeric media id in
    older answers); ``media_url`` against the media library entry's ``media_url``.
    """
    key = entity.get("media_key")
    if key:
        return str(key) == media_key
    video_id = entity.get("video_id")
    if video_id:
        return str(video_id) in (media_key, media_key.partition("_")[2])
    url = entity.get("media_url")
    if url and media_url:
        return str(url) == media_url
    return None


def _newer_than(
    entities_newest_first: Iterable[Mapping[str, Any]], earlier_ids: Collection[str] | None
) -> Iterable[tuple[Mapping[str, Any], bool]]:
    """Each entity with whether it is listed before any of ``earlier_ids`` (None: nothing is new)."""
    new = earlier_ids is not None
    for entity in entities_newest_first:
        if new and str(entity.get("id")) in (earlier_ids or ()):
            new = False
        yield entity, new


def scan_account_media(
    entities: Iterable[Mapping[str, Any]],
    media_key: str,
    creative_type: str,
    *,
    media_url: str | None = None,
    earlier_ids: Collection[str] | None = None,
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """``(match, other)``: the first live account media made from the media with ``creative_type``,
    and the first live one made from it but of another type seen before it (or in all, when
    nothing matched). Stops reading ``entities`` (a lazy pager) at the match.

    "Made from the media" is :func:`names_media`; an entity that names no media counts only when it
    is listed (newest first) before any of ``earlier_ids``, the newest ids read before the library
    add: it appeared after the add.
    """
    other: Mapping[str, Any] | None = None
    for entity, new in _newer_than(entities, earlier_ids):
        named = names_media(entity, media_key, media_url)
        if not is_live(entity) or named is False or (named is None and not new):
            continue
        if entity.get("creative_type") == creative_type:
            return entity, other
        other = other or entity
    return None, other


def account_media_of_media(
    entities_newest_first: Iterable[Mapping[str, Any]],
    media_key: str,
    creative_type: str,
    media_url: str | None,
    earlier_ids: Collection[str],
) -> list[tuple[Mapping[str, Any], bool]]:
    """Every live account media of ``creative_type`` made from the media (see
    :func:`scan_account_media`), each with whether it appeared after ``earlier_ids`` were read."""
    found: list[tuple[Mapping[str, Any], bool]] = []
    for entity, new in _newer_than(entities_newest_first, earlier_ids):
        named = names_media(entity, media_key, media_url)
        if not is_live(entity) or named is False or (named is None and not new):
            continue
        if entity.get("creative_type") == creative_type:
            found.append((entity, new))
    return found


def account_media_added_since(
    entities_newest_first: Iterable[Mapping[str, Any]],
    media_key: str,
    earlier_ids: Collection[str],
    media_url: str | None = None,
) -> list[Mapping[str, Any]]:
    """The live account media made from ``media_key`` (or naming no media) listed before any of
    ``earlier_ids``.

    ``entities_newest_first`` is the account media list sorted ``created_at-desc`` (a lazy pager),
    and ``earlier_ids`` the ids on the first page of the same list read before a write: everything
    listed before the first of them is newer than that read. Reading stops there, so an entity that
    existed before is never returned.
    """
    added: list[Mapping[str, Any]] = []
    for entity, new in _newer_than(entities_newest_first, earlier_ids):
        if not new:
            break
        if is_live(entity) and names_media(entity, media_key, media_url) is not False:
            added.append(entity)
    return added


def find_account_media(
    entities: Iterable[Mapping[str, Any]], media_key: str, creative_type: str | None = None
) -> Mapping[str, Any] | None:
    """The first live account media that names ``media_key`` (and has ``creative_type``, when given)."""
    for entity in entities:
        if not is_live(entity) or not names_media(entity, media_key):
            continue
        if creative_type is None or entity.get("creative_type") == creative_type:
            return entity
    return None


def find_media_creatives(
    entities: Iterable[Mapping[str, Any]], account_media_id: str, line_item_id: str
) -> list[Mapping[str, Any]]:
    """Every live media creative joining ``account_media_id`` to ``line_item_id``."""
    return [
        entity
        for entity in entities
        if is_live(entity)
        and entity.get("account_media_id") == account_media_id
        and entity.get("line_item_id") == line_item_id
    ]


def find_media_creative(
    entities: Iterable[Mapping[str, Any]], account_media_id: str, line_item_id: str
) -> Mapping[str, Any] | None:
    """The first live media creative joining ``account_media_id`` to ``line_item_id``."""
    return next(iter(find_media_creatives(entities, account_media_id, line_item_id)), None)


def account_media_result(
    entity: Mapping[str, Any], account_id: str, media_key: str | None = None
) -> dict[str, Any]:
    """The JSON-safe summary of an account media that CreateAccountMediaOperator returns."""
    result: dict[str, Any] = {
        "id": str(entity["id"]),
        "creative_type": entity.get("creative_type"),
        # Image account media may carry no media key (Account Media docs); the caller knows it.
        "media_key": entity.get("media_key") or media_key,
    }
    for optional in ("media_url", "video_id"):
        if entity.get(optional) is not None:
            result[optional] = str(entity[optional])
    result["account_id"] = account_id
    return result


def media_creative_result(
    entity: Mapping[str, Any], account_id: str, creative_type: str | None
) -> dict[str, Any]:
    """The JSON-safe summary of a media creative that AttachMediaCreativeOperator returns."""
    result: dict[str, Any] = {
        key: entity.get(key)
        for key in (
            "id",
            "line_item_id",
            "account_media_id",
            "entity_status",
            "approval_status",
            "landing_url",
            "created_at",
        )
    }
    # The v12 reference shows creative_type on media creatives and serving_status only in an old
    # example: both are kept when the API sends them.
    if entity.get("serving_status") is not None:
        result["serving_status"] = entity["serving_status"]
    result["creative_type"] = entity.get("creative_type") or creative_type
    result["account_id"] = account_id
    return result
