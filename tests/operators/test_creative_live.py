"""ReportCreativesLiveOperator: the creative-live events of mapped attaches, sent from one task."""

from __future__ import annotations

from typing import Any

import pytest
from support.outlets import OutletEvents

from airflow_provider_twitter_ads.compat import AssetAlias
from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.lineage import creative_live_alias, creative_live_asset
from airflow_provider_twitter_ads.operators.creative_live import ReportCreativesLiveOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator

WEBSITE_CLICKS, VIDEO_VIEWS = "8v7jo", "8v7jp"
LANDING = "https://example.com/spring"


def _attach(emulator: AdsApiEmulator, line_item_ids: list[str], events: OutletEvents) -> Any:
    (made,) = emulator.seed_entities("account_media", 1, creative_type="BANNER")
    return AttachMediaCreativeOperator(
        task_id="attach",
        account_media_id={**made, "account_id": emulator.config.account_id},
        line_item_id=line_item_ids,
        landing_url=LANDING,
        outlets=[creative_live_alias()],
    ).execute(context={"outlet_events": events})


def test_the_report_sends_what_each_mapped_attach_would_have_sent(
    ads_api_emulator: AdsApiEmulator, twitter_ads_connection: str
) -> None:
    # Three "mapped" attaches: two account media on one line item, one of them on two line items.
    sent_by_attaches = OutletEvents()
    outputs = [
        _attach(ads_api_emulator, [WEBSITE_CLICKS], sent_by_attaches),
        _attach(ads_api_emulator, [WEBSITE_CLICKS, VIDEO_VIEWS], sent_by_attaches),
    ]
    alias = creative_live_alias()
    sent_by_report = OutletEvents()
    extras = ReportCreativesLiveOperator(task_id="report", results=outputs, outlets=[alias]).execute(
        context={"outlet_events": sent_by_report}
    )

    [attach_alias] = list(sent_by_attaches)
    assert sent_by_report[alias].added == sent_by_attaches[attach_alias].added
    account = ads_api_emulator.config.account_id
    asset_uri = {
        li: creative_live_asset(account, li, ads_api_url=ads_api_emulator.url).uri
        for li in (WEBSITE_CLICKS, VIDEO_VIEWS)
    }
    assert [(uri, extra["line_item_id"]) for uri, extra in sent_by_report[alias].added] == [
        (asset_uri[WEBSITE_CLICKS], WEBSITE_CLICKS),
        (asset_uri[WEBSITE_CLICKS], WEBSITE_CLICKS),
        (asset_uri[VIDEO_VIEWS], VIDEO_VIEWS),
    ]
    first, second = outputs[0], outputs[1]
    assert extras[0] == {
        "account_id": account,
        "line_item_id": WEBSITE_CLICKS,
        "account_media_id": first[0]["account_media_id"],
        "media_creative_ids": [first[0]["id"]],
    }
    assert [extra["media_creative_ids"] for extra in extras] == [
        [first[0]["id"]],
        [second[0]["id"]],
        [second[1]["id"]],
    ]


@pytest.mark.parametrize(
    "outlets",
    [
        [],
        [creative_live_asset("18ce54d4x5t", WEBSITE_CLICKS)],
        [AssetAlias("twitter_ads_creative_live"), creative_live_asset("18ce54d4x5t", WEBSITE_CLICKS)],
    ],
    ids=["no outlet", "an asset", "an alias and an asset"],
)
def test_outlets_other_than_aliases_are_refused_when_the_dag_is_parsed(outlets: list[Any]) -> None:
    with pytest.raises(
        ValueError, match=r"through Asset aliases only: give outlets=\[creative_live_alias\(\)\]"
    ):
        ReportCreativesLiveOperator(task_id="report", results=[], outlets=outlets)


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ([{"id": "1", "line_item_id": WEBSITE_CLICKS, "account_id": "18ce54d4x5t"}], "got keys"),
        ("10002", "must be dicts or lists of them"),
        ([{"id": "1", "account_media_id": "9", "account_id": "18ce54d4x5t"}], "line_item_id None"),
        (
            [{"id": None, "account_media_id": "9", "line_item_id": "8v7jo", "account_id": "18ce54d4x5t"}],
            "id None",
        ),
    ],
    ids=["neither kind", "a string", "no line item", "no id"],
)
def test_results_that_are_not_creatives_send_no_event(
    twitter_ads_connection: str, results: Any, message: str
) -> None:
    alias = creative_live_alias()
    sent = OutletEvents()
    with pytest.raises(ValueError, match=message):
        ReportCreativesLiveOperator(task_id="report", results=results, outlets=[alias]).execute(
            context={"outlet_events": sent}
        )
    assert sent[alias].added == []
