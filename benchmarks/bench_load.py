"""Load: many participants answering one board review at once, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.bench_load                     # 50 participants, full rubric
    .venv/bin/python -m benchmarks.bench_load --quick             # 5 participants, 1 principle
    .venv/bin/python -m benchmarks.bench_load --participants 100 --backends postgresql
    .venv/bin/python -m benchmarks.bench_load --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test

A facilitator makes a review on the default rubric (`library.DEFAULT_ID`, all its roles) through
`Reviews`; then every participant starts at the same moment (a barrier) and does what a person
in the app does, as fast as the store lets them (no think time: a stress test):

- opens the shared participant link (`review_for_link`, the landing page) and joins with a role
  of the rubric's (`join`), roles taken in turn;
- answers every statement one at a time, as a click does (`set_answer`, then `participant`,
  the read of the page's rerun), about 10% "don't know";
- changes 3 of their answers afterwards; every fifth participant does so from two tabs at once
  (a second thread changing 3 answers of the same participant, one of them the same statement).

Two modes: *threads* — one `Store`/`Reviews` shared by a thread per participant (one Streamlit
server process: one cached store, one thread per session); *processes* — one OS process per
participant with its own `Store` (several server processes on one database; a participant's
second tab is a second thread in its process). Each backend and mode gets a fresh database: an
SQLite file (WAL, busy timeout, as the store opens it) in a temporary folder, and a fresh
schema on the PostgreSQL server of `--pg-url`, else $JOININGFORCES_TEST_PG_URL, else the local
test server (skipped, with the reason, if it does not answer).

Afterwards the database is checked: exactly one participant row per join, and for every
(participant, statement) exactly one row holding the value last written (last write wins: the
value of a write that no other write of that statement started after it had returned; two tabs
racing on one statement may leave either value). *Lost*: a statement whose saved answer is
missing or is not that value; *duplicated*: extra participant rows plus extra answer rows. The
dashboard must count every participant as joined and as a respondent. Exits 1 if anything is
lost or duplicated, a call failed, or the dashboard disagrees.

Figures per backend and mode: answers written (successful `set_answer` calls), wall time from
the barrier to the last participant done, throughput (answers per second of wall time; the
page reads and joins are inside that time too), and per-answer latency (median, 95th
percentile, max) of `set_answer`; the CPU time the participants' Python used (the whole process
in threads mode, the sum of the processes otherwise); and how many calls the store itself tried
again after a transient fault (it logs each retry). Yardstick, timed in the same database right
after: as many single-row INSERT + COMMIT transactions into a scratch table, one after another
from one thread, as answers were written; the ratio is load throughput / yardstick rows per
second. Also shown: the same clicks by one participant alone (median of 3), i.e. what 50 at once
gain or lose over one at a time.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from joiningforces.access import digest as link_digest
from joiningforces.library import DEFAULT_ID, default_rubric, rubric_dir
from joiningforces.board import Reviews
from joiningforces.storage import Store
from joiningforces.storage import schema as tables
from joiningforces.storage.store import _normalise_url

from .common import header, loadavg

LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_ENV = "JOININGFORCES_TEST_PG_URL"
DONT_KNOW_SHARE = 0.10
CHANGES = 3
TWO_TABS_EVERY = 5  # participants 2, 7, 12, ... change answers from two tabs at once
TIMEOUT = 900  # seconds for one backend/mode before participants still running count as hung


class RetryCounter(logging.Handler):
    """Counts the store's own retries of a call after a transient fault (it logs a warning for each
    try again, on the "joiningforces.storage" logger); 0 if the store does not retry."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "trying again" in record.getMessage():
            self.count += 1  # (a lost increment under threads would only undercount a diagnostic)


RETRIES = RetryCounter()
logging.getLogger("joiningforces.storage").addHandler(RETRIES)


# --- what each participant does ---------------------------------------------------------------


@dataclass
class Plan:
    index: int
    role: str
    answers: list[tuple[str, int | None]]  # in rubric order, one click each
    changes: list[tuple[str, int | None]]  # afterwards, from the first tab
    tab2: list[tuple[str, int | None]] = field(default_factory=list)  # at the same time, from a second tab


