"""The Ads API route table. Templates are relative to ``/{version}/accounts/{account_id}``.

A new resource adds its handlers module under ``responses/`` and its rows here.
"""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.ads.exceptions import account_not_found
from airflow_provider_twitter_ads.emulator.ads.responses import (
    account_media,
    accounts,
    cards,
    line_items,
    media_creatives,
    media_library,
    preroll_call_to_actions,
    promotable_users,
    promoted_tweets,
    tweets,
)
from airflow_provider_twitter_ads.emulator.core import (
    ApiError,
    EmulatorRequest,
    Handler,
    Response,
    Router,
    Url,
)
from airflow_provider_twitter_ads.emulator.state import EmulatorState

ACCOUNTS = "/{version}/accounts"
ACCOUNT = ACCOUNTS + "/{account_id}"
# The media library arrived in v3; creating account media directly was served up to v4.
LIBRARY_MIN_VERSION = 3
ACCOUNT_MEDIA_POST_MAX_VERSION = 4
_LIBRARY = {"min_version": LIBRARY_MIN_VERSION}

#: Routes outside an account.
TOP_LEVEL: tuple[Url, ...] = (Url("GET", ACCOUNTS, accounts.list_accounts),)

#: Routes inside ``/{version}/accounts/{account_id}``; the account must exist.
ACCOUNT_SCOPED: tuple[Url, ...] = (
    Url("GET", "", accounts.get_account),
    Url("GET", "/campaigns", accounts.list_campaigns),
    Url("GET", "/campaigns/{campaign_id}", accounts.get_campaign),
    Url("GET", "/line_items", line_items.list_line_items),
    Url("GET", "/line_items/{line_item_id}", line_items.get_line_item),
    Url("PUT", "/line_items/{line_item_id}", line_items.update_line_item),
    Url("DELETE", "/line_items/{line_item_id}", line_items.delete_line_item),
    Url("POST", "/media_library", media_library.add_to_library, **_LIBRARY),
    Url("GET", "/media_library", media_library.list_library, **_LIBRARY),
    Url("GET", "/media_library/{media_key}", media_library.get_library_entry, **_LIBRARY),
    Url("PUT", "/media_library/{media_key}", media_library.update_library_entry, **_LIBRARY),
    Url("DELETE", "/media_library/{media_key}", media_library.delete_library_entry, **_LIBRARY),
    Url(
        "POST",
        "/account_media",
        account_media.create_account_media,
        max_version=ACCOUNT_MEDIA_POST_MAX_VERSION,
    ),
    Url("GET", "/account_media", account_media.list_account_media),
    Url("GET", "/account_media/{account_media_id}", account_media.get_account_media),
    Url("DELETE", "/account_media/{account_media_id}", account_media.delete_account_media),
    Url("POST", "/media_creatives", media_creatives.create_media_creative),
    Url("GET", "/media_creatives", media_creatives.list_media_creatives),
    Url("GET", "/media_creatives/{media_creative_id}", media_creatives.get_media_creative),
    Url("DELETE", "/media_creatives/{media_creative_id}", media_creatives.delete_media_creative),
    Url("POST", "/preroll_call_to_actions", preroll_call_to_actions.create_preroll_cta),
    Url("GET", "/preroll_call_to_actions", preroll_call_to_actions.list_preroll_ctas),
    Url(
        "GET", "/preroll_call_to_actions/{preroll_call_to_action_id}", preroll_call_to_actions.get_preroll_cta
    ),
    Url(
        "PUT",
        "/preroll_call_to_actions/{preroll_call_to_action_id}",
        preroll_call_to_actions.update_preroll_cta,
    ),
    Url(
        "DELETE",
        "/preroll_call_to_actions/{preroll_call_to_action_id}",
        preroll_call_to_actions.delete_preroll_cta,
    ),
    Url("GET", "/promotable_users", promotable_users.list_promotable_users),
    Url("GET", "/promotable_users/{promotable_user_id}", promotable_users.get_promotable_user),
    Url("POST", "/cards", cards.create_card),
    Url("GET", "/cards", cards.list_cards),
    Url("GET", "/cards/{card_id}", cards.get_card),
    Url("PUT", "/cards/{card_id}", cards.update_card),
    Url("DELETE", "/cards/{card_id}", cards.delete_card),
    Url("POST", "/tweet", tweets.create_tweet),
    Url("GET", "/tweets", tweets.list_tweets),
    Url("POST", "/promoted_tweets", promoted_tweets.create_promoted_tweets),
    Url("GET", "/promoted_tweets", promoted_tweets.list_promoted_tweets),
    Url("GET", "/promoted_tweets/{promoted_tweet_id}", promoted_tweets.get_promoted_tweet),
    Url("DELETE", "/promoted_tweets/{promoted_tweet_id}", promoted_tweets.delete_promoted_tweet),
)


def _bind(url: Url, state: EmulatorState, *, account_scoped: bool) -> Handler:
    def serve(request: EmulatorRequest) -> Response:
        version = int(request.path_params["version"])
        if (url.min_version is not None and version < url.min_version) or (
            url.max_version is not None and version > url.max_version
        ):
            raise ApiError(
                404,
                "ROUTE_NOT_FOUND",
                f"{url.method} {url.template or '/'} is not available in version {version}",
            )
        if account_scoped:
            account_id = request.path_params["account_id"]
            if account_id not in state.table("accounts"):
                raise account_not_found(account_id)
        return url.handler(request, state)

    return serve


def register(router: Router, state: EmulatorState) -> None:
    """Add the Ads API routes to ``router``, each handler bound to ``state``."""
    for url in TOP_LEVEL:
        router.add(url.method, url.template, _bind(url, state, account_scoped=False))
    for url in ACCOUNT_SCOPED:
        router.add(url.method, ACCOUNT + url.template, _bind(url, state, account_scoped=True))
