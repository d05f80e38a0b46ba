"""The id rules of the X Ads API, defined once: media ids, media keys and entity ids.

Every entry point that takes an id or a key (hooks, operators, sensor, trigger) checks it here, so
they all accept and refuse alike. Surrounding whitespace is ignored (templates often render a
trailing newline); anything else that is not the documented form raises before a request is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from airflow_provider_twitter_ads.vocabulary import (
    MEDIA_CATEGORY_KINDS,
    MEDIA_KEY_PREFIXES,
    MEDIA_KINDS_BY_PREFIX,
)

#: A media id is the API's ``media_id_string``: 19 ASCII digits, like ``1029825579531807971``.
MEDIA_ID_PATTERN = re.compile(r"[0-9]{19}")
#: A media key is ``<prefix>_<media id>``; the prefix names the media kind.
MEDIA_KEY_PATTERN = re.compile(r"([0-9]+)_([0-9]{19})")
#: An entity id (account, line item, account media, media creative, ...): base-36 like ``8v7jo``.
ENTITY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")

_PREFIX_HELP = ", ".join(f"{prefix} ({kind})" for kind, prefix in MEDIA_KEY_PREFIXES.items())


# -- media ids ------------------------------------------------------------------------------------


def validate_media_id(media_id: object, parameter: str = "media_id") -> str:
    """``media_id`` (a str or an int) as the 19-digit string the upload API uses."""
    if isinstance(media_id, bool) or not isinstance(media_id, (str, int)):
        raise TypeError(
            f"{parameter} must be a media id (str) or the dict UploadMediaOperator returns, "
            f"not {type(media_id).__name__}: {media_id!r}"
        )
    text = str(media_id).strip()
    if MEDIA_ID_PATTERN.fullmatch(text) is None:
        hint = ""
        if text.startswith("{"):
            hint = (
                "; it looks like a rendered dict: pass the upload task's output (XComArg) or "
                "template \"{{ ti.xcom_pull(task_ids='upload')['media_id'] }}\""
            )
        raise ValueError(
            f"{parameter} must be a 19-digit numeric media id like '1029825579531807971', "
            f"got {media_id!r}{hint}"
        )
    return text


def normalize_media_id(value: Any, parameter: str = "media_id") -> str:
    """The media id from a str, an int, or the dict ``UploadMediaOperator`` returns."""
    if isinstance(value, Mapping):
        if "media_id" not in value:
            raise ValueError(
                f"{parameter} is a dict without a 'media_id' key (keys: {sorted(map(str, value))}); "
                "pass the media id or the dict UploadMediaOperator returns"
            )
        return validate_media_id(value["media_id"], f"{parameter}['media_id']")
    return validate_media_id(value, parameter)


# -- media keys -----------------------------------------------------------------------------------


def parse_media_key(media_key: object, parameter: str = "media_key") -> tuple[str, str]:
    """Split a media key into ``(kind, media_id)``; a clear error for anything else."""
    if not isinstance(media_key, str):
        raise TypeError(f"{parameter} must be a string, got {type(media_key).__name__}: {media_key!r}")
    found = MEDIA_KEY_PATTERN.fullmatch(media_key.strip())
    if found is None:
        raise ValueError(
            f"{parameter} must look like '<prefix>_<media id>' (e.g. '13_1029825579531807971'), "
            f"got {media_key!r}"
        )
    prefix, media_id = found.groups()
    kind = MEDIA_KINDS_BY_PREFIX.get(prefix)
    if kind is None:
        raise ValueError(f"{parameter} {media_key!r} has unknown prefix {prefix!r}; expected {_PREFIX_HELP}")
    return kind, media_id


def validate_media_key(media_key: object, parameter: str = "media_key") -> str:
    """``media_key`` stripped, if :func:`parse_media_key` accepts it."""
    parse_media_key(media_key, parameter)
    return str(media_key).strip()


def media_kind_from_key(media_key: str) -> str:
    """The media kind (``image``, ``video``, ``amplify_video``, ``gif``) a media key names."""
    return parse_media_key(media_key)[0]


def media_id_from_key(media_key: str) -> str:
    """The numeric media id inside a media key."""
    return parse_media_key(media_key)[1]


def media_key_for(media_id: object, kind: str) -> str:
    """The media key of ``media_id`` for a media kind or an upload media category."""
    resolved = MEDIA_CATEGORY_KINDS.get(kind, kind)
    if resolved not in MEDIA_KEY_PREFIXES:
        raise ValueError(
            f"Unknown media kind or category {kind!r}; expected one of "
            f"{', '.join([*MEDIA_KEY_PREFIXES, *MEDIA_CATEGORY_KINDS])}"
        )
    return f"{MEDIA_KEY_PREFIXES[resolved]}_{validate_media_id(media_id)}"


# -- entity ids -----------------------------------------------------------------------------------


def entity_id(value: object, parameter: str) -> str:
    """One entity id (ints are accepted) as a string of letters, digits, ``_`` and ``-``."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"{parameter} must be a string id, got {type(value).__name__}")
    text = value.strip()
    if ENTITY_ID_PATTERN.fullmatch(text) is None:
        raise ValueError(
            f"{parameter} must be a single non-empty id, got {value!r} (ids hold letters, digits, _ and -)"
        )
    return text


def entity_ids(value: object, parameter: str, id_key: str = "id") -> list[str]:
    """One id, a list of ids, or entity dicts (their ``id_key``), as a non-empty list of unique ids."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if not items:
        raise ValueError(f"{parameter} must not be an empty list")
    ids: list[str] = []
    for item in items:
        raw = item.get(id_key) if isinstance(item, Mapping) else item
        if isinstance(raw, bool) or not isinstance(raw, (str, int)) or not str(raw).strip():
            raise ValueError(f"{parameter} must be a non-empty id string (or a list of them), got {item!r}")
        checked = entity_id(raw, parameter)
        if checked not in ids:
            ids.append(checked)
    return ids


def path_segment(name: str, value: Any) -> str:
    """An id (entity id or media key) as one URL path segment; refuses anything that would change the path."""
    return quote(entity_id(value, name), safe="")
