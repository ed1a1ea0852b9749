"""Board reviews in the app (AppTest): create, join in separate sessions, live dashboard, privacy,
closing, roles, merging, actions, present mode, CSV and the board pack."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
from datetime import datetime

import pyarrow as pa
import pytest
from pypdf import PdfReader
import streamlit as st
from streamlit.runtime.caching import cache_utils
from streamlit.testing.v1 import AppTest

from ui.links import key_for
from joiningforces.access import LOCAL_OWNER
from joiningforces import boardpack
from joiningforces import review_views as views
from joiningforces.board import Reviews
from joiningforces.storage import LINK_NOT_FOUND, Store
from tests.apptest import new_app
from tests.helpers import QUICK
from tests.shown import tables

PURPOSE, MUTUAL = QUICK.principles[0], QUICK.principles[1]  # shared-purpose; mutual-interest (-2 is reversed)
F, S = "funder", "smaller-partner"
CACHE_TTL = 2.1  # the dashboard is cached for 2 s (pages/facilitate.py)


class CacheClock:
    """The clock of Streamlit's caches: real time plus what the test moved it on by."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture(scope="module")
def cache_clock():
    """Streamlit's cache timer, moved on by the test instead of sleeping: `cache_clock.advance(CACHE_TTL)`
    lets the dashboard's cache expire. The caches are emptied so they are made again with this timer,
    and again at the end so later modules get the real one."""
    with pytest.MonkeyPatch.context() as patch:
        clock = CacheClock()
        patch.setattr(cache_utils, "TTLCACHE_TIMER", clock)
        st.cache_resource.clear()
        yield clock
    st.cache_resource.clear()


def reviews() -> Reviews:
    return Reviews(Store())


def create_review(roles=(F, S), title: str | None = None, min_size: int = 3,
                  results_after_close: bool = False, join_by: str = "link") -> tuple[AppTest, str]:
    at = new_app("pages/facilitate.py")
    at.selectbox(key="new-review-rubric").set_value("quick-check").run()
    title = title or f"Spring review {uuid.uuid4().hex[:6]}"
    at.text_input(key="new-review-title").input(title)
    at.text_input(key="new-review-partnership").input(f"Riverside {uuid.uuid4().hex[:6]}")
    at.multiselect(key="new-review-roles-quick-check").set_value(list(roles))
    at.number_input(key="new-review-min").set_value(min_size)
    at.checkbox(key="new-review-after").set_value(results_after_close)
    at.radio(key="new-review-join-by").set_value(join_by)
    at.button(key="FormSubmitter:new-review-Create review").click().run()
    assert not at.exception and not at.error
    assert at.title[0].value == title
    return at, at.query_params["f"]


def join(link: str, role: str | None) -> tuple[AppTest, str]:
    at = new_app("pages/review.py", p=link)
    if role is not None:
        at.radio(key="join-role").set_value(role)
    at.button(key="join").click().run()
    assert not at.exception and not at.error
    assert "p" not in at.query_params
    return at, at.query_params["t"]


def answer(at: AppTest, own: str, answers: dict) -> None:
    for sid, value in answers.items():
        at.radio(key=f"rv-{key_for(own)}-answer-{sid}").set_value(value).run()


def next_step(at: AppTest, own: str) -> None:
    at.button(key=f"rv-{key_for(own)}-next").click().run()


def show_only_link_not_found(at: AppTest) -> None:
    assert not at.exception
    assert [e.value for e in at.error] == [LINK_NOT_FOUND]
    assert [t.value for t in at.title] == ["Board review"]
    assert not at.radio and not at.get("vega_lite_chart") and not tables(at) and not at.metric and not at.code
    assert not [b for b in at.button if b.key != "start-again"]


def table(at: AppTest, i: int):
    """The i-th table as the reader sees it: ui.table escapes Markdown ("4\\.0"), which renders as typed."""
    unescape = lambda v: re.sub(r"\\(.)", r"\1", str(v))  # noqa: E731
    frame = tables(at)[i].map(unescape)
    frame.index = [unescape(v) for v in frame.index]
    return frame


