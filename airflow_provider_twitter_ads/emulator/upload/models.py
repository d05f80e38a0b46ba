"""The upload backend: media categories and their rules, and the upload logic both API versions share.

Handlers in ``responses`` parse requests and shape answers; ``Uploads`` checks, stores and finalizes.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from airflow_provider_twitter_ads.emulator.images import read_image_header
from airflow_provider_twitter_ads.emulator.state import EmulatorState, MediaRecord
from airflow_provider_twitter_ads.emulator.upload.exceptions import UploadError, invalid, missing
from airflow_provider_twitter_ads.emulator.upload.processing import refresh_processing
from airflow_provider_twitter_ads.emulator.upload.spool import HEAD_BYTES, spool_for

MAX_SEGMENT_BYTES = 5 * 1024 * 1024
MAX_SEGMENT_INDEX = 999
MAX_ADDITIONAL_OWNERS = 100
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class MediaCategory:
    """What a media category accepts and how its media is keyed and processed."""

    media_types: frozenset[str]
    max_bytes: int
    key_prefix: str
    # "image" or "subtitles" (no processing), "gif" or "video" (processed after FINALIZE).
    kind: str

    @property
    def needs_processing(self) -> bool:
        return self.kind in ("gif", "video")


# The media types of the v2 spec's enum, by the categories that take them (3D models fit none).
_IMAGE_TYPES = frozenset({"image/jpeg", "image/pjpeg", "image/png", "image/webp", "image/bmp", "image/tiff"})
_VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm", "video/mp2t"})
_SUBTITLE_TYPES = frozenset({"text/srt", "text/vtt"})
# The prose caps of the media pages (5 MB images, 15 MB GIFs, 512 MB video), not the spec's maximum.
_IMAGE = MediaCategory(_IMAGE_TYPES, 5_242_880, "3", "image")
_GIF = MediaCategory(frozenset({"image/gif"}), 15_728_640, "16", "gif")
_VIDEO = MediaCategory(_VIDEO_TYPES, 536_870_912, "7", "video")
CATEGORIES: dict[str, MediaCategory] = {
    "tweet_image": _IMAGE,
    "dm_image": _IMAGE,
    "tweet_gif": _GIF,
    "dm_gif": _GIF,
    "tweet_video": _VIDEO,
    "dm_video": _VIDEO,
    "amplify_video": MediaCategory(_VIDEO_TYPES, 536_870_912, "13", "video"),
    # No doc gives a size cap or key prefix for subtitles: 5 MB and the image prefix.
    "subtitles": MediaCategory(_SUBTITLE_TYPES, 5_242_880, "3", "subtitles"),
}
# The first bytes that tell a video container from anything else, by media type.
_VIDEO_SIGNATURES = {"video/webm": b"\x1a\x45\xdf\xa3", "video/mp2t": b"\x47"}


def default_category(media_type: str) -> str | None:
    """Without media_category, media is for a Post by its type ("Best practices" media page)."""
    if media_type == "image/gif":
        return "tweet_gif"
    if media_type in _IMAGE_TYPES:
        return "tweet_image"
    if media_type in _VIDEO_TYPES:
        return "tweet_video"
    return None


def recognized(category: MediaCategory, media_type: str, head: bytes) -> bool:
    """Whether the first bytes are the container the category processes."""
    if category.kind == "gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    signature = _VIDEO_SIGNATURES.get(media_type)
    return head.startswith(signature) if signature else head[4:8] == b"ftyp"


class Uploads:
    """The upload logic both API versions share; it raises ``UploadError`` and returns records."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.config = state.config
        self.spool = spool_for(state)

    def initialize(self, params: Mapping[str, str]) -> MediaRecord:
        """INIT. ``total_bytes`` and ``media_type`` are required (v1.1 reference; every v2 example
        sends them); ``media_category`` defaults to the Post category of the media type."""
        for name in ("total_bytes", "media_type"):
            if not params.get(name):
                raise missing(name)
        name = params.get("media_category") or default_category(params["media_type"])
        if name is None:
            raise invalid("media_type", f"media_type {params['media_type']!r} needs a media_category.")
        category = _category(name)
        media_type = _media_type(name, category, params["media_type"])
        total_bytes = _total_bytes(name, category, params["total_bytes"])
        owners = _additional_owners(params.get("additional_owners"))
        shared = _shared(params.get("shared"))
        now = time.time()
        self._discard_expired(now)
        record = self._new_record(name, category, media_type, total_bytes, owners, now)
        record.extra["shared"] = shared
        return record

    def append(self, media_id: str, segment_index: str | None, data: bytes) -> MediaRecord:
        index = _segment_index(segment_index)
        if not data:
            raise invalid("media", "The media segment is empty.")
        if len(data) > MAX_SEGMENT_BYTES:
            raise invalid(
                "media", f"A media segment may hold at most {MAX_SEGMENT_BYTES} bytes; got {len(data)}."
            )
        record = self._open_session(media_id, time.time(), "append to")
        sizes = self.spool.sizes(media_id)
        others = sum(sizes.values()) - sizes.get(index, 0)
        if others + len(data) > record.total_bytes:
            raise invalid(
                "media",
                f"Appending {len(data)} bytes as segment {index} would make {others + len(data)} bytes, "
                f"more than total_bytes {record.total_bytes}.",
            )
        self.spool.write(media_id, index, data)
        record.received_bytes = others + len(data)
        return record

    def finalize(self, media_id: str, fail_processing: bool) -> tuple[MediaRecord, bool]:
        """Finalize an upload; also True when this call (not an earlier one) finalized it."""
        now = time.time()
        record = self._lookup(media_id)
        if record.finalized:
            if now > record.expires_at:
                raise UploadError(400, f"Media {media_id} has expired.", "media_id")
            return record, False
        self._open_session(media_id, now, "finalize")
        sizes = self.spool.sizes(media_id)
        missing = sorted(set(range(max(sizes, default=-1) + 1)) - set(sizes))
        if missing:
            listed = ", ".join(str(index) for index in missing[:20])
            raise UploadError(
                400, f"Segments {listed} of media {media_id} were never appended.", "segment_index"
            )
        received = sum(sizes.values())
        if received != record.total_bytes:
            raise UploadError(
                400,
                f"Segments add up to {received} bytes, "
                f"not the total_bytes {record.total_bytes} given at INIT.",
                "total_bytes",
            )
        digest, head = self.spool.digest(media_id)
        self.spool.discard(media_id)
        # Processing starts once the bytes are hashed, however long that took on a busy machine.
        self._complete(record, digest, received, head, fail_processing, time.time())
        return record, True

    def status(self, command: str | None, media_id: str | None, *, command_required: bool) -> MediaRecord:
        """STATUS; ``command`` is optional in v2 (the spec) and required in v1.1 (its reference)."""
        if not command and command_required:
            raise missing("command")
        if command and command != "STATUS":
            raise invalid("command", f"command must be STATUS, got {command!r}.")
        record = self._lookup(_media_id(media_id))
        if not record.finalized:
            raise UploadError(400, f"Media {record.media_id} has not been finalized.", "media_id")
        return refresh_processing(record)

    def simple(self, params: Mapping[str, str], data: bytes | None) -> MediaRecord:
        """Simple upload: images only, as the media pages say (the spec's enum lists more)."""
        if data is None:
            raise missing("media")
        if not data:
            raise invalid("media", "The media is empty.")
        name = params.get("media_category") or "tweet_image"
        category = _category(name)
        if category.needs_processing:
            raise invalid(
                "media_category",
                f"Simple upload takes images only; upload {name} with INIT, APPEND and FINALIZE.",
            )
        head = data[:HEAD_BYTES]
        image = read_image_header(head)
        # Without media_type the header decides, as the API sniffs the file.
        given_type = params.get("media_type") or (image.media_type if image else None)
        if not given_type:
            raise missing("media_type")
        media_type = _media_type(name, category, given_type)
        _check_size(name, category, len(data), "media")
        owners = _additional_owners(params.get("additional_owners"))
        now = time.time()
        record = self._new_record(name, category, media_type, len(data), owners, now)
        self._complete(record, hashlib.sha256(data).hexdigest(), len(data), head, False, now)
        return record

    def expires_after_secs(self, record: MediaRecord) -> int:
        # Whole seconds left, rounded down: a fresh 15-day session reports 1295999 as in the docs.
        return max(0, int(record.expires_at - time.time()))

    def _new_record(
        self,
        name: str,
        category: MediaCategory,
        media_type: str,
        total_bytes: int,
        owners: list[str],
        now: float,
    ) -> MediaRecord:
        media_id = self.state.next_media_id()
        record = MediaRecord(
            media_id=media_id,
            media_key=f"{category.key_prefix}_{media_id}",
            media_category=name,
            media_type=media_type,
            total_bytes=total_bytes,
            created_at=now,
            expires_at=now + self.config.upload_expires_after_secs,
            needs_processing=category.needs_processing,
            extra={"additional_owners": owners},
        )
        self.state.media[record.media_key] = record
        self.state.media_key_by_id[media_id] = record.media_key
        return record

    def _complete(
        self, record: MediaRecord, digest: str, size: int, head: bytes, fail_processing: bool, now: float
    ) -> None:
        """Mark a record finalized: hash, size, image dimensions, and the start of its processing."""
        category = CATEGORIES[record.media_category]
        image = read_image_header(head)
        record.sha256 = digest
        record.received_bytes = size
        record.finalized = True
        # From FINALIZE on, the media (not the session) lives this long.
        record.expires_at = now + self.config.upload_expires_after_secs
        if image is not None and category.kind in ("image", "gif"):
            record.width, record.height = image.width, image.height
        if not category.needs_processing:
            record.state, record.progress_percent = "succeeded", 100
            return
        record.fail_processing = fail_processing or not recognized(category, record.media_type, head)
        record.processing_started_at = now
        record.processing_seconds = self.config.processing_seconds
        refresh_processing(record, now)

    def _lookup(self, media_id: str) -> MediaRecord:
        record = self.state.media_by_id(media_id)
        if record is None:
            raise UploadError(404, f"No media with media_id {media_id} was found.", "media_id")
        return record

    def _open_session(self, media_id: str, now: float, action: str) -> MediaRecord:
        record = self._lookup(media_id)
        if record.finalized:
            raise UploadError(400, f"Media {media_id} is already finalized; cannot {action} it.", "media_id")
        if now > record.expires_at:
            self.spool.discard(media_id)
            raise UploadError(
                400,
                f"The upload session of media {media_id} expired {self.config.upload_expires_after_secs} "
                "seconds after INIT; start a new upload.",
                "media_id",
            )
        return record

    def _discard_expired(self, now: float) -> None:
        """Free the disk of abandoned sessions."""
        for media_id in self.spool.sessions():
            record = self.state.media_by_id(media_id)
            if record is None or now > record.expires_at:
                self.spool.discard(media_id)


