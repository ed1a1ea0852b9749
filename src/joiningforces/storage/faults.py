"""Transient database faults: try a store call again a few times, then say so plainly.

`retrying` wraps every public `Store`, `ReviewStore` and `board.Reviews` method that touches the
database (the few others only call such methods). On a transient fault it waits a moment (`Store.retry_delays`, with
jitter) and runs the whole method again; after the last try it raises `StoreUnavailable`, chained
from the fault. A connection pool that stayed exhausted is StoreUnavailable at once. Anything else
(NotFound, ValueError, IntegrityError, a bug) passes through untouched and at once.

Why running a whole method again is safe: each method is one transaction (`Database.write` or
`read`), with at most calls to other retrying methods around it (create_assessment and the like
read back what they wrote through get_assessment). A transaction that failed was rolled back,
so running it again cannot do anything twice; an inner retrying call that gives up raises
StoreUnavailable, which the outer one does not retry, so a step that committed is never repeated.
(`Reviews.add_action` adds the action to the notebook, then links it to the review; if the link
fails, it deletes the action again before the fault goes on, so a retry starts clean.)
The one fault after which it is unknown whether a transaction committed is a server connection lost
during COMMIT itself: `Database.write` marks that fault and it is reported at once
(`StoreUnavailable.outcome_unknown`), never retried, so nothing is ever created twice.
"""

from __future__ import annotations

import functools
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .errors import StoreUnavailable

log = logging.getLogger("joiningforces.storage")

RETRY_DELAYS = (0.2, 1.0)  # seconds before the 2nd and 3rd tries
COMMIT_UNKNOWN = "jf_commit_outcome_unknown"  # set (True) on a fault raised by COMMIT on a server database

# SQLite raises OperationalError for faults that pass and for mistakes that do not ("no such table",
# syntax errors): only these are worth another try.
SQLITE_TRANSIENT = ("database is locked", "database table is locked", "disk i/o error", "database or disk is full",
                    "unable to open database file")

T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """A fault that may well be gone in a moment: a lost or refused connection, a lock, a full disk."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if isinstance(exc.orig, sqlite3.Error):
        return any(sign in str(exc.orig).lower() for sign in SQLITE_TRANSIENT)
    # Server databases: refused or lost connections, shutdowns, deadlocks and serialisation failures
    # (each rolls the transaction back). A wrong password or database name is retried too, harmlessly.
    return True


def with_retries(run: Callable[[], T], delays: Sequence[float], what: str = "database call") -> T:
    """`run()`, tried again after each of `delays` (seconds) while it fails with a transient fault."""
    for attempt, pause in enumerate((*delays, None), start=1):
        try:
            return run()
        except PoolTimeout as exc:  # every pooled connection stayed busy for the pool's whole timeout
            raise StoreUnavailable() from exc
        except DBAPIError as exc:
            if not is_transient(exc):
                raise
            if getattr(exc, COMMIT_UNKNOWN, False):
                raise StoreUnavailable(StoreUnavailable.LOST_WHILE_SAVING, outcome_unknown=True) from exc
            if pause is None:
                log.warning("%s: gave up after %d tries: %s", what, attempt, _first_line(exc))
                raise StoreUnavailable() from exc
            log.warning("%s: %s; trying again (try %d of %d)", what, _first_line(exc), attempt + 1, len(delays) + 1)
        time.sleep(pause * random.uniform(0.5, 1.0))
    raise AssertionError("unreachable")  # pragma: no cover


def retrying(method: Callable[..., T]) -> Callable[..., T]:
    """Decorate a `Store` or `ReviewStore` method (see the module docstring): retried on transient faults."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        store = getattr(self, "store", self)  # a ReviewStore keeps its Store in .store
        return with_retries(lambda: method(self, *args, **kwargs), store.retry_delays, method.__qualname__)

    return call


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig or exc).strip()
    return text.splitlines()[0] if text else type(exc.orig or exc).__name__


__all__ = ["COMMIT_UNKNOWN", "RETRY_DELAYS", "is_transient", "retrying", "with_retries"]
