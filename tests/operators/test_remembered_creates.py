"""Remembered creates against the emulator: every create keeps its id in the task state store, and a
retry reuses it after one GET; gone or changed, it falls back to look-before-create; no store, as before.

Each kind is an operator whose creates a retry must not repeat: the account media (with its media
library entry, and through ``POST account_media`` on API v4), media creatives on two line items, a
pre-roll media creative with its call-to-action, a card, a post, promoted posts of two posts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest
from support.concurrency import run_together
from support.creatives import PREROLL_LINE_ITEM, live, ready_media, writes
from support.promoted import WEBSITE_CLICKS, owned_media
from support.task_state import DictStore

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.hooks.ads_api import AdsApiHook
from airflow_provider_twitter_ads.operators.account_media import CreateAccountMediaOperator
from airflow_provider_twitter_ads.operators.card import CreateCardOperator
from airflow_provider_twitter_ads.operators.media_creative import AttachMediaCreativeOperator
from airflow_provider_twitter_ads.operators.promoted_tweet import PromoteTweetOperator
from airflow_provider_twitter_ads.operators.tweet import CreateTweetOperator

#: Seeded line items that take display media creatives.
ENGAGEMENTS = "8v7jq"
LANDING = "https://example.com/remembered"
#: Short converge waits: these tests have no concurrent twins.
FAST = {"converge_seconds": 0.1}

Run = Callable[[dict[str, Any]], Any]


class WorkerDied(BaseException):
    """The worker process died (a BaseException: like SIGKILL, nothing the operator handles)."""


def dying(operator: type, create_method: str) -> type:
    """``operator`` whose worker dies right after the response of the hook's ``create_method``:
    at the next request, or the lineage it reports, whichever comes first (nothing after runs)."""

    class Dying(operator):  # type: ignore[misc, valid-type]
        _created = False

        @cached_property
        def hook(self) -> AdsApiHook:
            hook = AdsApiHook(twitter_ads_conn_id=self.twitter_ads_conn_id)
            create, send = getattr(hook, create_method), hook.request

            def create_and_arm(*args: Any, **kwargs: Any) -> Any:
                response = create(*args, **kwargs)
                self._created = True
                return response

            def request(*args: Any, **kwargs: Any) -> Any:
                if self._created:
                    raise WorkerDied(f"after {create_method}")
                return send(*args, **kwargs)

            setattr(hook, create_method, create_and_arm)
            hook.request = request  # type: ignore[method-assign]
            return hook

        @property
        def lineage_namespace(self) -> str:
            if self._created:
                raise WorkerDied(f"after {create_method}")
            return super().lineage_namespace

    return Dying


@dataclass(frozen=True)
class Kind:
    """One operator's creates, and how its requests and results name them."""

    name: str
    #: The collections (path ends) the operator creates in, e.g. ``media_creatives``.
    collections: tuple[str, ...]
    #: Sets up the emulator; returns ``run(context, dying=False)`` for one try of the task.
    prepare: Callable[[AdsApiEmulator, pytest.MonkeyPatch], Callable[..., Any]]
    #: Per collection, the ids the result names (what a retry GETs, in request order).
    ids: Callable[[Any], dict[str, list[str]]]
    #: The task state keys a finished try leaves, from its result.
    keys: Callable[[Any], set[str]]
    #: Deletes (or makes non-matching) the first remembered entity; returns its collection and id.
    remove: Callable[[AdsApiEmulator, Any], tuple[str, str]]
    #: How many creates a retry makes after a try that died right after its first create's response.
    creates_after_death: int


def _hook() -> AdsApiHook:
    return AdsApiHook()


