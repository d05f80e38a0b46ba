"""Operators that make cards (a website or app destination for media) and delete them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from airflow_provider_twitter_ads.compat import Context
from airflow_provider_twitter_ads.exceptions import (
    AdsApiError,
    AdsApiNotFoundError,
    AdsApiResponseLostError,
    names_missing,
)
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.ids import media_id_from_key
from airflow_provider_twitter_ads.lineage import Resource, card_lineage
from airflow_provider_twitter_ads.operators.base import (
    AdsApiEntityOperator,
    DeleteEntitiesOperator,
    library_entry_remembered,
    remembered_create,
    task_name,
)
from airflow_provider_twitter_ads.utils.exactly_once import converge, create_once
from airflow_provider_twitter_ads.utils.promoted_posts import (
    CardMedia,
    app_component,
    card_matches,
    card_result,
    check_card_name,
    check_library_entry,
    media_component,
    media_list,
    survivor,
    website_component,
)
from airflow_provider_twitter_ads.utils.task_state import TaskState
from airflow_provider_twitter_ads.vocabulary import NOT_FOUND_CODES


class CreateCardOperator(AdsApiEntityOperator):
    """Make a card from library media, exactly once: a carousel for 2-6 media, else a MEDIA card.

    The destination is a website (``website_url`` and ``title``: a ``DETAILS`` component) or an
    app (``button_label``, ``country_code`` and a store id: a ``BUTTON`` component).

    :param media_keys: media keys (``3_...``, ``13_...``) or ``UploadMediaOperator`` dicts, in
        order; 1 makes a MEDIA card, 2 to 6 a SWIPEABLE_MEDIA carousel. All images or all videos.
    :param website_url: http(s) URL the card opens.
    :param title: the website card's headline (at most 70 characters).
    :param button_label: app cards: INSTALL, OPEN, PLAY, SHOP, BOOK, CONNECT or ORDER.
    :param country_code: app cards: the store's two-letter country.
    :param ios_app_store_identifier: app cards: the App Store id.
    :param googleplay_app_id: app cards: the Google Play package name.
    :param name: the card's name, which a retry or twin finds it by; default: one derived from
        the DAG, task, run and map index (the same for every try of this task instance).
    :param add_to_library: add media that is not in the account's media library yet (cards take
        library media only); False refuses such media instead.
    :param account_id: the ads account; default: the connection's ``account_id``.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :param settle_seconds: after a create's response is lost, seconds to keep looking for it before
        creating again; default: twice the connection's timeout.
    :return: ``{"id", "card_uri", "name", "card_type", "media_keys", "created_at", "account_id"}``.
    """

    template_fields: Sequence[str] = (
        "media_keys",
        "website_url",
        "title",
        "button_label",
        "country_code",
        "ios_app_store_identifier",
        "googleplay_app_id",
        "name",
        "account_id",
    )

    def __init__(
        self,
        *,
        media_keys: Any,
        website_url: str | None = None,
        title: str | None = None,
        button_label: str | None = None,
        country_code: str | None = None,
        ios_app_store_identifier: str | None = None,
        googleplay_app_id: str | None = None,
        name: str | None = None,
        add_to_library: bool = True,
        account_id: str | None = None,
        twitter_ads_conn_id: str = AdsApiHook.default_conn_name,
        settle_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(twitter_ads_conn_id=twitter_ads_conn_id, settle_seconds=settle_seconds, **kwargs)
        self.media_keys = media_keys
        self.website_url = website_url
        self.title = title
        self.button_label = button_label
        self.country_code = country_code
        self.ios_app_store_identifier = ios_app_store_identifier
        self.googleplay_app_id = googleplay_app_id
        self.name = name
        self.add_to_library = add_to_library
        self.account_id = account_id

    def execute(self, context: Context) -> dict[str, Any]:
        # Everything is checked, and every entity read, before the first write.
        media = media_list(self.media_keys)
        components = [media_component(media), self._destination()]
        name = check_card_name(self.name or task_name("card", context, self))
        account_id = self.account_id or self.hook.account_id
        missing = self._not_in_library(media, account_id)

        state = TaskState.of(context)
        for item in missing:
            self._add_to_library(item, account_id, state)
        card = self._create(name, components, account_id, state)
        result = card_result(card, account_id)
        self._lineage = card_lineage(
            self.lineage_namespace,
            account_id=account_id,
            card_id=result["id"],
            media_keys=[item.media_key for item in media],
        )
        self.log.info("Card %s (%s) %s: %s", result["id"], result["card_type"], name, result["card_uri"])
        return result

    def _destination(self) -> dict[str, Any]:
        website = self.website_url not in (None, "") or self.title not in (None, "")
        app = self.button_label not in (None, "")
        if website == app:
            raise ValueError(
                "give a website (website_url and title) or an app (button_label, country_code and a store id)"
            )
        if website:
            return website_component(self.title, self.website_url)
        return app_component(
            self.button_label, self.country_code, self.ios_app_store_identifier, self.googleplay_app_id
        )

    def _not_in_library(self, media: list[CardMedia], account_id: str) -> list[CardMedia]:
        missing = []
        for item in media:
            try:
                entry: Mapping[str, Any] | None = self.hook.get_media_library_entry(
                    item.media_key, account_id=account_id
                )
            except AdsApiNotFoundError:
                entry = None
            if (entry is None or entry.get("deleted")) and self.add_to_library:
                self._check_uploaded(item)
                missing.append(item)
            else:
                check_library_entry(item.media_key, entry)
        return missing

    def _check_uploaded(self, item: CardMedia) -> None:
        """Media not yet in the library: an upload that finished processing."""
        if item.processing_state == "succeeded":
            return
        try:
            status = self.hook.get_upload_status(media_id_from_key(item.media_key))
        except AdsApiError as exc:
            raise ValueError(f"media_keys {item.media_key} is not an uploaded media ({exc})") from exc
        state = (status.get("processing_info") or {}).get("state", "succeeded")
        if state != "succeeded":
            raise ValueError(f"media_keys {item.media_key} has not finished processing (state {state})")

    def _add_to_library(self, item: CardMedia, account_id: str, state: TaskState) -> None:
        def find() -> Mapping[str, Any] | None:
            try:
                entry = self.hook.get_media_library_entry(item.media_key, account_id=account_id)
            except AdsApiNotFoundError:
                return None
            return None if entry.get("deleted") else entry

        create_once(
            find,
            lambda: self.hook.add_to_media_library(item.media_key, account_id=account_id),
            lost_errors=(AdsApiResponseLostError,),
            what="media library entry",
            settle_seconds=self._settle_seconds(),
            remembered=library_entry_remembered(state, item.media_key, account_id, self.hook),
        )
        self.log.info("Added %s to the media library of account %s", item.media_key, account_id)

    def _create(
        self, name: str, components: list[dict[str, Any]], account_id: str, state: TaskState
    ) -> Mapping[str, Any]:
        def find_all() -> list[dict[str, Any]]:
            return [
                card
                for card in self.hook.list_cards(account_id, q=name)
                if card.get("name") == name and not card.get("deleted")
            ]

        def find() -> Mapping[str, Any] | None:
            return survivor(find_all(), _card_id)

        remembered = remembered_create(
            state,
            f"created.card.{name}",
            lambda card_id: self.hook.get_card(card_id, account_id=account_id),
            lambda card: card.get("name") == name,
            not_found_code=NOT_FOUND_CODES.CARD,
            what="card",
            identity=_card_id,
            converged_later=True,
        )
        # What this try's creates answered: none when every response was lost.
        answered: list[Mapping[str, Any]] = []

        def create() -> Mapping[str, Any]:
            made = self.hook.create_card(name, components, account_id=account_id)
            answered.append(made)
            return made

        card, created = create_once(
            find,
            create,
            lost_errors=(AdsApiResponseLostError,),
            what="card",
            settle_seconds=self._settle_seconds(),
            remembered=remembered,
        )
        if created:
            # Nothing had the name when this try looked before creating, so every card with it now
            # is this try's or a twin's. After a lost response this try's own cannot be told from a
            # twin's: all but the survivor are deleted (a twin deletes its own too; every twin keeps
            # the same survivor). The list is read at once (converge_seconds is not applied).
            mine = answered if answered else find_all() or [card]
            card = (
                converge(
                    mine,
                    find_all,
                    lambda own: self._delete_card(_card_id(own), account_id),
                    pick=lambda cards: survivor(cards, _card_id),
                    identity=_card_id,
                    what="card",
                    converge_seconds=0,
                    remembered=remembered,
                )
                or card
            )
        elif not card_matches(card, components):
            self.log.info("Card %s exists with other components; updating it", card.get("id"))
            card = self.hook.update_card(_card_id(card), components=components, account_id=account_id)
        return card

    def _delete_card(self, card_id: str, account_id: str) -> None:
        """Delete a card; one a twin has deleted already (404 CARD_NOT_FOUND) is done too."""
        try:
            self.hook.delete_card(card_id, account_id=account_id)
        except AdsApiNotFoundError as exc:
            if not names_missing(exc, NOT_FOUND_CODES.CARD):
                raise


def _card_id(card: Mapping[str, Any]) -> str:
    return str(card.get("id"))


class DeleteCardOperator(DeleteEntitiesOperator):
    """Delete cards; ones already deleted or missing count as done.

    :param card_id: an id, a list of ids, or ``CreateCardOperator`` dicts (their ``id``).
    :param account_id: the ads account; default: the connection's ``account_id``.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :return: the list of card ids that are now deleted.
    """

    id_parameter = "card_id"
    entity_name = "card"
    not_found_code = NOT_FOUND_CODES.CARD
    lineage_resource = Resource.CARDS
    template_fields: Sequence[str] = ("card_id", "account_id")

    def __init__(self, *, card_id: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.card_id = card_id

    def _delete_one(self) -> Callable[..., Any]:
        return self.hook.delete_card
