"""What a task instance remembers across its tries: Airflow 3.3's ``task_state_store``, when there is one.

``TaskState.of(context)`` wraps ``context["task_state_store"]`` (absent on Airflow 2.10 and outside
the Task Runner: then nothing is remembered and every call is a no-op). Values are JSON, under keys
prefixed ``twitter_ads.``. A store that fails to answer never fails the task: the failure is
logged once and the task goes on as if nothing were remembered, since look-before-create and a
fresh upload are always correct, only slower.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

KEY_PREFIX = "twitter_ads."

log = logging.getLogger(__name__)


class TaskStateStore(Protocol):
    """The part of Airflow's ``TaskStateStoreAccessor`` used here."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...

    def delete(self, key: str) -> None: ...


class TaskState:
    """JSON values remembered across the tries of one task instance, or nothing without a store."""

    def __init__(self, store: TaskStateStore | None) -> None:
        self._store = store
        self._failed = False

    @classmethod
    def of(cls, context: Mapping[str, Any] | None) -> TaskState:
        """The task instance's state, from ``context["task_state_store"]`` when it has one."""
        store = context.get("task_state_store") if context else None
        if store is None or not all(
            callable(getattr(store, name, None)) for name in ("get", "set", "delete")
        ):
            return cls(None)
        return cls(store)

    @property
    def available(self) -> bool:
        """Whether anything is remembered across tries (a store, and it has not failed)."""
        return self._store is not None and not self._failed

    def get(self, key: str) -> Any:
        """The value remembered under ``key``, or None."""
        if not self.available:
            return None
        try:
            return self._store.get(KEY_PREFIX + key)  # type: ignore[union-attr]
        except Exception as exc:
            self._give_up("read", key, exc)
            return None

    def set(self, key: str, value: Any) -> None:
        """Remember ``value`` (JSON, not None) under ``key``."""
        if not self.available:
            return
        try:
            self._store.set(KEY_PREFIX + key, value)  # type: ignore[union-attr]
        except Exception as exc:
            self._give_up("write", key, exc)

    def delete(self, key: str) -> None:
        """Forget ``key``."""
        if not self.available:
            return
        try:
            self._store.delete(KEY_PREFIX + key)  # type: ignore[union-attr]
        except Exception as exc:
            self._give_up("delete", key, exc)

    def _give_up(self, action: str, key: str, exc: Exception) -> None:
        self._failed = True
        log.warning(
            "The task state store failed to %s %s%s (%s: %s); this try remembers nothing more for its retries",
            action,
            KEY_PREFIX,
            key,
            type(exc).__name__,
            exc,
        )
