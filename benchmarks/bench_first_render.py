"""First render in Chromium: the questionnaire (/check) and the results page vs a bare app.

    .venv/bin/python -m benchmarks.bench_first_render            # 10 loads each (after 1 warm-up)
    .venv/bin/python -m benchmarks.bench_first_render --quick    # 2 loads each

Each load is a fresh browser context (empty cache, new Streamlit session), timed inside the page:
from navigation start (performance.now() == 0) to the first DOM mutation after which the app is
idle (`data-test-script-state="notRunning"`) with its main content shown:

- bare app (benchmarks/bare_app.py, one slider): "The value is 0.";
- /check, full default rubric: the progress text "0 of 49 statements answered";
- /results?a=TOKEN, the full rubric with all 49 statements answered (answered through the
  questionnaire in Chromium first; TOKEN is the resume link it gives): the "Your results" heading
  and both charts drawn (their SVG marks carry "score: ..." aria-labels).

The three pages take turns, so load on the machine hits them alike. The first load of each page
after its server started is a warm-up (imports, caches) and is reported on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from joiningforces.library import default_rubric

from .common import BARE_APP, VARIANTS, LiveServer, chromium, parse_variants, variant_label, first_render_script, header, median, new_page, spread, wait_idle

CHART_DRAWN = ('[data-testid="stVegaLiteChart"]:has(svg [aria-label*="score: "])', "", 2)
PATTERN = (1, 3, 2, 4, 0, 3, 1, 2)  # option index chosen for statement i: values 2, 4, 3, 5, 1, ...


def make_assessment(browser, server: LiveServer, principles: int | None = None) -> str:
    """Answer every statement of the default rubric's first `principles` principles (default all)
    on /check; return the resume token."""
    rubric = default_rubric()
    total = len(rubric.statements)
    context, page = new_page(browser)
    try:
        page.goto(server.url + "/check")
        page.get_by_text(f"0 of {total} statements answered").wait_for()
        answered = 0
        for step, principle in enumerate(rubric.principles[:principles]):
            if step:
                page.get_by_role("button", name="Next").click()
                page.get_by_role("heading", name=principle.title, exact=True).wait_for()
                wait_idle(page)
            for statement in principle.statements:
                group = page.get_by_role("radiogroup", name=statement.text, exact=True)
                group.get_by_role("radio").nth(PATTERN[answered % len(PATTERN)]).focus()
                page.keyboard.press("Space")
                answered += 1
                page.get_by_text(f"{answered} of {total} statements answered").wait_for()
                wait_idle(page)
        page.wait_for_url(lambda url: "a=" in url)
        return parse_qs(urlparse(page.url).query)["a"][0]
    finally:
        context.close()


def first_render(browser, url: str, conditions) -> float:
    context, page = new_page(browser)
    try:
        context.add_init_script(first_render_script(*conditions))
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__firstRender !== null")
        return page.evaluate("() => window.__firstRender")
    finally:
        context.close()


def run(loads: int, variants: list[str], principles: int | None) -> tuple[dict[str, float], dict[str, list[float]]]:
    total = len(default_rubric().statements)
    with contextlib.ExitStack() as stack:
        browser = stack.enter_context(chromium())
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jf-bench-data-")))
        bare = stack.enter_context(LiveServer(BARE_APP))
        apps = {v: stack.enter_context(LiveServer("app.py", data_dir=data, **VARIANTS[v])) for v in variants}
        pages = {"bare app, one slider": (bare.url, [('[data-testid="stMarkdown"]', "The value is 0.", 1)])}
        for variant, app in apps.items():
            pages[variant_label("questionnaire /check", variant)] = (
                app.url + "/check", [('[data-testid="stProgress"]', f"0 of {total} statements answered", 1)])
        cold = {label: first_render(browser, url, cond) for label, (url, cond) in pages.items()}
        token = make_assessment(browser, next(iter(apps.values())), principles)  # one data folder for all
        for variant, app in apps.items():
            label = variant_label("results /results?a=TOKEN", variant)
            pages[label] = (app.url + f"/results?a={token}", [("h1", "Your results", 1), CHART_DRAWN])
            cold[label] = first_render(browser, *pages[label])
        times = {label: [] for label in pages}
        for _ in range(loads):
            for label, (url, cond) in pages.items():
                times[label].append(first_render(browser, url, cond))
        return cold, times


def report(cold: dict[str, float], times: dict[str, list[float]]) -> None:
    print("-- first load after the server started (warm-up, not counted)")
    for label, ms in cold.items():
        print(f"   {label:<40} {ms:7.1f} ms")
    print("-- navigation start -> main content shown and idle (fresh context each load)")
    for label, t in times.items():
        print(f"   {label:<40} {spread(t)}")
    bare, *others = times
    for label in others:
        print(f"   ratio {label} / bare: {median(times[label]) / median(times[bare]):.2f}x   (target <= 1.3x)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=10, help="timed loads per page (default 10)")
    parser.add_argument("--variants", default="as-is",
                        help=f"comma-separated app server variants to compare, of {', '.join(VARIANTS)} "
                             "(default as-is)")
    parser.add_argument("--quick", action="store_true",
                        help="2 loads per page, results with one principle answered: a smoke run")
    args = parser.parse_args(argv)
    variants = parse_variants(parser, args.variants)
    principles = 1 if args.quick else None
    if args.quick:
        args.loads = 2
    header(f"First render in Chromium: {args.loads} loads per page")
    report(*run(args.loads, variants, principles))


if __name__ == "__main__":
    main()
