"""Exactly-once creates, idempotent deletes and bounded waits: the provider's idempotency machinery.

An operator that creates an entity first looks for one an earlier try made (``find``), creates it
only when none exists, and after a lost response keeps looking before it creates again. Pure
control flow over callables the caller passes in; nothing here talks HTTP itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

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


#: Seconds a task that created an entity waits before the list that settles which of several
#: concurrent creates survives: ``created_at`` has one-second resolution, so a concurrent create
#: committed in the same second can become visible up to a second after this task's own.
CONVERGE_SECONDS = 1.5


def created_at_then_id(entity: Any) -> tuple[str, str]:
    """The survivor order of concurrent creates: oldest ``created_at`` (ISO 8601 UTC, which sorts
    as text), then the smallest ``id``."""
    return (str(entity.get("created_at") or ""), str(entity.get("id") or ""))


def _id(entity: Any) -> str:
    return str(entity.get("id"))


def create_once(
    find: Callable[[], T | None],
    create: Callable[[], T],
    *,
    lost_errors: tuple[type[BaseException], ...],
    attempts: int = 3,
    what: str = "entity",
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    find_all: Callable[[], Iterable[T]] | None = None,
    delete_own: Callable[[T], object] | None = None,
    order: Callable[[T], Any] = created_at_then_id,
    identity: Callable[[T], str] = _id,
    converge_seconds: float = CONVERGE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[T, bool]:
    """Return what ``find`` sees, else ``create`` it, never twice.

    ``find`` runs first, so a re-run task reuses what an earlier try made. A create that fails
    with one of ``lost_errors`` (its response was lost: it may have been written, or may still be)
    is followed by more ``find`` calls, backing off, for up to ``settle_seconds`` before any new
    ``create``: the server may still be handling the request the client stopped waiting for, and
    commit it after the first look. Returns ``(entity, created)``; ``created`` is True when this
    call wrote it and it survived, including when its response was lost but ``find`` then saw it.

    Concurrency (``find_all`` and ``delete_own`` given): tasks that look at the same moment all
    create. ``find_all`` lists every live entity matching the request; after a create this task
    waits ``converge_seconds``, lists them, and every task keeps the same survivor, the first by
    ``order`` (oldest ``created_at``, then smallest id). A task whose own entity is not the
    survivor deletes it (``delete_own``; only what it created itself) and returns the survivor.
    Without a create, the survivor of what ``find_all`` lists is returned.

    Residual risk: a lost request that the server commits more than ``settle_seconds`` after the
    client gave up is created twice; a concurrent create that becomes visible more than
    ``converge_seconds`` after this task's own is not seen by it (see the exactly-once docs).
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    for name, value in (("settle_seconds", settle_seconds), ("converge_seconds", converge_seconds)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    if (find_all is None) != (delete_own is None):
        raise ValueError("find_all and delete_own go together: give both or neither")

    def look() -> T | None:
        if find_all is None:
            return find()
        return min(find_all(), key=order, default=None)

    existing = look()
    if existing is not None:
        log.info("Reusing the existing %s %s; nothing created", what, _shown(identity, existing))
        return existing, False
    for attempt in range(1, attempts + 1):
        try:
            own = create()
        except lost_errors as exc:
            log.warning(
                "The response to creating the %s was lost (%s); looking for it for up to %g s before "
                "creating it again",
                what,
                exc,
                settle_seconds,
            )
            found = poll(look, settle_seconds, first_delay=0.2, sleep=sleep, clock=clock)
            if found is not None:
                log.info("The %s was created despite the lost response", what)
                # Whose it is cannot be told: converge without deleting it.
                return _converge(None, found, look, what, identity, converge_seconds, sleep, delete_own)
            if attempt == attempts:
                raise
            log.warning(
                "No %s appeared within %g s of the lost response; creating it again", what, settle_seconds
            )
            continue
        if find_all is None:
            return own, True
        return _converge(own, own, look, what, identity, converge_seconds, sleep, delete_own)
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


def _converge(
    own: T | None,
    candidate: T,
    look: Callable[[], T | None],
    what: str,
    identity: Callable[[T], str],
    converge_seconds: float,
    sleep: Callable[[float], None],
    delete_own: Callable[[T], object] | None,
) -> tuple[T, bool]:
    if delete_own is None:
        return candidate, True
    survivor = settle_concurrent(
        look,
        [] if own is None else [own],
        delete_own,
        what=what,
        identity=identity,
        converge_seconds=converge_seconds,
        sleep=sleep,
    )
    if survivor is None:
        # Nothing listed (a listing that lags its writes): keep what this task has.
        return candidate, True
    return survivor, identity(survivor) == identity(candidate)


def settle_concurrent(
    survivor: Callable[[], T | None],
    own: Iterable[T] | Callable[[], Iterable[T]],
    delete_own: Callable[[T], object],
    *,
    what: str = "entity",
    identity: Callable[[T], str] = _id,
    converge_seconds: float = CONVERGE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> T | None:
    """Settle concurrent creates: wait ``converge_seconds``, read the ``survivor`` (the first by
    :func:`created_at_then_id` of every live match), and delete each of ``own`` (what this task
    created, or a callable listing it, called after the survivor is read) that is not it. Every
    task converging on the same matches keeps the same survivor.
    """
    sleep(converge_seconds)
    kept = survivor()
    if kept is None:
        return None
    for entity in own() if callable(own) else own:
        if identity(entity) == identity(kept):
            continue
        log.warning(
            "Another task created %s %s at the same time; keeping it (the oldest) and deleting %s, "
            "which this task created",
            what,
            _shown(identity, kept),
            _shown(identity, entity),
        )
        delete_own(entity)
    return kept


def _shown(identity: Callable[[T], str], entity: T) -> str:
    try:
        return identity(entity)
    except Exception:  # an entity without the usual id: the log line must not fail
        return "?"


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
