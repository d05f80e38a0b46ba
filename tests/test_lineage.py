"""Lineage names and facets: what each operator reports, and the Assets a downstream DAG waits on."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from importlib.util import find_spec
from pathlib import Path

import pytest

from airflow_provider_twitter_ads import lineage
from airflow_provider_twitter_ads.lineage import (
    DEFAULT_X_ADS_NAMESPACE,
    CreativeLive,
    Lineage,
    LineageDataset,
    Resource,
    account_entity,
    account_media_lineage,
    card_lineage,
    check_creative_live_outlets,
    creative_live_asset,
    creative_live_uri,
    deletion_lineage,
    media_creative_lineage,
    parse_creative_live_uri,
    post_lineage,
    promoted_post_lineage,
    upload_lineage,
    x_ads_namespace,
)

ROOT = Path(__file__).resolve().parents[1]
NAMESPACE = "x-ads://ads-api.x.com"
ACCOUNT = "18ce54d4x5t"
VIDEO_KEY = "13_1029825579531807971"
IMAGE_KEY = "3_1029825579531807972"
needs_openlineage = pytest.mark.skipif(
    find_spec("airflow.providers.openlineage") is None, reason="the openlineage provider is not installed"
)


def _names(datasets: tuple[LineageDataset, ...]) -> list[tuple[str, str]]:
    return [(dataset.namespace, dataset.name) for dataset in datasets]


# -- namespaces and names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "namespace"),
    [
        ("https://ads-api.x.com", "x-ads://ads-api.x.com"),
        ("HTTPS://Ads-API.X.com:443/", "x-ads://ads-api.x.com"),
        ("http://127.0.0.1:8123", "x-ads://127.0.0.1:8123"),
        ("http://localhost:80", "x-ads://localhost"),
        ("https://ads-api.x.com:8443", "x-ads://ads-api.x.com:8443"),
        ("http://[::1]:9000", "x-ads://[::1]:9000"),
    ],
)
def test_namespace_is_the_host_of_the_ads_api_url(url: str, namespace: str) -> None:
    assert x_ads_namespace(url) == namespace


def test_the_default_namespace_is_the_one_of_x_s_ads_api() -> None:
    assert x_ads_namespace("https://ads-api.x.com") == DEFAULT_X_ADS_NAMESPACE


@pytest.mark.parametrize("url", ["", "ads-api.x.com", "ftp://ads-api.x.com", "https://", None, 12])
def test_a_namespace_needs_an_http_url(url: object) -> None:
    with pytest.raises(ValueError, match="ads_api_url must be an http"):
        x_ads_namespace(url)  # type: ignore[arg-type]


def test_each_entity_is_named_by_its_x_api_path() -> None:
    assert lineage.s3_object("creatives", "video/spring.mp4") == LineageDataset(
        "s3://creatives", "video/spring.mp4"
    )
    assert lineage.media(NAMESPACE, VIDEO_KEY).name == "media/13_1029825579531807971"
    assert lineage.tweet(NAMESPACE, "1458212876432416768").name == "tweets/1458212876432416768"
    assert (
        account_entity(NAMESPACE, ACCOUNT, Resource.MEDIA_CREATIVES, "1bzq3").name
        == "accounts/18ce54d4x5t/media_creatives/1bzq3"
    )
    assert (
        account_entity(NAMESPACE, ACCOUNT, Resource.LINE_ITEMS, "8v7jo").uri
        == "x-ads://ads-api.x.com/accounts/18ce54d4x5t/line_items/8v7jo"
    )


def test_ids_are_stripped_and_ints_accepted() -> None:
    assert account_entity(NAMESPACE, f" {ACCOUNT}\n", Resource.CARDS, 12345).name == (
        "accounts/18ce54d4x5t/cards/12345"
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: account_entity(NAMESPACE, "18ce/54d4x5t", Resource.LINE_ITEMS, "8v7jo"), "account_id"),
        (lambda: account_entity(NAMESPACE, ACCOUNT, Resource.LINE_ITEMS, ""), "line_items id"),
        (lambda: account_entity(NAMESPACE, ACCOUNT, Resource.LINE_ITEMS, True), "line_items id"),
        (lambda: account_entity(NAMESPACE, ACCOUNT, "campaigns", "8v7jo"), "resource must be one of"),
        (lambda: lineage.media(NAMESPACE, "1029825579531807971"), "media_key"),
        (lambda: lineage.media(NAMESPACE, {"media_key": VIDEO_KEY}), "media_key"),
        (lambda: lineage.tweet(NAMESPACE, "1458 212"), "tweet_id"),
        (lambda: lineage.s3_object("", "key"), "bucket"),
        (lambda: lineage.s3_object("bucket/prefix", "key"), "bucket"),
        (lambda: lineage.s3_object("bucket", ""), "key"),
    ],
)
def test_a_value_that_cannot_name_a_dataset_is_refused(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# -- what each operator reads and writes ----------------------------------------------------------


def test_upload_reads_the_s3_object_and_writes_the_media() -> None:
    found = upload_lineage(
        NAMESPACE, bucket="creatives", key="video/spring.mp4", media_key=VIDEO_KEY, total_bytes=7_340_032
    )
    assert _names(found.inputs) == [("s3://creatives", "video/spring.mp4")]
    assert _names(found.outputs) == [(NAMESPACE, "media/13_1029825579531807971")]
    assert found.outputs[0].size_bytes == 7_340_032


def test_account_media_reads_the_media_and_writes_the_account_media() -> None:
    found = account_media_lineage(
        NAMESPACE, account_id=ACCOUNT, media_key=VIDEO_KEY, account_media_id="9w1k2"
    )
    assert _names(found.inputs) == [(NAMESPACE, "media/13_1029825579531807971")]
    assert _names(found.outputs) == [(NAMESPACE, "accounts/18ce54d4x5t/account_media/9w1k2")]


def test_media_creatives_read_the_account_media_and_line_items() -> None:
    creatives = [
        {"id": "1bzq3", "line_item_id": "8v7jo", "preroll_call_to_action": {"id": "4ku9"}},
        {"id": "1bzq4", "line_item_id": "8v7jp"},
        # The same line item again (a repeated id in line_item_id) is one input.
        {"id": "1bzq3", "line_item_id": "8v7jo", "preroll_call_to_action": {"id": "4ku9"}},
    ]
    found = media_creative_lineage(
        NAMESPACE, account_id=ACCOUNT, account_media_id="9w1k2", creatives=creatives
    )
    assert [name for _, name in _names(found.inputs)] == [
        "accounts/18ce54d4x5t/account_media/9w1k2",
        "accounts/18ce54d4x5t/line_items/8v7jo",
        "accounts/18ce54d4x5t/line_items/8v7jp",
    ]
    assert [name for _, name in _names(found.outputs)] == [
        "accounts/18ce54d4x5t/media_creatives/1bzq3",
        "accounts/18ce54d4x5t/preroll_call_to_actions/4ku9",
        "accounts/18ce54d4x5t/media_creatives/1bzq4",
    ]


def test_the_upload_output_is_the_account_media_input() -> None:
    uploaded = upload_lineage(NAMESPACE, bucket="b", key="a.png", media_key=IMAGE_KEY, total_bytes=10)
    made = account_media_lineage(NAMESPACE, account_id=ACCOUNT, media_key=IMAGE_KEY, account_media_id="9w1k2")
    attached = media_creative_lineage(
        NAMESPACE,
        account_id=ACCOUNT,
        account_media_id="9w1k2",
        creatives=[{"id": "1", "line_item_id": "8v7jo"}],
    )
    assert _names(uploaded.outputs) == _names(made.inputs)
    assert _names(made.outputs) == _names(attached.inputs[:1])


def test_card_post_and_promoted_post() -> None:
    card = card_lineage(NAMESPACE, account_id=ACCOUNT, card_id="6kxip", media_keys=[IMAGE_KEY, IMAGE_KEY])
    assert [name for _, name in _names(card.inputs)] == ["media/3_1029825579531807972"]
    assert [name for _, name in _names(card.outputs)] == ["accounts/18ce54d4x5t/cards/6kxip"]

    post = post_lineage(NAMESPACE, tweet_id="1458212876432416768", account_id=ACCOUNT, card_id="6kxip")
    assert _names(post.inputs) == _names(card.outputs)
    assert [name for _, name in _names(post.outputs)] == ["tweets/1458212876432416768"]
    with_media = post_lineage(NAMESPACE, tweet_id="1458212876432416768", media_keys=[VIDEO_KEY])
    assert [name for _, name in _names(with_media.inputs)] == ["media/13_1029825579531807971"]

    promoted = promoted_post_lineage(
        NAMESPACE,
        account_id=ACCOUNT,
        line_item_id="8v7jo",
        promoted=[("1458212876432416768", "2r0wxw"), ("1458212876432416769", "2r0wxx")],
    )
    assert [name for _, name in _names(promoted.inputs)] == [
        "accounts/18ce54d4x5t/line_items/8v7jo",
        "tweets/1458212876432416768",
        "tweets/1458212876432416769",
    ]
    assert [name for _, name in _names(promoted.outputs)] == [
        "accounts/18ce54d4x5t/promoted_tweets/2r0wxw",
        "accounts/18ce54d4x5t/promoted_tweets/2r0wxx",
    ]


def test_a_post_card_needs_its_account() -> None:
    with pytest.raises(ValueError, match="account_id is needed"):
        post_lineage(NAMESPACE, tweet_id="1458212876432416768", card_id="6kxip")


def test_a_deletion_marks_each_entity_deleted() -> None:
    found = deletion_lineage(
        NAMESPACE, account_id=ACCOUNT, resource=Resource.ACCOUNT_MEDIA, entity_ids=["9w1k2", "9w1k3"]
    )
    assert found.outputs == ()
    assert [(d.name, d.deleted) for d in found.inputs] == [
        ("accounts/18ce54d4x5t/account_media/9w1k2", True),
        ("accounts/18ce54d4x5t/account_media/9w1k3", True),
    ]


# -- OpenLineage ----------------------------------------------------------------------------------


@needs_openlineage
def test_openlineage_datasets_carry_the_names_and_facets() -> None:
    from openlineage.client.serde import Serde

    found = upload_lineage(
        NAMESPACE, bucket="creatives", key="video/spring.mp4", media_key=VIDEO_KEY, total_bytes=7_340_032
    ).to_openlineage()
    assert [Serde.to_dict(d) for d in found.inputs] == [
        {"namespace": "s3://creatives", "name": "video/spring.mp4", "facets": {}}
    ]
    (output,) = [Serde.to_dict(d) for d in found.outputs]
    assert output["namespace"] == NAMESPACE
    assert output["name"] == "media/13_1029825579531807971"
    statistics = output["outputFacets"]["outputStatistics"]
    assert (statistics["size"], statistics["fileCount"]) == (7_340_032, 1)
    assert statistics["_schemaURL"].endswith("OutputStatisticsOutputDatasetFacet")
    assert "rowCount" not in statistics


@needs_openlineage
def test_openlineage_marks_deleted_entities_drop() -> None:
    from openlineage.client.serde import Serde

    found = deletion_lineage(
        NAMESPACE, account_id=ACCOUNT, resource=Resource.MEDIA_CREATIVES, entity_ids=["1bzq3"]
    ).to_openlineage()
    (deleted,) = [Serde.to_dict(d) for d in found.inputs]
    assert deleted["name"] == "accounts/18ce54d4x5t/media_creatives/1bzq3"
    assert deleted["facets"]["lifecycleStateChange"]["lifecycleStateChange"] == "DROP"
    assert found.outputs == []


@needs_openlineage
def test_outputs_without_a_size_have_no_output_statistics() -> None:
    from openlineage.client.serde import Serde

    found = account_media_lineage(
        NAMESPACE, account_id=ACCOUNT, media_key=VIDEO_KEY, account_media_id="9w1k2"
    ).to_openlineage()
    assert [Serde.to_dict(d) for d in found.outputs] == [
        {"namespace": NAMESPACE, "name": "accounts/18ce54d4x5t/account_media/9w1k2", "facets": {}}
    ]


def test_an_empty_lineage_is_empty() -> None:
    assert Lineage() == Lineage(inputs=(), outputs=())


# -- Airflow Assets -------------------------------------------------------------------------------


def test_creative_live_asset_is_the_line_item_uri() -> None:
    asset = creative_live_asset(ACCOUNT, "8v7jo")
    assert asset.uri == "x-ads://ads-api.x.com/accounts/18ce54d4x5t/line_items/8v7jo"
    assert asset.uri == creative_live_uri(ACCOUNT, "8v7jo")
    # The asset names the same line item the media creative lineage reads.
    attached = media_creative_lineage(
        NAMESPACE,
        account_id=ACCOUNT,
        account_media_id="9w1k2",
        creatives=[{"id": "1", "line_item_id": "8v7jo"}],
    )
    assert attached.inputs[1].uri == asset.uri


def test_creative_live_asset_of_another_ads_api_host() -> None:
    asset = creative_live_asset(ACCOUNT, "8v7jo", ads_api_url="http://127.0.0.1:8123")
    assert asset.uri == "x-ads://127.0.0.1:8123/accounts/18ce54d4x5t/line_items/8v7jo"


def test_creative_live_asset_refuses_a_bad_id_when_the_dag_is_parsed() -> None:
    with pytest.raises(ValueError, match="line_items id"):
        creative_live_asset(ACCOUNT, "{{ params.line_item_id }}")


def test_airflow_keeps_an_x_scheme_uri_as_written() -> None:
    # Airflow normalises other schemes (a trailing slash is dropped, a known scheme's rules apply);
    # an x- scheme it leaves alone, so the URI stays the OpenLineage one.
    asset = creative_live_asset("18CE54D4X5T", "8V7JO")
    assert asset.uri == "x-ads://ads-api.x.com/accounts/18CE54D4X5T/line_items/8V7JO"


def test_a_creative_live_uri_names_its_line_item() -> None:
    asset = creative_live_asset(ACCOUNT, "8v7jo", ads_api_url="http://127.0.0.1:8123")
    assert parse_creative_live_uri(asset.uri) == CreativeLive("x-ads://127.0.0.1:8123", ACCOUNT, "8v7jo")


@pytest.mark.parametrize(
    "uri",
    [
        "s3://creatives/accounts/18ce54d4x5t/line_items/8v7jo",
        "x-ads://ads-api.x.com/accounts/18ce54d4x5t/media_creatives/1bzq3",
        "x-ads://ads-api.x.com/accounts/18ce54d4x5t/line_items/8v7jo/extra",
        "x-ads://ads-api.x.com/accounts/18ce54d4x5t/line_items/8v7jo?x=1",
        "x-ads:///accounts/18ce54d4x5t/line_items/8v7jo",
        "x-ads://ads-api.x.com/media/13_1029825579531807971",
        None,
    ],
)
def test_other_uris_name_no_line_item(uri: str | None) -> None:
    assert parse_creative_live_uri(uri) is None


def test_creative_live_outlets_must_name_an_attached_line_item() -> None:
    outlets = [
        creative_live_asset(ACCOUNT, "8v7jo"),
        creative_live_asset(ACCOUNT, "8v7jp"),
        lineage.s3_object("reports", "spring.csv"),  # not a creative-live URI: left alone
        object(),  # no uri at all (an AssetAlias has none)
    ]
    found = check_creative_live_outlets(
        outlets, namespace=NAMESPACE, account_id=ACCOUNT, line_item_ids=["8v7jo", "8v7jp", "8v7jq"]
    )
    assert [named.line_item_id for named in found] == ["8v7jo", "8v7jp"]


@pytest.mark.parametrize(
    ("asset_args", "message"),
    [
        ((ACCOUNT, "8v7jr"), "line item 8v7jr of account 18ce54d4x5t at x-ads://ads-api.x.com"),
        (("18ce54d4x5u", "8v7jo"), "of account 18ce54d4x5u"),
    ],
)
def test_a_creative_live_outlet_for_another_line_item_is_refused(asset_args, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        check_creative_live_outlets(
            [creative_live_asset(*asset_args)],
            namespace=NAMESPACE,
            account_id=ACCOUNT,
            line_item_ids=["8v7jo"],
        )
    assert "this task attaches to line item(s) 8v7jo of account 18ce54d4x5t" in str(raised.value)


def test_a_creative_live_outlet_for_another_host_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("at x-ads://127.0.0.1:8123")):
        check_creative_live_outlets(
            [creative_live_asset(ACCOUNT, "8v7jo")],
            namespace="x-ads://127.0.0.1:8123",
            account_id=ACCOUNT,
            line_item_ids=["8v7jo"],
        )


# -- optional -------------------------------------------------------------------------------------

# Airflow reads every installed provider's metadata when it starts; after that, any import of
# OpenLineage (its client, its provider, the compat facets) fails, as if it were not installed.
_BLOCK_OPENLINEAGE = textwrap.dedent(
    """
    import importlib.abc, sys

    import airflow.configuration

    class Blocked(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "openlineage" or name.startswith(
                ("airflow.providers.openlineage", "airflow.providers.common.compat.openlineage")
            ):
                raise ImportError(f"{name} is blocked")
            return None

    sys.meta_path.insert(0, Blocked())
    """
)


def _run(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _BLOCK_OPENLINEAGE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_openlineage_names_and_assets_still_work() -> None:
    found = _run(
        """
        import json
        from airflow_provider_twitter_ads import lineage
        built = lineage.upload_lineage(
            "x-ads://ads-api.x.com", bucket="b", key="k.png", media_key="3_1029825579531807972", total_bytes=1
        )
        asset = lineage.creative_live_asset("18ce54d4x5t", "8v7jo")
        try:
            built.to_openlineage()
            converted = "converted"
        except ImportError as exc:
            converted = str(exc)
        print(json.dumps({"outputs": [d.uri for d in built.outputs], "asset": asset.uri, "converted": converted}))
        """
    )
    assert found == {
        "outputs": ["x-ads://ads-api.x.com/media/3_1029825579531807972"],
        "asset": "x-ads://ads-api.x.com/accounts/18ce54d4x5t/line_items/8v7jo",
        "converted": "airflow.providers.common.compat.openlineage is blocked",
    }


def test_importing_the_lineage_module_imports_nothing_of_openlineage() -> None:
    found = _run(
        """
        import json, sys
        before = set(sys.modules)
        import airflow_provider_twitter_ads.lineage
        from airflow_provider_twitter_ads.lineage import creative_live_asset, upload_lineage
        asset = creative_live_asset("18ce54d4x5t", "8v7jo")
        new = sorted(m for m in set(sys.modules) - before if "openlineage" in m)
        print(json.dumps({"new": new, "asset_class": type(asset).__name__}))
        """
    )
    # An Asset on Airflow 3, a Dataset on Airflow 2.10.
    assert found == {"new": [], "asset_class": "Asset" if find_spec("airflow.sdk") else "Dataset"}