def _account_media(emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch, version: str = "12") -> Any:
    if version != "12":
        emulator.update_config(supported_versions=(*emulator.config.supported_versions, int(version)))
        connection = emulator.airflow_connection(api_version=version)
        monkeypatch.setenv("AIRFLOW_CONN_TWITTER_ADS_DEFAULT", json.dumps(connection))
    # v4 finds an earlier run's image account media by nothing (test_v4_image_retry below): a video.
    upload = (
        ready_media(emulator, "tweet_image", 300, 250)
        if version == "12"
        else ready_media(emulator, "amplify_video")
    )

    def run(context: dict[str, Any], dying_: bool = False) -> Any:
        cls = CreateAccountMediaOperator
        if dying_:
            cls = dying(cls, "add_to_media_library" if version == "12" else "create_account_media")
        return cls(task_id="account_media", media_key=upload, timeout=5, **FAST).execute(context)

    return run


def _remove_account_media(emulator: AdsApiEmulator, result: Any) -> tuple[str, str]:
    hook = _hook()
    hook.delete_account_media(result["id"])
    if hook.api_version >= 5:
        hook.delete_media_library_entry(result["media_key"])
    return "account_media", result["id"]


def _display_creatives(emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    upload = ready_media(emulator, "tweet_image", 300, 250)
    media = CreateAccountMediaOperator(task_id="account_media", media_key=upload, timeout=5).execute({})

    def run(context: dict[str, Any], dying_: bool = False) -> Any:
        cls = (
            dying(AttachMediaCreativeOperator, "create_media_creative")
            if dying_
            else AttachMediaCreativeOperator
        )
        return cls(
            task_id="media_creative",
            account_media_id=media,
            line_item_id=[WEBSITE_CLICKS, ENGAGEMENTS],
            landing_url=LANDING,
            **FAST,
        ).execute(context)

    return run


def _preroll(emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    upload = ready_media(emulator, "amplify_video")
    media = CreateAccountMediaOperator(task_id="account_media", media_key=upload, timeout=5).execute({})

    def run(context: dict[str, Any], dying_: bool = False) -> Any:
        cls = (
            dying(AttachMediaCreativeOperator, "create_preroll_call_to_action")
            if dying_
            else AttachMediaCreativeOperator
        )
        return cls(
            task_id="media_creative",
            account_media_id=media,
            line_item_id=PREROLL_LINE_ITEM,
            call_to_action="WATCH_NOW",
            call_to_action_url=LANDING,
            **FAST,
        ).execute(context)

    return run


def _card(emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    image = owned_media(emulator)

    def run(context: dict[str, Any], dying_: bool = False) -> Any:
        cls = dying(CreateCardOperator, "create_card") if dying_ else CreateCardOperator
        return cls(task_id="card", media_keys=image, website_url=LANDING, title="Remembered", **FAST).execute(
            context
        )

    return run


def _post(emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(context: dict[str, Any], dying_: bool = False) -> Any:
        cls = dying(CreateTweetOperator, "create_tweet") if dying_ else CreateTweetOperator
        return cls(task_id="post", text="Remembered, not repeated", **FAST).execute(context)

    return run


def _rename_post(emulator: AdsApiEmulator, result: Any) -> tuple[str, str]:
    # Posts cannot be deleted through the Ads API: one renamed since no longer matches.
    with emulator.state.lock:
        for tweet in emulator.state.table("tweets").values():
            if str(tweet.get("id_str") or tweet.get("id")) == result["tweet_id"]:
                tweet["name"] = "renamed by hand"
    return "tweets", result["tweet_id"]


def _promoted(emulator: AdsApiEmulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    posts = [CreateTweetOperator(task_id=f"post_{n}", text=f"Post {n}").execute({}) for n in range(2)]

    def run(context: dict[str, Any], dying_: bool = False) -> Any:
        cls = dying(PromoteTweetOperator, "create_promoted_tweets") if dying_ else PromoteTweetOperator
        return cls(task_id="promote", line_item_id=WEBSITE_CLICKS, tweet_ids=posts, **FAST).execute(context)

    return run


def _delete(collection: str, method: str) -> Callable[[AdsApiEmulator, Any], tuple[str, str]]:
    def remove(emulator: AdsApiEmulator, result: Any) -> tuple[str, str]:
        first = result[0] if isinstance(result, list) else result
        entity_id = first["id"]
        getattr(_hook(), method)(entity_id)
        return collection, entity_id

    return remove


def _remove_cta(emulator: AdsApiEmulator, result: Any) -> tuple[str, str]:
    entity_id = result["preroll_call_to_action"]["id"]
    _hook().delete_preroll_call_to_action(entity_id)
    return "preroll_call_to_actions", entity_id


KINDS = [
    Kind(
        "account_media",
        ("media_library", "account_media"),
        _account_media,
        lambda r: {"account_media": [r["id"]]},
        lambda r: {
            f"twitter_ads.created.media_library.{r['media_key']}",
            f"twitter_ads.created.account_media.{r['media_key']}.{r['creative_type']}",
        },
        _remove_account_media,
        0,
    ),
    Kind(
        "account_media_v4",
        ("account_media",),
        lambda emulator, monkeypatch: _account_media(emulator, monkeypatch, "4"),
        lambda r: {"account_media": [r["id"]]},
        lambda r: {f"twitter_ads.created.account_media.{r['media_key']}.{r['creative_type']}"},
        _remove_account_media,
        0,
    ),
    Kind(
        "media_creatives",
        ("media_creatives",),
        _display_creatives,
        lambda r: {"media_creatives": [c["id"] for c in r]},
        lambda r: {f"twitter_ads.created.media_creative.{c['line_item_id']}" for c in r},
        _delete("media_creatives", "delete_media_creative"),
        1,
    ),
    Kind(
        "preroll_call_to_action",
        ("media_creatives", "preroll_call_to_actions"),
        _preroll,
        lambda r: {
            "media_creatives": [r["id"]],
            "preroll_call_to_actions": [r["preroll_call_to_action"]["id"]],
        },
        lambda r: {
            f"twitter_ads.created.media_creative.{PREROLL_LINE_ITEM}",
            f"twitter_ads.created.preroll_call_to_action.{PREROLL_LINE_ITEM}",
        },
        _remove_cta,
        0,
    ),
    Kind(
        "card",
        ("cards",),
        _card,
        lambda r: {"cards": [r["id"]]},
        lambda r: {f"twitter_ads.created.card.{r['name']}"},
        _delete("cards", "delete_card"),
        0,
    ),
    Kind(
        "post",
        ("tweets", "tweet"),
        _post,
        lambda r: {"tweets": [r["tweet_id"]]},
        lambda r: {f"twitter_ads.created.post.{r['name']}"},
        _rename_post,
        0,
    ),
    Kind(
        "promoted_posts",
        ("promoted_tweets",),
        _promoted,
        lambda r: {"promoted_tweets": [p["id"] for p in r]},
        lambda r: {f"twitter_ads.created.promoted_tweet.{WEBSITE_CLICKS}.{p['tweet_id']}" for p in r},
        _delete("promoted_tweets", "delete_promoted_tweet"),
        0,
    ),
]


def requests_to(emulator: AdsApiEmulator, collection: str) -> list[tuple[str, str]]:
    """Each logged request to ``collection``: ``(method, id)`` for one entity (a post's by its
    ``tweet_ids`` filter), ``(method, "list")`` for a list or create."""
    found = []
    for entry in emulator.api_requests():
        match = re.search(rf"/{collection}(?:/([^/]+))?$", entry["path"])
        if match is None:
            continue
        query = entry["query"]
        if match.group(1):
            found.append((entry["method"], match.group(1)))
        elif collection == "tweets" and "tweet_ids" in query and "name" not in query:
            found.append((entry["method"], query["tweet_ids"]))
        else:
            found.append((entry["method"], "list"))
    return found


def creates(emulator: AdsApiEmulator, kind: Kind) -> list[str]:
    """The paths of the POSTs the emulator logged."""
    return [path for method, path in writes(emulator) if method == "POST"]


@pytest.fixture(params=KINDS, ids=[kind.name for kind in KINDS])
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param


def test_a_retry_reuses_what_the_first_try_remembered_after_one_get(
    ads_api_emulator: AdsApiEmulator, conn: str, kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = kind.prepare(ads_api_emulator, monkeypatch)
    store = DictStore()
    first = run({"task_state_store": store})
    assert set(store.values) == kind.keys(first)
    assert all(value["settled"] is True for value in store.values.values())
    ads_api_emulator.request_log.clear()

    second = run({"task_state_store": store})

    assert kind.ids(second) == kind.ids(first)
    assert writes(ads_api_emulator) == []
    ids = kind.ids(first)
    for collection in kind.collections:
        # No look (list) before create, no create: one GET per remembered entity.
        assert requests_to(ads_api_emulator, collection) == [("GET", i) for i in ids.get(collection, [])]


def test_a_remembered_entity_deleted_since_is_made_again_once(
    ads_api_emulator: AdsApiEmulator, conn: str, kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = kind.prepare(ads_api_emulator, monkeypatch)
    store = DictStore()
    first = run({"task_state_store": store})
    collection, removed = kind.remove(ads_api_emulator, first)
    ads_api_emulator.request_log.clear()

    second = run({"task_state_store": store})

    made = creates(ads_api_emulator, kind)
    assert len(made) == 1, made
    new_ids = kind.ids(second)[collection]
    assert removed not in new_ids
    # The others are still reused; the one made again is what is remembered now.
    assert [i for i in kind.ids(first)[collection] if i != removed] == [i for i in new_ids[1:]]
    assert [("GET", removed)] == requests_to(ads_api_emulator, collection)[:1]
    remembered = {value["id"] for value in store.values.values()}
    assert new_ids[0] in remembered and removed not in remembered
    if collection != "tweets":
        live_ids = {str(entity["id"]) for entity in live(ads_api_emulator, collection)}
        assert set(new_ids) <= live_ids and removed not in live_ids


def _shape(emulator: AdsApiEmulator) -> list[tuple[str, str, tuple[str, ...]]]:
    """The logged requests without their ids: method, path up to the collection, query keys."""
    return [
        (entry["method"], "/".join(entry["path"].split("/")[:5]), tuple(sorted(entry["query"])))
        for entry in emulator.api_requests()
    ]


def test_without_a_store_tries_send_the_same_requests_as_before(
    ads_api_emulator: AdsApiEmulator, conn: str, kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = kind.prepare(ads_api_emulator, monkeypatch)
    ads_api_emulator.request_log.clear()
    first = run({})
    first_shape = _shape(ads_api_emulator)
    ads_api_emulator.request_log.clear()

    second = run({})

    assert kind.ids(second) == kind.ids(first)
    assert writes(ads_api_emulator) == []
    by_id = {i for ids in kind.ids(first).values() for i in ids}
    looked = [r for c in kind.collections for r in requests_to(ads_api_emulator, c)]
    # Look-before-create: lists, and no GET of what the first try made by its id.
    assert ("GET", "list") in looked
    assert [r for r in looked if r[1] in by_id] == []

    # A first try with a store sends the same requests as one without: remembering costs none.
    ads_api_emulator.reset()
    run = kind.prepare(ads_api_emulator, monkeypatch)
    ads_api_emulator.request_log.clear()
    run({"task_state_store": DictStore()})
    assert _shape(ads_api_emulator) == first_shape


def test_a_retry_after_the_worker_died_right_after_the_create_reuses_its_id(
    ads_api_emulator: AdsApiEmulator, conn: str, kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = kind.prepare(ads_api_emulator, monkeypatch)
    store = DictStore()
    with pytest.raises(WorkerDied):
        run({"task_state_store": store}, True)
    remembered = {key: value["id"] for key, value in store.values.items()}
    assert remembered, "the create's id is remembered before anything after it runs"
    ads_api_emulator.request_log.clear()

    result = run({"task_state_store": store})

    # What the dead try made is not made again (only what it never got to) ...
    assert len(creates(ads_api_emulator, kind)) == kind.creates_after_death
    # ... each id it remembered is read once by its id, and is what the retry returns and keeps.
    by_id = [
        r[1]
        for c in dict.fromkeys((*kind.collections, "media_library"))
        for r in requests_to(ads_api_emulator, c)
    ]
    returned = {i for ids in kind.ids(result).values() for i in ids} | {
        str(r.get("media_key")) for r in (result if isinstance(result, list) else [result])
    }
    for key, entity_id in remembered.items():
        assert by_id.count(entity_id) == 1, (key, entity_id, by_id)
        assert entity_id in returned
        assert store.values[key] == {"id": entity_id, "settled": True}
    # One live entity per asked-for one: nothing the dead try made is left over.
    for collection, ids in kind.ids(result).items():
        if collection != "tweets":
            live_ids = {str(entity["id"]) for entity in live(ads_api_emulator, collection)}
            assert set(ids) == live_ids


@pytest.mark.parametrize("api_version", ["4"], indirect=True)
def test_v4_image_account_media_is_reused_across_tries_with_a_store_and_converged_without(
    ads_api_emulator: AdsApiEmulator, conn: str
) -> None:
    # API v4 image account media carry no media key: without a store a retry cannot find its
    # earlier try's before creating; it creates, then converges on the older one by media_url and
    # deletes its own. The remembered id needs no create at all.
    upload = ready_media(ads_api_emulator, "tweet_image", 300, 250)

    def run(context: dict[str, Any]) -> Any:
        return CreateAccountMediaOperator(task_id="account_media", media_key=upload).execute(context)

    store = DictStore()
    first = run({"task_state_store": store})
    assert run({"task_state_store": store})["id"] == first["id"]
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [first["id"]]

    ads_api_emulator.request_log.clear()
    assert run({})["id"] == first["id"]
    assert [m["id"] for m in live(ads_api_emulator, "account_media")] == [first["id"]]
    assert len(ads_api_emulator.api_requests("POST", "/account_media")) == 1


#: API latency in the twin tests: long enough that every twin looks before any create lands.
TWIN_LATENCY = 0.3


@pytest.mark.parametrize(
    "kind", [k for k in KINDS if k.name in ("media_creatives", "card")], ids=lambda k: k.name
)
def test_twins_with_their_own_stores_leave_one_live_and_a_deleted_loser_is_never_reused(
    ads_api_emulator: AdsApiEmulator, conn: str, kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = kind.prepare(ads_api_emulator, monkeypatch)
    ads_api_emulator.update_config(latency=TWIN_LATENCY)
    stores = [DictStore(), DictStore()]
    turn = iter(stores)

    results = run_together(2, lambda: run({"task_state_store": next(turn)}))

    ads_api_emulator.update_config(latency=0)
    collection = next(iter(kind.ids(results[0])))
    survivors = {str(entity["id"]) for entity in live(ads_api_emulator, collection)}
    assert kind.ids(results[0]) == kind.ids(results[1])
    assert set(kind.ids(results[0])[collection]) == survivors
    with ads_api_emulator.state.lock:
        losers = [i for i, e in ads_api_emulator.state.table(collection).items() if e.get("deleted")]
    assert losers, "both twins created, and the converge step deleted the later copies"
    # Each twin remembers the survivor, not its own deleted copy.
    for store in stores:
        assert {value["id"] for value in store.values.values()} == survivors

    # A store left holding a deleted loser's id (a try that died before remembering the survivor):
    # the GET finds it deleted, the retry looks, and reuses the survivor. Nothing is resurrected.
    key = next(iter(stores[0].values))
    stores[0].values[key] = {"id": str(losers[0]), "settled": True}
    ads_api_emulator.request_log.clear()
    again = run({"task_state_store": stores[0]})
    assert kind.ids(again) == kind.ids(results[0])
    assert creates(ads_api_emulator, kind) == []
    assert stores[0].values[key]["id"] in survivors
