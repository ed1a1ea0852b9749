"""Realistic load: participants with human think time spread over two replicas on one PostgreSQL.

    .venv/bin/python -m benchmarks.bench_replicas                 # 200 participants, full rubric (about 5 min)
    .venv/bin/python -m benchmarks.bench_replicas --quick         # 6 participants, 1 principle, short pauses

A facilitator makes a review on the default rubric; two "replicas" (forked processes, each with
its own `Store` and connection pool, as two `streamlit run` servers behind a proxy) serve half of
the participants each, a thread per participant (a Streamlit session), and each keeps a
facilitator's dashboard open: a thread reading `Reviews.dashboard` every 5 s, as the live page
does. Participants arrive over the first `--arrive` seconds, join with the shared link, then
answer every statement one at a time with a pause before each (uniform between `--think-min`
and `--think-max` seconds: reading a statement and choosing), then change 3 answers; every fifth
does so from two tabs at once (`bench_load`'s plans).

A rating's latency is what the page waits for before its "Saved" mark: `set_answer` plus the
rerun's read of the participant. Reported: its median and p95 under load beside the same clicks
by one participant alone (same think time, same database, right after): the target is a p95
within 2x of alone. Then the database is checked as `bench_load` checks it (every answer the
last one written, nothing duplicated, every join stored), and the dashboards' reads. Exits 1 if
anything was lost or duplicated, a join or call failed, or a dashboard read failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import threading
import time

import numpy as np
from sqlalchemy import select

from joiningforces.library import DEFAULT_ID, default_rubric, rubric_dir
from joiningforces.board import Reviews
from joiningforces.storage import Store
from joiningforces.storage import schema as tables

from .bench_load import LOCAL_PG, PG_ENV, Backend, Plan, _say, pg_unreachable, plans, verify
from .common import header, loadavg

DASHBOARD_EVERY = 5.0  # seconds, pages/facilitate.py's LIVE_EVERY
TIMEOUT = 1800


def click(reviews: Reviews, token: str, sid: str, v: int | None, out: dict, tab: int) -> None:
    start = time.monotonic_ns()
    try:
        reviews.set_answer(token, sid, v)
    except Exception as exc:  # noqa: BLE001 - reported; the write counts as uncertain
        out["writes"].append((sid, v, start, time.monotonic_ns(), tab, False))
        out["errors"].append(f"set_answer: {_say(exc)}")
        return
    out["writes"].append((sid, v, start, time.monotonic_ns(), tab, True))
    try:
        reviews.participant(token)
    except Exception as exc:  # noqa: BLE001
        out["errors"].append(f"participant(): {_say(exc)}")
        return
    out["click_ms"].append((time.monotonic_ns() - start) / 1e6)


def person(reviews: Reviews, link: str, plan: Plan, think: tuple[float, float], arrive: float, t0: float) -> dict:
    rng = random.Random(plan.index)
    out = {"index": plan.index, "token": None, "writes": [], "click_ms": [], "errors": [], "join_ms": None,
           "start": None, "end": None}
    time.sleep(max(0.0, t0 + rng.uniform(0, arrive) - time.monotonic()))
    out["start"] = time.monotonic_ns()
    try:
        reviews.review_for_link(link)
        start = time.monotonic_ns()
        out["token"] = token = reviews.join(link, plan.role).token
        out["join_ms"] = (time.monotonic_ns() - start) / 1e6

        def answer(items, tab):
            for sid, v in items:
                time.sleep(rng.uniform(*think))
                click(reviews, token, sid, v, out, tab)

        answer(plan.answers, 1)
        other = threading.Thread(target=answer, args=(plan.tab2, 2), daemon=True) if plan.tab2 else None
        if other:
            other.start()
        answer(plan.changes, 1)
        if other:
            other.join(TIMEOUT)
    except Exception as exc:  # noqa: BLE001
        out["errors"].append(_say(exc))
    out["end"] = time.monotonic_ns()
    return out


def replica(url: str, link: str, facilitator: str, todo: list[Plan], think, arrive: float, t0: float, queue,
            finished) -> None:
    """One app replica: its own Store, a thread per participant, a dashboard refreshing itself."""
    store = Store(url)
    reviews = Reviews(store)
    reviews.review_for_link(link)
    results: list[dict] = []
    board = {"reads": 0, "ms": [], "errors": [], "joined": 0}
    done = threading.Event()

    def dashboard():
        while not done.is_set():
            start = time.perf_counter()
            try:
                board["joined"] = reviews.dashboard(facilitator).joined
                board["ms"].append((time.perf_counter() - start) * 1000)
                board["reads"] += 1
            except Exception as exc:  # noqa: BLE001
                board["errors"].append(_say(exc))
            done.wait(DASHBOARD_EVERY)

    threads = [threading.Thread(target=lambda p=p: results.append(person(reviews, link, p, think, arrive, t0)),
                                daemon=True) for p in todo]
    watcher = threading.Thread(target=dashboard, daemon=True)
    watcher.start()
    for th in threads:
        th.start()
    for th in threads:
        th.join(TIMEOUT)
    done.set()
    watcher.join(30)
    try:  # once every replica's participants are done, each dashboard must count all of them
        finished.wait(TIMEOUT)
        board["final"] = reviews.dashboard(facilitator).joined
    except Exception as exc:  # noqa: BLE001
        board["errors"].append(f"final read: {_say(exc)}")
        board["final"] = None
    store.close()
    queue.put((results, board))


def run(url: str, n: int, principles: int, think, arrive: float, replicas: int, seed: int) -> dict:
    rubric = default_rubric(DEFAULT_ID)
    rubric_text = (rubric_dir() / f"{DEFAULT_ID}.toml").read_text(encoding="utf-8-sig")
    statements = [s.id for p in rubric.principles[:principles] for s in p.statements]
    with Store(url) as store:
        review = Reviews(store).create_review(title="Replicas", partnership="Benchmark partnership",
                                              rubric_hash=store.snapshot_rubric(rubric_text))
        with store.engine.connect() as conn:
            review_id = conn.execute(select(tables.board_reviews.c.id).where(
                tables.board_reviews.c.uid == review.uid)).scalar_one()
    todo = plans(n, statements, [r.id for r in rubric.roles], seed)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    finished = ctx.Barrier(replicas)
    t0 = time.monotonic() + 1.0
    load_before = loadavg()
    procs = [ctx.Process(target=replica, daemon=True,
                         args=(url, review.participant_token, review.facilitator_token, todo[k::replicas], think,
                               arrive, t0, queue, finished)) for k in range(replicas)]
    for proc in procs:
        proc.start()
    results, boards = [], []
    for _ in procs:
        got, board = queue.get(timeout=TIMEOUT)
        results += got
        boards.append(board)
    for proc in procs:
        proc.join(10)
    load_after = loadavg()
    check = verify(url, review_id, [{**r, "token": r["token"]} for r in results])
    # One participant alone, same clicks and think time, in a fresh review of the same database.
    with Store(url) as store:
        solo_review = Reviews(store).create_review(title="Alone", partnership="Benchmark partnership",
                                                   rubric_hash=store.snapshot_rubric(rubric_text))
        solo = person(Reviews(store), solo_review.participant_token, todo[0], think, 0.0, time.monotonic())
    clicks = np.array([x for r in results for x in r["click_ms"]] or [float("nan")])
    alone = np.array(solo["click_ms"] or [float("nan")])
    starts = [r["start"] for r in results if r["start"]]
    ends = [r["end"] for r in results if r["end"]]
    return {
        "participants": n, "statements": len(statements), "replicas": replicas, "think": think,
        "joined": sum(1 for r in results if r["token"]), "failed_joins": sum(1 for r in results if not r["token"]),
        "answers": sum(1 for r in results for w in r["writes"] if w[5]),
        "wall": (max(ends) - min(starts)) / 1e9 if starts and ends else float("nan"),
        "median": float(np.median(clicks)), "p95": float(np.percentile(clicks, 95)), "max": float(np.max(clicks)),
        "alone_median": float(np.median(alone)), "alone_p95": float(np.percentile(alone, 95)),
        "errors": [f"participant {r['index']}: {e}" for r in results for e in r["errors"]] + solo["errors"],
        "boards": boards, "load_before": load_before, "load_after": load_after, **check,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=None, help="default 200; --quick 6")
    parser.add_argument("--principles", type=int, default=None, help="the first N principles (default all; --quick 1)")
    parser.add_argument("--think-min", type=float, default=None, help="seconds (default 2; --quick 0.05)")
    parser.add_argument("--think-max", type=float, default=None, help="seconds (default 6; --quick 0.2)")
    parser.add_argument("--arrive", type=float, default=None, help="seconds over which people arrive (default 20)")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--pg-url", default=None, help=f"default ${PG_ENV}, else {LOCAL_PG}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="6 participants, 1 principle, short pauses (smoke)")
    args = parser.parse_args(argv)
    n = args.participants or (6 if args.quick else 200)
    principles = args.principles or (1 if args.quick else 99)
    think = (args.think_min if args.think_min is not None else (0.05 if args.quick else 2.0),
             args.think_max if args.think_max is not None else (0.2 if args.quick else 6.0))
    arrive = args.arrive if args.arrive is not None else (0.5 if args.quick else 20.0)
    pg_url = args.pg_url or __import__("os").environ.get(PG_ENV) or LOCAL_PG

    header(f"Replicas: {n} participants with think time over {args.replicas} replicas on one PostgreSQL "
           f"(think {think[0]:g}-{think[1]:g} s per statement)")
    print(f"   load average {loadavg()}")
    why = pg_unreachable(pg_url)
    if why:
        print(f"   PostgreSQL: skipped, {why}")
        print("   verdict: skipped (no PostgreSQL)")
        return
    backend = Backend("postgresql", pg_url)
    try:
        print(f"   {backend.describe()}")
        r = run(backend.new(), n, principles, think, arrive, args.replicas, args.seed)
    finally:
        backend.cleanup()
    reads = sum(b["reads"] for b in r["boards"])
    board_ms = np.array([x for b in r["boards"] for x in b["ms"]] or [float("nan")])
    board_errors = [e for b in r["boards"] for e in b["errors"]]
    ratio = r["p95"] / r["alone_p95"]
    print(f"\n   {r['participants']} participants x {r['statements']} statements over {r['replicas']} replicas "
          f"(load average {r['load_before']} before, {r['load_after']} after)")
    print(f"     joined {r['joined']}, failed joins {r['failed_joins']}, in the database {r['participants_db']}; "
          f"answers written {r['answers']:,} in {r['wall']:.1f} s")
    print(f"     rating to saved (set_answer + the page's read): median {r['median']:.1f} ms, p95 {r['p95']:.1f} ms, "
          f"max {r['max']:.1f} ms")
    print(f"     one participant alone, same clicks: median {r['alone_median']:.1f} ms, p95 {r['alone_p95']:.1f} ms")
    print(f"     ratio p95 load / alone: {ratio:.2f}x (target within 2x: {'met' if ratio <= 2 else 'missed'})")
    print(f"     dashboards: {reads} reads on {len(r['boards'])} replicas, median {np.median(board_ms):.0f} ms, "
          f"max {np.max(board_ms):.0f} ms; joined at the end {[b['final'] for b in r['boards']]}; "
          f"failed {len(board_errors)}")
    print(f"     lost {r['lost']}, duplicated {r['duplicated']}, never written {r['unexpected']}, "
          f"failed calls {len(r['errors'])}")
    for line in (r["problems"] + r["errors"] + board_errors)[:15]:
        print(f"       ! {line}")
    if any(b["final"] != r["participants"] for b in r["boards"]):
        board_errors.append(f"a dashboard did not count all {r['participants']} participants")
    bad = r["lost"] or r["duplicated"] or r["unexpected"] or r["errors"] or r["failed_joins"] or board_errors
    print(f"   verdict: {'FAILED' if bad else '0 lost, 0 duplicated, 0 failed joins: OK'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
