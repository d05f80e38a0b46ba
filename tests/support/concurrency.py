"""Run the same task body in several threads started at once, as overlapping DAG runs would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def prepare_twin_thread() -> None:
    """Let operators run in a second thread, as twin tasks run in separate worker processes.

    Airflow 2's ``ExecutorSafeguard`` keeps its state in a thread-local made in the main thread only.
    """
    try:
        from airflow.models.baseoperator import ExecutorSafeguard
    except ImportError:  # Airflow 3: no such guard
        return
    sentinel = getattr(ExecutorSafeguard, "_sentinel", None)
    if sentinel is not None and not hasattr(sentinel, "callers"):
        sentinel.callers = {}


def run_together(tasks: int, body: Callable[[], T]) -> list[T]:
    """``body()`` in ``tasks`` threads released together; their results (the first error is raised)."""
    barrier = threading.Barrier(tasks)

    def start() -> T:
        prepare_twin_thread()
        barrier.wait()
        return body()

    with ThreadPoolExecutor(max_workers=tasks) as pool:
        futures = [pool.submit(start) for _ in range(tasks)]
        return [future.result() for future in futures]
