"""Every error this provider raises, the parser that turns an error response into one, and the
round trip of an error through a trigger event (:func:`describe_error` / :func:`rebuild_error`).

Every error carries the request's method and path (never its query, headers or body), the HTTP
status and the API's errors normalized to ``{"code", "message", "parameter"}``, so
``str(error)`` reads like
``POST accounts/18ce54d4x5t/media_creatives failed with 400 INVALID_PARAMETER (landing_url): ...``.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from airflow_provider_twitter_ads.compat import AirflowException

# Non-JSON bodies (proxy error pages) are summarized to this many characters in messages.
_BODY_PREVIEW_CHARS = 200

#: What replaces a credential echoed in an error body.
REDACTED = "***"
# An OAuth 1.0a credential a proxy or firewall echoed from the request: its name, the separator
# (header, form, JSON, or HTML- or percent-encoded quoting), then its value.
_ECHOED_CREDENTIAL = re.compile(
    r"(?P<name>oauth_(?:signature|token))"
    r"(?P<separator>(?:\\?[\"']|&quot;)?\s*(?:=|:|%3D)\s*(?:\\?[\"']|\\u0022|&quot;|&#0*34;|&#x0*22;|%22)?)"
    r"(?P<value>(?:(?!\\u0022|&quot;|&#|%22)[^\s\"'\\,&;<>])+)",
    re.IGNORECASE,
)
# Shorter values are left alone where they stand elsewhere in the text (they would match words).
_MIN_ECHOED_VALUE_CHARS = 8


class AdsApiError(AirflowException):
    """An X Ads API or media upload request failed.

    ``status_code`` is None when no response arrived. ``errors`` holds the API's errors as
    ``{"code", "message", "parameter"}`` dicts; ``codes`` lists their codes. ``headers`` are the
    response's headers (lower-cased names), used to decide retries; they never hold a secret.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = None,
        errors: list[dict[str, Any]] | None = None,
        method: str | None = None,
        path: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.errors: list[dict[str, Any]] = [_normalize_error(e) for e in errors or []]
        self.method = method.upper() if method else None
        self.path = path
        self.headers: dict[str, str] = {k.lower(): str(v) for k, v in (headers or {}).items()}
        # Seconds to wait before the next attempt when the API said so (429); set by the client.
        self.retry_after: float | None = None
        # How many HTTP attempts were made before this error was raised; set by the client.
        self.attempts = 1
        self._message = message
        super().__init__(self._describe())

    @property
    def codes(self) -> list[str]:
        """The API's error codes, e.g. ``["INVALID_PARAMETER"]`` (v1.1 numeric codes as strings)."""
        return [e["code"] for e in self.errors if e.get("code") is not None]

    def _describe(self) -> str:
        if self.status_code is None and not (self.method and self.path):
            return self._message or "X Ads API request failed"
        target = f"{self.method} {self.path}" if self.method and self.path else "Request"
        if self.status_code is None:
            return f"{target} failed: {self._message or 'no response'}"
        head = f"{target} failed with {self.status_code}"
        details = [_describe_error(e) for e in self.errors]
        if self._message:
            details.append(self._message)
        if not details:
            return head
        first, *rest = details
        # "400 INVALID_PARAMETER (x): msg" reads better than "400: INVALID_PARAMETER (x): msg".
        separator = " " if self.errors and self.errors[0].get("code") is not None else ": "
        return head + separator + "; ".join([first, *rest])

    def __str__(self) -> str:
        return self._describe()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, method={self.method!r}, "
            f"path={self.path!r}, codes={self.codes!r})"
        )

    def serialize(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        """Class path, args and kwargs that rebuild this error (Airflow's exception serialization)."""
        cls = type(self)
        kwargs = {
            "status_code": self.status_code,
            "errors": self.errors,
            "method": self.method,
            "path": self.path,
        }
        return f"{cls.__module__}.{cls.__name__}", (self._message,), kwargs

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments do not survive the default exception pickling.
        return (_rebuild_error, (type(self), self.__dict__.copy()))


def _rebuild_error(cls: type[AdsApiError], state: dict[str, Any]) -> AdsApiError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error._describe())
    return error


