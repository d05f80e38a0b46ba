"""Injected faults: scripted ones for exact tests, seeded random ones for chaos runs.

This is the one place faults are decided (``FaultInjector``) and applied (``apply_before``,
``apply_after``); the server calls both around every API handler.

Fault kinds:

- ``error``: answer ``status`` (default 503) with the documented error body, without handling.
- ``html_error``: answer ``status`` (default 502) with an HTML page, as a proxy in front of the API would.
- ``echo_auth``: answer ``status`` (default 403) with a body that echoes the request's
  ``Authorization`` header, as some proxies and firewalls do; ``format`` ``json`` (default) or
  ``html``.
- ``rate_limit``: answer 429; ``with_reset`` (default true) says whether reset headers are sent.
- ``slow``: sleep ``seconds`` (default 5) ``before`` or ``after`` (default) the write is committed.
- ``drop_before``: close the connection without handling the request (nothing is written).
- ``drop_after``: handle the request (the write is committed), then close without answering.
- ``fail_processing``: the media finalized by this request fails its processing.
"""

from __future__ import annotations

import html
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_twitter_ads.emulator.core import ApiError, EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.ratelimit import Window, window_headers

FAULT_KINDS = (
    "error",
    "html_error",
    "echo_auth",
    "rate_limit",
    "slow",
    "drop_before",
    "drop_after",
    "fail_processing",
)


@dataclass
class Fault:
    """One fault to apply; ``options`` holds the kind's settings (status, seconds, with_reset...)."""

    kind: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScriptedFault:
    """Applies ``fault`` to the next ``times`` requests matching ``method`` and the ``path`` regex."""

    fault: Fault
    method: str | None = None
    path: str | None = None
    times: int = 1
    # Skip this many matching requests before the fault starts to apply.
    after: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path and re.search(self.path, path) is None)


@dataclass
class RandomFaults:
    """Per-request probabilities for each fault kind, drawn from a seeded generator."""

    rates: dict[str, float] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Only requests whose path matches this regex draw faults (None: all API requests).
    path: str | None = None
    seed: int = 0


