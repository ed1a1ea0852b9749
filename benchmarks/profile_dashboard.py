"""Where a board review's dashboard goes as the review fills: in-process, no browser.

    .venv/bin/python -m benchmarks.profile_dashboard                 # 200 people, 40 waves, SQLite
    .venv/bin/python -m benchmarks.profile_dashboard --pg-url URL    # the same on PostgreSQL
    .venv/bin/python -m benchmarks.profile_dashboard --quick         # 20 people, 4 waves

A review on the default rubric; everyone joins, then waves of ratings (250 per wave: 50 a second
for the 5 s between two refreshes of the live dashboard), each person answering the next
statement and, once done, changing one; a dashboard read after each wave, as the facilitator's
page does. Prints the dashboard's time every few waves, its time when nothing changed, the size
of the saved publication, and a cProfile of the last wave's dashboard (`--profile`).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import tempfile
import time

from sqlalchemy import func, select

from joiningforces.board import Reviews
from joiningforces.library import DEFAULT_ID, default_rubric, rubric_dir
from joiningforces.storage import Store
from joiningforces.storage import schema as tables

from .common import header


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=None, help="default 200; --quick 20")
    parser.add_argument("--waves", type=int, default=None, help="default 40; --quick 4")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL (a fresh schema is not made: use a scratch database)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the last dashboard")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    people = args.people or (20 if args.quick else 200)
    waves = args.waves or (4 if args.quick else 40)
    header(f"Dashboard of a filling review: {people} people, {waves} waves of ratings")
    url = args.pg_url or f"sqlite:///{tempfile.mkdtemp()}/profile.db"
    rubric = default_rubric(DEFAULT_ID)
    text = (rubric_dir() / f"{DEFAULT_ID}.toml").read_text(encoding="utf-8-sig")
    with Store(url) as store:
        reviews = Reviews(store)
        review = reviews.create_review(title="Profile", partnership="Benchmark", rubric_hash=store.snapshot_rubric(text))
        roles = [r.id for r in rubric.roles] or [None]
        sids = [s.id for s in rubric.statements]
        rng = random.Random(1)
        tokens = [reviews.join(review.participant_token, roles[i % len(roles)]).token for i in range(people)]
        progress = [0] * people
        profile = cProfile.Profile()
        for wave in range(waves):
            for _ in range(250):
                i = rng.randrange(people)
                if progress[i] < len(sids):
                    reviews.set_answer(tokens[i], sids[progress[i]], rng.choice([1, 2, 3, 4, 5, None]))
                    progress[i] += 1
                else:
                    reviews.set_answer(tokens[i], rng.choice(sids), rng.choice([1, 2, 3, 4, 5]))
            last = wave == waves - 1
            start = time.perf_counter()
            if last and args.profile:
                profile.enable()
            board = reviews.dashboard(review.facilitator_token)
            if last and args.profile:
                profile.disable()
            ms = (time.perf_counter() - start) * 1000
            if wave % 5 == 0 or last:
                print(f"   wave {wave + 1:>3}: dashboard {ms:7.0f} ms  ({board.answered} answered, {board.group.respondents} in the results)")
        start = time.perf_counter()
        reviews.dashboard(review.facilitator_token)
        print(f"   nothing changed since:  {(time.perf_counter() - start) * 1000:7.0f} ms")
        with store.db.read() as s:
            size = s.execute(select(func.length(tables.board_publications.c.data))).scalar() or 0
            cells = s.execute(select(func.count(), func.sum(func.length(tables.board_released.c.cell)))).one()
        print(f"   saved publication {size / 1024:,.0f} KiB; {cells[0]:,} released cells, {(cells[1] or 0) / 1024:,.0f} KiB")
    if args.profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
