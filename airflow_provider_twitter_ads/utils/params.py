"""Pure checks and formatters for X Ads API request parameters.

The API wants lists comma-separated (a repeated key is a 400), booleans as ``true`` / ``false``,
``count`` within 1..1000 (the media library: 1..50), at most 200 ids per id filter, and never
``with_total_count`` together with ``cursor``. These functions raise a ``ValueError`` or
``TypeError`` naming the parameter before anything is sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

MAX_COUNT = 1000
DEFAULT_COUNT = 200
MEDIA_LIBRARY_MAX_COUNT = 50
MAX_IDS_PER_FILTER = 200

_SORT_BY = re.compile(r"^[a-z_]+-(asc|desc)$")
_LIST_TYPES = (list, tuple, set, frozenset)


def format_bool(name: str, value: Any) -> str:
    """``true`` / ``false`` for a bool (or an already formatted string); TypeError otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value in ("true", "false"):
        return value
    raise TypeError(f"{name} must be a bool, got {value!r}")


def format_scalar(name: str, value: Any) -> str:
    """One parameter value as the API reads it: bools ``true``/``false``, numbers and strings as text."""
    if isinstance(value, bool):
        return format_bool(name, value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a string, number, bool or list of those, got {type(value).__name__}")


def format_list(name: str, values: Iterable[Any], max_items: int = MAX_IDS_PER_FILTER) -> str:
    """Comma-separated values (the API rejects repeated keys); at most ``max_items``, none empty."""
    if isinstance(values, str):
        items = [part.strip() for part in values.split(",")]
    elif isinstance(values, _LIST_TYPES):
        items = [format_scalar(name, item).strip() for item in values]
    else:
        raise TypeError(
            f"{name} must be a list of ids or a comma-separated string, got {type(values).__name__}"
        )
    if not items:
        raise ValueError(f"{name} must not be empty")
    if any(not item for item in items):
        raise ValueError(f"{name} contains an empty value: {values!r}")
    if any("," in item for item in items):
        raise ValueError(f"{name} values must not contain commas: {values!r}")
    if len(items) > max_items:
        raise ValueError(f"{name} accepts at most {max_items} values per request, got {len(items)}")
    return ",".join(items)


def format_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Every non-None parameter formatted: lists comma-separated, bools ``true``/``false``."""
    formatted: dict[str, str] = {}
    for name, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, _LIST_TYPES):
            formatted[name] = format_list(name, value)
        else:
            formatted[name] = format_scalar(name, value)
    return formatted


def check_count(count: Any, maximum: int = MAX_COUNT, name: str = "count") -> int:
    """``count`` as an int within 1..``maximum``."""
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"{name} must be an int, got {count!r}")
    if not 1 <= count <= maximum:
        raise ValueError(f"{name} must be between 1 and {maximum}, got {count}")
    return count


def check_sort_by(sort_by: Any) -> str:
    """A ``field-asc`` / ``field-desc`` sort order, e.g. ``created_at-asc``."""
    if not isinstance(sort_by, str) or _SORT_BY.match(sort_by) is None:
        raise ValueError(f"sort_by must look like 'created_at-asc' or 'updated_at-desc', got {sort_by!r}")
    return sort_by


def build_list_params(
    filters: Mapping[str, Any] | None,
    *,
    count: Any = DEFAULT_COUNT,
    max_count: int = MAX_COUNT,
) -> dict[str, str]:
    """Query parameters for a list request, checked against the API's documented limits.

    ``filters`` values that are None are dropped. A ``count`` inside ``filters`` wins over the
    ``count`` argument. ``with_total_count`` is refused together with ``cursor``.
    """
    merged = {name: value for name, value in (filters or {}).items() if value is not None}
    merged["count"] = check_count(merged.get("count", count), max_count)
    for name in ("with_deleted", "with_total_count"):
        if name in merged:
            merged[name] = format_bool(name, merged[name])
    if "sort_by" in merged:
        check_sort_by(merged["sort_by"])
    if "cursor" in merged and (not isinstance(merged["cursor"], str) or not merged["cursor"]):
        raise ValueError(f"cursor must be a non-empty string, got {merged['cursor']!r}")
    if merged.get("with_total_count") == "true" and "cursor" in merged:
        raise ValueError("with_total_count cannot be combined with cursor (the API answers 400)")
    return format_params(merged)


def check_http_url(name: str, value: Any) -> str:
    """``value`` stripped, if it is an absolute http(s) URL with a host and no spaces."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be an http(s) URL string, got {type(value).__name__}: {value!r}")
    text = value.strip()
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError as exc:
        raise ValueError(f"{name} is not a valid URL: {value!r} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not hostname or any(ch.isspace() for ch in text):
        raise ValueError(f"{name} must be an absolute http(s) URL with a host and no spaces, got {value!r}")
    return text


def check_choice(name: str, value: Any, choices: Collection[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(sorted(choices))}, got {value!r}")
    return value
