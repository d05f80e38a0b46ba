"""Helpers for the account media and media creative tests: ready media, write counting."""

from __future__ import annotations

from typing import Any

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.ads import add_ready_media

WRITE_METHODS = ("POST", "PUT", "DELETE")


def ready_media(
    emulator: AdsApiEmulator, media_category: str, width: int | None = None, height: int | None = None
) -> dict[str, Any]:
    """A finished upload in the emulator, as the dict UploadMediaOperator returns."""
    with emulator.state.lock:
        record = add_ready_media(emulator.state, media_category, width, height)
    return {
        "media_id": record.media_id,
        "media_key": record.media_key,
        "media_category": record.media_category,
        "media_type": record.media_type,
        "total_bytes": record.total_bytes,
        "width": record.width,
        "height": record.height,
        "processing_info": None,
        "s3_uri": "s3://assets/creative",
    }


def writes(emulator: AdsApiEmulator) -> list[tuple[str, str]]:
    """Every write the emulator received, as (method, path)."""
    return [(e["method"], e["path"]) for e in emulator.api_requests() if e["method"] in WRITE_METHODS]


def live(emulator: AdsApiEmulator, kind: str) -> list[dict[str, Any]]:
    """The entities of ``kind`` that are not deleted."""
    with emulator.state.lock:
        return [dict(e) for e in emulator.state.table(kind).values() if not e.get("deleted")]


def tables(emulator: AdsApiEmulator) -> dict[str, Any]:
    """The non-empty entity tables, to compare before and after (a read may add an empty one)."""
    return {kind: rows for kind, rows in emulator.state.snapshot()["tables"].items() if rows}


#: The seeded line item that takes pre-roll call-to-actions (MEDIA, PREROLL_VIEWS).
PREROLL_LINE_ITEM = "8v7jr"


def add_preroll_line_item(emulator: AdsApiEmulator, line_item_id: str = "8v7ju") -> str:
    """Another line item like the seeded PREROLL_VIEWS one: the Video Views Pre-roll Objective guide
    sets pre-roll call-to-actions up only on MEDIA line items with that objective."""
    with emulator.state.lock:
        line_items = emulator.state.table("line_items")
        line_items[line_item_id] = {**line_items[PREROLL_LINE_ITEM], "id": line_item_id}
    return line_item_id
