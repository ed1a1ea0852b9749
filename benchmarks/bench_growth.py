"""Data that grows: the Notebook page and a review's dashboard, small and large, first render in Chromium.

    .venv/bin/python -m benchmarks.bench_growth            # notebook 10 vs 10,000; dashboard 10 vs 1,000
    .venv/bin/python -m benchmarks.bench_growth --quick    # notebook 10 vs 200; dashboard 10 vs 50; 1 load each

Each size gets its own app server on its own SQLite file in a temporary folder (local mode: the
person at the keyboard owns everything), seeded in bulk with realistic rows: assessments of the
default rubric with every statement answered, spread over 40 partnerships and five years; a
review of the default rubric whose participants (roles in turn) answered everything. Then, in
turns, the small and the large page are opened in a fresh browser context each (a new session),
timed from navigation to the page's content shown and the app idle: the Notebook's first
assessment ("... answered"), the dashboard's "Answered" count. Target: large within 1.5x small.
"""

from __future__ import annotations

import argparse
import random
import secrets
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from joiningforces.access import LOCAL_OWNER
from joiningforces.access import digest as link_digest
from joiningforces.library import DEFAULT_ID, default_rubric, rubric_dir
from joiningforces.board import Reviews
from joiningforces.storage import Store
from joiningforces.storage import schema as t

from .common import IDLE, LiveServer, chromium, header, loadavg, median, new_page

RUBRIC = default_rubric(DEFAULT_ID)
RUBRIC_TEXT = (rubric_dir() / f"{DEFAULT_ID}.toml").read_text(encoding="utf-8-sig")
STATEMENTS = [s.id for s in RUBRIC.statements]


def seed_notebook(folder: Path, n: int, partnerships: int = 40) -> None:
    rng = random.Random(n)
    with Store(f"sqlite:///{folder / 'joiningforces.sqlite3'}") as store:
        digest = store.snapshot_rubric(RUBRIC_TEXT)
        firsts = [store.create_assessment(rubric_hash=digest, partnership=f"Partnership {k}", respondent="Seed",
                                          belongs_to=LOCAL_OWNER) for k in range(min(partnerships, n))]
        start = datetime(2021, 1, 1, tzinfo=UTC)
        with store.engine.begin() as conn:
            pids = dict(conn.execute(select(t.assessments.c.uid, t.assessments.c.partnership_id)).all())
            rows = []
            for k in range(n - len(firsts)):
                when = start + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
                rows.append({"link_digest": link_digest(secrets.token_urlsafe(24)), "uid": uuid.uuid4().hex,
                             "partnership_id": pids[firsts[k % len(firsts)].id], "respondent": f"Person {k}",
                             "rubric_id": RUBRIC.id, "rubric_version": RUBRIC.version, "rubric_hash": digest,
                             "created": when, "updated": when, "belongs_to": LOCAL_OWNER})
            for chunk in range(0, len(rows), 2000):
                conn.execute(insert(t.assessments), rows[chunk:chunk + 2000])
            ids = [i for (i,) in conn.execute(select(t.assessments.c.id))]
            now = datetime.now(UTC)
            answers = [{"assessment_id": i, "statement_id": s, "value": rng.randint(1, 5), "answered_at": now}
                       for i in ids for s in STATEMENTS]
            for chunk in range(0, len(answers), 20_000):
                conn.execute(insert(t.answers), answers[chunk:chunk + 20_000])