class AdsApiBadRequestError(AdsApiError):
    """400: a parameter was missing or invalid."""


class AdsApiUnauthorizedError(AdsApiError):
    """401: the OAuth signature, keys or tokens were not accepted."""


class AdsApiForbiddenError(AdsApiError):
    """403: the credentials may not act on this account or entity."""


class AdsApiNotFoundError(AdsApiError):
    """404: the entity (or API version) does not exist."""


def names_missing(error: BaseException, code: str, *more_codes: str) -> bool:
    """Whether ``error`` is a 404 naming the entity missing by its documented ``code`` (or one of
    ``more_codes``, e.g. ``*vocabulary.MISSING_LINE_ITEM_CODES``); a 404 for a route, version or
    base URL never is."""
    return isinstance(error, AdsApiNotFoundError) and any(c in error.codes for c in (code, *more_codes))


class AdsApiRateLimitError(AdsApiError):
    """429: a rate limit was exhausted."""


class RateLimitWaitTooLongError(AdsApiRateLimitError):
    """429 and the limit resets later than the configured ``max_rate_limit_wait`` allows waiting."""


class AdsApiServerError(AdsApiError):
    """5xx: the API (or a proxy in front of it) failed."""


class AdsApiResponseLostError(AdsApiError):
    """The request may have reached the API but no response came back (read timeout, dropped
    connection). A write may have happened: look for the entity before creating it again."""


class AdsApiMalformedResponseError(AdsApiError):
    """A 2xx answer lacks a field the provider needs, or has one of the wrong form (e.g. no ``id``,
    or the v1.1 shape from a v2 route). The request was handled: nothing is retried."""


class AdsApiConnectionError(AdsApiError):
    """The API was never reached (connection refused, DNS failure, connect timeout): nothing was written."""


#: What a failed processing reports when the API says no more than ``state: failed``.
NO_PROCESSING_REASON = (
    "the upload API gave no reason (state failed, no error in processing_info); check the media "
    "against the upload API's format and size requirements"
)