def plans(n: int, statements: list[str], roles: list[str], seed: int) -> list[Plan]:
    def value(rng: random.Random, not_: int | None = -1) -> int | None:
        while True:
            v = None if rng.random() < DONT_KNOW_SHARE else rng.randint(1, 5)
            if v != not_:
                return v

    out = []
    for i in range(n):
        rng = random.Random(seed * 100_003 + i)
        answers = [(sid, value(rng)) for sid in statements]
        first = dict(answers)
        picked = rng.sample(statements, min(CHANGES, len(statements)))
        changes = [(sid, value(rng, first[sid])) for sid in picked]
        tab2 = []
        if i % TWO_TABS_EVERY == 2:
            others = [s for s in statements if s not in picked]
            both = picked[0]  # the statement both tabs change at once
            tab2 = [(both, value(rng, first[both]))] + [(s, value(rng, first[s]))
                                                        for s in rng.sample(others, min(CHANGES - 1, len(others)))]
        out.append(Plan(i, roles[i % len(roles)], answers, changes, tab2))
    return out


def _say(exc: BaseException) -> str:
    """One line for a failed call: the error, and what caused it if the store wrapped it."""
    def first(e: BaseException) -> str:
        lines = str(e).strip().splitlines()
        return f"{type(e).__name__}: {lines[0] if lines else ''}"
    cause = exc.__cause__ or exc.__context__
    return first(exc) + (f" (from {first(cause)})" if cause is not None else "")


def _click(reviews: Reviews, token: str, sid: str, v: int | None, out: dict, tab: int) -> None:
    """One answer given in the page: save it, then the rerun reads the participant back."""
    start = time.monotonic_ns()  # CLOCK_MONOTONIC: comparable between processes on one machine
    try:
        reviews.set_answer(token, sid, v)
    except Exception as exc:  # noqa: BLE001 - reported, and the write counted as uncertain
        out["writes"].append((sid, v, start, time.monotonic_ns(), tab, False))
        out["errors"].append(f"set_answer({sid!r}, {v!r}) tab {tab}: {_say(exc)}")
        return
    end = time.monotonic_ns()
    out["writes"].append((sid, v, start, end, tab, True))
    out["answer_ms"].append((end - start) / 1e6)
    start = time.monotonic_ns()
    try:
        reviews.participant(token)
    except Exception as exc:  # noqa: BLE001
        out["errors"].append(f"participant() tab {tab}: {_say(exc)}")
        return
    out["read_ms"].append((time.monotonic_ns() - start) / 1e6)


def participant(reviews: Reviews, link: str, plan: Plan, barrier) -> dict:
    out = {"index": plan.index, "token": None, "role": plan.role, "writes": [], "answer_ms": [], "read_ms": [],
           "join_ms": None, "errors": [], "start": None, "end": None}
    barrier.wait()
    out["start"] = time.monotonic_ns()
    try:
        reviews.review_for_link(link)
        start = time.monotonic_ns()
        me = reviews.join(link, plan.role)
        out["join_ms"] = (time.monotonic_ns() - start) / 1e6
        out["token"] = token = me.token
        for sid, v in plan.answers:
            _click(reviews, token, sid, v, out, 1)
        if plan.tab2:
            tabs = threading.Barrier(2)

            def second_tab():
                tabs.wait()
                for sid, v in plan.tab2:
                    _click(reviews, token, sid, v, out, 2)

            other = threading.Thread(target=second_tab, daemon=True)
            other.start()
            tabs.wait()
        for sid, v in plan.changes:
            _click(reviews, token, sid, v, out, 1)
        if plan.tab2:
            other.join(TIMEOUT)
            if other.is_alive():
                out["errors"].append("the second tab did not finish")
    except Exception as exc:  # noqa: BLE001
        out["errors"].append(_say(exc))
    out["end"] = time.monotonic_ns()
    return out


# --- the two modes ----------------------------------------------------------------------------


