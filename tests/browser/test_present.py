"""The meeting-room screen, invitations and downloads in Chromium.

- The presentation link at 1920×1080: wide, no sidebar, no controls but Previous/Next, no
  facilitator token in its address or HTML; screenshots kept in test-artifacts/.
- The facilitator's page projected by mistake does not show the facilitator link: the Links
  panel is closed.
- A single-use invitation joins one person once; opened again it says it was used.
- 40 CSV downloads, many clicked while the dashboard refreshes itself: 40 files.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import URL

from joiningforces.board import Reviews
from joiningforces.storage import Store
from joiningforces.storage.store import SQLITE_FILE

from ui import rubric_text  # the app's own way to read a library rubric's text

from .helpers import ARTIFACTS, QUICK, screenshot, wait_idle

F, S = "funder", "smaller-partner"
PROJECTOR = {"width": 1920, "height": 1080}


def reviews(server) -> Reviews:
    server.data_dir.mkdir(parents=True, exist_ok=True)  # made by the server's first page otherwise
    return Reviews(Store(URL.create("sqlite", database=str(server.data_dir / SQLITE_FILE))))


def answered_review(server, people=((F, 4), (F, 5), (S, 2), (S, 1), (S, 2), (F, 4)), **kw):
    r = reviews(server)
    review = r.create_review(title="Harbour board review", partnership="Harbour Trust",
                             rubric_hash=r.store.snapshot_rubric(rubric_text(QUICK)), roles=[F, S], **kw)
    for role, value in people:
        me = r.join(review.participant_token, role)
        r.set_answers(me.token, {s.id: (6 - value if s.reverse else value) for s in QUICK.statements})
    return r, review


def test_the_presentation_screen_at_1920_by_1080(chromium, server):
    r, review = answered_review(server)
    view = r.presentation_token(review.facilitator_token)
    context = chromium.new_context(viewport=PROJECTOR)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/present?v={view}")
        page.get_by_role("heading", name="How we see the partnership").wait_for()
        page.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="series: Group median"]').first.wait_for()
        wait_idle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')  # no navigation to wander into
        assert sidebar.count() == 0 or not sidebar.is_visible() or sidebar.bounding_box()["width"] < 5
        assert page.get_by_role("link", name="Facilitate").count() == 0
        named = {b.inner_text().split()[-1] for b in page.get_by_role("button").all() if b.inner_text().strip()}
        assert named == {"Previous", "Next"}, named  # no control but moving between slides
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "present-1920x1080-1-picture.png")
        for secret in (review.facilitator_token, review.participant_token):
            assert secret not in page.url and secret not in page.content()
        chart = page.locator('[data-testid="stVegaLiteChart"]').first.bounding_box()
        assert chart["width"] >= 700 and chart["height"] >= 600  # big enough for the back of a room
        # Every principle is named, beside the wheel, in letters readable from the back of the room
        # (20 px or more on a 1080-line screen, not a laptop chart's 13 px), and all of it is on screen.
        for principle in QUICK.principles:
            title = page.locator("li", has_text=principle.title).first
            assert title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 20, principle.title
            box = title.bounding_box()
            assert box["y"] + box["height"] <= PROJECTOR["height"], principle.title
        page.get_by_role("button", name="Next").click()
        page.get_by_role("heading", name="How the role groups see it").wait_for()
        wait_idle(page)
        page.locator('[data-testid="stVegaLiteChart"] svg [aria-label^="series: Smaller or community partner"]') \
            .first.wait_for()
        page.screenshot(path=ARTIFACTS / "present-1920x1080-2-roles.png")
        page.get_by_role("button", name="Next").click()
        page.get_by_text("Where views differ: 1 of", exact=False).wait_for()
        wait_idle(page)
        page.screenshot(path=ARTIFACTS / "present-1920x1080-3-principle.png")
        assert review.facilitator_token not in page.content()
    finally:
        context.close()


def test_the_projected_dashboard_keeps_the_facilitator_link_closed_away(page, server):
    r, review = answered_review(server, people=())
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{server.url}/facilitate?f={review.facilitator_token}")
    page.get_by_role("heading", name="Harbour board review").wait_for()
    wait_idle(page)
    # Nobody has joined yet, the moment it is projected for people to join: the panel stays shut.
    assert review.facilitator_token not in page.locator('[data-testid="stMain"]').inner_text()
    page.get_by_text("Links and invitations").click()
    page.get_by_text(f"facilitate?f={review.facilitator_token}").wait_for()  # there when asked for


def test_a_single_use_invitation_joins_one_person_once(chromium, server):
    r, review = answered_review(server, people=(), join_by="invitation")
    code = r.invite(review.facilitator_token, 1)[0]
    first, second = chromium.new_context(), chromium.new_context()
    try:
        page = first.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/review?i={code}")
        page.get_by_text("Your answers are private.").wait_for()
        page.get_by_role("radiogroup", name="Your role in the partnership").get_by_text(
            "Funder or commissioner", exact=True).click()
        page.get_by_role("button", name="Start").click()
        page.wait_for_url("**/review?t=*")
        page.get_by_text("This is a personal link").wait_for()
        other = second.new_page()
        other.set_default_timeout(20_000)
        other.goto(f"{server.url}/review?i={code}")
        other.get_by_text("This invitation has been used already").wait_for()
        assert other.get_by_role("button", name="Start").count() == 0
        screenshot(other, "review-invitation-used")
        # The shared link does not let anyone in to a review by invitation.
        other.goto(f"{server.url}/review?p={review.participant_token}")
        other.get_by_text("This review is by invitation").wait_for()
        assert other.get_by_role("button", name="Start").count() == 0
        assert r.dashboard(review.facilitator_token).invitations_used == 1
    finally:
        first.close()
        second.close()


def test_forty_csv_downloads_during_the_refreshes_give_forty_files(page, server):
    r, review = answered_review(server)
    page.goto(f"{server.url}/facilitate?f={review.facilitator_token}")
    button = page.get_by_role("button", name="Aggregate results (CSV)")
    button.wait_for()
    wait_idle(page)
    files = 0
    during_refresh = 0
    for n in range(40):
        if n % 2:  # every other click waits for the 5-second refresh to be running
            try:
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]',
                                       state="attached", timeout=7_000)
                during_refresh += 1
            except Exception:
                pass
        with page.expect_download(timeout=20_000) as download:
            button.click()
        rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
        assert rows[0][:3] == ["group", "respondents", "principle_id"]
        files += 1
    assert files == 40 and during_refresh >= 10
