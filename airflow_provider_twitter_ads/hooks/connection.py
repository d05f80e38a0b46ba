"""The ``twitter_ads`` connection: its fields, defaults and validation."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from airflow_provider_twitter_ads.compat import mask_secret
from airflow_provider_twitter_ads.vocabulary import DEFAULT_UPLOAD_API, UPLOAD_APIS

DEFAULT_API_VERSION = "12"
DEFAULT_ADS_API_URL = "https://ads-api.x.com"
DEFAULT_UPLOAD_API_URL = "https://api.x.com"
DEFAULT_TIMEOUT = 60.0
EXTRA_FIELDS = (
    "access_token",
    "access_token_secret",
    "account_id",
    "api_version",
    "ads_api_url",
    "upload_api_url",
    "timeout",
    "upload_api",
)


class _ConnectionLike(Protocol):
    conn_id: str
    login: str | None
    password: str | None
    extra: str | None


@dataclass(frozen=True)
class AdsApiConnectionConfig:
    """Validated settings of one ``twitter_ads`` connection.

    ``login`` is the consumer (API) key and ``password`` the consumer secret; the rest comes from
    the extras. Secrets are left out of ``repr``. Construction validates every field and raises a
    ``ValueError`` naming the field.
    """

    consumer_key: str
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    account_id: str | None = None
    api_version: str = DEFAULT_API_VERSION
    ads_api_url: str = DEFAULT_ADS_API_URL
    upload_api_url: str = DEFAULT_UPLOAD_API_URL
    timeout: float = DEFAULT_TIMEOUT
    upload_api: str = DEFAULT_UPLOAD_API
    # Named in error messages so users know which connection to fix.
    conn_id: str = field(default="twitter_ads", compare=False)

    def __post_init__(self) -> None:
        for name, label in (
            ("consumer_key", "login (consumer key)"),
            ("consumer_secret", "password (consumer secret)"),
            ("access_token", "extra access_token"),
            ("access_token_secret", "extra access_token_secret"),
        ):
            value = getattr(self, name)
            if value not in (None, "") and not isinstance(value, str):
                # The value itself is never echoed: it may be a secret.
                raise ValueError(
                    f"Connection {self.conn_id!r}: {label} must be a string, got {type(value).__name__}"
                )
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"Connection {self.conn_id!r}: {label} is missing")
            object.__setattr__(self, name, value.strip())
        account_id = self.account_id
        if account_id is not None:
            account_id = str(account_id).strip() or None
            if account_id is not None and ("/" in account_id or "," in account_id):
                raise ValueError(
                    f"Connection {self.conn_id!r}: account_id {account_id!r} is not an account id"
                )
        object.__setattr__(self, "account_id", account_id)
        object.__setattr__(self, "api_version", _api_version(self.conn_id, self.api_version))
        ads_api_url = _base_url(self.conn_id, "ads_api_url", self.ads_api_url)
        last_segment = urlsplit(ads_api_url).path.rstrip("/").rsplit("/", 1)[-1]
        if last_segment.isdigit():
            # The hook adds api_version itself: ".../12" would send every request to /12/12/...
            raise ValueError(
                f"Connection {self.conn_id!r}: ads_api_url must not end in an API version (it ends in "
                f"/{last_segment}); set api_version instead, e.g. ads_api_url "
                f"{_redacted(ads_api_url[: -len(last_segment) - 1])!r} and api_version {last_segment!r}"
            )
        object.__setattr__(self, "ads_api_url", ads_api_url)
        object.__setattr__(
            self, "upload_api_url", _base_url(self.conn_id, "upload_api_url", self.upload_api_url)
        )
        object.__setattr__(self, "timeout", _timeout(self.conn_id, self.timeout))
        object.__setattr__(self, "upload_api", _upload_api(self.conn_id, self.upload_api))

    @property
    def ads_base(self) -> str:
        """The versioned Ads API base, e.g. ``https://ads-api.x.com/12``."""
        return f"{self.ads_api_url}/{self.api_version}"

    @classmethod
    def from_connection(cls, conn: _ConnectionLike) -> AdsApiConnectionConfig:
        """Read and validate an Airflow connection; registers its two secrets with ``mask_secret``.

        Only the consumer secret and the access token secret go to the masker: it warns for every
        short value it is handed ("12"), and the other fields are not secret.

        Extras may also carry the Airflow 2 form prefix (``extra__twitter_ads__access_token``).
        Empty extras fall back to the defaults.
        """
        conn_id = getattr(conn, "conn_id", None) or "twitter_ads"
        # Mask before validating, so even a rejected connection's secrets stay out of the logs.
        _mask(conn.password)
        extras = _extras(conn)
        _mask(extras.get("access_token_secret"))
        unknown = sorted(set(extras) - set(EXTRA_FIELDS))
        if unknown:
            raise ValueError(
                f"Connection {conn_id!r}: unknown extra field(s) {', '.join(unknown)}; "
                f"expected {', '.join(EXTRA_FIELDS)}"
            )
        optional: dict[str, Any] = {
            name: extras[name]
            for name in (
                "account_id",
                "api_version",
                "ads_api_url",
                "upload_api_url",
                "timeout",
                "upload_api",
            )
            if extras.get(name) not in (None, "")
        }
        return cls(
            consumer_key=conn.login or "",
            consumer_secret=conn.password or "",
            access_token=_raw(extras.get("access_token")),
            access_token_secret=_raw(extras.get("access_token_secret")),
            conn_id=conn_id,
            **optional,
        )


