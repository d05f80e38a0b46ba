"""Run the same task body in several threads started at once, as overlapping DAG runs would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def run_together(tasks: int, body: Callable[[], T]) -> list[T]:
    """``body()`` in ``tasks`` threads released together; their results (the first error is raised)."""
    barrier = threading.Barrier(tasks)

    def start() -> T:
        barrier.wait()
        return body()

    with ThreadPoolExecutor(max_workers=tasks) as pool:
        futures = [pool.submit(start) for _ in range(tasks)]
        return [future.result() for future in futures]
