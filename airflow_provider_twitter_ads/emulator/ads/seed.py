"""Ads API seed data: the account, campaigns and line items of a fresh emulator, and bulk seeding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow_provider_twitter_ads.emulator.ads.cards import media_metadata, new_card
from airflow_provider_twitter_ads.emulator.ads.models import (
    CALL_TO_ACTIONS,
    CREATABLE_CREATIVE_TYPES,
    CREATIVE_TYPE_SIZES,
    MEDIA_TYPE_BY_CATEGORY,
    Entity,
    allows_preroll_cta,
    batch_stamps,
    media_type_of,
    new_account_media,
    new_library_entry,
    new_media_creative,
    new_preroll_cta,
    token,
)
from airflow_provider_twitter_ads.emulator.ads.tweets import (
    FULL,
    RETWEETS_ONLY,
    full_promotable_user,
    new_promotable_user,
    new_promoted_tweet,
    new_tweet,
    takes_promoted_tweets,
)
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord
from airflow_provider_twitter_ads.emulator.upload.seed import add_ready_media

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
# (id, user_id, promotable_user_type): the account's owner, and a user whose posts it may promote.
# Neither is the user of the access token, so media it uploads for a post names the author in
# additional_owners ("POST media/upload").
SEEDED_PROMOTABLE_USERS: tuple[tuple[str, str, str], ...] = (
    ("l310s", "756201191646691328", FULL),
    ("ozor5", "2417045708", RETWEETS_ONLY),
)
_SEED_CREATED_AT = "2026-03-02T17:00:00Z"
_SEED_UPDATED_AT = "2026-03-09T10:30:00Z"


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
        "salt": token(account_id, 32),
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
            # PREROLL_VIEWS line items are MEDIA ("Video Views Pre-roll Objective" guide).
            "product_type": "MEDIA" if objective == "PREROLL_VIEWS" else "PROMOTED_TWEETS",
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
    for entity_id, user_id, user_type in SEEDED_PROMOTABLE_USERS:
        new_promotable_user(state, entity_id, user_id, user_type, _SEED_CREATED_AT)


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
            "creative_type",
            "line_item_id",
            "landing_url",
            "entity_status",
            "approval_status",
        )
    ),
    "preroll_call_to_actions": frozenset(
        (*_COMMON_FIELDS, "line_item_id", "call_to_action", "call_to_action_url")
    ),
    "cards": frozenset((*_COMMON_FIELDS, "name")),
    "tweets": frozenset(("name", "full_text", "nullcast")),
    "promoted_tweets": frozenset(
        (*_COMMON_FIELDS, "line_item_id", "tweet_id", "entity_status", "approval_status")
    ),
}
SEEDABLE_KINDS = tuple(_SEED_FIELDS)


def seed_entities(state: EmulatorState, kind: str, count: int, **fields: Any) -> list[Entity]:
    """Insert ``count`` valid ``kind`` entities with increasing ``created_at``; returns copies.

    Defaults: account media are MEDIUM_RECTANGLE images (``creative_type`` may say otherwise, PREROLL
    included), each with its own uploaded media; media library entries are ``tweet_image`` media
    (``media_category`` may say otherwise); media creatives use line item 8v7jo and one fresh
    account media (``account_media_id``, ``line_item_id``, ``landing_url`` may say otherwise);
    preroll call-to-actions use line item 8v7jr; cards are website cards, each with its own library
    image usable by the FULL promotable user; posts are the FULL user's nullcast text posts;
    promoted posts use line item 8v7jo and one fresh post (``line_item_id``, ``tweet_id`` may say
    otherwise). Other ``fields`` override the entity's fields
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
        "cards": _seed_cards,
        "tweets": _seed_tweets,
        "promoted_tweets": _seed_promoted_tweets,
    }
    created = builders[kind](state, count, dict(fields))
    return [dict(entity) for entity in created]


def _apply_overrides(entities: list[Entity], overrides: dict[str, Any]) -> list[Entity]:
    for entity in entities:
        entity.update(overrides)
    return entities


