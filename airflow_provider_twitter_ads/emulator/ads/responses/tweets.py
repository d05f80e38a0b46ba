"""Posts (Tweets): ``POST accounts/:account_id/tweet`` and ``GET accounts/:account_id/tweets``.

v12 reference, "Tweets"; the "Tweets" guide (``nullcast`` posts are promoted-only). Posts made
with a ``card_uri`` keep it; media of the post or its card must be usable by ``as_user_id``.
"""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.ads.cards import card_media_keys
from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid, invalid_media
from airflow_provider_twitter_ads.emulator.ads.models import ready_media, stamp
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    ListFilter,
    Predicate,
    bool_param,
    entity_response,
    enum_value,
    ids_filter,
    ids_param,
    list_response,
    optional_param,
    require_enum,
)
from airflow_provider_twitter_ads.emulator.ads.tweets import (
    TIMELINE_TYPES,
    TWEET_NAME_MAX_LENGTH,
    TWEET_TYPES,
    check_author,
    check_post_media,
    check_text,
    full_promotable_user,
    media_owners,
    new_tweet,
)
from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord

KIND = "tweets"


def _name(request: EmulatorRequest) -> str | None:
    name = optional_param(request, "name")
    if name is not None and len(name) > TWEET_NAME_MAX_LENGTH:
        raise invalid("name", f"name is longer than {TWEET_NAME_MAX_LENGTH} characters")
    return name


def _card_media(state: EmulatorState, card_uri: str) -> list[MediaRecord]:
    for card in state.table("cards").values():
        if card["card_uri"] == card_uri and not card["deleted"]:
            return [ready_media(state, key, "card_uri") for key in card_media_keys(card)]
    raise invalid("card_uri", f"card_uri {card_uri!r} names no card of this account")


def create_tweet(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST tweet``: a published post as ``as_user_id``; ``nullcast`` defaults to true."""
    as_user_id = request.require("as_user_id")
    check_author(state, as_user_id)
    card_uri = optional_param(request, "card_uri")
    media_keys_value = optional_param(request, "media_keys")
    if card_uri is not None and media_keys_value is not None:
        raise ApiError(
            400, "EXCLUSIVE_PARAMETERS", "card_uri and media_keys can not be given together", "media_keys"
        )
    text = check_text(request.param("text"), has_media=bool(card_uri or media_keys_value))
    nullcast = bool_param(request, "nullcast", default=True)
    name = _name(request)
    bool_param(request, "trim_user")
    media: list[MediaRecord] = []
    if media_keys_value is not None:
        keys = ids_param("media_keys", media_keys_value)
        media = [ready_media(state, key, "media_keys") for key in keys]
        check_post_media(state, media, as_user_id, "media_keys")
    if card_uri is not None:
        for record in _card_media(state, card_uri):
            if as_user_id not in media_owners(state, record):
                raise invalid_media(
                    "card_uri",
                    f"card media {record.media_key!r} was not uploaded by or for user {as_user_id}: "
                    "upload it with additional_owners naming that user",
                )
    entity = new_tweet(
        state,
        user_id=as_user_id,
        text=text,
        nullcast=nullcast,
        name=name,
        card_uri=card_uri,
        media=media,
        when=stamp(state),
    )
    return entity_response(request, entity, 201)


def list_tweets(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET tweets``: ``tweet_type`` (required), ``timeline_type``, ``tweet_ids``, ``name``, ``user_id``.

    ``name`` is a case-insensitive prefix; ``user_id`` defaults to the FULL promotable user and
    ``timeline_type`` to NULLCAST. Only published posts exist here.
    """
    tweet_type = require_enum(request, "tweet_type", TWEET_TYPES)
    timeline_type = enum_value("timeline_type", request.param("timeline_type") or "NULLCAST", TIMELINE_TYPES)
    user_id = optional_param(request, "user_id") or full_promotable_user(state)["user_id"]
    _name(request)
    bool_param(request, "trim_user")
    bool_param(request, "include_mentions_and_replies")

    def name_prefix(value: str) -> Predicate:
        prefix = value.lower()
        return lambda tweet: str(tweet.get("name") or "").lower().startswith(prefix)

    def scope(tweet: dict[str, object]) -> bool:
        if tweet["tweet_type"] != tweet_type or tweet["user"]["id_str"] != user_id:  # type: ignore[index]
            return False
        return timeline_type == "ALL" or tweet["nullcast"] == (timeline_type == "NULLCAST")

    filters = (
        ids_filter("tweet_ids", "id_str"),
        ListFilter("name", name_prefix),
        ListFilter("tweet_type", lambda _value: scope),
    )
    return list_response(request, state, KIND, filters, sort_fields=())
