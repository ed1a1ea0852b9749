"""A board review in the browser: a facilitator creates it, three people answer in their own
browser contexts, the live dashboard shows them, and a wrong or replaced link shows nothing."""

from __future__ import annotations

from .helpers import (LAPTOP, PHONE, PURPOSE, create_review, screenshot, sees_only_not_found,
                      serious_accessibility_problems, take_part, wait_idle)

# Funder 4, smaller partner 2, funder 5: the median is 4.0.
PEOPLE = [("Funder or commissioner", "Agree"), ("Smaller or community partner", "Disagree"),
          ("Funder or commissioner", "Strongly agree")]


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
