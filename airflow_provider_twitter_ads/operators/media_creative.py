"""Operators that attach account media to line items as media creatives, and delete them."""

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
from airflow_provider_twitter_ads.ids import entity_ids
from airflow_provider_twitter_ads.lineage import (
    Resource,
    check_creative_live_outlets,
    creative_live_events,
    media_creative_lineage,
)
from airflow_provider_twitter_ads.operators.base import (
    AdsApiEntityOperator,
    DeleteEntitiesOperator,
    remembered_create,
    report_creatives_live,
)
from airflow_provider_twitter_ads.utils.creatives import (
    find_media_creatives,
    is_live,
    media_creative_result,
    validate_call_to_action,
)
from airflow_provider_twitter_ads.utils.exactly_once import create_once
from airflow_provider_twitter_ads.utils.params import check_http_url
from airflow_provider_twitter_ads.utils.task_state import TaskState
from airflow_provider_twitter_ads.vocabulary import (
    CREATIVE_TYPES,
    LANDING_URL_OBJECTIVES,
    MISSING_LINE_ITEM_CODES,
    NOT_FOUND_CODES,
)


class AttachMediaCreativeOperator(AdsApiEntityOperator):
    """Attach an account media to one or more line items as media creatives, exactly once each.

    :param account_media_id: the account media id, or the dict CreateAccountMediaOperator returns.
    :param line_item_id: a line item id or a list of them (one media creative per line item).
    :param landing_url: http(s) URL; required for WEBSITE_CLICKS line items unless the media is
        PREROLL (then it is dropped with a warning).
    :param call_to_action: PREROLL only: GO_TO, SEE_MORE, SHOP, VISIT_SITE or WATCH_NOW, set on each
        line item together with ``call_to_action_url`` (an existing one is updated).
    :param call_to_action_url: http(s) URL the call-to-action opens.
    :param account_id: the ads account; default: the account media dict's, else the connection's.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :param settle_seconds: after a create's response is lost, seconds to keep looking for what it
        may still create before creating again; default: twice the connection's timeout. A create
        the server commits later than that is made twice.
    :return: ``{"id", "line_item_id", "account_media_id", "entity_status", "approval_status",
        "landing_url", "created_at", "creative_type", "account_id"}`` (plus
        ``preroll_call_to_action``), or a list of them when ``line_item_id`` is a list.
    """

    template_fields: Sequence[str] = (
        "account_media_id",
        "line_item_id",
        "landing_url",
        "call_to_action",
        "call_to_action_url",
        "account_id",
    )
    ui_color = "#cde4f7"

    def __init__(
        self,
        *,
        account_media_id: str | Mapping[str, Any],
        line_item_id: str | list[str],
        landing_url: str | None = None,
        call_to_action: str | None = None,
        call_to_action_url: str | None = None,
        account_id: str | None = None,
        twitter_ads_conn_id: str = AdsApiHook.default_conn_name,
        settle_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(twitter_ads_conn_id=twitter_ads_conn_id, settle_seconds=settle_seconds, **kwargs)
        self.account_media_id = account_media_id
        self.line_item_id = line_item_id
        self.landing_url = landing_url
        self.call_to_action = call_to_action
        self.call_to_action_url = call_to_action_url
        self.account_id = account_id

    def execute(self, context: Context) -> dict[str, Any] | list[dict[str, Any]]:
        # Everything is checked, and every entity read, before the first write.
        media_ids = entity_ids(self.account_media_id, "account_media_id")
        if len(media_ids) != 1:
            raise ValueError(f"account_media_id must be one account media, got {self.account_media_id!r}")
        account_media_id = media_ids[0]
        line_item_ids = entity_ids(self.line_item_id, "line_item_id")
        landing_url = (
            None if self.landing_url in (None, "") else check_http_url("landing_url", self.landing_url)
        )
        call_to_action = validate_call_to_action(self.call_to_action, self.call_to_action_url)
        account_id = self._account_id()
        namespace = self.lineage_namespace
        check_creative_live_outlets(
            self.outlets, namespace=namespace, account_id=account_id, line_item_ids=line_item_ids
        )

        account_media = self._read_account_media(account_media_id, account_id)
        creative_type = account_media.get("creative_type")
        preroll = creative_type == CREATIVE_TYPES.PREROLL
        if call_to_action is not None and not preroll:
            raise ValueError(
                f"call_to_action is only for PREROLL media; account media {account_media_id} is {creative_type}"
            )
        if preroll and landing_url is not None:
            self.log.warning("landing_url %s is dropped: PREROLL media creatives have none", landing_url)
            landing_url = None
        for line_item in [self._read_line_item(li, account_id) for li in line_item_ids]:
            if line_item.get("objective") in LANDING_URL_OBJECTIVES and not preroll and landing_url is None:
                raise ValueError(
                    f"landing_url is required: line item {line_item['id']} has objective "
                    f"{line_item['objective']}"
                )

        # A line item listed twice is attached once; the result lists it at each place it was given.
        state = TaskState.of(context)
        by_line_item: dict[str, dict[str, Any]] = {}
        for line_item_id in dict.fromkeys(line_item_ids):
            try:
                creative = self._attach(account_media_id, line_item_id, landing_url, account_id, state)
                result = media_creative_result(creative, account_id, creative_type)
                if call_to_action is not None:
                    result["preroll_call_to_action"] = self._set_call_to_action(
                        line_item_id, *call_to_action, account_id, state
                    )
            except Exception as exc:
                if not by_line_item:
                    raise
                done = ", ".join(f"{li}: {r['id']}" for li, r in by_line_item.items())
                raise AdsApiError(
                    f"Attaching account media {account_media_id} to line item {line_item_id} failed "
                    f"after this run had attached it to {len(by_line_item)} line item(s) (media "
                    f"creatives {done}); a retry reuses those and completes the rest: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            by_line_item[line_item_id] = result
            self._lineage = media_creative_lineage(
                namespace,
                account_id=account_id,
                account_media_id=account_media_id,
                creatives=list(by_line_item.values()),
            )
        results = [by_line_item[li] for li in line_item_ids]
        report_creatives_live(
            context, self.outlets, namespace, creative_live_events(list(by_line_item.values()))
        )
        return results if isinstance(self.line_item_id, (list, tuple)) else results[0]

    def _account_id(self) -> str:
        if self.account_id:
            return self.account_id
        if isinstance(self.account_media_id, Mapping) and self.account_media_id.get("account_id"):
            return str(self.account_media_id["account_id"])
        return self.hook.account_id

    def _read_account_media(self, account_media_id: str, account_id: str) -> Mapping[str, Any]:
        return _read_live(
            "account_media_id",
            account_media_id,
            account_id,
            self.hook.get_account_media,
            NOT_FOUND_CODES.ACCOUNT_MEDIA,
        )

    def _read_line_item(self, line_item_id: str, account_id: str) -> Mapping[str, Any]:
        return _read_live(
            "line_item_id", line_item_id, account_id, self.hook.get_line_item, *MISSING_LINE_ITEM_CODES
        )

    def _attach(
        self,
        account_media_id: str,
        line_item_id: str,
        landing_url: str | None,
        account_id: str,
        state: TaskState,
    ) -> Mapping[str, Any]:
        def find_all() -> list[Mapping[str, Any]]:
            creatives = self.hook.list_media_creatives(account_id=account_id, line_item_ids=[line_item_id])
            return find_media_creatives(creatives, account_media_id, line_item_id)

        def create() -> Mapping[str, Any]:
            return self.hook.create_media_creative(
                account_media_id=account_media_id,
                line_item_id=line_item_id,
                landing_url=landing_url,
                account_id=account_id,
            )

        creative, created = create_once(
            lambda: next(iter(find_all()), None),
            create,
            lost_errors=(AdsApiResponseLostError,),
            what="media creative",
            settle_seconds=self._settle_seconds(),
            find_all=find_all,
            delete_own=lambda own: self.hook.delete_media_creative(str(own["id"]), account_id=account_id),
            converge_seconds=self.converge_seconds,
            remembered=remembered_create(
                state,
                f"created.media_creative.{line_item_id}",
                lambda creative_id: self.hook.get_media_creative(creative_id, account_id=account_id),
                lambda creative: (
                    (str(creative.get("line_item_id")), str(creative.get("account_media_id")))
                    == (line_item_id, account_media_id)
                ),
                not_found_code=NOT_FOUND_CODES.MEDIA_CREATIVE,
                what="media creative",
            ),
        )
        if not created and landing_url is not None and creative.get("landing_url") not in (None, landing_url):
            self.log.warning(
                "Media creative %s already exists with landing_url %s (not %s); media creatives cannot "
                "be changed: delete it to attach with a new URL",
                creative.get("id"),
                creative.get("landing_url"),
                landing_url,
            )
        self.log.info(
            "%s media creative %s: account media %s on line item %s",
            "Created" if created else "Reusing",
            creative.get("id"),
            account_media_id,
            line_item_id,
        )
        return creative

    def _set_call_to_action(
        self, line_item_id: str, call_to_action: str, url: str, account_id: str, state: TaskState
    ) -> dict[str, Any]:
        """One preroll call-to-action per line item: created once, updated when it differs."""

        def find_all() -> list[Mapping[str, Any]]:
            return [
                entity
                for entity in self.hook.list_preroll_call_to_actions(
                    account_id=account_id, line_item_ids=[line_item_id]
                )
                if is_live(entity) and entity.get("line_item_id") == line_item_id
            ]

        def create() -> Mapping[str, Any]:
            return self.hook.create_preroll_call_to_action(
                line_item_id, call_to_action, url, account_id=account_id
            )

        entity, created = create_once(
            lambda: next(iter(find_all()), None),
            create,
            lost_errors=(AdsApiResponseLostError,),
            what="preroll call-to-action",
            settle_seconds=self._settle_seconds(),
            find_all=find_all,
            delete_own=lambda own: self.hook.delete_preroll_call_to_action(
                str(own["id"]), account_id=account_id
            ),
            converge_seconds=self.converge_seconds,
            remembered=remembered_create(
                state,
                f"created.preroll_call_to_action.{line_item_id}",
                lambda cta_id: self.hook.get_preroll_call_to_action(cta_id, account_id=account_id),
                lambda entity: str(entity.get("line_item_id")) == line_item_id,
                not_found_code=NOT_FOUND_CODES.GENERIC,
                what="preroll call-to-action",
            ),
        )
        if not created and (entity.get("call_to_action"), entity.get("call_to_action_url")) != (
            call_to_action,
            url,
        ):
            self.log.info(
                "Updating preroll call-to-action %s on line item %s", entity.get("id"), line_item_id
            )
            entity = self.hook.update_preroll_call_to_action(
                entity["id"], call_to_action=call_to_action, call_to_action_url=url, account_id=account_id
            )
        return {
            "id": entity.get("id"),
            "call_to_action": entity.get("call_to_action"),
            "call_to_action_url": entity.get("call_to_action_url"),
        }


class DeleteMediaCreativeOperator(DeleteEntitiesOperator):
    """Delete media creatives; ones already deleted or missing count as done.

    :param media_creative_id: an id, a list of ids, or media creative dicts (their ``id``).
    :param account_id: the ads account; default: the connection's ``account_id``.
    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :return: the list of media creative ids that are now deleted.
    """

    id_parameter = "media_creative_id"
    entity_name = "media creative"
    lineage_resource = Resource.MEDIA_CREATIVES
    not_found_code = NOT_FOUND_CODES.MEDIA_CREATIVE
    template_fields: Sequence[str] = ("media_creative_id", "account_id")

    def __init__(self, *, media_creative_id: str | Mapping[str, Any] | list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.media_creative_id = media_creative_id

    def _delete_one(self) -> Callable[..., Any]:
        return self.hook.delete_media_creative


def _read_live(
    parameter: str,
    entity_id: str,
    account_id: str,
    get: Callable[..., Mapping[str, Any]],
    *not_found_codes: str,
) -> Mapping[str, Any]:
    """The entity ``get`` reads; ValueError naming ``parameter`` when it is missing or deleted (a
    404 with one of the entity's ``not_found_codes``; any other 404 is a wrong route and raised as
    it is)."""
    try:
        entity = get(entity_id, account_id=account_id)
    except AdsApiNotFoundError as exc:
        if not names_missing(exc, *not_found_codes):
            raise
        raise ValueError(
            f"{parameter} {entity_id!r} is missing or deleted in account {account_id} ({exc})"
        ) from exc
    if not is_live(entity):
        raise ValueError(f"{parameter} {entity_id!r} is deleted")
    return entity
