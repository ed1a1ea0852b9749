"""The benchmarks still run: each script at a tiny size (--quick), checked for its figures.

Nothing about time is asserted: the figures are for people (benchmarks/README.md). The scripts
run at the same time, each in its own process, so the whole smoke run takes about as long as the
slowest one. All are marked `bench`; the browser ones also `browser`, and are skipped without
Debian's Chromium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 240  # seconds per script, generous for a busy two-core machine

pytestmark = pytest.mark.bench  # left out of the fast lane: pytest -m "not browser and not bench"

# script (python -m benchmarks.X ...), whether it drives Chromium, and lines its output must have
SCRIPTS = {
    "rerun": (["bench_rerun", "--quick"], True,
              ["questionnaire /check, full rubric", "bare app, one slider", "ratio questionnaire / bare slider:"]),
    "first_render": (["bench_first_render", "--quick"], True,
                     ["ratio questionnaire /check / bare:", "ratio results /results?a=TOKEN / bare:"]),
    "memory": (["bench_memory", "--quick"], True, ["per session:", "questionnaire /check", "RSS at start"]),
    "profile": (["profile_app", "rerun", "--quick"], True, ["pass 1, no profiler", "the app's own functions"]),
    "aggregate": (["bench_aggregate", "--quick"], False, ["aggregate", "growth exponent 10 -> 100"]),
    "reports": (["bench_reports", "--quick"], False, ["pdf_report (one result), warm: median",
                                                     "board_pack (review of 40), warm: median",
                                                     "fresh process, first call"]),
    # PostgreSQL is used if it answers and skipped (with the reason printed) if not: SQLite always runs.
    "load": (["bench_load", "--quick"], False, ["SQLite, threads:", "SQLite, processes:", "yardstick:",
                                               "one participant alone", "verdict: 0 lost, 0 duplicated"]),
    # Two replicas on PostgreSQL with think time; prints "verdict: skipped" without PostgreSQL.
    "replicas": (["bench_replicas", "--quick"], False, ["Replicas:", "verdict: "]),
    "dashboard": (["profile_dashboard", "--quick"], False, ["wave   4: dashboard", "nothing changed since:",
                                                             "released cells"]),
}


def have_browser() -> bool:
    return os.path.exists(CHROMIUM)


@pytest.fixture(scope="module")
def runs(request):
    """Start every selected script that can run here at once; {name: (process, output file)}."""
    selected = {item.callspec.params["name"] for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")}
    out = {}
    folder = Path(tempfile.mkdtemp(prefix="jf-bench-smoke-"))
    for name, (args, browser, _) in SCRIPTS.items():
        if name not in selected or (browser and not have_browser()):
            continue
        log = folder / f"{name}.txt"
        process = subprocess.Popen([sys.executable, "-m", f"benchmarks.{args[0]}", *args[1:]], cwd=ROOT,
                                   stdout=log.open("wb"), stderr=subprocess.STDOUT)
        out[name] = (process, log)
    yield out
    for process, _ in out.values():
        if process.poll() is None:
            process.kill()
            process.wait()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.browser) if SCRIPTS[n][1] else n
                                  for n in SCRIPTS])
def test_benchmark_runs_and_prints_its_figures(runs, name):
    args, browser, expected = SCRIPTS[name]
    if name not in runs:
        if os.environ.get("JOININGFORCES_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser benchmarks")
    process, log = runs[name]
    try:
        code = process.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"benchmarks.{args[0]} took over {TIMEOUT} s:\n{log.read_text(errors='replace')}")
    text = log.read_text(errors="replace")
    assert code == 0, f"benchmarks.{args[0]} exited with {code}:\n{text}"
    assert text.startswith("== "), text  # the header: what is measured, with the machine and load
    assert "load average" in text
    for line in expected:
        assert line in text, f"{line!r} missing from the output of benchmarks.{args[0]}:\n{text}"
