"""Operators that turn uploaded media into account media, and delete account media."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

from airflow_provider_twitter_ads.compat import Context
from airflow_provider_twitter_ads.exceptions import (
    AdsApiError,
    AdsApiNotFoundError,
    AdsApiResponseLostError,
    names_missing,
)
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.ids import parse_media_key
from airflow_provider_twitter_ads.lineage import Resource, account_media_lineage
from airflow_provider_twitter_ads.operators.base import (
    AdsApiEntityOperator,
    DeleteEntitiesOperator,
    check_seconds,
    library_entry_remembered,
    remembered_create,
)
from airflow_provider_twitter_ads.utils.creatives import (
    MediaRef,
    account_media_added_since,
    account_media_of_media,
    account_media_result,
    is_live,
    library_entry_misfit,
    media_ref,
    names_media,
    resolve_creative_type,
    scan_account_media,
)
from airflow_provider_twitter_ads.utils.exactly_once import (
    RememberedCreate,
    converge,
    create_once,
    poll,
)
from airflow_provider_twitter_ads.utils.task_state import TaskState
from airflow_provider_twitter_ads.vocabulary import (
    CREATIVE_TYPES,
    DISPLAY_CREATIVE_TYPE_DIMENSIONS,
    IMAGE,
    MEDIA_LIBRARY_TYPES_BY_KIND,
    MISSING_LIBRARY_ENTRY_CODES,
    NOT_FOUND_CODES,
)

# The first Ads API version with the media library (and without POST account_media).
MEDIA_LIBRARY_MIN_VERSION = 5
# How many of the newest account media are read before a library add that may be rolled back.
_ROLLBACK_MARKER_COUNT = 200
# How many of the newest account media the converge check after concurrent library adds reads.
_CONVERGE_PAGE_COUNT = 1000


def _size_hint(creative_type: str) -> str:
    size = DISPLAY_CREATIVE_TYPE_DIMENSIONS.get(creative_type)
    return f" ({creative_type} needs {size[0]}x{size[1]})" if size else ""


class CreateAccountMediaOperator(AdsApiEntityOperator):
    """Make the account media for an uploaded media, exactly once.

    :param media_key: the media key (``13_...``, ``3_...``) or the dict ``UploadMediaOperator``
        returns (``media_id``, ``media_key``, ``media_category``, ``width``, ``height``).
    :param media_id: the numeric media id instead of ``media_key`` (needs ``creative_type`` to
        tell an amplify video from an image), or the upload's dict.
    :param creative_type: one of ``CREATIVE_TYPES.ALL``. Default: PREROLL for an amplify video, the
        display type matching an image's width and height.
    :param name: media library entry name (API v5+), also ``file_name``, ``title``,
        ``description`` and ``poster_media_key`` (a video's poster image key).
    :param account_id: the ads account; default: the connection's ``account_id``.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :param timeout: seconds to wait for the API to create the account media after a media library
        add (API v5+).
    :param settle_seconds: after a write's response is lost, seconds to keep looking for what it may
        still create before writing again; default: twice the connection's timeout. A write the
        server commits later than that is made twice.
    :return: ``{"id", "creative_type", "media_key", "media_url" | "video_id", "account_id"}``.
    """

    template_fields: Sequence[str] = (
        "media_key",
        "media_id",
        "creative_type",
        "name",
        "file_name",
        "title",
        "description",
        "poster_media_key",
        "account_id",
    )
    ui_color = "#cde4f7"

    def __init__(
        self,
        *,
        media_key: str | Mapping[str, Any] | None = None,
        media_id: str | Mapping[str, Any] | None = None,
        creative_type: str | None = None,
        name: str | None = None,
        file_name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        poster_media_key: str | None = None,
        account_id: str | None = None,
        twitter_ads_conn_id: str = AdsApiHook.default_conn_name,
        timeout: float = 60.0,
        settle_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(twitter_ads_conn_id=twitter_ads_conn_id, settle_seconds=settle_seconds, **kwargs)
        self.timeout = check_seconds("timeout", timeout)
        self.media_key = media_key
        self.media_id = media_id
        self.creative_type = creative_type
        self.name = name
        self.file_name = file_name
        self.title = title
        self.description = description
        self.poster_media_key = poster_media_key
        self.account_id = account_id

    def execute(self, context: Context) -> dict[str, Any]:
        # An empty string (a template that rendered to nothing) means "not given".
        wanted_type = self.creative_type or None
        media = media_ref(self.media_key, self.media_id, wanted_type)
        creative_type = resolve_creative_type(media, wanted_type)
        library_fields = self._library_fields()
        account_id = self.account_id or self.hook.account_id
        self.log.info("Account media for %s as %s in account %s", media.media_key, creative_type, account_id)
        state = TaskState.of(context)
        remembered = remembered_create(
            state,
            f"created.account_media.{media.media_key}.{creative_type}",
            lambda account_media_id: self.hook.get_account_media(account_media_id, account_id=account_id),
            # Image account media may carry nothing that names their media (then the type decides).
            lambda entity: (
                entity.get("creative_type") == creative_type
                and names_media(entity, media.media_key) is not False
            ),
            not_found_code=NOT_FOUND_CODES.ACCOUNT_MEDIA,
            what="account media",
            # API <= 4: what create_once makes stays unsettled until its converge step.
            converged_later=True,
        )
        if self.hook.api_version < MEDIA_LIBRARY_MIN_VERSION:
            entity = self._through_account_media_endpoint(media, creative_type, account_id, remembered)
        elif (recalled := remembered.recall()) is not None:
            entity = recalled[0]
            self.log.info(
                "Reusing account media %s, which an earlier try of this task made", entity.get("id")
            )
        else:
            entity = self._through_media_library(media, creative_type, library_fields, account_id, state)
            # The API made it from the library add: remembered once found (and converged).
            remembered.remember(entity, settled=True)
        result = account_media_result(entity, account_id, media.media_key)
        self._lineage = account_media_lineage(
            self.lineage_namespace,
            account_id=account_id,
            media_key=media.media_key,
            account_media_id=result["id"],
        )
        self.log.info("Account media %s (%s) for %s", result["id"], creative_type, media.media_key)
        return result

    def _library_fields(self) -> dict[str, str]:
        fields = {
            "name": self.name,
            "file_name": self.file_name,
            "title": self.title,
            "description": self.description,
            "poster_media_key": self.poster_media_key,
        }
        # Blank strings (templates that rendered to nothing) are left out.
        fields = {key: value for key, value in fields.items() if value not in (None, "")}
        for parameter, value in fields.items():
            if not isinstance(value, str):
                raise TypeError(f"{parameter} must be a string, got {type(value).__name__}: {value!r}")
        if "poster_media_key" in fields:
            kind, _ = parse_media_key(self.poster_media_key, "poster_media_key")
            if kind != IMAGE:
                raise ValueError(
                    f"poster_media_key must be an image key (3_...), got {self.poster_media_key!r}"
                )
        return fields

    def _through_media_library(
        self,
        media: MediaRef,
        creative_type: str,
        library_fields: dict[str, str],
        account_id: str,
        state: TaskState,
    ) -> Mapping[str, Any]:
        """API v5+: add the media to the library once, then find the account media it made.

        For an image given without its size, whether it fits ``creative_type`` shows only after the
        add; when it does not, what this call added is deleted again before the error is raised.
        """
        size_unknown = media.kind == IMAGE and (media.width is None or media.height is None)
        # The newest account media ids before the first add: what is listed before them appeared
        # after it, which finds image account media that carry no media key, and a rollback deletes
        # only what this call made.
        before_add: list[frozenset[str]] = []

        def find_entry() -> Mapping[str, Any] | None:
            try:
                entry = self.hook.get_media_library_entry(media.media_key, account_id=account_id)
            except AdsApiNotFoundError as exc:
                if names_missing(exc, *MISSING_LIBRARY_ENTRY_CODES):
                    return None
                raise
            return entry if is_live(entry) else None

        def add_entry() -> Mapping[str, Any]:
            if not before_add:
                before_add.append(self._newest_account_media_ids(account_id))
            return self.hook.add_to_media_library(media.media_key, account_id=account_id, **library_fields)

        # Re-adding a key already in the library makes the API create its account media again.
        entry, added = create_once(
            find_entry,
            add_entry,
            lost_errors=(AdsApiResponseLostError,),
            what="media library entry",
            settle_seconds=self._settle_seconds(),
            remembered=library_entry_remembered(state, media.media_key, account_id, self.hook),
        )
        try:
            return self._account_media_of_entry(
                entry, added, media, creative_type, account_id, before_add[0] if before_add else None
            )
        except (ValueError, TimeoutError) as exc:
            if not (added and before_add and size_unknown):
                raise
            outcome = self._roll_back_library_add(
                media.media_key, account_id, before_add[0], _media_url(entry)
            )
            raise type(exc)(f"{str(exc).rstrip('.')}. {outcome}") from exc

    def _account_media_of_entry(
        self,
        entry: Mapping[str, Any],
        added: bool,
        media: MediaRef,
        creative_type: str,
        account_id: str,
        before_add: frozenset[str] | None,
    ) -> Mapping[str, Any]:
        """The account media the API made from a library entry, waiting up to ``timeout`` for it.

        ``before_add``: the newest account media ids read before this call's add (None when it
        found the entry instead); image account media may carry no media key, and then the one
        listed after them, of ``creative_type`` and with the entry's ``media_url``, is the one.
        """
        expected_type = MEDIA_LIBRARY_TYPES_BY_KIND.get(media.kind)
        if entry.get("media_type") and expected_type and entry["media_type"] != expected_type:
            raise ValueError(
                f"Media library entry {media.media_key!r} is {entry['media_type']}, but creative type "
                f"{creative_type} needs {expected_type}"
            )

        def find_account_media_now() -> Mapping[str, Any] | None:
            return self._find_account_media(
                media.media_key,
                creative_type,
                account_id,
                strict=True,
                media_url=_media_url(entry),
                earlier_ids=before_add if added else None,
            )

        misfit = library_entry_misfit(entry, creative_type)
        if misfit is not None:
            # No account media of this type will come: look once (to name the type the API made
            # instead, if any), never wait.
            found = find_account_media_now()
            if found is not None:
                return found
            raise ValueError(
                f"media_key {media.media_key!r} does not fit creative_type {creative_type}: {misfit}"
            )
        found = poll(find_account_media_now, self.timeout)
        if found is not None and added and before_add is not None:
            return self._converge_account_media(media, creative_type, account_id, entry, before_add, found)
        if found is None:
            # Only an entry that was already there can have had its account media deleted since.
            advice = "" if added else "; if it was deleted, delete the media library entry and run again"
            raise TimeoutError(
                f"No account media of type {creative_type} for media_key {media.media_key!r} appeared in "
                f"account {account_id} within {self.timeout:g} s after the media library "
                f"{'add' if added else 'entry was found'}. The API makes it only from an amplify video "
                f"(PREROLL) or an image of exactly a display size{_size_hint(creative_type)}{advice}"
            )
        return found

    def _converge_account_media(
        self,
        media: MediaRef,
        creative_type: str,
        account_id: str,
        entry: Mapping[str, Any],
        before_add: frozenset[str],
        found: Mapping[str, Any],
    ) -> Mapping[str, Any]:
        """Concurrent library adds of one media each make its account media: keep the oldest.

        Which add made which account media cannot be told, so every task that added deletes the
        ones that are not the survivor among those that appeared after its own add (a second
        delete of one is an already-deleted 404). A task that found the entry deletes nothing.
        """
        seen: dict[str, list[Mapping[str, Any]]] = {"new": []}

        def matching() -> list[Mapping[str, Any]]:
            entities = self._newest_account_media_page(account_id)
            listed = account_media_of_media(
                entities, media.media_key, creative_type, _media_url(entry), before_add
            )
            seen["new"] = [entity for entity, new in listed if new]
            return [entity for entity, _ in listed]

        kept = converge(
            lambda: seen["new"],
            matching,
            lambda own: self._delete_own_account_media(own, account_id),
            what="account media",
            converge_seconds=self.converge_seconds,
        )
        return kept if kept is not None else found

    def _newest_account_media_page(self, account_id: str) -> Iterable[Mapping[str, Any]]:
        """The account's newest page of account media, deleted ones too, newest first: concurrent
        duplicates are among them."""
        return islice(
            self.hook.list_account_media(
                account_id=account_id,
                sort_by="created_at-desc",
                with_deleted=True,
                count=_CONVERGE_PAGE_COUNT,
            ),
            _CONVERGE_PAGE_COUNT,
        )

    def _newest_account_media_ids(self, account_id: str) -> frozenset[str]:
        """The ids of the account's newest account media (deleted ones too), read before an add."""
        entities = self.hook.list_account_media(
            account_id=account_id,
            sort_by="created_at-desc",
            with_deleted=True,
            count=_ROLLBACK_MARKER_COUNT,
        )
        return frozenset(str(entity["id"]) for entity in islice(entities, _ROLLBACK_MARKER_COUNT))

    def _roll_back_library_add(
        self, media_key: str, account_id: str, before_add: frozenset[str], media_url: str | None
    ) -> str:
        """Delete the account media and library entry this call's add made; say what happened.

        Only account media listed newer than everything seen before the add are deleted, so what
        existed before this call stays. Failures are reported, not raised: the caller's error matters.
        """
        deleted: list[str] = []
        left: list[str] = []
        try:
            newest_first = self.hook.list_account_media(
                account_id=account_id, sort_by="created_at-desc", with_deleted=True
            )
            made = account_media_added_since(newest_first, media_key, before_add, media_url)
        except AdsApiError as exc:
            made = []
            left.append(f"any account media made from {media_key} (listing them failed: {exc})")
        for entity in made:
            try:
                self.hook.delete_account_media(str(entity["id"]), account_id=account_id)
                deleted.append(f"account media {entity['id']} ({entity.get('creative_type')})")
            except AdsApiNotFoundError as exc:
                if not names_missing(exc, NOT_FOUND_CODES.ACCOUNT_MEDIA):
                    left.append(f"account media {entity['id']} ({exc})")
            except AdsApiError as exc:
                left.append(f"account media {entity['id']} ({exc})")
        try:
            self.hook.delete_media_library_entry(media_key, account_id=account_id)
            deleted.append(f"media library entry {media_key}")
        except AdsApiNotFoundError as exc:
            if not names_missing(exc, *MISSING_LIBRARY_ENTRY_CODES):
                left.append(f"media library entry {media_key} ({exc})")
        except AdsApiError as exc:
            left.append(f"media library entry {media_key} ({exc})")
        done = f"deleted {', '.join(deleted)}" if deleted else "found nothing to delete"
        self.log.warning("Rolled back the media library add of %s: %s", media_key, done)
        if left:
            self.log.error("Rollback of the media library add of %s left %s", media_key, "; ".join(left))
            return f"Rolling back what this run added {done}, but left {'; '.join(left)}: delete by hand"
        return f"What this run added was rolled back ({done})"

    def _through_account_media_endpoint(
        self,
        media: MediaRef,
        creative_type: str,
        account_id: str,
        remembered: RememberedCreate[Mapping[str, Any]],
    ) -> Mapping[str, Any]:
        """API <= 4: POST account_media once (looking for an existing one first), then converge
        with twins that created it at the same time.

        Image account media that carry no media key are found after a lost response by what
        appeared since the create; an earlier run's cannot be told apart before the create (API v4
        is end of life). After a create, the ones that name this media (its key or video id, or
        the ``media_url`` of what the create made) are converged: the oldest is kept.
        """
        id_param = "video_id" if creative_type == CREATIVE_TYPES.PREROLL else "media_id"
        # The newest account media ids before the first create: what is listed before them
        # appeared after it.
        before_create: list[frozenset[str]] = []
        # What this try's creates answered (a lost response answers nothing).
        answered: list[Mapping[str, Any]] = []

        def create() -> Mapping[str, Any]:
            if not before_create:
                before_create.append(self._newest_account_media_ids(account_id))
            entity = self.hook.create_account_media(
                creative_type, account_id=account_id, **{id_param: media.media_id}
            )
            answered.append(entity)
            return entity

        def find() -> Mapping[str, Any] | None:
            # Only image account media may name nothing; those count when new since the create.
            earlier = before_create[0] if before_create and media.kind == IMAGE else None
            return self._find_account_media(
                media.media_key, creative_type, account_id, strict=False, earlier_ids=earlier
            )

        entity, created = create_once(
            find,
            create,
            lost_errors=(AdsApiResponseLostError,),
            what="account media",
            settle_seconds=self._settle_seconds(),
            remembered=remembered,
        )
        if not created:
            return entity
        return self._converge_created_account_media(
            media,
            creative_type,
            account_id,
            entity,
            before_create[0] if before_create else None,
            answered,
            remembered,
        )

    def _converge_created_account_media(
        self,
        media: MediaRef,
        creative_type: str,
        account_id: str,
        entity: Mapping[str, Any],
        before_create: frozenset[str] | None,
        answered: list[Mapping[str, Any]],
        remembered: RememberedCreate[Mapping[str, Any]],
    ) -> Mapping[str, Any]:
        """API <= 4: twins that each POSTed account media for one media keep the same, oldest one.

        Only account media that name this media (:func:`names_media` is True: its media key or
        video id, or ``entity``'s ``media_url``) take part, so what others create beside it is
        never touched. As after concurrent library adds, a create whose response was lost may
        still have made one, so this task deletes every non-survivor among those that appeared
        after its first create (``before_create``), and what its creates answered. Without a create
        in this try (an earlier try's, remembered unsettled), only that one is its own. When
        ``entity`` names nothing that can be matched (an image account media with neither media
        key nor ``media_url``), nothing is converged.
        """
        media_url = _media_url(entity)
        if names_media(entity, media.media_key, media_url) is not True:
            self.log.warning(
                "Account media %s names neither its media key nor a media_url: concurrent creates "
                "of it cannot be told apart from other account media, so none are converged",
                entity.get("id"),
            )
            remembered.remember(entity, settled=True)
            return entity
        new: list[Mapping[str, Any]] = []

        def matching() -> list[Mapping[str, Any]]:
            # The same unfiltered list as the ids read before the create, so those mark where new ends.
            entities = self._newest_account_media_page(account_id)
            named = [
                (candidate, is_new)
                for candidate, is_new in account_media_of_media(
                    entities, media.media_key, creative_type, media_url, before_create or frozenset()
                )
                if names_media(candidate, media.media_key, media_url) is True
            ]
            new[:] = [candidate for candidate, is_new in named if is_new and before_create is not None]
            return [candidate for candidate, _ in named]

        def mine() -> list[Mapping[str, Any]]:
            own = {str(e["id"]): e for e in [*new, *answered]}
            return list(own.values()) if before_create is not None else [entity]

        kept = converge(
            mine,
            matching,
            lambda own: self._delete_own_account_media(own, account_id),
            what="account media",
            converge_seconds=self.converge_seconds,
            remembered=remembered,
        )
        if kept is None:
            # Nothing listed (a listing that lags its writes): keep what this task has.
            remembered.remember(entity, settled=True)
            return entity
        return kept

    def _delete_own_account_media(self, entity: Mapping[str, Any], account_id: str) -> None:
        """Delete account media this task made and lost a converge with; already deleted is done."""
        try:
            self.hook.delete_account_media(str(entity["id"]), account_id=account_id)
        except AdsApiNotFoundError as exc:
            if not names_missing(exc, NOT_FOUND_CODES.ACCOUNT_MEDIA):
                raise

    def _find_account_media(
        self,
        media_key: str,
        creative_type: str,
        account_id: str,
        *,
        strict: bool,
        media_url: str | None = None,
        earlier_ids: frozenset[str] | None = None,
    ) -> Mapping[str, Any] | None:
        """The live account media for ``media_key`` and ``creative_type``.

        ``strict``: when the API made account media of another type from this media (v5+ derives
        the type from the media itself), that is an error rather than something to wait for.
        """
        # Newest first: the account media just made is on the first page, and paging stops there.
        # With earlier_ids, deleted ones are listed too: they mark where the entities read before end.
        entities = self.hook.list_account_media(
            account_id=account_id,
            creative_types=None if strict else [creative_type],
            sort_by="created_at-desc",
            with_deleted=True if earlier_ids is not None else None,
        )
        found, other = scan_account_media(
            entities, media_key, creative_type, media_url=media_url, earlier_ids=earlier_ids
        )
        if found is None and strict and other is not None:
            raise ValueError(
                f"The API made account media {other.get('id')} of type {other.get('creative_type')} from "
                f"media_key {media_key!r}, not {creative_type}: the media does not fit creative_type "
                f"{creative_type}"
            )
        return found


def _media_url(entry: Mapping[str, Any]) -> str | None:
    url = entry.get("media_url")
    return str(url) if url else None


class DeleteAccountMediaOperator(DeleteEntitiesOperator):
    """Delete account media; ones already deleted or missing count as done.

    :param account_media_id: an id, a list of ids, or account media dicts (their ``id``).
    :param account_id: the ads account; default: the connection's ``account_id``.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :return: the list of account media ids that are now deleted.
    """

    id_parameter = "account_media_id"
    entity_name = "account media"
    lineage_resource = Resource.ACCOUNT_MEDIA
    not_found_code = NOT_FOUND_CODES.ACCOUNT_MEDIA
    template_fields: Sequence[str] = ("account_media_id", "account_id")

    def __init__(self, *, account_media_id: str | Mapping[str, Any] | list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_media_id = account_media_id

    def _delete_one(self) -> Callable[..., Any]:
        return self.hook.delete_account_media
