"""Request, response, errors and routing shared by every emulator endpoint module."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


class ApiError(Exception):
    """Raised by a handler; rendered as the documented ``{"errors": [...], "request": ...}`` body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        replace_headers: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter
        self.headers = headers or {}
        # True: ``headers`` replace the rate-limit headers the request earned (an injected 429).
        self.replace_headers = replace_headers

    def body(self, request: EmulatorRequest | None) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.parameter is not None:
            error["parameter"] = self.parameter
        return {"errors": [error], "request": request_echo(request)}


def request_echo(request: EmulatorRequest | None) -> dict[str, Any]:
    """The ``request`` member the API echoes back: the parameters it understood.

    ``*_ids`` filters come back as JSON arrays, as in every example of the Ads API reference.
    """
    if request is None:
        return {"params": {}}
    params: dict[str, Any] = dict(request.path_params)
    params.pop("version", None)
    for key, value in request.params.items():
        if key.startswith("oauth_"):
            continue
        params[key] = (
            [part.strip() for part in value.split(",") if part.strip()] if key.endswith("_ids") else value
        )
    return {"params": params}


@dataclass
class EmulatorRequest:
    """One parsed HTTP request as the handlers see it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    json: Any = None
    path_params: dict[str, str] = field(default_factory=dict)
    # Set by the server when a ``fail_processing`` fault applies to this request.
    fail_processing: bool = False

    @property
    def params(self) -> dict[str, str]:
        """Query, form and (flat) JSON parameters merged; later sources win."""
        merged = dict(self.query)
        merged.update(self.form)
        if isinstance(self.json, dict):
            # A JSON null means "not given", as the API treats it.
            merged.update({k: _json_param(v) for k, v in self.json.items() if v is not None})
        return merged

    def param(self, name: str, default: str | None = None) -> str | None:
        return self.params.get(name, default)

    def require(self, name: str) -> str:
        """The parameter's value, or the API's ``MISSING_PARAMETER`` 400."""
        value = self.params.get(name)
        if value is None or value == "":
            raise ApiError(400, "MISSING_PARAMETER", f'"{name}" is a required parameter', name)
        return value


def _json_param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def parse_body(request: EmulatorRequest) -> None:
    """Fill ``form``, ``files`` and ``json`` from the body by its Content-Type."""
    content_type = request.headers.get("content-type", "")
    if not request.body:
        return
    if content_type.startswith("application/x-www-form-urlencoded"):
        request.form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    elif content_type.startswith("application/json"):
        try:
            request.json = json.loads(request.body)
        except ValueError as exc:
            raise ApiError(400, "INVALID_PARAMETER", f"Body is not valid JSON: {exc}") from None
    elif content_type.startswith("multipart/form-data"):
        _parse_multipart(request, content_type)


_DISPOSITION_PARAM = re.compile(rb';\s*(name|filename)="([^"]*)"')


def _parse_multipart(request: EmulatorRequest, content_type: str) -> None:
    """Split a multipart body on its boundary.

    A direct split, not the email package: that one copies a 4 MiB segment several times while
    holding the GIL, which serialized parallel appends.
    """
    boundary_match = re.search(r'boundary="?([^";]+)"?', content_type)
    if boundary_match is None:
        raise ApiError(400, "INVALID_PARAMETER", "multipart/form-data body without a boundary")
    delimiter = b"--" + boundary_match.group(1).encode("latin-1")
    body = request.body
    position = body.find(delimiter)
    while position != -1:
        start = position + len(delimiter)
        if body[start : start + 2] == b"--":
            return
        headers_end = body.find(b"\r\n\r\n", start)
        next_position = body.find(b"\r\n" + delimiter, headers_end)
        if headers_end == -1 or next_position == -1:
            raise ApiError(400, "INVALID_PARAMETER", "Malformed multipart/form-data body")
        params = dict(_DISPOSITION_PARAM.findall(body[start:headers_end]))
        payload = body[headers_end + 4 : next_position]
        name = params.get(b"name", b"").decode("utf-8")
        if name and (b"filename" in params or name == "media"):
            request.files[name] = payload
        elif name:
            request.form[name] = payload.decode("utf-8")
        position = next_position + 2


@dataclass
class Response:
    """What a handler returns: a JSON-able body (or None for an empty body) and a status."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[EmulatorRequest], Response]
#: Turns an error raised on a route into the response that route's API sends.
ErrorRenderer = Callable[[ApiError, EmulatorRequest], Response]


def ads_error_response(error: ApiError, request: EmulatorRequest) -> Response:
    """The Ads API error body: ``{"errors": [...], "request": ...}``."""
    return Response(error.body(request), error.status)


@dataclass(frozen=True)
class Url:
    """One row of a package's route table (its ``urls.py``).

    ``handler`` takes the request and the package's backend (the state, or the emulator for
    control endpoints); ``min_version`` / ``max_version`` bound the Ads API versions serving it.
    """

    method: str
    template: str
    handler: Callable[[EmulatorRequest, Any], Response]
    min_version: int | None = None
    max_version: int | None = None


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    family: str
    account_scoped: bool
    # Control routes skip signatures, rate limits, faults and the request log.
    control: bool
    render_error: ErrorRenderer

    @property
    def authenticated(self) -> bool:
        return not self.control


class Router:
    """Maps method and path to a handler. ``{name}`` in a template matches one path segment."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        family: str | None = None,
        control: bool = False,
        render_error: ErrorRenderer = ads_error_response,
    ) -> None:
        """Register ``handler``; ``family`` names its rate-limit bucket (default: the template)."""
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$"
        self.routes.append(
            Route(
                method=method.upper(),
                pattern=re.compile(regex),
                handler=handler,
                family=family or f"{method.upper()} {template}",
                account_scoped="{account_id}" in template,
                control=control,
                render_error=render_error,
            )
        )

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route and path parameters, or a 404 ``ROUTE_NOT_FOUND`` ``ApiError``.

        A known path with another method is no route either: the API keys routes by both.
        """
        for route in self.routes:
            found = route.pattern.match(path)
            if found is not None and route.method == method.upper():
                return route, found.groupdict()
        raise ApiError(404, "ROUTE_NOT_FOUND", f"No route for {method.upper()} {path}")
