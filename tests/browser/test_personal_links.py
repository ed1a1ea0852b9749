"""A board review's personal link works only in the browser that joined with it (no sign-in).

The attack: a facilitator joins first and hands out the personal link they got as if it were the
shared one, to read whatever people answer through it. Each browser context here is a separate
browser (its own storage), as two people's machines are.
"""

from __future__ import annotations

from sqlalchemy import URL

from joiningforces.library import default_rubric
from joiningforces.board import Reviews
from joiningforces.storage import Store
from joiningforces.storage.reviews import NOT_YOURS
from joiningforces.storage.store import SQLITE_FILE

from ui import rubric_text

from .helpers import screenshot, wait_idle

QUICK = default_rubric("quick-check")
FIRST = QUICK.principles[0].statements[0]


def new_review(server):
    server.data_dir.mkdir(parents=True, exist_ok=True)
    reviews = Reviews(Store(URL.create("sqlite", database=str(server.data_dir / SQLITE_FILE))))
    review = reviews.create_review(title="Harbour board review", partnership="Harbour Trust",
                                   rubric_hash=reviews.store.snapshot_rubric(rubric_text(QUICK)))
    return reviews, review


def open_page(context, url):
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(url)
    wait_idle(page)
    return page


def choose_role(page) -> None:
    page.get_by_role("radiogroup", name="Your role in the partnership").get_by_text(
        "Funder or commissioner", exact=True).click()


def join(context, url) -> str:
    """Join with the shared link, answer one statement; the personal link the page moved to."""
    page = open_page(context, url)
    choose_role(page)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name=QUICK.principles[0].title).wait_for()
    page.wait_for_url("**/review?t=*")
    page.get_by_role("radiogroup", name=FIRST.text, exact=True).get_by_text("Agree", exact=True).click()
    page.locator(f".st-key-saved-{FIRST.id}").get_by_text("Saved").wait_for()
    return page.url


def test_a_planted_personal_link_does_not_open_in_another_browser(chromium, server):
    reviews, review = new_review(server)
    shared = f"{server.url}/review?p={review.participant_token}"
    facilitator, member = chromium.new_context(), chromium.new_context()
    try:
        planted = join(facilitator, shared)  # the facilitator's own participation

        # The member is handed the personal link: it shows nothing of the review or its answers.
        page = open_page(member, planted)
        page.get_by_text(NOT_YOURS).wait_for()
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "Harbour" not in main and "Agree" not in main
        assert page.get_by_role("radiogroup").count() == 0
        screenshot(page, "review-personal-link-other-browser")

        # The member joins with the shared link instead: a participation of their own.
        theirs = join(member, shared)
        assert theirs != planted
        assert reviews.dashboard(review.facilitator_token).joined == 2

        # In the browser that joined, the planted link still opens its own answers, after a reload too.
        again = open_page(facilitator, planted)
        again.get_by_role("radiogroup", name=FIRST.text, exact=True).wait_for()
        assert again.get_by_role("radiogroup", name=FIRST.text, exact=True).get_by_role(
            "radio", name="Agree", exact=True).is_checked()
    finally:
        facilitator.close()
        member.close()


def test_the_same_browser_joining_again_gets_its_own_answers_back(chromium, server):
    reviews, review = new_review(server)
    shared = f"{server.url}/review?p={review.participant_token}"
    context = chromium.new_context()
    try:
        first = join(context, shared)
        # The personal link lost (a new tab, the shared link again): one browser, one participation.
        page = open_page(context, shared)
        choose_role(page)
        page.get_by_role("button", name="Start").click()
        page.get_by_role("heading", name=QUICK.principles[0].title).wait_for()
        page.wait_for_url("**/review?t=*")
        assert page.get_by_role("radiogroup", name=FIRST.text, exact=True).get_by_role(
            "radio", name="Agree", exact=True).is_checked()
        assert reviews.dashboard(review.facilitator_token).joined == 1
        assert page.url != first  # a new personal link; the old one stops working
    finally:
        context.close()
