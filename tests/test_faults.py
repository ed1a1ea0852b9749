"""Faults, against real SQLite files and a real PostgreSQL server: a locked or full database, a
server that is unreachable, goes away briefly or drops connections, a process killed with SIGKILL
in the middle of a board review; and in the app (AppTest): answers kept on screen through a locked
database and saved afterwards, and downloads that say why they could not be made.

PostgreSQL tests use $JOININGFORCES_TEST_PG_URL like test_storage.py (skipped, with a reason, when
it is unset). Stores here retry quickly (`FAST`) so that each test takes a second or two.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from ui.links import key_for
from joiningforces.access import LOCAL_OWNER, digest
from joiningforces.library import load_library
from joiningforces.board import Reviews
from joiningforces.storage import NotFound, Store, StoreError, StoreUnavailable, default_url
from joiningforces.storage import schema as tables
from joiningforces.storage.faults import is_transient
from joiningforces.storage.store import BUSY_TIMEOUT_ENV

from tests.apptest import new_app
from tests.helpers import (NO_PG, PG_URL, QUICK, ROOT, SMALL, Databases, big_rubric, count, everything,
                           kill_midway, needs_pg)
FAST = {"busy_timeout": 0.05, "retry_delays": (0.1, 0.2)}  # a lock held 0.5 s outlasts every try


@pytest.fixture
def sqlite_dbs(tmp_path):
    databases = Databases("sqlite", tmp_path)
    yield databases
    databases.cleanup()


@pytest.fixture
def pg_dbs(tmp_path):
    if not PG_URL:
        pytest.skip(NO_PG)
    databases = Databases("postgresql", tmp_path)
    yield databases
    databases.cleanup()


def new_assessment(store: Store, partnership: str = "Riverside Trust"):
    return store.create_assessment(rubric_hash=store.snapshot_rubric(SMALL), partnership=partnership)


def retries(caplog) -> list[str]:
    """The store's log lines saying it is trying a call again."""
    return [r.getMessage() for r in caplog.records
            if r.name == "joiningforces.storage" and "trying again" in r.getMessage()]


class SqliteLock:
    """Another process's write lock on an SQLite file (BEGIN EXCLUSIVE on its own connection)."""

    def __init__(self, url: str):
        self.conn = sqlite3.connect(make_url(url).database, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


# --- the database locked ----------------------------------------------------------------------


def test_a_write_waits_for_a_lock_released_midway_and_succeeds(sqlite_dbs, caplog):
    url = sqlite_dbs.new()
    store = Store(url, busy_timeout=0.05, retry_delays=(0.3, 0.6, 1.2))
    a = new_assessment(store)
    lock = SqliteLock(url)
    threading.Timer(0.4, lock.release).start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="joiningforces.storage"):
        store.set_answers(a.id, {"trust-1": 4, "trust-2": None})
    assert time.monotonic() - started >= 0.35  # it really waited for the lock to go
    assert retries(caplog)  # ...by trying again, not only by SQLite's own short busy wait
    assert store.get_assessment(a.id).answers == {"trust-1": 4, "trust-2": None}
    assert count(store, tables.answers) == 2
    store.close()


