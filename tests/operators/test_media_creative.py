"""operators/media_creative.py against the emulator: AttachMediaCreativeOperator and DeleteMediaCreativeOperator, inputs checked before any write, one media creative per line item, and a create the server commits after the client's timeout."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.concurrency import run_together
from support.creatives import add_preroll_line_item, live, ready_media, tables, writes

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import AdsApiBadRequestError, AdsApiError
from airflow_provider_twitter_ads.operators.account_media import (
    CreateAccountMediaOperator,
)
from airflow_provider_twitter_ads.operators.media_creative import (
    AttachMediaCreativeOperator,
    DeleteMediaCreativeOperator,
)
from airflow_provider_twitter_ads.vocabulary import DISPLAY_CREATIVE_TYPE_DIMENSIONS

WEBSITE_CLICKS, VIDEO_VIEWS, ENGAGEMENTS, PREROLL_VIEWS, DELETED, OTHER_CAMPAIGN = (
    "8v7jo",
    "8v7jp",
    "8v7jq",
    "8v7jr",
    "8v7js",
    "8v7jt",
)

LANDING = "https://example.com/spring"


def account_media(emulator: AdsApiEmulator, category: str, *size: int) -> dict[str, Any]:
    upload = ready_media(emulator, category, *size)
    return CreateAccountMediaOperator(task_id="account_media", media_key=upload, timeout=5).execute({})


def attach(**kwargs: Any) -> Any:
    return AttachMediaCreativeOperator(task_id="media_creative", **kwargs).execute(context={})


#: The client's timeout in the late-commit tests; the server commits after it.
CLIENT_TIMEOUT = 0.5


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


def test_chain_video_to_preroll_creative(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    result = attach(account_media_id=media, line_item_id=PREROLL_VIEWS)

    (creative,) = live(ads_api_emulator, "media_creatives")
    # Media Creatives (v12 reference): creative_type is shown, serving_status is not.
    assert creative["creative_type"] == "PREROLL" and "serving_status" not in creative
    assert result == {
        "id": creative["id"],
        "line_item_id": PREROLL_VIEWS,
        "account_media_id": media["id"],
        "entity_status": "ACTIVE",
        "approval_status": "ACCEPTED",
        "landing_url": None,
        "created_at": creative["created_at"],
        "creative_type": "PREROLL",
        "account_id": ads_api_emulator.config.account_id,
    }
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(("creative_type", "size"), sorted(DISPLAY_CREATIVE_TYPE_DIMENSIONS.items()))
def test_chain_image_to_display_creative(
    ads_api_emulator: AdsApiEmulator,
    conn: str,
    creative_type: str,
    size: tuple[int, int],
    image_media_key_mode: bool,
) -> None:
    media = account_media(ads_api_emulator, "tweet_image", *size)
    result = attach(account_media_id=media, line_item_id=WEBSITE_CLICKS, landing_url=LANDING)

    (creative,) = live(ads_api_emulator, "media_creatives")
    assert (result["id"], result["creative_type"], result["landing_url"]) == (
        creative["id"],
        creative_type,
        LANDING,
    )
    assert creative["account_media_id"] == media["id"]


def test_an_account_media_id_string_and_several_line_items(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    media = account_media(ads_api_emulator, "tweet_image", 300, 250)
    results = attach(
        account_media_id=media["id"],
        line_item_id=[WEBSITE_CLICKS, ENGAGEMENTS, OTHER_CAMPAIGN],
        landing_url=LANDING,
    )

    assert [r["line_item_id"] for r in results] == [WEBSITE_CLICKS, ENGAGEMENTS, OTHER_CAMPAIGN]
    by_line_item = {c["line_item_id"]: c["id"] for c in live(ads_api_emulator, "media_creatives")}
    assert by_line_item == {r["line_item_id"]: r["id"] for r in results}


def test_running_twice_returns_the_same_and_creates_nothing(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    first = attach(account_media_id=media, line_item_id=[VIDEO_VIEWS, PREROLL_VIEWS])
    before, writes_before = tables(ads_api_emulator), writes(ads_api_emulator)

    second = attach(account_media_id=media, line_item_id=[VIDEO_VIEWS, PREROLL_VIEWS])

    assert second == first
    assert tables(ads_api_emulator) == before
    assert writes(ads_api_emulator) == writes_before


def test_a_deleted_media_creative_is_not_reused(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    first = attach(account_media_id=media, line_item_id=VIDEO_VIEWS)
    DeleteMediaCreativeOperator(task_id="d", media_creative_id=first).execute({})

    second = attach(account_media_id=media, line_item_id=VIDEO_VIEWS)

    assert second["id"] != first["id"]
    assert [c["id"] for c in live(ads_api_emulator, "media_creatives")] == [second["id"]]


def test_the_look_up_pages_through_the_line_items_creatives(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    ads_api_emulator.seed_entities("media_creatives", 1001, line_item_id=WEBSITE_CLICKS)
    media = account_media(ads_api_emulator, "tweet_image", 320, 50)
    (existing,) = ads_api_emulator.seed_entities(
        "media_creatives", 1, line_item_id=WEBSITE_CLICKS, account_media_id=media["id"]
    )
    ads_api_emulator.request_log.clear()

    result = attach(account_media_id=media, line_item_id=WEBSITE_CLICKS, landing_url=LANDING)

    assert result["id"] == existing["id"]
    assert writes(ads_api_emulator) == []
    assert len(ads_api_emulator.api_requests("GET", "/media_creatives")) == 2


def test_lost_create_response_is_looked_up_not_retried(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "tweet_image", 300, 250)
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": "/media_creatives$"}]}
    )

    result = attach(account_media_id=media, line_item_id=WEBSITE_CLICKS, landing_url=LANDING)

    assert ads_api_emulator.faults.injected["drop_after"] == 1
    assert len(ads_api_emulator.api_requests("POST", "/media_creatives")) == 1
    assert [c["id"] for c in live(ads_api_emulator, "media_creatives")] == [result["id"]]


def test_task_retry_after_lost_responses_leaves_exactly_one_of_each(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    # Both creates are committed with their responses lost, and the look after each fails too, so
    # each task fails once and is run again, as Airflow's retry would.
    failing_look = {"kind": "error", "options": {"status": 400}, "method": "GET", "after": 1}
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "drop_after", "method": "POST", "path": "/media_library$"},
                {**failing_look, "path": "/media_library/"},
                {"kind": "drop_after", "method": "POST", "path": "/media_creatives$"},
                {**failing_look, "path": "/media_creatives$"},
            ]
        }
    )
    create = CreateAccountMediaOperator(task_id="account_media", media_key=upload, timeout=5)
    with pytest.raises(AdsApiBadRequestError):
        create.execute({})
    media = create.execute({})
    attach_task = AttachMediaCreativeOperator(
        task_id="media_creative", account_media_id=media, line_item_id=VIDEO_VIEWS
    )
    with pytest.raises(AdsApiBadRequestError):
        attach_task.execute({})
    result = attach_task.execute({})

    assert ads_api_emulator.faults.injected == {"drop_after": 2, "error": 2}
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [media["id"]]
    assert [(c["id"], c["account_media_id"]) for c in live(ads_api_emulator, "media_creatives")] == [
        (result["id"], media["id"])
    ]


def test_rate_limited_look_up_is_waited_out(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {
                    "kind": "rate_limit",
                    "options": {"reset_in": 0.2},
                    "method": "GET",
                    "path": "/media_creatives$",
                }
            ]
        }
    )

    result = attach(account_media_id=media, line_item_id=PREROLL_VIEWS)

    assert ads_api_emulator.faults.injected["rate_limit"] == 1
    assert [c["id"] for c in live(ads_api_emulator, "media_creatives")] == [result["id"]]


def test_landing_url_is_dropped_for_preroll(
    ads_api_emulator: AdsApiEmulator, conn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    capsys.readouterr()
    result = attach(account_media_id=media, line_item_id=WEBSITE_CLICKS, landing_url=LANDING)
    # Airflow's task logger writes to the task log (stdout here), not to the logging module.
    assert "landing_url https://example.com/spring is dropped" in capsys.readouterr().out
    assert result["landing_url"] is None
    (creative,) = live(ads_api_emulator, "media_creatives")
    assert creative["landing_url"] is None


def test_preroll_call_to_action_is_created_then_updated(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    line_items = [PREROLL_VIEWS, add_preroll_line_item(ads_api_emulator)]

    first = attach(
        account_media_id=media,
        line_item_id=line_items,
        call_to_action="watch_now",
        call_to_action_url=LANDING,
    )
    ctas = {c["line_item_id"]: c for c in live(ads_api_emulator, "preroll_call_to_actions")}
    assert {li: (c["call_to_action"], c["call_to_action_url"]) for li, c in ctas.items()} == {
        li: ("WATCH_NOW", LANDING) for li in line_items
    }
    assert [r["preroll_call_to_action"]["id"] for r in first] == [ctas[li]["id"] for li in line_items]

    ads_api_emulator.request_log.clear()
    second = attach(
        account_media_id=media,
        line_item_id=line_items,
        call_to_action="SHOP",
        call_to_action_url="https://shop.example",
    )
    assert [r["id"] for r in second] == [r["id"] for r in first]
    assert [r["preroll_call_to_action"] for r in second] == [
        {"id": ctas[li]["id"], "call_to_action": "SHOP", "call_to_action_url": "https://shop.example"}
        for li in line_items
    ]
    assert [m for m, _ in writes(ads_api_emulator)] == ["PUT", "PUT"]
    assert len(live(ads_api_emulator, "preroll_call_to_actions")) == 2

    ads_api_emulator.request_log.clear()
    attach(
        account_media_id=media,
        line_item_id=line_items,
        call_to_action="SHOP",
        call_to_action_url="https://shop.example",
    )
    assert writes(ads_api_emulator) == []


def test_lost_call_to_action_response_leaves_one(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": "/preroll_call_to_actions$"}]}
    )
    result = attach(
        account_media_id=media, line_item_id=PREROLL_VIEWS, call_to_action="GO_TO", call_to_action_url=LANDING
    )
    (cta,) = live(ads_api_emulator, "preroll_call_to_actions")
    assert result["preroll_call_to_action"]["id"] == cta["id"]
    assert ads_api_emulator.faults.injected["drop_after"] == 1


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"line_item_id": "nope0"}, "line_item_id 'nope0' is missing or deleted"),
        ({"line_item_id": DELETED}, f"line_item_id '{DELETED}' is missing or deleted"),
        ({"line_item_id": [VIDEO_VIEWS, "nope0"]}, "line_item_id 'nope0' is missing or deleted"),
        ({"line_item_id": [VIDEO_VIEWS, WEBSITE_CLICKS]}, "landing_url is required: line item 8v7jo"),
        ({"line_item_id": []}, "line_item_id must not be an empty list"),
        ({"line_item_id": ""}, "line_item_id must be a non-empty id"),
        ({"line_item_id": VIDEO_VIEWS, "landing_url": "example.com"}, "landing_url must be an absolute http"),
        (
            {"line_item_id": VIDEO_VIEWS, "landing_url": "ftp://example.com"},
            "landing_url must be an absolute http",
        ),
        (
            {"line_item_id": VIDEO_VIEWS, "call_to_action": "SHOP", "call_to_action_url": LANDING},
            "only for PREROLL",
        ),
        (
            {"line_item_id": VIDEO_VIEWS, "account_media_id": "nope0"},
            "account_media_id 'nope0' is missing or deleted",
        ),
        ({"line_item_id": VIDEO_VIEWS, "account_media_id": ["a", "b"]}, "must be one account media"),
        (
            {"line_item_id": VIDEO_VIEWS, "account_media_id": {"creative_type": "BANNER"}},
            "account_media_id must be",
        ),
    ],
)
def test_bad_input_for_image_media_fails_before_any_write(
    ads_api_emulator: AdsApiEmulator, conn: str, kwargs: dict[str, Any], fragment: str
) -> None:
    media = account_media(ads_api_emulator, "tweet_image", 300, 250)
    before, writes_before = tables(ads_api_emulator), writes(ads_api_emulator)
    with pytest.raises(ValueError, match=fragment):
        attach(**{"account_media_id": media, **kwargs})
    assert writes(ads_api_emulator) == writes_before
    assert tables(ads_api_emulator) == before


@pytest.mark.parametrize("code", ["LINE_ITEM_NOT_FOUND", "NOT_FOUND"])
def test_a_missing_line_item_is_a_clear_error_by_either_code(
    ads_api_emulator: AdsApiEmulator, conn: str, code: str
) -> None:
    """ "Error codes and responses" lists LINE_ITEM_NOT_FOUND; the API was also seen answering NOT_FOUND."""
    ads_api_emulator.update_config(line_item_not_found_code=code)
    media = account_media(ads_api_emulator, "tweet_image", 300, 250)
    before, writes_before = tables(ads_api_emulator), writes(ads_api_emulator)
    with pytest.raises(ValueError, match="line_item_id 'nope0' is missing or deleted") as info:
        attach(account_media_id=media, line_item_id="nope0")
    assert f"404 {code} (line_item_id)" in str(info.value)
    assert writes(ads_api_emulator) == writes_before
    assert tables(ads_api_emulator) == before


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"call_to_action": "BUY", "call_to_action_url": LANDING}, "call_to_action must be one of"),
        ({"call_to_action": "SHOP"}, "without call_to_action_url"),
        ({"call_to_action_url": LANDING}, "without call_to_action"),
        (
            {"call_to_action": "SHOP", "call_to_action_url": "shop"},
            "call_to_action_url must be an absolute http",
        ),
        (
            {
                "line_item_id": [PREROLL_VIEWS, DELETED],
                "call_to_action": "SHOP",
                "call_to_action_url": LANDING,
            },
            "8v7js",
        ),
    ],
)
def test_bad_input_for_preroll_media_fails_before_any_write(
    ads_api_emulator: AdsApiEmulator, conn: str, kwargs: dict[str, Any], fragment: str
) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    before, writes_before = tables(ads_api_emulator), writes(ads_api_emulator)
    with pytest.raises(ValueError, match=fragment):
        attach(**{"account_media_id": media, "line_item_id": PREROLL_VIEWS, **kwargs})
    assert writes(ads_api_emulator) == writes_before
    assert tables(ads_api_emulator) == before


def test_deleted_account_media_fails_before_any_write(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    with ads_api_emulator.state.lock:
        ads_api_emulator.state.table("account_media")[media["id"]]["deleted"] = True
    writes_before = writes(ads_api_emulator)
    with pytest.raises(ValueError, match=f"account_media_id '{media['id']}' is missing or deleted"):
        attach(account_media_id=media, line_item_id=VIDEO_VIEWS)
    assert writes(ads_api_emulator) == writes_before
    assert live(ads_api_emulator, "media_creatives") == []


def test_delete_media_creatives_is_idempotent(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    creatives = attach(account_media_id=media, line_item_id=[VIDEO_VIEWS, PREROLL_VIEWS])
    ids = [c["id"] for c in creatives]

    assert DeleteMediaCreativeOperator(task_id="d", media_creative_id=creatives).execute({}) == ids
    assert live(ads_api_emulator, "media_creatives") == []
    assert DeleteMediaCreativeOperator(task_id="d", media_creative_id=ids[0]).execute({}) == [ids[0]]
    assert len(live(ads_api_emulator, "account_media")) == 1


def test_delete_after_a_lost_response_is_done(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    creative = attach(account_media_id=media, line_item_id=VIDEO_VIEWS)
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "DELETE", "path": "/media_creatives/"}]}
    )
    assert DeleteMediaCreativeOperator(task_id="d", media_creative_id=creative["id"]).execute({}) == [
        creative["id"]
    ]
    assert live(ads_api_emulator, "media_creatives") == []


def test_delete_media_creative_bad_ids_fail_before_any_request(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    for bad in ([], None, [" "], "a,b"):
        with pytest.raises(ValueError, match="media_creative_id"):
            DeleteMediaCreativeOperator(task_id="d", media_creative_id=bad).execute({})
    assert ads_api_emulator.api_requests() == []


@pytest.mark.parametrize("api_version", ["4"], indirect=True)
def test_chain_on_api_version_4(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "tweet_image", 768, 1024)
    first = attach(account_media_id=media, line_item_id=WEBSITE_CLICKS, landing_url=LANDING)
    assert attach(account_media_id=media, line_item_id=WEBSITE_CLICKS, landing_url=LANDING) == first
    assert {path.split("/")[1] for _, path in writes(ads_api_emulator)} == {"4"}
    assert [c["id"] for c in live(ads_api_emulator, "media_creatives")] == [first["id"]]


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


#: API latency in the concurrency tests: long enough that every task looks before any create lands.
CONCURRENT_LATENCY = 0.3


@pytest.mark.parametrize("tasks", [2, 5, 8])
def test_concurrent_attaches_leave_one_media_creative(
    ads_api_emulator: AdsApiEmulator, conn: str, tasks: int
) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.update_config(latency=CONCURRENT_LATENCY)

    results = run_together(tasks, lambda: attach(account_media_id=media, line_item_id=VIDEO_VIEWS))

    (creative,) = live(ads_api_emulator, "media_creatives")
    assert {r["id"] for r in results} == {creative["id"]}


@pytest.mark.parametrize("tasks", [2, 8])
def test_concurrent_call_to_actions_leave_one_per_line_item(
    ads_api_emulator: AdsApiEmulator, conn: str, tasks: int
) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.update_config(latency=CONCURRENT_LATENCY)

    results = run_together(
        tasks,
        lambda: attach(
            account_media_id=media,
            line_item_id=PREROLL_VIEWS,
            call_to_action="WATCH_NOW",
            call_to_action_url=LANDING,
        ),
    )

    (cta,) = live(ads_api_emulator, "preroll_call_to_actions")
    (creative,) = live(ads_api_emulator, "media_creatives")
    assert {r["preroll_call_to_action"]["id"] for r in results} == {cta["id"]}
    assert {r["id"] for r in results} == {creative["id"]}


def test_a_line_item_given_twice_is_attached_once(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.request_log.clear()

    results = attach(account_media_id=media, line_item_id=[VIDEO_VIEWS, VIDEO_VIEWS])

    (creative,) = live(ads_api_emulator, "media_creatives")
    # The ids are read as a set in order (ids.entity_ids): one result, one create.
    assert [r["id"] for r in results] == [creative["id"]]
    assert [m for m, _ in writes(ads_api_emulator)] == ["POST"]


def test_a_failure_at_the_nth_line_item_lists_what_was_created_and_a_retry_completes(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    media = account_media(ads_api_emulator, "amplify_video")
    line_items = [VIDEO_VIEWS, OTHER_CAMPAIGN, ENGAGEMENTS]
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {
                    "kind": "error",
                    "method": "POST",
                    "path": "/media_creatives$",
                    "after": 1,
                    "times": 10,
                    "options": {"status": 400},
                }
            ]
        }
    )
    with pytest.raises(AdsApiError) as caught:
        attach(account_media_id=media, line_item_id=line_items)
    (first,) = live(ads_api_emulator, "media_creatives")
    assert (
        f"after this run had attached it to 1 line item(s) (media creatives {VIDEO_VIEWS}: {first['id']})"
        in str(caught.value)
    )

    ads_api_emulator.faults.clear()
    results = attach(account_media_id=media, line_item_id=line_items)
    assert results[0]["id"] == first["id"]
    assert sorted(c["line_item_id"] for c in live(ads_api_emulator, "media_creatives")) == sorted(line_items)