def run_threads(url: str, link: str, todo: list[Plan]) -> tuple[list[dict], float, int]:
    """One Store and Reviews shared by a thread per participant (one server process). Returns the
    participants' results, the CPU seconds the process used and the store's retries."""
    store = Store(url)
    reviews = Reviews(store)
    reviews.review_for_link(link)  # the process has served the review before (rubric cached, pool warm)
    barrier = threading.Barrier(len(todo) + 1)
    results: list[dict | None] = [None] * len(todo)

    def job(k: int, plan: Plan):
        results[k] = participant(reviews, link, plan, barrier)

    threads = [threading.Thread(target=job, args=(k, p), daemon=True) for k, p in enumerate(todo)]
    for th in threads:
        th.start()
    retries, cpu = RETRIES.count, time.process_time()
    barrier.wait(60)
    deadline = time.monotonic() + TIMEOUT
    for th in threads:
        th.join(max(0.0, deadline - time.monotonic()))
    cpu, retries = time.process_time() - cpu, RETRIES.count - retries
    store.close()
    return [r if r is not None else hung(p) for r, p in zip(results, todo)], cpu, retries


def hung(plan: Plan) -> dict:
    return {"index": plan.index, "token": None, "role": plan.role, "writes": [], "answer_ms": [], "read_ms": [],
            "join_ms": None, "errors": [f"participant {plan.index} did not finish within {TIMEOUT} s (hung)"],
            "start": None, "end": None}


def _process_main(url: str, link: str, plan: Plan, barrier, queue) -> None:
    RETRIES.count = 0
    try:
        store = Store(url)  # this "server process"'s own engine and pool
        reviews = Reviews(store)
        reviews.review_for_link(link)
    except Exception as exc:  # noqa: BLE001
        queue.put({**hung(plan), "errors": [f"opening the store: {_say(exc)}"]})
        barrier.abort()
        return
    cpu = time.process_time()
    try:
        result = participant(reviews, link, plan, barrier)
    except threading.BrokenBarrierError:
        result = {**hung(plan), "errors": ["the start barrier broke (another process failed to start)"]}
    queue.put({**result, "cpu": time.process_time() - cpu, "retries": RETRIES.count})
    store.close()


def run_processes(url: str, link: str, todo: list[Plan]) -> tuple[list[dict], float, int]:
    """One OS process per participant, each with its own Store (several server processes).
    Returns the results, the CPU seconds of all the processes and the store's retries."""
    ctx = multiprocessing.get_context("fork")  # cheap: the parent has imported everything already
    barrier = ctx.Barrier(len(todo) + 1, timeout=120)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_process_main, args=(url, link, p, barrier, queue), daemon=True) for p in todo]
    for proc in procs:
        proc.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass  # a child could not open the store; its result says why
    results: dict[int, dict] = {}
    deadline = time.monotonic() + TIMEOUT
    while len(results) < len(todo) and time.monotonic() < deadline:
        try:
            r = queue.get(timeout=max(0.1, min(5.0, deadline - time.monotonic())))
        except Exception:  # noqa: BLE001 - queue.Empty: check for dead children below
            if all(not proc.is_alive() for proc in procs) and queue.empty():
                break
            continue
        results[r["index"]] = r
    for proc in procs:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
    out = [results.get(p.index) or hung(p) for p in todo]
    return out, sum(r.get("cpu", 0.0) for r in out), sum(r.get("retries", 0) for r in out)


MODES = {"threads": run_threads, "processes": run_processes}


# --- the databases ----------------------------------------------------------------------------