def test_a_lock_held_throughout_says_so_plainly_and_writes_nothing(sqlite_dbs):
    url = sqlite_dbs.new()
    store = Store(url, **FAST)
    reviews = Reviews(store)
    a = new_assessment(store)
    review = reviews.create_review(title="Board review", partnership="Riverside Trust", rubric_hash=a.rubric_hash)
    me = reviews.join(review.participant_token, role="funder")
    store.set_answer(a.id, "trust-1", 2)
    before = everything(store)
    lock = SqliteLock(url)
    try:
        for write in (lambda: store.set_answers(a.id, {"trust-1": 5, "trust-2": 3}),
                      lambda: store.create_assessment(rubric_hash=a.rubric_hash, partnership="Someone New"),
                      lambda: store.set_note(a.id, "trust", "Minutes of 3 May"),
                      lambda: reviews.set_answers(me.token, {"trust-1": 1}),
                      lambda: reviews.join(review.participant_token, role="funder")):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable) as raised:
                write()
            assert time.monotonic() - started < 3  # three short tries, then the message: no long hang
            assert str(raised.value) == raised.value.message == StoreUnavailable.BUSY
            assert "busy or unreachable" in raised.value.message and "try again" in raised.value.message
            assert isinstance(raised.value.__cause__, OperationalError)
            assert "database is locked" in str(raised.value.__cause__)
            assert not raised.value.outcome_unknown
        assert store.get_assessment(a.id).answers == {"trust-1": 2}  # reading still works under the lock
    finally:
        lock.release()
    assert everything(store) == before  # nothing partial: not one row of the five writes
    store.set_answers(a.id, {"trust-1": 5, "trust-2": 3})  # the lock gone, the same write works
    assert store.get_assessment(a.id).answers == {"trust-1": 5, "trust-2": 3}
    store.close()


def test_a_full_disk_is_reported_plainly_and_nothing_partial_is_written(sqlite_dbs):
    url = sqlite_dbs.new()
    store = Store(url, **FAST)
    a = store.create_assessment(rubric_hash=store.snapshot_rubric(big_rubric(150)), partnership="Full disk")
    before = everything(store)
    pages = sqlite3.connect(make_url(url).database).execute("PRAGMA page_count").fetchone()[0]

    def no_room(dbapi_connection, _record):  # the file may not grow: SQLITE_FULL, as on a full disk
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()
    event.listen(store.engine, "connect", no_room)
    answers = {f"s-{p}-{j}": j % 5 + 1 for p in range(2) for j in range(150)}
    with pytest.raises(StoreUnavailable) as raised:
        store.set_answers(a.id, answers)
    assert "database or disk is full" in str(raised.value.__cause__)
    assert raised.value.message == StoreUnavailable.BUSY
    assert everything(store) == before
    event.remove(store.engine, "connect", no_room)
    store.engine.dispose()  # room again: the same write goes through
    store.set_answers(a.id, answers)
    assert store.get_assessment(a.id).answers == answers
    store.close()


def test_mistakes_are_not_retried_only_passing_faults(sqlite_dbs, caplog):
    store = Store(sqlite_dbs.new(), busy_timeout=0.05, retry_delays=(5, 5))  # a retry would take 5 s
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="joiningforces.storage"):
        with pytest.raises(NotFound):
            store.get_assessment("x" * 32)
        with pytest.raises(ValueError):
            store.create_assessment(rubric_hash="0" * 64, partnership="Nobody")
    assert time.monotonic() - started < 2 and not retries(caplog)

    def sqlite_error(message: str) -> OperationalError:
        return OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))

    assert is_transient(sqlite_error("database is locked"))
    assert is_transient(sqlite_error("database or disk is full"))
    assert is_transient(sqlite_error("disk I/O error"))
    assert not is_transient(sqlite_error("no such table: answers"))
    assert not is_transient(sqlite_error('near "SELEC": syntax error'))
    assert not is_transient(ValueError("database is locked"))
    store.close()


def test_every_public_method_retries_or_only_calls_ones_that_do():
    delegating = {"Store.close", "Store.set_answer", "Reviews.set_answer", "Reviews.csv",
                  "Reviews.rotate_participant_token", "Reviews.rotate_facilitator_token",
                  "Reviews.rotate_presentation_token"}
    for cls in (Store, Reviews):
        for name, member in vars(cls).items():
            if callable(member) and not name.startswith("_") and f"{cls.__name__}.{name}" not in delegating:
                assert hasattr(member, "__wrapped__"), f"{cls.__name__}.{name} is not @retrying"


