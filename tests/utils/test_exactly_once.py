"""utils/exactly_once.py: create_once, converge, poll, delete_each and the settle period."""

from __future__ import annotations

import pytest
from support.task_state import DictStore

from airflow_provider_twitter_ads.utils.exactly_once import (
    RememberedCreate,
    converge,
    create_once,
    delete_each,
    poll,
    settle_seconds_for,
)
from airflow_provider_twitter_ads.utils.task_state import TaskState


class Lost(Exception):
    pass


class FakeApi:
    """A store on a fake clock whose creates can lose their response, before or after committing,
    or commit only ``late_by`` seconds after the client gave up."""

    def __init__(self, lose: int = 0, fail_before_commit: int = 0, late_by: float | None = None) -> None:
        self.items: list[str] = []
        self.lose = lose
        self.fail_before_commit = fail_before_commit
        self.late_by = late_by
        self.pending: list[float] = []  # when each late create commits
        self.creates = 0
        self.finds = 0
        self.now = 0.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds

    def _commit_due(self) -> None:
        while self.pending and self.pending[0] <= self.now:
            self.pending.pop(0)
            self.items.append(f"item{len(self.items)}")

    def find(self) -> str | None:
        self.finds += 1
        self._commit_due()
        return self.items[0] if self.items else None

    def create(self) -> str:
        self.creates += 1
        if self.fail_before_commit:
            self.fail_before_commit -= 1
            raise Lost("dropped before commit")
        if self.late_by is not None:
            self.pending.append(self.now + self.late_by)
            self.late_by = None
            raise Lost("read timeout; the server is still working on it")
        self.items.append(f"item{len(self.items)}")
        if self.lose:
            self.lose -= 1
            raise Lost("dropped after commit")
        return self.items[-1]

    def create_once(self, **kwargs: object) -> tuple[str, bool]:
        return create_once(
            self.find, self.create, lost_errors=(Lost,), sleep=self.sleep, clock=self.clock, **kwargs
        )  # type: ignore[arg-type]


def test_create_once_creates_then_reuses() -> None:
    api = FakeApi()
    assert api.create_once() == ("item0", True)
    assert api.create_once() == ("item0", False)
    assert api.items == ["item0"]
    assert api.creates == 1


def test_create_once_looks_after_a_lost_response() -> None:
    api = FakeApi(lose=1)
    assert api.create_once(settle_seconds=10) == ("item0", True)
    assert api.items == ["item0"]
    assert (api.creates, api.finds, api.slept) == (1, 2, 0.0)


def test_create_once_waits_for_a_create_the_server_commits_late() -> None:
    api = FakeApi(late_by=2.5)
    assert api.create_once(settle_seconds=3) == ("item0", True)
    assert api.creates == 1
    assert api.items == ["item0"]
    assert 2.5 <= api.slept <= 3


def test_create_once_settle_period_bounds_the_wait() -> None:
    # The documented residual risk: a create committed after the settle period is made twice.
    api = FakeApi(late_by=5)
    assert api.create_once(settle_seconds=2) == ("item0", True)
    assert api.creates == 2
    assert api.slept == pytest.approx(2)
    api.sleep(5)
    api.find()
    assert api.items == ["item0", "item1"]


def test_create_once_without_settle_looks_once() -> None:
    api = FakeApi(late_by=0.5)
    assert api.create_once(settle_seconds=0) == ("item0", True)
    assert (api.creates, api.finds, api.slept) == (2, 2, 0.0)


def test_create_once_retries_a_create_that_never_landed() -> None:
    api = FakeApi(fail_before_commit=2)
    assert api.create_once(attempts=3, settle_seconds=1) == ("item0", True)
    assert api.creates == 3
    assert api.slept == pytest.approx(2)  # one settle period after each lost create


def test_create_once_gives_up_after_attempts() -> None:
    api = FakeApi(fail_before_commit=5)
    with pytest.raises(Lost):
        api.create_once(attempts=2, settle_seconds=1)
    assert api.creates == 2
    assert api.items == []


def test_create_once_does_not_swallow_other_errors() -> None:
    def create() -> str:
        raise KeyError("bad request")

    with pytest.raises(KeyError):
        create_once(lambda: None, create, lost_errors=(Lost,))
    with pytest.raises(ValueError, match="attempts"):
        create_once(lambda: None, create, lost_errors=(Lost,), attempts=0)
    for bad in (-1, True, "5"):
        with pytest.raises(ValueError, match="settle_seconds must be a non-negative number"):
            create_once(lambda: None, create, lost_errors=(Lost,), settle_seconds=bad)  # type: ignore[arg-type]


def test_settle_seconds_for_a_connection_timeout() -> None:
    assert settle_seconds_for(1) == 2.0
    assert settle_seconds_for(60.0) == 120.0
    assert settle_seconds_for(0) == 0.0
    for bad in (-1, float("nan"), None):
        with pytest.raises(ValueError, match="timeout must be a non-negative number"):
            settle_seconds_for(bad)  # type: ignore[arg-type]


def test_poll_backs_off_until_found() -> None:
    now = [0.0]
    sleeps: list[float] = []
    answers = iter([None, None, None, "found"])

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    result = poll(lambda: next(answers), 10, first_delay=0.5, sleep=sleep, clock=lambda: now[0])
    assert result == "found"
    assert sleeps == [0.5, 1.0, 2.0]


def test_poll_gives_none_at_the_deadline() -> None:
    now = [0.0]
    calls = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def probe() -> None:
        calls.append(now[0])

    assert poll(probe, 3, first_delay=1, sleep=sleep, clock=lambda: now[0]) is None
    assert calls == [0.0, 1.0, 3.0]


