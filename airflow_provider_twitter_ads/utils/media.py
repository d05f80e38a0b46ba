"""Pure helpers for account media and media creatives: media keys, creative types, validation.

Nothing here talks HTTP. The operators call these to check every input before their first write,
and ``create_once`` / ``poll`` give them exactly-once creates and bounded waits.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

T = TypeVar("T")

# -- media keys ---------------------------------------------------------------------------------

IMAGE = "image"
VIDEO = "video"
AMPLIFY_VIDEO = "amplify_video"
GIF = "gif"

#: Media kind -> the numeric prefix of its media key (``13_1029825579531807971``).
MEDIA_KEY_PREFIXES: Mapping[str, str] = MappingProxyType(
    {IMAGE: "3", VIDEO: "7", AMPLIFY_VIDEO: "13", GIF: "16"}
)
_KIND_BY_PREFIX = {prefix: kind for kind, prefix in MEDIA_KEY_PREFIXES.items()}

#: Upload media category -> media kind.
MEDIA_CATEGORY_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "tweet_image": IMAGE,
        "dm_image": IMAGE,
        "tweet_gif": GIF,
        "dm_gif": GIF,
        "tweet_video": VIDEO,
        "dm_video": VIDEO,
        "amplify_video": AMPLIFY_VIDEO,
    }
)

_MEDIA_ID = re.compile(r"^[0-9]{1,20}$")
_MEDIA_KEY = re.compile(r"^([0-9]+)_([0-9]{1,20})$")
_PREFIX_HELP = ", ".join(f"{prefix} ({kind})" for kind, prefix in MEDIA_KEY_PREFIXES.items())


def validate_media_id(media_id: object, parameter: str = "media_id") -> str:
    """``media_id`` as a numeric string (the upload API's ``media_id_string``); ints are accepted."""
    if isinstance(media_id, bool) or not isinstance(media_id, (str, int)):
        raise TypeError(f"{parameter} must be a numeric string, got {type(media_id).__name__}: {media_id!r}")
    text = str(media_id).strip()
    if not _MEDIA_ID.match(text):
        raise ValueError(
            f"{parameter} must be a numeric media id like '1029825579531807971', got {media_id!r}"
        )
    return text


def parse_media_key(media_key: object, parameter: str = "media_key") -> tuple[str, str]:
    """Split a media key into ``(kind, media_id)``; a clear error for anything else."""
    if not isinstance(media_key, str):
        raise TypeError(f"{parameter} must be a string, got {type(media_key).__name__}: {media_key!r}")
    found = _MEDIA_KEY.match(media_key.strip())
    if found is None:
        raise ValueError(
            f"{parameter} must look like '<prefix>_<media id>' (e.g. '13_1029825579531807971'), "
            f"got {media_key!r}"
        )
    prefix, media_id = found.groups()
    kind = _KIND_BY_PREFIX.get(prefix)
    if kind is None:
        raise ValueError(f"{parameter} {media_key!r} has unknown prefix {prefix!r}; expected {_PREFIX_HELP}")
    return kind, media_id


def media_kind_from_key(media_key: str) -> str:
    """The media kind (``image``, ``video``, ``amplify_video``, ``gif``) a media key names."""
    return parse_media_key(media_key)[0]


def media_id_from_key(media_key: str) -> str:
    """The numeric media id inside a media key."""
    return parse_media_key(media_key)[1]


def media_key_for(media_id: object, kind: str) -> str:
    """The media key of ``media_id`` for a media kind or an upload media category."""
    resolved = MEDIA_CATEGORY_KINDS.get(kind, kind)
    if resolved not in MEDIA_KEY_PREFIXES:
        raise ValueError(
            f"Unknown media kind or category {kind!r}; expected one of "
            f"{', '.join([*MEDIA_KEY_PREFIXES, *MEDIA_CATEGORY_KINDS])}"
        )
    return f"{MEDIA_KEY_PREFIXES[resolved]}_{validate_media_id(media_id)}"


# -- creative types -----------------------------------------------------------------------------


class CREATIVE_TYPES:  # an enum-like namespace of the API's string values
    """The account media creative types this provider creates."""

    PREROLL = "PREROLL"
    BANNER = "BANNER"
    BANNER_TABLET = "BANNER_TABLET"
    INTERSTITIAL = "INTERSTITIAL"
    INTERSTITIAL_LANDSCAPE = "INTERSTITIAL_LANDSCAPE"
    INTERSTITIAL_TABLET = "INTERSTITIAL_TABLET"
    INTERSTITIAL_LANDSCAPE_TABLET = "INTERSTITIAL_LANDSCAPE_TABLET"
    MEDIUM_RECTANGLE = "MEDIUM_RECTANGLE"

    ALL: tuple[str, ...] = (
        PREROLL,
        BANNER,
        BANNER_TABLET,
        INTERSTITIAL,
        INTERSTITIAL_LANDSCAPE,
        INTERSTITIAL_TABLET,
        INTERSTITIAL_LANDSCAPE_TABLET,
        MEDIUM_RECTANGLE,
    )


#: Display creative type -> the exact ``(width, height)`` in pixels its image must have.
DISPLAY_CREATIVE_TYPE_DIMENSIONS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        CREATIVE_TYPES.BANNER: (320, 50),
        CREATIVE_TYPES.BANNER_TABLET: (728, 90),
        CREATIVE_TYPES.INTERSTITIAL: (320, 480),
        CREATIVE_TYPES.INTERSTITIAL_LANDSCAPE: (480, 320),
        CREATIVE_TYPES.INTERSTITIAL_TABLET: (768, 1024),
        CREATIVE_TYPES.INTERSTITIAL_LANDSCAPE_TABLET: (1024, 768),
        CREATIVE_TYPES.MEDIUM_RECTANGLE: (300, 250),
    }
)
_TYPE_BY_DIMENSIONS = {size: name for name, size in DISPLAY_CREATIVE_TYPE_DIMENSIONS.items()}


