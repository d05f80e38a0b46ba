"""Control endpoint handlers: ``handler(request, emulator) -> Response``, without authentication."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Response

if TYPE_CHECKING:
    from airflow_provider_twitter_ads.emulator.server import AdsApiEmulator


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


def health(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    return Response({"ok": True})


def get_state(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    return Response(emulator.snapshot())


def get_requests(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    return Response({"requests": list(emulator.request_log)})


def get_faults(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    return Response({"injected": dict(emulator.faults.injected)})


def set_faults(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    try:
        emulator.faults.configure(_payload(request))
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid(exc) from None
    return Response({"ok": True})


def get_config(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    return Response(emulator.config.public())


def set_config(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    try:
        emulator.update_config(**_payload(request))
    except (ValueError, TypeError) as exc:
        raise _invalid(exc) from None
    return Response(emulator.config.public())


def seed(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    fields = _payload(request)
    try:
        kind, count = fields.pop("kind"), fields.pop("count", 1)
        if not isinstance(count, int):
            raise ValueError(f"count must be an integer, got {count!r}")
        return Response({"data": emulator.seed_entities(kind, count, **fields)})
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid(exc) from None


def reset(request: EmulatorRequest, emulator: AdsApiEmulator) -> Response:
    emulator.reset()
    return Response({"ok": True})
