"""Pure rules for cards, posts (Tweets) and promoted posts: the checks every input passes before
the first write, the request bodies, deterministic names, and the small dicts operators return.

Pages: v12 reference "Cards", "Tweets", "Promoted Tweets", "Promotable Users"; the "Carousels" and
"Tweets" guides; the creatives overview (card media specifications); "Counting characters".
Nothing here talks HTTP.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from airflow_provider_twitter_ads.ids import entity_ids, media_kind_from_key, validate_media_key
from airflow_provider_twitter_ads.utils.params import check_http_url
from airflow_provider_twitter_ads.vocabulary import (
    AMPLIFY_VIDEO,
    BUTTON_LABELS,
    CARD_COMPONENT_TYPES,
    CARD_IMAGE_ASPECT_RATIOS,
    CARD_IMAGE_MIN_WIDTH,
    CARD_MEDIA_KINDS,
    CARD_NAME_MAX_LENGTH,
    DETAILS_TITLE_MAX_LENGTH,
    GIF,
    IMAGE,
    MAX_PROMOTED_TWEET_IDS,
    MAX_TWEET_IMAGES,
    MAX_WEIGHTED_TWEET_LENGTH,
    PROMOTABLE_USER_FULL,
    PROMOTED_TWEETS_PRODUCT_TYPE,
    SWIPEABLE_MEDIA_MAX,
    SWIPEABLE_MEDIA_MIN,
    TWEET_NAME_MAX_LENGTH,
    TWEET_URL_WEIGHT,
    VIDEO,
)

#: Library media whose processing finished ("Video Views Pre-roll Objective" guide).
LIBRARY_MEDIA_READY = "TRANSCODE_COMPLETED"
_ASPECT_TOLERANCE = 0.02
# Code point ranges that weigh 1 ("Counting characters"); every other code point weighs 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)
_ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


# -- card media -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardMedia:
    """One media for a card or post: its key, kind, and what the upload said (when known)."""

    media_key: str
    kind: str
    width: int | None = None
    height: int | None = None
    #: The upload's processing state (``succeeded``, ``in_progress``...), None when unknown.
    processing_state: str | None = None


def card_media(value: object, parameter: str = "media_keys") -> CardMedia:
    """A media key string or ``UploadMediaOperator``'s dict, as a :class:`CardMedia`."""
    if isinstance(value, Mapping):
        if not value.get("media_key"):
            raise ValueError(f"{parameter} dict has no 'media_key': {dict(value)!r}")
        key = validate_media_key(value["media_key"], parameter)
        info = value.get("processing_info")
        state = info.get("state") if isinstance(info, Mapping) else None
        width, height = value.get("width"), value.get("height")
        return CardMedia(
            key,
            media_kind_from_key(key),
            int(width) if isinstance(width, int) else None,
            int(height) if isinstance(height, int) else None,
            str(state) if state else None,
        )
    return CardMedia(validate_media_key(value, parameter), media_kind_from_key(str(value).strip()))


def media_list(value: object, parameter: str = "media_keys") -> list[CardMedia]:
    """One media or a list (keys or upload dicts), unique, in order."""
    # A mapped task's output arrives as a lazy sequence of its results, not a list.
    items = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]
    media = [card_media(item, parameter) for item in items if item not in (None, "")]
    keys = [item.media_key for item in media]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{parameter} repeats a media key: {keys}")
    return media


def _visual(kind: str) -> str:
    return VIDEO if kind in (VIDEO, AMPLIFY_VIDEO) else kind


def _check_ready(media: CardMedia, parameter: str) -> None:
    if media.processing_state not in (None, "succeeded"):
        raise ValueError(
            f"{parameter} {media.media_key} has not finished processing (state {media.processing_state}); "
            "wait for it (UploadMediaOperator(wait_for_processing=True) or VideoProcessingSensor)"
        )


