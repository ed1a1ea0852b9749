"""A person completes the quick check in Chromium with mouse and keyboard, reads the radar, gets the PDF."""

import io

from pypdf import PdfReader

from joiningforces import exports
from joiningforces.scoring import score

from .helpers import QUICK, results_radar, screenshot, wait_idle, wait_saved

LABELS = [p.label for p in QUICK.scale.points]


def chosen_value(statement) -> int:
    """Trust is weak (a concern), everything else strong: a known result to read back from the chart."""
    weak = statement.id.startswith("trust-")
    agree = weak == statement.reverse
    return 5 if agree else 1 if weak else 2


def radio_group(page, statement):
    return page.get_by_role("radiogroup", name=statement.text, exact=True)


def test_quick_check_with_mouse_and_keyboard(page, server):
    page.goto(server.url)
    wait_idle(page)
    screenshot(page, "quick-check-01-home")
    page.get_by_role("button", name="Take the quick check").click()
    page.get_by_role("heading", name=QUICK.title).wait_for()

    last = len(QUICK.principles) - 1
    for step, principle in enumerate(QUICK.principles):
        page.get_by_role("heading", name=principle.title).wait_for()
        first, second = principle.statements
        # Mouse: click the wording of the answer.
        radio_group(page, first).get_by_text(LABELS[chosen_value(first) - 1], exact=True).click()
        # Keyboard: focus the group's first option, select it, then arrow across to the answer.
        group = radio_group(page, second)
        group.get_by_role("radio").first.focus()
        page.keyboard.press("Space")
        for _ in range(chosen_value(second) - 1):
            page.keyboard.press("ArrowRight")
        for statement in principle.statements:
            wait_saved(page, statement)
        wait_idle(page)
        if step == 0:
            screenshot(page, "quick-check-02-first-step")
        if step < last:
            page.get_by_role("button", name="Next").click()
    screenshot(page, "quick-check-03-last-step")
    page.get_by_role("button", name="See results", exact=True).click()
    page.get_by_role("heading", name="Your results").wait_for()
    read = results_radar(page)
    screenshot(page, "quick-check-04-results")

    expected = score(QUICK, {s.id: chosen_value(s) for s in QUICK.statements})
    assert read == {p.title: round(p.score, 1) for p in expected.principles}
    assert read[QUICK.principle("trust").title] == 1.0

    # Beside the beachball, each element's score with how many principles it rests on.
    for line in exports.element_lines(expected):
        page.get_by_text(line, exact=True).wait_for()

    # The weak spot is named with its practices.
    page.get_by_role("heading", name=f"{QUICK.principle('trust').title}: 1.0 (Concern)").wait_for()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="PDF report").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(open(download.path(), "rb").read()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert QUICK.principle("trust").title in text
    assert len(pdf.pages) <= 3


def test_ratings_given_while_the_step_is_still_drawing_each_show_saved(page, server):
    """A fast keyboard user rates a step's statements the moment they appear, while the run that
    draws the step is still going on. Streamlit's browser side sends such changes together as a
    rerun of the first radio group alone; every statement must still show its "Saved" mark."""
    page.goto(server.url)
    wait_idle(page)
    page.get_by_role("button", name="Take the quick check").click()
    for principle in QUICK.principles[:-1]:
        page.get_by_role("heading", name=principle.title).wait_for()  # no wait for the run to end
        for statement in principle.statements:
            radio_group(page, statement).get_by_role("radio").first.focus()
            page.keyboard.press("Space")
            page.keyboard.press("ArrowRight")  # "Disagree"
        for statement in principle.statements:
            wait_saved(page, statement)
            assert radio_group(page, statement).get_by_role("radio", name=LABELS[1], exact=True).is_checked()
        page.get_by_role("button", name="Next").click()
