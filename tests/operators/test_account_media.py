"""operators/account_media.py against the emulator: CreateAccountMediaOperator and DeleteAccountMediaOperator, inputs checked before any write, exactly-once creates, rollback of what does not fit, and writes the server commits after the client's timeout."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from support.concurrency import run_together
from support.creatives import live, ready_media, tables, writes

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.exceptions import (
    AdsApiBadRequestError,
    AdsApiError,
    AdsApiForbiddenError,
    AdsApiNotFoundError,
)
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.operators.account_media import (
    CreateAccountMediaOperator,
    DeleteAccountMediaOperator,
)
from airflow_provider_twitter_ads.operators.media_creative import (
    AttachMediaCreativeOperator,
)
from airflow_provider_twitter_ads.vocabulary import DISPLAY_CREATIVE_TYPE_DIMENSIONS


def run_create(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("timeout", 5)
    return CreateAccountMediaOperator(task_id="account_media", **kwargs).execute(context={})


WEBSITE_CLICKS, VIDEO_VIEWS, ENGAGEMENTS, PREROLL_VIEWS, DELETED, OTHER_CAMPAIGN = (
    "8v7jo",
    "8v7jp",
    "8v7jq",
    "8v7jr",
    "8v7js",
    "8v7jt",
)


def account_media(emulator: AdsApiEmulator, category: str, *size: int) -> dict[str, Any]:
    upload = ready_media(emulator, category, *size)
    return CreateAccountMediaOperator(task_id="account_media", media_key=upload, timeout=5).execute({})


#: The client's timeout in the late-commit tests; the server commits after it.
CLIENT_TIMEOUT = 0.5


def deleted_ids(emulator: AdsApiEmulator) -> list[str]:
    """The last path segment of every DELETE the emulator received."""
    return [path.rsplit("/", 1)[1] for method, path in writes(emulator) if method == "DELETE"]


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


def test_preroll_from_an_amplify_video(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    result = run_create(media_key=upload, name="Spring preroll", title="Spring")

    (account_media,) = live(ads_api_emulator, "account_media")
    assert result == {
        "id": account_media["id"],
        "creative_type": "PREROLL",
        "media_key": upload["media_key"],
        # Account Media reference example: a PREROLL's video_id is the media key ("13_...").
        "video_id": upload["media_key"],
        "account_id": ads_api_emulator.config.account_id,
    }
    (entry,) = live(ads_api_emulator, "media_library")
    assert (entry["media_key"], entry["name"], entry["title"]) == (
        upload["media_key"],
        "Spring preroll",
        "Spring",
    )
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(("creative_type", "size"), sorted(DISPLAY_CREATIVE_TYPE_DIMENSIONS.items()))
def test_display_type_is_inferred_from_the_image_size(
    ads_api_emulator: AdsApiEmulator,
    conn: str,
    creative_type: str,
    size: tuple[int, int],
    image_media_key_mode: bool,
) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", *size)
    result = run_create(media_key=upload)

    (account_media,) = live(ads_api_emulator, "account_media")
    assert result["id"] == account_media["id"]
    assert result["creative_type"] == creative_type
    assert result["media_url"] == account_media["media_url"]
    assert "video_id" not in result


def test_a_media_key_string_with_a_given_type(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    result = run_create(media_key=upload["media_key"], creative_type="medium_rectangle")
    assert result["creative_type"] == "MEDIUM_RECTANGLE"
    assert result["media_key"] == upload["media_key"]


def test_a_media_id_with_a_given_type(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    result = run_create(media_id=upload["media_id"], creative_type="PREROLL")
    assert (result["media_key"], result["creative_type"]) == (upload["media_key"], "PREROLL")


def test_running_twice_returns_the_same_and_creates_nothing(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", 320, 480)
    first = run_create(media_key=upload)
    before, writes_before = tables(ads_api_emulator), writes(ads_api_emulator)

    second = run_create(media_key=upload)

    assert second == first
    assert tables(ads_api_emulator) == before
    assert writes(ads_api_emulator) == writes_before
    assert len(writes_before) == 1  # the one media library add


def test_media_already_in_the_library_is_not_added_again(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    run_create(media_key=upload)
    # Re-adding a key makes the API create its account media again: the operator must not.
    ads_api_emulator.request_log.clear()

    result = run_create(media_key=upload["media_key"])

    assert writes(ads_api_emulator) == []
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [result["id"]]


def _library_look_answers_404(emulator: AdsApiEmulator, code: str, message: str) -> None:
    """The next GET of a media library entry answers 404 with ``code``."""
    emulator.faults.configure(
        {
            "scripted": [
                {
                    "kind": "error",
                    "method": "GET",
                    "path": "/media_library/",
                    "options": {"status": 404, "code": code, "message": message},
                }
            ]
        }
    )


@pytest.mark.parametrize("code", ["NOT_FOUND", "MEDIA_NOT_FOUND"])
def test_a_library_entry_missing_by_either_code_is_added(
    ads_api_emulator: AdsApiEmulator, conn: str, code: str
) -> None:
    """ "Error codes and responses" lists 404 MEDIA_NOT_FOUND without its endpoint; the emulator
    answers NOT_FOUND for a missing library entry. Either is a missing entry, so it is added."""
    upload = ready_media(ads_api_emulator, "amplify_video")
    _library_look_answers_404(ads_api_emulator, code, "media_key was not found")

    result = run_create(media_key=upload)

    assert ads_api_emulator.faults.injected["error"] == 1
    assert len(ads_api_emulator.api_requests("POST", "/media_library")) == 1
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [result["id"]]
    assert len(live(ads_api_emulator, "media_library")) == 1


def test_a_wrong_route_on_the_library_look_is_not_a_missing_entry(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    _library_look_answers_404(ads_api_emulator, "ROUTE_NOT_FOUND", "No route")

    with pytest.raises(AdsApiNotFoundError, match="ROUTE_NOT_FOUND"):
        run_create(media_key=upload)
    assert ads_api_emulator.api_requests("POST", "/media_library") == []
    assert live(ads_api_emulator, "account_media") == []


def test_lost_library_add_response_is_looked_up_not_retried(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": "/media_library$"}]}
    )

    result = run_create(media_key=upload)

    assert ads_api_emulator.faults.injected["drop_after"] == 1
    assert len(ads_api_emulator.api_requests("POST", "/media_library")) == 1
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [result["id"]]
    assert len(live(ads_api_emulator, "media_library")) == 1


def test_task_retry_after_a_lost_add_leaves_one_account_media(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", 728, 90)
    # The add is committed but its response lost, and the look that follows fails too: the task
    # fails, and Airflow retries it.
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {"kind": "drop_after", "method": "POST", "path": "/media_library$"},
                {
                    "kind": "error",
                    "options": {"status": 400},
                    "method": "GET",
                    "path": "/media_library/",
                    "after": 1,
                },
            ]
        }
    )
    with pytest.raises(AdsApiBadRequestError):
        run_create(media_key=upload)
    assert ads_api_emulator.faults.injected == {"drop_after": 1, "error": 1}

    result = run_create(media_key=upload)

    assert len(ads_api_emulator.api_requests("POST", "/media_library")) == 1
    assert [(m["id"], m["creative_type"]) for m in live(ads_api_emulator, "account_media")] == [
        (result["id"], "BANNER_TABLET")
    ]


def test_rate_limited_look_up_is_waited_out(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.faults.configure(
        {
            "scripted": [
                {
                    "kind": "rate_limit",
                    "options": {"reset_in": 0.2},
                    "method": "GET",
                    "path": "/account_media$",
                },
                {
                    "kind": "rate_limit",
                    "options": {"reset_in": 0.2},
                    "method": "GET",
                    "path": "/media_library/",
                },
            ]
        }
    )

    result = run_create(media_key=upload)

    assert ads_api_emulator.faults.injected["rate_limit"] == 2
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [result["id"]]
    assert len(ads_api_emulator.api_requests("POST")) == 1


def test_the_look_up_pages_through_many_account_media(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    result = run_create(media_key=upload)
    # 1,005 newer account media push this one to the second page of the newest-first look-up.
    ads_api_emulator.seed_entities("account_media", 1005, creative_type="PREROLL")
    ads_api_emulator.request_log.clear()

    again = run_create(media_key=upload)

    assert again == result
    assert writes(ads_api_emulator) == []
    assert len(ads_api_emulator.api_requests("GET", "/account_media")) == 2
    mine = [m for m in live(ads_api_emulator, "account_media") if m["media_key"] == upload["media_key"]]
    assert [m["id"] for m in mine] == [result["id"]]


def test_the_new_account_media_is_found_on_the_first_page(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    ads_api_emulator.seed_entities("account_media", 1005, creative_type="PREROLL")
    upload = ready_media(ads_api_emulator, "amplify_video")

    result = run_create(media_key=upload)

    assert result["media_key"] == upload["media_key"]
    # The newest ids before the add, the look-up, and the converge check: each one page, no cursor.
    listings = ads_api_emulator.api_requests("GET", "/account_media")
    assert [("cursor" in r["query"]) for r in listings] == [False, False, False]


def test_a_deleted_library_entry_is_added_again(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    first = run_create(media_key=upload)
    DeleteAccountMediaOperator(task_id="delete", account_media_id=first).execute(context={})
    with ads_api_emulator.state.lock:
        ads_api_emulator.state.table("media_library")[upload["media_key"]]["deleted"] = True

    second = run_create(media_key=upload)

    assert second["id"] != first["id"]
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [second["id"]]


def test_account_media_deleted_but_entry_kept_times_out_without_re_adding(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    first = run_create(media_key=upload)
    DeleteAccountMediaOperator(task_id="delete", account_media_id=first["id"]).execute(context={})
    ads_api_emulator.request_log.clear()

    with pytest.raises(TimeoutError, match="delete the media library entry"):
        run_create(media_key=upload, timeout=0.3)
    assert writes(ads_api_emulator) == []


def test_an_image_of_another_shape_fails_at_once_and_leaves_nothing(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    # The library entry's aspect ratio (4:3) shows no BANNER can come: no waiting for the timeout.
    upload = ready_media(ads_api_emulator, "tweet_image", 640, 480)
    with pytest.raises(ValueError, match=r"aspect ratio as 4:3 .* BANNER needs exactly 320x50") as caught:
        run_create(media_key=upload["media_key"], creative_type="BANNER", timeout=600)

    assert "rolled back (deleted media library entry" in str(caught.value)
    # The look before the add, one look after it, and the rollback's look: no polling.
    assert len(ads_api_emulator.api_requests("GET", "/account_media")) == 3
    assert live(ads_api_emulator, "media_library") == []
    assert live(ads_api_emulator, "account_media") == []


def test_an_image_of_the_shape_but_not_the_size_times_out_and_leaves_nothing(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    # 640x100 has BANNER's shape, so only the wait can show that no BANNER comes.
    upload = ready_media(ads_api_emulator, "tweet_image", 640, 100)
    with pytest.raises(TimeoutError, match=r"exactly a display size \(BANNER needs 320x50\)") as caught:
        run_create(media_key=upload["media_key"], creative_type="BANNER", timeout=0.2)

    assert "rolled back (deleted media library entry" in str(caught.value)
    assert live(ads_api_emulator, "media_library") == []
    assert live(ads_api_emulator, "account_media") == []


def test_an_image_that_does_not_fit_the_given_type(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    # The key alone has no size, so the type is only found wrong once the API made the account media.
    upload = ready_media(ads_api_emulator, "tweet_image", 320, 50)
    with pytest.raises(ValueError, match=r"of type BANNER .* not MEDIUM_RECTANGLE") as caught:
        run_create(media_key=upload["media_key"], creative_type="MEDIUM_RECTANGLE")

    assert "(BANNER), media library entry" in str(caught.value)
    assert live(ads_api_emulator, "media_library") == []
    assert live(ads_api_emulator, "account_media") == []


def test_media_that_is_not_uploaded_is_the_api_error(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    before = tables(ads_api_emulator)
    # Error codes and responses: a media key naming no usable media is INVALID_MEDIA.
    with pytest.raises(AdsApiBadRequestError, match="INVALID_MEDIA \\(media_key\\)"):
        run_create(media_key="13_1029825579531800000")
    assert tables(ads_api_emulator) == before


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({}, ValueError, "One of media_key or media_id is required"),
        ({"media_key": "13-123"}, ValueError, "media_key must look like"),
        ({"media_key": "5_1029825579531807971"}, ValueError, "unknown prefix '5'"),
        ({"media_id": "abc", "creative_type": "PREROLL"}, ValueError, "media_id must be a 19-digit numeric"),
        ({"media_id": "1029825579531807971"}, ValueError, "alone does not say what kind"),
        ({"media_key": "13_1029825579531807971", "creative_type": "SKYSCRAPER"}, ValueError, "creative_type"),
        ({"media_key": "3_1029825579531807971", "creative_type": "PREROLL"}, ValueError, "PREROLL needs"),
        (
            {"media_key": "13_1029825579531807971", "creative_type": "BANNER"},
            ValueError,
            "BANNER needs an image",
        ),
        ({"media_key": "7_1029825579531807971"}, ValueError, "cannot become account media"),
        ({"media_key": "16_1029825579531807971"}, ValueError, "cannot become account media"),
        ({"media_key": "3_1029825579531807971"}, ValueError, "creative_type is required for image"),
        (
            {"media_key": "13_1029825579531807971", "poster_media_key": "13_1029825579531807971"},
            ValueError,
            "poster_media_key must be an image key",
        ),
        ({"media_key": "13_1029825579531807971", "name": 5}, TypeError, "name must be a string"),
    ],
)
def test_bad_input_fails_before_any_request(
    ads_api_emulator: AdsApiEmulator, conn: str, kwargs: dict[str, Any], error: type[Exception], fragment: str
) -> None:
    before = tables(ads_api_emulator)
    with pytest.raises(error, match=fragment):
        run_create(**kwargs)
    assert ads_api_emulator.api_requests() == []
    assert tables(ads_api_emulator) == before


@pytest.mark.parametrize(
    ("category", "size", "creative_type", "fragment"),
    [
        ("tweet_image", (640, 480), None, "is 640x480, which matches no display creative type"),
        ("tweet_image", (320, 50), "MEDIUM_RECTANGLE", "needs a 300x250 image, but media"),
        ("tweet_image", (300, 250), "PREROLL", "PREROLL needs an amplify_video"),
        ("amplify_video", (None, None), "INTERSTITIAL", "INTERSTITIAL needs an image"),
        ("tweet_video", (None, None), None, "cannot become account media"),
        ("tweet_gif", (None, None), "BANNER", "BANNER needs an image"),
    ],
)
def test_uploads_that_do_not_fit_fail_before_any_request(
    ads_api_emulator: AdsApiEmulator,
    conn: str,
    category: str,
    size: tuple[int | None, int | None],
    creative_type: str | None,
    fragment: str,
) -> None:
    upload = ready_media(ads_api_emulator, category, *size)
    before = tables(ads_api_emulator)
    with pytest.raises(ValueError, match=fragment):
        run_create(media_key=upload, creative_type=creative_type)
    assert ads_api_emulator.api_requests() == []
    assert tables(ads_api_emulator) == before


def test_negative_timeout_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="timeout must be a non-negative number"):
        CreateAccountMediaOperator(task_id="t", media_key="13_1", timeout=-1)


@pytest.mark.parametrize("api_version", ["4"], indirect=True)
def test_v4_creates_account_media_directly_once(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    # A re-run finds an earlier run's image account media only by its media key (nothing else on
    # it names the media before a library entry exists), so this runs with image media keys on.
    ads_api_emulator.update_config(image_account_media_media_key=True)
    video = ready_media(ads_api_emulator, "amplify_video")
    image = ready_media(ads_api_emulator, "tweet_image", 480, 320)

    preroll = run_create(media_key=video)
    display = run_create(media_key=image)
    assert run_create(media_key=video) == preroll
    assert run_create(media_id=image["media_id"], creative_type="INTERSTITIAL_LANDSCAPE") == display

    assert (preroll["creative_type"], preroll["video_id"]) == ("PREROLL", video["media_key"])
    assert display["creative_type"] == "INTERSTITIAL_LANDSCAPE"
    assert [p for _, p in writes(ads_api_emulator)] == [
        f"/4/accounts/{ads_api_emulator.config.account_id}/account_media"
    ] * 2
    assert live(ads_api_emulator, "media_library") == []
    assert len(live(ads_api_emulator, "account_media")) == 2


@pytest.mark.parametrize("api_version", ["4"], indirect=True)
def test_v4_lost_create_response_leaves_one(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    image = ready_media(ads_api_emulator, "tweet_image", 1024, 768)
    ads_api_emulator.faults.configure(
        {"scripted": [{"kind": "drop_after", "method": "POST", "path": "/account_media$"}]}
    )

    result = run_create(media_key=image)

    assert ads_api_emulator.faults.injected["drop_after"] == 1
    assert [(m["id"], m["creative_type"]) for m in live(ads_api_emulator, "account_media")] == [
        (result["id"], "INTERSTITIAL_LANDSCAPE_TABLET")
    ]


@pytest.mark.parametrize("api_version", ["4"], indirect=True)
def test_v4_image_of_the_wrong_size_for_a_bare_key_is_the_api_error(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    image = ready_media(ads_api_emulator, "tweet_image", 320, 50)
    with pytest.raises(AdsApiBadRequestError, match="needs exactly 728x90"):
        run_create(media_key=image["media_key"], creative_type="BANNER_TABLET")
    assert live(ads_api_emulator, "account_media") == []


def test_delete_account_media_is_idempotent(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    first = run_create(media_key=ready_media(ads_api_emulator, "amplify_video"))
    second = run_create(media_key=ready_media(ads_api_emulator, "tweet_image", 300, 250))
    ids = [first["id"], second["id"]]

    assert DeleteAccountMediaOperator(task_id="d", account_media_id=[first, second["id"]]).execute({}) == ids
    assert live(ads_api_emulator, "account_media") == []
    # Again, plus one that never existed: all count as done.
    again = DeleteAccountMediaOperator(task_id="d", account_media_id=[*ids, "zzzzz"]).execute({})
    assert again == [*ids, "zzzzz"]


def test_delete_in_a_wrong_account_fails_and_deletes_nothing(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    made = run_create(media_key=ready_media(ads_api_emulator, "amplify_video"))
    # Error codes and responses: an account the user cannot reach is 403 ACCOUNT_NOT_FOUND.
    wrong_case = ads_api_emulator.config.account_id.upper()
    with pytest.raises(AdsApiForbiddenError, match=f"403 ACCOUNT_NOT_FOUND .*{wrong_case}"):
        DeleteAccountMediaOperator(task_id="d", account_media_id=made, account_id=wrong_case).execute({})
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [made["id"]]


def test_delete_on_a_wrong_route_fails_and_deletes_nothing(
    ads_api_emulator: AdsApiEmulator, conn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = run_create(media_key=ready_media(ads_api_emulator, "amplify_video"))
    # A base URL with an extra path segment: every request is 404 ROUTE_NOT_FOUND.
    connection = ads_api_emulator.airflow_connection(ads_api_url=f"{ads_api_emulator.url}/ads")
    monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_WRONG_ROUTE", json.dumps(connection))
    delete = DeleteAccountMediaOperator(
        task_id="d", account_media_id=[made["id"], "zzzzz"], twitter_ads_conn_id="twitter_ads_wrong_route"
    )
    with pytest.raises(AdsApiError, match="404 ROUTE_NOT_FOUND, not ACCOUNT_MEDIA_NOT_FOUND, so the route"):
        delete.execute({})
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [made["id"]]


def test_delete_account_media_bad_ids_fail_before_any_request(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    for bad in ([], "", ["ok", None], "a/b"):
        with pytest.raises(ValueError, match="account_media_id"):
            DeleteAccountMediaOperator(task_id="d", account_media_id=bad).execute({})
    assert ads_api_emulator.api_requests() == []


def test_templated_fields_render(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    operator = CreateAccountMediaOperator(
        task_id="t",
        media_key="{{ params.key }}",
        creative_type="{{ params.creative_type }}",
        account_id="{{ params.account }}",
        timeout=5,
    )
    assert {"media_key", "media_id", "creative_type", "account_id"} <= set(operator.template_fields)
    # An empty creative_type (an optional DAG param left blank) means "infer it".
    params = {"key": upload["media_key"], "creative_type": "", "account": ads_api_emulator.config.account_id}
    context: Any = {"params": params}
    operator.render_template_fields(context)
    assert operator.media_key == upload["media_key"]
    assert operator.execute(context)["creative_type"] == "PREROLL"


def test_blank_optional_fields_are_left_out(ads_api_emulator: AdsApiEmulator, conn: str) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    poster = ready_media(ads_api_emulator, "tweet_image", 1280, 720)
    run_create(
        media_key=upload, name="", title="Launch", poster_media_key=poster["media_key"], description=""
    )
    (entry,) = live(ads_api_emulator, "media_library")
    assert (entry["name"], entry["title"], entry["description"]) == (None, "Launch", None)
    assert entry["poster_media_key"] == poster["media_key"]


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
    # Image account media may carry no media_key (Account Media): the same media shows by media_url.
    assert made["media_url"] == earlier["media_url"] and made["id"] != earlier["id"]
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


#: API latency in the concurrency tests: long enough that every task looks before any create lands.
CONCURRENT_LATENCY = 0.3


@pytest.mark.parametrize("tasks", [2, 8])
def test_concurrent_creates_of_an_image_leave_one_account_media(
    ads_api_emulator: AdsApiEmulator, conn: str, tasks: int, image_media_key_mode: bool
) -> None:
    upload = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    ads_api_emulator.update_config(latency=CONCURRENT_LATENCY)

    results = run_together(tasks, lambda: run_create(media_key=upload))

    (made,) = live(ads_api_emulator, "account_media")
    assert {r["id"] for r in results} == {made["id"]}
    assert len(live(ads_api_emulator, "media_library")) == 1


@pytest.mark.parametrize("tasks", [2, 8])
def test_concurrent_creates_of_a_video_leave_one_account_media(
    ads_api_emulator: AdsApiEmulator, conn: str, tasks: int
) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.update_config(latency=CONCURRENT_LATENCY)

    results = run_together(tasks, lambda: run_create(media_key=upload))

    (made,) = live(ads_api_emulator, "account_media")
    assert {r["id"] for r in results} == {made["id"]}
    assert len(live(ads_api_emulator, "media_library")) == 1


@pytest.mark.parametrize("api_version", ["4"], indirect=True)
@pytest.mark.parametrize("tasks", [2, 4, 8])
def test_v4_concurrent_creates_of_a_video_leave_one_account_media(
    ads_api_emulator: AdsApiEmulator, conn: str, tasks: int
) -> None:
    upload = ready_media(ads_api_emulator, "amplify_video")
    ads_api_emulator.update_config(latency=CONCURRENT_LATENCY)

    results = run_together(tasks, lambda: run_create(media_key=upload))

    (made,) = live(ads_api_emulator, "account_media")
    assert made["video_id"] == upload["media_key"]
    assert {r["id"] for r in results} == {made["id"]}
    assert live(ads_api_emulator, "media_library") == []


@pytest.mark.parametrize("api_version", ["4"], indirect=True)
@pytest.mark.parametrize("tasks", [2, 4, 8])
def test_v4_concurrent_creates_of_an_image_leave_one_account_media(
    ads_api_emulator: AdsApiEmulator, conn: str, tasks: int, image_media_key_mode: bool
) -> None:
    # Without a media key, the image account media each twin's create returns carries the media's
    # media_url: the twins converge over the ones with that URL.
    upload = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    ads_api_emulator.update_config(latency=CONCURRENT_LATENCY)

    results = run_together(tasks, lambda: run_create(media_key=upload))

    (made,) = live(ads_api_emulator, "account_media")
    assert made["creative_type"] == "MEDIUM_RECTANGLE"
    assert {r["id"] for r in results} == {made["id"]}
    assert {r["media_url"] for r in results} == {made["media_url"]}


@pytest.mark.parametrize("api_version", ["4"], indirect=True)
def test_v4_twins_never_delete_the_account_media_of_other_images_made_beside_them(
    ads_api_emulator: AdsApiEmulator, conn: str, image_media_key_mode: bool
) -> None:
    # Two media of one creative type, four twins each, all at once: the account media of the other
    # image appear after each create and name no media key (in one mode), but name another URL.
    first = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    second = ready_media(ads_api_emulator, "tweet_image", 300, 250)
    ads_api_emulator.update_config(latency=CONCURRENT_LATENCY)
    uploads = iter([first, second] * 4)
    pick = threading.Lock()

    def twin() -> dict[str, Any]:
        with pick:
            upload = next(uploads)
        return {"upload": upload["media_key"], **run_create(media_key=upload)}

    results = run_together(8, twin)

    made = live(ads_api_emulator, "account_media")
    assert len(made) == 2
    assert len({m["media_url"] for m in made}) == 2
    for upload in (first, second):
        returned = {r["id"] for r in results if r["upload"] == upload["media_key"]}
        assert len(returned) == 1
        assert returned <= {m["id"] for m in made}