def _category(name: str) -> MediaCategory:
    category = CATEGORIES.get(name)
    if category is None:
        raise invalid(
            "media_category", f"media_category must be one of {', '.join(CATEGORIES)}; got {name!r}."
        )
    return category


def _media_type(name: str, category: MediaCategory, media_type: str) -> str:
    if media_type not in category.media_types:
        raise invalid(
            "media_type",
            f"media_type {media_type!r} is not allowed for media_category {name}; "
            f"use one of {', '.join(sorted(category.media_types))}.",
        )
    return media_type


def _total_bytes(name: str, category: MediaCategory, value: str) -> int:
    if not _DIGITS.fullmatch(value) or int(value) == 0:
        raise invalid("total_bytes", f"total_bytes must be a positive integer; got {value!r}.")
    _check_size(name, category, int(value))
    return int(value)


def _check_size(name: str, category: MediaCategory, size: int, parameter: str = "total_bytes") -> None:
    if size > category.max_bytes:
        raise invalid(
            parameter,
            f"{parameter} of {size} bytes exceeds the {category.max_bytes} bytes allowed "
            f"for media_category {name}.",
        )


def _segment_index(value: str | None) -> int:
    if value is None or value == "":
        raise missing("segment_index")
    if not _DIGITS.fullmatch(value) or int(value) > MAX_SEGMENT_INDEX:
        raise invalid(
            "segment_index", f"segment_index must be an integer from 0 to {MAX_SEGMENT_INDEX}; got {value!r}."
        )
    return int(value)


def _media_id(value: str | None, parameter: str = "media_id") -> str:
    if not value:
        raise missing(parameter)
    if not _DIGITS.fullmatch(value):
        raise invalid(parameter, f"{parameter} must be a numeric media id; got {value!r}.")
    return value


def _shared(value: str | None) -> bool:
    if value in (None, "", "false"):
        return False
    if value == "true":
        return True
    raise invalid("shared", f"shared must be true or false; got {value!r}.")


def _additional_owners(value: str | None) -> list[str]:
    if not value:
        return []
    owners = [owner.strip() for owner in value.split(",")]
    bad = [owner for owner in owners if not _DIGITS.fullmatch(owner)]
    if bad:
        raise invalid("additional_owners", f"additional_owners must be numeric user ids; got {bad[0]!r}.")
    if len(owners) > MAX_ADDITIONAL_OWNERS:
        raise invalid(
            "additional_owners",
            f"additional_owners may name at most {MAX_ADDITIONAL_OWNERS} users; got {len(owners)}.",
        )
    return owners
