"""What every Ads API handler shares: parameter parsing, cursors, lists, single-entity reads.

Every list endpoint goes through :func:`list_response`; every single-entity read through
:func:`get_response`, every delete through :func:`delete_response`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid, not_found
from airflow_provider_twitter_ads.emulator.ads.models import Entity, mark_deleted
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response, request_echo
from airflow_provider_twitter_ads.emulator.state import EmulatorState

Predicate = Callable[[Entity], bool]

SORT_FIELDS = ("created_at", "updated_at")
MAX_IDS_PER_FILTER = 200
DEFAULT_COUNT, MAX_COUNT = 200, 1000
_CURSOR_SALT = "ads-api-emulator-cursor"


# -- parameter parsing ------------------------------------------------------------------------------


def int_param(request: EmulatorRequest, name: str, default: int, low: int, high: int) -> int:
    """An integer parameter within ``low..high``, or the default when absent."""
    value = request.param(name)
    if value is None:
        return default
    if not re.fullmatch(r"\d+", value) or not low <= int(value) <= high:
        raise invalid(name, f"{name} must be an integer between {low} and {high}, got {value!r}")
    return int(value)


def bool_param(request: EmulatorRequest, name: str, default: bool = False) -> bool:
    """A boolean parameter: exactly ``true`` or ``false``."""
    value = request.param(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise invalid(name, f"{name} must be true or false, got {value!r}")
    return value == "true"


def ids_param(name: str, value: str) -> list[str]:
    """A comma-separated id list of at most ``MAX_IDS_PER_FILTER`` ids."""
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if len(ids) > MAX_IDS_PER_FILTER:
        raise invalid(name, f"{name} accepts at most {MAX_IDS_PER_FILTER} ids, got {len(ids)}")
    return ids


def enum_value(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise invalid(name, f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def require_enum(request: EmulatorRequest, name: str, allowed: Iterable[str]) -> str:
    return enum_value(name, request.require(name), allowed)


def optional_param(request: EmulatorRequest, name: str) -> str | None:
    """The parameter's value; an empty string counts as absent."""
    value = request.param(name)
    return value if value else None


def sort_param(request: EmulatorRequest, fields: Iterable[str] = SORT_FIELDS) -> tuple[str, bool] | None:
    """``sort_by`` as (field, descending), e.g. ``created_at-desc``; None when absent."""
    value = request.param("sort_by")
    if value is None:
        return None
    allowed = [f"{field}-{direction}" for field in fields for direction in ("asc", "desc")]
    if not allowed:
        raise invalid("sort_by", "this endpoint takes no sort_by")
    enum_value("sort_by", value, allowed)
    field, direction = value.rsplit("-", 1)
    return field, direction == "desc"


# -- cursors ----------------------------------------------------------------------------------------


def _cursor_check(kind: str, offset: int) -> str:
    return hashlib.sha256(f"{_CURSOR_SALT}:{kind}:{offset}".encode()).hexdigest()[:12]


