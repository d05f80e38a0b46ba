"""Command-line flags of ``python -m airflow_provider_twitter_ads.emulator`` that reach the config."""

from __future__ import annotations

import pytest

from airflow_provider_twitter_ads.emulator.__main__ import build_parser, config_from_args


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], False),
        (["--image-account-media-media-key"], True),
        (["--no-image-account-media-media-key"], False),
    ],
)
def test_image_account_media_media_key_flag(argv: list[str], expected: bool) -> None:
    config = config_from_args(build_parser().parse_args(argv))
    assert config.image_account_media_media_key is expected


def test_defaults_follow_the_docs() -> None:
    config = config_from_args(build_parser().parse_args([]))
    assert config.supported_versions == (11, 12)
    assert config.upload_expires_after_secs == 1_296_000
