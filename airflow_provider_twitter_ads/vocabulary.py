"""The X Ads API's vocabulary: every enumerated value this provider sends or reads, defined once.

Creative types, call-to-actions, upload API versions, media kinds and their media key prefixes,
display creative sizes, media library types and the upload API's media categories. Pure data and
lookups; nothing here talks HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# -- upload API versions ----------------------------------------------------------------------------

#: The media upload API versions a connection or a task may choose.
UPLOAD_APIS: tuple[str, ...] = ("v2", "v1.1")
DEFAULT_UPLOAD_API = "v2"


def check_upload_api(upload_api: object, parameter: str = "upload_api") -> str:
    """``upload_api`` if it is one of ``UPLOAD_APIS``; ``ValueError`` naming ``parameter`` otherwise."""
    if not isinstance(upload_api, str) or upload_api not in UPLOAD_APIS:
        raise ValueError(f"{parameter} must be one of {', '.join(UPLOAD_APIS)}, got {upload_api!r}")
    return upload_api


# -- media kinds and media key prefixes --------------------------------------------------------------

IMAGE = "image"
VIDEO = "video"
AMPLIFY_VIDEO = "amplify_video"
GIF = "gif"

#: Media kind -> the numeric prefix of its media key (``13_1029825579531807971``).
MEDIA_KEY_PREFIXES: Mapping[str, str] = MappingProxyType(
    {IMAGE: "3", VIDEO: "7", AMPLIFY_VIDEO: "13", GIF: "16"}
)
#: Media key prefix -> media kind.
MEDIA_KINDS_BY_PREFIX: Mapping[str, str] = MappingProxyType(
    {prefix: kind for kind, prefix in MEDIA_KEY_PREFIXES.items()}
)

# -- media categories ---------------------------------------------------------------------------------

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
    #: The file's kind for the upload: ``image``, ``gif`` or ``video``.
    kind: str
    media_types: frozenset[str]
    max_bytes: int
    #: The ``<prefix>`` of the media keys (``<prefix>_<media_id>``) the API gives this category.
    key_prefix: str
    #: Video and GIF uploads are processed after FINALIZE; images are usable at once.
    needs_processing: bool

    @property
    def media_kind(self) -> str:
        """The media kind its media keys name (``amplify_video`` for ``amplify_video``)."""
        return MEDIA_KINDS_BY_PREFIX[self.key_prefix]

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


def _category(name: str, kind: str, types: frozenset[str], max_mb: int, media_kind: str) -> MediaCategory:
    prefix = MEDIA_KEY_PREFIXES[media_kind]
    return MediaCategory(name, kind, types, max_mb * MB, prefix, needs_processing=kind != "image")


MEDIA_CATEGORIES: dict[str, MediaCategory] = {
    c.name: c
    for c in (
        _category("tweet_image", "image", IMAGE_TYPES, 5, IMAGE),
        _category("dm_image", "image", IMAGE_TYPES, 5, IMAGE),
        _category("tweet_gif", "gif", GIF_TYPES, 15, GIF),
        _category("dm_gif", "gif", GIF_TYPES, 15, GIF),
        _category("tweet_video", "video", VIDEO_TYPES, 512, VIDEO),
        _category("dm_video", "video", VIDEO_TYPES, 512, VIDEO),
        _category("amplify_video", "video", VIDEO_TYPES, 512, AMPLIFY_VIDEO),
    )
}

#: Upload media category -> the media kind of its media keys.
MEDIA_CATEGORY_KINDS: Mapping[str, str] = MappingProxyType(
    {name: category.media_kind for name, category in MEDIA_CATEGORIES.items()}
)


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


# -- creative types and display sizes -------------------------------------------------------------------


class CREATIVE_TYPES:  # an enum-like namespace of the API's string values
    """Account media creative types.

    ``ALL`` are the types this provider creates. ``LISTED`` adds ``VAST_PREROLL``, which the API
    reports for account media made from a VAST tag and which cannot be created from an upload.
    """

    PREROLL = "PREROLL"
    VAST_PREROLL = "VAST_PREROLL"
    BANNER = "BANNER"
    BANNER_TABLET = "BANNER_TABLET"
    INTERSTITIAL = "INTERSTITIAL"
    INTERSTITIAL_LANDSCAPE = "INTERSTITIAL_LANDSCAPE"
    INTERSTITIAL_TABLET = "INTERSTITIAL_TABLET"
    INTERSTITIAL_LANDSCAPE_TABLET = "INTERSTITIAL_LANDSCAPE_TABLET"
    MEDIUM_RECTANGLE = "MEDIUM_RECTANGLE"

    ALL: tuple[str, ...] = (
        PREROLL,
        BANNER,
        BANNER_TABLET,
        INTERSTITIAL,
        INTERSTITIAL_LANDSCAPE,
        INTERSTITIAL_TABLET,
        INTERSTITIAL_LANDSCAPE_TABLET,
        MEDIUM_RECTANGLE,
    )
    LISTED: tuple[str, ...] = (*ALL, VAST_PREROLL)


#: Display creative type -> the exact ``(width, height)`` in pixels its image must have.
DISPLAY_CREATIVE_TYPE_DIMENSIONS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        CREATIVE_TYPES.BANNER: (320, 50),
        CREATIVE_TYPES.BANNER_TABLET: (728, 90),
        CREATIVE_TYPES.INTERSTITIAL: (320, 480),
        CREATIVE_TYPES.INTERSTITIAL_LANDSCAPE: (480, 320),
        CREATIVE_TYPES.INTERSTITIAL_TABLET: (768, 1024),
        CREATIVE_TYPES.INTERSTITIAL_LANDSCAPE_TABLET: (1024, 768),
        CREATIVE_TYPES.MEDIUM_RECTANGLE: (300, 250),
    }
)

#: Media kind that can become account media -> the media library ``media_type`` of its entries.
MEDIA_LIBRARY_TYPES_BY_KIND: Mapping[str, str] = MappingProxyType({AMPLIFY_VIDEO: "VIDEO", IMAGE: "IMAGE"})
#: The media library's ``media_type`` filter values.
MEDIA_LIBRARY_TYPES: tuple[str, ...] = ("IMAGE", "GIF", "VIDEO")


def check_creative_type(creative_type: object, parameter: str = "creative_type") -> str:
    """``creative_type`` upper-cased, if it is one of ``CREATIVE_TYPES.ALL``."""
    return _check_choice(creative_type, parameter, CREATIVE_TYPES.ALL)


class CALL_TO_ACTIONS:  # an enum-like namespace of the API's string values
    """Preroll call-to-action values."""

    GO_TO = "GO_TO"
    SEE_MORE = "SEE_MORE"
    SHOP = "SHOP"
    VISIT_SITE = "VISIT_SITE"
    WATCH_NOW = "WATCH_NOW"

    ALL: tuple[str, ...] = (GO_TO, SEE_MORE, SHOP, VISIT_SITE, WATCH_NOW)


#: Line item objectives whose media creatives need a landing URL (unless the media is PREROLL).
LANDING_URL_OBJECTIVES = frozenset({"WEBSITE_CLICKS"})


def check_call_to_action(call_to_action: object, parameter: str = "call_to_action") -> str:
    """``call_to_action`` upper-cased, if it is one of ``CALL_TO_ACTIONS.ALL``."""
    return _check_choice(call_to_action, parameter, CALL_TO_ACTIONS.ALL)


def _check_choice(value: object, parameter: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{parameter} must be a string, got {type(value).__name__}: {value!r}")
    normalized = value.strip().upper()
    if normalized not in choices:
        raise ValueError(f"{parameter} must be one of {', '.join(choices)}, got {value!r}")
    return normalized


# -- cards, posts (Tweets) and promoted posts -------------------------------------------------------


class CARD_COMPONENT_TYPES:  # an enum-like namespace of the API's string values
    """Card components ("Cards"): one media component, then one destination component."""

    MEDIA = "MEDIA"
    SWIPEABLE_MEDIA = "SWIPEABLE_MEDIA"
    DETAILS = "DETAILS"
    BUTTON = "BUTTON"
    ALL: tuple[str, ...] = (MEDIA, SWIPEABLE_MEDIA, DETAILS, BUTTON)


#: A carousel (``SWIPEABLE_MEDIA``) shows 2 to 6 media ("Carousels" guide).
SWIPEABLE_MEDIA_MIN, SWIPEABLE_MEDIA_MAX = 2, 6
#: A ``BUTTON`` component's ENUM labels ("Cards").
BUTTON_LABELS: tuple[str, ...] = ("BOOK", "CONNECT", "INSTALL", "OPEN", "ORDER", "PLAY", "SHOP")
CARD_NAME_MAX_LENGTH = 80
DETAILS_TITLE_MAX_LENGTH = 70
#: The media kinds a card shows (creatives overview: images and videos).
CARD_MEDIA_KINDS = frozenset({IMAGE, VIDEO, AMPLIFY_VIDEO})
#: Card images: at least 800 px wide, aspect ratio 1:1 or 1.91:1 (creatives overview).
CARD_IMAGE_MIN_WIDTH = 800
CARD_IMAGE_ASPECT_RATIOS: tuple[float, ...] = (1.0, 1.91)
#: A post's ``name`` and text ("Tweets", "Counting characters": weighted length, a URL counts 23).
TWEET_NAME_MAX_LENGTH = 80
MAX_WEIGHTED_TWEET_LENGTH = 280
TWEET_URL_WEIGHT = 23
#: A post takes up to 4 images, or 1 GIF, or 1 video ("Tweets").
MAX_TWEET_IMAGES = 4
#: ``GET tweets``: the post types (only PUBLISHED posts can be promoted) and timelines.
TWEET_TYPES: tuple[str, ...] = ("DRAFT", "PUBLISHED", "SCHEDULED")
TIMELINE_TYPES: tuple[str, ...] = ("ALL", "NULLCAST", "ORGANIC")
#: ``GET cards`` pages at most 200 cards.
CARDS_MAX_COUNT = 200
#: ``POST promoted_tweets`` takes up to 50 ``tweet_ids`` ("Promoted Tweets").
MAX_PROMOTED_TWEET_IDS = 50
#: Promotable user types ("Promotable Users"): posts are made as the FULL one.
PROMOTABLE_USER_FULL = "FULL"
#: The line item product type that promoted posts go on; the MEDIA product type (pre-roll,
#: objective PREROLL_VIEWS) "does not utilize Promoted Tweets or Cards".
PROMOTED_TWEETS_PRODUCT_TYPE = "PROMOTED_TWEETS"
#: Which path serves which objective: media creatives (pre-roll) or promoted posts.
OBJECTIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {
        "PREROLL_VIEWS": "media creative",
        "WEBSITE_CLICKS": "promoted post",
        "WEBSITE_CONVERSIONS": "promoted post",
        "ENGAGEMENTS": "promoted post",
        "VIDEO_VIEWS": "promoted post",
        "REACH": "promoted post",
        "APP_INSTALLS": "promoted post",
        "APP_ENGAGEMENTS": "promoted post",
        "FOLLOWERS": "promoted post",
    }
)


class NOT_FOUND_CODES:  # an enum-like namespace of the API's string values
    """404 codes of the "Error codes and responses" page (Ads API v12).

    An entity kind the page lists a code for (account media, media creatives, campaigns, line
    items...) is missing when the API names that code; other kinds (media library entries, pre-roll
    call-to-actions) answer the generic ``NOT_FOUND``. ``ROUTE_NOT_FOUND`` (a wrong path, version or
    base URL) never means an entity is missing.
    """

    GENERIC = "NOT_FOUND"
    ROUTE = "ROUTE_NOT_FOUND"
    ACCOUNT_MEDIA = "ACCOUNT_MEDIA_NOT_FOUND"
    LINE_ITEM = "LINE_ITEM_NOT_FOUND"
    MEDIA_CREATIVE = "MEDIA_CREATIVE_NOT_FOUND"
    CAMPAIGN = "CAMPAIGN_NOT_FOUND"
    CARD = "CARD_NOT_FOUND"
    TWEET = "TWEET_NOT_FOUND"
    PROMOTED_TWEET = "PROMOTED_TWEET_NOT_FOUND"
    MEDIA = "MEDIA_NOT_FOUND"


#: The codes that name a line item missing: the page's ``LINE_ITEM_NOT_FOUND``, and the generic
#: ``NOT_FOUND`` the API has been seen answering for one ("Line Item ... was not found for Account",
#: twitter-python-ads-sdk issue 237). Either is a missing line item; ``ROUTE_NOT_FOUND`` never is.
MISSING_LINE_ITEM_CODES: tuple[str, ...] = (NOT_FOUND_CODES.LINE_ITEM, NOT_FOUND_CODES.GENERIC)
#: The codes that name a media library entry missing: the generic ``NOT_FOUND`` the emulator
#: answers, and ``MEDIA_NOT_FOUND``, which the page lists without naming its endpoint.
MISSING_LIBRARY_ENTRY_CODES: tuple[str, ...] = (NOT_FOUND_CODES.GENERIC, NOT_FOUND_CODES.MEDIA)