def creative_type_for_dimensions(width: int | None, height: int | None) -> str | None:
    """The display creative type whose size is exactly ``width`` x ``height``, else None."""
    if width is None or height is None:
        return None
    return _TYPE_BY_DIMENSIONS.get((int(width), int(height)))


def validate_creative_type(creative_type: object, parameter: str = "creative_type") -> str:
    """``creative_type`` upper-cased, if it is one of ``CREATIVE_TYPES.ALL``."""
    if not isinstance(creative_type, str):
        raise TypeError(
            f"{parameter} must be a string, got {type(creative_type).__name__}: {creative_type!r}"
        )
    normalized = creative_type.strip().upper()
    if normalized not in CREATIVE_TYPES.ALL:
        raise ValueError(f"{parameter} must be one of {', '.join(CREATIVE_TYPES.ALL)}, got {creative_type!r}")
    return normalized


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
            kind = AMPLIFY_VIDEO if validate_creative_type(creative_type) == CREATIVE_TYPES.PREROLL else IMAGE
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
        wanted = validate_creative_type(creative_type)
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


class CALL_TO_ACTIONS:  # an enum-like namespace of the API's string values
    """Preroll call-to-action values."""

    GO_TO = "GO_TO"
    SEE_MORE = "SEE_MORE"
    SHOP = "SHOP"
    VISIT_SITE = "VISIT_SITE"
    WATCH_NOW = "WATCH_NOW"

    ALL: tuple[str, ...] = (GO_TO, SEE_MORE, SHOP, VISIT_SITE, WATCH_NOW)


#: Line item objectives whose media creatives need a landing URL (unless the media is PREROLL).
LANDING_URL_OBJECTIVES = frozenset({"WEBSITE_CLICKS"})


