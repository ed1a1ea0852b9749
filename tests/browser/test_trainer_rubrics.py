"""A trainer's Welsh rubric in Chromium: its text is marked Welsh for screen readers wherever it is
shown (the studio's preview, the questionnaire, the results' charts, table and weak spots) while
the app around it stays English; the radar is the results page's main picture at laptop, phone and
projector widths."""

from __future__ import annotations

from joiningforces.loader import load_rubric
from tests.helpers import replace_once

from .helpers import ARTIFACTS, WORKSHOP, open_studio, screenshot, upload, wait_idle, wait_saved

WELSH = replace_once(replace_once(WORKSHOP, 'language = "en"', 'language = "cy"'),
                     'text = "We start by assuming the best of each other."',
                     'text = "Rydyn ni’n dechrau drwy dybio’r gorau am ein gilydd."')
RUBRIC = load_rubric(WELSH)
WELSH_STATEMENT = "Rydyn ni’n dechrau drwy dybio’r gorau am ein gilydd."


def language_at(locator) -> str | None:
    return locator.evaluate("e => e.closest('[lang]') && e.closest('[lang]').getAttribute('lang')")


def test_a_welsh_rubric_is_read_as_welsh_and_the_radar_leads_the_results(page, server):
    open_studio(page, server)
    upload(page, WELSH, "gweithdy.toml")
    page.get_by_text("gweithdy.toml is a valid rubric").wait_for()
    preview = page.get_by_role("tabpanel", name="Principles and statements").get_by_text(WELSH_STATEMENT)
    preview.wait_for()
    wait_idle(page)
    assert language_at(preview) == "cy"
    assert page.locator("html").get_attribute("lang") == "en"  # the app's own words stay English
    assert language_at(page.get_by_role("heading", name="Rubric studio")) == "en"

    page.get_by_role("button", name="Use it for a self-check").click()
    first = RUBRIC.principles[0]
    page.get_by_role("heading", name=first.title).wait_for()
    wait_idle(page)
    group = page.get_by_role("radiogroup", name=WELSH_STATEMENT, exact=True)
    assert language_at(group) == "cy"
    assert language_at(page.get_by_role("button", name="Next")) == "en"
    for step, principle in enumerate(RUBRIC.principles):
        page.get_by_role("heading", name=principle.title).wait_for()
        wait_idle(page)
        for statement in principle.statements:
            page.get_by_role("radiogroup", name=statement.text, exact=True).get_by_text("Agree", exact=True).click()
            wait_saved(page, statement)
        if step < len(RUBRIC.principles) - 1:
            page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="See results", exact=True).click()
    page.get_by_role("heading", name="Your results").wait_for()
    radar = page.locator('[data-testid="stImage"] img[alt^="Radar chart"]').first
    radar.wait_for()
    wait_idle(page)
    assert language_at(radar) == "cy"
    assert language_at(page.locator('[data-testid="stImage"] img[alt^="Beachball"]').first) == "cy"
    assert language_at(page.get_by_role("table").first.get_by_text(RUBRIC.principles[0].title)) == "cy"
    assert language_at(page.get_by_role("heading", name="Your results")) == "en"

    for width, height, name in ((1280, 800, "laptop"), (390, 844, "phone"), (1920, 1080, "projector")):
        page.set_viewport_size({"width": width, "height": height})
        wait_idle(page)
        page.wait_for_timeout(300)
        box = radar.bounding_box()
        main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
        # The radar spans the page's content column (Streamlit's centred layout), at any width.
        assert box["width"] >= min(main["width"] - 40, 680), (name, box, main)
        radar.scroll_into_view_if_needed()
        page.screenshot(path=str(_artifact(f"results-radar-{name}.png")))
    screenshot(page, "results-welsh-full")


def _artifact(name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
