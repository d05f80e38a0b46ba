"""``make demo`` end to end: the same script, in a subprocess, as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DISPLAY_TYPES = {
    "BANNER",
    "BANNER_TABLET",
    "INTERSTITIAL",
    "INTERSTITIAL_LANDSCAPE",
    "INTERSTITIAL_TABLET",
    "INTERSTITIAL_LANDSCAPE_TABLET",
    "MEDIUM_RECTANGLE",
}


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_demo_runs_both_dags_and_reports_what_it_created(tmp_path: Path) -> None:
    summary_path = tmp_path / "summary.json"
    result = subprocess.run(
        [sys.executable, "scripts/demo.py", "--summary-json", str(summary_path), "--timeout", "600"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1400,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    out = result.stdout
    for step in range(1, 9):
        assert f"[{step}/8]" in out
    assert "run success, 4 task instances: 4 success" in out
    assert "run success, 23 task instances: 23 success" in out
    assert "run success, 7 task instances: 7 success" in out  # the carousel: 3 uploads
    assert "run success, 4 task instances: 4 success" in out
    # The sensor really waited in the (in-process) triggerer.
    assert "wait_for_processing: deferred (waiting in the triggerer)" in out
    # Mapped task instances are named by their file and creative type (map_index_template).
    assert "upload_image[display/banner_320x50.png]: success" in out
    assert "create_account_media[s3://twitter-ads-demo/display/banner_320x50.png]: success" in out
    assert "attach_media_creative[BANNER]: success" in out
    assert "report_creatives_live: success" in out
    assert "Done: 8 media creatives on 2 line items and 2 promoted posts, every task succeeded." in out
    # Airflow's own log lines stay in the log files.
    assert "[info     ]" not in out

    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["problems"] == []
    created = summary["created"]
    assert len(created) == 8
    [video] = [row for row in created if row["creative_type"] == "PREROLL"]
    assert video["asset"] == "videos/preroll.mp4"
    assert video["media_key"].startswith("13_")
    assert video["line_item"] == "8v7jr (PREROLL_VIEWS)"
    assert video["landing_url"] == "-"
    images = [row for row in created if row["creative_type"] != "PREROLL"]
    assert {row["creative_type"] for row in images} == DISPLAY_TYPES
    for row in images:
        assert row["media_key"].startswith("3_")
        assert row["line_item"] == "8v7jo (WEBSITE_CLICKS)"
        assert row["landing_url"] == "https://example.com/spring-sale"
        # The file name says which size it is, and so which type the API must have chosen.
        assert Path(row["asset"]).name.startswith(row["creative_type"].lower() + "_")
    assert len({row["account_media_id"] for row in created}) == 8
    assert len({row["media_creative_id"] for row in created}) == 8
    for row in created:
        assert row["media_key"] in out
        assert row["media_creative_id"] in out
    assert [(c["line_item_id"], c["call_to_action"]) for c in summary["preroll_call_to_actions"]] == [
        ("8v7jr", "WATCH_NOW")
    ]
    promoted = sorted(summary["promoted"], key=lambda row: row["card_type"])
    assert [(row["card_type"], row["media"], row["line_item"]) for row in promoted] == [
        ("IMAGE_CAROUSEL_WEBSITE", 3, "8v7jo (WEBSITE_CLICKS)"),
        ("VIDEO_WEBSITE", 1, "8v7jp (VIDEO_VIEWS)"),
    ]
    for row in promoted:
        assert row["card_id"] in out and row["promoted_tweet_id"] in out


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch):
    """scripts/demo.py as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("demo_script", ROOT / "scripts" / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is created.
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_demo_assets_are_what_the_api_expects(demo) -> None:
    """The demo's video is an MP4 box sequence and each PNG has its creative type's exact size."""
    import struct

    from airflow_provider_twitter_ads.emulator.images import ImageHeader, read_image_header
    from airflow_provider_twitter_ads.vocabulary import DISPLAY_CREATIVE_TYPE_DIMENSIONS

    video, *images = demo.sample_assets()
    assert (video.key, video.content_type, video.expected_creative_type) == (
        "videos/preroll.mp4",
        "video/mp4",
        "PREROLL",
    )
    assert 200_000 < len(video.data) < 1_000_000
    offset, boxes = 0, []
    while offset < len(video.data):
        size, kind = struct.unpack(">I4s", video.data[offset : offset + 8])
        boxes.append(kind)
        offset += size
    assert boxes == [b"ftyp", b"mdat"]
    assert offset == len(video.data)

    assert [a.expected_creative_type for a in images] == list(DISPLAY_CREATIVE_TYPE_DIMENSIONS)
    for asset in images:
        width, height = DISPLAY_CREATIVE_TYPE_DIMENSIONS[asset.expected_creative_type]
        assert read_image_header(asset.data) == ImageHeader("image/png", width, height)
        assert asset.key == f"display/{asset.expected_creative_type.lower()}_{width}x{height}.png"
        assert (asset.content_type, asset.line_item_id) == ("image/png", "8v7jo")
    assert len({a.sha256 for a in [video, *images]}) == 1 + len(images)


def _state(demo, assets, account_media, creatives):
    return {
        "media": [
            {"media_key": f"{'13' if a.content_type.startswith('video') else '3'}_{i}", "sha256": a.sha256}
            for i, a in enumerate(assets)
        ],
        "tables": {
            "line_items": [
                {"id": "8v7jo", "objective": "WEBSITE_CLICKS"},
                {"id": "8v7jr", "objective": "PREROLL_VIEWS"},
            ],
            "account_media": account_media,
            "media_creatives": creatives,
        },
    }


def test_demo_check_accepts_exactly_one_of_each_and_reports_duplicates(demo) -> None:
    assets = demo.sample_assets()[:2]  # the video and the BANNER image
    account_media = [
        {"id": "am0", "media_key": "13_0", "creative_type": "PREROLL"},
        {"id": "am1", "media_key": "3_1", "creative_type": "BANNER"},
    ]
    creatives = [
        {"id": "mc0", "account_media_id": "am0", "line_item_id": "8v7jr", "landing_url": None},
        {"id": "mc1", "account_media_id": "am1", "line_item_id": "8v7jo", "landing_url": demo.LANDING_URL},
    ]
    rows, problems = demo.created_entities(_state(demo, assets, account_media, creatives), assets)
    assert problems == []
    assert [(r.asset, r.creative_type, r.media_creative_id, r.line_item) for r in rows] == [
        ("videos/preroll.mp4", "PREROLL", "mc0", "8v7jr (PREROLL_VIEWS)"),
        ("display/banner_320x50.png", "BANNER", "mc1", "8v7jo (WEBSITE_CLICKS)"),
    ]

    # A second account media for the same image (a re-added library entry) and a second creative.
    account_media.append({"id": "am2", "media_key": "3_1", "creative_type": "BANNER"})
    creatives.append({"id": "mc2", "account_media_id": "am2", "line_item_id": "8v7jo", "landing_url": "x"})
    _, problems = demo.created_entities(_state(demo, assets, account_media, creatives), assets)
    assert problems == [
        "display/banner_320x50.png: account media ['BANNER', 'BANNER'], expected [BANNER]",
        f"display/banner_320x50.png: landing URLs ['{demo.LANDING_URL}', 'x'], expected {demo.LANDING_URL}",
        "display/banner_320x50.png: media creatives on ['8v7jo', '8v7jo'], expected [8v7jo]",
    ]


def test_demo_check_reports_missing_and_deleted_entities(demo) -> None:
    assets = demo.sample_assets()[:2]
    account_media = [{"id": "am0", "media_key": "13_0", "creative_type": "PREROLL", "deleted": True}]
    _, problems = demo.created_entities(_state(demo, assets, account_media, []), assets)
    assert problems == [
        "videos/preroll.mp4: account media none, expected [PREROLL]",
        "videos/preroll.mp4: media creatives on none, expected [8v7jr]",
        "display/banner_320x50.png: account media none, expected [BANNER]",
        "display/banner_320x50.png: media creatives on none, expected [8v7jo]",
    ]


def test_demo_run_result_needs_exit_code_run_state_and_every_task(demo) -> None:
    ok = demo.RunResult("d", 0, "success", [("a", -1, "success"), ("b", 0, "skipped")])
    assert ok.ok
    assert ok.summary() == "run success, 2 task instances: 1 skipped, 1 success"
    assert not demo.RunResult("d", 1, "success", ok.task_states).ok
    assert not demo.RunResult("d", 0, "failed", ok.task_states).ok
    assert not demo.RunResult("d", 0, "success", []).ok
    failed = demo.RunResult("d", 0, "success", [("a", -1, "success"), ("b", 3, "upstream_failed")])
    assert not failed.ok
    assert failed.failed_tasks == ["b[3]"]
