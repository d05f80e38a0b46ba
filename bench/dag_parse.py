"""Benchmark: what importing the provider costs a DAG file, over ``import airflow.sdk``.

Every module the provider declares (hooks, operators, sensors, triggers, read from
``get_provider_info``) is imported in ``--runs`` fresh processes, each of which first imports
``airflow.sdk`` and then times only the provider import. The table shows the median and the
heavy client libraries (HTTP, OAuth, AWS) that the import pulled in: at DAG parse there should
be none, since they load on first use.

The children run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` removed), after one untimed
warm-up import, as an installed wheel's compiled modules would be: the figures are import cost,
not compile cost.

Usage: ``python bench/dag_parse.py [--runs 7]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from airflow_provider_twitter_ads.get_provider_info import get_provider_info

# Client libraries a DAG file must not pay for at parse time.
HEAVY_MODULES = ("aiohttp", "requests", "requests_oauthlib", "boto3", "botocore")
_CHILD = """
import json, sys, time
import airflow.sdk  # the baseline every DAG file pays anyway
modules = json.loads(sys.argv[1])
heavy = json.loads(sys.argv[2])
before = set(sys.modules)
start = time.perf_counter()
for name in modules:
    __import__(name)
elapsed = time.perf_counter() - start
loaded = [m for m in heavy if m in sys.modules and m not in before]
print(json.dumps({"ms": elapsed * 1000, "heavy": loaded}))
"""


def declared_modules() -> list[str]:
    """The provider's declared hook, operator, sensor and trigger modules, in declaration order."""
    info = get_provider_info()
    modules: list[str] = []
    for kind in ("hooks", "operators", "sensors", "triggers"):
        for entry in info.get(kind, []):
            modules.extend(name for name in entry["python-modules"] if name not in modules)
    return modules


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure(modules: list[str], runs: int) -> tuple[float, list[str]]:
    """Median import time in ms over ``runs`` fresh processes, and the heavy modules loaded."""
    times: list[float] = []
    heavy: set[str] = set()
    command = [sys.executable, "-c", _CHILD, json.dumps(modules), json.dumps(HEAVY_MODULES)]
    env = _child_env()
    # Untimed: writes the bytecode cache the timed runs then read.
    subprocess.run(command, check=True, capture_output=True, env=env)
    for _ in range(runs):
        out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
        result = json.loads(out.strip().splitlines()[-1])
        times.append(result["ms"])
        heavy.update(result["heavy"])
    return statistics.median(times), sorted(heavy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per row (default 7)")
    args = parser.parse_args()
    modules = declared_modules()
    rows = [(name, *measure([name], args.runs)) for name in modules]
    rows.append(("all declared modules", *measure(modules, args.runs)))
    width = max(len(name) for name, _, _ in rows)
    print(
        f"Import cost over `import airflow.sdk`, median of {args.runs} fresh processes "
        "(bytecode cached, as installed)"
    )
    print(f"{'module':<{width}}  {'ms':>7}  heavy modules loaded")
    print(f"{'-' * width}  {'-' * 7}  {'-' * 20}")
    for name, ms, heavy in rows:
        print(f"{name:<{width}}  {ms:7.1f}  {', '.join(heavy) or '-'}")


if __name__ == "__main__":
    main()
