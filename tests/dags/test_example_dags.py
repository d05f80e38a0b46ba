"""Every example DAG imports cleanly, does no work at parse time, and has the defaults we promise."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS_FOLDER = ROOT / "dags_examples"
DOCS = ROOT / "docs"
DAG_FILES = sorted(DAGS_FOLDER.glob("*.py"))
EXPECTED_DAG_IDS = {
    "twitter_ads_preroll_video",
    "twitter_ads_display_images",
    "twitter_ads_promoted_carousel",
    "twitter_ads_promoted_video",
    "twitter_ads_cleanup",
    "twitter_ads_creative_live",
}
# Scheduled on an Asset (a creative going live), not triggered by hand.
ASSET_SCHEDULED = {"twitter_ads_creative_live"}


@pytest.fixture(scope="module")
def dag_bag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The example DAGs, parsed with connections that point nowhere reachable."""
    # 3.3.2's DagBag has no include_examples argument: the setting is read from the environment.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        # Parsing must not need either service: any call to these would fail fast.
        patch.setenv(
            "AIRFLOW_CONN_TWITTER_ADS_DEFAULT",
            json.dumps({"conn_type": "twitter_ads", "extra": {"ads_api_url": "http://127.0.0.1:9"}}),
        )
        patch.setenv(
            "AIRFLOW_CONN_AWS_DEFAULT",
            json.dumps({"conn_type": "aws", "extra": {"endpoint_url": "http://127.0.0.1:9"}}),
        )
        from airflow.dag_processing.dagbag import DagBag

        yield DagBag(dag_folder=str(DAGS_FOLDER))


def test_every_example_file_imports_without_errors(dag_bag) -> None:
    assert dag_bag.import_errors == {}
    assert set(dag_bag.dag_ids) == EXPECTED_DAG_IDS
    assert {Path(dag.fileloc).name for dag in dag_bag.dags.values()} == {f.name for f in DAG_FILES}


def test_parsing_makes_no_api_calls(ads_api_emulator, twitter_ads_connection, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    assert bag.import_errors == {}
    assert ads_api_emulator.api_requests() == []


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_dag_documentation_tags_and_schedule(dag_bag, dag_id: str) -> None:
    dag = dag_bag.dags[dag_id]
    assert dag.doc_md and dag.doc_md.strip().startswith("###")
    assert dag.description
    assert "twitter_ads" in dag.tags
    assert "example" in dag.tags
    if dag_id not in ASSET_SCHEDULED:
        assert dag.schedule is None  # triggered by hand or by the API, never on a timer
    assert dag.catchup is False


def test_the_creative_live_dag_runs_when_its_line_item_gets_a_creative(dag_bag) -> None:
    from airflow_provider_twitter_ads.lineage import CREATIVE_LIVE_ALIAS, creative_live_asset

    dag = dag_bag.dags["twitter_ads_creative_live"]
    asset = creative_live_asset("18ce54d4x5t", "8v7jo")
    assert [a.uri for a in dag.timetable.asset_condition.objects] == [asset.uri]
    # The DAGs that attach media creatives report them through the alias: the preroll DAG's one
    # attach itself, the display DAG's mapped attaches through one task downstream of them all.
    for dag_id, task_id in (
        ("twitter_ads_preroll_video", "attach_media_creative"),
        ("twitter_ads_display_images", "report_creatives_live"),
    ):
        task = dag_bag.dags[dag_id].get_task(task_id)
        assert [getattr(o, "name", None) for o in task.outlets] == [CREATIVE_LIVE_ALIAS], dag_id
    display = dag_bag.dags["twitter_ads_display_images"]
    assert display.get_task("attach_media_creative").outlets == []
    assert display.get_task("report_creatives_live").upstream_task_ids == {"attach_media_creative"}


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_dag_retries_with_exponential_backoff(dag_bag, dag_id: str) -> None:
    dag = dag_bag.dags[dag_id]
    assert dag.default_args["retries"] == 3
    assert dag.default_args["retry_exponential_backoff"] is True
    assert dag.default_args["retry_delay"] >= timedelta(seconds=1)
    for task in dag.tasks:
        assert task.retries == 3, task.task_id
        assert task.retry_exponential_backoff, task.task_id


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAG_IDS))
def test_every_param_has_a_valid_default(dag_bag, dag_id: str) -> None:
    dag = dag_bag.dags[dag_id]
    assert len(dag.params) > 0
    for name in dag.params:
        param = dag.params.get_param(name)
        assert param.has_value, f"{dag_id}: param {name!r} has no default"
        assert param.description, f"{dag_id}: param {name!r} has no description"
    # Every default passes its own schema, so a run triggered without conf starts.
    dag.params.validate()


