"""What each operator reports to OpenLineage, and its creative-live outlets, run against the emulator."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any
from urllib.parse import urlsplit

import pytest
from support.creatives import live
from support.outlets import OutletEvents
from support.promoted import LANDING, owned_media

from airflow_provider_twitter_ads.compat import Asset, AssetAlias
from airflow_provider_twitter_ads.emulator import AdsApiEmulator, samples
from airflow_provider_twitter_ads.lineage import creative_live_asset
from airflow_provider_twitter_ads.operators.account_media import DeleteAccountMediaOperator
from airflow_provider_twitter_ads.operators.card import CreateCardOperator
from airflow_provider_twitter_ads.operators.media_creative import (
    AttachMediaCreativeOperator,
    DeleteMediaCreativeOperator,
)
from airflow_provider_twitter_ads.operators.promoted_tweet import PromoteTweetOperator
from airflow_provider_twitter_ads.operators.tweet import CreateTweetOperator
from airflow_provider_twitter_ads.operators.upload import UploadMediaOperator

pytestmark = pytest.mark.skipif(
    find_spec("airflow.providers.openlineage") is None, reason="the openlineage provider is not installed"
)
WEBSITE_CLICKS, VIDEO_VIEWS, PREROLL_VIEWS = "8v7jo", "8v7jp", "8v7jr"


def _facets(operator: Any) -> dict[str, list[dict[str, Any]]]:
    from openlineage.client.serde import Serde

    found = operator.get_openlineage_facets_on_complete(None)
    return {
        "inputs": [Serde.to_dict(dataset) for dataset in found.inputs],
        "outputs": [Serde.to_dict(dataset) for dataset in found.outputs],
    }


def _names(datasets: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(dataset["namespace"], dataset["name"]) for dataset in datasets]


@pytest.fixture
def namespace(ads_api_emulator: AdsApiEmulator) -> str:
    return f"x-ads://{urlsplit(ads_api_emulator.url).netloc}"


def test_upload_reports_the_s3_object_in_and_the_media_out(
    twitter_ads_connection: str, aws_connection: str, s3_client: Any, s3_bucket: str, namespace: str
) -> None:
    data = samples.png(320, 50)
    s3_client.put_object(Bucket=s3_bucket, Key="display/banner.png", Body=data, ContentType="image/png")
    operator = UploadMediaOperator(
        task_id="upload", s3_bucket=s3_bucket, s3_key="display/banner.png", media_category="tweet_image"
    )
    assert _facets(operator) == {"inputs": [], "outputs": []}  # nothing written yet
    result = operator.execute(context={})

    facets = _facets(operator)
    assert facets["inputs"] == [
        {"namespace": f"s3://{s3_bucket}", "name": "display/banner.png", "facets": {}}
    ]
    (media,) = facets["outputs"]
    assert (media["namespace"], media["name"]) == (namespace, f"media/{result['media_key']}")
    assert media["name"].startswith("media/3_")
    statistics = media["outputFacets"]["outputStatistics"]
    assert (statistics["size"], statistics["fileCount"]) == (len(data), 1)


def test_a_resumed_upload_reports_the_same_lineage(
    twitter_ads_connection: str, aws_connection: str, s3_client: Any, s3_bucket: str, namespace: str
) -> None:
    s3_client.put_object(Bucket=s3_bucket, Key="v.mp4", Body=samples.mp4(64 * 1024), ContentType="video/mp4")
    uploaded = UploadMediaOperator(
        task_id="upload", s3_bucket=s3_bucket, s3_key="v.mp4", media_category="amplify_video"
    ).execute(context={})
    # A fresh operator, as after the triggerer: it knows only what the deferral handed on.
    resumed = UploadMediaOperator(
        task_id="upload", s3_uri=f"s3://{s3_bucket}/v.mp4", media_category="amplify_video"
    )
    resumed.execute_complete(
        {},
        {
            "status": "success",
            "media_id": uploaded["media_id"],
            "status_payload": {"media_id": uploaded["media_id"], "processing_info": {"state": "succeeded"}},
        },
        uploaded=uploaded,
        lineage_namespace=namespace,
    )
    facets = _facets(resumed)
    assert _names(facets["inputs"]) == [(f"s3://{s3_bucket}", "v.mp4")]
    assert _names(facets["outputs"]) == [(namespace, f"media/{uploaded['media_key']}")]


def test_media_creatives_and_deletes_name_what_they_read_and_wrote(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, namespace: str
) -> None:
    made = _banner_account_media(ads_api_emulator)
    account = ads_api_emulator.config.account_id

    attach = AttachMediaCreativeOperator(
        task_id="media_creative",
        account_media_id=made,
        line_item_id=[WEBSITE_CLICKS, VIDEO_VIEWS],
        landing_url="https://example.com/spring",
    )
    creatives = attach.execute(context={})
    attached = _facets(attach)
    assert _names(attached["inputs"]) == [
        (namespace, f"accounts/{account}/account_media/{made['id']}"),
        (namespace, f"accounts/{account}/line_items/{WEBSITE_CLICKS}"),
        (namespace, f"accounts/{account}/line_items/{VIDEO_VIEWS}"),
    ]
    assert _names(attached["outputs"]) == [
        (namespace, f"accounts/{account}/media_creatives/{creative['id']}") for creative in creatives
    ]
    assert sorted(c["id"] for c in live(ads_api_emulator, "media_creatives")) == sorted(
        c["id"] for c in creatives
    )

    delete = DeleteMediaCreativeOperator(task_id="delete", media_creative_id=creatives)
    delete.execute({})
    (first, second) = _facets(delete)["inputs"]
    assert first["name"] == f"accounts/{account}/media_creatives/{creatives[0]['id']}"
    assert first["facets"]["lifecycleStateChange"]["lifecycleStateChange"] == "DROP"
    assert second["name"] == f"accounts/{account}/media_creatives/{creatives[1]['id']}"

    delete_media = DeleteAccountMediaOperator(task_id="delete_media", account_media_id=made)
    delete_media.execute({})
    assert _names(_facets(delete_media)["inputs"]) == [
        (namespace, f"accounts/{account}/account_media/{made['id']}")
    ]


def _banner_account_media(emulator: AdsApiEmulator) -> dict[str, Any]:
    """A BANNER account media, as CreateAccountMediaOperator returns it."""
    (made,) = emulator.seed_entities("account_media", 1, creative_type="BANNER")
    return {**made, "account_id": emulator.config.account_id}


def test_creative_live_outlets_get_the_media_creatives(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    made = _banner_account_media(ads_api_emulator)
    account = ads_api_emulator.config.account_id
    live_asset = creative_live_asset(account, WEBSITE_CLICKS, ads_api_url=ads_api_emulator.url)
    alias = AssetAlias("twitter_ads_creative_live")
    events = OutletEvents()
    creatives = AttachMediaCreativeOperator(
        task_id="media_creative",
        account_media_id=made,
        line_item_id=[WEBSITE_CLICKS, VIDEO_VIEWS],
        landing_url="https://example.com/spring",
        outlets=[live_asset, alias],
    ).execute(context={"outlet_events": events})

    by_line_item = {c["line_item_id"]: c["id"] for c in creatives}
    assert events[live_asset].extra == {
        "account_id": account,
        "line_item_id": WEBSITE_CLICKS,
        "account_media_id": made["id"],
        "media_creative_ids": [by_line_item[WEBSITE_CLICKS]],
    }
    assert [uri for uri, _ in events[alias].added] == [
        creative_live_asset(account, line_item, ads_api_url=ads_api_emulator.url).uri
        for line_item in (WEBSITE_CLICKS, VIDEO_VIEWS)
    ]
    assert events[alias].added[1][1]["media_creative_ids"] == [by_line_item[VIDEO_VIEWS]]
    assert isinstance(live_asset, Asset)


def test_an_outlet_for_a_line_item_not_attached_is_refused_before_any_write(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    made = _banner_account_media(ads_api_emulator)
    account = ads_api_emulator.config.account_id
    # The Asset names X's own host, but the connection points at the emulator.
    with pytest.raises(ValueError, match="this task attaches to line item"):
        AttachMediaCreativeOperator(
            task_id="media_creative",
            account_media_id=made,
            line_item_id=WEBSITE_CLICKS,
            landing_url="https://example.com/spring",
            outlets=[creative_live_asset(account, WEBSITE_CLICKS)],
        ).execute(context={})
    with pytest.raises(ValueError, match=f"line item {PREROLL_VIEWS} of account"):
        AttachMediaCreativeOperator(
            task_id="media_creative",
            account_media_id=made,
            line_item_id=WEBSITE_CLICKS,
            landing_url="https://example.com/spring",
            outlets=[creative_live_asset(account, PREROLL_VIEWS, ads_api_url=ads_api_emulator.url)],
        ).execute(context={})
    assert live(ads_api_emulator, "media_creatives") == []


def test_card_post_and_promoted_post_name_what_they_read_and_wrote(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str, namespace: str
) -> None:
    images = [owned_media(ads_api_emulator) for _ in range(2)]
    account = ads_api_emulator.config.account_id

    card = CreateCardOperator(task_id="card", media_keys=images, website_url=LANDING, title="Autumn roast")
    assert _facets(card) == {"inputs": [], "outputs": []}  # nothing written yet
    made = card.execute({})
    assert _names(_facets(card)["inputs"]) == [(namespace, f"media/{image['media_key']}") for image in images]
    assert _names(_facets(card)["outputs"]) == [(namespace, f"accounts/{account}/cards/{made['id']}")]
    assert [c["id"] for c in live(ads_api_emulator, "cards")] == [made["id"]]

    with_card = CreateTweetOperator(task_id="post", text="Autumn roast, out now", card_uri=made)
    tweet = with_card.execute({})
    assert _names(_facets(with_card)["inputs"]) == [(namespace, f"accounts/{account}/cards/{made['id']}")]
    assert _names(_facets(with_card)["outputs"]) == [(namespace, f"tweets/{tweet['tweet_id']}")]
    with_media = CreateTweetOperator(task_id="media_post", text="Autumn roast", media_keys=images[0])
    media_tweet = with_media.execute({})
    assert _names(_facets(with_media)["inputs"]) == [(namespace, f"media/{images[0]['media_key']}")]
    assert _names(_facets(with_media)["outputs"]) == [(namespace, f"tweets/{media_tweet['tweet_id']}")]
    assert media_tweet["tweet_id"] != tweet["tweet_id"]

    promote = PromoteTweetOperator(
        task_id="promote", line_item_id=WEBSITE_CLICKS, tweet_ids=[tweet, media_tweet]
    )
    promoted = promote.execute({})
    assert _names(_facets(promote)["inputs"]) == [
        (namespace, f"accounts/{account}/line_items/{WEBSITE_CLICKS}"),
        (namespace, f"tweets/{tweet['tweet_id']}"),
        (namespace, f"tweets/{media_tweet['tweet_id']}"),
    ]
    assert _names(_facets(promote)["outputs"]) == [
        (namespace, f"accounts/{account}/promoted_tweets/{p['id']}") for p in promoted
    ]
    assert sorted(p["id"] for p in live(ads_api_emulator, "promoted_tweets")) == sorted(
        p["id"] for p in promoted
    )


def test_promoted_posts_fill_creative_live_outlets(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    account = ads_api_emulator.config.account_id
    tweet = CreateTweetOperator(
        task_id="post", text="Autumn roast", media_keys=owned_media(ads_api_emulator)
    ).execute({})
    live_asset = creative_live_asset(account, VIDEO_VIEWS, ads_api_url=ads_api_emulator.url)
    alias = AssetAlias("twitter_ads_creative_live")
    events = OutletEvents()
    promoted = PromoteTweetOperator(
        task_id="promote", line_item_id=VIDEO_VIEWS, tweet_ids=tweet, outlets=[live_asset, alias]
    ).execute(context={"outlet_events": events})

    extra = {
        "account_id": account,
        "line_item_id": VIDEO_VIEWS,
        "tweet_ids": [tweet["tweet_id"]],
        "promoted_tweet_ids": [promoted["id"]],
    }
    assert events[live_asset].extra == extra
    assert events[alias].added == [(live_asset.uri, extra)]
    assert promoted["line_item_id"] == VIDEO_VIEWS


def test_promoting_refuses_an_outlet_for_another_line_item_before_any_write(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    account = ads_api_emulator.config.account_id
    tweet = CreateTweetOperator(
        task_id="post", text="Autumn roast", media_keys=owned_media(ads_api_emulator)
    ).execute({})
    with pytest.raises(ValueError, match=f"line item {VIDEO_VIEWS} of account {account}"):
        PromoteTweetOperator(
            task_id="promote",
            line_item_id=WEBSITE_CLICKS,
            tweet_ids=tweet,
            outlets=[creative_live_asset(account, VIDEO_VIEWS, ads_api_url=ads_api_emulator.url)],
        ).execute(context={})
    # The right line item, but on X's own host while the connection points at the emulator.
    with pytest.raises(ValueError, match="this task attaches to line item"):
        PromoteTweetOperator(
            task_id="promote",
            line_item_id=WEBSITE_CLICKS,
            tweet_ids=tweet,
            outlets=[creative_live_asset(account, WEBSITE_CLICKS)],
        ).execute(context={})
    assert live(ads_api_emulator, "promoted_tweets") == []
