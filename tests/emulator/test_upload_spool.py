"""Spooled segments live on disk only until FINALIZE, expiry, reset or stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_twitter_ads.emulator import AdsApiEmulator, EmulatorConfig
from airflow_provider_twitter_ads.emulator.samples import mp4, sha256

from .upload_client import V2Client, V11Client, split


def _files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file())


@pytest.fixture
def spool_dir(ads_api_emulator: AdsApiEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator spools into ``tmp_path`` for this test (it was reset just before, so nothing is open)."""
    monkeypatch.setattr(ads_api_emulator.config, "upload_spool_dir", str(tmp_path))
    return tmp_path


def test_segments_are_on_disk_until_finalize(ads_api_emulator: AdsApiEmulator, spool_dir: Path) -> None:
    client = V2Client(ads_api_emulator)
    data = mp4(30_000)
    segments = split(data, 10_000)
    media_id = client.start(data, "tweet_video", "video/mp4")
    for index in (2, 0, 1, 0):
        assert client.append(media_id, index, segments[index]).status_code == 200
    files = _files(spool_dir)
    assert len(files) == 3
    assert sorted(path.read_bytes() for path in files) == sorted(segments)
    assert client.finalize(media_id).status_code == 200
    assert _files(spool_dir) == []
    assert ads_api_emulator.state.media_by_id(media_id).sha256 == sha256(data)


def test_reset_removes_open_sessions(ads_api_emulator: AdsApiEmulator, spool_dir: Path) -> None:
    client = V11Client(ads_api_emulator)
    media_id = client.start(b"0123456789", "tweet_image", "image/png")
    assert client.append(media_id, 0, b"01234").status_code == 204
    assert len(_files(spool_dir)) == 1
    ads_api_emulator.reset()
    assert list(spool_dir.iterdir()) == []
    assert ads_api_emulator.state.media == {}


def test_expired_sessions_are_removed(ads_api_emulator: AdsApiEmulator, spool_dir: Path) -> None:
    client = V2Client(ads_api_emulator)
    first = client.start(b"0123456789", "tweet_image", "image/png")
    second = client.start(b"0123456789", "tweet_image", "image/png")
    assert client.append(first, 0, b"01234").status_code == 200
    assert client.append(second, 0, b"01234").status_code == 200
    assert len(_files(spool_dir)) == 2
    ads_api_emulator.state.media_by_id(first).expires_at = 0
    ads_api_emulator.state.media_by_id(second).expires_at = 0
    # Touching an expired session frees its segments...
    assert client.append(first, 1, b"56789").status_code == 400
    assert len(_files(spool_dir)) == 1
    # ...and a new upload sweeps the abandoned ones.
    client.start(b"0", "tweet_image", "image/png")
    assert _files(spool_dir) == []


def test_stop_removes_the_spool(tmp_path: Path) -> None:
    with AdsApiEmulator(EmulatorConfig(upload_spool_dir=str(tmp_path))) as emulator:
        client = V2Client(emulator)
        media_id = client.start(b"0123456789", "tweet_image", "image/png")
        assert client.append(media_id, 0, b"01234").status_code == 200
        assert len(_files(tmp_path)) == 1
    assert list(tmp_path.iterdir()) == []