class FaultInjector:
    """Decides, per request, which fault (if any) applies, and counts what it injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.scripted: list[ScriptedFault] = []
        self.random = RandomFaults()
        self._rng = random.Random(0)
        self.injected: Counter[str] = Counter()

    def configure(self, spec: dict[str, Any]) -> None:
        """Replace the plan from a JSON-able spec: ``{"scripted": [...], "random": {...}}``."""
        scripted = []
        for item in spec.get("scripted", []):
            kind = item["kind"]
            _check_kind(kind, item.get("options", {}))
            scripted.append(
                ScriptedFault(
                    fault=Fault(kind, dict(item.get("options", {}))),
                    method=item.get("method"),
                    path=item.get("path"),
                    times=int(item.get("times", 1)),
                    after=int(item.get("after", 0)),
                )
            )
        rand = spec.get("random") or {}
        for kind in rand.get("rates", {}):
            _check_kind(kind, rand.get("options", {}).get(kind, {}))
        with self._lock:
            self.scripted = scripted
            self.random = RandomFaults(
                rates=dict(rand.get("rates", {})),
                options=dict(rand.get("options", {})),
                path=rand.get("path"),
                seed=int(rand.get("seed", 0)),
            )
            self._rng = random.Random(self.random.seed)

    def clear(self) -> None:
        self.configure({})
        with self._lock:
            self.injected.clear()

    def decide(self, method: str, path: str) -> Fault | None:
        """The fault for this request, or None."""
        with self._lock:
            for scripted in self.scripted:
                if scripted.times <= 0 or not scripted.matches(method, path):
                    continue
                if scripted.after > 0:
                    scripted.after -= 1
                    continue
                scripted.times -= 1
                self.injected[scripted.fault.kind] += 1
                return scripted.fault
            plan = self.random
            if not plan.rates or (plan.path and re.search(plan.path, path) is None):
                return None
            draw = self._rng.random()
            for kind, rate in sorted(plan.rates.items()):
                if draw < rate:
                    self.injected[kind] += 1
                    return Fault(kind, dict(plan.options.get(kind, {})))
                draw -= rate
            return None


def _check_kind(kind: str, options: dict[str, Any]) -> None:
    if kind not in FAULT_KINDS:
        raise ValueError(f"Unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
    if kind == "echo_auth" and options.get("format", "json") not in ("json", "html"):
        raise ValueError(f"echo_auth format must be json or html, got {options['format']!r}")


class DropConnection(Exception):
    """Close the connection without sending any response."""


_ERROR_CODES = {
    500: ("INTERNAL_ERROR", "Internal error"),
    502: ("BAD_GATEWAY", "Bad gateway"),
    503: ("SERVICE_UNAVAILABLE", "Over capacity"),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout"),
}
_HTML_ERROR = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


def apply_before(
    fault: Fault, request: EmulatorRequest, rate_limit: int, account_scoped: bool
) -> Response | None:
    """Apply the part of ``fault`` that comes before the handler.

    Returns a finished response (an HTML page), raises ``ApiError`` (rendered in the route's own
    error format) or ``DropConnection``, or returns None to let the handler run.
    """
    options = fault.options
    if fault.kind == "error":
        status = int(options.get("status", 503))
        code, message = _ERROR_CODES.get(status, ("INTERNAL_ERROR", "Internal error"))
        # An error code of the API's own, for answers a client must tell apart (MEDIA_NOT_FOUND).
        raise ApiError(status, str(options.get("code", code)), str(options.get("message", message)))
    if fault.kind == "html_error":
        return Response(_HTML_ERROR, int(options.get("status", 502)), {"content-type": "text/html"})
    if fault.kind == "echo_auth":
        return _echo_auth(request, int(options.get("status", 403)), str(options.get("format", "json")))
    if fault.kind == "rate_limit":
        headers: dict[str, str] = {}
        if options.get("with_reset", True):
            reset = Window(rate_limit, 0, time.time() + float(options.get("reset_in", 1.0)))
            headers.update(window_headers("x-rate-limit", reset))
            if account_scoped:
                headers.update(window_headers("x-account-rate-limit", reset))
        raise ApiError(429, "TOO_MANY_REQUESTS", "Rate limit exceeded", headers=headers, replace_headers=True)
    if fault.kind == "drop_before":
        raise DropConnection
    if fault.kind == "slow" and options.get("when", "after") == "before":
        time.sleep(float(options.get("seconds", 5.0)))
    if fault.kind == "fail_processing":
        request.fail_processing = True
    return None


def _echo_auth(request: EmulatorRequest, status: int, body_format: str) -> Response:
    """A gateway's refusal that quotes the request's Authorization header back (signature included)."""
    authorization = request.headers.get("authorization", "")
    if body_format == "html":
        # A web application firewall's page: no title, the rule's matched data (the token and the
        # signature) first, then the whole header; HTML-escaped.
        matched = ", ".join(re.findall(r'oauth_(?:token|signature)="[^"]*"', authorization))
        page = (
            f"<html><body><h1>{status} Request blocked</h1><p>Matched data: {html.escape(matched)} "
            f"within REQUEST_HEADERS:Authorization</p><p>Authorization: {html.escape(authorization)}"
            "</p><p>Support ID: 5c1f9e0d</p></body></html>"
        )
        return Response(page.encode(), status, {"content-type": "text/html"})
    message = f"Request blocked by the gateway. Authorization: {authorization}"
    return Response({"errors": [{"code": "REQUEST_BLOCKED", "message": message}]}, status, {})


def apply_after(fault: Fault) -> None:
    """Apply the part of ``fault`` that comes after the handler committed its write."""
    if fault.kind == "drop_after":
        raise DropConnection
    if fault.kind == "slow" and fault.options.get("when", "after") == "after":
        time.sleep(float(fault.options.get("seconds", 5.0)))