def _seed_account_media(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    creative_type = fields.pop("creative_type", "MEDIUM_RECTANGLE")
    if creative_type not in CREATABLE_CREATIVE_TYPES:
        raise ValueError(
            f"creative_type must be one of {', '.join(CREATABLE_CREATIVE_TYPES)}, got {creative_type!r}"
        )
    entities = []
    for when in batch_stamps(state, count):
        if creative_type == "PREROLL":
            record = add_ready_media(state, "amplify_video")
        else:
            record = add_ready_media(state, "tweet_image", *CREATIVE_TYPE_SIZES[creative_type])
        entities.append(new_account_media(state, record, creative_type, when))
    return _apply_overrides(entities, fields)


def _seed_media_library(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    category = str(fields.pop("media_category", "tweet_image")).lower()
    if category not in MEDIA_TYPE_BY_CATEGORY:
        raise ValueError(
            f"media_category must be one of {', '.join(MEDIA_TYPE_BY_CATEGORY)}, got {category!r}"
        )
    entities = []
    library = state.table("media_library")
    for when in batch_stamps(state, count):
        record = add_ready_media(state, category)
        number = len(library) + 1
        extension = {"IMAGE": "jpg", "GIF": "gif", "VIDEO": "mp4"}[media_type_of(record) or "IMAGE"]
        details = {"name": f"Seeded asset {number}", "file_name": f"seeded-{number}.{extension}"}
        entity = new_library_entry(record, details, when)
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
    stamps = batch_stamps(state, count + (account_media_id is None))
    if account_media_id is None:
        record = add_ready_media(state, "tweet_image", *CREATIVE_TYPE_SIZES["MEDIUM_RECTANGLE"])
        account_media_id = new_account_media(state, record, "MEDIUM_RECTANGLE", stamps.pop(0))["id"]
    account_media = state.table("account_media")[account_media_id]
    default_url = None if account_media["creative_type"] == "PREROLL" else "https://example.com/landing"
    landing_url = fields.pop("landing_url", default_url)
    entities = [new_media_creative(state, account_media, line_item_id, landing_url, when) for when in stamps]
    return _apply_overrides(entities, fields)


def _seed_preroll_ctas(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    line_item_id = fields.pop("line_item_id", "8v7jr")
    line_item = state.table("line_items").get(line_item_id)
    if line_item is None:
        raise ValueError(f"line_item_id {line_item_id!r} is not a line item")
    if not allows_preroll_cta(line_item):
        raise ValueError(f"line_item_id {line_item_id!r} is not a MEDIA / PREROLL_VIEWS line item")
    call_to_action = fields.pop("call_to_action", "WATCH_NOW")
    if call_to_action not in CALL_TO_ACTIONS:
        raise ValueError(
            f"call_to_action must be one of {', '.join(CALL_TO_ACTIONS)}, got {call_to_action!r}"
        )
    url = fields.pop("call_to_action_url", "https://example.com/watch")
    entities = [
        new_preroll_cta(state, line_item_id, call_to_action, url, when) for when in batch_stamps(state, count)
    ]
    return _apply_overrides(entities, fields)


def _card_image(state: EmulatorState, when: str) -> MediaRecord:
    """A 1200x628 library image that the FULL promotable user may post (its additional owner)."""
    record = add_ready_media(state, "tweet_image", 1200, 628)
    record.extra["additional_owners"] = [full_promotable_user(state)["user_id"]]
    number = len(state.table("media_library")) + 1
    details = {"name": f"Card image {number}", "file_name": f"card-{number}.jpg"}
    state.table("media_library")[record.media_key] = new_library_entry(record, details, when)
    return record


def _seed_cards(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    name = fields.pop("name", None)
    entities = []
    for when in batch_stamps(state, count):
        record = _card_image(state, when)
        number = len(state.table("cards")) + 1
        components = [
            {"type": "MEDIA", "media_key": record.media_key, "media_metadata": {}},
            {
                "type": "DETAILS",
                "title": f"Seeded card {number}",
                "destination": {"type": "WEBSITE", "url": "https://example.com/landing"},
            },
        ]
        components[0]["media_metadata"] = {record.media_key: media_metadata(record)}
        entities.append(new_card(state, name or f"Seeded card {number}", components, "IMAGE_WEBSITE", when))
    return _apply_overrides(entities, fields)


def _seed_tweets(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    user_id = full_promotable_user(state)["user_id"]
    name = fields.pop("name", None)
    text = fields.pop("full_text", None)
    nullcast = fields.pop("nullcast", True)
    entities = []
    for when in batch_stamps(state, count):
        number = len(state.table("tweets")) + 1
        entities.append(
            new_tweet(
                state,
                user_id=user_id,
                text=text or f"Seeded post {number}",
                nullcast=bool(nullcast),
                name=name or f"Seeded post {number}",
                card_uri=None,
                media=[],
                when=when,
            )
        )
    return entities


def _seed_promoted_tweets(state: EmulatorState, count: int, fields: dict[str, Any]) -> list[Entity]:
    line_item_id = fields.pop("line_item_id", "8v7jo")
    line_item = state.table("line_items").get(line_item_id)
    if line_item is None:
        raise ValueError(f"line_item_id {line_item_id!r} is not a line item")
    if not takes_promoted_tweets(line_item):
        raise ValueError(f"line_item_id {line_item_id!r} takes no promoted posts")
    tweet_id = fields.pop("tweet_id", None)
    if tweet_id is not None and tweet_id not in state.table("tweets"):
        raise ValueError(f"tweet_id {tweet_id!r} is not a post")
    stamps = batch_stamps(state, count + (tweet_id is None))
    if tweet_id is None:
        tweet_id = _seed_tweets_at(state, stamps.pop(0))
    entities = [new_promoted_tweet(state, line_item_id, tweet_id, when) for when in stamps]
    return _apply_overrides(entities, fields)


def _seed_tweets_at(state: EmulatorState, when: str) -> str:
    number = len(state.table("tweets")) + 1
    tweet = new_tweet(
        state,
        user_id=full_promotable_user(state)["user_id"],
        text=f"Seeded post {number}",
        nullcast=True,
        name=f"Seeded post {number}",
        card_uri=None,
        media=[],
        when=when,
    )
    return str(tweet["id_str"])
