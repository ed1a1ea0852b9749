"""Report generation time: the PDF report of one full-rubric result, and a review's board pack.

    .venv/bin/python -m benchmarks.bench_reports            # 10 warm calls, 3 cold processes
    .venv/bin/python -m benchmarks.bench_reports --quick    # 2 warm calls, 1 cold process

- warm: `report.pdf_report` called again in a process that has made one before (median of the
  calls after the first);
- cold: a fresh Python process per sample, which imports joiningforces.report and makes one
  report: the import, the first call, and the first call when `report.warm_up()` ran first (as
  the app does in a background thread when its server starts);
- the same for the board pack (`boardpack.board_pack`, a board review's PDF) of a review of the
  full rubric with 40 participants (5 per role, random answers, seeded) and three agreed actions,
  kept in a temporary SQLite store; `Reviews.dashboard` (reading the answers and aggregating them)
  is timed on its own and is not part of the board-pack figure.

The result is the default rubric (2.0: 17 principles, 71 statements) with every statement answered
(a fixed mix of values, so several principles are weak spots with practices), a note on every
principle and three agreed actions: the longest report a person normally gets. Yardsticks, timed
in the same process: a one-page fpdf2 PDF with one line of text, and the CPU yardstick.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime

from .common import ROOT, cpu_yardstick, header

PATTERN = (2, 4, 3, 5, 1, 4, 2, 3)
TARGET_MS = 1500.0


def full_result():
    from joiningforces.library import default_rubric
    from joiningforces.scoring import score

    rubric = default_rubric()
    answers = {s.id: PATTERN[i % len(PATTERN)] for i, s in enumerate(rubric.statements)}
    notes = {p.id: f"Evidence for {p.title}: what we saw this year, and what partners told us in the review. " * 3
             for p in rubric.principles}
    actions = [{"text": f"Agree a shared plan for principle {i}", "owner": "Chair", "due": "2026-12-01"}
               for i in range(3)]
    return score(rubric, answers), notes, actions


def make_pdf(result, notes, actions) -> bytes:
    from joiningforces import report

    return report.pdf_report(result, notes, created=datetime(2026, 1, 1), subject="Bench partnership",
                             actions=actions)


def board_dashboard(folder: str, participants: int = 40, seed: int = 0):
    """A board review of the full rubric in a new SQLite store in `folder`; its Dashboard."""
    import random

    from joiningforces.library import load_library
    from joiningforces.board import Reviews
    from joiningforces.storage import Store

    library = load_library()
    rubric = library.rubrics["joining-forces"]
    store = Store(f"sqlite:///{folder}/bench.sqlite")
    reviews = Reviews(store)
    review = reviews.create_review(title="Annual review", partnership="Bench partnership",
                                   rubric_hash=store.snapshot_rubric(library.texts[rubric.id]))
    rng = random.Random(seed)
    roles = [r.id for r in rubric.roles]
    for i in range(participants):
        person = reviews.join(review.participant_token, roles[i % len(roles)])
        answers = {st.id: (None if rng.random() < 0.05 else rng.randint(1, 5)) for st in rubric.statements}
        reviews.set_answers(person.token, answers)
    for principle in rubric.principles[:3]:
        reviews.add_action(review.facilitator_token, principle.id, f"Agree a plan for {principle.title}", owner="Chair")
    return reviews, review.facilitator_token


def make_board_pack(dashboard) -> bytes:
    from joiningforces.boardpack import board_pack

    return board_pack(dashboard, created=datetime(2026, 1, 1))


def minimal_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="A yardstick.")
    return bytes(pdf.output())


def timed_calls(fn, calls: int) -> tuple[list[float], int]:
    fn()
    times, size = [], 0
    for _ in range(calls):
        start = time.perf_counter()
        out = fn()
        size = len(out) if isinstance(out, (bytes, str)) else 0
        times.append((time.perf_counter() - start) * 1000)
    return times, size


def warm(calls: int) -> dict:
    import tempfile

    result, notes, actions = full_result()
    times, size = timed_calls(lambda: make_pdf(result, notes, actions), calls)
    with tempfile.TemporaryDirectory(prefix="jf-bench-pack-") as folder:
        reviews, token = board_dashboard(folder)
        dash_times, _ = timed_calls(lambda: reviews.dashboard(token), calls)
        dashboard = reviews.dashboard(token)
        pack_times, pack_size = timed_calls(lambda: make_board_pack(dashboard), calls)
        reviews.store.close()
    minimal_pdf()
    start = time.perf_counter()
    for _ in range(5):
        minimal_pdf()
    return {"times": times, "bytes": size, "pack_times": pack_times, "pack_bytes": pack_size,
            "dashboard_times": dash_times, "minimal_ms": (time.perf_counter() - start) * 1000 / 5}


COLD_SCRIPT = r"""
import json, sys, tempfile, time
start = time.perf_counter()
from joiningforces import report
from benchmarks.bench_reports import board_dashboard, full_result, make_board_pack, make_pdf
imported = time.perf_counter()
if sys.argv[1] == "warm-up":
    report.warm_up()
