"""The fair gate in front of the connection pool: first come, first served, and a plain timeout."""

import threading
import time

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from joiningforces.storage.gate import FairGate
from joiningforces.storage.store import PoolSettings, StoreError


def test_a_freed_permit_goes_to_the_longest_waiter_not_to_a_newcomer():
    gate = FairGate(permits=1, timeout=10)
    order = []

    def waiter(name: str, queued: threading.Event):
        queued.set()
        with gate.admit():
            order.append(name)

    with gate.admit():
        for name in ("first", "second", "third"):
            queued = threading.Event()
            threading.Thread(target=waiter, args=(name, queued), daemon=True).start()
            queued.wait()
            while len(gate._waiting) < ("first", "second", "third").index(name) + 1:
                time.sleep(0.001)
    # a newcomer asking right after the release waits behind all three
    with gate.admit():
        order.append("newcomer")
    deadline = time.monotonic() + 10
    while len(order) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert order == ["first", "second", "third", "newcomer"]


def test_a_thread_inside_passes_again_and_a_full_gate_times_out_plainly():
    gate = FairGate(permits=1, timeout=0.2)
    with gate.admit(), gate.admit():  # nested: the same thread is not blocked by itself
        failed = []

        def other():
            try:
                with gate.admit():
                    pass
            except PoolTimeout:
                failed.append(True)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(5)
        assert failed == [True] and not gate._waiting
    with gate.admit():  # the permit came back after the nested exit
        pass


def test_pool_settings_from_the_environment(monkeypatch):
    assert PoolSettings.from_env() == PoolSettings(20, 10, 60.0)
    monkeypatch.setenv("JOININGFORCES_POOL_SIZE", "40")
    monkeypatch.setenv("JOININGFORCES_POOL_TIMEOUT", "15")
    assert PoolSettings.from_env() == PoolSettings(40, 10, 15.0)
    assert PoolSettings.from_env().connections == 50
    monkeypatch.setenv("JOININGFORCES_POOL_OVERFLOW", "lots")
    with pytest.raises(StoreError, match="JOININGFORCES_POOL_OVERFLOW must be a number"):
        PoolSettings.from_env()
