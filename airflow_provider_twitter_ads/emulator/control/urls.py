"""The control route table, under ``/_emulator``; unknown control paths are 404 ``NOT_FOUND``."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.control import responses
from airflow_provider_twitter_ads.emulator.control.responses import ControlledEmulator
from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Response, Router, Url

PREFIX = "/_emulator"
URLS: tuple[Url, ...] = (
    Url("GET", "/health", responses.health),
    Url("GET", "/state", responses.get_state),
    Url("GET", "/requests", responses.get_requests),
    Url("GET", "/faults", responses.get_faults),
    Url("POST", "/faults", responses.set_faults),
    Url("GET", "/config", responses.get_config),
    Url("POST", "/config", responses.set_config),
    Url("POST", "/seed", responses.seed),
    Url("POST", "/reset", responses.reset),
)


def control_error_response(error: ApiError, request: EmulatorRequest) -> Response:
    """``{"errors": [{"code", "message"}]}``, with ``NOT_FOUND`` for a path that is no control action."""
    code = "NOT_FOUND" if error.code == "ROUTE_NOT_FOUND" else error.code
    message = error.message
    if code == "NOT_FOUND":
        message = f"No control action {request.path[len(PREFIX) :].strip('/')!r}"
    return Response({"errors": [{"code": code, "message": message}]}, error.status)


def register(router: Router, emulator: ControlledEmulator) -> None:
    """Add the control routes to ``router``, each handler bound to ``emulator``."""
    for url in URLS:

        def serve(request: EmulatorRequest, url: Url = url) -> Response:
            return url.handler(request, emulator)

        router.add(
            url.method, PREFIX + url.template, serve, control=True, render_error=control_error_response
        )
