"""Bases shared by the operators that create and delete Ads API entities."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_twitter_ads.compat import Asset, AssetAlias, BaseOperator, Context
from airflow_provider_twitter_ads.exceptions import AdsApiError, AdsApiNotFoundError, names_missing
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.ids import entity_ids
from airflow_provider_twitter_ads.lineage import (
    CreativeLiveEvent,
    Lineage,
    creative_live_uri,
    deletion_lineage,
    parse_creative_live_uri,
    x_ads_namespace,
)
from airflow_provider_twitter_ads.utils.creatives import is_live
from airflow_provider_twitter_ads.utils.exactly_once import (
    CONVERGE_SECONDS,
    RememberedCreate,
    delete_each,
    settle_seconds_for,
)
from airflow_provider_twitter_ads.utils.promoted_posts import default_name
from airflow_provider_twitter_ads.utils.task_state import TaskState
from airflow_provider_twitter_ads.vocabulary import MISSING_LIBRARY_ENTRY_CODES, NOT_FOUND_CODES

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage


def check_seconds(name: str, value: Any, *, optional: bool = False) -> float | None:
    """``value`` as float seconds; ValueError unless it is a non-negative number (or None if optional)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        allowed = " or None" if optional else ""
        raise ValueError(f"{name} must be a non-negative number of seconds{allowed}, got {value!r}")
    return float(value)


def task_name(kind: str, context: Context, operator: BaseOperator) -> str:
    """The default ``name`` of what a task instance makes: the same for every try and twin of it."""
    ti = context.get("ti")
    dag_id = getattr(ti, "dag_id", None) or getattr(operator, "dag_id", None) or "no-dag"
    run_id = context.get("run_id") or getattr(ti, "run_id", None) or "no-run"
    map_index = getattr(ti, "map_index", None)
    return default_name(kind, str(dag_id), operator.task_id, str(run_id), map_index)


class ReportsLineage:
    """An operator that tells OpenLineage what its run read and wrote (``docs/lineage.rst``).

    ``execute`` sets ``_lineage`` as soon as something is written; the OpenLineage provider's
    listener calls ``get_openlineage_facets_on_complete`` after the task (also after a failure),
    and only then is OpenLineage imported.
    """

    _lineage: Lineage | None = None

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        """The run's inputs and outputs; empty when it wrote nothing."""
        return (self._lineage or Lineage()).to_openlineage()


