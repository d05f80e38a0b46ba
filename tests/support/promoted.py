"""Helpers for the card, post and promoted post tests: library media the FULL user may post."""

from __future__ import annotations

from typing import Any

from airflow_provider_twitter_ads.emulator import AdsApiEmulator
from airflow_provider_twitter_ads.emulator.ads import add_ready_media
from airflow_provider_twitter_ads.emulator.ads.models import new_library_entry, stamp
from airflow_provider_twitter_ads.emulator.ads.seed import SEEDED_PROMOTABLE_USERS

#: The seeded FULL promotable user, as whom posts are made.
FULL_USER = SEEDED_PROMOTABLE_USERS[0][1]
#: Seeded line items: promoted posts go on the PROMOTED_TWEETS ones, not on the pre-roll one.
WEBSITE_CLICKS, VIDEO_VIEWS, PREROLL_VIEWS, DELETED = "8v7jo", "8v7jp", "8v7jr", "8v7js"
LANDING = "https://example.com/autumn"


def owned_media(
    emulator: AdsApiEmulator,
    category: str = "tweet_image",
    width: int = 1200,
    height: int = 628,
    *,
    in_library: bool = True,
    owners: tuple[str, ...] = (FULL_USER,),
    state: str | None = None,
) -> dict[str, Any]:
    """A finished upload that ``owners`` may post, as UploadMediaOperator's dict; in the library or not."""
    with emulator.state.lock:
        record = add_ready_media(emulator.state, category, width, height)
        record.extra["additional_owners"] = list(owners)
        if in_library:
            details = {"name": record.media_key, "file_name": None}
            emulator.state.table("media_library")[record.media_key] = new_library_entry(
                record, details, stamp(emulator.state)
            )
    info = {"state": state, "progress_percent": 100 if state == "succeeded" else 40} if state else None
    return {
        "media_id": record.media_id,
        "media_key": record.media_key,
        "media_category": category,
        "media_type": record.media_type,
        "total_bytes": record.total_bytes,
        "width": record.width,
        "height": record.height,
        "processing_info": info,
        "s3_uri": "s3://assets/creative",
    }
