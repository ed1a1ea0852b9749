"""Rerun latency in Chromium: one rating changed on the full rubric's questionnaire vs a bare app.

    .venv/bin/python -m benchmarks.bench_rerun            # 40 presses each (after 2 warm-ups)
    .venv/bin/python -m benchmarks.bench_rerun --quick    # 3 presses each: does it still run?

Three servers are started (the app, and benchmarks/bare_app.py twice is not needed: the bare app
serves both yardsticks, the one slider at / and one radio group at /?widget=radio). One key
press is timed at a time, taking turns between the pages, so a burst of load on this machine
hits all of them alike. Each press is timed inside the page with performance.now():

- key:  from the keydown event to the first DOM mutation after which the new state is shown and
        the app is idle (`data-test-script-state="notRunning"`);
- sent: the same end, from the moment the page sent the rerun request over its WebSocket
        (leaves out the browser's own handling of the key).

On the questionnaire (/check, default rubric, 71 statements) the press is ArrowRight on the first
option of a statement not yet answered, which selects the second option; the new state is the
"Saved" mark the statement's radio group shows once the rating is stored. On the bare app it is ArrowRight on the slider
("The value is N+1.") or on the radio group ("The choice is N."). The first presses on each page
are warm-ups and not counted (the questionnaire's first answer also starts the saved assessment).
"""

from __future__ import annotations

import argparse
import contextlib
import math

from joiningforces.library import default_rubric

from .common import (BARE_APP, FIRST_STEP, TIMER_JS, VARIANTS, LiveServer, chromium, header, median, new_page, p95, parse_variants,
                     spread, timed_key, wait_idle)

PROGRESS = '[data-testid="stProgress"]'
MARKDOWN = '[data-testid="stMarkdown"]'


class BareSlider:
    label = "bare app, one slider"

    def __init__(self, browser, server: LiveServer):
        self.context, self.page = new_page(browser)
        self.context.add_init_script(TIMER_JS)
        self.page.goto(server.url)
        self.page.get_by_text("The value is 0.").wait_for()
        wait_idle(self.page)
        self.value = 0

    def sample(self) -> dict:
        self.page.locator('[data-testid="stSlider"] input[type="range"]').focus()
        self.value += 1
        return timed_key(self.page, "ArrowRight", MARKDOWN, f"The value is {self.value}.")


class BareRadio:
    label = "bare app, one radio group"
    query = "/?widget=radio"

    def __init__(self, browser, server: LiveServer):
        self.context, self.page = new_page(browser)
        self.context.add_init_script(TIMER_JS)
        self.page.goto(server.url + self.query)
        self.page.get_by_text("The choice is 1.").wait_for()
        wait_idle(self.page)
        self.choice = 1

    def sample(self) -> dict:
        self.page.get_by_role("radiogroup", name="Choice").get_by_role("radio", checked=True).focus()
        self.choice = self.choice % 6 + 1
        return timed_key(self.page, "ArrowRight", MARKDOWN, f"The choice is {self.choice}.")


class Questionnaire:
    label = "questionnaire /check, full rubric"

    def __init__(self, browser, server: LiveServer, variant: str = "as-is"):
        self.browser, self.server = browser, server
        if variant != "as-is":
            self.label = f"questionnaire [{variant}]"
        self.rubric = default_rubric()
        self.total = len(self.rubric.statements)
        self.context = None
        self.sessions = 0

    def _open(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context, self.page = new_page(self.browser)
        self.context.add_init_script(TIMER_JS)
        self.page.goto(self.server.url + "/check")
        self.page.get_by_text(FIRST_STEP).wait_for()
        wait_idle(self.page)
        self.todo = [(p, s) for p in self.rubric.principles for s in p.statements]
        self.step, self.answered = 0, 0
        self.sessions += 1

    def sample(self) -> dict:
        if self.context is None or not self.todo:
            self._open()  # a fresh session once every statement is answered
        principle, statement = self.todo.pop(0)
        index = self.rubric.principles.index(principle)
        while self.step < index:
            self.page.locator(".st-key-next button").click()
            self.step += 1
            self.page.get_by_role("heading", name=self.rubric.principles[self.step].title, exact=True).wait_for()
            wait_idle(self.page)
        group = self.page.get_by_role("radiogroup", name=statement.text, exact=True)
        group.get_by_role("radio").first.focus()
        self.answered += 1
        return timed_key(self.page, "ArrowRight", f".st-key-saved-{statement.id}", "Saved")


class BarePage(BareRadio):
    """The radio group on a page the size of a questionnaire step (bare_app.py ?widget=page)."""
    label = "bare app, radio on a step-sized page"
    query = "/?widget=page"


def run(presses: int, warmups: int, variants: list[str]) -> dict[str, dict[str, list[float]]]:
    with contextlib.ExitStack() as stack:
        browser = stack.enter_context(chromium())
        bare = stack.enter_context(LiveServer(BARE_APP))
        pages = [BareSlider(browser, bare), BareRadio(browser, bare), BarePage(browser, bare)]
        for variant in variants:
            app = stack.enter_context(LiveServer("app.py", **VARIANTS[variant]))
            pages.append(Questionnaire(browser, app, variant))
        for _ in range(warmups):
            for p in pages:
                p.sample()
        times = {p.label: {"key": [], "sent": []} for p in pages}
        for _ in range(presses):
            for p in pages:  # taking turns: load on the machine hits every page alike
                t = p.sample()
                times[p.label]["key"].append(t["key"])
                times[p.label]["sent"].append(t["sent"])
        return times


def report(times: dict[str, dict[str, list[float]]]) -> None:
    slider, radio, step_page, *checks = times  # labels, in the order of run()'s pages
    for kind, what in (("key", "key press -> new state shown and idle"),
                       ("sent", "rerun request sent -> new state shown and idle")):
        print(f"-- {what} (in the page)")
        for label, t in times.items():
            print(f"   {label:<36} {spread(t[kind])}")
        m = {label: median(t[kind]) for label, t in times.items()}
        for check in checks:
            name = "questionnaire" if check == Questionnaire.label else check
            if kind == "key":
                worst = p95(times[check][kind])
                print(f"   {name} p95: {worst:.1f} ms   (target <= 100 ms: {'met' if worst <= 100 else 'missed'})")
            print(f"   ratio {name} / bare slider: {m[check] / m[slider]:.2f}x")
            print(f"   ratio {name} / bare radio:  {m[check] / m[radio]:.2f}x")
            print(f"   ratio {name} / bare radio on a step-sized page: {m[check] / m[step_page]:.2f}x"
                  "   (the same size of page: today 1.1-1.3x)")
        print(f"   ratio bare radio on a step-sized page / bare slider: {m[step_page] / m[slider]:.2f}x")
    if any(math.isnan(x) for t in times.values() for x in t["sent"]):
        print("   (some presses sent no WebSocket message: 'sent' is NaN for them)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=40, help="timed presses per page (default 40)")
    parser.add_argument("--warmups", type=int, default=2, help="untimed presses per page first (default 2)")
    parser.add_argument("--variants", default="as-is",
                        help=f"comma-separated app server variants to compare, of {', '.join(VARIANTS)} "
                             "(default as-is)")
    parser.add_argument("--quick", action="store_true", help="3 presses, 1 warm-up: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.presses, args.warmups = 3, 1
    header(f"Rerun latency in Chromium: {args.presses} presses per page after {args.warmups} warm-up(s)")
    variants = parse_variants(parser, args.variants)
    report(run(args.presses, args.warmups, variants))


if __name__ == "__main__":
    main()