class AdsApiEntityOperator(ReportsLineage, BaseOperator):
    """An operator that writes Ads API entities through :class:`AdsApiHook`, exactly once.

    :param twitter_ads_conn_id: the ``twitter_ads`` connection.
    :param settle_seconds: after a write's response is lost, seconds to keep looking for what it
        may still create before writing again; default: twice the connection's timeout. A write the
        server commits later than that is made twice.
    :param converge_seconds: after a create, seconds to wait before the list that settles which of
        several concurrent creates of the same entity survives (default 1.5: ``created_at`` has
        one-second resolution). Every task keeps the oldest and deletes its own if it lost.
    """

    ui_color = "#cde4f7"

    def __init__(
        self,
        *,
        twitter_ads_conn_id: str = AdsApiHook.default_conn_name,
        settle_seconds: float | None = None,
        converge_seconds: float = CONVERGE_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.twitter_ads_conn_id = twitter_ads_conn_id
        self.settle_seconds = check_seconds("settle_seconds", settle_seconds, optional=True)
        self.converge_seconds = check_seconds("converge_seconds", converge_seconds)

    @cached_property
    def hook(self) -> AdsApiHook:
        return AdsApiHook(twitter_ads_conn_id=self.twitter_ads_conn_id)

    @property
    def lineage_namespace(self) -> str:
        """The OpenLineage namespace of the connection's Ads API host, ``x-ads://<host>``."""
        return x_ads_namespace(self.hook.config.ads_api_url)

    def _settle_seconds(self) -> float:
        if self.settle_seconds is not None:
            return self.settle_seconds
        return settle_seconds_for(self.hook.config.timeout)


def remembered_create(
    state: TaskState,
    key: str,
    get: Callable[[str], Mapping[str, Any]],
    matches: Callable[[Mapping[str, Any]], bool],
    *,
    not_found_code: str | tuple[str, ...] | None,
    what: str,
    identity: Callable[[Mapping[str, Any]], str] | None = None,
    converged_later: bool = False,
) -> RememberedCreate[Mapping[str, Any]]:
    """What a task remembers creating under ``key``, checked by one ``get`` of its id.

    The GET's entity counts when it is live and ``matches`` what is asked for; a 404 naming it
    missing (``not_found_code``, or any of a tuple of them; None: any 404 but a wrong route) means
    it is gone.
    """
    codes = (not_found_code,) if isinstance(not_found_code, str) else not_found_code

    def get_live(entity_id: str) -> Mapping[str, Any] | None:
        try:
            entity = get(entity_id)
        except AdsApiNotFoundError as exc:
            gone = names_missing(exc, *codes) if codes else not names_missing(exc, NOT_FOUND_CODES.ROUTE)
            if gone:
                return None
            raise
        return entity if is_live(entity) and matches(entity) else None

    extra = {} if identity is None else {"identity": identity}
    return RememberedCreate(state, key, get_live, what=what, converged_later=converged_later, **extra)


def report_creatives_live(
    context: Context, outlets: Iterable[object], namespace: str, events: Sequence[CreativeLiveEvent]
) -> None:
    """Tell each creative-live outlet which creatives went live on its line item.

    A creative-live Asset outlet gets the extra of its line item's event; an Asset alias outlet gets
    every event, each on its line item's creative-live Asset on ``namespace``. Outlets are checked
    before any write (``lineage.check_creative_live_outlets``).
    """
    outlet_events = context.get("outlet_events") if context else None
    if outlet_events is None:  # run outside a task runner: there is no event to write to
        return
    for outlet in outlets:
        named = parse_creative_live_uri(getattr(outlet, "uri", None))
        if named is not None:
            for event in events:
                if (event.account_id, event.line_item_id) == (named.account_id, named.line_item_id):
                    outlet_events[outlet].extra.update(event.extra)
        elif isinstance(outlet, AssetAlias):
            for event in events:
                uri = creative_live_uri(event.account_id, event.line_item_id, namespace=namespace)
                outlet_events[outlet].add(Asset(uri), extra=dict(event.extra))


class DeleteEntitiesOperator(AdsApiEntityOperator):
    """Delete entities by id; ones already deleted or missing count as done.

    Subclasses name the id parameter (templated) and the hook's delete method.
    """

    id_parameter: ClassVar[str]
    entity_name: ClassVar[str]
    #: The entities' resource in lineage names (``lineage.Resource``).
    lineage_resource: ClassVar[str]
    #: The 404 code that names this entity missing (``vocabulary.NOT_FOUND_CODES``).
    not_found_code: ClassVar[str]
    template_fields: Sequence[str] = ("account_id",)

    def __init__(self, *, account_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_id = account_id

    def _delete_one(self) -> Callable[..., Any]:
        raise NotImplementedError

    def execute(self, context: Context) -> list[str]:
        ids = entity_ids(getattr(self, self.id_parameter), self.id_parameter)
        account_id = self.account_id or self.hook.account_id
        delete = self._delete_one()

        def delete_checked(entity_id: str) -> object:
            try:
                return delete(entity_id, account_id=account_id)
            except AdsApiNotFoundError as exc:
                if names_missing(exc, self.not_found_code):
                    raise
                raise AdsApiError(
                    f"Deleting {self.entity_name} {entity_id} in account {account_id} failed: the API "
                    f"answered 404 {', '.join(exc.codes) or 'without a code'}, not "
                    f"{self.not_found_code}, so the route is wrong, not the {self.entity_name}: check "
                    f"the connection's ads_api_url and api_version ({exc})",
                    status_code=exc.status_code,
                    errors=exc.errors,
                    method=exc.method,
                    path=exc.path,
                ) from None

        deleted = delete_each(
            ids,
            delete_checked,
            is_missing=lambda exc: names_missing(exc, self.not_found_code),
            what=self.entity_name,
        )
        self._lineage = deletion_lineage(
            self.lineage_namespace, account_id=account_id, resource=self.lineage_resource, entity_ids=deleted
        )
        return deleted


def library_entry_remembered(
    state: TaskState, media_key: str, account_id: str, hook: AdsApiHook
) -> RememberedCreate[Mapping[str, Any]]:
    """The media library entry a task remembers adding ``media_key`` as (its id is the media key)."""
    return remembered_create(
        state,
        f"created.media_library.{media_key}",
        lambda key: hook.get_media_library_entry(key, account_id=account_id),
        lambda entry: str(entry.get("media_key")) == media_key,
        not_found_code=MISSING_LIBRARY_ENTRY_CODES,
        what="media library entry",
        identity=lambda entry: str(entry.get("media_key")),
    )