def test_dags_have_no_cycles_and_expected_shape(dag_bag) -> None:
    for dag in dag_bag.dags.values():
        dag.check_cycle()
    # The orders below also pin each DAG's wiring.
    preroll = dag_bag.dags["twitter_ads_preroll_video"]
    assert [t.task_id for t in preroll.topological_sort()] == [
        "upload_video",
        "wait_for_processing",
        "create_account_media",
        "attach_media_creative",
    ]
    display = dag_bag.dags["twitter_ads_display_images"]
    assert [t.task_id for t in display.topological_sort()] == [
        "list_images",
        "upload_image",
        "create_account_media",
        "attach_media_creative",
        "report_creatives_live",
    ]
    carousel = dag_bag.dags["twitter_ads_promoted_carousel"]
    assert [t.task_id for t in carousel.topological_sort()] == [
        "list_images",
        "upload_image",
        "create_card",
        "create_tweet",
        "promote_tweet",
    ]
    video = dag_bag.dags["twitter_ads_promoted_video"]
    assert [t.task_id for t in video.topological_sort()] == [
        "upload_video",
        "create_card",
        "create_tweet",
        "promote_tweet",
    ]
    cleanup = dag_bag.dags["twitter_ads_cleanup"]
    order = [t.task_id for t in cleanup.topological_sort()]
    assert order.index("delete_media_creative") < order.index("delete_account_media")
    assert order.index("delete_promoted_tweet") < order.index("delete_card")


def test_preroll_sensor_is_deferrable(dag_bag) -> None:
    sensor = dag_bag.dags["twitter_ads_preroll_video"].get_task("wait_for_processing")
    assert sensor.deferrable is True


def test_display_dag_maps_one_task_instance_per_image(dag_bag) -> None:
    display = dag_bag.dags["twitter_ads_display_images"]
    for task_id in ("upload_image", "create_account_media", "attach_media_creative"):
        task = display.get_task(task_id)
        assert task.is_mapped, task_id


def test_cleanup_id_list_accepts_lists_and_comma_separated_strings() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "twitter_ads_cleanup_module", DAGS_FOLDER / "twitter_ads_cleanup.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.id_list(["a1", " b2 ", "a1", ""], "ids") == ["a1", "b2"]
    assert module.id_list("a1, b2,,c3", "ids") == ["a1", "b2", "c3"]
    assert module.id_list([12345], "ids") == ["12345"]
    assert module.id_list(None, "ids") == []
    with pytest.raises(TypeError, match="media_creative_ids"):
        module.id_list({"id": "a1"}, "media_creative_ids")
    with pytest.raises(TypeError, match="account_media_ids"):
        module.id_list([True], "account_media_ids")


def _markers(text: str, kind: str) -> list[str]:
    return re.findall(rf"#\s*\[{kind} ([\w-]+)\]", text)


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_doc_markers_are_balanced(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    starts, ends = _markers(text, "START"), _markers(text, "END")
    assert starts, "each example has at least one docs snippet"
    assert starts == ends
    assert len(set(starts)) == len(starts)


def test_docs_include_only_existing_markers() -> None:
    """Every literalinclude names a file that exists and markers that exist in it."""
    pattern = re.compile(r"\.\. literalinclude:: (?P<path>\S+)\n(?P<options>(?:[ \t]+:[\w-]+:.*\n)*)")
    checked = 0
    for page in DOCS.rglob("*.rst"):
        for match in pattern.finditer(page.read_text(encoding="utf-8")):
            target = (page.parent / match["path"]).resolve()
            assert target.exists(), f"{page.name}: {match['path']}"
            text = target.read_text(encoding="utf-8")
            for option in re.findall(r":(?:start-after|end-before): (.+)", match["options"]):
                assert option.strip() in text, f"{page.name}: {option.strip()} not in {target.name}"
                checked += 1
    assert checked > 0


def test_readme_dag_snippet_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's DAG example is a DAG that imports cleanly."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    [snippet] = [block for block in blocks if "with DAG(" in block]
    (tmp_path / "readme_dag.py").write_text(snippet, encoding="utf-8")
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(tmp_path))
    assert bag.import_errors == {}
    dag = bag.dags["spring_preroll"]
    assert [t.task_id for t in dag.topological_sort()] == ["upload", "processed", "account_media", "creative"]
