"""Cards: their components, the card types they make, and the card builder.

v12 reference, "Cards" (``POST accounts/:account_id/cards`` with a JSON body of ``name`` and
``components``), the "Carousels" guide (one ``SWIPEABLE_MEDIA`` with 2 to 6 media keys, then one
``DETAILS`` or ``BUTTON``), "Identifying Cards" (``card_uri`` is ``card://`` and the card id) and
the creatives overview (card image and video specifications). Card media must be in the account's
media library.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid, invalid_media
from airflow_provider_twitter_ads.emulator.ads.models import (
    Entity,
    aspect_ratio,
    media_type_of,
    media_url,
    ready_media,
    url_param,
)
from airflow_provider_twitter_ads.emulator.core import ApiError
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord

COMPONENT_TYPES = ("MEDIA", "SWIPEABLE_MEDIA", "DETAILS", "BUTTON")
SWIPEABLE_MEDIA_MIN, SWIPEABLE_MEDIA_MAX = 2, 6
CARD_NAME_MAX_LENGTH = 80
DETAILS_TITLE_MAX_LENGTH = 70
BUTTON_LABELS = ("BOOK", "CONNECT", "INSTALL", "OPEN", "ORDER", "PLAY", "SHOP")
#: The media a card can show (creatives overview: images and videos; GIFs are not listed).
CARD_MEDIA_TYPES = ("IMAGE", "VIDEO")
#: Card images: at least 800 px wide, aspect ratio 1:1 or 1.91:1 (creatives overview).
CARD_IMAGE_MIN_WIDTH = 800
CARD_IMAGE_RATIOS = (1.0, 1.91)
#: Card videos: 16:9 or 1:1 (creatives overview).
CARD_VIDEO_RATIOS = (16 / 9, 1.0)
_RATIO_TOLERANCE = 0.02
#: (media component, destination component) -> card type; the prefix is IMAGE or VIDEO.
_CARD_TYPE_SUFFIX = {
    ("MEDIA", "DETAILS"): "WEBSITE",
    ("SWIPEABLE_MEDIA", "DETAILS"): "CAROUSEL_WEBSITE",
    ("MEDIA", "BUTTON"): "APP",
    ("SWIPEABLE_MEDIA", "BUTTON"): "CAROUSEL_APP",
}


def card_uri(card_id: str) -> str:
    """``card://`` and the card id ("Identifying Cards")."""
    return f"card://{card_id}"


def _unknown_card_type(message: str) -> ApiError:
    return ApiError(400, "UNKNOWN_CARD_TYPE", message, "components")


def _object(value: Any, parameter: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(parameter, f"{parameter} must be a JSON object, got {type(value).__name__}")
    return value


def _text(component: dict[str, Any], field: str, parameter: str, max_length: int | None = None) -> str:
    value = component.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "MISSING_PARAMETER", f"{parameter}.{field} is required", parameter)
    if max_length is not None and len(value) > max_length:
        raise invalid(parameter, f"{parameter}.{field} is longer than {max_length} characters")
    return value


def _ratio_ok(width: int | None, height: int | None, ratios: tuple[float, ...]) -> bool:
    if not width or not height:
        return False
    return any(abs(width / height - ratio) <= _RATIO_TOLERANCE for ratio in ratios)


def library_media(state: EmulatorState, media_key: Any, parameter: str) -> MediaRecord:
    """A card's media: in the account's media library (not deleted), processed, an image or video."""
    if not isinstance(media_key, str) or not media_key:
        raise invalid(parameter, f"{parameter} must be a media key string, got {media_key!r}")
    entry = state.table("media_library").get(media_key)
    if entry is None or entry.get("deleted"):
        raise invalid_media(parameter, f"{parameter} {media_key!r} is not in the account's media library")
    record = ready_media(state, media_key, parameter)
    kind = media_type_of(record)
    if kind not in CARD_MEDIA_TYPES:
        raise invalid_media(parameter, f"{parameter} {media_key!r} is a {kind}; cards take images or videos")
    if kind == "IMAGE":
        if (record.width or 0) < CARD_IMAGE_MIN_WIDTH or not _ratio_ok(
            record.width, record.height, CARD_IMAGE_RATIOS
        ):
            raise invalid_media(
                parameter,
                f"{parameter} {media_key!r} is {record.width}x{record.height}; card images need a width "
                f"of at least {CARD_IMAGE_MIN_WIDTH} and an aspect ratio of 1:1 or 1.91:1",
            )
    elif record.width and record.height and not _ratio_ok(record.width, record.height, CARD_VIDEO_RATIOS):
        # Uploaded videos have no size here (the emulator does not parse MP4): only known sizes are checked.
        raise invalid_media(
            parameter,
            f"{parameter} {media_key!r} is {record.width}x{record.height}; card videos need 16:9 or 1:1",
        )
    return record


def media_metadata(record: MediaRecord) -> dict[str, Any]:
    """The ``media_metadata`` entry of one media key, as in the "Cards" examples."""
    kind = media_type_of(record)
    metadata: dict[str, Any] = {
        "type": kind,
        "url": media_url(record),
        "width": record.width,
        "height": record.height,
    }
    if kind == "VIDEO":
        metadata.update(
            video_duration=record.duration_ms, video_aspect_ratio=aspect_ratio(record.width, record.height)
        )
    return metadata


