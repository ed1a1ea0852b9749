"""Where the app's time goes on the server: script-run times, and a cProfile of those runs.

    .venv/bin/python -m benchmarks.profile_app rerun                  # 20 answers on /check
    .venv/bin/python -m benchmarks.profile_app first-render --page results
    .venv/bin/python -m benchmarks.profile_app first-render --page check --variant no-post-gc
    .venv/bin/python -m benchmarks.profile_app rerun --quick

The app is served by benchmarks/profiled_streamlit.py, which logs each script run's time on the
server (and, in the second pass, profiles it). Chromium drives it as the benchmarks do:

- rerun: answers statements on /check one key press at a time (bench_rerun's procedure); these
  are fragment reruns;
- first-render: loads /check, or /results?a=TOKEN for a fully answered assessment, each in a
  fresh browser context (bench_first_render's procedure); these are full runs of app.py. One
  extra session stays open meanwhile, as on a server with other users, so that Streamlit keeps
  its compiled-script cache (it empties it whenever the last session closes).

Pass 1 times the runs without a profiler; pass 2 profiles the same runs with cProfile (which
slows Python code, not C calls such as gc.collect, so read shares from it, times from pass 1)
and prints the top functions by cumulative time, then the app's own functions (pages, ui.py,
src/joiningforces) with their cumulative time per run.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import io
import json
import pstats
import tempfile
from pathlib import Path

from .bench_first_render import CHART_DRAWN, first_render, make_assessment
from .bench_rerun import Questionnaire
from .common import FIRST_STEP, ROOT, VARIANTS, LiveServer, chromium, header, median, new_page, spread, wait_idle


def serve(stack, variant: str, env: dict, data_dir: Path | None = None) -> LiveServer:
    options = dict(VARIANTS[variant])
    flags = options.get("flags", [])
    env = {**options.get("env", {}), **env}
    return stack.enter_context(LiveServer("app.py", module="benchmarks.profiled_streamlit", env=env, flags=flags,
                                          data_dir=data_dir))


def rerun_pass(browser, variant: str, answers: int, profile_dir: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="jf-profile-") as tmp, contextlib.ExitStack() as stack:
        log = Path(tmp) / "runs.jsonl"
        env = {"JF_RUN_LOG": str(log)} | ({"JF_PROFILE": str(profile_dir)} if profile_dir else {})
        server = serve(stack, variant, env)
        page = Questionnaire(browser, server)
        for _ in range(2):  # warm-ups: the first answer also starts the saved assessment
            page.sample()
        skip = len(log.read_text().splitlines()) if log.exists() else 0
        _clear(profile_dir)
        in_page = [page.sample()["sent"] for _ in range(answers)]
        page.context.close()
        runs = [json.loads(line) for line in log.read_text().splitlines()[skip:]]
    return {"in_page": in_page, "runs": runs}


def first_render_pass(browser, variant: str, page_name: str, loads: int, profile_dir: Path | None,
                      data_dir: Path, token: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="jf-profile-") as tmp, contextlib.ExitStack() as stack:
        log = Path(tmp) / "runs.jsonl"
        env = {"JF_RUN_LOG": str(log)} | ({"JF_PROFILE": str(profile_dir)} if profile_dir else {})
        server = serve(stack, variant, env, data_dir)
        if page_name == "results":
            url, conditions = server.url + f"/results?a={token}", [("h1", "Your results", 1), CHART_DRAWN]
        else:
            url, conditions = server.url + "/check", [('[data-testid="stProgress"]', FIRST_STEP, 1)]
        # Another user's session stays open, so Streamlit keeps its compiled-script cache.
        context, anchor = new_page(browser)
        stack.callback(context.close)
        anchor.goto(server.url + "/check")
        anchor.get_by_text(FIRST_STEP).wait_for()
        wait_idle(anchor)
        first_render(browser, url, conditions)  # warm-up
        skip = len(log.read_text().splitlines())
        _clear(profile_dir)
        in_page = [first_render(browser, url, conditions) for _ in range(loads)]
        runs = [json.loads(line) for line in log.read_text().splitlines()[skip:]]
    return {"in_page": in_page, "runs": runs}


def _clear(folder: Path | None) -> None:
    if folder:
        for f in glob.glob(str(folder / "*.prof")):
            Path(f).unlink()


def print_profile(folder: Path, top: int) -> None:
    files = sorted(glob.glob(str(folder / "*.prof")))
    if not files:
        print("   no profile was written")
        return
    runs = len(files)
    out = io.StringIO()
    stats = pstats.Stats(*files, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"-- cProfile of {runs} script runs, all added up, by cumulative time (top {top})")
    for line in out.getvalue().splitlines():
        if line.strip() and not line.lstrip().startswith(("/tmp", "Ordered", "List reduced")) and "jf-prof" not in line:
            print("   " + line.replace(str(ROOT) + "/.venv/lib/python3.11/site-packages/", "")[:200])
    print(f"-- the app's own functions: cumulative ms per run (profiled), of {runs} runs")
    own = []
    for (path, line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if path.startswith(str(ROOT)) and "/.venv/" not in path and "/benchmarks/" not in path:
            own.append((ct, f"{Path(path).relative_to(ROOT)}:{line}({name})"))
    for ct, where in sorted(own, reverse=True)[:top]:
        print(f"   {ct * 1000 / runs:8.1f} ms  {where}")
    gc_time = sum(ct for (path, _l, name), (_cc, _nc, _tt, ct, _c) in stats.stats.items() if name == "<built-in method gc.collect>")
    print(f"   {gc_time * 1000 / runs:8.1f} ms  gc.collect (Streamlit's runner.postScriptGC, after every run)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["rerun", "first-render"])
    parser.add_argument("--page", choices=["check", "results"], default="check", help="for first-render")
    parser.add_argument("--variant", choices=list(VARIANTS), default="as-is")
    parser.add_argument("--samples", type=int, default=None, help="answers (rerun, default 20) or loads (default 8)")
    parser.add_argument("--top", type=int, default=30, help="functions to list (default 30)")
    parser.add_argument("--quick", action="store_true", help="1 sample, top 10: a smoke run")
    args = parser.parse_args(argv)
    samples = args.samples or (20 if args.what == "rerun" else 8)
    if args.quick:
        samples, args.top = 1, 10
    title = "questionnaire reruns (/check)" if args.what == "rerun" else f"first render of /{args.page}"
    header(f"Profile of {title}, app {args.variant}: {samples} samples")
    with chromium() as browser, tempfile.TemporaryDirectory(prefix="jf-prof-") as folder, \
            tempfile.TemporaryDirectory(prefix="jf-bench-data-") as data:
        folder, data = Path(folder), Path(data)
        if args.what == "rerun":
            def one_pass(profile_dir):
                return rerun_pass(browser, args.variant, samples, profile_dir)
        else:
            token = ""
            if args.page == "results":
                with LiveServer("app.py", data_dir=data) as server:
                    token = make_assessment(browser, server, 1 if args.quick else None)

            def one_pass(profile_dir):
                return first_render_pass(browser, args.variant, args.page, samples, profile_dir, data, token)
        timed = one_pass(None)
        what = "rerun request sent" if args.what == "rerun" else "navigation start"
        print(f"-- pass 1, no profiler: in the page, {what} -> shown and idle: {spread(timed['in_page'])}")
        for kind in ("fragment", "full"):
            ms = [r["ms"] for r in timed["runs"] if r["kind"] == kind]
            if ms:
                print(f"   server, {kind} script runs (gc included): {spread(ms)}")
        if timed["runs"] and timed["in_page"]:
            print(f"   server script time / in-page time (medians): "
                  f"{median([r['ms'] for r in timed['runs']]) / median(timed['in_page']):.0%}")
        one_pass(folder)
        print_profile(folder, args.top)


if __name__ == "__main__":
    main()
