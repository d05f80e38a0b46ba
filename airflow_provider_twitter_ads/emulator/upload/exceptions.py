"""Upload API errors and how each API version renders them.

v2 (the media upload OpenAPI spec): RFC 7807 problems on every error, handler errors and 401, 429
and 5xx alike. Request errors carry the spec's problem types (``invalid-request``,
``resource-not-found``); HTTP-level errors are ``about:blank`` problems titled by their status, as
the X API v2 sends them. v1.1 ("POST media/upload" reference): ``{"errors": [{"code", "message"}]}``
(or ``{"request", "error"}``), an unknown media id being 400.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Response

V1_PATH = "/1.1/media/upload.json"
_PROBLEMS = {
    400: ("Invalid Request", "https://api.x.com/2/problems/invalid-request"),
    404: ("Not Found Error", "https://api.x.com/2/problems/resource-not-found"),
}
# v1.1 error codes: a required parameter is missing; a media parameter is invalid; and the
# platform's codes for bad authentication, rate limits and internal errors.
V1_MISSING = 38
V1_INVALID = 324
_V1_PLATFORM_CODES = {401: 32, 429: 88}
_V1_INTERNAL = 131


class UploadError(ApiError):
    """A request error of the upload API; ``v1_code`` is its v1.1 error code, if it has one."""

    def __init__(self, status: int, message: str, parameter: str | None = None, v1_code: int | None = None):
        super().__init__(status, "NOT_FOUND" if status == 404 else "INVALID_PARAMETER", message, parameter)
        self.v1_code = v1_code


def missing(name: str) -> UploadError:
    return UploadError(400, f"{name} parameter is missing.", name, V1_MISSING)


def invalid(name: str, message: str) -> UploadError:
    return UploadError(400, message, name, V1_INVALID)


def problem(status: int, detail: str, parameter: str | None = None, *, request_error: bool) -> dict[str, Any]:
    """An RFC 7807 problem body (``title``, ``detail``, ``type``, ``status``)."""
    if request_error:
        title, problem_type = _PROBLEMS.get(status, _PROBLEMS[400])
    else:
        title, problem_type = _status_phrase(status), "about:blank"
    body: dict[str, Any] = {"title": title, "detail": detail, "type": problem_type, "status": status}
    if request_error:
        error: dict[str, Any] = {"title": title, "detail": detail, "type": problem_type}
        if parameter is not None:
            error["parameter"] = parameter
        body["errors"] = [error]
    return body


def _status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def v2_error_response(error: ApiError, request: EmulatorRequest) -> Response:
    """Any error on a v2 upload route as an RFC 7807 problem."""
    request_error = isinstance(error, UploadError) or error.status in (400, 404)
    body = problem(error.status, error.message, error.parameter, request_error=request_error)
    return Response(body, error.status)


def v1_error_response(error: ApiError, request: EmulatorRequest) -> Response:
    """Any error on the v1.1 upload route in that version's formats."""
    if isinstance(error, UploadError):
        status = 400 if error.status == 404 else error.status
        if error.v1_code is None:
            return Response({"request": V1_PATH, "error": error.message}, status)
        return Response({"errors": [{"code": error.v1_code, "message": error.message}]}, status)
    code = _V1_PLATFORM_CODES.get(error.status, _V1_INTERNAL)
    return Response({"errors": [{"code": code, "message": error.message}]}, error.status)
