"""Exactly-once creates, idempotent deletes and bounded waits: the provider's idempotency machinery.

An operator that creates an entity first looks for one an earlier try made (``find``), creates it
only when none exists, and after a lost response keeps looking before it creates again. Pure
control flow over callables the caller passes in; nothing here talks HTTP itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How many times the connection's timeout ``create_once`` keeps looking after a lost response.
SETTLE_TIMEOUT_FACTOR = 2.0
#: ``create_once``'s settle period when the caller does not derive one from its connection (twice the
#: connection's default 60 s timeout).
DEFAULT_SETTLE_SECONDS = SETTLE_TIMEOUT_FACTOR * 60.0


def settle_seconds_for(timeout: float) -> float:
    """The settle period for a connection whose requests time out after ``timeout`` seconds.

    A request whose response timed out reached the server at some point while the client waited, so
    it may still be in progress there for about as long again; twice the timeout leaves a margin.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout >= 0:
        raise ValueError(f"timeout must be a non-negative number of seconds, got {timeout!r}")
    return SETTLE_TIMEOUT_FACTOR * float(timeout)


def create_once(
    find: Callable[[], T | None],
    create: Callable[[], T],
    *,
    lost_errors: tuple[type[BaseException], ...],
    attempts: int = 3,
    what: str = "entity",
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[T, bool]:
    """Return what ``find`` sees, else ``create`` it, never twice.

    ``find`` runs first, so a re-run task reuses what an earlier try made. A create that fails
    with one of ``lost_errors`` (its response was lost: it may have been written, or may still be)
    is followed by more ``find`` calls, backing off, for up to ``settle_seconds`` before any new
    ``create``: the server may still be handling the request the client stopped waiting for, and
    commit it after the first look. Returns ``(entity, created)``; ``created`` is True when this
    call wrote it, including when its response was lost but ``find`` then saw it.

    Residual risk: a lost request that the server commits more than ``settle_seconds`` after the
    client gave up is created twice. Use :func:`settle_seconds_for` with the connection's timeout.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    if (
        isinstance(settle_seconds, bool)
        or not isinstance(settle_seconds, (int, float))
        or not settle_seconds >= 0
    ):
        raise ValueError(f"settle_seconds must be a non-negative number, got {settle_seconds!r}")
    existing = find()
    if existing is not None:
        log.info("Reusing the existing %s; nothing created", what)
        return existing, False
    for attempt in range(1, attempts + 1):
        try:
            return create(), True
        except lost_errors as exc:
            log.warning(
                "The response to creating the %s was lost (%s); looking for it for up to %g s before "
                "creating it again",
                what,
                exc,
                settle_seconds,
            )
            found = poll(find, settle_seconds, first_delay=0.2, sleep=sleep, clock=clock)
            if found is not None:
                log.info("The %s was created despite the lost response", what)
                return found, True
            if attempt == attempts:
                raise
            log.warning(
                "No %s appeared within %g s of the lost response; creating it again", what, settle_seconds
            )
    raise AssertionError("unreachable")  # pragma: no cover


def converge(
    mine: T,
    find_all: Callable[[], list[T]],
    pick: Callable[[list[T]], T],
    same: Callable[[T, T], bool],
    delete: Callable[[T], object] | None,
    *,
    what: str = "entity",
) -> T:
    """After this task created ``mine``: the entity every twin settles on.

    ``find_all`` lists every live match (twins running at once may each have created one);
    ``pick`` chooses the same survivor for all of them (oldest ``created_at``, then smallest id).
    When the survivor is not ``mine``, ``mine`` is deleted (``delete``; only what this task made)
    or, for entities the API cannot delete, left with a warning.
    """
    matches = find_all()
    if not any(same(entity, mine) for entity in matches):
        matches.append(mine)
    chosen = pick(matches)
    if same(chosen, mine):
        return mine
    if delete is None:
        log.warning("A twin made the same %s first; keeping it and leaving this task's copy", what)
    else:
        log.warning("A twin made the same %s first; deleting this task's copy", what)
        delete(mine)
    return chosen


def delete_each(
    ids: Iterable[str],
    delete: Callable[[str], object],
    *,
    is_missing: Callable[[Exception], bool] | None = None,
    missing_errors: tuple[type[BaseException], ...] = (),
    what: str = "entity",
) -> list[str]:
    """Delete each id; one whose error says the entity itself is missing (already deleted, or never
    there) is done too.

    ``is_missing(error)`` decides (e.g. the entity's documented not-found code, so a wrong account,
    route or base URL fails instead of passing as "already deleted"); ``missing_errors`` is the
    coarser older form, any error of those classes. Any other error stops the deletes, naming what
    was deleted before it.
    """
    done: list[str] = []
    for entity_id in ids:
        try:
            delete(entity_id)
            log.info("Deleted %s %s", what, entity_id)
        except Exception as exc:
            missing = is_missing(exc) if is_missing is not None else isinstance(exc, missing_errors)
            if not missing:
                if done:
                    log.error("Deleted %s %s before %s %s failed", what, ", ".join(done), what, entity_id)
                raise
            log.info("%s %s is already deleted or does not exist", what.capitalize(), entity_id)
        done.append(entity_id)
    return done


def poll(
    probe: Callable[[], T | None],
    timeout: float,
    *,
    first_delay: float = 0.1,
    factor: float = 2.0,
    max_delay: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T | None:
    """Call ``probe`` until it returns something, backing off, for at most ``timeout`` seconds.

    ``probe`` always runs at least once, and once more at the deadline; None means it never did.
    """
    deadline = clock() + max(timeout, 0.0)
    delay = first_delay
    while True:
        result = probe()
        if result is not None:
            return result
        remaining = deadline - clock()
        if remaining <= 0:
            return None
        sleep(min(delay, remaining))
        delay = min(delay * factor, max_delay)
