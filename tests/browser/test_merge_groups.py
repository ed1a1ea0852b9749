"""The facilitator separates merged role groups again while the dashboard refreshes itself.

Issue 14 reported a lost "Separate all roles again" click. The dashboard reruns its live part every
5 seconds, so here the click lands at different moments of that cycle, six times over: each click
must take effect (the groups are separate again and the button is disabled).
"""

from __future__ import annotations

from sqlalchemy import URL

from joiningforces.board import Reviews
from joiningforces.storage import Store
from joiningforces.storage.store import SQLITE_FILE

from ui import rubric_text

from .helpers import QUICK, wait_idle

F, S = "funder", "smaller-partner"


def test_separating_merged_groups_is_never_lost_during_refreshes(page, server):
    server.data_dir.mkdir(parents=True, exist_ok=True)
    reviews = Reviews(Store(URL.create("sqlite", database=str(server.data_dir / SQLITE_FILE))))
    review = reviews.create_review(title="Harbour board review", partnership="Harbour Trust",
                                   rubric_hash=reviews.store.snapshot_rubric(rubric_text(QUICK)), roles=[F, S])
    for role in (F, S, S, S):
        reviews.set_answers(reviews.join(review.participant_token, role).token, {s.id: 3 for s in QUICK.statements})
    separate = page.get_by_role("button", name="Separate all roles again")
    for delay_ms in (0, 900, 1800, 2700, 3600, 4500):  # spread over the 5-second refresh
        reviews.set_role_groups(review.facilitator_token, {F: "Everyone", S: "Everyone"})
        page.goto(f"{server.url}/facilitate?f={review.facilitator_token}")
        wait_idle(page)
        page.get_by_text("Merge role groups").click()
        page.get_by_text("Everyone", exact=True).first.wait_for()
        page.wait_for_timeout(delay_ms)
        separate.click()
        page.get_by_text("Funder or commissioner", exact=True).first.wait_for(timeout=15_000)
        page.wait_for_function("b => b.disabled", arg=separate.element_handle(), timeout=15_000)
        assert reviews.dashboard(review.facilitator_token).review.role_groups == {}, delay_ms