def seed_review(folder: Path, n: int) -> str:
    """A review with n participants who answered everything; returns its facilitator link's token."""
    rng = random.Random(n)
    with Store(f"sqlite:///{folder / 'joiningforces.sqlite3'}") as store:
        review = Reviews(store).create_review(title="Growth", partnership="Benchmark partnership",
                                              rubric_hash=store.snapshot_rubric(RUBRIC_TEXT))
        roles = [r.id for r in RUBRIC.roles]
        now = datetime.now(UTC)
        with store.engine.begin() as conn:
            rid = conn.execute(select(t.board_reviews.c.id).where(t.board_reviews.c.uid == review.uid)).scalar_one()
            conn.execute(insert(t.board_participants), [
                {"review_id": rid, "link_digest": link_digest(secrets.token_urlsafe(24)), "role": roles[k % len(roles)],
                 "facilitator": False, "created": now, "updated": now} for k in range(n)])
            pids = [i for (i,) in conn.execute(select(t.board_participants.c.id)
                                               .where(t.board_participants.c.review_id == rid))]
            conn.execute(insert(t.board_answers), [
                {"participant_id": p, "statement_id": s, "value": None if rng.random() < 0.05 else rng.randint(1, 5),
                 "answered_at": now} for p in pids for s in STATEMENTS])
    return review.facilitator_token


def first_render(browser, url: str, ready) -> float:
    context, page = new_page(browser, timeout_ms=180_000)
    try:
        start = time.perf_counter()
        page.goto(url)
        ready(page).first.wait_for()
        page.wait_for_selector(IDLE, state="attached")
        return (time.perf_counter() - start) * 1000
    finally:
        context.close()


def compare(browser, what: str, small: tuple[int, str, object], large: tuple[int, str, object], loads: int) -> float:
    times = {small[0]: [], large[0]: []}
    for label, url, ready in (small, large):  # the first load of each server (imports) is reported apart
        print(f"   {what} {label:,}: first load after start {first_render(browser, url, ready):,.0f} ms")
    for _ in range(loads):
        for label, url, ready in (small, large):
            times[label].append(first_render(browser, url, ready))
    a, b = median(times[small[0]]), median(times[large[0]])
    print(f"   {what} {small[0]:,}: median {a:,.0f} ms ({', '.join(f'{x:.0f}' for x in times[small[0]])})")
    print(f"   {what} {large[0]:,}: median {b:,.0f} ms ({', '.join(f'{x:.0f}' for x in times[large[0]])})")
    print(f"   ratio {what} {large[0]:,} / {small[0]:,}: {b / a:.2f}x (target within 1.5x: "
          f"{'met' if b / a <= 1.5 else 'missed'})")
    return b / a


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=None, help="timed loads per page (default 5; --quick 1)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["notebook", "dashboard"], default=None)
    args = parser.parse_args(argv)
    loads = args.loads or (1 if args.quick else 5)
    big_notebook, big_review = (200, 50) if args.quick else (10_000, 1_000)
    header("Growth: Notebook and dashboard first render, small and large, in Chromium")
    print(f"   load average {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="jf-bench-growth-") as tmp, chromium() as browser:
        servers = []
        try:
            if args.only in (None, "notebook"):
                seeded = {}
                for n in (10, big_notebook):
                    folder = Path(tmp) / f"notebook{n}"
                    folder.mkdir()
                    started = time.perf_counter()
                    seed_notebook(folder, n)
                    print(f"   seeded a notebook of {n:,} assessments x {len(STATEMENTS)} answers in "
                          f"{time.perf_counter() - started:.1f} s")
                    servers.append(LiveServer(data_dir=folder))
                    seeded[n] = (n, f"{servers[-1].url}/notebook", lambda page: page.get_by_text(" answered"))
                compare(browser, "notebook of", seeded[10], seeded[big_notebook], loads)
            if args.only in (None, "dashboard"):
                seeded = {}
                for n in (10, big_review):
                    folder = Path(tmp) / f"review{n}"
                    folder.mkdir()
                    token = seed_review(folder, n)
                    servers.append(LiveServer(data_dir=folder))
                    seeded[n] = (n, f"{servers[-1].url}/facilitate?f={token}",
                                 lambda page, n=n: page.locator('[data-testid="stMetric"]', has_text="Answered")
                                 .get_by_text(str(n), exact=True))
                compare(browser, "dashboard with respondents:", seeded[10], seeded[big_review], loads)
        finally:
            for server in servers:
                server.stop()
    print(f"   load average after {loadavg()}")


if __name__ == "__main__":
    main()