def chart_rows(element) -> list[dict]:
    rows = []
    for dataset in element.proto.datasets:
        rows += pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
    return rows


def series_scores(at: AppTest, series: str) -> dict[str, float]:
    """{principle title: score} of a radar series, read from the chart's own data."""
    found = {}
    for element in at.get("vega_lite_chart"):
        for row in chart_rows(element):
            if row.get("series") == series:
                found[row["principle"]] = row["score"]
    return found


# Three participants, hand-scored: shared purpose 4.0, 2.5, 5.0 (shared-purpose-6 reversed: 6-2 = 4,
# 6-3 = 3; C answered one of two: enough);
# shared impact (mutual-interest-2 reversed) (6-2+5)/2 = 4.5, (6-4+2)/2 = 2.0, C "dk" + 3 = 3.0.
PEOPLE = [
    (F, {"shared-purpose-5": 4, "shared-purpose-6": 2}, {"mutual-interest-2": 2, "mutual-interest-4": 5}),
    (S, {"shared-purpose-5": 2, "shared-purpose-6": 3}, {"mutual-interest-2": 4, "mutual-interest-4": 2}),
    (F, {"shared-purpose-5": 5, "shared-purpose-6": "dk"}, {"mutual-interest-2": "dk", "mutual-interest-4": 3}),
]


@pytest.fixture(scope="module")
def answered_review(module_data, cache_clock):
    """A review with three participants (two funders, one smaller partner) who answered two principles."""
    facilitator, ft = create_review()
    link = reviews().get_review(ft).participant_token
    people = []
    for role, first, second in PEOPLE:
        at, own = join(link, role)
        answer(at, own, first)
        next_step(at, own)
        answer(at, own, second)
        assert len(reviews().participant(own).answers) == 4
        people.append((at, own))
    cache_clock.advance(CACHE_TTL)  # the dashboard is worked out afresh: all three answers are in
    return facilitator, ft, people


def test_dashboard_counts_medians_and_hidden_role_groups(answered_review):
    facilitator, ft, _ = answered_review
    at = new_app("pages/facilitate.py", f=ft)  # the facilitator link on another device
    assert not at.exception
    assert [(m.label, m.value) for m in at.metric][:3] == [("Answered", "3"), ("In the results", "3"),
                                                           ("Joined", "3")]
    roles = table(at, 0)  # below the minimum a count is only "fewer than 3": 0 → 1 would say who answered
    assert roles.loc["Funder or commissioner", "In the results"] == "fewer than 3"
    assert roles.loc["Smaller or community partner", "In the results"] == "fewer than 3"
    assert roles.loc["All", "In the results"] == "3"

    # The group radar carries the medians, and only for principles with at least 3 answers.
    assert series_scores(at, views.GROUP_SERIES) == {PURPOSE.title: 4.0, MUTUAL.title: 3.0}
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "Radar chart" in spec["description"]
    # The band is the middle half: quartiles of 2.5, 4, 5 are 3.25 and 4.5; of 2, 3, 4.5 are 2.5 and 3.75
    # (shown with halves rounded up, as people round).
    ranges = {r["principle"]: r["range"] for r in chart_rows(at.get("vega_lite_chart")[0]) if r.get("range")}
    assert ranges == {PURPOSE.title: "3.3 to 4.5", MUTUAL.title: "2.5 to 3.8"}

    principles = table(at, 1)
    assert principles.loc[PURPOSE.title, "Median"] == "4.0" and principles.loc[MUTUAL.title, "Median"] == "3.0"
    assert principles.loc[QUICK.principles[5].title, "Median"] == "fewer than 3 answers"
    # Both role groups are under the minimum: named, with the reason, and no radar of their own.
    hidden = [m.value for m in at.markdown if "fewer than 3 answers" in m.value]
    assert "- **Funder or commissioner**: fewer than 3 answers" in hidden
    assert "- **Smaller or community partner**: fewer than 3 answers" in hidden
    assert not series_scores(at, "Funder or commissioner")

    # Where views differ most: both have a middle half of 1.25 and a range of 2.5, so rubric order;
    # each with its prompt and the distribution of answers (pooled, reversed ones turned round; a
    # statement only 2 people gave a value to, shared-purpose-6, is left out: 4, 2, 5 remain).
    assert [h.value for h in at.subheader if h.value in (PURPOSE.title, MUTUAL.title)] == [PURPOSE.title, MUTUAL.title]
    assert any(PURPOSE.prompt in m.value for m in at.markdown)
    bars = {r["score"]: r["count"] for r in chart_rows(at.get("vega_lite_chart")[1])}
    # Named as scores: a "Strongly agree" to a reversed statement counts as 1, not "Strongly disagree".
    assert bars == {"1 (weakest)": 0, "2": 1, "3": 0, "4": 1, "5 (strongest)": 1}


