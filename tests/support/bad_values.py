"""Bad values shared by the tests of every parameter that takes them, with the error each must raise."""

from __future__ import annotations

from datetime import timedelta

#: ``poll_before_defer`` values refused when the DAG is parsed, with the message (a regex) of each.
BAD_POLL_BEFORE_DEFER = [
    (-1, r"poll_before_defer must be a finite number of seconds, 0 or more, got -1$"),
    (float("nan"), "poll_before_defer must be a finite number of seconds, 0 or more, got nan"),
    (float("inf"), "poll_before_defer must be a finite number of seconds, 0 or more, got inf"),
    (True, r"poll_before_defer must be a number of seconds \(0 or more\), not bool"),
    ("10", r"poll_before_defer must be a number of seconds \(0 or more\), not str"),
    (None, r"poll_before_defer must be a number of seconds \(0 or more\), not NoneType"),
    (
        timedelta(seconds=10),
        r"poll_before_defer must be a number of seconds \(0 or more\), not timedelta",
    ),
]