def check_card_media(media: list[CardMedia], parameter: str = "media_keys") -> str:
    """The media component a card's media make (``MEDIA`` for one, ``SWIPEABLE_MEDIA`` for 2-6).

    ``ValueError`` for no media or more than 6, a GIF, images mixed with videos, media still
    processing, or an image under 800 px wide or not 1:1 / 1.91:1 (when its size is known).
    """
    if not media:
        raise ValueError(f"{parameter} must name at least one media")
    if len(media) > SWIPEABLE_MEDIA_MAX:
        raise ValueError(
            f"{parameter} names {len(media)} media; a carousel (SWIPEABLE_MEDIA) takes "
            f"{SWIPEABLE_MEDIA_MIN} to {SWIPEABLE_MEDIA_MAX}, a MEDIA card one"
        )
    for item in media:
        if item.kind not in CARD_MEDIA_KINDS:
            raise ValueError(f"{parameter} {item.media_key} is a {item.kind}; cards take images or videos")
        _check_ready(item, parameter)
        if item.kind == IMAGE and item.width and item.height:
            ratio = item.width / item.height
            if item.width < CARD_IMAGE_MIN_WIDTH or not any(
                abs(ratio - wanted) <= _ASPECT_TOLERANCE for wanted in CARD_IMAGE_ASPECT_RATIOS
            ):
                raise ValueError(
                    f"{parameter} {item.media_key} is {item.width}x{item.height}; card images need a "
                    f"width of at least {CARD_IMAGE_MIN_WIDTH} px and an aspect ratio of 1:1 or 1.91:1"
                )
    kinds = sorted({_visual(item.kind) for item in media})
    if len(kinds) > 1:
        raise ValueError(f"{parameter} mixes {' and '.join(kinds)}; a card's media are all of one kind")
    return CARD_COMPONENT_TYPES.MEDIA if len(media) == 1 else CARD_COMPONENT_TYPES.SWIPEABLE_MEDIA


def check_library_entry(
    media_key: str, entry: Mapping[str, Any] | None, parameter: str = "media_keys"
) -> None:
    """Card media must be in the account's media library, processed; ``ValueError`` otherwise."""
    if entry is None or entry.get("deleted"):
        raise ValueError(
            f"{parameter} {media_key} is not in the account's media library (cards take library media "
            "only): add it with add_to_library=True"
        )
    if entry.get("media_type") in ("VIDEO", "GIF") and entry.get("media_status") not in (
        None,
        LIBRARY_MEDIA_READY,
    ):
        raise ValueError(
            f"{parameter} {media_key} has not finished processing (media_status {entry.get('media_status')})"
        )


# -- card bodies ------------------------------------------------------------------------------------


