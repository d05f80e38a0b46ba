"""A stand-in for the task context's ``outlet_events``, recording what an operator sends to each outlet."""

from __future__ import annotations

from typing import Any


class OutletEvent:
    """One outlet's accessor: ``extra`` for an Asset outlet, ``add`` for an Asset alias outlet."""

    def __init__(self) -> None:
        self.extra: dict[str, Any] = {}
        self.added: list[tuple[str, dict[str, Any]]] = []

    def add(self, asset: Any, extra: dict[str, Any] | None = None) -> None:
        self.added.append((asset.uri, extra or {}))


class OutletEvents(dict):
    """``context["outlet_events"]``: an accessor per outlet, made on first use."""

    def __missing__(self, key: Any) -> OutletEvent:
        self[key] = event = OutletEvent()
        return event
