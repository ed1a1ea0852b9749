"""A board review in the browser: a facilitator creates it, three people answer in their own
browser contexts, the live dashboard shows them, and a wrong or replaced link shows nothing."""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from joiningforces.library import default_rubric
from joiningforces.storage import LINK_NOT_FOUND

from .conftest import screenshot, serious_accessibility_problems, wait_idle, wait_saved

QUICK = default_rubric("quick-check")
PURPOSE = QUICK.principles[0]
FIRST = PURPOSE.statements[0]  # one of its two statements is enough to score the principle
LAPTOP = {"width": 1400, "height": 1800}
PHONE = {"width": 390, "height": 2200}
# Funder 4, smaller partner 2, funder 5: the median is 4.0.
PEOPLE = [("Funder or commissioner", "Agree"), ("Smaller or community partner", "Disagree"),
          ("Funder or commissioner", "Strongly agree")]


def choose(page, statement, label: str) -> None:
    page.get_by_role("radiogroup", name=statement.text, exact=True).get_by_text(label, exact=True).click()


def pick(page, widget_label: str, option: str) -> None:
    """Choose an option of a selectbox or multiselect by its label.

    A rerun can redraw the open list under the pointer (often on a busy machine): then close it
    and open it again, up to three times.
    """
    for attempt in range(3):
        wait_idle(page)
        page.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(has_text=widget_label) \
            .first.locator("input").first.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=8_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    wait_idle(page)


def create_review(page, url: str) -> tuple[str, str]:
    page.goto(f"{url}/facilitate")
    wait_idle(page)
    page.get_by_role("heading", name="Start a board review").wait_for()
    pick(page, "Rubric", f"{QUICK.title} ({len(QUICK.statements)} statements)")
    page.get_by_text(f"{len(QUICK.statements)} statements in {len(QUICK.principles)} principles").wait_for()
    wait_idle(page)
    page.get_by_role("textbox", name="Title").fill("Harbour board review")
    page.get_by_role("textbox", name="Partnership").fill("Harbour Trust")
    pick(page, "Roles people can choose from", "Funder or commissioner")
    pick(page, "Roles people can choose from", "Smaller or community partner")
    page.keyboard.press("Escape")  # closes the list of roles
    page.get_by_role("option", name="Board member or trustee").wait_for(state="detached")
    page.get_by_text("One link shared with everyone").click()
    screenshot(page, "review-00-create")
    page.get_by_role("button", name="Create review").click()
    page.get_by_role("heading", name="Harbour board review").wait_for()
    wait_idle(page)
    page.wait_for_url("**/facilitate?f=*")
    page.get_by_text("Links and invitations").click()  # closed unless opened
    codes = page.locator('[data-testid="stCode"]')
    codes.first.wait_for()
    texts = [c.inner_text() for c in codes.all()]
    participant = next(m.group(0) for t in texts if (m := re.search(r"\S+/review\?p=\S+", t)))
    facilitator = next(m.group(0) for t in texts if (m := re.search(r"\S+/facilitate\?f=\S+", t)))
    assert facilitator == page.url
    return participant, facilitator


def take_part(context, link: str, role: str, label: str, name: str | None = None) -> str:
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(link)
    wait_idle(page)
    page.get_by_text("Your answers are private.").wait_for()
    if name:
        screenshot(page, f"{name}-join")
    page.get_by_role("radiogroup", name="Your role in the partnership").get_by_text(role, exact=True).click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name=PURPOSE.title).wait_for()
    page.wait_for_url("**/review?t=*")
    choose(page, FIRST, label)
    wait_saved(page, FIRST)
    if name:
        wait_idle(page)
        screenshot(page, name)
    return page.url


def sees_only_not_found(page, link: str) -> None:
    page.goto(link)
    wait_idle(page)
    page.get_by_text(LINK_NOT_FOUND).wait_for()
    main = page.locator('[data-testid="stMain"]')
    assert "Harbour" not in main.inner_text()
    assert page.get_by_role("radiogroup").count() == 0 and page.get_by_role("button", name="Start").count() == 0


def test_a_board_review_from_creation_to_the_live_dashboard(page, server, chromium):
    participant_link, facilitator_link = create_review(page, server.url)
    page.get_by_text("Answered").first.wait_for()
    screenshot(page, "review-01-created")

    contexts = []
    try:
        for n, (role, label) in enumerate(PEOPLE):
            context = chromium.new_context(viewport=PHONE if n == 1 else LAPTOP)
            contexts.append(context)
            take_part(context, participant_link, role, label, name="review-02-participant-390px" if n == 1 else None)

        # The dashboard refreshes itself: no reload.
        page.locator('[data-testid="stMetric"]', has_text="Answered").get_by_text("3", exact=True).wait_for(
            timeout=15_000)
        point = page.locator(f'[data-testid="stVegaLiteChart"] svg [aria-label^="series: Group median; '
                             f'principle: {PURPOSE.title}; score: 4.0"]')
        point.wait_for()
        assert page.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="series: Group median"]').count() == 1
        page.get_by_text("Funder or commissioner: fewer than 3 answers").wait_for()
        wait_idle(page)
        page.set_viewport_size({"width": 1400, "height": 4200})  # the whole dashboard in one picture
        screenshot(page, "review-03-dashboard")
        assert serious_accessibility_problems(page) == []
        page.set_viewport_size(LAPTOP)

        # A participant comes back with their own link and sees the group beside their own answers.
        results = contexts[1].pages[0]
        results.get_by_role("radio", name="Results").click()
        results.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="series: You; '
                        f'principle: {PURPOSE.title}; score: 2.0"]').wait_for()
        results.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="series: Group median; '
                        f'principle: {PURPOSE.title}; score: 4.0"]').wait_for()
        wait_idle(results)
        screenshot(results, "review-04-participant-results-390px")
        assert serious_accessibility_problems(results) == []

        # The presentation screen (its own view-only link) is tested in test_present.py.

        # A fourth person with a wrong link, then with the link after it was replaced, sees nothing.
        stranger = chromium.new_context(viewport=LAPTOP)
        contexts.append(stranger)
        outsider = stranger.new_page()
        outsider.set_default_timeout(20_000)
        sees_only_not_found(outsider, participant_link.replace("?p=", "?p=x"))
        page.get_by_role("button", name="Replace the participant link").click()
        page.get_by_role("button", name="Replace it").click()
        page.get_by_text("The participant link was replaced").wait_for()
        sees_only_not_found(outsider, participant_link)
        screenshot(outsider, "review-06-link-not-found")
    finally:
        for context in contexts:
            context.close()
