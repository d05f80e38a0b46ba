"""Received upload segments on disk, never in memory: a directory per session, a file per segment."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path

from airflow_provider_twitter_ads.emulator.state import EmulatorConfig, EmulatorState

# JPEG dimensions may sit behind large EXIF or ICC segments: read this much for image headers.
HEAD_BYTES = 1024 * 1024
_READ_CHUNK = 1024 * 1024


class Spool:
    """Received segments on disk: a directory per upload session, a file per segment index."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config
        self._root: Path | None = None
        self._sizes: dict[str, dict[int, int]] = {}

    def sizes(self, media_id: str) -> Mapping[int, int]:
        """Bytes received per segment index of one session."""
        return self._sizes.get(media_id, {})

    def sessions(self) -> list[str]:
        return list(self._sizes)

    def write(self, media_id: str, index: int, data: bytes) -> None:
        """Store one segment, replacing an earlier one with the same index."""
        path = self._segment_path(media_id, index)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        self._sizes.setdefault(media_id, {})[index] = len(data)

    def digest(self, media_id: str) -> tuple[str, bytes]:
        """SHA-256 hex digest of the segments in index order, and the first bytes for header checks."""
        hasher = hashlib.sha256()
        head = bytearray()
        for index in sorted(self.sizes(media_id)):
            with open(self._segment_path(media_id, index), "rb") as segment:
                while chunk := segment.read(_READ_CHUNK):
                    hasher.update(chunk)
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
        return hasher.hexdigest(), bytes(head)

    def discard(self, media_id: str) -> None:
        """Delete one session's segments."""
        self._sizes.pop(media_id, None)
        if self._root is not None:
            shutil.rmtree(self._root / media_id, ignore_errors=True)

    def clear(self) -> None:
        """Delete every spooled segment and the spool directory itself."""
        self._sizes.clear()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def _segment_path(self, media_id: str, index: int) -> Path:
        if self._root is None:
            # A directory of our own, also inside a configured one: emulators may share that.
            parent = self._config.upload_spool_dir
            if parent:
                os.makedirs(parent, exist_ok=True)
            self._root = Path(tempfile.mkdtemp(prefix="ads-api-emulator-upload-", dir=parent))
        return self._root / media_id / f"{index:03d}"


_SPOOLS: weakref.WeakKeyDictionary[EmulatorState, Spool] = weakref.WeakKeyDictionary()


def spool_for(state: EmulatorState) -> Spool:
    spool = _SPOOLS.get(state)
    if spool is None:
        spool = _SPOOLS[state] = Spool(state.config)
    return spool


def cleanup(state: EmulatorState) -> None:
    """Delete spooled upload segments."""
    spool = _SPOOLS.get(state)
    if spool is not None:
        with state.lock:
            spool.clear()
