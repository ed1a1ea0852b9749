"""A fair gate in front of the connection pool: callers get a connection in the order they asked.

SQLAlchemy's pool hands a returned connection to whichever thread asks next, so under load a
thread that has just given one back (a participant clicking again) takes it again ahead of the
threads already waiting, and a few of those wait until the pool's timeout: 35 of 100 participants
never joined in the stress run of 2026-12-01 (benchmarks/README.md). The gate keeps a queue: a
permit given back goes to the longest waiter, never to a newcomer. It admits at most `permits`
transactions at once, fewer than the pool holds, so a transaction that opens another inside it
(none of the store's do; a few readers outside it may) still finds a connection.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from contextlib import contextmanager

from sqlalchemy.exc import TimeoutError as PoolTimeout


class FairGate:
    def __init__(self, permits: int, timeout: float):
        self.permits = permits
        self.timeout = timeout
        self._free = permits
        self._waiting: deque[threading.Event] = deque()
        self._lock = threading.Lock()
        self._held = threading.local()  # a thread already inside passes again (nested transactions)
        self.longest_wait = 0.0  # seconds, for benchmarks

    @contextmanager
    def admit(self):
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        self._acquire()
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            self._release()

    def _acquire(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        started = time.monotonic()
        handed = turn.wait(self.timeout)
        with self._lock:
            self.longest_wait = max(self.longest_wait, time.monotonic() - started)
            if not handed and not turn.is_set():
                self._waiting.remove(turn)
                raise PoolTimeout(f"no database connection was free for {self.timeout:g} s")

    def _release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()  # the permit passes straight to the longest waiter
            else:
                self._free += 1
