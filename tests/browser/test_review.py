"""A board review in the browser: a facilitator creates it, three people answer in their own
browser contexts, the live dashboard shows them, and a wrong or replaced link shows nothing."""

from __future__ import annotations

import re

from joiningforces.library import default_rubric
from joiningforces.storage import LINK_NOT_FOUND

from .conftest import screenshot, wait_idle

QUICK = default_rubric("quick-check")
PURPOSE = QUICK.principles[0]
FIRST, SECOND = PURPOSE.statements
LAPTOP = {"width": 1400, "height": 1800}
PHONE = {"width": 390, "height": 2200}
# Funder 4 and 4 (4.0), smaller partner 2 and 3 (2.5), funder 5 and 5 (5.0): median 4.0.
PEOPLE = [("Funder or commissioner", "Agree", "Agree"),
          ("Smaller or community partner", "Disagree", "Neither agree nor disagree"),
          ("Funder or commissioner", "Strongly agree", "Strongly agree")]


def choose(page, statement, label: str) -> None:
    page.get_by_role("radiogroup", name=statement.text, exact=True).get_by_text(label, exact=True).click()


def pick(page, widget_label: str, option: str) -> None:
    """Choose an option of a selectbox or multiselect by its label."""
    page.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(has_text=widget_label) \
        .first.locator("input").first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def create_review(page, url: str) -> tuple[str, str]:
    page.goto(f"{url}/facilitate")
    wait_idle(page)
    page.get_by_role("heading", name="Start a board review").wait_for()
    pick(page, "Rubric", f"{QUICK.title} ({len(QUICK.statements)} statements)")
    page.get_by_role("textbox", name="Title").fill("Harbour board review")
    page.get_by_role("textbox", name="Partnership").fill("Harbour Trust")
    pick(page, "Roles people can choose from", "Funder or commissioner")
    pick(page, "Roles people can choose from", "Smaller or community partner")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Create review").click()
    page.get_by_role("heading", name="Harbour board review").wait_for()
    wait_idle(page)
    page.wait_for_url("**/facilitate?f=*")
    codes = page.locator('[data-testid="stCode"]')
    participant = re.search(r"\S+/review\?p=\S+", codes.nth(0).inner_text()).group(0)
    facilitator = re.search(r"\S+/facilitate\?f=\S+", codes.nth(1).inner_text()).group(0)
    assert facilitator == page.url
    return participant, facilitator


def take_part(context, link: str, role: str, first: str, second: str, name: str | None = None) -> str:
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(link)
    wait_idle(page)
    page.get_by_text("Your answers are private.").wait_for()
    page.get_by_role("radiogroup", name="Your role in the partnership").get_by_text(role, exact=True).click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name=PURPOSE.title).wait_for()
    page.wait_for_url("**/review?t=*")
    choose(page, FIRST, first)
    page.get_by_text("1 of 24 statements answered").wait_for()
    choose(page, SECOND, second)
    page.get_by_text("2 of 24 statements answered").wait_for()
    wait_idle(page)
    if name:
        screenshot(page, name)
    return page.url


def sees_only_not_found(context, link: str) -> None:
    page = context.new_page()
    page.goto(link)
    wait_idle(page)
    page.get_by_text(LINK_NOT_FOUND).wait_for()
    main = page.locator('[data-testid="stMain"]')
    assert "Harbour" not in main.inner_text()
    assert page.get_by_role("radiogroup").count() == 0 and page.get_by_role("button", name="Start").count() == 0
    page.close()


def test_a_board_review_from_creation_to_the_live_dashboard(page, server, chromium):
    participant_link, facilitator_link = create_review(page, server.url)
    page.get_by_text("Answered").first.wait_for()
    screenshot(page, "review-01-created")

    contexts = []
    try:
        for n, (role, first, second) in enumerate(PEOPLE):
            context = chromium.new_context(viewport=PHONE if n == 1 else LAPTOP)
            contexts.append(context)
            take_part(context, participant_link, role, first, second,
                      name="review-02-participant-390px" if n == 1 else None)

        # The dashboard refreshes itself: no reload.
        page.locator('[data-testid="stMetric"]', has_text="Answered").get_by_text("3", exact=True).wait_for(
            timeout=15_000)
        point = page.locator(f'[data-testid="stVegaLiteChart"] svg [aria-label^="series: Group median; '
                             f'principle: {PURPOSE.title}; score: 4.0"]')
        point.wait_for()
        assert page.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="series: Group median"]').count() == 1
        page.get_by_text("Funder or commissioner: fewer than 3 answers").wait_for()
        wait_idle(page)
        screenshot(page, "review-03-dashboard")

        # A participant comes back with their own link and sees the group beside their own answers.
        results = contexts[1].pages[0]
        results.get_by_role("radio", name="Results").click()
        results.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="series: You; '
                        f'principle: {PURPOSE.title}; score: 2.5"]').wait_for()
        results.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="series: Group median; '
                        f'principle: {PURPOSE.title}; score: 4.0"]').wait_for()
        wait_idle(results)
        screenshot(results, "review-04-participant-results-390px")

        # Present mode: one principle at a time, big.
        page.get_by_text("Present mode").click()
        page.get_by_role("heading", name="3 answered").wait_for()
        page.get_by_role("button", name="Next").click()
        page.get_by_role("heading", name=PURPOSE.title).wait_for()
        page.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="answer: Agree"]').first.wait_for()
        wait_idle(page)
        screenshot(page, "review-05-present")
        page.get_by_text("Present mode").click()
        wait_idle(page)

        # A fourth person with a wrong link, then with the link after it was replaced, sees nothing.
        stranger = chromium.new_context(viewport=LAPTOP)
        contexts.append(stranger)
        sees_only_not_found(stranger, participant_link.replace("?p=", "?p=x"))
        page.get_by_text("Links").first.click()
        page.get_by_role("button", name="Replace the participant link").click()
        page.get_by_role("button", name="Replace it").click()
        page.get_by_text("The participant link was replaced").wait_for()
        sees_only_not_found(stranger, participant_link)
        wrong = stranger.new_page()
        wrong.goto(participant_link)
        wait_idle(wrong)
        wrong.get_by_text(LINK_NOT_FOUND).wait_for()
        screenshot(wrong, "review-06-link-not-found")
    finally:
        for context in contexts:
            context.close()