def validate_landing_url(url: object, parameter: str = "landing_url") -> str:
    """``url`` stripped, if it is an absolute http(s) URL with a host."""
    if not isinstance(url, str):
        raise TypeError(f"{parameter} must be a string, got {type(url).__name__}: {url!r}")
    text = url.strip()
    if not text or any(ch.isspace() for ch in text):
        raise ValueError(f"{parameter} must be an http(s) URL without spaces, got {url!r}")
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError as exc:
        raise ValueError(f"{parameter} is not a valid URL: {url!r} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        raise ValueError(f"{parameter} must be an http:// or https:// URL with a host, got {url!r}")
    return text


def validate_call_to_action(call_to_action: object, call_to_action_url: object) -> tuple[str, str] | None:
    """``(call_to_action, call_to_action_url)`` checked, or None when neither is given."""
    if call_to_action in (None, "") and call_to_action_url in (None, ""):
        return None
    if call_to_action in (None, ""):
        raise ValueError(f"call_to_action_url {call_to_action_url!r} was given without call_to_action")
    if call_to_action_url in (None, ""):
        raise ValueError(f"call_to_action {call_to_action!r} was given without call_to_action_url")
    if not isinstance(call_to_action, str):
        raise TypeError(f"call_to_action must be a string, got {type(call_to_action).__name__}")
    normalized = call_to_action.strip().upper()
    if normalized not in CALL_TO_ACTIONS.ALL:
        raise ValueError(
            f"call_to_action must be one of {', '.join(CALL_TO_ACTIONS.ALL)}, got {call_to_action!r}"
        )
    return normalized, validate_landing_url(call_to_action_url, "call_to_action_url")


def entity_ids(value: object, parameter: str, id_key: str = "id") -> list[str]:
    """One id, a list of ids, or entity dicts (their ``id_key``), as a non-empty list of unique ids."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if not items:
        raise ValueError(f"{parameter} must not be an empty list")
    ids: list[str] = []
    for item in items:
        raw = item.get(id_key) if isinstance(item, Mapping) else item
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"{parameter} must be a non-empty id string (or a list of them), got {item!r}")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", raw.strip()):
            raise ValueError(f"{parameter} contains an invalid id {raw!r}")
        if raw.strip() not in ids:
            ids.append(raw.strip())
    return ids


def is_live(entity: Mapping[str, Any]) -> bool:
    """True unless the entity is marked deleted."""
    return not entity.get("deleted") and entity.get("entity_status") != "DELETED"


def scan_account_media(
    entities: Iterable[Mapping[str, Any]], media_key: str, creative_type: str
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """``(match, other)``: the first live account media with ``media_key`` and ``creative_type``,
    and the first live one with ``media_key`` but another type seen before it (or in all, when
    nothing matched). Stops reading ``entities`` (a lazy pager) at the match.
    """
    other: Mapping[str, Any] | None = None
    for entity in entities:
        if not is_live(entity) or entity.get("media_key") != media_key:
            continue
        if entity.get("creative_type") == creative_type:
            return entity, other
        other = other or entity
    return None, other


def account_media_added_since(
    entities_newest_first: Iterable[Mapping[str, Any]], media_key: str, earlier_ids: Collection[str]
) -> list[Mapping[str, Any]]:
    """The live account media with ``media_key`` listed before any of ``earlier_ids``.

    ``entities_newest_first`` is the account media list sorted ``created_at-desc`` (a lazy pager),
    and ``earlier_ids`` the ids on the first page of the same list read before a write: everything
    listed before the first of them is newer than that read. Reading stops there, so an entity that
    existed before is never returned.
    """
    added: list[Mapping[str, Any]] = []
    for entity in entities_newest_first:
        if str(entity.get("id")) in earlier_ids:
            break
        if is_live(entity) and entity.get("media_key") == media_key:
            added.append(entity)
    return added


def find_account_media(
    entities: Iterable[Mapping[str, Any]], media_key: str, creative_type: str | None = None
) -> Mapping[str, Any] | None:
    """The first live account media with ``media_key`` (and ``creative_type``, when given)."""
    if creative_type is not None:
        return scan_account_media(entities, media_key, creative_type)[0]
    return next((e for e in entities if is_live(e) and e.get("media_key") == media_key), None)


def find_media_creative(
    entities: Iterable[Mapping[str, Any]], account_media_id: str, line_item_id: str
) -> Mapping[str, Any] | None:
    """The first live media creative joining ``account_media_id`` to ``line_item_id``."""
    for entity in entities:
        if (
            is_live(entity)
            and entity.get("account_media_id") == account_media_id
            and entity.get("line_item_id") == line_item_id
        ):
            return entity
    return None


def account_media_result(entity: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    """The JSON-safe summary of an account media that CreateAccountMediaOperator returns."""
    result: dict[str, Any] = {
        "id": str(entity["id"]),
        "creative_type": entity.get("creative_type"),
        "media_key": entity.get("media_key"),
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
            "serving_status",
            "landing_url",
            "created_at",
        )
    }
    result["creative_type"] = creative_type
    result["account_id"] = account_id
    return result


# -- exactly-once creates and bounded waits ------------------------------------------------------


#: How many times the connection's timeout ``create_once`` keeps looking after a lost response.
SETTLE_TIMEOUT_FACTOR = 2.0
#: ``create_once``'s settle period when the caller does not derive one from its connection (twice the
#: connection's default 60 s timeout).
DEFAULT_SETTLE_SECONDS = SETTLE_TIMEOUT_FACTOR * 60.0


def settle_seconds_for(timeout: float) -> float:
    """The settle period for a connection whose requests time out after ``timeout`` seconds.

    A request whose response timed out reached the server at some point while the client waited, so
    it may still be in progress there for about as long again; twice the timeout leaves a margin.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout >= 0:
        raise ValueError(f"timeout must be a non-negative number of seconds, got {timeout!r}")
    return SETTLE_TIMEOUT_FACTOR * float(timeout)


def create_once(
    find: Callable[[], T | None],
    create: Callable[[], T],
    *,
    lost_errors: tuple[type[BaseException], ...],
    attempts: int = 3,
    what: str = "entity",
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[T, bool]:
    """Return what ``find`` sees, else ``create`` it, never twice.

    ``find`` runs first, so a re-run task reuses what an earlier try made. A create that fails
    with one of ``lost_errors`` (its response was lost: it may have been written, or may still be)
    is followed by more ``find`` calls, backing off, for up to ``settle_seconds`` before any new
    ``create``: the server may still be handling the request the client stopped waiting for, and
    commit it after the first look. Returns ``(entity, created)``; ``created`` is True when this
    call wrote it, including when its response was lost but ``find`` then saw it.

    Residual risk: a lost request that the server commits more than ``settle_seconds`` after the
    client gave up is created twice. Use :func:`settle_seconds_for` with the connection's timeout.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    if (
        isinstance(settle_seconds, bool)
        or not isinstance(settle_seconds, (int, float))
        or not settle_seconds >= 0
    ):
        raise ValueError(f"settle_seconds must be a non-negative number, got {settle_seconds!r}")
    existing = find()
    if existing is not None:
        log.info("Reusing the existing %s; nothing created", what)
        return existing, False
    for attempt in range(1, attempts + 1):
        try:
            return create(), True
        except lost_errors as exc:
            log.warning(
                "The response to creating the %s was lost (%s); looking for it for up to %g s before "
                "creating it again",
                what,
                exc,
                settle_seconds,
            )
            found = poll(find, settle_seconds, first_delay=0.2, sleep=sleep, clock=clock)
            if found is not None:
                log.info("The %s was created despite the lost response", what)
                return found, True
            if attempt == attempts:
                raise
            log.warning(
                "No %s appeared within %g s of the lost response; creating it again", what, settle_seconds
            )
    raise AssertionError("unreachable")  # pragma: no cover


def delete_each(
    ids: Iterable[str],
    delete: Callable[[str], object],
    *,
    missing_errors: tuple[type[BaseException], ...],
    what: str = "entity",
) -> list[str]:
    """Delete each id; one raising ``missing_errors`` (already deleted, or never there) is done too."""
    done: list[str] = []
    for entity_id in ids:
        try:
            delete(entity_id)
            log.info("Deleted %s %s", what, entity_id)
        except missing_errors:
            log.info("%s %s is already deleted or does not exist", what.capitalize(), entity_id)
        done.append(entity_id)
    return done


def poll(
    probe: Callable[[], T | None],
    timeout: float,
    *,
    first_delay: float = 0.1,
    factor: float = 2.0,
    max_delay: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T | None:
    """Call ``probe`` until it returns something, backing off, for at most ``timeout`` seconds.

    ``probe`` always runs at least once, and once more at the deadline; None means it never did.
    """
    deadline = clock() + max(timeout, 0.0)
    delay = first_delay
    while True:
        result = probe()
        if result is not None:
            return result
        remaining = deadline - clock()
        if remaining <= 0:
            return None
        sleep(min(delay, remaining))
        delay = min(delay * factor, max_delay)
