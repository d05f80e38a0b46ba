"""The emulator's configuration and in-memory state: entities, uploaded media, ids."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

# Credentials the emulator accepts unless configured otherwise. They are test values, not secrets.
DEFAULT_CONSUMER_KEY = "emulator-consumer-key"
DEFAULT_CONSUMER_SECRET = "emulator-consumer-secret"
DEFAULT_ACCESS_TOKEN = "1000000001-emulator-access-token"
DEFAULT_ACCESS_TOKEN_SECRET = "emulator-access-token-secret"
DEFAULT_ACCOUNT_ID = "18ce54d4x5t"
#: What a missing line item may be answered with: the code the "Error codes and responses" page
#: lists, or the generic one the real API was seen answering (see docs/emulator.rst).
LINE_ITEM_NOT_FOUND_CODES = ("LINE_ITEM_NOT_FOUND", "NOT_FOUND")


@dataclass
class EmulatorConfig:
    """Everything a test or the demo may tune. Times are seconds."""

    consumer_key: str = DEFAULT_CONSUMER_KEY
    consumer_secret: str = DEFAULT_CONSUMER_SECRET
    access_token: str = DEFAULT_ACCESS_TOKEN
    access_token_secret: str = DEFAULT_ACCESS_TOKEN_SECRET
    account_id: str = DEFAULT_ACCOUNT_ID
    # The live Ads API versions ("Versions" page); 10 and older are end of life.
    supported_versions: tuple[int, ...] = (11, 12)
    # Requests per endpoint family per window, for the x-rate-limit-* headers.
    rate_limit: int = 100_000
    # Requests per account per endpoint family per window, for the x-account-rate-limit-* headers.
    account_rate_limit: int = 100_000
    rate_limit_window: float = 900.0
    # Added to every API request before it is handled (not to /_emulator control calls).
    latency: float = 0.0
    # How long video and GIF processing takes after FINALIZE, and what STATUS tells clients to wait.
    processing_seconds: float = 2.0
    check_after_secs: int = 1
    # Seconds an upload session lives after INIT (15 days: the v2 quickstart's 1295999).
    upload_expires_after_secs: int = 1_296_000
    # Whether image account media carry ``media_key`` (the docs disagree; see docs/emulator.rst).
    image_account_media_media_key: bool = False
    # The 404 code of a missing line item, one of LINE_ITEM_NOT_FOUND_CODES (docs and practice differ).
    line_item_not_found_code: str = LINE_ITEM_NOT_FOUND_CODES[0]
    # Where received upload segments are spooled until FINALIZE (None: a temporary directory).
    upload_spool_dir: str | None = None

    def check_setting(self, name: str, value: Any) -> None:
        """ValueError unless ``name`` is a setting and ``value`` one it can take (switches only)."""
        if not hasattr(self, name):
            raise ValueError(f"Unknown emulator setting {name!r}")
        if name == "image_account_media_media_key" and not isinstance(value, bool):
            raise ValueError(f"image_account_media_media_key must be true or false, got {value!r}")
        if name == "line_item_not_found_code" and value not in LINE_ITEM_NOT_FOUND_CODES:
            choices = ", ".join(LINE_ITEM_NOT_FOUND_CODES)
            raise ValueError(f"line_item_not_found_code must be one of {choices}, got {value!r}")

    def public(self) -> dict[str, Any]:
        """The configuration without the secrets, for the inspection endpoint."""
        data = asdict(self)
        for key in ("consumer_secret", "access_token_secret"):
            data[key] = "***"
        return data


@dataclass
class MediaRecord:
    """One uploaded media as the upload endpoints leave it for the Ads endpoints to use.

    ``state`` is one of ``pending``, ``in_progress``, ``succeeded``, ``failed``; media that needs no
    processing (images) is ``succeeded`` as soon as it is finalized.
    """

    media_id: str
    media_key: str
    media_category: str
    media_type: str
    total_bytes: int
    created_at: float = field(default_factory=time.time)
    expires_at: float = 0.0
    finalized: bool = False
    sha256: str | None = None
    received_bytes: int = 0
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None
    needs_processing: bool = False
    processing_started_at: float | None = None
    processing_seconds: float = 0.0
    fail_processing: bool = False
    state: str = "pending"
    progress_percent: int = 0
    error: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


ENTITY_KINDS = (
    "accounts",
    "campaigns",
    "line_items",
    "media_library",
    "account_media",
    "media_creatives",
    "preroll_call_to_actions",
    "promotable_users",
    "cards",
    "tweets",
    "promoted_tweets",
)


class EmulatorState:
    """All entities, guarded by one lock that the server holds while a handler runs."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self._ids = itertools.count(1029825579531807971)
        self._short_ids = itertools.count(1)
        # Entity tables by kind (ENTITY_KINDS), each id -> entity dict.
        # Every kind exists from the start, so a read never changes what snapshot() reports.
        self.tables: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in ENTITY_KINDS}
        # Uploaded media by media_key, and media_key by media_id.
        self.media: dict[str, MediaRecord] = {}
        self.media_key_by_id: dict[str, str] = {}
        # The newest entity timestamp handed out (epoch seconds), so created_at never goes backwards.
        self.entity_clock: float = 0.0

    def table(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.tables.setdefault(kind, {})

    def next_media_id(self) -> str:
        """A 19-digit numeric media id like the API's ``1029825579531807971``."""
        return str(next(self._ids))

    def next_entity_id(self) -> str:
        """A short base-36 entity id like the API's ``3wpx6``."""
        number = next(self._short_ids) + 36**4
        digits = ""
        while number:
            number, rest = divmod(number, 36)
            digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
        return digits

    def media_by_id(self, media_id: str) -> MediaRecord | None:
        key = self.media_key_by_id.get(media_id)
        return self.media.get(key) if key else None

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of every entity and media record, for tests and the demo."""
        with self.lock:
            return {
                "tables": {kind: [dict(e) for e in rows.values()] for kind, rows in self.tables.items()},
                "media": [asdict(m) for m in self.media.values()],
            }
