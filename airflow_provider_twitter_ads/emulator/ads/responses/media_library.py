"""Media library: ``accounts/:account_id/media_library`` (v12 reference, "Media Library")."""

from __future__ import annotations

from typing import Any

from airflow_provider_twitter_ads.emulator.ads.exceptions import invalid_media
from airflow_provider_twitter_ads.emulator.ads.models import (
    LIBRARY_MEDIA_TYPES,
    auto_account_media,
    media_type_of,
    media_url,
    new_library_entry,
    ready_media,
    stamp,
)
from airflow_provider_twitter_ads.emulator.ads.responses.common import (
    changed_fields,
    delete_response,
    entity_response,
    enum_filter,
    find_entity,
    get_response,
    list_response,
    optional_param,
    text_filter,
)
from airflow_provider_twitter_ads.emulator.core import EmulatorRequest, Response
from airflow_provider_twitter_ads.emulator.state import EmulatorState

KIND = "media_library"
LIBRARY_DEFAULT_COUNT, LIBRARY_MAX_COUNT = 20, 50
DETAIL_FIELDS = ("name", "file_name", "title", "description")
FILTERS = (
    enum_filter("media_type", "media_type", LIBRARY_MEDIA_TYPES, multiple=False),
    text_filter("q", ("name", "title", "file_name", "description")),
)


def _poster_details(request: EmulatorRequest, state: EmulatorState) -> dict[str, str | None]:
    poster_key = optional_param(request, "poster_media_key")
    if poster_key is None:
        return {}
    poster = ready_media(state, poster_key, "poster_media_key")
    if media_type_of(poster) != "IMAGE":
        raise invalid_media("poster_media_key", f"poster_media_key {poster_key!r} is not an image")
    return {"poster_media_key": poster_key, "poster_media_url": media_url(poster)}


def add_to_library(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``POST media_library``: 201 for a new entry, 200 with the entry for one already there.

    Deliberately unforgiving, as the real API may be: account media is created on every add.
    """
    media_key = request.require("media_key")
    record = ready_media(state, media_key, "media_key")
    details: dict[str, str | None] = {name: optional_param(request, name) for name in DETAIL_FIELDS}
    details.update(_poster_details(request, state))
    when = stamp(state)
    library = state.table(KIND)
    existing = library.get(media_key)
    auto_account_media(state, record, when)
    if existing is not None and not existing["deleted"]:
        return entity_response(request, existing)
    library.pop(media_key, None)
    entry = library[media_key] = new_library_entry(record, details, when)
    return entity_response(request, entry, 201)


def list_library(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET media_library``; ``q`` searches name, title, file_name and description."""
    return list_response(
        request, state, KIND, FILTERS, default_count=LIBRARY_DEFAULT_COUNT, max_count=LIBRARY_MAX_COUNT
    )


def get_library_entry(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``GET media_library/:media_key``."""
    return get_response(request, state, KIND, "media_key")


def update_library_entry(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``PUT media_library/:media_key``: the detail fields and the poster; read-only fields are ignored."""
    entry = find_entity(state, KIND, request.path_params["media_key"], "media_key")
    changes: dict[str, Any] = changed_fields(request, DETAIL_FIELDS)
    if request.param("poster_media_key") is not None:
        # An empty poster_media_key removes the poster.
        changes.update(
            _poster_details(request, state) or {"poster_media_key": None, "poster_media_url": None}
        )
    if changes:
        entry.update(changes, updated_at=stamp(state))
    return entity_response(request, entry)


def delete_library_entry(request: EmulatorRequest, state: EmulatorState) -> Response:
    """``DELETE media_library/:media_key``."""
    return delete_response(request, state, KIND, "media_key")