def test_delete_each_treats_missing_as_done() -> None:
    deleted: list[str] = []

    def delete(entity_id: str) -> None:
        if entity_id == "gone":
            raise Lost("404")
        deleted.append(entity_id)

    assert delete_each(["a", "gone", "b"], delete, missing_errors=(Lost,)) == ["a", "gone", "b"]
    assert deleted == ["a", "b"]
    with pytest.raises(KeyError):
        delete_each(["a"], lambda _: {}["x"], missing_errors=(Lost,))


# -- remembered creates -----------------------------------------------------------------------------


def _entities(*ids: str) -> dict[str, dict[str, str]]:
    return {i: {"id": i, "created_at": f"2026-01-01T00:00:0{n}Z"} for n, i in enumerate(ids)}


def _remembered(store: DictStore, live: dict[str, dict[str, str]], gets: list[str]) -> RememberedCreate:
    def get(entity_id: str) -> dict[str, str] | None:
        gets.append(entity_id)
        return live.get(entity_id)

    return RememberedCreate(TaskState(store), "created.thing", get, what="thing")


def test_a_create_is_remembered_unsettled_until_its_converge_step_then_as_the_survivor() -> None:
    store, gets = DictStore(), []
    live = _entities("older")
    seen: list[dict[str, object]] = []

    def create() -> dict[str, str]:
        live.update({"mine": {"id": "mine", "created_at": "2026-01-01T00:00:09Z"}})
        return live["mine"]

    def find_all() -> list[dict[str, str]]:
        seen.append(dict(store.values))  # what a worker dying now would leave its retry
        return list(live.values()) if seen[1:] else []

    entity, created = create_once(
        lambda: None,
        create,
        lost_errors=(Lost,),
        find_all=find_all,
        delete_own=lambda own: live.pop(own["id"]),
        converge_seconds=0,
        remembered=_remembered(store, live, gets),
    )

    assert (entity["id"], created) == ("older", False)
    assert seen[1] == {"twitter_ads.created.thing": {"id": "mine", "settled": False}}
    assert store.values == {"twitter_ads.created.thing": {"id": "older", "settled": True}}
    assert "mine" not in live and gets == []


def test_an_unsettled_remembered_id_is_converged_before_it_is_trusted() -> None:
    store, gets = DictStore(), []
    live = _entities("twin", "mine")
    store.values["twitter_ads.created.thing"] = {"id": "mine", "settled": False}

    entity, created = create_once(
        lambda: pytest.fail("no look before create"),
        lambda: pytest.fail("no create"),
        lost_errors=(Lost,),
        find_all=lambda: list(live.values()),
        delete_own=lambda own: live.pop(own["id"]),
        converge_seconds=0,
        remembered=_remembered(store, live, gets),
    )

    # The dead try's copy lost to a twin's older one: deleted, and the survivor remembered.
    assert (entity["id"], created, gets) == ("twin", False, ["mine"])
    assert list(live) == ["twin"]
    assert store.values == {"twitter_ads.created.thing": {"id": "twin", "settled": True}}


@pytest.mark.parametrize("value", ["mine", {"id": 7}, {"settled": True}, {"id": ""}])
def test_an_unreadable_remembered_value_is_ignored(value: object) -> None:
    store, gets = DictStore(), []
    store.values["twitter_ads.created.thing"] = value
    live: dict[str, dict[str, str]] = {}

    entity, created = create_once(
        lambda: None,
        lambda: live.setdefault("new", {"id": "new"}),
        lost_errors=(Lost,),
        remembered=_remembered(store, live, gets),
    )

    assert (entity, created, gets) == ({"id": "new"}, True, [])
    assert store.values == {"twitter_ads.created.thing": {"id": "new", "settled": True}}


def test_without_a_store_nothing_is_read_or_kept() -> None:
    gets: list[str] = []
    remembered = RememberedCreate(TaskState(None), "created.thing", lambda i: gets.append(i), what="thing")

    entity, created = create_once(
        lambda: None, lambda: {"id": "new"}, lost_errors=(Lost,), remembered=remembered
    )

    assert (entity, created, gets) == ({"id": "new"}, True, [])


# -- converge ---------------------------------------------------------------------------------------


def test_a_create_the_list_does_not_show_yet_still_counts_and_is_kept_when_oldest() -> None:
    live = _entities("mine", "twin")
    lists: list[int] = []
    deleted: list[str] = []

    def find_all() -> list[dict[str, str]]:
        # Nothing at the look; then the list lags this task's own write but shows a twin's later one.
        lists.append(1)
        return [live["twin"]] if lists[1:] else []

    entity, created = create_once(
        lambda: None,
        lambda: live["mine"],
        lost_errors=(Lost,),
        find_all=find_all,
        delete_own=lambda own: deleted.append(own["id"]),
        converge_seconds=0,
    )

    # Deleting the older own copy for the twin's newer one would leave none if the twin keeps it.
    assert (entity["id"], created, deleted, len(lists)) == ("mine", True, [], 2)


def test_an_undeletable_losing_copy_is_left_and_the_survivor_remembered() -> None:
    store, gets = DictStore(), []
    live = _entities("twin", "mine")
    slept: list[float] = []

    kept = converge(
        [live["mine"]],
        lambda: list(live.values()),
        None,
        what="thing",
        converge_seconds=1.5,
        sleep=slept.append,
        remembered=_remembered(store, live, gets),
    )

    assert kept is not None and kept["id"] == "twin"
    assert (list(live), slept) == (["twin", "mine"], [1.5])
    assert store.values == {"twitter_ads.created.thing": {"id": "twin", "settled": True}}
