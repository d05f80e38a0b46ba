"""The emulator's HTTP server: routing, then signature checks, rate limits and faults on API routes.

Each API is a package with its own route table (``ads.urls``, ``upload.urls``, ``control.urls``);
the server only dispatches, and renders an error in the format of the route that raised it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from airflow_provider_twitter_ads.emulator import faults as fault_plan
from airflow_provider_twitter_ads.emulator import upload
from airflow_provider_twitter_ads.emulator.ads import seed as ads_seed
from airflow_provider_twitter_ads.emulator.ads import urls as ads_urls
from airflow_provider_twitter_ads.emulator.auth import SignatureVerifier
from airflow_provider_twitter_ads.emulator.control import urls as control_urls
from airflow_provider_twitter_ads.emulator.core import (
    ApiError,
    EmulatorRequest,
    ErrorRenderer,
    Response,
    Route,
    Router,
    ads_error_response,
    parse_body,
)
from airflow_provider_twitter_ads.emulator.faults import DropConnection, FaultInjector
from airflow_provider_twitter_ads.emulator.ratelimit import RateLimiter, window_headers
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig, EmulatorState
from airflow_provider_twitter_ads.emulator.upload import urls as upload_urls
from airflow_provider_twitter_ads.emulator.upload.exceptions import v1_error_response, v2_error_response

log = logging.getLogger(__name__)

CONTROL_PREFIX = control_urls.PREFIX
#: Sent on every Ads API response ("Versions" page: the current version of the API).
CURRENT_API_VERSION = "12.0"
#: The oldest version with no deprecation date ("Versions" page); older ones, when
#: ``supported_versions`` serves them, answer with ``x-api-warn`` as deprecated versions do.
OLDEST_UNDEPRECATED_VERSION = 11
_REQUEST_LOG_SIZE = 50_000


class AdsApiEmulator:
    """A local X Ads API on loopback. Use as a context manager, or ``start()`` / ``stop()``.

    ``url`` is the base for both the Ads API and media upload endpoints. Tests read ``state``,
    configure ``faults`` and read ``request_log`` in process, or use the ``/_emulator`` endpoints.
    """

    def __init__(self, config: EmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or EmulatorConfig()
        self.faults = FaultInjector()
        self.request_log: deque[dict[str, Any]] = deque(maxlen=_REQUEST_LOG_SIZE)
        self._verifier = SignatureVerifier(self.config)
        self._rate_limiter = RateLimiter(self.config.rate_limit_window)
        self.state = EmulatorState(self.config)
        self.router = Router()
        ads_urls.register(self.router, self.state)
        upload_urls.register(self.router, self.state)
        control_urls.register(self.router, self)
        ads_seed.seed(self.state)
        self._httpd = _Server((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> AdsApiEmulator:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="ads-api-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        upload.cleanup(self.state)

    def __enter__(self) -> AdsApiEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the seed data, no faults, full rate-limit budgets, empty request log."""
        with self.state.lock:
            upload.cleanup(self.state)
            for rows in self.state.tables.values():
                rows.clear()
            self.state.media.clear()
            self.state.media_key_by_id.clear()
            ads_seed.seed(self.state)
        self.faults.clear()
        self._rate_limiter.reset()
        self.request_log.clear()

    def update_config(self, **changes: Any) -> None:
        """Change configuration fields at run time (rate limits, latency, processing time...)."""
        for name, value in changes.items():
            self.config.check_setting(name, value)
        # Only once every change is valid: a refused update changes nothing.
        for name, value in changes.items():
            setattr(self.config, name, value)
        self._rate_limiter.window_seconds = self.config.rate_limit_window
        self._rate_limiter.reset()

    def seed_entities(self, kind: str, count: int, **fields: Any) -> list[dict[str, Any]]:
        """Insert ``count`` valid entities of ``kind`` into the seeded account, for paging tests.

        ``kind``: ``media_creatives``, ``account_media``, ``media_library`` or
        ``preroll_call_to_actions``; ``fields`` override the defaults (see ``ads.seed.seed_entities``).
        Returns copies of the new entities, oldest first.
        """
        with self.state.lock:
            return ads_seed.seed_entities(self.state, kind, count, **fields)

    def airflow_connection(self, **extra_overrides: Any) -> dict[str, Any]:
        """A ``twitter_ads`` connection (JSON form of ``AIRFLOW_CONN_*``) pointing at this emulator."""
        extra: dict[str, Any] = {
            "access_token": self.config.access_token,
            "access_token_secret": self.config.access_token_secret,
            "account_id": self.config.account_id,
            "api_version": 12,
            "ads_api_url": self.url,
            "upload_api_url": self.url,
            "timeout": 10,
        }
        extra.update(extra_overrides)
        return {
            "conn_type": "twitter_ads",
            "login": self.config.consumer_key,
            "password": self.config.consumer_secret,
            "extra": extra,
        }

    def snapshot(self) -> dict[str, Any]:
        """Every entity and media record, with processing states brought up to the clock."""
        with self.state.lock:
            for record in self.state.media.values():
                upload.refresh_processing(record)
            return self.state.snapshot()

    def api_requests(
        self, method: str | None = None, path_contains: str | None = None
    ) -> list[dict[str, Any]]:
        """Logged API requests (control calls excluded), optionally filtered."""
        return [
            entry
            for entry in list(self.request_log)
            if (method is None or entry["method"] == method.upper())
            and (path_contains is None or path_contains in entry["path"])
        ]

    # -- request handling -------------------------------------------------------------------------

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        started = time.monotonic()
        body = _read_body(handler)
        split = urlsplit(handler.path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        request = EmulatorRequest(
            method=handler.command.upper(),
            path=split.path,
            query=dict(pairs),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        route: Route | None = None
        unrouted: Response | None = None
        try:
            route, request.path_params = self.router.match(request.method, request.path)
        except ApiError as error:
            unrouted = _renderer_for_path(request.path)(error, request)
        if route is not None and route.control:
            self._send(handler, self._control(route, request), {})
            return
        if unrouted is not None and request.path.startswith(CONTROL_PREFIX):
            self._send(handler, unrouted, {})
            return
        entry: dict[str, Any] = {
            "time": time.time(),
            "method": request.method,
            "path": request.path,
            "query": {k: v for k, v in request.query.items() if not k.startswith("oauth_")},
            "bytes_in": len(body),
            "fault": None,
        }
        rate_headers: dict[str, str] = {}
        try:
            if self.config.latency:
                time.sleep(self.config.latency)
            if route is None:
                assert unrouted is not None
                response = unrouted
            else:
                entry["family"] = route.family
                response = self._handle_api(handler, route, request, pairs, rate_headers, entry)
        except DropConnection:
            entry["status"] = None
            handler.close_connection = True
            self._log(entry, started)
            return
        if not request.path.startswith(("/2/", "/1.1/")):
            response.headers.setdefault("x-current-api-version", CURRENT_API_VERSION)
            warning = _deprecation_warning(request.path_params, self.config.supported_versions)
            if warning is not None:
                response.headers.setdefault("x-api-warn", warning)
        entry["status"] = response.status
        self._log(entry, started)
        self._send(handler, response, rate_headers)

    def _handle_api(
        self,
        handler: BaseHTTPRequestHandler,
        route: Route,
        request: EmulatorRequest,
        pairs: list[tuple[str, str]],
        rate_headers: dict[str, str],
        entry: dict[str, Any],
    ) -> Response:
        """Signature, version, repeated keys, rate limits, faults, then the handler."""
        try:
            if route.authenticated and not self._signed(handler, request):
                raise ApiError(401, "UNAUTHORIZED_ACCESS", "This request is not properly authenticated")
            _check_version(request.path_params, self.config.supported_versions)
            _check_repeated_keys(pairs)
            self._spend_rate_limit(route, request.path_params, rate_headers)
            fault = self.faults.decide(request.method, request.path)
            if fault is not None:
                entry["fault"] = fault.kind
                early = fault_plan.apply_before(fault, request, self.config.rate_limit, route.account_scoped)
                if early is not None:
                    return early
            parse_body(request)
            with self.state.lock:
                response = route.handler(request)
            if fault is not None:
                fault_plan.apply_after(fault)
            return response
        except ApiError as error:
            if error.replace_headers:
                rate_headers.clear()
            rate_headers.update(error.headers)
            return route.render_error(error, request)
        except DropConnection:
            raise
        except Exception:
            log.error("Emulator handler failed:\n%s", traceback.format_exc())
            return route.render_error(ApiError(500, "INTERNAL_ERROR", "Internal error"), request)

    def _control(self, route: Route, request: EmulatorRequest) -> Response:
        try:
            return route.handler(request)
        except ApiError as error:
            return route.render_error(error, request)

    def _signed(self, handler: BaseHTTPRequestHandler, request: EmulatorRequest) -> bool:
        content_type = request.headers.get("content-type", "")
        form_body = (
            request.body.decode("utf-8", "replace") if "x-www-form-urlencoded" in content_type else None
        )
        host = request.headers.get("host") or "{}:{}".format(*handler.server.server_address[:2])
        return self._verifier.verify(
            f"http://{host}{handler.path}", request.method, form_body, request.headers
        )

    def _spend_rate_limit(
        self, route: Route, path_params: dict[str, str], rate_headers: dict[str, str]
    ) -> None:
        ok, window = self._rate_limiter.take(("app", route.family), self.config.rate_limit)
        rate_headers.update(window_headers("x-rate-limit", window))
        account_ok = True
        if route.account_scoped:
            account_ok, account_window = self._rate_limiter.take(
                ("account", path_params.get("account_id", ""), route.family), self.config.account_rate_limit
            )
            rate_headers.update(window_headers("x-account-rate-limit", account_window))
        if not (ok and account_ok):
            raise ApiError(429, "TOO_MANY_REQUESTS", "Rate limit exceeded")

    def _log(self, entry: dict[str, Any], started: float) -> None:
        entry["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
        self.request_log.append(entry)

    def _send(
        self, handler: BaseHTTPRequestHandler, response: Response, rate_headers: dict[str, str]
    ) -> None:
        if isinstance(response.body, bytes):
            payload = response.body
            content_type = response.headers.get("content-type", "application/octet-stream")
        elif response.body is None:
            payload = b""
            content_type = "application/json; charset=utf-8"
        else:
            payload = json.dumps(response.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        handler.send_response(response.status)
        handler.send_header("content-type", content_type)
        handler.send_header("content-length", str(len(payload)))
        for name, value in {**rate_headers, **response.headers}.items():
            if name.lower() != "content-type":
                handler.send_header(name, value)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)


def _renderer_for_path(path: str) -> ErrorRenderer:
    """The error format of the API a path belongs to, for requests no route matched."""
    if path.startswith(CONTROL_PREFIX):
        return control_urls.control_error_response
    if path.startswith("/2/"):
        return v2_error_response
    if path.startswith("/1.1/"):
        return v1_error_response
    return ads_error_response


def _check_version(path_params: dict[str, str], supported: tuple[int, ...]) -> None:
    """Only live versions are served ("Versions" page: 11 and 12; 10 and older are end of life)."""
    version = path_params.get("version")
    if version is not None and not (version.isdigit() and int(version) in supported):
        raise ApiError(
            404, "ROUTE_NOT_FOUND", f"API version {version!r} is not served (end of life or unknown)"
        )


def _deprecation_warning(path_params: dict[str, str], supported: tuple[int, ...]) -> str | None:
    """The ``x-api-warn`` text for a served deprecated version ("Versions" page), else None."""
    version = path_params.get("version", "")
    if version.isdigit() and int(version) in supported and int(version) < OLDEST_UNDEPRECATED_VERSION:
        return f"Ads API version {version} is deprecated; the current version is {CURRENT_API_VERSION}"
    return None


def _check_repeated_keys(pairs: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ApiError(
                400, "INVALID_PARAMETER", f"{key} was given more than once; send lists comma-separated", key
            )
        seen.add(key)


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("content-length") or 0)
    return handler.rfile.read(length) if length else b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 2048
    allow_reuse_address = True


def _handler_for(emulator: AdsApiEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Small responses otherwise wait on Nagle's algorithm and delayed ACKs (~40 ms each).
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            emulator.serve(self)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Silenced: the emulator keeps its own request log."""

    return Handler
