"""Build the sdist and the wheel, check them as PyPI would, and smoke-test the wheel alone.

1. ``python -m build`` writes an sdist and a wheel (built from the sdist) to ``dist/``.
2. ``twine check --strict`` checks their metadata and README rendering.
3. Both carry the version of ``airflow_provider_twitter_ads.__version__``, the single source.
4. The wheel goes into a fresh virtualenv in a temporary folder with Airflow and only its declared
   dependencies (versions from ``requirements-lock.txt``), and there, away from this checkout:
   ``airflow providers list`` shows the provider, ``airflow providers hooks`` and Airflow's
   ``ProvidersManager`` resolve the ``twitter_ads`` connection type to its hook, and every example
   DAG parses without import errors.

Usage: ``python scripts/check_release.py`` from the repository root (``make release-check``).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
LOCK = ROOT / "requirements-lock.txt"
DAGS = ROOT / "dags_examples"
PACKAGE = "airflow-provider-twitter-ads"
CONNECTION_TYPE = "twitter_ads"
HOOK_CLASS = "airflow_provider_twitter_ads.hooks.ads_api.AdsApiHook"

# Runs inside the fresh virtualenv, from a folder outside the checkout.
SMOKE_PY = """
import json, os, sys
from pathlib import Path

import airflow_provider_twitter_ads
from airflow.providers_manager import ProvidersManager

installed = Path(airflow_provider_twitter_ads.__file__).resolve()
assert Path(sys.prefix).resolve() in installed.parents, f"provider imported from {installed}, not the venv"

hook = ProvidersManager().hooks.get(os.environ["CONNECTION_TYPE"])
assert hook is not None, "connection type not registered"
assert hook.hook_class_name == os.environ["HOOK_CLASS"], hook.hook_class_name
assert hook.connection_type == os.environ["CONNECTION_TYPE"], hook.connection_type

try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 2
    from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=os.environ["DAGS"])
assert not bag.import_errors, bag.import_errors
print(json.dumps({"module": str(installed), "hook": hook.hook_class_name, "dags": sorted(bag.dag_ids)}))
"""


def package_version() -> str:
    """``__version__`` from the package's ``__init__.py``, read without importing it."""
    tree = ast.parse((ROOT / "airflow_provider_twitter_ads" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise SystemExit("no __version__ in airflow_provider_twitter_ads/__init__.py")


def run(*command: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a command, echoing it; stop with its output when it fails."""
    shown = (str(part) if "\n" not in str(part) else "<script>" for part in command)
    print("$", " ".join(shown), flush=True)
    result = subprocess.run([str(part) for part in command], text=True, capture_output=True, **kwargs)
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        raise SystemExit(f"failed ({result.returncode}): {command[0]}")
    return result


def step(name: str, started: float) -> float:
    now = time.monotonic()
    print(f"ok  {name} ({now - started:.0f} s)", flush=True)
    return now


def main() -> int:
    started = time.monotonic()
    version = package_version()
    shutil.rmtree(DIST, ignore_errors=True)
    run(sys.executable, "-m", "build", "--outdir", DIST, ROOT)
    wheels = sorted(DIST.glob("*.whl"))
    sdists = sorted(DIST.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, f"expected one wheel and one sdist, got {wheels + sdists}"
    wheel, sdist = wheels[0], sdists[0]
    normalized = PACKAGE.replace("-", "_")
    assert wheel.name.startswith(f"{normalized}-{version}-"), f"{wheel.name} is not version {version}"
    assert sdist.name == f"{normalized}-{version}.tar.gz", f"{sdist.name} is not version {version}"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"{normalized}-{version}.dist-info/METADATA").decode()
    assert f"Version: {version}\n" in metadata, "wheel METADATA has another version"
    assert "airflow_provider_twitter_ads/py.typed" in names, "py.typed missing from the wheel"
    assert not [name for name in names if name.startswith(("tests/", "dags_examples/", "docs/"))], names
    clock = step(f"build: {sdist.name}, {wheel.name}", started)

    run(sys.executable, "-m", "twine", "check", "--strict", *DIST.iterdir())
    clock = step("twine check --strict", clock)

    with tempfile.TemporaryDirectory(prefix="release-check-") as temp:
        temp_dir = Path(temp)
        env_dir = temp_dir / "venv"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = env_dir / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel, "-c", LOCK)
        clock = step("fresh venv: the wheel and its declared dependencies, pinned by the lock", clock)

        dags = temp_dir / "dags"
        shutil.copytree(DAGS, dags, ignore=shutil.ignore_patterns("__pycache__"))
        home = temp_dir / "airflow-home"
        home.mkdir()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AIRFLOW", "PYTHON", "VIRTUAL_ENV"))
        }
        env.update(
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__DAGS_FOLDER=str(dags),
            DAGS=str(dags),
            CONNECTION_TYPE=CONNECTION_TYPE,
            HOOK_CLASS=HOOK_CLASS,
        )
        airflow = env_dir / "bin" / "airflow"
        providers = json.loads(run(airflow, "providers", "list", "-o", "json", cwd=temp_dir, env=env).stdout)
        ours = [p for p in providers if p.get("package_name") == PACKAGE]
        assert ours, f"{PACKAGE} missing from `airflow providers list`"
        assert ours[0].get("version") == version, f"airflow providers list shows {ours[0]}"
        hooks = json.loads(run(airflow, "providers", "hooks", "-o", "json", cwd=temp_dir, env=env).stdout)
        ours_hooks = [h for h in hooks if h.get("connection_type") == CONNECTION_TYPE]
        assert ours_hooks and ours_hooks[0].get("class") == HOOK_CLASS, (
            f"`airflow providers hooks` shows {ours_hooks}"
        )
        smoke = json.loads(run(python, "-c", SMOKE_PY, cwd=temp_dir, env=env).stdout.strip().splitlines()[-1])
        expected_dags = {path.stem for path in DAGS.glob("*.py") if not path.name.startswith("_")}
        assert expected_dags <= set(smoke["dags"]), (
            f"example DAGs missing: {expected_dags - set(smoke['dags'])}"
        )
        step(
            f"smoke test: provider {version} listed, {CONNECTION_TYPE} -> {smoke['hook']}, "
            f"DAGs {', '.join(smoke['dags'])} parse",
            clock,
        )
    print(f"release check passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