def test_participant_sees_own_and_group_results_but_nobody_elses(answered_review):
    _, _, people = answered_review
    at, own = people[1]  # the smaller partner: 2.5 and 2.0
    at.segmented_control(key=f"rv-{key_for(own)}-view").set_value("Results").run()
    assert not at.exception
    assert series_scores(at, "You") == {PURPOSE.title: 2.5, MUTUAL.title: 2.0}
    assert series_scores(at, views.GROUP_SERIES) == {PURPOSE.title: 4.0, MUTUAL.title: 3.0}
    assert {s for e in at.get("vega_lite_chart") for r in chart_rows(e) if (s := r.get("series"))} == {
        "You", views.GROUP_SERIES}


def test_role_groups_can_be_merged_to_reach_the_minimum(answered_review):
    _, ft, _ = answered_review
    at = new_app("pages/facilitate.py", f=ft)
    at.multiselect(key="merge-roles").set_value([F, S])
    at.text_input(key="merge-name").input("Everyone on the board")
    at.button(key="merge").click().run()
    assert not at.exception and not at.error
    assert reviews().get_review(ft).role_groups == {F: "Everyone on the board", S: "Everyone on the board"}
    assert series_scores(at, "Everyone on the board") == {PURPOSE.title: 4.0, MUTUAL.title: 3.0}
    at.button(key="unmerge").click().run()
    assert reviews().get_review(ft).role_groups == {}
    assert not series_scores(at, "Everyone on the board")


def test_the_presentation_link_shows_slides_and_nothing_else(answered_review):
    _, ft, _ = answered_review
    view = reviews().presentation_token(ft)
    at = new_app("pages/present.py", v=view)
    assert not at.exception
    assert at.title[0].value == "How we see the partnership"
    assert series_scores(at, views.GROUP_SERIES) == {PURPOSE.title: 4.0, MUTUAL.title: 3.0}
    assert not tables(at) and not at.code and not at.metric and not at.text_input and not at.toggle
    assert {b.key for b in at.button} == {"slide-back", "slide-next"}  # moving between slides, nothing else
    page = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert ft not in page and "f=" not in page
    at.button(key="slide-next").click().run()
    assert at.title[-1].value == "How the role groups see it"
    at.button(key="slide-next").click().run()
    first = at.title[-1].value
    assert first == PURPOSE.title
    bars = chart_rows(at.get("vega_lite_chart")[0])
    assert sum(r["count"] for r in bars) > 0
    at.button(key="slide-next").click().run()
    assert at.title[-1].value == MUTUAL.title
    assert at.button(key="slide-next").disabled  # only two principles have enough answers
    wrong = new_app("pages/present.py", v="x" * 32)
    assert [e.value for e in wrong.error] == [LINK_NOT_FOUND]