def test_the_sqlite_busy_timeout_is_configurable(sqlite_dbs, monkeypatch):
    def pragma(store: Store) -> int:
        with store.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA busy_timeout").scalar()

    with Store(sqlite_dbs.new()) as store:
        assert pragma(store) == 20_000 and store.busy_timeout == 20
    with Store(sqlite_dbs.new(), busy_timeout=0.25) as store:
        assert pragma(store) == 250
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "1.5")
    with Store(sqlite_dbs.new()) as store:
        assert pragma(store) == 1500
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "soon")
    with pytest.raises(StoreError, match=BUSY_TIMEOUT_ENV):
        Store(sqlite_dbs.new())


# --- PostgreSQL unreachable, gone for a moment, or dropping connections ---------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


@needs_pg
def test_an_unreachable_server_is_store_unavailable_not_a_traceback():
    url = make_url(PG_URL).set(host="127.0.0.1", port=closed_port())
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as raised:
        Store(url, **FAST)
    assert time.monotonic() - started < 3
    assert raised.value.message == StoreUnavailable.BUSY
    assert isinstance(raised.value.__cause__, OperationalError)  # the detail, for the log


class Outage:
    """A TCP relay in front of PostgreSQL that can be cut (every connection dropped, new ones
    refused: the server is gone) and restored on the same port."""

    def __init__(self, host: str, port: int):
        self.target, self.port = (host, port), closed_port()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listening = False
        self.up()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.02)
        self.listening = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        self.listening = False
        time.sleep(0.05)  # the accept loop notices and closes the listener
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self.listening:
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                server = socket.create_connection(self.target)
                with self.lock:
                    self.sockets += [client, server]
                for a, b in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@needs_pg
def test_a_brief_outage_is_ridden_out_and_a_longer_one_reported_then_recovered(pg_dbs, caplog):
    real = make_url(pg_dbs.new())
    outage = Outage(real.host or "127.0.0.1", real.port or 5432)
    store = Store(real.set(host="127.0.0.1", port=outage.port), retry_delays=(0.3, 0.6, 1.2))
    try:
        a = new_assessment(store)
        store.set_answer(a.id, "trust-1", 1)

        outage.down()  # the server goes away for 0.4 s, pooled connections with it
        threading.Timer(0.4, outage.up).start()
        with caplog.at_level(logging.WARNING, logger="joiningforces.storage"):
            store.set_answer(a.id, "trust-2", 2)
        assert retries(caplog)

        outage.down()  # and now for longer than every try
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as raised:
            store.set_answer(a.id, "purpose-1", 3)
        assert 0.9 < time.monotonic() - started < 5 and raised.value.message == StoreUnavailable.BUSY
        outage.up()
        store.set_answer(a.id, "purpose-1", 3)  # back: the same answer saves, once
        assert store.get_assessment(a.id).answers == {"trust-1": 1, "trust-2": 2, "purpose-1": 3}
        assert count(store, tables.answers) == 3
    finally:
        store.close()
        outage.down()