def _bounded_text(name: str, value: object, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    text = value.strip()
    if len(text) > max_length:
        raise ValueError(f"{name} is {len(text)} characters; at most {max_length}")
    return text


def check_card_name(name: object) -> str:
    return _bounded_text("name", name, CARD_NAME_MAX_LENGTH)


def media_component(media: list[CardMedia], parameter: str = "media_keys") -> dict[str, Any]:
    if check_card_media(media, parameter) == CARD_COMPONENT_TYPES.MEDIA:
        return {"type": CARD_COMPONENT_TYPES.MEDIA, "media_key": media[0].media_key}
    return {"type": CARD_COMPONENT_TYPES.SWIPEABLE_MEDIA, "media_keys": [item.media_key for item in media]}


def website_component(title: object, website_url: object) -> dict[str, Any]:
    """A ``DETAILS`` component: a title (at most 70 characters) and a WEBSITE destination."""
    return {
        "type": CARD_COMPONENT_TYPES.DETAILS,
        "title": _bounded_text("title", title, DETAILS_TITLE_MAX_LENGTH),
        "destination": {"type": "WEBSITE", "url": check_http_url("website_url", website_url)},
    }


def app_component(
    label: object,
    country_code: object,
    ios_app_store_identifier: object = None,
    googleplay_app_id: object = None,
) -> dict[str, Any]:
    """A ``BUTTON`` component: an ENUM label and an APP destination (a store id or two)."""
    if label not in BUTTON_LABELS:
        raise ValueError(f"button_label must be one of {', '.join(BUTTON_LABELS)}, got {label!r}")
    if not isinstance(country_code, str) or not re.fullmatch(r"[A-Za-z]{2}", country_code.strip()):
        raise ValueError(f"country_code must be a two-letter country code, got {country_code!r}")
    apps = {
        key: str(value).strip()
        for key, value in (
            ("ios_app_store_identifier", ios_app_store_identifier),
            ("googleplay_app_id", googleplay_app_id),
        )
        if value not in (None, "")
    }
    if not apps:
        raise ValueError("an app card needs ios_app_store_identifier or googleplay_app_id")
    return {
        "type": CARD_COMPONENT_TYPES.BUTTON,
        "label": {"type": "ENUM", "value": label},
        "destination": {"type": "APP", "country_code": country_code.strip().upper(), **apps},
    }


def card_matches(card: Mapping[str, Any], components: list[dict[str, Any]]) -> bool:
    """Whether an existing card already has these components (media keys, title, destination)."""
    existing = [
        {key: value for key, value in dict(component).items() if key != "media_metadata"}
        for component in card.get("components") or []
    ]
    return existing == components


# -- posts ------------------------------------------------------------------------------------------


def weighted_length(text: str) -> int:
    """The length X counts ("Counting characters"): NFC code points weighing 1 or 2, a URL 23."""
    text = unicodedata.normalize("NFC", text)
    length, position = 0, 0
    for match in _URL.finditer(text):
        length += _weigh(text[position : match.start()]) + TWEET_URL_WEIGHT
        position = match.end()
    return length + _weigh(text[position:])


def _weigh(text: str) -> int:
    return sum(1 if any(low <= ord(c) <= high for low, high in _LIGHT_RANGES) else 2 for c in text)


def check_post_text(text: object, *, has_media: bool) -> str:
    """Post text of at most 280 weighted characters; may be empty only with media or a card."""
    if text in (None, ""):
        if not has_media:
            raise ValueError("text is required for a post without media_keys or card_uri")
        return ""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    length = weighted_length(text)
    if length > MAX_WEIGHTED_TWEET_LENGTH:
        raise ValueError(
            f"text weighs {length} characters; a post takes {MAX_WEIGHTED_TWEET_LENGTH} "
            f"(CJK and emoji count 2, every URL {TWEET_URL_WEIGHT})"
        )
    return text


def check_post_media(media: list[CardMedia]) -> None:
    """Up to 4 images, or one GIF, or one video alone; each finished processing."""
    kinds = {_visual(item.kind) for item in media}
    if kinds & {GIF, VIDEO} and len(media) > 1:
        raise ValueError(f"media_keys: a GIF or video goes alone in a post, got {len(media)} media")
    if len(media) > MAX_TWEET_IMAGES:
        raise ValueError(f"media_keys: a post takes at most {MAX_TWEET_IMAGES} images, got {len(media)}")
    for item in media:
        if item.kind not in (IMAGE, GIF, VIDEO, AMPLIFY_VIDEO):
            raise ValueError(
                f"media_keys {item.media_key} is a {item.kind}; posts take images, GIFs or videos"
            )
        _check_ready(item, "media_keys")


def check_card_uri(card_uri: object) -> str:
    if isinstance(card_uri, Mapping):
        card_uri = card_uri.get("card_uri")
    if not isinstance(card_uri, str) or not re.fullmatch(r"card://[0-9]+", card_uri.strip()):
        raise ValueError(f"card_uri must look like card://1234567890, got {card_uri!r}")
    return card_uri.strip()


def check_tweet_name(name: object) -> str:
    return _bounded_text("name", name, TWEET_NAME_MAX_LENGTH)


def check_as_user_id(as_user_id: object, promotable_users: Iterable[Mapping[str, Any]]) -> str:
    """``as_user_id`` (default: the FULL promotable user) if posts can be made as that user."""
    users = [user for user in promotable_users if not user.get("deleted")]
    if as_user_id in (None, ""):
        full = [user for user in users if user.get("promotable_user_type") == PROMOTABLE_USER_FULL]
        if not full:
            raise ValueError("the account has no FULL promotable user to post as; pass as_user_id")
        return str(full[0]["user_id"])
    wanted = str(as_user_id).strip()
    for user in users:
        if str(user.get("user_id")) == wanted:
            if user.get("promotable_user_type") != PROMOTABLE_USER_FULL:
                raise ValueError(
                    f"as_user_id {wanted} is a {user.get('promotable_user_type')} promotable user; "
                    "posts are made as the FULL one"
                )
            return wanted
    known = ", ".join(str(user.get("user_id")) for user in users) or "none"
    raise ValueError(f"as_user_id {wanted} is not a promotable user of the account (its users: {known})")


# -- promoted posts ---------------------------------------------------------------------------------


def check_tweet_ids(value: object) -> list[str]:
    """1 to 50 post ids (strings, ints, or post dicts with ``tweet_id`` / ``id_str`` / ``id``)."""
    items = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]
    plain = [
        (item.get("tweet_id") or item.get("id_str") or item.get("id")) if isinstance(item, Mapping) else item
        for item in items
    ]
    ids = entity_ids(plain, "tweet_ids")
    if len(ids) > MAX_PROMOTED_TWEET_IDS:
        raise ValueError(f"tweet_ids takes at most {MAX_PROMOTED_TWEET_IDS} posts, got {len(ids)}")
    for tweet_id in ids:
        if not tweet_id.isdigit():
            raise ValueError(f"tweet_ids must be numeric post ids, got {tweet_id!r}")
    return ids


