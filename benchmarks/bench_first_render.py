"""First render in Chromium: the questionnaire (/check) and the results page vs a bare app.

    .venv/bin/python -m benchmarks.bench_first_render            # 10 loads each (after 1 warm-up)
    .venv/bin/python -m benchmarks.bench_first_render --quick    # 1 cold load each

Each load is a new Streamlit session, timed inside the page: from navigation start
(performance.now() == 0) to the first DOM mutation after which the app is idle
(`data-test-script-state="notRunning"`) with its main content shown. Two cache modes: "cold", a
fresh browser context per load (empty cache: a first visit), and "warm", a new tab in a context
that has loaded the page before (Streamlit's JavaScript chunks cached: a returning visitor).

- bare app (benchmarks/bare_app.py, one slider): "The value is 0.";
- bare app with one small Altair chart (/?widget=chart): the same, and the chart drawn;
- /check, full default rubric: the progress text "Principle 1 of 17";
- /results?a=TOKEN, the full rubric with all 71 statements answered (answered through the
  questionnaire in Chromium first; TOKEN is the resume link it gives): the "Your results" heading
  and both charts drawn (their SVG marks carry "score: ..." aria-labels).

The pages take turns, so load on the machine hits them alike. The first load of each page after
its server started is a warm-up (imports, caches) and is reported on its own; it stays open
during the run, like another user, so Streamlit keeps its compiled-script cache (which it empties
whenever a server's last session closes).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from joiningforces.library import default_rubric

from .common import (BARE_APP, FIRST_STEP, VARIANTS, LiveServer, saved, chromium, first_render_script, header, median, new_page,
                     parse_variants, spread, variant_label, wait_idle)

MARKDOWN = '[data-testid="stMarkdown"]'
PROGRESS = '[data-testid="stProgress"]'
# /results draws its two charts on the server (SVG images, alt text with every score); the bare
# yardstick's chart is an Altair chart drawn by Vega in the browser.
CHART_DRAWN = ('[data-testid="stImage"]:has(img[alt*="score: "])', "", 2)
VEGA_CHART_DRAWN = ('[data-testid="stVegaLiteChart"]:has(svg [aria-label*="score: "])', "", 1)
PATTERN = (1, 3, 2, 4, 0, 3, 1, 2)  # option index chosen for statement i: values 2, 4, 3, 5, 1, ...


def make_assessment(browser, server: LiveServer, principles: int | None = None) -> str:
    """Answer every statement of the default rubric's first `principles` principles (default all)
    on /check; return the resume token."""
    rubric = default_rubric()
    context, page = new_page(browser)
    try:
        page.goto(server.url + "/check")
        page.get_by_text(FIRST_STEP).wait_for()
        answered = 0
        for step, principle in enumerate(rubric.principles[:principles]):
            if step:
                page.locator(".st-key-next button").click()
                page.get_by_role("heading", name=principle.title, exact=True).wait_for()
                wait_idle(page)
            for statement in principle.statements:
                group = page.get_by_role("radiogroup", name=statement.text, exact=True)
                group.get_by_role("radio").nth(PATTERN[answered % len(PATTERN)]).focus()
                page.keyboard.press("Space")
                answered += 1
                saved(page, statement.id).wait_for()
                wait_idle(page)
        page.wait_for_url(lambda url: "a=" in url)
        return parse_qs(urlparse(page.url).query)["a"][0]
    finally:
        context.close()


def first_render(browser, url: str, conditions, context=None, keep: bool = False) -> float | tuple:
    """Load `url` in a new page and time its first render in the page (ms since navigation start).

    In a fresh browser context (empty cache) unless `context` is given (its cache is warm after
    its first load). With `keep`, the page stays open and (ms, page) is returned."""
    own = context is None
    if own:
        context, page = new_page(browser)
    else:
        page = context.new_page()
    try:
        page.add_init_script(first_render_script(*conditions))
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__firstRender !== null")
        ms = page.evaluate("() => window.__firstRender")
    except BaseException:
        (context if own else page).close()
        raise
    if keep:
        return ms, page
    (context if own else page).close()
    return ms


def run(loads: int, variants: list[str], principles: int | None, caches: list[str], chart_yardstick: bool = True
        ) -> tuple[dict[str, float], dict[tuple[str, str], list[float]]]:
    with contextlib.ExitStack() as stack:
        browser = stack.enter_context(chromium())
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jf-bench-data-")))
        bare = stack.enter_context(LiveServer(BARE_APP))
        apps = {v: stack.enter_context(LiveServer("app.py", data_dir=data, **VARIANTS[v])) for v in variants}
        pages = {"bare app, one slider": (bare.url, [(MARKDOWN, "The value is 0.", 1)])}
        if chart_yardstick:
            pages["bare app, slider + one chart"] = (bare.url + "/?widget=chart",
                                                     [(MARKDOWN, "The value is 0.", 1), VEGA_CHART_DRAWN])
        for variant, app in apps.items():
            pages[variant_label("questionnaire /check", variant)] = (
                app.url + "/check", [(PROGRESS, FIRST_STEP, 1)])
        # The first load after each server started, kept open: like another user on the server, it
        # keeps Streamlit's compiled-script cache (emptied whenever the last session closes).
        cold = {}
        for label, (url, cond) in pages.items():
            cold[label], anchor = first_render(browser, url, cond, keep=True)
            stack.callback(anchor.context.close)
        token = make_assessment(browser, next(iter(apps.values())), principles)  # one data folder for all
        for variant, app in apps.items():
            label = variant_label("results /results?a=TOKEN", variant)
            pages[label] = (app.url + f"/results?a={token}", [("h1", "Your results", 1), CHART_DRAWN])
            cold[label] = first_render(browser, *pages[label])
        warm_contexts = {}
        if "warm" in caches:
            for label, (url, cond) in pages.items():
                warm_contexts[label] = browser.new_context(viewport={"width": 1400, "height": 1800})
                stack.callback(warm_contexts[label].close)
                first_render(browser, url, cond, warm_contexts[label])  # fills its cache
        times = {(cache, label): [] for cache in caches for label in pages}
        for _ in range(loads):
            for label, (url, cond) in pages.items():  # taking turns: load on the machine hits all alike
                for cache in caches:
                    times[(cache, label)].append(first_render(browser, url, cond, warm_contexts.get(label)
                                                              if cache == "warm" else None))
        return cold, times


def report(cold: dict[str, float], times: dict[tuple[str, str], list[float]]) -> None:
    print("-- first load after the server started (fresh context; warm-up, not counted)")
    for label, ms in cold.items():
        print(f"   {label:<44} {ms:7.1f} ms")
    caches = list(dict.fromkeys(cache for cache, _ in times))
    for cache in caches:
        what = ("a fresh browser context each load: empty cache" if cache == "cold" else
                "a new tab each load in a context that has loaded the page before: assets cached")
        print(f"-- navigation start -> main content shown and idle; {what}")
        mine = {label: t for (c, label), t in times.items() if c == cache}
        for label, t in mine.items():
            print(f"   {label:<44} {spread(t)}")
        bare, chart = "bare app, one slider", "bare app, slider + one chart"
        for label in mine:
            if label.startswith("bare"):
                continue
            ratio = median(mine[label]) / median(mine[bare])
            extra = (f"; vs the bare app with a chart: {median(mine[label]) / median(mine[chart]):.2f}x"
                     if label.startswith("results") and chart in mine else "")
            print(f"   ratio {label} / bare: {ratio:.2f}x   (target <= 1.3x){extra}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=10, help="timed loads per page (default 10)")
    parser.add_argument("--variants", default="as-is",
                        help=f"comma-separated app server variants to compare, of {', '.join(VARIANTS)} "
                             "(default as-is)")
    parser.add_argument("--cache", default="cold,warm",
                        help="cold (a fresh browser context per load), warm (a new tab in a context that "
                             "loaded the page before), or both: cold,warm (default)")
    parser.add_argument("--quick", action="store_true",
                        help="1 cold load per page, results with one principle answered, no chart yardstick: a smoke run")
    args = parser.parse_args(argv)
    variants = parse_variants(parser, args.variants)
    caches = [c.strip() for c in args.cache.split(",") if c.strip()]
    if not caches or set(caches) - {"cold", "warm"}:
        parser.error("--cache takes cold, warm or cold,warm")
    principles = 1 if args.quick else None
    if args.quick:
        args.loads, caches = 1, ["cold"]
    header(f"First render in Chromium: {args.loads} loads per page and cache mode")
    report(*run(args.loads, variants, principles, caches, chart_yardstick=not args.quick))


if __name__ == "__main__":
    main()