def _raw(value: Any) -> Any:
    """An extra as given (a non-string is refused by name later), or "" when absent."""
    return "" if value is None else value


def _extras(conn: _ConnectionLike) -> dict[str, Any]:
    raw = _raw_extras(conn)
    prefix = "extra__twitter_ads__"
    extras: dict[str, Any] = {}
    for key, value in raw.items():
        name = key[len(prefix) :] if key.startswith(prefix) else key
        # The unprefixed name wins when both are present.
        if name not in extras or not key.startswith(prefix):
            extras[name] = value
    return extras


def _mask(secret: object) -> None:
    # A secret mistyped as a JSON number is still masked (and then refused as not a string).
    text = (
        str(secret).strip() if isinstance(secret, (str, int, float)) and not isinstance(secret, bool) else ""
    )
    if text:
        mask_secret(text)


def _raw_extras(conn: _ConnectionLike) -> dict[str, Any]:
    # Not ``extra_dejson``: it hands every extra to the secret masker, which warns for each short
    # one ("12"); only the two secrets are registered, by the caller.
    text = getattr(conn, "extra", None)
    if text is None or text == "":
        return {}
    if isinstance(text, dict):
        return text
    try:
        extras = json.loads(text)
    except (TypeError, ValueError):
        extras = None
    if not isinstance(extras, dict):
        conn_id = getattr(conn, "conn_id", None) or "twitter_ads"
        raise ValueError(f"Connection {conn_id!r}: extra must be a JSON object")
    return extras


def _api_version(conn_id: str, value: Any) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.isdigit() or int(text) < 1:
        raise ValueError(
            f"Connection {conn_id!r}: api_version must be a positive integer like '12', got {value!r}"
        )
    return str(int(text))


def _base_url(conn_id: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Connection {conn_id!r}: {name} must be an http(s) URL, got {value!r}")
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Connection {conn_id!r}: {name} must be an http(s) URL, got {_redacted(url)!r}")
    if parts.username or parts.password:
        raise ValueError(f"Connection {conn_id!r}: {name} must not contain credentials")
    if parts.query or parts.fragment:
        raise ValueError(f"Connection {conn_id!r}: {name} must be a base URL without a query or fragment")
    return url


def _redacted(url: str) -> str:
    # A mistyped URL may still carry user:password@; never echo that part.
    scheme, sep, rest = url.partition("://")
    if "@" in rest.split("/", 1)[0]:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"


def _timeout(conn_id: str, value: Any) -> float:
    try:
        timeout = float(value)
    except (TypeError, ValueError):
        timeout = math.nan
    if isinstance(value, bool) or not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(
            f"Connection {conn_id!r}: timeout must be a positive number of seconds, got {value!r}"
        )
    return timeout


def _upload_api(conn_id: str, value: Any) -> str:
    # "2" and "1.1" are accepted as well as "v2" and "v1.1".
    aliases = {alias: api for api in UPLOAD_APIS for alias in (api, api.removeprefix("v"))}
    normalized = aliases.get(value.strip().lower()) if isinstance(value, str) else None
    if normalized is None:
        choices = " or ".join(repr(api) for api in UPLOAD_APIS)
        raise ValueError(f"Connection {conn_id!r}: upload_api must be {choices}, got {value!r}")
    return normalized