def test_actions_flow_into_the_notebook_and_the_board_pack(answered_review):
    _, ft, _ = answered_review
    at = new_app("pages/facilitate.py", f=ft)
    at.selectbox(key="action-principle").set_value(PURPOSE.id)
    at.text_input(key="action-text").input("Write the purpose in one sentence together")
    at.text_input(key="action-owner").input("Chair")
    at.button(key="FormSubmitter:new-action-Add action").click().run()
    assert not at.exception and not at.error
    review = reviews().get_review(ft)
    plan = Store().actions_for(review.partnership, belongs_to=LOCAL_OWNER)
    assert [(a.principle_id, a.text, a.owner, a.status) for a in plan] == [
        (PURPOSE.id, "Write the purpose in one sentence together", "Chair", "open")]
    assert any("Write the purpose in one sentence together" in m.value for m in at.markdown)
    at.selectbox(key=f"action-status-{plan[0].id}").set_value("doing").run()
    assert Store().actions_for(review.partnership, belongs_to=LOCAL_OWNER)[0].status == "doing"

    text = pdf_text(boardpack.board_pack(reviews().dashboard(ft), created=datetime(2026, 3, 5)))
    assert review.title in text and PURPOSE.title in text
    assert "Write the purpose in one sentence together (owner Chair, doing)" in text
    # Beside the radar, each element with how many principles its score rests on (two of the four
    # joining-forces principles have 3 answers; mean of medians 4.0 and 3.0).
    assert "Joining forces: 3.5 (Borderline), from 2 of 4 principles" in text
    assert "Putting relationships first: no score yet (none of its 4 principles scored)" in text
    assert "fewer than 3 answers" in text  # the role groups and the unanswered principles
    assert "5 March 2026" in text
    assert at.get("download_button")  # the board pack and CSV buttons are there


def test_csv_has_the_aggregate_and_the_hidden_groups(answered_review):
    _, ft, _ = answered_review
    rows = list(csv.reader(io.StringIO(reviews().csv(ft))))
    header = rows[0]
    everyone = {r[header.index("principle_id")]: r for r in rows[1:] if r and r[0] == "Everyone"}
    assert everyone[PURPOSE.id][header.index("median")] == "4.0"
    assert everyone[MUTUAL.id][header.index("median")] == "3.0"
    funders = [r for r in rows if r and r[0] == "Funder or commissioner"]
    assert funders and all(r[header.index("band")] == "fewer than 3 answers" for r in funders)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def test_board_pack_of_a_review_below_the_minimum_says_so():
    _, ft = create_review(roles=())
    link = reviews().get_review(ft).participant_token
    at, own = join(link, None)
    answer(at, own, {"shared-purpose-5": 4})
    text = pdf_text(boardpack.board_pack(reviews().dashboard(ft), created=datetime(2026, 3, 5)))
    assert "Not shown: fewer than 3 answers so far (1 answered)" in text
    assert "4.0" not in text  # no median leaks


def test_wrong_replaced_and_malformed_links_show_the_same_message_and_nothing_else():
    facilitator, ft = create_review()
    old = reviews().get_review(ft).participant_token
    facilitator.button(key="rotate-participant").click().run()
    new = reviews().get_review(ft).participant_token
    assert new != old and any(c.value.endswith(f"/review?p={new}") for c in facilitator.code)
    for bad in [old, "'; drop table board_reviews; --"]:  # replaced (well formed), and malformed
        show_only_link_not_found(new_app("pages/review.py", p=bad))
        show_only_link_not_found(new_app("pages/review.py", t=bad))
        show_only_link_not_found(new_app("pages/facilitate.py", f=bad))
    at, _ = join(new, F)  # the new link works
    assert at.title[0].value == reviews().get_review(ft).title


def test_only_the_reviews_roles_can_be_picked():
    _, ft = create_review(roles=(S, F))
    link = reviews().get_review(ft).participant_token
    at = new_app("pages/review.py", p=link)
    role = at.radio(key="join-role")
    assert role.options == ["Smaller or community partner", "Funder or commissioner"]  # rubric order
    with pytest.raises(ValueError, match="not in list"):  # a rubric role this review does not ask is no option
        role.set_value("convenor").run()
    at = new_app("pages/review.py", p=link)
    at.button(key="join").click().run()  # no role chosen
    assert [e.value for e in at.error] == ["Choose your role first."] and "t" not in at.query_params
    at, own = join(link, S)
    assert at.selectbox(key=f"rv-{key_for(own)}-role").options == role.options
    at.selectbox(key=f"rv-{key_for(own)}-role").set_value(F).run()
    assert reviews().participant(own).role == F


