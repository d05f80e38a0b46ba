"""What the operators read and write, named once for OpenLineage and for Airflow Assets.

Names (``docs/lineage.rst`` shows them with examples):

- An S3 object, as OpenLineage's naming spec has it: namespace ``s3://<bucket>``, name ``<key>``.
- Everything on X: one namespace per Ads API host, ``x-ads://<host[:port] of ads_api_url>``, and a
  name that is the entity's path in the X API without the version:

  - ``media/<media_key>``
  - ``tweets/<tweet_id>``
  - ``accounts/<account_id>/<resource>/<id>``, ``<resource>`` one of :class:`Resource`.

An entity's Airflow Asset URI is ``<namespace>/<name>``, so the Asset views and an OpenLineage
backend name the same thing alike. ``x-`` schemes are the ones Airflow leaves to users: it
accepts them as written and normalises nothing.

This module imports nothing of OpenLineage at module level: only :meth:`Lineage.to_openlineage`
does, and only the OpenLineage provider's listener calls it (through the operators'
``get_openlineage_facets_on_complete``). Without that provider nothing of it is imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

#: The URI scheme of X entities, in OpenLineage namespaces and Airflow Asset URIs.
X_ADS_SCHEME = "x-ads"
#: The Asset alias operators put each line item's creative-live Asset on (``creative_live_alias``).
CREATIVE_LIVE_ALIAS = "twitter_ads_creative_live"
#: The namespace of the X Ads API itself (``https://ads-api.x.com``, the connection's default).
DEFAULT_X_ADS_NAMESPACE = f"{X_ADS_SCHEME}://ads-api.x.com"

# Ads API ids are base-36 (``8v7jo``, ``18ce54d4x5t``); tweet and media ids are digits.
_ID = re.compile(r"[A-Za-z0-9_-]+")
_MEDIA_KEY = re.compile(r"[0-9]+_[0-9]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Resource:
    """The Ads API resources (path segments under ``accounts/<account_id>/``) lineage names."""

    ACCOUNT_MEDIA = "account_media"
    CARDS = "cards"
    LINE_ITEMS = "line_items"
    MEDIA_CREATIVES = "media_creatives"
    PREROLL_CALL_TO_ACTIONS = "preroll_call_to_actions"
    PROMOTED_TWEETS = "promoted_tweets"
    ALL = (ACCOUNT_MEDIA, CARDS, LINE_ITEMS, MEDIA_CREATIVES, PREROLL_CALL_TO_ACTIONS, PROMOTED_TWEETS)


@dataclass(frozen=True)
class LineageDataset:
    """One thing read or written: an OpenLineage dataset's namespace and name, and what is known of it.

    :param size_bytes: bytes written (an output's ``outputStatistics`` facet), if known.
    :param deleted: the task deleted it (a ``lifecycleStateChange`` facet of ``DROP``).
    """

    namespace: str
    name: str
    size_bytes: int | None = None
    deleted: bool = False

    @property
    def uri(self) -> str:
        """``<namespace>/<name>``: OpenLineage's URI of the dataset, and its Airflow Asset URI."""
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Lineage:
    """What one task run read (``inputs``) and wrote (``outputs``)."""

    inputs: tuple[LineageDataset, ...] = ()
    outputs: tuple[LineageDataset, ...] = ()

    def to_openlineage(self) -> OperatorLineage:
        """The OpenLineage provider's ``OperatorLineage``; needs that provider installed."""
        from airflow.providers.common.compat.openlineage.facet import (
            Dataset,
            LifecycleStateChange,
            LifecycleStateChangeDatasetFacet,
            OutputDataset,
            OutputStatisticsOutputDatasetFacet,
        )
        from airflow.providers.openlineage.extractors import OperatorLineage

        def facets(dataset: LineageDataset) -> dict[str, Any]:
            if not dataset.deleted:
                return {}
            return {
                "lifecycleStateChange": LifecycleStateChangeDatasetFacet(
                    lifecycleStateChange=LifecycleStateChange.DROP.value
                )
            }

        def output(dataset: LineageDataset) -> Dataset:
            if dataset.size_bytes is None:
                return Dataset(namespace=dataset.namespace, name=dataset.name, facets=facets(dataset))
            return OutputDataset(
                namespace=dataset.namespace,
                name=dataset.name,
                facets=facets(dataset),
                outputFacets={
                    "outputStatistics": OutputStatisticsOutputDatasetFacet(
                        size=dataset.size_bytes, fileCount=1
                    )
                },
            )

        return OperatorLineage(
            inputs=[Dataset(namespace=d.namespace, name=d.name, facets=facets(d)) for d in self.inputs],
            outputs=[output(dataset) for dataset in self.outputs],
        )


# -- namespaces and names -------------------------------------------------------------------------


def x_ads_namespace(ads_api_url: str) -> str:
    """``x-ads://<host[:port]>`` of an Ads API base URL; the host lowercased, a default port dropped."""
    parts = urlsplit(ads_api_url.strip()) if isinstance(ads_api_url, str) else None
    if parts is None or parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(
            f"ads_api_url must be an http(s) URL like 'https://ads-api.x.com', got {ads_api_url!r}"
        )
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = parts.port
    authority = host if port in (None, _DEFAULT_PORTS[parts.scheme]) else f"{host}:{port}"
    return f"{X_ADS_SCHEME}://{authority}"


def s3_object(bucket: str, key: str) -> LineageDataset:
    """An S3 object: namespace ``s3://<bucket>``, name ``<key>``."""
    if not isinstance(bucket, str) or not bucket or "/" in bucket:
        raise ValueError(f"bucket must be an S3 bucket name, got {bucket!r}")
    if not isinstance(key, str) or not key:
        raise ValueError(f"key must be a non-empty S3 key, got {key!r}")
    return LineageDataset(f"s3://{bucket}", key)


def media(namespace: str, media_key: str, *, size_bytes: int | None = None) -> LineageDataset:
    """An uploaded media: ``media/<media_key>``."""
    return LineageDataset(namespace, f"media/{_segment(media_key, 'media_key', _MEDIA_KEY)}", size_bytes)


def tweet(namespace: str, tweet_id: str) -> LineageDataset:
    """A post (tweet): ``tweets/<tweet_id>``; tweets belong to a user, not to an ads account."""
    return LineageDataset(namespace, f"tweets/{_segment(tweet_id, 'tweet_id')}")


def account_entity(
    namespace: str, account_id: str, resource: str, entity_id: str, *, deleted: bool = False
) -> LineageDataset:
    """An ads account's entity: ``accounts/<account_id>/<resource>/<entity_id>``."""
    if resource not in Resource.ALL:
        raise ValueError(f"resource must be one of {', '.join(Resource.ALL)}, got {resource!r}")
    name = f"accounts/{_segment(account_id, 'account_id')}/{resource}/{_segment(entity_id, f'{resource} id')}"
    return LineageDataset(namespace, name, deleted=deleted)


def _segment(value: object, what: str, pattern: re.Pattern[str] = _ID) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if pattern.fullmatch(text) is None:
        raise ValueError(f"{what} {value!r} cannot name a lineage dataset (expected {pattern.pattern})")
    return text


# -- what each operator reads and writes ----------------------------------------------------------


def upload_lineage(namespace: str, *, bucket: str, key: str, media_key: str, total_bytes: int) -> Lineage:
    """Upload: the S3 object in, the X media out (with the bytes written)."""
    return Lineage(
        inputs=(s3_object(bucket, key),),
        outputs=(media(namespace, media_key, size_bytes=total_bytes),),
    )


def account_media_lineage(
    namespace: str, *, account_id: str, media_key: str, account_media_id: str
) -> Lineage:
    """Account media: the media in, the account media out."""
    return Lineage(
        inputs=(media(namespace, media_key),),
        outputs=(account_entity(namespace, account_id, Resource.ACCOUNT_MEDIA, account_media_id),),
    )


def media_creative_lineage(
    namespace: str, *, account_id: str, account_media_id: str, creatives: Sequence[Mapping[str, Any]]
) -> Lineage:
    """Media creatives: the account media and each line item in; each media creative out.

    ``creatives`` are ``AttachMediaCreativeOperator``'s results (``id``, ``line_item_id``, and a
    ``preroll_call_to_action`` whose ``id`` is an output too).
    """
    inputs = [account_entity(namespace, account_id, Resource.ACCOUNT_MEDIA, account_media_id)]
    outputs = []
    for creative in creatives:
        inputs.append(account_entity(namespace, account_id, Resource.LINE_ITEMS, creative["line_item_id"]))
        outputs.append(account_entity(namespace, account_id, Resource.MEDIA_CREATIVES, creative["id"]))
        call_to_action = creative.get("preroll_call_to_action")
        if call_to_action and call_to_action.get("id"):
            outputs.append(
                account_entity(namespace, account_id, Resource.PREROLL_CALL_TO_ACTIONS, call_to_action["id"])
            )
    return Lineage(inputs=_unique(inputs), outputs=_unique(outputs))


def card_lineage(namespace: str, *, account_id: str, card_id: str, media_keys: Iterable[str]) -> Lineage:
    """A card: the media it shows in, the card out."""
    return Lineage(
        inputs=_unique(media(namespace, key) for key in media_keys),
        outputs=(account_entity(namespace, account_id, Resource.CARDS, card_id),),
    )


def post_lineage(
    namespace: str,
    *,
    tweet_id: str,
    media_keys: Iterable[str] = (),
    account_id: str | None = None,
    card_id: str | None = None,
) -> Lineage:
    """A post (tweet): its media and its card (``card_id`` needs ``account_id``) in, the post out."""
    inputs = [media(namespace, key) for key in media_keys]
    if card_id is not None:
        if account_id is None:
            raise ValueError("card_id names a card of an ads account: account_id is needed with it")
        inputs.append(account_entity(namespace, account_id, Resource.CARDS, card_id))
    return Lineage(inputs=_unique(inputs), outputs=(tweet(namespace, tweet_id),))


def promoted_post_lineage(
    namespace: str, *, account_id: str, line_item_id: str, promoted: Sequence[tuple[str, str]]
) -> Lineage:
    """Promoted posts: the line item and each post in; each promoted tweet out.

    ``promoted`` holds ``(tweet_id, promoted_tweet_id)`` pairs.
    """
    inputs = [account_entity(namespace, account_id, Resource.LINE_ITEMS, line_item_id)]
    inputs += [tweet(namespace, tweet_id) for tweet_id, _ in promoted]
    outputs = [account_entity(namespace, account_id, Resource.PROMOTED_TWEETS, pid) for _, pid in promoted]
    return Lineage(inputs=_unique(inputs), outputs=_unique(outputs))


def deletion_lineage(namespace: str, *, account_id: str, resource: str, entity_ids: Iterable[str]) -> Lineage:
    """A delete: each entity now deleted, as an input marked ``DROP`` (as Airflow's S3 delete does)."""
    return Lineage(
        inputs=_unique(
            account_entity(namespace, account_id, resource, entity_id, deleted=True)
            for entity_id in entity_ids
        )
    )


def _unique(datasets: Iterable[LineageDataset]) -> tuple[LineageDataset, ...]:
    # One dataset per name, in first-seen order: a line item given twice is read once.
    return tuple({(dataset.namespace, dataset.name): dataset for dataset in datasets}.values())


# -- Airflow Assets -------------------------------------------------------------------------------


def creative_live_uri(account_id: str, line_item_id: str, *, namespace: str = DEFAULT_X_ADS_NAMESPACE) -> str:
    """The Asset URI that says "a creative went live on this line item": the line item's URI."""
    return account_entity(namespace, account_id, Resource.LINE_ITEMS, line_item_id).uri


@dataclass(frozen=True)
class CreativeLive:
    """What a creative-live Asset URI names: a line item of an account, on one Ads API host."""

    namespace: str
    account_id: str
    line_item_id: str


_CREATIVE_LIVE_PATH = re.compile(rf"/accounts/({_ID.pattern})/{Resource.LINE_ITEMS}/({_ID.pattern})")


def parse_creative_live_uri(uri: object) -> CreativeLive | None:
    """The line item a creative-live Asset URI names, or None for any other URI."""
    if not isinstance(uri, str):
        return None
    parts = urlsplit(uri)
    found = _CREATIVE_LIVE_PATH.fullmatch(parts.path)
    if parts.scheme != X_ADS_SCHEME or not parts.netloc or found is None or parts.query or parts.fragment:
        return None
    return CreativeLive(f"{X_ADS_SCHEME}://{parts.netloc}", found.group(1), found.group(2))


def check_creative_live_outlets(
    outlets: Iterable[object], *, namespace: str, account_id: str, line_item_ids: Iterable[str]
) -> list[CreativeLive]:
    """The creative-live Assets among ``outlets``; ValueError for one naming a line item not attached.

    Each must name one of ``line_item_ids`` in ``account_id`` on the connection's host
    (``namespace``): an Asset event would otherwise say a creative went live where none did.
    """
    attached = {str(line_item_id) for line_item_id in line_item_ids}
    found = []
    for outlet in outlets:
        named = parse_creative_live_uri(getattr(outlet, "uri", None))
        if named is None:
            continue
        if (
            named.namespace != namespace
            or named.account_id != account_id
            or named.line_item_id not in attached
        ):
            raise ValueError(
                f"outlet {named.namespace}/accounts/{named.account_id}/line_items/{named.line_item_id} says a "
                f"creative goes live on line item {named.line_item_id} of account {named.account_id} at "
                f"{named.namespace}, but this task attaches to line item(s) {', '.join(sorted(attached))} of "
                f"account {account_id} at {namespace}"
            )
        found.append(named)
    return found


@dataclass(frozen=True)
class CreativeLiveEvent:
    """One creative-live Asset event: the line item that got creatives, and the event's ``extra``."""

    account_id: str
    line_item_id: str
    extra: Mapping[str, Any]


def creative_live_events(results: object) -> list[CreativeLiveEvent]:
    """The creative-live events for what ``AttachMediaCreativeOperator`` or ``PromoteTweetOperator`` returned.

    ``results`` is a result dict, or any nesting of lists of them (one task's list, or the outputs
    of mapped task instances). Media creatives make one event per line item and account media,
    extra ``account_media_id`` and ``media_creative_ids``; promoted posts one per line item, extra
    ``tweet_ids`` and ``promoted_tweet_ids``. Both also carry ``account_id`` and ``line_item_id``.
    ValueError for anything that is neither kind of result.
    """
    grouped: dict[tuple[str, ...], dict[str, Any]] = {}
    for result in _result_dicts(results):
        account_id = _segment(result.get("account_id"), "account_id")
        line_item_id = _segment(result.get("line_item_id"), "line_item_id")
        entity_id = _segment(result.get("id"), "id")
        base = {"account_id": account_id, "line_item_id": line_item_id}
        if result.get("account_media_id") is not None:
            account_media_id = _segment(result["account_media_id"], "account_media_id")
            extra = grouped.setdefault(
                ("media_creative", account_id, line_item_id, account_media_id),
                {**base, "account_media_id": account_media_id, "media_creative_ids": []},
            )
            _append_new(extra["media_creative_ids"], entity_id)
        elif result.get("tweet_id") is not None:
            extra = grouped.setdefault(
                ("promoted_tweet", account_id, line_item_id),
                {**base, "tweet_ids": [], "promoted_tweet_ids": []},
            )
            if entity_id not in extra["promoted_tweet_ids"]:
                extra["tweet_ids"].append(_segment(result["tweet_id"], "tweet_id"))
                extra["promoted_tweet_ids"].append(entity_id)
        else:
            raise ValueError(
                "a creative-live result must be a media creative (with account_media_id) or a promoted "
                f"post (with tweet_id), got keys {sorted(result)}"
            )
    return [CreativeLiveEvent(key[1], key[2], extra) for key, extra in grouped.items()]


def _result_dicts(results: object) -> Iterable[Mapping[str, Any]]:
    if isinstance(results, Mapping):
        yield results
    elif isinstance(results, Iterable) and not isinstance(results, (str, bytes)):
        for item in results:
            yield from _result_dicts(item)
    else:
        raise ValueError(f"creative-live results must be dicts or lists of them, got {results!r}")


def _append_new(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def creative_live_asset(account_id: str, line_item_id: str, *, ads_api_url: str | None = None) -> Any:
    """An Airflow Asset (a Dataset on Airflow 2) updated when a creative goes live on a line item.

    Give it as an ``outlet`` of the operator that attaches creatives to that line item, and
    ``schedule=[asset]`` to the DAG that should run then. ``ads_api_url`` is the connection's, if
    not X's own: asset URIs are fixed when the DAG is parsed, so the connection is not read here.
    """
    namespace = DEFAULT_X_ADS_NAMESPACE if ads_api_url is None else x_ads_namespace(ads_api_url)
    uri = creative_live_uri(account_id, line_item_id, namespace=namespace)
    try:
        from airflow.sdk import Asset
    except ImportError:  # Airflow 2.10
        from airflow.datasets import Dataset as Asset  # type: ignore[no-redef]
    return Asset(uri)


def creative_live_alias(name: str = CREATIVE_LIVE_ALIAS) -> Any:
    """An Airflow Asset alias (a Dataset alias on Airflow 2) for creative-live events of any line item.

    As an ``outlet`` of ``AttachMediaCreativeOperator``, it gets one event per line item attached to,
    on that line item's creative-live Asset: use it when the line items are templated or mapped,
    so the Asset is known only when the task runs.
    """
    try:
        from airflow.sdk import AssetAlias
    except ImportError:  # Airflow 2.10
        from airflow.datasets import DatasetAlias as AssetAlias  # type: ignore[no-redef]
    return AssetAlias(name)