warmed = time.perf_counter()
if sys.argv[2] == "report":
    result, notes, actions = full_result()
    built = time.perf_counter()
    data = make_pdf(result, notes, actions)
else:
    folder = tempfile.TemporaryDirectory(prefix="jf-bench-pack-", ignore_cleanup_errors=True)
    reviews, token = board_dashboard(folder.name)
    dashboard = reviews.dashboard(token)
    built = time.perf_counter()
    data = make_board_pack(dashboard)
done = time.perf_counter()
print(json.dumps({"import_ms": (imported - start) * 1000, "warm_up_ms": (warmed - imported) * 1000,
                  "first_ms": (done - built) * 1000, "bytes": len(data)}))
"""


def cold(mode: str, what: str) -> dict:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", COLD_SCRIPT, mode, what], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["process_ms"] = (time.perf_counter() - start) * 1000
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10, help="warm calls (default 10)")
    parser.add_argument("--processes", type=int, default=3, help="cold processes per mode (default 3)")
    parser.add_argument("--quick", action="store_true", help="2 warm calls, 1 cold process without warm-up: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.processes = 2, 1
    header(f"Reports: PDF report and board pack; {args.calls} warm calls, {args.processes} cold process(es) each")
    print(f"   CPU yardstick (numpy sort of 1M floats + 300k-step Python loop, best of 5): {cpu_yardstick():.1f} ms")
    w = warm(args.calls)
    print(f"   yardstick, a one-line fpdf2 PDF: {w['minimal_ms']:.2f} ms")
    for what, name, times, size in (("report", "pdf_report (one result)", w["times"], w["bytes"]),
                                    ("pack", "board_pack (review of 40)", w["pack_times"], w["pack_bytes"])):
        med = statistics.median(times)
        print(f"-- {name}, warm: median {med:.1f} ms (min {min(times):.1f}, max {max(times):.1f}, "
              f"n={len(times)}); {size / 1024:.0f} KiB; target <= {TARGET_MS:.0f} ms: "
              f"{'met' if med <= TARGET_MS else 'MISSED'}; / one-line PDF: {med / w['minimal_ms']:.0f}x")
        if what == "pack":
            print(f"   (Reviews.dashboard, reading and aggregating the 40 people's answers: median "
                  f"{statistics.median(w['dashboard_times']):.1f} ms; not included above)")
        modes = (("cold", "fresh process, first call"),
                 ("warm-up", "fresh process, report.warm_up() first (as the app's server does)"))
        for mode, how in modes[:1] if args.quick else modes:
            runs = [cold(mode, what) for _ in range(args.processes)]
            first = statistics.median(r["first_ms"] for r in runs)
            print(f"   {how}: median {first:.1f} ms ({', '.join(format(r['first_ms'], '.0f') for r in runs)} ms); "
                  f"target <= {TARGET_MS:.0f} ms: {'met' if first <= TARGET_MS else 'MISSED'}")
            print(f"      import of joiningforces.report {statistics.median(r['import_ms'] for r in runs):.0f} ms"
                  + (f", warm_up() {statistics.median(r['warm_up_ms'] for r in runs):.0f} ms"
                     if mode == "warm-up" else "")
                  + f", whole process {statistics.median(r['process_ms'] for r in runs):.0f} ms")


if __name__ == "__main__":
    main()
