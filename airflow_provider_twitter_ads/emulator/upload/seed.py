"""Upload seed data: finished uploads put straight into the state, for tests and Ads seeding."""

from __future__ import annotations

from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord
from airflow_provider_twitter_ads.emulator.upload.models import CATEGORIES

_DEFAULTS = {
    "image": ("image/jpeg", (1200, 628)),
    "gif": ("image/gif", (480, 270)),
    "video": ("video/mp4", (1280, 720)),
}


def add_ready_media(
    state: EmulatorState,
    media_category: str = "tweet_image",
    width: int | None = None,
    height: int | None = None,
    media_type: str | None = None,
) -> MediaRecord:
    """Put a finalized media whose processing succeeded into ``state.media``, as a finished upload would."""
    category_name = media_category.lower()
    category = CATEGORIES[category_name]
    default_mime, default_size = _DEFAULTS[category.kind]
    media_id = state.next_media_id()
    record = MediaRecord(
        media_id=media_id,
        media_key=f"{category.key_prefix}_{media_id}",
        media_category=category_name,
        media_type=media_type or default_mime,
        total_bytes=1024,
        finalized=True,
        width=width if width is not None else default_size[0],
        height=height if height is not None else default_size[1],
        duration_ms=15_000 if category.kind == "video" else None,
        needs_processing=category.needs_processing,
        state="succeeded",
        progress_percent=100,
    )
    record.received_bytes = record.total_bytes
    state.media[record.media_key] = record
    state.media_key_by_id[media_id] = record.media_key
    return record
