"""Posts (Tweets), promoted posts and promotable users: their rules and builders.

v12 reference, "Tweets" (``POST accounts/:account_id/tweet``, ``GET accounts/:account_id/tweets``),
"Promoted Tweets", "Promotable Users"; the "Tweets" guide (nullcast posts); "Counting characters"
(weighted length, 280, a URL counts 23); "POST media/upload" (``additional_owners``: who else may
use the media in a post).
"""

from __future__ import annotations

import calendar
import re
import time
import unicodedata
from typing import Any

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid, invalid_media
from airflow_provider_twitter_ads.emulator.ads.models import Entity, media_type_of
from airflow_provider_twitter_ads.emulator.core import ApiError
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
TWEET_NAME_MAX_LENGTH = 80
MAX_TWEET_IMAGES = 4
MAX_PROMOTED_TWEET_IDS = 50
# Code point ranges that weigh 1; every other code point weighs 2 ("Counting characters":
# Latin-1, general punctuation and the like count once, CJK and emoji twice).
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)
#: Promotable user types ("Promotable Users"): the account's owner, and users it may retweet.
FULL, RETWEETS_ONLY = "FULL", "RETWEETS_ONLY"
TWEET_TYPES = ("DRAFT", "PUBLISHED", "SCHEDULED")
TIMELINE_TYPES = ("ALL", "NULLCAST", "ORGANIC")
#: What a promoted post needs of its line item: not the MEDIA (pre-roll) product type, whose
#: PREROLL_VIEWS objective "does not utilize Promoted Tweets or Cards".
PROMOTED_TWEETS_PRODUCT_TYPE = "PROMOTED_TWEETS"
_TWEET_TIME_FORMAT = "%a %b %d %H:%M:%S +0000 %Y"


def weighted_length(text: str) -> int:
    """The length X counts: NFC code points weighted 1 or 2, each URL 23."""
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in _URL.finditer(text):
        length += _weigh(text[position : match.start()]) + URL_WEIGHT
        position = match.end()
    return length + _weigh(text[position:])


def _weigh(text: str) -> int:
    return sum(1 if any(low <= ord(c) <= high for low, high in _LIGHT_RANGES) else 2 for c in text)


def tweet_time(iso: str) -> str:
    """``Tue Aug 27 22:22:12 +0000 2019``, the format of a Tweet object's ``created_at``."""
    epoch = calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))
    return time.strftime(_TWEET_TIME_FORMAT, time.gmtime(epoch))


def authenticated_user_id(state: EmulatorState) -> str:
    """The user the access token belongs to: the number before its first ``-``."""
    return state.config.access_token.split("-", 1)[0]


def media_owners(state: EmulatorState, record: MediaRecord) -> set[str]:
    """Who may use uploaded media in a post: the uploader and its ``additional_owners``."""
    return {authenticated_user_id(state), *record.extra.get("additional_owners", ())}


def promotable_user(state: EmulatorState, user_id: str) -> Entity | None:
    for entity in state.table("promotable_users").values():
        if entity["user_id"] == user_id and not entity["deleted"]:
            return entity
    return None


def full_promotable_user(state: EmulatorState) -> Entity:
    for entity in state.table("promotable_users").values():
        if entity["promotable_user_type"] == FULL and not entity["deleted"]:
            return entity
    raise ApiError(500, "INTERNAL_ERROR", "The account has no FULL promotable user")


def check_author(state: EmulatorState, as_user_id: str) -> Entity:
    """``as_user_id`` must be the account's FULL promotable user (the one posts can be made as)."""
    user = promotable_user(state, as_user_id)
    if user is None:
        raise ApiError(
            400,
            "INVALID_USER_ID",
            f"as_user_id {as_user_id!r} is not a promotable user of this account",
            "as_user_id",
        )
    if user["promotable_user_type"] != FULL:
        raise ApiError(
            400,
            "INVALID_USER_ID",
            f"as_user_id {as_user_id!r} is a {user['promotable_user_type']} promotable user; "
            "posts are made as the FULL one",
            "as_user_id",
        )
    return user


def check_text(text: str | None, has_media: bool) -> str:
    if not text:
        if not has_media:
            raise ApiError(
                400, "TWEET_CANNOT_BE_BLANK", "text is required without media_keys or card_uri", "text"
            )
        return ""
    length = weighted_length(text)
    if length > MAX_WEIGHTED_LENGTH:
        raise ApiError(
            400,
            "INVALID_TWEET",
            f"text weighs {length} characters; the limit is {MAX_WEIGHTED_LENGTH} (a URL counts {URL_WEIGHT})",
            "text",
        )
    return text


