"""Exactly-once creates, idempotent deletes and bounded waits: the provider's idempotency machinery.

An operator that creates an entity first looks for one an earlier try made (``find``), creates it
only when none exists, and after a lost response keeps looking before it creates again. With a task
state store (Airflow 3.3), it also remembers the id of what it created (:class:`RememberedCreate`),
so a retry after the worker died checks that one entity with one GET instead of looking. Pure
control flow over callables the caller passes in; nothing here talks HTTP itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from airflow_provider_twitter_ads.utils.task_state import TaskState

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


@dataclass(frozen=True)
class RememberedCreate(Generic[T]):
    """The id of what a task instance created, kept in its task state store across tries.

    ``key`` names what it is for (``created.media_creative.<line_item_id>``), so a task that makes
    several keeps each. ``get`` is the one GET a retry makes: the entity with that id when it is
    live and still what is asked for (same line item, account media...), else None (gone, deleted,
    or another one). The value stored is ``{"id", "settled"}``: ``settled`` is False from the
    create's response until the concurrency converge step is done, so a retry of a try that died in
    between converges before it trusts the id. Without a store, nothing is remembered.
    """

    state: TaskState
    key: str
    get: Callable[[str], T | None]
    what: str = "entity"
    identity: Callable[[T], str] = _id
    #: The caller converges after ``create_once`` (:func:`converge`, given this object): an entity
    #: it creates is settled only then.
    converged_later: bool = False

    def recall(self) -> tuple[T, bool] | None:
        """What an earlier try remembered and the GET still finds: ``(entity, settled)``, else None."""
        value = self.state.get(self.key)
        if value is None:
            return None
        entity_id = value.get("id") if isinstance(value, Mapping) else None
        if not isinstance(entity_id, str) or not entity_id:
            log.warning("Ignoring the unreadable remembered %s %r", self.what, value)
            return None
        entity = self.get(entity_id)
        if entity is None:
            # Gone, deleted (also by losing a converge), or no longer what is asked for: never reused.
            log.info(
                "The %s %s an earlier try remembered is gone or no longer matches; looking before creating",
                self.what,
                entity_id,
            )
            self.state.delete(self.key)
            return None
        return entity, value.get("settled") is True

    def remember(self, entity: T, *, settled: bool) -> None:
        """Keep ``entity``'s id for the retries of this task instance."""
        entity_id = _shown(self.identity, entity)
        if entity_id != "?":
            self.state.set(self.key, {"id": entity_id, "settled": settled})


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
    remembered: RememberedCreate[T] | None = None,
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

    ``remembered`` (a task state store): an id an earlier try of this task instance remembered is
    checked first with its one GET and, when live and matching, returned without ``find`` or
    ``create`` (``created`` False; True, after converging, when that try died before its converge
    step). Otherwise the above runs, and the id is remembered right after the create's response.

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

    # Whether the caller still converges what this call creates (then it is kept unsettled).
    caller_converges = remembered is not None and remembered.converged_later

    def keep(entity: T, *, settled: bool) -> None:
        if remembered is not None:
            remembered.remember(entity, settled=settled)

    def converged(result: tuple[T, bool]) -> tuple[T, bool]:
        keep(result[0], settled=not (result[1] and caller_converges))
        return result

    def settle(own: T | None, candidate: T) -> tuple[T, bool]:
        # ``candidate`` is what this call has; ``own`` the same when this call surely made it.
        if find_all is None or delete_own is None:
            return candidate, True
        kept = converge(
            [] if own is None else [own],
            find_all,
            delete_own,
            pick=lambda entities: min(entities, key=order, default=None),
            identity=identity,
            what=what,
            converge_seconds=converge_seconds,
            sleep=sleep,
        )
        if kept is None:
            # Nothing listed (a listing that lags its writes): keep what this task has.
            return candidate, True
        return kept, identity(kept) == identity(candidate)

    recalled = remembered.recall() if remembered is not None else None
    if recalled is not None:
        entity, settled = recalled
        shown = _shown(remembered.identity, entity)  # type: ignore[union-attr]
        log.info("Reusing the %s %s an earlier try of this task created", what, shown)
        if settled:
            return entity, False
        if find_all is None:
            return converged((entity, True))
        return converged(settle(entity, entity))
    existing = look()
    if existing is not None:
        log.info("Reusing the existing %s %s; nothing created", what, _shown(identity, existing))
        keep(existing, settled=True)
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
                return converged(settle(None, found))
            if attempt == attempts:
                raise
            log.warning(
                "No %s appeared within %g s of the lost response; creating it again", what, settle_seconds
            )
            continue
        # Right after the response: a worker that dies from here on leaves its retry this id.
        keep(own, settled=find_all is None and not caller_converges)
        if find_all is None:
            return own, True
        return converged(settle(own, own))
    raise AssertionError("unreachable")  # pragma: no cover


def converge(
    mine: Iterable[T] | Callable[[], Iterable[T]],
    find_all: Callable[[], Iterable[T]],
    delete: Callable[[T], object] | None,
    *,
    pick: Callable[[list[T]], T | None] | None = None,
    identity: Callable[[T], str] = _id,
    what: str = "entity",
    converge_seconds: float = CONVERGE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    remembered: RememberedCreate[T] | None = None,
) -> T | None:
    """Settle concurrent creates of one entity: the survivor every twin keeps, None if none is seen.

    Waits ``converge_seconds``, then lists every live match (``find_all``); ``mine`` (what this task
    created, or a callable listing it, called after the list) counts too when not listed yet.
    ``pick`` chooses the same survivor for every twin (default: the first by
    :func:`created_at_then_id`). Each of ``mine`` that is not the survivor is deleted (``delete``;
    only what this task made) or, for entities the API cannot delete (None), left with a warning.
    ``remembered`` then keeps the survivor, settled. A survivor of ``mine`` is returned as given.
    """
    sleep(converge_seconds)
    matches = list(find_all())
    own = list(mine() if callable(mine) else mine)
    listed = {identity(entity) for entity in matches}
    matches += [entity for entity in own if identity(entity) not in listed]
    chosen = pick(matches) if pick is not None else min(matches, key=created_at_then_id, default=None)
    if chosen is None:
        return None
    kept = _shown(identity, chosen)
    for entity in own:
        if identity(entity) == identity(chosen):
            chosen = entity
            continue
        log.warning(
            "Another task created %s %s at the same time; keeping it (the oldest) and %s %s, which this "
            "task created%s",
            what,
            kept,
            "deleting" if delete is not None else "leaving",
            _shown(identity, entity),
            "" if delete is not None else " (the API cannot delete it)",
        )
        if delete is not None:
            delete(entity)
    if remembered is not None:
        remembered.remember(chosen, settled=True)
    return chosen


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
