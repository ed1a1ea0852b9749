"""Run every benchmark, each several times in turn, and keep the output.

    .venv/bin/python -m benchmarks.run_all                       # 2 rounds, full sizes
    .venv/bin/python -m benchmarks.run_all --rounds 1 --quick    # a fast look
    .venv/bin/python -m benchmarks.run_all --only rerun,aggregate --out /tmp/bench.txt

Each round runs the benchmarks one after another in a fresh process each (the browser ones
start their own servers), so two rounds show how much the figures move on this machine. The
load average is printed before and after each run: other work on the machine shows in it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from .common import ROOT, header, loadavg

BENCHMARKS = {
    "rerun": ["bench_rerun"],
    "first_render": ["bench_first_render"],
    "aggregate": ["bench_aggregate"],
    "reports": ["bench_reports"],
    "memory": ["bench_memory"],
    "load": ["bench_load"],
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=f"comma-separated, of {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark")
    parser.add_argument("--out", type=Path, help="also write everything printed to this file")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    out = args.out.open("w") if args.out else None

    def say(text: str) -> None:
        print(text, flush=True)
        if out:
            out.write(text + "\n")
            out.flush()

    header(f"All benchmarks: {', '.join(chosen)}; {args.rounds} round(s)")
    for round_ in range(1, args.rounds + 1):
        for name in chosen:
            command = [sys.executable, "-m", f"benchmarks.{BENCHMARKS[name][0]}", *BENCHMARKS[name][1:],
                       *(["--quick"] if args.quick else [])]
            say(f"\n### round {round_}: {name}  (load average before: {loadavg()})")
            say("$ " + " ".join([".venv/bin/python", *command[1:]]))
            start = time.perf_counter()
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ)
            say(result.stdout.rstrip())
            if result.returncode:
                say(f"!!! exited with {result.returncode}\n{result.stderr[-4000:]}")
            say(f"    ({time.perf_counter() - start:.0f} s; load average after: {loadavg()})")
    if out:
        out.close()


if __name__ == "__main__":
    main()
