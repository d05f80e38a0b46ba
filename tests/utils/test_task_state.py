"""TaskState: the task state store when the context has one, a no-op without, never a task failure."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from support.task_state import DictStore

from airflow_provider_twitter_ads.utils.task_state import KEY_PREFIX, TaskState


class BrokenStore(DictStore):
    def set(self, key: str, value: Any) -> None:
        raise RuntimeError("the api-server is away")


def test_values_live_under_the_provider_prefix_and_survive_a_new_wrapper() -> None:
    store = DictStore()
    TaskState.of({"task_state_store": store}).set("upload", {"media_id": "1"})
    assert store.values == {f"{KEY_PREFIX}upload": {"media_id": "1"}}
    again = TaskState.of({"task_state_store": store})
    assert (again.available, again.get("upload")) == (True, {"media_id": "1"})
    again.delete("upload")
    assert store.values == {}


@pytest.mark.parametrize("context", [None, {}, {"task_state_store": None}, {"task_state_store": object()}])
def test_without_a_store_nothing_is_remembered(context: Any) -> None:
    state = TaskState.of(context)
    state.set("upload", {"media_id": "1"})
    assert (state.available, state.get("upload")) == (False, None)


def test_a_failing_store_is_logged_once_and_then_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    store = BrokenStore()
    store.values[f"{KEY_PREFIX}upload"] = {"media_id": "1"}
    state = TaskState.of({"task_state_store": store})
    with caplog.at_level(logging.WARNING):
        state.set("created", {"id": "9"})
        state.set("created", {"id": "10"})
    assert state.available is False
    assert state.get("upload") is None  # after a failure nothing is trusted
    assert [r.getMessage() for r in caplog.records] == [
        "The task state store failed to write twitter_ads.created (RuntimeError: the api-server is away); "
        "this try remembers nothing more for its retries"
    ]