class Backend:
    """Fresh empty databases of one kind; `new()` gives a URL, `cleanup()` removes them all."""

    def __init__(self, name: str, pg_url: str | None = None):
        self.name, self.pg_url, self.count, self.schemas = name, pg_url, 0, []
        self.tmp = tempfile.TemporaryDirectory(prefix="jf-bench-load-") if name == "sqlite" else None
        self.admin = create_engine(_normalise_url(pg_url), isolation_level="AUTOCOMMIT") if pg_url else None

    @property
    def label(self) -> str:
        return "SQLite" if self.name == "sqlite" else "PostgreSQL"

    def new(self) -> str:
        self.count += 1
        if self.name == "sqlite":
            return f"sqlite:///{Path(self.tmp.name) / f'load{self.count}.sqlite3'}"
        schema = f"jf_bench_{secrets.token_hex(6)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        return (_normalise_url(self.pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
                .render_as_string(hide_password=False))

    def describe(self) -> str:
        if self.name == "sqlite":
            return f"SQLite file in {self.tmp.name}"
        with self.admin.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
            limit = conn.execute(text("SHOW max_connections")).scalar()
            busy = conn.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar()
        where = make_url(self.pg_url).render_as_string(hide_password=True)
        return f"PostgreSQL {version} at {where} (max_connections {limit}, {busy} connections before the run)"

    def cleanup(self) -> None:
        if self.admin is not None:
            for schema in self.schemas:
                with self.admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            self.admin.dispose()
        if self.tmp is not None:
            self.tmp.cleanup()


