"""A task state store for tests: Airflow's ``task_state_store`` accessor, kept in a dict."""

from __future__ import annotations

from typing import Any


class DictStore:
    """Airflow's accessor, as a dict: what ``task_state_store`` keeps across tries."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        if value is None:
            raise ValueError("Cannot set value as None")
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)
