"""The rubric studio in Chromium: upload a rubric, read its problems or its preview, use it for a
self-check to the end, and make sure HTML in a rubric is shown as text and never runs."""

from __future__ import annotations

import re

from joiningforces import studio
from joiningforces.loader import load_rubric
from joiningforces.scoring import score
from tests.helpers import line_of, replace_once
from tests.payloads import XSS_IMG, XSS_SCRIPT, xss_rubric

from .helpers import WORKSHOP, open_studio, results_radar, screenshot, upload, wait_idle, wait_saved

RUBRIC = load_rubric(WORKSHOP)
LABELS = {p.value: p.label for p in RUBRIC.scale.points}


def read_radar(chart) -> dict[str, float]:
    """Principle title -> score, from the radar's points' aria-labels."""
    labels = chart.locator("svg [aria-label*='score: ']").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))")
    return {m.group(1): float(m.group(2)) for label in labels
            if (m := re.search(r"principle: (.+?); score: ([\d.]+)", label))}


def chosen(statement) -> int:
    """Varied answers, known in advance: fairness weak, the rest middling to strong."""
    if statement.id.startswith("fair-"):
        return 5 if statement.reverse else 1
    return 2 if statement.reverse else 4


def test_upload_preview_and_use_for_a_self_check(page, server):
    open_studio(page, server)
    upload(page, WORKSHOP)
    page.get_by_text("workshop.toml is a valid rubric").wait_for()
    page.get_by_role("heading", name=RUBRIC.title).wait_for()
    page.get_by_role("tabpanel", name="Principles and statements").get_by_text(RUBRIC.statements[-1].text).wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.locator("svg [aria-label*='series: Sample']").first.wait_for(state="attached")
    wait_idle(page)
    preview = page.get_by_role("tabpanel", name="Principles and statements")
    for statement in RUBRIC.statements:
        assert preview.get_by_text(statement.text).is_visible()
    screenshot(page, "studio-01-preview")
    page.get_by_role("tab", name="Sample radar").click()
    chart.locator("svg [aria-label*='series: Sample']").first.wait_for()
    sample = score(RUBRIC, studio.sample_answers(RUBRIC))
    assert read_radar(chart) == {p.title: round(p.score, 1) for p in sample.principles}
    screenshot(page, "studio-02-radar")
    page.get_by_role("tab", name="Compare with the library").click()
    page.get_by_text("Statements:", exact=False).first.wait_for()
    screenshot(page, "studio-03-compare")

    page.get_by_role("button", name="Use it for a self-check").click()
    page.get_by_role("heading", name=RUBRIC.title).wait_for()
    last = len(RUBRIC.principles) - 1
    for step, principle in enumerate(RUBRIC.principles):
        page.get_by_role("heading", name=principle.title).wait_for()
        wait_idle(page)
        for statement in principle.statements:
            group = page.get_by_role("radiogroup", name=statement.text, exact=True)
            group.get_by_text(LABELS[chosen(statement)], exact=True).click()
            wait_saved(page, statement)
        wait_idle(page)
        if step < last:
            page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="See results", exact=True).click()
    page.get_by_role("heading", name="Your results").wait_for()
    read = results_radar(page)
    expected = score(RUBRIC, {s.id: chosen(s) for s in RUBRIC.statements})
    assert read == {p.title: round(p.score, 1) for p in expected.principles}
    assert read["Fair shares"] == 1.0
    page.get_by_role("heading", name="Fair shares: 1.0 (Concern)").wait_for()


def test_a_broken_upload_shows_the_line_and_field(page, server):
    broken = replace_once(WORKSHOP, 'element = "relationships"', 'elemnt = "relationships"')
    line = line_of(broken, "elemnt")
    open_studio(page, server)
    upload(page, broken, "broken.toml")
    page.get_by_text("broken.toml cannot be used yet: 1 problem").wait_for()
    page.get_by_text(f"Line {line}, column 1").wait_for()
    page.get_by_text("field principles[0].elemnt").wait_for()
    page.get_by_text("Did you mean 'element'?", exact=False).wait_for()
    page.locator('[data-testid="stCode"]', has_text=f'{line} | elemnt = "relationships"').wait_for()
    wait_idle(page)
    assert not page.get_by_role("button", name="Use it for a self-check").count()
    screenshot(page, "studio-04-problems")

    # Not a rubric at all: explained, and the page carries on.
    upload(page, "<html><body>hello</body></html>", "page.toml")
    page.get_by_text("page.toml cannot be used yet: 1 problem").wait_for()
    page.get_by_text("This is not valid TOML", exact=False).wait_for()


def test_html_in_a_rubric_is_shown_as_text_and_never_runs(page, server):
    open_studio(page, server)
    upload(page, xss_rubric(), "xss.toml")
    title = f"Check {XSS_SCRIPT}"
    page.get_by_role("heading", name=title).wait_for()
    wait_idle(page)
    preview = page.get_by_role("tabpanel", name="Principles and statements")
    preview.get_by_text(f"We trust {XSS_IMG} each other.", exact=True).wait_for()  # as typed, no backslashes
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => window.__pwned") is None

    page.get_by_role("button", name="Use it for a self-check").click()
    page.get_by_role("heading", name=title).wait_for()
    # The statement is the radio group's label, shown as typed.
    page.locator('[data-testid="stRadio"]').get_by_text(f"We trust {XSS_IMG} each other.", exact=True).wait_for()
    wait_idle(page)
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => window.__pwned") is None
