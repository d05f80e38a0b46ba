"""Control endpoint handlers: ``handler(request, emulator) -> Response``, without authentication."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.faults import FaultInjector
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig


class ControlledEmulator(Protocol):
    """What the control endpoints use of the server (``server.AdsApiEmulator``, which imports this
    module: a protocol keeps the import graph free of a cycle)."""

    config: EmulatorConfig
    faults: FaultInjector
    request_log: Iterable[dict[str, Any]]

    def snapshot(self) -> dict[str, Any]: ...

    def update_config(self, **changes: Any) -> None: ...

    def seed_entities(self, kind: str, count: int, **fields: Any) -> list[dict[str, Any]]: ...

    def reset(self) -> None: ...


def _payload(request: EmulatorRequest) -> dict[str, Any]:
    try:
        payload = json.loads(request.body) if request.body else {}
    except ValueError as exc:
        raise ApiError(400, "INVALID_PARAMETER", f"Body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "INVALID_PARAMETER", f"Body must be a JSON object, got {type(payload).__name__}")
    return payload


def _invalid(exc: Exception) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER", str(exc.args[0]) if exc.args else str(exc))


def health(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    return Response({"ok": True})


def get_state(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    return Response(emulator.snapshot())


def get_requests(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    return Response({"requests": list(emulator.request_log)})


def get_faults(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    return Response({"injected": dict(emulator.faults.injected)})


def set_faults(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    try:
        emulator.faults.configure(_payload(request))
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid(exc) from None
    return Response({"ok": True})


def get_config(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    return Response(emulator.config.public())


def set_config(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    try:
        emulator.update_config(**_payload(request))
    except (ValueError, TypeError) as exc:
        raise _invalid(exc) from None
    return Response(emulator.config.public())


def seed(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    fields = _payload(request)
    try:
        kind, count = fields.pop("kind"), fields.pop("count", 1)
        if not isinstance(count, int):
            raise ValueError(f"count must be an integer, got {count!r}")
        return Response({"data": emulator.seed_entities(kind, count, **fields)})
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid(exc) from None


def reset(request: EmulatorRequest, emulator: ControlledEmulator) -> Response:
    emulator.reset()
    return Response({"ok": True})