def check_post_media(
    state: EmulatorState, records: list[MediaRecord], as_user_id: str, parameter: str
) -> None:
    """Up to 4 images, or 1 GIF, or 1 video, each usable by ``as_user_id``."""
    kinds = [media_type_of(record) for record in records]
    if "GIF" in kinds or "VIDEO" in kinds:
        if len(records) > 1:
            raise invalid(
                parameter, f"{parameter} takes one GIF or one video alone, got {len(records)} media"
            )
    elif len(records) > MAX_TWEET_IMAGES:
        raise invalid(parameter, f"{parameter} takes at most {MAX_TWEET_IMAGES} images, got {len(records)}")
    for record in records:
        if as_user_id not in media_owners(state, record):
            raise invalid_media(
                parameter,
                f"media {record.media_key!r} was not uploaded by or for user {as_user_id}: "
                "upload it with additional_owners naming that user",
            )


def takes_promoted_tweets(line_item: Entity) -> bool:
    return line_item.get("product_type") == PROMOTED_TWEETS_PRODUCT_TYPE


def new_promotable_user(
    state: EmulatorState, entity_id: str, user_id: str, user_type: str, when: str
) -> Entity:
    entity: Entity = {
        "user_id": user_id,
        "id": entity_id,
        "account_id": state.config.account_id,
        "promotable_user_type": user_type,
        "created_at": when,
        "updated_at": when,
        "deleted": False,
    }
    state.table("promotable_users")[entity_id] = entity
    return entity


def new_tweet(
    state: EmulatorState,
    *,
    user_id: str,
    text: str,
    nullcast: bool,
    name: str | None,
    card_uri: str | None,
    media: list[MediaRecord],
    when: str,
) -> Entity:
    """A published post shaped as the v12 "Tweets" examples (trimmed user), with its ``name``."""
    tweet_id = state.next_media_id()
    urls = [
        {"url": match.group(0), "expanded_url": match.group(0), "indices": [match.start(), match.end()]}
        for match in _URL.finditer(text)
    ]
    entity: Entity = {
        "id": int(tweet_id),
        "id_str": tweet_id,
        "tweet_id": tweet_id,
        "name": name,
        "full_text": text,
        "card_uri": card_uri,
        "nullcast": nullcast,
        "tweet_type": "PUBLISHED",
        "scheduled_at": None,
        "created_at": tweet_time(when),
        "user": {"id": int(user_id), "id_str": user_id},
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": urls},
        "display_text_range": [0, len(text)],
        "scopes": {"followers": not nullcast},
        "lang": "en",
        "source": "Ads API Emulator",
        "truncated": False,
        "retweeted": False,
        "favorited": False,
        "retweet_count": 0,
        "favorite_count": 0,
        "in_reply_to_status_id": None,
        "in_reply_to_status_id_str": None,
        "in_reply_to_user_id": None,
        "in_reply_to_user_id_str": None,
        "in_reply_to_screen_name": None,
        "coordinates": None,
        "geo": None,
        "place": None,
        "contributors": [],
    }
    if media:
        entity["extended_entities"] = {"media": [_media_entity(record) for record in media]}
    state.table("tweets")[tweet_id] = entity
    return entity


def _media_entity(record: MediaRecord) -> dict[str, Any]:
    kind = {"IMAGE": "photo", "GIF": "animated_gif", "VIDEO": "video"}[media_type_of(record) or "IMAGE"]
    return {
        "id": int(record.media_id),
        "id_str": record.media_id,
        "media_key": record.media_key,
        "type": kind,
    }


def new_promoted_tweet(state: EmulatorState, line_item_id: str, tweet_id: str, when: str) -> Entity:
    """A promoted post as in the v12 reference ("Promoted Tweets"): the line item and the post."""
    entity: Entity = {
        "id": state.next_entity_id(),
        "line_item_id": line_item_id,
        "tweet_id": tweet_id,
        "entity_status": "ACTIVE",
        "approval_status": "ACCEPTED",
        "created_at": when,
        "updated_at": when,
        "deleted": False,
    }
    state.table("promoted_tweets")[entity["id"]] = entity
    return entity