class MediaProcessingError(AdsApiError):
    """Media processing ended ``failed``. ``error`` is the API's ``{"code", "name", "message"}``."""

    def __init__(
        self,
        media_id: str,
        error: Mapping[str, Any] | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.media_id = str(media_id)
        self.error: dict[str, Any] = dict(error or {})
        name = self.error.get("name") or "processing failed"
        # v2's processing_info has no error object (media upload spec); v1.1's STATUS has one.
        reason = self.error.get("message") or NO_PROCESSING_REASON
        code = self.error.get("code")
        if self.error:
            label = f"{name} ({code})" if code is not None else str(name)
            self._summary = f"Media {self.media_id} processing failed: {label}: {reason}"
        else:
            self._summary = f"Media {self.media_id} processing failed: {reason}"
        super().__init__(self._summary, errors=[{"code": name, "message": reason}], method=method, path=path)

    def _describe(self) -> str:
        return self._summary

    def serialize(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        cls = type(self)
        kwargs = {"method": self.method, "path": self.path}
        return f"{cls.__module__}.{cls.__name__}", (self.media_id, self.error), kwargs


class MediaUploadError(AdsApiError):
    """An upload could not be completed; ``media_id`` names the upload session (None before INIT)."""

    def __init__(
        self,
        message: str | None = None,
        *,
        media_id: str | None = None,
        status_code: int | None = None,
        errors: list[dict[str, Any]] | None = None,
        method: str | None = None,
        path: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.media_id = media_id
        super().__init__(
            message, status_code=status_code, errors=errors, method=method, path=path, headers=headers
        )

    @classmethod
    def caused_by(cls, summary: str, media_id: str | None, cause: BaseException) -> MediaUploadError:
        """``summary: <cause>``, keeping the cause's status and API errors for callers to inspect."""
        if isinstance(cause, AdsApiError):
            return cls(
                f"{summary}: {cause}",
                media_id=media_id,
                status_code=cause.status_code,
                errors=cause.errors,
                method=cause.method,
                path=cause.path,
            )
        return cls(f"{summary}: {type(cause).__name__}: {cause}", media_id=media_id)

    def _describe(self) -> str:
        # The summary already says what failed; the base class would restate the status and path.
        return self._message or "Media upload failed"

    def serialize(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        classpath, args, kwargs = super().serialize()
        return classpath, args, {**kwargs, "media_id": self.media_id}


class UploadSessionExpiredError(AdsApiError):
    """The upload session expired by our clock (``expires_after_secs`` passed): start again from INIT."""


class S3ObjectNotFoundError(ValueError):
    """The bucket or the key does not exist (raised before anything is uploaded)."""


class S3ObjectChangedError(RuntimeError):
    """The object was replaced while it was being read (its ETag changed)."""


_ERROR_CLASSES: dict[int, type[AdsApiError]] = {
    400: AdsApiBadRequestError,
    401: AdsApiUnauthorizedError,
    403: AdsApiForbiddenError,
    404: AdsApiNotFoundError,
    429: AdsApiRateLimitError,
}


def error_class_for(status_code: int) -> type[AdsApiError]:
    """The ``AdsApiError`` subclass for an HTTP status (``AdsApiError`` itself when none fits)."""
    if status_code >= 500:
        return AdsApiServerError
    return _ERROR_CLASSES.get(status_code, AdsApiError)


def error_from_response(
    status_code: int,
    body: bytes | str | None,
    headers: Mapping[str, str] | None,
    method: str,
    path: str,
) -> AdsApiError:
    """Build the error for a non-2xx response.

    Understands the Ads API's ``{"errors": [{"code", "message", "parameter"}]}``, the v2 upload
    API's problem details (``title``, ``detail``, ``type``), v1.1's ``{"errors": [{"code": 324,
    "message"}]}`` and ``{"request", "error"}``, and non-JSON bodies such as a proxy's HTML page.
    """
    # Credentials a proxy echoed go before anything is read, so no message, error or header has them.
    text = redact_credentials(body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or ""))
    header_map = {k.lower(): redact_credentials(str(v)) for k, v in (headers or {}).items()}
    errors: list[dict[str, Any]] = []
    message: str | None = None
    parsed = _parse_json(text)
    if isinstance(parsed, dict):
        errors = _errors_from_json(parsed)
        if not errors:
            message = _preview(text)
    elif parsed is not None:
        message = _preview(text)
    elif text.strip():
        content_type = header_map.get("content-type", "unknown type").split(";")[0].strip()
        message = f"non-JSON {content_type} body: {_summarize_non_json(text)}"
    else:
        message = _reason(status_code)
    return error_class_for(status_code)(
        message, status_code=status_code, errors=errors, method=method, path=path, headers=header_map
    )


def redact_credentials(text: str) -> str:
    """``text`` with the value of every ``oauth_signature`` and ``oauth_token`` in it replaced by
    ``***``, and those values wherever else they stand (raw or percent-decoded).

    Some proxies and firewalls echo the request's ``Authorization`` header in their error pages; the
    consumer and token secrets are never sent, but the signature and token are.
    """
    if "oauth_" not in text.lower():
        return text
    values: set[str] = set()

    def redact(found: re.Match[str]) -> str:
        if found["value"] != REDACTED:
            values.update({found["value"], unquote(found["value"])})
        return f"{found['name']}{found['separator']}{REDACTED}"

    redacted = _ECHOED_CREDENTIAL.sub(redact, text)
    for value in sorted(values, key=len, reverse=True):
        if len(value) >= _MIN_ECHOED_VALUE_CHARS:
            redacted = redacted.replace(value, REDACTED)
    return redacted


def _errors_from_json(payload: dict[str, Any]) -> list[dict[str, Any]]:
    raw = payload.get("errors")
    if isinstance(raw, list) and raw:
        return [_from_any_error(item) for item in raw]
    # v2 problem details without an errors array.
    if "detail" in payload or "title" in payload:
        return [_from_any_error(payload)]
    # v1.1: {"request": "/1.1/media/upload.json", "error": "..."}.
    if isinstance(payload.get("error"), str):
        return [{"code": None, "message": payload["error"], "parameter": None}]
    return []


def _from_any_error(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"code": None, "message": str(item), "parameter": None}
    code = item.get("code")
    if code is None and item.get("type"):
        code = _problem_code(str(item["type"]), item.get("title"))
    message = item.get("message") or item.get("detail") or item.get("title") or ""
    return {"code": code, "message": message, "parameter": item.get("parameter")}


def _problem_code(problem_type: str, title: object) -> str | None:
    """The code of an RFC 7807 problem: the last segment of its ``type`` URL
    (``.../2/problems/invalid-request`` -> ``invalid-request``), or for ``about:blank`` (a problem
    that means no more than its HTTP status, RFC 7807 section 4.2) its title in upper snake case
    (``Bad Gateway`` -> ``BAD_GATEWAY``)."""
    if problem_type.strip().lower() == "about:blank":
        words = re.findall(r"[A-Za-z0-9]+", str(title or ""))
        return "_".join(words).upper() or None
    return problem_type.rstrip("/").rsplit("/", 1)[-1]


def _normalize_error(error: Mapping[str, Any]) -> dict[str, Any]:
    code = error.get("code")
    parameter = error.get("parameter")
    return {
        "code": str(code) if code is not None else None,
        "message": str(error.get("message") or ""),
        "parameter": str(parameter) if parameter is not None else None,
    }


def _describe_error(error: dict[str, Any]) -> str:
    parts = [error["code"]] if error.get("code") else []
    if error.get("parameter"):
        parts.append(f"({error['parameter']})")
    label = " ".join(parts)
    if label and error.get("message"):
        return f"{label}: {error['message']}"
    return label or error.get("message") or ""


def _parse_json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _summarize_non_json(text: str) -> str:
    found = _TITLE.search(text)
    summary = found.group(1) if found else _TAG.sub(" ", text)
    return _preview(html.unescape(summary))


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > _BODY_PREVIEW_CHARS:
        return flat[: _BODY_PREVIEW_CHARS - 3] + "..."
    return flat


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "empty body"


# -- errors through trigger events ---------------------------------------------------------------------

#: Errors of this module that are not ``AdsApiError``s; rebuilt from their message alone.
_MESSAGE_ONLY_ERRORS = (S3ObjectNotFoundError, S3ObjectChangedError)


def describe_error(error: BaseException) -> dict[str, Any]:
    """A JSON-safe description of an error (for a trigger event) that :func:`rebuild_error` reverses."""
    described: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    cls = type(error)
    if isinstance(error, AdsApiError):
        classpath, args, kwargs = error.serialize()
        described["serialized"] = {"classpath": classpath, "args": list(args), "kwargs": kwargs}
    elif isinstance(error, _MESSAGE_ONLY_ERRORS):
        classpath = f"{cls.__module__}.{cls.__name__}"
        described["serialized"] = {"classpath": classpath, "args": [str(error)], "kwargs": {}}
    return described


def rebuild_error(described: Mapping[str, Any]) -> Exception:
    """The error :func:`describe_error` described: the same class, status and API errors.

    Other errors come back as ``AirflowException("<type>: <message>")``. Only classes of this
    module are rebuilt.
    """
    serialized = described.get("serialized")
    if isinstance(serialized, Mapping):
        module, _, name = str(serialized.get("classpath", "")).rpartition(".")
        cls = getattr(sys.modules[__name__], name, None) if module == __name__ else None
        if isinstance(cls, type) and issubclass(cls, (AdsApiError, *_MESSAGE_ONLY_ERRORS)):
            try:
                return cls(*serialized.get("args", ()), **dict(serialized.get("kwargs", {})))
            except TypeError:
                pass
    return AirflowException(f"{described.get('type', 'Error')}: {described.get('message', 'no message')}")