def test_a_closed_review_refuses_changes_with_a_clear_message():
    facilitator, ft = create_review()
    link = reviews().get_review(ft).participant_token
    at, own = join(link, F)
    answer(at, own, {"shared-purpose-5": 4})
    facilitator.button(key="close-review").click().run()
    assert reviews().get_review(ft).is_closed

    # The open page of the participant: the change is refused, said plainly, and put back.
    at.radio(key=f"rv-{key_for(own)}-answer-shared-purpose-5").set_value(2).run()
    assert any("answers can no longer be given or changed" in e.value for e in at.error)
    assert reviews().participant(own).answers == {"shared-purpose-5": 4}
    assert at.radio(key=f"rv-{key_for(own)}-answer-shared-purpose-5").value == 4

    # Coming back with their own link: read only.
    again = new_app("pages/review.py", t=own)
    assert any("answers can no longer be given or changed" in i.value for i in again.info)
    again.segmented_control(key=f"rv-{key_for(own)}-view").set_value("Your answers").run()
    assert again.radio(key=f"rv-{key_for(own)}-answer-shared-purpose-5").disabled

    # Newcomers cannot join.
    late = new_app("pages/review.py", p=link)
    assert any("closed" in w.value for w in late.warning) and not late.button

    # Reopened, answers can change again.
    facilitator.button(key="reopen").click().run()
    answer(new_app("pages/review.py", t=own), own, {"shared-purpose-5": 2})
    assert reviews().participant(own).answers == {"shared-purpose-5": 2}


def test_own_link_restores_answers_in_a_new_session_and_the_shared_link_does_not_join_twice():
    _, ft = create_review()
    link = reviews().get_review(ft).participant_token
    at, own = join(link, S)
    answer(at, own, {"shared-purpose-5": 5, "shared-purpose-6": "dk"})
    assert any(c.value.endswith(f"/review?t={own}") for c in at.code)
    other = new_app("pages/review.py", t=own)
    assert other.radio(key=f"rv-{key_for(own)}-answer-shared-purpose-5").value == 5
    assert other.radio(key=f"rv-{key_for(own)}-answer-shared-purpose-6").value == "dk"
    # The same tab opening the shared link again goes back to its own answers, not a second join.
    at.query_params.clear()
    at.query_params["p"] = link
    at.run()
    assert at.query_params.get("t") == own and "p" not in at.query_params
    assert reviews().dashboard(ft).joined == 1


def test_facilitator_takes_part_and_sees_own_answers_beside_the_group(cache_clock):
    facilitator, ft = create_review(roles=())
    facilitator.button(key="take-part").click().run()
    own = reviews().dashboard(ft).own_token
    assert own
    answer(new_app("pages/review.py", t=own), own, {"shared-purpose-5": 2, "shared-purpose-6": 4})
    link = reviews().get_review(ft).participant_token
    for value in (4, 5):
        at, token = join(link, None)
        answer(at, token, {"shared-purpose-5": value, "shared-purpose-6": 6 - value})
    cache_clock.advance(CACHE_TTL)
    at = new_app("pages/facilitate.py", f=ft)
    assert series_scores(at, "Your own answers") == {PURPOSE.title: 2.0}
    assert series_scores(at, views.GROUP_SERIES) == {PURPOSE.title: 4.0}
    assert table(at, 0).loc[PURPOSE.title, "Your own"] == "2.0"


def test_results_after_closing_wait_until_the_review_closes():
    facilitator, ft = create_review(roles=(), results_after_close=True)
    link = reviews().get_review(ft).participant_token
    people = []
    for value in (2, 3, 4):
        at, own = join(link, None)
        answer(at, own, {"shared-purpose-5": value})
        people.append((at, own))
    at, own = people[0]
    at.segmented_control(key=f"rv-{key_for(own)}-view").set_value("Results").run()
    assert any("once the review closes" in i.value for i in at.info)
    assert series_scores(at, "You") == {PURPOSE.title: 2.0} and not series_scores(at, views.GROUP_SERIES)
    facilitator.button(key="close-review").click().run()
    after = new_app("pages/review.py", t=own)  # closed: the results view opens by itself
    assert series_scores(after, views.GROUP_SERIES) == {PURPOSE.title: 3.0}
