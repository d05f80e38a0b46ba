"""Command-line flags of ``python -m airflow_provider_twitter_ads.emulator`` that reach the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_twitter_ads.emulator.__main__ import build_parser, config_from_args, main


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


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], "LINE_ITEM_NOT_FOUND"), (["--line-item-not-found-code", "NOT_FOUND"], "NOT_FOUND")],
)
def test_line_item_not_found_code_flag(argv: list[str], expected: str) -> None:
    config = config_from_args(build_parser().parse_args(argv))
    assert config.line_item_not_found_code == expected


def test_line_item_not_found_code_flag_takes_only_the_two_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--line-item-not-found-code", "ROUTE_NOT_FOUND"])
    assert "invalid choice: 'ROUTE_NOT_FOUND'" in capsys.readouterr().err


def test_defaults_follow_the_docs() -> None:
    config = config_from_args(build_parser().parse_args([]))
    assert config.supported_versions == (11, 12)
    assert config.upload_expires_after_secs == 1_296_000


@pytest.mark.parametrize(
    ("argv", "expected"), [([], None), (["--upload-spool-dir", "/var/spool/x"], "/var/spool/x")]
)
def test_upload_spool_dir_flag(argv: list[str], expected: str | None) -> None:
    config = config_from_args(build_parser().parse_args(argv))
    assert config.upload_spool_dir == expected


def test_upload_spool_dir_that_is_a_file_stops_the_emulator_before_it_serves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_directory = tmp_path / "spool"
    not_a_directory.write_text("x")
    with pytest.raises(SystemExit) as stopped:
        main(["--upload-spool-dir", str(not_a_directory)])
    assert stopped.value.code == 2
    assert f"--upload-spool-dir: {str(not_a_directory)!r} is not a usable directory (File exists)" in (
        capsys.readouterr().err
    )
