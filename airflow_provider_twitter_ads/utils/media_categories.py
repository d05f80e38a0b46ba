"""The upload API's media categories: the media types each accepts, size limits, media key prefixes."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/bmp"})
GIF_TYPES = frozenset({"image/gif"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
#: Every media type some category accepts.
MEDIA_TYPES = IMAGE_TYPES | GIF_TYPES | VIDEO_TYPES


@dataclass(frozen=True)
class MediaCategory:
    """What the upload API accepts for one ``media_category``."""

    name: str
    #: ``image``, ``gif`` or ``video``.
    kind: str
    media_types: frozenset[str]
    max_bytes: int
    #: The ``<prefix>`` of the media keys (``<prefix>_<media_id>``) the API gives this category.
    key_prefix: str
    #: Video and GIF uploads are processed after FINALIZE; images are usable at once.
    needs_processing: bool

    def check(self, media_type: str, total_bytes: int) -> None:
        """Raise ``ValueError`` if this category does not take ``media_type`` or ``total_bytes``."""
        if media_type not in self.media_types:
            raise ValueError(
                f"media_type {media_type!r} is not accepted by media_category {self.name!r} "
                f"(accepted: {', '.join(sorted(self.media_types))})"
            )
        if total_bytes > self.max_bytes:
            raise ValueError(
                f"total_bytes {total_bytes} is over the {self.max_bytes // MB} MB "
                f"({self.max_bytes} bytes) limit of media_category {self.name!r}"
            )


def _category(name: str, kind: str, types: frozenset[str], max_mb: int, prefix: str) -> MediaCategory:
    return MediaCategory(name, kind, types, max_mb * MB, prefix, needs_processing=kind != "image")


MEDIA_CATEGORIES: dict[str, MediaCategory] = {
    c.name: c
    for c in (
        _category("tweet_image", "image", IMAGE_TYPES, 5, "3"),
        _category("dm_image", "image", IMAGE_TYPES, 5, "3"),
        _category("tweet_gif", "gif", GIF_TYPES, 15, "16"),
        _category("dm_gif", "gif", GIF_TYPES, 15, "16"),
        _category("tweet_video", "video", VIDEO_TYPES, 512, "7"),
        _category("dm_video", "video", VIDEO_TYPES, 512, "7"),
        _category("amplify_video", "video", VIDEO_TYPES, 512, "13"),
    )
}


def get_media_category(name: object) -> MediaCategory:
    """The category called ``name``; ``ValueError`` naming the valid ones otherwise."""
    if not isinstance(name, str) or name not in MEDIA_CATEGORIES:
        raise ValueError(f"media_category must be one of {', '.join(MEDIA_CATEGORIES)}, got {name!r}")
    return MEDIA_CATEGORIES[name]


def normalize_media_type(media_type: object) -> str:
    """``media_type`` lower-cased without parameters (``image/JPEG; q=1`` -> ``image/jpeg``)."""
    if not isinstance(media_type, str) or "/" not in media_type:
        raise ValueError(f"media_type must be a MIME type like 'video/mp4', got {media_type!r}")
    normalized = media_type.split(";", 1)[0].strip().lower()
    return "image/jpeg" if normalized in ("image/jpg", "image/pjpeg") else normalized