def pg_unreachable(url: str) -> str | None:
    """Why the PostgreSQL server cannot be used, or None if it answers."""
    try:
        engine = create_engine(_normalise_url(url), connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


# --- checking what was saved ------------------------------------------------------------------


def expected_answers(writes: list[tuple]) -> dict[str, tuple[set, bool]]:
    """statement id -> (values it may hold now, whether it must be there), from one participant's
    writes (sid, value, start, end, tab, ok). A value may be the last one unless another write of
    that statement started after it had returned; an uncertain (failed) write may or may not be
    there."""
    by_sid: dict[str, list[tuple]] = {}
    for w in writes:
        by_sid.setdefault(w[0], []).append(w)
    out = {}
    for sid, ws in by_sid.items():
        confirmed = [w for w in ws if w[5]]
        possible = {w[1] for w in ws if not any(o[5] and o[2] > w[3] for o in ws if o is not w)}
        out[sid] = (possible, bool(confirmed))
    return out


def verify(url: str, review_id: int, results: list[dict]) -> dict:
    p, a = tables.board_participants, tables.board_answers
    engine = create_engine(_normalise_url(url))
    try:
        with engine.connect() as conn:
            people = {row.link_digest: row.id  # links are kept as digests: results name them the same way
                      for row in conn.execute(select(p.c.link_digest, p.c.id).where(p.c.review_id == review_id))}
            rows = conn.execute(select(a.c.participant_id, a.c.statement_id, a.c.value)
                                .join(p, p.c.id == a.c.participant_id).where(p.c.review_id == review_id)).all()
    finally:
        engine.dispose()
    stored: dict[int, dict[str, int | None]] = {}
    for pid, sid, value in rows:
        stored.setdefault(pid, {})[sid] = value
    stored_rows = len(rows)
    distinct = sum(len(v) for v in stored.values())
    joined = [r for r in results if r["token"]]
    lost, unexpected, problems = 0, 0, []
    for r in joined:
        pid = people.get(link_digest(r["token"]))
        if pid is None:
            lost += len({w[0] for w in r["writes"] if w[5]}) or 1
            problems.append(f"participant {r['index']}: joined, but not in the database")
            continue
        mine = stored.get(pid, {})
        expect = expected_answers(r["writes"])
        for sid, (possible, required) in expect.items():
            if sid not in mine:
                if required:
                    lost += 1
                    problems.append(f"participant {r['index']}: {sid} missing (written {sorted(possible, key=str)})")
            elif mine[sid] not in possible:
                lost += 1
                problems.append(f"participant {r['index']}: {sid} holds {mine[sid]!r}, "
                                f"last written {sorted(possible, key=str)}")
        for sid in set(mine) - set(expect):
            unexpected += 1
            problems.append(f"participant {r['index']}: {sid} = {mine[sid]!r} was never written")
    # extra participant rows (a join saved twice) and extra rows for one (participant, statement)
    duplicated = max(0, len(people) - len(joined)) + (stored_rows - distinct)
    return {"participants_db": len(people), "rows": stored_rows, "lost": lost, "duplicated": duplicated,
            "unexpected": unexpected, "problems": problems}


def yardstick(url: str, n: int) -> dict:
    """n single-row INSERT + COMMIT transactions into a scratch table, one thread, same database."""
    store = Store(url)  # the same engine settings (SQLite pragmas, pool) as the app's
    engine = store.engine
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_yardstick (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"))
        insert = text("INSERT INTO bench_yardstick (id, v) VALUES (:id, :v)")
        times = []
        start = time.perf_counter()
        for i in range(n):
            t0 = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(insert, {"id": i + 1, "v": i})
            times.append((time.perf_counter() - t0) * 1000)
        wall = time.perf_counter() - start
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM bench_yardstick")).scalar() == n
            conn.execute(text("DROP TABLE bench_yardstick"))
    finally:
        store.close()
    return {"n": n, "wall": wall, "per_s": n / wall if wall else float("inf"), "median_ms": float(np.median(times))}


def alone(url: str, rubric_text: str, plan: Plan, repeats: int = 3) -> dict:
    """The same clicks as one participant's, alone (a new review in the same database, one thread,
    one participant after another): the median of `repeats`."""
    runs = []
    with Store(url) as store:
        reviews = Reviews(store)
        review = reviews.create_review(title="Alone", partnership="Benchmark partnership",
                                       rubric_hash=store.snapshot_rubric(rubric_text))
        for _ in range(repeats):
            out = participant(reviews, review.participant_token, plan, threading.Barrier(1))
            wall = (out["end"] - out["start"]) / 1e9
            answers = sum(1 for w in out["writes"] if w[5])
            runs.append({"answers": answers, "wall": wall, "per_s": answers / wall,
                         "median_ms": float(np.median(out["answer_ms"] or [float("nan")])), "errors": out["errors"]})
    runs.sort(key=lambda r: r["wall"])
    return {**runs[len(runs) // 2], "errors": [e for r in runs for e in r["errors"]]}


# --- one backend and mode ---------------------------------------------------------------------


def run_one(backend: Backend, mode: str, n: int, principles: int, seed: int) -> dict:
    url = backend.new()
    rubric = default_rubric(DEFAULT_ID)
    rubric_text = (rubric_dir() / f"{DEFAULT_ID}.toml").read_text(encoding="utf-8-sig")
    statements = [s.id for p in rubric.principles[:principles] for s in p.statements]
    roles = [r.id for r in rubric.roles]
    with Store(url) as store:
        reviews = Reviews(store)
        review = reviews.create_review(title="Load test", partnership="Benchmark partnership",
                                       rubric_hash=store.snapshot_rubric(rubric_text))
        with store.engine.connect() as conn:
            review_id = conn.execute(select(tables.board_reviews.c.id).where(
                tables.board_reviews.c.uid == review.uid)).scalar_one()
    # (the store is closed: no pooled connection is carried into forked processes)
    todo = plans(n, statements, roles, seed)
    load_before = loadavg()
    results, cpu, retries = MODES[mode](url, review.participant_token, todo)
    load_after = loadavg()
    check = verify(url, review_id, results)
    with Store(url) as store:
        start = time.perf_counter()
        board = Reviews(store).dashboard(review.facilitator_token)
        dashboard_ms = (time.perf_counter() - start) * 1000
    ok_writes = sum(1 for r in results for w in r["writes"] if w[5])
    starts = [r["start"] for r in results if r["start"] is not None]
    ends = [r["end"] for r in results if r["end"] is not None]
    wall = (max(ends) - min(starts)) / 1e9 if starts and ends else float("nan")
    answer_ms = np.array([x for r in results for x in r["answer_ms"]] or [float("nan")])
    read_ms = np.array([x for r in results for x in r["read_ms"]] or [float("nan")])
    join_ms = np.array([r["join_ms"] for r in results if r["join_ms"] is not None] or [float("nan")])
    errors = [f"participant {r['index']}: {e}" for r in results for e in r["errors"]]
    expected_respondents = sum(1 for r in results if r["token"] and any(w[5] for w in r["writes"]))
    yard = yardstick(url, max(ok_writes, 1))
    solo = alone(url, rubric_text, Plan(0, roles[0], todo[0].answers, todo[0].changes))
    errors += [f"alone: {e}" for e in solo["errors"]]
    return {
        "backend": backend.label, "mode": mode, "participants": n, "statements": len(statements),
        "joined": sum(1 for r in results if r["token"]), "answers": ok_writes, "wall": wall,
        "per_s": ok_writes / wall if wall == wall and wall > 0 else float("nan"),
        "answer_median": float(np.median(answer_ms)), "answer_p95": float(np.percentile(answer_ms, 95)),
        "answer_max": float(np.max(answer_ms)), "read_median": float(np.median(read_ms)),
        "join_median": float(np.median(join_ms)), "errors": errors, **check,
        "dashboard_joined": board.joined, "dashboard_respondents": board.group.respondents,
        "expected_respondents": expected_respondents, "dashboard_ms": dashboard_ms,
        "two_tabs": sum(1 for p in todo if p.tab2), "yardstick": yard, "alone": solo,
        "cpu": cpu, "retries": retries,
        "load_before": load_before, "load_after": load_after,
    }


def failed(r: dict) -> list[str]:
    out = []
    if r["lost"]:
        out.append(f"{r['lost']} lost")
    if r["duplicated"]:
        out.append(f"{r['duplicated']} duplicated")
    if r["unexpected"]:
        out.append(f"{r['unexpected']} never written")
    if r["errors"]:
        out.append(f"{len(r['errors'])} failed calls")
    if r["joined"] != r["participants"]:
        out.append(f"{r['joined']} of {r['participants']} joined")
    if r["dashboard_joined"] != r["participants_db"] or r["dashboard_respondents"] != r["expected_respondents"] \
            or r["dashboard_respondents"] != r["participants"]:
        out.append(f"dashboard: {r['dashboard_joined']} joined, {r['dashboard_respondents']} respondents")
    return out


def report(r: dict) -> None:
    y = r["yardstick"]
    verdict = failed(r)
    print(f"\n   {r['backend']}, {r['mode']}: {r['participants']} participants x {r['statements']} statements "
          f"(load average {r['load_before']} before, {r['load_after']} after)")
    print(f"     participants joined {r['joined']}, in the database {r['participants_db']}; "
          f"{r['two_tabs']} of them changed answers from two tabs at once")
    print(f"     answers written {r['answers']:,} (rows stored {r['rows']:,}) in {r['wall']:.2f} s wall: "
          f"throughput {r['per_s']:,.0f} answers/s")
    print(f"     per answer (set_answer): median {r['answer_median']:.1f} ms, p95 {r['answer_p95']:.1f} ms, "
          f"max {r['answer_max']:.1f} ms; page read (participant) median {r['read_median']:.1f} ms; "
          f"join median {r['join_median']:.1f} ms")
    print(f"     lost {r['lost']}, duplicated {r['duplicated']}, never written {r['unexpected']}, "
          f"failed calls {len(r['errors'])}; calls the store retried itself after a transient fault: {r['retries']}")
    per_answer = r["cpu"] / max(r["answers"], 1) * 1000
    print(f"     client CPU (the participants' Python): {r['cpu']:.1f} s, {per_answer:.1f} ms "
          f"per answer (with its page read)")
    print(f"     dashboard: {r['dashboard_joined']} joined, {r['dashboard_respondents']} respondents "
          f"({r['dashboard_ms']:.0f} ms)")
    print(f"     yardstick: {y['n']:,} single-row INSERT+COMMITs, one thread: {y['wall']:.2f} s, "
          f"{y['per_s']:,.0f} rows/s (median {y['median_ms']:.2f} ms); "
          f"ratio load / yardstick: {r['per_s'] / y['per_s']:.2f}x")
    a = r["alone"]
    print(f"     one participant alone, same clicks (median of 3): {a['answers']} answers in {a['wall']:.2f} s, "
          f"{a['per_s']:,.0f} answers/s (set_answer median {a['median_ms']:.1f} ms); "
          f"ratio load / alone: {r['per_s'] / a['per_s']:.2f}x")
    print(f"     {'OK' if not verdict else 'FAILED: ' + ', '.join(verdict)}")
    for line in (r["problems"] + r["errors"])[:15]:
        print(f"       ! {line}")
    more = len(r["problems"]) + len(r["errors"]) - 15
    if more > 0:
        print(f"       ! ... and {more} more")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=None, help="how many at once (default 50; --quick 5)")
    parser.add_argument("--principles", type=int, default=None,
                        help="answer only the first N principles (default all; --quick 1)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--pg-url", default=None, help=f"PostgreSQL server (default ${PG_ENV}, else {LOCAL_PG})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--quick", action="store_true", help="5 participants, 1 principle (a smoke run)")
    args = parser.parse_args(argv)
    if args.participants is None:
        args.participants = 5 if args.quick else 50
    if args.principles is None:
        args.principles = 1 if args.quick else 0
    if args.participants < 1 or args.principles < 0:
        parser.error("--participants must be at least 1 and --principles at least 0")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if set(backends) - {"sqlite", "postgresql"} or set(modes) - set(MODES) or not backends or not modes:
        parser.error("backends: sqlite, postgresql; modes: " + ", ".join(MODES))
    rubric = default_rubric(DEFAULT_ID)
    principles = args.principles or len(rubric.principles)
    statements = sum(len(p.statements) for p in rubric.principles[:principles])
    header(f"Load: {args.participants} participants at once on one board review ({rubric.id}, "
           f"{statements} statements in {principles} principle(s)); {', '.join(backends)}; {', '.join(modes)}")
    print(f"   each: join with the shared link, answer one statement at a time (set_answer, then the page's read; "
          f"~{DONT_KNOW_SHARE:.0%} don't know), then change {CHANGES} answers; every {TWO_TABS_EVERY}th from two "
          "tabs at once. No think time.")
    print("   threads: one Store shared by a thread per participant; processes: a process and a Store per participant")
    results, bad = [], False
    for name in backends:
        pg_url = None
        if name == "postgresql":
            pg_url = args.pg_url or os.environ.get(PG_ENV, "").strip() or LOCAL_PG
            why = pg_unreachable(pg_url)
            if why:
                shown = make_url(pg_url).render_as_string(hide_password=True)
                print(f"\n   PostgreSQL skipped: {shown} does not answer ({why})")
                continue
        backend = Backend(name, pg_url)
        try:
            print(f"\n   {backend.label}: {backend.describe()}")
            for mode in modes:
                r = run_one(backend, mode, args.participants, principles, args.seed)
                report(r)
                results.append(r)
                bad = bad or bool(failed(r))
        finally:
            backend.cleanup()
    if not results:
        print("\n   nothing ran")
        sys.exit(1)
    print("\n   summary: backend      mode       answers   wall s  answers/s  ms median    p95     max  "
          "yardstick/s  ratio  alone/s  lost  dup")
    for r in results:
        print(f"            {r['backend']:<12} {r['mode']:<9} {r['answers']:>8,} {r['wall']:>8.2f} "
              f"{r['per_s']:>10,.0f} "
              f"{r['answer_median']:>10.1f} {r['answer_p95']:>6.1f} {r['answer_max']:>7.1f} "
              f"{r['yardstick']['per_s']:>12,.0f} {r['per_s'] / r['yardstick']['per_s']:>5.2f}x "
              f"{r['alone']['per_s']:>8,.0f} {r['lost']:>5} {r['duplicated']:>4}")
    total_lost = sum(r["lost"] for r in results)
    total_dup = sum(r["duplicated"] for r in results)
    print(f"   verdict: {total_lost} lost, {total_dup} duplicated in {len(results)} run(s): "
          f"{'FAILED' if bad else 'OK'}")
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "problems"} for r in results],
                                        indent=1, default=str))
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