def check_line_item_takes_posts(line_item: Mapping[str, Any]) -> None:
    """Promoted posts go on PROMOTED_TWEETS line items; ``ValueError`` for the others (pre-roll)."""
    if line_item.get("deleted"):
        raise ValueError(f"line item {line_item.get('id')} is deleted")
    if line_item.get("product_type") != PROMOTED_TWEETS_PRODUCT_TYPE:
        raise ValueError(
            f"line item {line_item.get('id')} is {line_item.get('product_type')} / "
            f"{line_item.get('objective')}: it takes no promoted posts (use AttachMediaCreativeOperator "
            "for pre-roll)"
        )


# -- names, survivors and results -------------------------------------------------------------------


def default_name(kind: str, dag_id: str, task_id: str, run_id: str, map_index: int | None) -> str:
    """A name the same for every try and twin of one task instance, at most 80 characters."""
    index = "" if map_index is None or map_index < 0 else f"[{map_index}]"
    digest = hashlib.sha256(f"{dag_id}\n{task_id}{index}\n{run_id}".encode()).hexdigest()[:16]
    return f"airflow {kind} {task_id[:40]}{index} {digest}"[:CARD_NAME_MAX_LENGTH]


def created_at(entity: Mapping[str, Any]) -> datetime:
    """An entity's ``created_at``: ISO (``2026-03-02T17:00:00Z``) or the Tweet format."""
    value = str(entity.get("created_at") or "")
    try:
        return datetime.strptime(value, _ISO_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return datetime.max.replace(tzinfo=timezone.utc)


def survivor(
    entities: Iterable[Mapping[str, Any]], id_of: Callable[[Mapping[str, Any]], str]
) -> Mapping[str, Any] | None:
    """The one every twin picks: the oldest ``created_at``, then the smallest id."""
    candidates = list(entities)
    if not candidates:
        return None
    return min(candidates, key=lambda entity: (created_at(entity), len(id_of(entity)), id_of(entity)))


def card_result(card: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    return {
        "id": str(card.get("id")),
        "card_uri": card.get("card_uri"),
        "name": card.get("name"),
        "card_type": card.get("card_type"),
        "media_keys": _card_keys(card),
        "created_at": card.get("created_at"),
        "account_id": account_id,
    }


def _card_keys(card: Mapping[str, Any]) -> list[str]:
    components = card.get("components") or []
    if not components:
        return []
    media = components[0]
    return list(media.get("media_keys") or ([media["media_key"]] if media.get("media_key") else []))


def tweet_result(tweet: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    return {
        "tweet_id": str(tweet.get("tweet_id") or tweet.get("id_str") or tweet.get("id")),
        "name": tweet.get("name"),
        "card_uri": tweet.get("card_uri"),
        "nullcast": tweet.get("nullcast"),
        "user_id": str((tweet.get("user") or {}).get("id_str") or ""),
        "created_at": tweet.get("created_at"),
        "account_id": account_id,
    }


def promoted_tweet_result(promoted: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    return {
        "id": str(promoted.get("id")),
        "line_item_id": promoted.get("line_item_id"),
        "tweet_id": str(promoted.get("tweet_id")),
        "entity_status": promoted.get("entity_status"),
        "approval_status": promoted.get("approval_status"),
        "created_at": promoted.get("created_at"),
        "account_id": account_id,
    }
