"""What CreateAccountMediaOperator rolls back when the media does not fit, and how the operators
wait for a write the server commits after the client's timeout (against the emulator)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator

from .helpers import live, ready_media, writes

#: The client's timeout in the late-commit tests; the server commits after it.
CLIENT_TIMEOUT = 0.5


def run_create(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("timeout", 5)
    return CreateAccountMediaOperator(task_id="account_media", **kwargs).execute(context={})


def deleted_ids(emulator: AdsApiEmulator) -> list[str]:
    """The last path segment of every DELETE the emulator received."""
    return [path.rsplit("/", 1)[1] for method, path in writes(emulator) if method == "DELETE"]


# -- rollback ---------------------------------------------------------------------------------------


def test_rollback_never_deletes_account_media_that_existed_before(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    key = upload["media_key"]
    # An account media of this key from an earlier library add whose entry was removed since ...
    earlier = run_create(media_key=key, creative_type="MEDIUM_RECTANGLE")
    AdsApiHook().delete_media_library_entry(key)
    # ... and more newer account media than the one page read before the add.
    others = ads_api_emulator.seed_entities("account_media", 250, creative_type="BANNER")
    ads_api_emulator.request_log.clear()

    with pytest.raises(ValueError, match=r"of type MEDIUM_RECTANGLE .* not BANNER") as caught:
        run_create(media_key=key, creative_type="BANNER")

    (made,) = [m for m in ads_api_emulator.state.table("account_media").values() if m["deleted"]]
    assert made["media_key"] == key and made["id"] != earlier["id"]
    assert deleted_ids(ads_api_emulator) == [made["id"], key]
    assert f"deleted account media {made['id']} (MEDIUM_RECTANGLE), media library entry {key}" in str(
        caught.value
    )
    still_live = {m["id"] for m in live(ads_api_emulator, "account_media")}
    assert still_live == {earlier["id"], *(o["id"] for o in others)}
    assert live(ads_api_emulator, "media_library") == []


def test_an_entry_that_existed_before_is_never_rolled_back(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    earlier = run_create(media_key=upload["media_key"], creative_type="MEDIUM_RECTANGLE")
    ads_api_emulator.request_log.clear()

    with pytest.raises(ValueError, match=r"of type MEDIUM_RECTANGLE .* not BANNER") as caught:
        run_create(media_key=upload["media_key"], creative_type="BANNER")

    assert "rolled back" not in str(caught.value)
    assert writes(ads_api_emulator) == []
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [earlier["id"]]
    assert [e["media_key"] for e in live(ads_api_emulator, "media_library")] == [upload["media_key"]]


def test_an_add_whose_response_was_lost_is_rolled_back_too(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": "/media_library$"}]}
    )

    with pytest.raises(ValueError, match=r"of type MEDIUM_RECTANGLE .* not BANNER") as caught:
        run_create(media_key=upload["media_key"], creative_type="BANNER")

    assert ads_api_emulator.faults.injected["drop_after"] == 1
    assert len(ads_api_emulator.api_requests("POST", "/media_library")) == 1
    assert "rolled back" in str(caught.value)
    assert live(ads_api_emulator, "media_library") == []
    assert live(ads_api_emulator, "account_media") == []


def test_a_rollback_that_fails_says_what_was_left(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    key = upload["media_key"]
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "error", "options": {"status": 400}, "method": "DELETE", "path": "/media_library/"}
            ]
        }
    )

    with pytest.raises(ValueError, match="BANNER") as caught:
        run_create(media_key=key, creative_type="BANNER")

    message = str(caught.value)
    assert f"but left media library entry {key} (DELETE" in message
    assert message.endswith("delete by hand")
    assert live(ads_api_emulator, "account_media") == []
    assert [e["media_key"] for e in live(ads_api_emulator, "media_library")] == [key]


def test_media_of_a_known_fit_is_never_rolled_back_on_timeout(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    # The API may only be slow: a re-run must find the entry rather than add the key again.
    upload = ready_media(ads_api_emulator, "amplify_video")
    with ads_api_emulator.state.lock:
        record = ads_api_emulator.state.media[upload["media_key"]]
        record.media_category = "tweet_video"  # the API makes no account media from it
    with pytest.raises(TimeoutError, match="PREROLL"):
        run_create(media_key=upload["media_key"], timeout=0.2)

    assert [m for m, _ in writes(ads_api_emulator)] == ["POST"]
    assert [e["media_key"] for e in live(ads_api_emulator, "media_library")] == [upload["media_key"]]


# -- a write the server commits after the client's timeout ------------------------------------------


@pytest.fixture
def short_timeout_conn(ads_api_emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    connection = ads_api_emulator.airflow_connection(timeout=CLIENT_TIMEOUT)
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    return "twitter_ads_default"


def late(path: str, seconds: float) -> dict[str, Any]:
    return {
        "scripted": [
            {
                "kind": "slow",
                "method": "POST",
                "path": path,
                "options": {"seconds": seconds, "when": "before"},
            }
        ]
    }


def test_a_media_creative_committed_after_the_timeout_is_made_once(
    ads_api_emulator: AdsApiEmulator, short_timeout_conn: str
) -> None:
    (account_media,) = ads_api_emulator.seed_entities("account_media", 1, creative_type="MEDIUM_RECTANGLE")
    # Commits 0.8 s after the request; the default settle period is twice the 0.5 s timeout.
    ads_api_emulator.faults.configure(late("/media_creatives$", 0.8))

    result = AttachMediaCreativeOperator(
        task_id="attach", account_media_id=account_media["id"], line_item_id="8v7jq"
    ).execute(context={})

    assert ads_api_emulator.faults.injected["slow"] == 1
    assert len(ads_api_emulator.api_requests("POST", "/media_creatives")) == 1
    assert [c["id"] for c in live(ads_api_emulator, "media_creatives")] == [result["id"]]


def test_a_library_add_committed_after_the_timeout_is_made_once(
    ads_api_emulator: AdsApiEmulator, short_timeout_conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.faults.configure(late("/media_library$", 1.2))

    result = run_create(media_key=upload, settle_seconds=3)

    assert ads_api_emulator.faults.injected["slow"] == 1
    assert len(ads_api_emulator.api_requests("POST", "/media_library")) == 1
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [result["id"]]
    assert len(live(ads_api_emulator, "media_library")) == 1


@pytest.mark.parametrize("bad", [-1, True, "2"])
def test_a_bad_settle_period_is_refused_at_construction(bad: object) -> None:
    with pytest.raises(ValueError, match="settle_seconds must be a non-negative number"):
        CreateAccountMediaOperator(task_id="t", media_key="13_1", settle_seconds=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="settle_seconds must be a non-negative number"):
        AttachMediaCreativeOperator(
            task_id="t",
            account_media_id="a",
            line_item_id="b",
            settle_seconds=bad,  # type: ignore[arg-type]
        )
