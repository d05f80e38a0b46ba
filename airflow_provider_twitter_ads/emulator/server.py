"""The emulator's HTTP server: signature checks, rate limits, faults, routing, control endpoints."""

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

from airflow_provider_twitter_ads.emulator import ads, upload
from airflow_provider_twitter_ads.emulator.auth import SignatureVerifier
from airflow_provider_twitter_ads.emulator.core import (
    ApiError,
    EmulatorRequest,
    Response,
    Route,
    Router,
    parse_body,
)
from airflow_provider_twitter_ads.emulator.faults import Fault, FaultInjector
from airflow_provider_twitter_ads.emulator.ratelimit import RateLimiter, Window, window_headers
from airflow_provider_twitter_ads.emulator.state import EmulatorConfig, EmulatorState

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/_emulator"
_ERROR_CODES = {
    500: ("INTERNAL_ERROR", "Internal error"),
    502: ("BAD_GATEWAY", "Bad gateway"),
    503: ("SERVICE_UNAVAILABLE", "Over capacity"),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout"),
}
_HTML_ERROR = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
_REQUEST_LOG_SIZE = 50_000


class _DropConnection(Exception):
    """Close the connection without sending any response."""


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
        ads.register(self.router, self.state)
        upload.register(self.router, self.state)
        ads.seed(self.state)
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
            ads.seed(self.state)
        self.faults.clear()
        self._rate_limiter.reset()
        self.request_log.clear()

    def update_config(self, **changes: Any) -> None:
        """Change configuration fields at run time (rate limits, latency, processing time...)."""
        for name, value in changes.items():
            if not hasattr(self.config, name):
                raise ValueError(f"Unknown emulator setting {name!r}")
            setattr(self.config, name, value)
        self._rate_limiter.window_seconds = self.config.rate_limit_window
        self._rate_limiter.reset()

    def seed_entities(self, kind: str, count: int, **fields: Any) -> list[dict[str, Any]]:
        """Insert ``count`` valid entities of ``kind`` into the seeded account, for paging tests.

        ``kind``: ``media_creatives``, ``account_media``, ``media_library`` or
        ``preroll_call_to_actions``; ``fields`` override the defaults (see ``ads.seed_entities``).
        Returns copies of the new entities, oldest first.
        """
        with self.state.lock:
            return ads.seed_entities(self.state, kind, count, **fields)

    def airflow_connection(self, **extra_overrides: Any) -> dict[str, Any]:
        """A ``twitter_ads`` connection (JSON form of ``AIRFLOW_CONN_*``) pointing at this emulator."""
        extra: dict[str, Any] = {
            "access_token": self.config.access_token,
            "access_token_secret": self.config.access_token_secret,
            "account_id": self.config.account_id,
            "api_version": "12",
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
        if split.path.startswith(CONTROL_PREFIX):
            self._send(handler, self._control(request), {})
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
            response = self._handle_api(handler, request, pairs, rate_headers, entry)
        except _DropConnection:
            entry["status"] = None
            handler.close_connection = True
            self._log(entry, started)
            return
        entry["status"] = response.status
        self._log(entry, started)
        self._send(handler, response, rate_headers)

    def _handle_api(
        self,
        handler: BaseHTTPRequestHandler,
        request: EmulatorRequest,
        pairs: list[tuple[str, str]],
        rate_headers: dict[str, str],
        entry: dict[str, Any],
    ) -> Response:
        try:
            route, path_params = self.router.match(request.method, request.path)
            request.path_params = path_params
            entry["family"] = route.family
            if route.authenticated and not self._signed(handler, request):
                raise ApiError(401, "UNAUTHORIZED_ACCESS", "This request is not properly authenticated")
            _check_version(path_params, self.config.supported_versions)
            _check_repeated_keys(pairs)
            limited = self._spend_rate_limit(route, path_params, rate_headers)
            if limited is not None:
                raise limited
            fault = self.faults.decide(request.method, request.path)
            if fault is not None:
                entry["fault"] = fault.kind
                early = self._apply_fault_before(fault, request, route, path_params, rate_headers)
                if early is not None:
                    return early
            parse_body(request)
            with self.state.lock:
                response = route.handler(request)
            if fault is not None:
                self._apply_fault_after(fault)
            return response
        except ApiError as error:
            rate_headers.update(error.headers)
            return Response(error.body(request), error.status)
        except _DropConnection:
            raise
        except Exception:
            log.error("Emulator handler failed:\n%s", traceback.format_exc())
            return Response(ApiError(500, "INTERNAL_ERROR", "Internal error").body(request), 500)

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
    ) -> ApiError | None:
        ok, window = self._rate_limiter.take(("app", route.family), self.config.rate_limit)
        rate_headers.update(window_headers("x-rate-limit", window))
        account_ok = True
        if route.account_scoped:
            account_ok, account_window = self._rate_limiter.take(
                ("account", path_params.get("account_id", ""), route.family), self.config.account_rate_limit
            )
            rate_headers.update(window_headers("x-account-rate-limit", account_window))
        if ok and account_ok:
            return None
        return ApiError(429, "TOO_MANY_REQUESTS", "Rate limit exceeded")

    def _apply_fault_before(
        self,
        fault: Fault,
        request: EmulatorRequest,
        route: Route,
        path_params: dict[str, str],
        rate_headers: dict[str, str],
    ) -> Response | None:
        options = fault.options
        if fault.kind == "error":
            status = int(options.get("status", 503))
            code, message = _ERROR_CODES.get(status, ("INTERNAL_ERROR", "Internal error"))
            return Response(ApiError(status, code, message).body(request), status)
        if fault.kind == "html_error":
            status = int(options.get("status", 502))
            return Response(_HTML_ERROR, status, {"content-type": "text/html"})
        if fault.kind == "rate_limit":
            rate_headers.clear()
            if options.get("with_reset", True):
                reset = Window(
                    limit=self.config.rate_limit,
                    remaining=0,
                    reset_at=time.time() + float(options.get("reset_in", 1.0)),
                )
                rate_headers.update(window_headers("x-rate-limit", reset))
                if route.account_scoped:
                    rate_headers.update(window_headers("x-account-rate-limit", reset))
            return Response(ApiError(429, "TOO_MANY_REQUESTS", "Rate limit exceeded").body(request), 429)
        if fault.kind == "drop_before":
            raise _DropConnection
        if fault.kind == "slow" and options.get("when", "after") == "before":
            time.sleep(float(options.get("seconds", 5.0)))
        if fault.kind == "fail_processing":
            request.fail_processing = True
        return None

    def _apply_fault_after(self, fault: Fault) -> None:
        if fault.kind == "drop_after":
            raise _DropConnection
        if fault.kind == "slow" and fault.options.get("when", "after") == "after":
            time.sleep(float(fault.options.get("seconds", 5.0)))

    def _log(self, entry: dict[str, Any], started: float) -> None:
        entry["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
        self.request_log.append(entry)

    # -- control endpoints ------------------------------------------------------------------------

    def _control(self, request: EmulatorRequest) -> Response:
        action = request.path[len(CONTROL_PREFIX) :].strip("/")
        try:
            payload = json.loads(request.body) if request.body else {}
            if request.method == "GET" and action == "health":
                return Response({"ok": True})
            if request.method == "GET" and action == "state":
                return Response(self.snapshot())
            if request.method == "GET" and action == "requests":
                return Response({"requests": list(self.request_log)})
            if request.method == "GET" and action == "faults":
                return Response({"injected": dict(self.faults.injected)})
            if request.method == "POST" and action == "faults":
                self.faults.configure(payload)
                return Response({"ok": True})
            if request.method == "GET" and action == "config":
                return Response(self.config.public())
            if request.method == "POST" and action == "config":
                self.update_config(**payload)
                return Response(self.config.public())
            if request.method == "POST" and action == "seed":
                fields = dict(payload)
                kind, count = fields.pop("kind"), fields.pop("count", 1)
                if not isinstance(count, int):
                    raise ValueError(f"count must be an integer, got {count!r}")
                return Response({"data": self.seed_entities(kind, count, **fields)})
            if request.method == "POST" and action == "reset":
                self.reset()
                return Response({"ok": True})
        except (ValueError, KeyError, TypeError) as exc:
            return Response({"errors": [{"code": "INVALID_PARAMETER", "message": str(exc)}]}, 400)
        return Response({"errors": [{"code": "NOT_FOUND", "message": f"No control action {action!r}"}]}, 404)

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


def _check_version(path_params: dict[str, str], supported: tuple[int, ...]) -> None:
    version = path_params.get("version")
    if version is not None and not (version.isdigit() and int(version) in supported):
        raise ApiError(404, "NOT_FOUND", f"API version {version!r} is not served")


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