def terminate(application_name: str) -> int:
    with Databases.admin().connect() as conn:
        return len(conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE application_name = :name"), {"name": application_name}).all())


@needs_pg
def test_connections_killed_under_the_pool_are_replaced(pg_dbs):
    name = f"jf-faults-{secrets.token_hex(4)}"
    store = Store(make_url(pg_dbs.new()).update_query_dict({"application_name": name}), **FAST)
    a = new_assessment(store)
    threads = [threading.Thread(target=store.set_answer, args=(a.id, f"trust-{i}", i)) for i in (1, 2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert store.engine.pool.checkedin() >= 1
    assert terminate(name) >= 1  # every pooled connection dies under the store
    store.set_answer(a.id, "purpose-1", 5)
    assert store.get_assessment(a.id).answers == {"trust-1": 1, "trust-2": 2, "purpose-1": 5}
    store.close()


def kill_own_connection_before(store: Store, statement_start: str):
    """Kill the store's database connection (pg_terminate_backend) just before the first statement
    starting with `statement_start` runs: a connection lost in the middle of a transaction."""
    killed = []

    def hook(conn, _cursor, statement, *_args):
        if not killed and statement.lstrip().upper().startswith(statement_start):
            pid = conn.connection.driver_connection.info.backend_pid
            with Databases.admin().connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killed.append(pid)

    event.listen(store.engine, "before_cursor_execute", hook)
    return killed


CREATIONS = {  # name: (create it, the statement whose connection dies, expected new rows by table)
    "assessment": (lambda store, reviews, small, review: new_assessment(store, "Mid Transaction"),
                   "INSERT INTO ASSESSMENTS", {tables.assessments: 1, tables.partnerships: 1}),
    "review": (lambda store, reviews, small, review: reviews.create_review(title="Second", partnership="P",
                                                                           rubric_hash=small),
               "INSERT INTO BOARD_REVIEWS", {tables.board_reviews: 1}),
    "participant": (lambda store, reviews, small, review: reviews.join(review.participant_token, role="funder"),
                    "INSERT INTO BOARD_PARTICIPANTS", {tables.board_participants: 1}),
    "action": (lambda store, reviews, small, review: store.add_action("Mid Transaction", "trust", "Meet monthly"),
               "INSERT INTO ACTIONS", {tables.actions: 1, tables.partnerships: 1}),
    "agreed action": (lambda store, reviews, small, review: reviews.add_action(review.facilitator_token, "trust",
                                                                               "Meet monthly"),
                      "INSERT INTO BOARD_ACTIONS", {tables.board_actions: 1, tables.actions: 1,
                                                    tables.partnerships: 1}),
}
WATCHED = (tables.assessments, tables.partnerships, tables.board_reviews, tables.board_participants, tables.actions,
           tables.board_actions, tables.answers, tables.board_answers)


@needs_pg
@pytest.mark.parametrize("what", list(CREATIONS))
def test_a_connection_lost_mid_transaction_is_retried_and_creates_exactly_once(pg_dbs, caplog, what):
    create, statement, expected = CREATIONS[what]
    store = Store(pg_dbs.new(), **FAST)
    reviews = Reviews(store)
    small = store.snapshot_rubric(SMALL)
    review = reviews.create_review(title="Board review", partnership="Riverside Trust", rubric_hash=small)
    before = {table.name: count(store, table) for table in WATCHED}
    killed = kill_own_connection_before(store, statement)
    with caplog.at_level(logging.WARNING, logger="joiningforces.storage"):
        create(store, reviews, small, review)
    assert killed and retries(caplog)  # the first try really lost its connection mid-way
    # Created exactly once: the try that lost its connection was rolled back, the retry committed.
    assert {table.name: count(store, table) - before[table.name] for table in WATCHED} == {
        table.name: expected.get(table, 0) for table in WATCHED}
    store.close()


@needs_pg
def test_a_connection_lost_during_commit_is_reported_at_once_never_retried_blind(pg_dbs, caplog):
    store = Store(pg_dbs.new(), retry_delays=(0.1, 0.1))
    small = store.snapshot_rubric(SMALL)
    commits = []

    def lose_connection(conn):  # just before COMMIT is sent: did it commit? the client cannot know
        if conn.get_execution_options().get("jf_write"):
            commits.append(1)
            with Databases.admin().connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"),
                              {"pid": conn.connection.driver_connection.info.backend_pid})

    event.listen(store.engine, "commit", lose_connection)
    with caplog.at_level(logging.WARNING, logger="joiningforces.storage"):
        with pytest.raises(StoreUnavailable) as raised:
            store.create_assessment(rubric_hash=small, partnership="Commit lost")
    assert raised.value.outcome_unknown and raised.value.message == StoreUnavailable.LOST_WHILE_SAVING
    assert commits == [1] and not retries(caplog)  # one try: a retry could have created it twice
    event.remove(store.engine, "commit", lose_connection)
    assert count(store, tables.assessments) == 0  # (here it had not committed)
    store.close()


# --- the server killed in the middle of a board review ----------------------------------------------

REVIEW_WRITER = """
import sys
from joiningforces.board import Reviews
from joiningforces.storage import Store
reviews = Reviews(Store(sys.argv[1]))
people = sys.argv[2].split(",")
print("ready", flush=True)
for line in sys.stdin:
    n, sid, value = line.split()
    reviews.set_answer(people[int(n)], sid, None if value == "None" else int(value))
    print("ok", flush=True)   # acknowledged: the answer was committed
print("finished", flush=True)
"""


def planned_writes(ids: list[str], people: int) -> list[tuple[int, str, int | None]]:
    """Every participant answers every statement in turn; now and then one changes an earlier answer."""
    writes = []
    for i, sid in enumerate(ids):
        for n in range(people):
            writes.append((n, sid, None if (i + n) % 7 == 3 else (i + n) % 5 + 1))
            if i % 5 == 4:
                writes.append((n, ids[i - 3], (i + n + 2) % 5 + 1))  # a change of mind
    return writes


def state_after(writes) -> dict[int, dict[str, int | None]]:
    state: dict[int, dict[str, int | None]] = {}
    for n, sid, value in writes:
        state.setdefault(n, {})[sid] = value
    return state


def test_kill_dash_nine_in_the_middle_of_a_review_loses_no_submitted_answer(dbs):
    url = dbs.new()
    with Store(url) as store:
        reviews = Reviews(store)
        digest = store.snapshot_rubric(big_rubric(60))
        review = reviews.create_review(title="Crash review", partnership="Crash test", rubric_hash=digest, roles=[])
        people = [reviews.join(review.participant_token).token for _ in range(3)]
    ids = [f"s-{p}-{j}" for p in range(2) for j in range(60)]
    writes = planned_writes(ids, len(people))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen([sys.executable, "-c", REVIEW_WRITER, url, ",".join(people)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines = kill_midway(child, 90, feed="".join(f"{n} {sid} {value}\n" for n, sid, value in writes))
    assert lines[:90] == ["ok\n"] * 90, f"the writer stopped early: {lines[:90]!r}"
    acked = lines.count("ok\n")  # with those acknowledged before the kill, still in the pipe
    assert acked < len(writes)  # really killed mid-review

    with Store(url) as reopened:  # a new engine, as after a restart
        reviews = Reviews(reopened)
        saved = {n: reviews.participant(token).answers for n, token in enumerate(people)}
        # Every acknowledged answer is there, as last given; at most the one write in flight went further.
        assert saved in (state_after(writes[:acked]), state_after(writes[:acked + 1]))
        assert count(reopened, tables.board_participants) == 3  # nobody joined twice
        assert count(reopened, tables.board_answers) == sum(len(a) for a in saved.values())
        with reopened.engine.connect() as conn:  # one row per (participant, statement), never two
            dupes = conn.execute(select(tables.board_answers.c.participant_id, tables.board_answers.c.statement_id)
                                 .group_by(tables.board_answers.c.participant_id,
                                           tables.board_answers.c.statement_id)
                                 .having(func.count() > 1)).all()
        assert dupes == []
        reviews.set_answer(people[0], ids[-1], 3)  # the dead writer's lock is gone: answering works again
        assert reviews.participant(people[0]).answers[ids[-1]] == 3


# --- in the app (AppTest): answers kept through a fault, exports that say why they failed ------------


@pytest.fixture
def app_db(monkeypatch):
    """The app's own SQLite notebook, its store opened afresh with a short busy timeout, so that a
    lock held by another connection fails a save in about a second (the store's default retries)."""
    import ui

    url = default_url()
    if not url.startswith("sqlite"):
        pytest.skip("the app tests lock the app's SQLite notebook; $JOININGFORCES_DATABASE_URL names another")
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.05")
    ui.store.clear()
    ui.reviews.clear()
    yield url
    ui.store.clear()  # the next test's app opens its store with the usual timeout again
    ui.reviews.clear()


def test_the_self_check_keeps_an_answer_it_could_not_save_and_saves_it_with_the_next(app_db):
    (a, b), (c, _) = (p.statements for p in QUICK.principles[:2])
    at = new_app()
    at.button(key="start-quick").click().run()
    at.radio(key=f"answer-quick-check-{a.id}").set_value(4).run()
    token = at.session_state["tokens"]["quick-check"]
    saved = Store()  # opened before the lock (opening takes the write lock to check the schema)
    assert saved.get_assessment(token).answers == {a.id: 4}

    lock = SqliteLock(app_db)
    try:
        at.radio(key=f"answer-quick-check-{b.id}").set_value(2).run()
        assert not at.exception
        assert [w.value for w in at.warning] == [
            f"{StoreUnavailable.BUSY} Your last change is kept in this tab and will be saved with your next answer."]
        assert at.radio(key=f"answer-quick-check-{b.id}").value == 2  # still on screen as given
        assert at.session_state["answers"]["quick-check"] == {a.id: 4, b.id: 2}
        assert len([c for c in at.caption if "Saved" in c.value]) == 1  # the first is marked saved, not this one
        assert saved.get_assessment(token).answers == {a.id: 4}  # really not saved
    finally:
        lock.release()

    at.button(key="next").click().run()
    at.radio(key=f"answer-quick-check-{c.id}").set_value("dk").run()
    assert not at.exception and not at.warning
    assert saved.get_assessment(token).answers == {a.id: 4, b.id: 2, c.id: None}  # both went in


def test_a_review_answer_that_could_not_be_saved_is_kept_and_saved_later(app_db):
    store = Store()
    reviews = Reviews(store)
    review = reviews.create_review(title=f"Fault review {secrets.token_hex(3)}", partnership="Riverside",
                                   rubric_hash=store.snapshot_rubric(load_library().texts["quick-check"]), roles=[])
    at = new_app("pages/review.py", p=review.participant_token)
    at.button(key="join").click().run()
    own = at.query_params["t"]
    (a, b), (c, d) = (p.statements for p in QUICK.principles[:2])

    def answer(statement, value) -> None:
        at.radio(key=f"rv-{key_for(own)}-answer-{statement.id}").set_value(value).run()
        assert not at.exception

    def shown(statement):
        return at.radio(key=f"rv-{key_for(own)}-answer-{statement.id}").value

    def unsaved_warnings() -> list[str]:
        return [w.value for w in at.warning if "not saved yet" in w.value]

    answer(a, 4)
    assert reviews.participant(own).answers == {a.id: 4}

    lock = SqliteLock(app_db)
    try:
        answer(b, 2)
        assert unsaved_warnings() == [f"{StoreUnavailable.BUSY} 1 of your answers is not saved yet: kept on this "
                                      "page as you gave it, to be saved with your next answer. Keep this page open."]
        assert shown(b) == 2 and reviews.participant(own).answers == {a.id: 4}
        assert len([c for c in at.caption if "Saved" in c.value]) == 1  # the first is marked saved, not this one
        at.run()  # the page reloads the saved answers on every run: the unsaved one is still shown
        assert shown(b) == 2 and unsaved_warnings()
        assert at.session_state["review-answers"][own] == {a.id: 4, b.id: 2}
    finally:
        lock.release()

    at.button(key=f"rv-{key_for(own)}-next").click().run()
    answer(c, "dk")
    assert reviews.participant(own).answers == {a.id: 4, b.id: 2, c.id: None}  # both went in, once
    assert not unsaved_warnings()

    lock = SqliteLock(app_db)
    try:
        answer(d, 5)
        assert unsaved_warnings() and reviews.participant(own).answers == {a.id: 4, b.id: 2, c.id: None}
    finally:
        lock.release()
    at.button(key=f"rv-{key_for(own)}-save-pending").click().run()  # "Try saving again", without answering more
    assert not at.exception and not unsaved_warnings()
    assert reviews.participant(own).answers == {a.id: 4, b.id: 2, c.id: None, d.id: 5}
    assert count(store, tables.board_participants, tables.board_participants.c.link_digest == digest(own)) == 1


@pytest.fixture
def deferred(monkeypatch):
    """The files download buttons make only when pressed: {file name: (media file manager, file id)}."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made = {}
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        made[file_name] = (self, file_id)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return made


def press_download(at: AppTest, key: str, deferred: dict, suffix: str) -> dict:
    """Press a download button as a browser does: the click reruns the page while, on another
    thread, Streamlit makes the file for the browser's request (here starting a little later)."""
    from streamlit.runtime.media_file_manager import MediaFileStorageError

    manager, file_id = next(made for name, made in deferred.items() if name.endswith(suffix))
    outcome: dict = {}

    def fetch() -> None:
        time.sleep(0.3)
        try:
            outcome["url"] = manager.execute_deferred(file_id)
        except MediaFileStorageError as failed:  # the browser shows "Failed to generate file for download"
            outcome["failed"] = failed

    browser = threading.Thread(target=fetch)
    browser.start()
    at.download_button(key=key).click().run()
    browser.join()
    assert not at.exception
    return outcome


def test_a_full_disk_when_making_the_pdf_is_said_plainly_beside_the_button(deferred, monkeypatch):
    from joiningforces import report

    at = new_app()
    at.button(key="start-quick").click().run()
    at.radio(key=f"answer-quick-check-{QUICK.statements[0].id}").set_value(4).run()
    at.switch_page("pages/results.py").run()
    real = report.pdf_report

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report, "pdf_report", disk_full)
    outcome = press_download(at, "download-pdf", deferred, ".pdf")
    assert "failed" in outcome and "No space left on device" in str(outcome["failed"])  # no file is sent
    assert [w.value for w in at.warning] == [
        "The file “PDF report” could not be made. The server has run out of disk space. Please try again later. "
        "Nothing was downloaded; if this keeps happening, tell whoever runs this app."]
    at.run()
    assert not at.warning  # said once

    monkeypatch.setattr(report, "pdf_report", real)  # room again: the same button works
    outcome = press_download(at, "download-pdf", deferred, ".pdf")
    assert "url" in outcome and not at.warning


def test_the_database_unavailable_when_exporting_the_notebook_is_said_plainly(deferred, monkeypatch):
    def unavailable(self):
        raise StoreUnavailable()

    monkeypatch.setattr(Store, "export_notebook", unavailable)  # the page hands the bound method to the button
    at = new_app("pages/backup.py")
    outcome = press_download(at, "download-notebook", deferred, ".json")
    assert "failed" in outcome
    assert [w.value for w in at.warning] == [
        f"The file “Download the backup (JSON)” could not be made. {StoreUnavailable.BUSY} Nothing was "
        "downloaded; if this keeps happening, tell whoever runs this app."]


def test_facilitator_changes_refused_by_a_locked_database_say_so_keep_what_was_typed_and_work_later(app_db):
    store = Store()  # opened before the lock
    reviews = Reviews(store)
    review = reviews.create_review(title=f"Fault review {secrets.token_hex(3)}",
                                   partnership=f"Riverside {secrets.token_hex(3)}", roles=["funder", "smaller-partner"],
                                   rubric_hash=store.snapshot_rubric(load_library().texts["quick-check"]))
    ft = review.facilitator_token
    at = new_app("pages/facilitate.py", f=ft)
    principle = QUICK.principles[0].id
    at.selectbox(key="action-principle").set_value(principle)  # a form: its fields go in together on submit
    at.text_input(key="action-text").input("Write the purpose in one sentence together")
    at.text_input(key="action-owner").input("Chair")
    at.multiselect(key="merge-roles").set_value(["funder", "smaller-partner"])
    at.text_input(key="merge-name").input("Everyone on the board")

    lock = SqliteLock(app_db)
    try:
        at.button(key="FormSubmitter:new-action-Add action").click().run()
        assert not at.exception
        assert [e.value for e in at.error] == [StoreUnavailable.BUSY]
        assert at.text_input(key="action-text").value == "Write the purpose in one sentence together"  # kept
        assert at.text_input(key="action-owner").value == "Chair"
        assert store.actions_for(review.partnership, belongs_to=LOCAL_OWNER) == []  # nothing written

        at.button(key="merge").click().run()
        assert not at.exception and [e.value for e in at.error] == [StoreUnavailable.BUSY]
        assert at.multiselect(key="merge-roles").value == ["funder", "smaller-partner"]
        assert at.text_input(key="merge-name").value == "Everyone on the board"
        assert reviews.get_review(ft).role_groups == {}
    finally:
        lock.release()

    at.button(key="FormSubmitter:new-action-Add action").click().run()  # the lock gone: the same press works
    assert not at.exception and not at.error
    assert [(a.principle_id, a.text, a.owner) for a in store.actions_for(review.partnership, belongs_to=LOCAL_OWNER)] == [
        (principle, "Write the purpose in one sentence together", "Chair")]
    assert at.text_input(key="action-text").value == ""  # cleared once it went in
    at.button(key="merge").click().run()
    assert not at.exception and not at.error
    assert reviews.get_review(ft).role_groups == {"funder": "Everyone on the board",
                                                  "smaller-partner": "Everyone on the board"}


def test_notebook_changes_refused_by_a_locked_database_say_so_keep_what_was_typed_and_work_later(app_db):
    store = Store()  # opened before the lock
    name = f"Action Partners {secrets.token_hex(3)}"
    assessment = store.create_assessment(rubric_hash=store.snapshot_rubric(load_library().texts["quick-check"]),
                                         partnership=name)
    planned = store.add_action(name, "trust", "Share next year's plans in draft", owner="Chair")
    at = new_app("pages/notebook.py")
    at.selectbox(key="actions-partnership").set_value(name).run()
    at.selectbox(key="new-action-principle").set_value("respect")
    at.text_input(key="new-action-text").input("Meet the smaller partners first")

    def plan() -> list[tuple[str, str]]:
        return [(a.text, a.status) for a in store.actions_for(name, belongs_to=LOCAL_OWNER)]

    lock = SqliteLock(app_db)
    try:
        at.button(key="FormSubmitter:new-action-Add action").click().run()
        assert not at.exception and [e.value for e in at.error] == [StoreUnavailable.BUSY]
        assert at.text_input(key="new-action-text").value == "Meet the smaller partners first"  # kept
        assert plan() == [("Share next year's plans in draft", "open")]  # nothing written

        at.selectbox(key=f"status-{planned.id}").set_value("done").run()
        assert not at.exception and [e.value for e in at.error] == [StoreUnavailable.BUSY]
        assert at.selectbox(key=f"status-{planned.id}").value == "open"  # shows what is stored, not the refused change
        assert plan() == [("Share next year's plans in draft", "open")]

        at.button(key="delete-0").click().run()  # numbered: ids never go into the page
        assert not at.exception and [e.value for e in at.error] == [StoreUnavailable.BUSY]
        assert store.get_assessment(assessment.id).partnership == name  # not deleted
    finally:
        lock.release()

    at.button(key="FormSubmitter:new-action-Add action").click().run()  # the lock gone: the same actions work
    at.selectbox(key=f"status-{planned.id}").set_value("done").run()
    assert not at.exception and not at.error
    assert sorted(plan()) == [("Meet the smaller partners first", "open"), ("Share next year's plans in draft", "done")]
    at.button(key="delete-0").click().run()
    assert not at.exception and not at.error
    with pytest.raises(NotFound):
        store.get_assessment(assessment.id)
