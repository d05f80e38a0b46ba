"""The offline-testing example that docs/emulator.rst and the README show, run for real."""

from __future__ import annotations

# [START howto_test_with_emulator]
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator


def test_attach_survives_a_lost_response(ads_api_emulator, twitter_ads_connection):
    [account_media] = ads_api_emulator.seed_entities("account_media", 1)
    # The first POST is committed, but its response never arrives.
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": "/media_creatives$"}]}
    )
    creative = AttachMediaCreativeOperator(
        task_id="attach",
        account_media_id=account_media["id"],
        line_item_id="8v7jo",
        landing_url="https://example.com/",
    ).execute(context={})

    live = [c for c in ads_api_emulator.state.tables["media_creatives"].values() if not c["deleted"]]
    assert [c["id"] for c in live] == [creative["id"]]  # exactly one, not two
    # [END howto_test_with_emulator]
    assert ads_api_emulator.faults.injected["drop_after"] == 1
    assert len(ads_api_emulator.api_requests("POST", "/media_creatives")) == 1