def _media_component(
    state: EmulatorState, component: dict[str, Any], index: int
) -> tuple[dict[str, Any], list[MediaRecord]]:
    parameter = f"components[{index}]"
    if component["type"] == "MEDIA":
        records = [library_media(state, component.get("media_key"), f"{parameter}.media_key")]
        shaped: dict[str, Any] = {"type": "MEDIA", "media_key": records[0].media_key}
    else:
        keys = component.get("media_keys")
        if not isinstance(keys, list):
            raise invalid(parameter, f"{parameter}.media_keys must be a list of media keys")
        if not SWIPEABLE_MEDIA_MIN <= len(keys) <= SWIPEABLE_MEDIA_MAX:
            raise invalid(
                parameter,
                f"SWIPEABLE_MEDIA takes {SWIPEABLE_MEDIA_MIN} to {SWIPEABLE_MEDIA_MAX} media_keys, "
                f"got {len(keys)}",
            )
        if len(set(keys)) != len(keys):
            raise invalid(parameter, f"{parameter}.media_keys repeats a media key")
        records = [library_media(state, key, f"{parameter}.media_keys") for key in keys]
        kinds = {media_type_of(record) for record in records}
        if len(kinds) > 1:
            raise invalid_media(parameter, f"{parameter}.media_keys mixes {' and '.join(sorted(kinds))}")
        shaped = {"type": "SWIPEABLE_MEDIA", "media_keys": [record.media_key for record in records]}
    shaped["media_metadata"] = {record.media_key: media_metadata(record) for record in records}
    return shaped, records


def _url(value: Any, parameter: str) -> str:
    if not isinstance(value, str):
        raise invalid(parameter, f"{parameter} must be an http(s) URL, got {value!r}")
    return url_param(parameter, value)


def _details_component(component: dict[str, Any], index: int) -> dict[str, Any]:
    parameter = f"components[{index}]"
    title = _text(component, "title", parameter, DETAILS_TITLE_MAX_LENGTH)
    destination = _object(component.get("destination"), f"{parameter}.destination")
    if destination.get("type") != "WEBSITE":
        raise invalid(f"{parameter}.destination", "a DETAILS destination must be of type WEBSITE")
    url = _url(destination.get("url"), f"{parameter}.destination.url")
    return {"type": "DETAILS", "title": title, "destination": {"type": "WEBSITE", "url": url}}


def _button_component(component: dict[str, Any], index: int) -> dict[str, Any]:
    parameter = f"components[{index}]"
    label = _object(component.get("label"), f"{parameter}.label")
    if label.get("type") != "ENUM" or label.get("value") not in BUTTON_LABELS:
        raise invalid(
            f"{parameter}.label",
            f"a BUTTON label must be {{'type': 'ENUM', 'value': one of {', '.join(BUTTON_LABELS)}}}",
        )
    destination = _object(component.get("destination"), f"{parameter}.destination")
    if destination.get("type") != "APP":
        raise invalid(f"{parameter}.destination", "a BUTTON destination must be of type APP")
    country = destination.get("country_code")
    if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
        raise invalid(f"{parameter}.destination", "an APP destination needs a two-letter country_code")
    apps = {
        key: str(destination[key])
        for key in ("ios_app_store_identifier", "googleplay_app_id")
        if destination.get(key)
    }
    if not apps:
        raise invalid(
            f"{parameter}.destination",
            "an APP destination needs ios_app_store_identifier or googleplay_app_id",
        )
    return {
        "type": "BUTTON",
        "label": {"type": "ENUM", "value": label["value"]},
        "destination": {"type": "APP", "country_code": country.upper(), **apps},
    }


def check_components(state: EmulatorState, components: Any) -> tuple[list[dict[str, Any]], str]:
    """The components as the API returns them and the card type they make, or a 400.

    A card is one media component (``MEDIA`` or ``SWIPEABLE_MEDIA``) then one destination
    component (``DETAILS`` for a website, ``BUTTON`` for an app), in that order.
    """
    if not isinstance(components, list) or not components:
        raise ApiError(400, "MISSING_PARAMETER", '"components" is a required parameter', "components")
    for index, component in enumerate(components):
        _object(component, f"components[{index}]")
        if component.get("type") not in COMPONENT_TYPES:
            raise invalid(
                f"components[{index}]",
                f"components[{index}].type must be one of {', '.join(COMPONENT_TYPES)}, "
                f"got {component.get('type')!r}",
            )
    kinds = tuple(component["type"] for component in components)
    suffix = _CARD_TYPE_SUFFIX.get(kinds) if len(kinds) == 2 else None
    if suffix is None:
        raise _unknown_card_type(
            f"components {list(kinds)} make no card type: give MEDIA or SWIPEABLE_MEDIA, then DETAILS or BUTTON"
        )
    shaped_media, records = _media_component(state, components[0], 0)
    if kinds[1] == "DETAILS":
        destination = _details_component(components[1], 1)
    else:
        destination = _button_component(components[1], 1)
    prefix = media_type_of(records[0])
    return [shaped_media, destination], f"{prefix}_{suffix}"


def card_media_keys(card: Entity) -> list[str]:
    """Every media key a card shows."""
    media = card["components"][0]
    return list(media.get("media_keys") or [media["media_key"]])


def card_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "MISSING_PARAMETER", '"name" is a required parameter', "name")
    if len(value) > CARD_NAME_MAX_LENGTH:
        raise invalid("name", f"name is longer than {CARD_NAME_MAX_LENGTH} characters")
    return value


def new_card(
    state: EmulatorState, name: str, components: list[dict[str, Any]], card_type: str, when: str
) -> Entity:
    """A card shaped as in the v12 reference ("Cards"): a numeric id and ``card://`` URI."""
    card_id = state.next_media_id()
    entity: Entity = {
        "name": name,
        "components": components,
        "id": card_id,
        "card_uri": card_uri(card_id),
        "card_type": card_type,
        "created_at": when,
        "updated_at": when,
        "deleted": False,
    }
    state.table("cards")[card_id] = entity
    return entity
