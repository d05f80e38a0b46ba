"""Fixed-window request budgets behind the ``x-rate-limit-*`` and ``x-account-rate-limit-*`` headers."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class Window:
    limit: int
    remaining: int
    reset_at: float


class RateLimiter:
    """One window per key; a request takes one unit, or is refused once the window is spent."""

    def __init__(self, window_seconds: float) -> None:
        self.window_seconds = window_seconds
        self._windows: dict[tuple[str, ...], Window] = {}
        self._lock = threading.Lock()

    def take(self, key: tuple[str, ...], limit: int, now: float | None = None) -> tuple[bool, Window]:
        """Spend one unit of ``key``'s window; False when none was left."""
        now = time.time() if now is None else now
        with self._lock:
            window = self._windows.get(key)
            if window is None or window.limit != limit or now >= window.reset_at:
                window = Window(limit=limit, remaining=limit, reset_at=now + self.window_seconds)
                self._windows[key] = window
            if window.remaining <= 0:
                return False, Window(window.limit, 0, window.reset_at)
            window.remaining -= 1
            return True, Window(window.limit, window.remaining, window.reset_at)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


def window_headers(prefix: str, window: Window) -> dict[str, str]:
    """``{prefix}-limit``, ``-remaining`` and ``-reset`` (epoch seconds, rounded up)."""
    return {
        f"{prefix}-limit": str(window.limit),
        f"{prefix}-remaining": str(window.remaining),
        f"{prefix}-reset": str(math.ceil(window.reset_at)),
    }
