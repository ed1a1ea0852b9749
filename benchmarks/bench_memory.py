"""Server memory with many browser sessions open on the questionnaire.

    .venv/bin/python -m benchmarks.bench_memory             # 20 sessions
    .venv/bin/python -m benchmarks.bench_memory --quick     # 2 sessions

Resident memory (VmRSS in /proc/<pid>/status) of the `streamlit run app.py` process, read:
when the server first answers /_stcore/health; after one session has loaded /check (the first
run imports what the pages need, once per process); after each further session is open on
/check (each in its own browser context, all kept open); and after every session has answered
one statement (which starts a saved assessment and keeps answers in its session state). The
figure per session is (RSS with all N open - RSS with one open) / (N - 1). The same is done for
the bare one-slider app as a yardstick. VmHWM (the peak) is shown too.
"""

from __future__ import annotations

import argparse
import contextlib
import time

from joiningforces.library import default_rubric

from .common import BARE_APP, FIRST_STEP, VARIANTS, LiveServer, saved, chromium, header, new_page, proc_status, variant_label, wait_idle


def settle(server: LiveServer, seconds: float = 1.0, timeout: float = 15.0) -> int:
    """RSS (KiB) once it has stayed within 256 KiB for `seconds` (background work such as the
    app's report warm-up thread done), or after `timeout`."""
    deadline = time.monotonic() + timeout
    last = server.rss_kib()
    while time.monotonic() < deadline:
        time.sleep(seconds)
        now = server.rss_kib()
        if abs(now - last) <= 256:
            return now
        last = now
    return last


def measure(browser, script, path: str, ready_text: str, sessions: int, answer: bool, **server) -> dict:
    rubric = default_rubric()
    first = rubric.statements[0]
    with LiveServer(script, **server) as server, contextlib.ExitStack() as stack:
        figures = {"start": settle(server, 0.5)}
        pages = []
        for i in range(sessions):
            context, page = new_page(browser)
            stack.callback(context.close)
            page.goto(server.url + path)
            page.get_by_text(ready_text).wait_for()
            wait_idle(page)
            pages.append(page)
            if i == 0:
                figures["one"] = settle(server)
        figures["all"] = settle(server)
        if answer:
            for page in pages:
                group = page.get_by_role("radiogroup", name=first.text, exact=True)
                group.get_by_role("radio").first.focus()
                page.keyboard.press("ArrowRight")
                saved(page, first.id).wait_for()
                wait_idle(page)
            figures["answered"] = settle(server)
        figures["hwm"] = proc_status(server.process.pid)["VmHWM"]
        return figures


def mib(kib: float) -> str:
    return f"{kib / 1024:7.1f} MiB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="browser sessions (default 20)")
    parser.add_argument("--variant", choices=list(VARIANTS), default="as-is",
                        help="how the app's server is started (see common.VARIANTS; default as-is)")
    parser.add_argument("--quick", action="store_true", help="2 sessions: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions = 2
    n = max(2, args.sessions)
    header(f"Server memory: {n} browser sessions")
    with chromium() as browser:
        runs = {
            "bare app, one slider": measure(browser, BARE_APP, "/", "The value is 0.", n, answer=False),
            variant_label("questionnaire /check", args.variant): measure(
                browser, "app.py", "/check", FIRST_STEP, n, answer=True,
                **VARIANTS[args.variant]),
        }
    for label, f in runs.items():
        per = (f["all"] - f["one"]) / (n - 1)
        print(f"-- {label}")
        print(f"   RSS at start {mib(f['start'])}; 1 session {mib(f['one'])}; {n} sessions {mib(f['all'])}; "
              f"peak (VmHWM) {mib(f['hwm'])}")
        print(f"   per session: {per / 1024:.2f} MiB ((RSS with {n} - RSS with 1) / {n - 1})")
        if "answered" in f:
            per_answered = (f["answered"] - f["one"]) / (n - 1)
            print(f"   after each session answered one statement: {mib(f['answered'])}; "
                  f"per session {per_answered / 1024:.2f} MiB ((that - RSS with 1) / {n - 1})")


if __name__ == "__main__":
    main()
