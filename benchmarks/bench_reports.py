"""Report generation time: the PDF report of one full-rubric result (and the board pack, if any).

    .venv/bin/python -m benchmarks.bench_reports            # 10 warm calls, 3 cold processes
    .venv/bin/python -m benchmarks.bench_reports --quick    # 2 warm calls, 1 cold process

- warm: `report.pdf_report` called again in a process that has made one before (median of the
  calls after the first);
- cold: a fresh Python process per sample, which imports joiningforces.report and makes one
  report: the import, the first call, and the first call when `report.warm_up()` ran first (as
  the app does in a background thread when its server starts);
- the same for the board pack (a group review's PDF) when joiningforces.report or
  joiningforces.aggregate has one (see BOARD_PACK_NAMES); otherwise that is said.

The result is the default rubric (12 principles, 49 statements) with every statement answered
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
BOARD_PACK_NAMES = ("board_pack", "board_report", "board_pdf", "review_pdf", "pdf_board_pack")
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


def board_pack():
    """The board pack function, if the code base has one yet: (name, callable) or None."""
    from joiningforces import aggregate, report

    for module in (report, aggregate):
        for name in BOARD_PACK_NAMES:
            if callable(getattr(module, name, None)):
                return f"{module.__name__}.{name}", getattr(module, name)
    return None


def minimal_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="A yardstick.")
    return bytes(pdf.output())


def warm(calls: int) -> dict:
    result, notes, actions = full_result()
    make_pdf(result, notes, actions)
    times = []
    size = 0
    for _ in range(calls):
        start = time.perf_counter()
        size = len(make_pdf(result, notes, actions))
        times.append((time.perf_counter() - start) * 1000)
    minimal_pdf()
    start = time.perf_counter()
    for _ in range(5):
        minimal_pdf()
    return {"times": times, "bytes": size, "minimal_ms": (time.perf_counter() - start) * 1000 / 5}


COLD_SCRIPT = r"""
import json, sys, time
start = time.perf_counter()
from joiningforces import report
from benchmarks.bench_reports import full_result, make_pdf
imported = time.perf_counter()
if sys.argv[1] == "warm-up":
    report.warm_up()
warmed = time.perf_counter()
result, notes, actions = full_result()
built = time.perf_counter()
data = make_pdf(result, notes, actions)
done = time.perf_counter()
print(json.dumps({"import_ms": (imported - start) * 1000, "warm_up_ms": (warmed - imported) * 1000,
                  "first_ms": (done - built) * 1000, "bytes": len(data)}))
"""


def cold(mode: str) -> dict:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", COLD_SCRIPT, mode], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["process_ms"] = (time.perf_counter() - start) * 1000
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10, help="warm calls (default 10)")
    parser.add_argument("--processes", type=int, default=3, help="cold processes per mode (default 3)")
    parser.add_argument("--quick", action="store_true", help="2 warm calls, 1 cold process: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.processes = 2, 1
    header(f"Reports: PDF of one full-rubric result; {args.calls} warm calls, {args.processes} cold process(es)")
    print(f"   CPU yardstick (numpy sort of 1M floats + 300k-step Python loop, best of 5): {cpu_yardstick():.1f} ms")
    w = warm(args.calls)
    med = statistics.median(w["times"])
    print(f"-- pdf_report, warm: median {med:.1f} ms (min {min(w['times']):.1f}, max {max(w['times']):.1f}, "
          f"n={len(w['times'])}); {w['bytes'] / 1024:.0f} KiB; target <= {TARGET_MS:.0f} ms: "
          f"{'met' if med <= TARGET_MS else 'MISSED'}")
    print(f"   yardstick, a one-line fpdf2 PDF: {w['minimal_ms']:.2f} ms (report / yardstick: "
          f"{med / w['minimal_ms']:.0f}x)")
    for mode, what in (("cold", "fresh process, first report"),
                       ("warm-up", "fresh process, report.warm_up() first (as the app's server does)")):
        runs = [cold(mode) for _ in range(args.processes)]
        first = statistics.median(r["first_ms"] for r in runs)
        print(f"-- pdf_report, {what}: first call median {first:.1f} ms "
              f"({', '.join(format(r['first_ms'], '.0f') for r in runs)} ms); target <= {TARGET_MS:.0f} ms: "
              f"{'met' if first <= TARGET_MS else 'MISSED'}")
        print(f"   import of joiningforces.report {statistics.median(r['import_ms'] for r in runs):.0f} ms"
              + (f", warm_up() {statistics.median(r['warm_up_ms'] for r in runs):.0f} ms" if mode == "warm-up" else "")
              + f", whole process {statistics.median(r['process_ms'] for r in runs):.0f} ms")
    found = board_pack()
    if found is None:
        print(f"-- board pack: not in the code base yet (looked for {', '.join(BOARD_PACK_NAMES)} in "
              "joiningforces.report and joiningforces.aggregate): not measured")
    else:
        print(f"-- board pack: {found[0]} exists but this script does not know how to call it yet: not measured")


if __name__ == "__main__":
    main()
