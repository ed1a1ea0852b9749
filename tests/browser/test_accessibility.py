"""Everyone can take part: an axe-core audit of each page, the quick check by keyboard alone,
and the layout at a phone's width and at 200% zoom."""

import pytest
from joiningforces.charts import summary_sentence
from joiningforces.scoring import score

from .helpers import QUICK, click_and_wait, screenshot, wait_idle, wait_saved
from .helpers import serious_accessibility_problems as serious_violations



def tab_to(page, script: str, limit: int = 120) -> None:
    """Press Tab until the focused element satisfies `script` (a JS predicate on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!(el && ({script})); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {script}")


def in_group(statement) -> str:
    label = statement.text.replace("\\", "\\\\").replace('"', '\\"')
    return f'el.closest(\'[role="radiogroup"]\')?.getAttribute("aria-label") === "{label}"'


def test_quick_check_with_the_keyboard_alone(page, server):
    page.goto(server.url)
    wait_idle(page)
    tab_to(page, "el.tagName === 'BUTTON' && el.innerText.includes('Take the quick check')")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=QUICK.principles[0].title).wait_for()
    wait_idle(page)
    for step, principle in enumerate(QUICK.principles):
        page.get_by_role("heading", name=principle.title).wait_for()
        for statement in principle.statements:
            tab_to(page, in_group(statement))
            page.keyboard.press("Space")  # choose the focused option
            page.keyboard.press("ArrowRight")  # and move one along: "Disagree"
            wait_idle(page)
        for statement in principle.statements:
            wait_saved(page, statement)
        # Focus must be visible where it lands.
        ring = page.evaluate("(() => { const el = document.activeElement;"
                             " const label = el.closest('[data-testid=\"stRadioOption\"]');"
                             " return el.matches(':focus-visible') && label"
                             " && getComputedStyle(label).outlineStyle + ' ' + getComputedStyle(label).outlineWidth; })()")
        assert ring == "solid 3px"
        target = "Next" if step < len(QUICK.principles) - 1 else "See results"
        tab_to(page, f"el.tagName === 'BUTTON' && el.innerText.includes('{target}')")
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your results").wait_for()
    wait_idle(page)
    screenshot(page, "a11y-keyboard-results")


@pytest.mark.parametrize("path", ["/", "/check", "/notebook", "/studio", "/facilitate"])
def test_axe_finds_no_serious_problems(page, server, path):
    page.goto(server.url + path)
    wait_idle(page)
    page.wait_for_timeout(500)  # let charts and fonts settle
    assert serious_violations(page) == []


def test_axe_on_results_with_answers(page, server):
    page.goto(server.url)
    wait_idle(page)
    page.get_by_role("button", name="Take the quick check").click()
    for statement in QUICK.principles[0].statements:
        click_and_wait(page.get_by_role("radiogroup", name=statement.text, exact=True).get_by_text("Disagree", exact=True))
    page.get_by_role("button", name="See results at any time").click()
    page.locator('[data-testid="stImage"] img[alt^="Radar chart"]').wait_for()
    wait_idle(page)
    page.wait_for_timeout(500)
    assert serious_violations(page) == []
    # The chart has words too: the summary sentence and the table are plain text.
    expected = summary_sentence(score(QUICK, {s.id: 2 for s in QUICK.principles[0].statements}))
    page.get_by_text(expected).wait_for()
    assert page.locator('[data-testid="stMarkdown"] table th').count() >= 1  # a real table, with headers


@pytest.mark.parametrize("width", [390, 1400])
def test_layout_at_phone_and_laptop_width(chromium, server, width):
    context = chromium.new_context(viewport={"width": width, "height": 1400})
    try:
        page = context.new_page()
        page.goto(server.url + "/check")
        wait_idle(page)
        screenshot(page, f"a11y-check-{width}px")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()


def test_layout_at_200_percent_zoom(chromium, server):
    # 200% zoom of a 1280px window is a 640 CSS-pixel viewport at device scale 2.
    context = chromium.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(server.url + "/check")
        wait_idle(page)
        screenshot(page, "a11y-check-zoom-200")
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.get_by_role("button", name="Next").wait_for()
    finally:
        context.close()
