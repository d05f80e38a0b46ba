"""Parsing a DAG file loads no HTTP, OAuth or AWS client library: they load on first use.

Each check runs in a fresh interpreter, so modules imported by other tests cannot hide (or fake) a
load. The figures for the time this saves come from ``bench/dag_parse.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_twitter_ads.get_provider_info import get_provider_info

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DAGS = sorted((ROOT / "dags_examples").glob("*.py"))
# The client libraries a DAG file must not pay for when the DAG processor parses it.
HEAVY_MODULES = ("aiohttp", "requests", "requests_oauthlib", "boto3", "botocore")

_CHILD = """
import importlib.util, json, sys
for index, path in enumerate(json.loads(sys.argv[1])):
    spec = importlib.util.spec_from_file_location(f"parsed_dag_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
for name in json.loads(sys.argv[2]):
    __import__(name)
print(json.dumps(sorted(m for m in json.loads(sys.argv[3]) if m in sys.modules)))
"""


def _declared_modules() -> list[str]:
    info = get_provider_info()
    return [
        name
        for kind in ("hooks", "operators", "sensors", "triggers")
        for e in info[kind]
        for name in e["python-modules"]
    ]


def _heavy_modules_loaded(dag_files: list[Path], modules: list[str]) -> list[str]:
    """The heavy modules in ``sys.modules`` of a fresh interpreter after importing these files and modules."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            json.dumps([str(path) for path in dag_files]),
            json.dumps(modules),
            json.dumps(HEAVY_MODULES),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_example_dags_exist() -> None:
    assert {path.stem for path in EXAMPLE_DAGS} >= {
        "twitter_ads_cleanup",
        "twitter_ads_display_images",
        "twitter_ads_preroll_video",
    }


def test_parsing_the_example_dags_loads_no_client_library() -> None:
    assert _heavy_modules_loaded(EXAMPLE_DAGS, []) == []


def test_importing_every_declared_module_loads_no_client_library() -> None:
    modules = _declared_modules()
    assert "airflow_provider_twitter_ads.triggers.processing" in modules
    assert _heavy_modules_loaded([], modules) == []


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("requests_oauthlib", ["requests", "requests_oauthlib"]),
        ("aiohttp", ["aiohttp"]),
        ("boto3", ["boto3", "botocore"]),
    ],
)
def test_the_check_sees_a_client_library_that_is_imported(module: str, expected: list[str]) -> None:
    # The same check, with a library imported on purpose: it must report it.
    assert _heavy_modules_loaded(EXAMPLE_DAGS[:1], [module]) == expected