def encode_cursor(kind: str, offset: int) -> str:
    """An opaque cursor: the offset and a check, so a made-up or foreign cursor is refused."""
    raw = f"{offset}.{_cursor_check(kind, offset)}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(kind: str, cursor: str) -> int:
    bad = invalid("cursor", f"cursor {cursor!r} is not a cursor this endpoint returned")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        offset_text, check = raw.split(".")
        offset = int(offset_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if offset < 0 or check != _cursor_check(kind, offset):
        raise bad
    return offset


# -- the shared list and read helpers ---------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """A list filter parameter; ``build`` turns its value into a predicate or raises ``ApiError``."""

    param: str
    build: Callable[[str], Predicate]


def ids_filter(param: str, field: str) -> ListFilter:
    """``param`` holds comma-separated ids that ``field`` must be one of."""

    def build(value: str) -> Predicate:
        wanted = set(ids_param(param, value))
        return lambda entity: entity.get(field) in wanted

    return ListFilter(param, build)


def enum_filter(param: str, field: str, allowed: Iterable[str], *, multiple: bool = True) -> ListFilter:
    """``param`` holds one (or, if ``multiple``, comma-separated) values of an enum."""
    allowed = tuple(allowed)

    def build(value: str) -> Predicate:
        values = ids_param(param, value) if multiple else [value]
        wanted = {enum_value(param, item, allowed) for item in values}
        return lambda entity: entity.get(field) in wanted

    return ListFilter(param, build)


def text_filter(param: str, fields: Iterable[str]) -> ListFilter:
    """``param`` is a case-insensitive substring of any of ``fields``."""
    fields = tuple(fields)

    def build(value: str) -> Predicate:
        needle = value.lower()
        return lambda entity: any(needle in str(entity.get(field) or "").lower() for field in fields)

    return ListFilter(param, build)


def list_response(
    request: EmulatorRequest,
    state: EmulatorState,
    kind: str,
    filters: Iterable[ListFilter] = (),
    *,
    default_count: int = DEFAULT_COUNT,
    max_count: int = MAX_COUNT,
    sort_fields: Iterable[str] = SORT_FIELDS,
    counts_as_deleted: Predicate | None = None,
) -> Response:
    """One page of ``kind``: count, cursor, with_deleted, with_total_count, sort_by and ``filters``.

    Without ``sort_by`` entities come in creation order; ``sort_fields`` are those ``sort_by``
    accepts. ``counts_as_deleted`` hides more entities unless ``with_deleted=true`` (promoted posts
    of a deleted line item). Every parameter is validated before any filtering, so a bad request
    is refused whatever the table holds.
    """
    count = int_param(request, "count", default_count, 1, max_count)
    with_deleted = bool_param(request, "with_deleted")
    with_total_count = bool_param(request, "with_total_count")
    cursor = request.param("cursor")
    if with_total_count and cursor is not None:
        raise invalid("with_total_count", "with_total_count can not be combined with cursor")
    offset = decode_cursor(kind, cursor) if cursor is not None else 0
    order = sort_param(request, sort_fields)
    predicates = [f.build(value) for f in filters if (value := optional_param(request, f.param)) is not None]

    def hidden(entity: Entity) -> bool:
        return bool(entity.get("deleted")) or (counts_as_deleted is not None and counts_as_deleted(entity))

    rows = [
        entity
        for entity in state.table(kind).values()
        if (with_deleted or not hidden(entity)) and all(match(entity) for match in predicates)
    ]
    if order is not None:
        field, descending = order
        # Stable sorts: ties keep creation order (reversed for descending).
        rows = sorted(
            rows[::-1] if descending else rows, key=lambda e: e.get(field) or "", reverse=descending
        )
    page = rows[offset : offset + count]
    end = offset + count
    body: dict[str, Any] = {
        "request": request_echo(request),
        "data": [dict(entity) for entity in page],
        "next_cursor": encode_cursor(kind, end) if end < len(rows) else None,
    }
    if with_total_count:
        body["total_count"] = len(rows)
    return Response(body)


def find_entity(
    state: EmulatorState, kind: str, entity_id: str, parameter: str, *, with_deleted: bool = False
) -> Entity:
    """The entity, or 404 with the kind's code; deleted ones count as missing unless ``with_deleted``."""
    entity = state.table(kind).get(entity_id)
    if entity is None or (entity.get("deleted") and not with_deleted):
        raise not_found(state.config, kind, parameter, entity_id)
    return entity


def entity_response(request: EmulatorRequest, entity: Entity, status: int = 200) -> Response:
    # A copy: the body is serialized after the state lock is released.
    return Response({"request": request_echo(request), "data": dict(entity)}, status)


def get_response(request: EmulatorRequest, state: EmulatorState, kind: str, id_name: str) -> Response:
    """``GET .../{id_name}``: one entity, deleted ones only with ``with_deleted=true``."""
    with_deleted = bool_param(request, "with_deleted")
    entity = find_entity(state, kind, request.path_params[id_name], id_name, with_deleted=with_deleted)
    return entity_response(request, entity)


def delete_response(request: EmulatorRequest, state: EmulatorState, kind: str, id_name: str) -> Response:
    """``DELETE .../{id_name}``: marks the entity deleted and returns it."""
    entity = find_entity(state, kind, request.path_params[id_name], id_name)
    return entity_response(request, mark_deleted(state, entity))


def live_reference(state: EmulatorState, kind: str, entity_id: str, parameter: str) -> Entity:
    """An entity that a write refers to: missing or deleted is a 400 on that parameter.

    Line items are the exception: see :func:`live_line_item`.
    """
    entity = state.table(kind).get(entity_id)
    if entity is None or entity.get("deleted"):
        raise invalid(parameter, f"{parameter} {entity_id!r} does not exist or is deleted")
    return entity


def live_line_item(state: EmulatorState, line_item_id: str) -> Entity:
    """The line item a write's ``line_item_id`` names; missing or deleted is the line item 404.

    "Error codes and responses" lists a 404 code for line items and no other code for a missing
    one, so a write naming it answers as a read does.
    """
    return find_entity(state, "line_items", line_item_id, "line_item_id")


def changed_fields(request: EmulatorRequest, names: Iterable[str]) -> dict[str, Any]:
    """The given writable fields present in an update request.

    Other parameters, read-only fields such as ``id``, ``created_at`` or ``media_url`` included,
    are ignored: the reference lists only the writable ones, and the official SDK sends the rest back.
    """
    return {name: request.param(name) for name in names if request.param(name) is not None}
