"""Where a questionnaire rerun goes: server-side script-run times, and a cProfile of them.

    .venv/bin/python -m benchmarks.profile_rerun              # 20 answers, timed, then profiled
    .venv/bin/python -m benchmarks.profile_rerun --quick

Answers statements on /check in Chromium exactly as bench_rerun does, against the app served by
benchmarks/profiled_streamlit.py. Pass 1 only times each script run on the server (no profiler),
so the server's share of the latency measured in the page can be read off; pass 2 profiles the
same runs with cProfile and prints the functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import pstats
import tempfile
from pathlib import Path

from .bench_rerun import Questionnaire
from .common import BARE_APP, LiveServer, chromium, header, median, spread


def server_runs(browser, script, answers: int, warmups: int, profile_dir: Path | None, page_class) -> dict:
    with tempfile.TemporaryDirectory(prefix="jf-profile-") as tmp:
        log = Path(tmp) / "runs.jsonl"
        env = {"JF_RUN_LOG": str(log)} | ({"JF_PROFILE": str(profile_dir)} if profile_dir else {})
        with LiveServer(script, module="benchmarks.profiled_streamlit", env=env) as server:
            page = page_class(browser, server)
            for _ in range(warmups):
                page.sample()
            skip = len(log.read_text().splitlines()) if log.exists() else 0
            if profile_dir:
                for f in glob.glob(str(profile_dir / "*.prof")):
                    Path(f).unlink()  # profile the timed presses only
            in_page = [page.sample()["sent"] for _ in range(answers)]
            runs = [json.loads(line) for line in log.read_text().splitlines()[skip:]]
    return {"in_page": in_page, "runs": runs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--top", type=int, default=30, help="functions to list (default 30)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.answers, args.top = 3, 10
    from .bench_rerun import BareSlider

    header(f"Profile of questionnaire reruns: {args.answers} answers")
    with chromium() as browser:
        timed = server_runs(browser, "app.py", args.answers, 2, None, Questionnaire)
        bare = server_runs(browser, BARE_APP, args.answers, 2, None, BareSlider)
        for label, data in (("questionnaire /check", timed), ("bare slider", bare)):
            print(f"-- {label}")
            print(f"   in the page, rerun request -> shown and idle: {spread(data['in_page'])}")
            for kind in ("fragment", "full"):
                ms = [r["ms"] for r in data["runs"] if r["kind"] == kind]
                if ms:
                    print(f"   server, {kind} script runs:{'':<19} {spread(ms)}")
        runs = [r["ms"] for r in timed["runs"]]
        if runs and timed["in_page"]:
            print(f"   server script time / in-page latency (medians): "
                  f"{median(runs) / median(timed['in_page']):.0%}")
        with tempfile.TemporaryDirectory(prefix="jf-prof-") as folder:
            folder = Path(folder)
            server_runs(browser, "app.py", args.answers, 2, folder, Questionnaire)
            files = sorted(glob.glob(str(folder / "*.prof")))
            if not files:
                print("   no profile was written")
                return
            out = io.StringIO()
            stats = pstats.Stats(*files, stream=out)
            stats.sort_stats("cumulative").print_stats(args.top)
            print(f"-- cProfile of {len(files)} script runs (cumulative; all runs added up)")
            print(out.getvalue())


if __name__ == "__main__":
    main()
