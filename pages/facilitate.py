"""A board review, for the facilitator: create one, share the link, watch answers arrive, present
the results in the meeting, record the actions agreed, and export the board pack.

The facilitator's private link (?f=<token>) brings the dashboard back on any device. Everything
shown here is aggregate (`aggregate.ReviewAggregate`): groups below the minimum size read "fewer
than N answers", and nobody's answers are shown but the facilitator's own, to them.
"""

from datetime import date, datetime

import pandas as pd
import streamlit as st

import ui
from joiningforces import boardpack
from joiningforces import review_views as views
from joiningforces.aggregate import count_text
from joiningforces.storage import LINK_NOT_FOUND, NotFound, ReviewClosed, StoreUnavailable
from joiningforces.storage.schema import ACTION_STATUSES
from joiningforces.scoring import one_decimal

ui.run_through_app()

reviews = ui.reviews()
store = ui.store()
FAC = "f"
FAC_KEY = "facilitator-token"
LIVE_EVERY = "5s"
JOIN_BY = {"invitation": "A single-use invitation link for each person", "link": "One link shared with everyone"}
if ui.mode() == "signin":  # one participant per signed-in person
    JOIN_BY["sign-in"] = "Everyone signs in (one set of answers per person)"
SPREADS = {"quartiles": "Middle half (quartiles)", "range": "Full range (lowest to highest)"}


def bump() -> None:
    """After a change made here, the dashboard is worked out afresh rather than taken from the cache."""
    st.session_state["dash-version"] = st.session_state.get("dash-version", 0) + 1


@st.cache_resource(ttl=2, max_entries=64, show_spinner=False)
def dashboard_for(token: str, updated: datetime, version: int):
    """The dashboard, shared for a few seconds by every screen showing this review (a meeting room
    screen and the facilitator's laptop, say). Keyed on when the review last changed, so settings
    show at once; a token that stopped working never reaches here (`current_review` checks first)."""
    return reviews.dashboard(token)


def current_review(token: str):
    review = reviews.get_review(token)  # NotFound for a replaced or deleted link, never cached
    return review, dashboard_for(token, review.updated, st.session_state.get("dash-version", 0))


def forget_link() -> None:
    st.session_state.pop(FAC_KEY, None)
    if FAC in st.query_params:
        del st.query_params[FAC]


MESSAGES = "facilitate"  # where the dashboard tells what a button did (`ui.tell`)


# --- Create ----------------------------------------------------------------------------------

def minutes(rubric) -> int:
    return max(5, len(rubric.statements) // 2)


# A callback that writes: a busy or unreachable database is said plainly (`ui.show`).
guarded = ui.guarded(MESSAGES)


def create() -> None:
    st.title("Start a board review")
    ui.show(MESSAGES)
    st.write("Everyone on the board, or in the partnership, answers the check privately through a link you "
             "share. You see how many have answered and the group's picture: where it is strong, where views "
             "differ most and how different roles see it. Nobody's own answers are shown, and groups smaller "
             "than the minimum size are hidden.")
    rubrics = {rid: r for rid, r in ui.rubrics().items() if ui.rubric_text(r) is not None}
    ids = list(rubrics)
    current = ui.current_rubric().id
    rubric_id = st.selectbox(
        "Rubric", ids, index=ids.index(current) if current in ids else 0, key="new-review-rubric",
        format_func=lambda rid: f"{rubrics[rid].title} ({len(rubrics[rid].statements)} statements)")
    rubric = rubrics[rubric_id]
    labels = views.role_labels(rubric)
    st.caption(f"{len(rubric.statements)} statements in {len(rubric.principles)} principles: about "
               f"{minutes(rubric)} minutes for each person.")
    with st.form("new-review", border=True):
        st.text_input("Title", key="new-review-title", max_chars=200, placeholder="Board review, spring 2026")
        partnership = ui.details()["partnership"]
        st.text_input("Partnership", key="new-review-partnership", max_chars=200,
                      value="" if partnership == "My partnership" else partnership,
                      help="Agreed actions go into the notebook's action plan under this name.")
        st.multiselect("Roles people can choose from", [r.id for r in rubric.roles],
                       key=f"new-review-roles-{rubric_id}", format_func=lambda r: labels[r],
                       placeholder="None: do not ask people their role",
                       help="Results are shown by role group too, for groups at or above the minimum size. "
                            "Choose only the roles present; you can merge small groups later.")
        when, size = st.columns(2)
        when.date_input("Closing date (optional)", value=None, min_value=date.today(), key="new-review-closes",
                        help="Open to the end of that day (UTC). You can also close it by hand.")
        size.number_input("Minimum group size", min_value=3, max_value=100, value=3, step=1, key="new-review-min",
                          help="A group with fewer answers than this is not shown, so nobody's answers can be "
                               "worked out.")
        st.checkbox("Show participants the group's results only after the review closes", key="new-review-after")
        st.radio("How people join", list(JOIN_BY), format_func=JOIN_BY.get, key="new-review-join-by",
                 help="With invitations each person joins once, so nobody can pad a small group with made-up "
                      "answers.")
        submitted = st.form_submit_button("Create review", type="primary", icon=":material/add:")
    if submitted:
        try:
            ui.ready_to_keep()
            review = ui.notebook().create_review(
                reviews, rubric_text=ui.rubric_text(rubric),
                title=st.session_state["new-review-title"], partnership=st.session_state["new-review-partnership"],
                roles=st.session_state.get(f"new-review-roles-{rubric_id}", []),
                closes_at=st.session_state["new-review-closes"], min_size=int(st.session_state["new-review-min"]),
                results_after_close=st.session_state["new-review-after"],
                join_by=st.session_state["new-review-join-by"])
        except ValueError as problem:
            st.error(f"The review was not created: {problem}")
        except StoreUnavailable as busy:  # the form's fields keep what was typed
            st.error(f"The review was not created: {busy.message}")
        else:
            st.session_state[FAC_KEY] = review.facilitator_token
            st.query_params[FAC] = review.facilitator_token
            st.session_state["review-created"] = True
            st.rerun()


token = st.query_params.get(FAC) or st.session_state.get(FAC_KEY)
if not token:
    create()
    st.stop()

try:
    review, first = current_review(token)
except NotFound:
    forget_link()
    st.title("Board review")
    st.error(LINK_NOT_FOUND, icon=":material/link_off:")
    st.button("Start a new review", key="start-again", icon=":material/add:")
    st.stop()
st.session_state[FAC_KEY] = token
if st.query_params.get(FAC) != token:
    st.query_params[FAC] = token

rubric = store.rubric(review.rubric_hash)
labels = views.role_labels(rubric)
titles = {p.id: p.title for p in rubric.principles}


# --- Charts and tables (layout only: the numbers come from the core) -------------------------

# --- The dashboard ---------------------------------------------------------------------------

st.title(ui.plain(review.title))
st.caption(f"{ui.plain(review.partnership)} · {views.review_status(review)} · {ui.plain(rubric.title)} "
           f"{ui.plain(rubric.version)} · groups under {review.min_size} are hidden")
if review.presenter_token is None:  # made once, so the button below can open it
    review = review.__class__(**{**review.__dict__, "presenter_token": reviews.presentation_token(token)})
st.link_button("Open the presentation screen", ui.app_link("present", v=review.presenter_token),
               icon=":material/slideshow:", help="A view-only page for the meeting-room screen: the group's "
               "results, big, one slide at a time. It has no link to this dashboard and changes nothing.")

if st.session_state.pop("review-created", False):
    st.success("The review is ready. Share the participant link; keep the facilitator link to yourself.",
               icon=":material/check:")
ui.show(MESSAGES)


@guarded
def replace_participant_link() -> None:
    reviews.rotate_participant_token(token)
    ui.tell(MESSAGES, kind="success", text="The participant link was replaced: the old one no longer works. "
                                           "People who joined keep their own links and answers.")


@guarded
def make_invitations() -> None:
    codes = reviews.invite(token, int(st.session_state.get("invite-count", 1)))
    st.session_state["new-invitations"] = [ui.app_link("review", i=c) for c in codes]
    bump()


@guarded
def replace_presentation_link() -> None:
    reviews.rotate_presentation_token(token)
    ui.tell(MESSAGES, kind="success", text="The presentation link was replaced: the old one no longer works.")


# Closed unless opened: the facilitator link must never be on a projected screen by itself.
with st.expander("Links and invitations", icon=":material/link:", expanded=False):
    if review.join_by == "invitation":
        st.markdown("**Invitations.** Each person joins with their own single-use invitation link, so nobody can "
                    "join twice or make up the numbers. Make one per person and send each to one person.")
        count_col, make_col = st.columns([1, 2], vertical_alignment="bottom")
        count_col.number_input("How many", min_value=1, max_value=500, value=1, step=1, key="invite-count")
        make_col.button("Make invitation links", key="make-invitations", icon=":material/mail:",
                        on_click=make_invitations, disabled=review.is_closed)
        if made := st.session_state.get("new-invitations"):
            st.caption("Copy these now: each is shown once. One per person.")
            st.code("\n".join(made), language=None)
            st.download_button("Download them (text)", "\n".join(made) + "\n", file_name="invitations.txt",
                               mime="text/plain", key="download-invitations", on_click="ignore")
    else:
        st.markdown("**Participant link.** Share it with everyone who should answer: each gets their own private "
                    "link when they join. Anyone holding it can join more than once; for one join per person, "
                    "start a review by invitation.")
        st.code(ui.app_link("review", p=review.participant_token), language=None)
        with st.popover("Replace the participant link", icon=":material/autorenew:"):
            st.write("If the link went to the wrong people, replace it: the old one stops working at once, and you "
                     "share the new one. Nobody's answers are lost.")
            st.button("Replace it", key="rotate-participant", type="primary", on_click=replace_participant_link)
    st.markdown("**Presentation link.** For the meeting-room screen: results only, nothing that changes the review.")
    st.code(ui.app_link("present", v=review.presenter_token), language=None)
    with st.popover("Replace the presentation link", icon=":material/autorenew:"):
        st.button("Replace it", key="rotate-presentation", type="primary", on_click=replace_presentation_link)
    st.markdown("**Your facilitator link.** It brings this dashboard back on any device. Keep it private: anyone "
                "with it can see the results and change the review.")
    st.code(ui.app_link("facilitate", f=token), language=None)


@st.fragment(run_every=LIVE_EVERY)
def live() -> None:
    """Counts, the group radar, where views differ, the imbalance lens and weak spots: refreshed
    every few seconds as answers arrive."""
    try:
        _, dash = current_review(token)
    except NotFound:
        st.error(LINK_NOT_FOUND)
        return
    agg = dash.group
    cells = st.columns(4 if review.join_by == "invitation" else 3)
    cells[0].metric("Answered", dash.answered, border=True)
    cells[1].metric("In the results", agg.respondents, border=True,
                    help=f"Results move on once at least {agg.min_size} people have joined or changed answers "
                         "since they last did, or when the review closes: so no update shows one person's answers.")
    cells[2].metric("Joined", dash.joined, border=True)
    if review.join_by == "invitation":
        cells[3].metric("Invitations used", f"{dash.invitations_used} of {dash.invited}", border=True)
    if dash.own_token:
        st.caption("You took part: you count as one participant, marked as the facilitator.")
    if dash.pending:
        st.caption(f"Not in the results yet: {count_text(dash.pending, agg.min_size)} people's new or changed "
                   f"answers. The results update once {agg.min_size} people have joined or changed answers "
                   "since the last update, or when the review closes.")
    if review.roles:
        ui.table(pd.DataFrame(views.role_count_rows(review.roles, labels, dash.joined_by_role, dash.joined, dash.group)).set_index("Role"))
    if not agg.shown:
        st.info(f"The group's results appear once {agg.min_size} people have answered: {agg.suppressed} so far.",
                icon=":material/hourglass_empty:")
        return

    st.header("The group's picture")
    spread = st.radio("Band around the median", list(SPREADS), format_func=SPREADS.get, horizontal=True,
                      key="spread")
    mine = views.own_scores(dash.own)
    st.altair_chart(views.group_radar(agg, spread=spread, own=mine, own_name="Your own answers"),
                    width="content")
    if left := views.left_out(agg, [agg.everyone]):
        st.caption("Left out: " + "; ".join(ui.plain(x) for x in left) + ".")
    if mine is not None:
        st.caption("Your own answers are shown to you only; they are not in the exports.")
    ui.table(pd.DataFrame(views.principle_rows(agg, views.own_scores(dash.own))).set_index("Principle"))

    st.header("Where views differ most")
    st.caption("Principles with the widest middle half first. Answers are pooled over each principle's statements, "
               "with reversed statements turned round so that a higher value is always better; a statement fewer "
               f"than {agg.min_size} people gave a value to is left out.")
    for d in agg.disagreements[:3]:
        with st.container(border=True):
            st.subheader(ui.plain(d.principle.title))
            st.caption(views.stat_text(d.stats))
            if d.prompt:
                st.markdown(f"**To talk about:** {ui.plain(d.prompt)}")
            st.altair_chart(views.pooled_chart(rubric, d.counts), width="stretch")
    if len(agg.disagreements) > 3:
        with st.expander("Every principle, by spread"):
            st.caption("Columns 1 to 5 count the answers given at each point of the scale.")
            ui.table(pd.DataFrame(views.difference_rows(agg)).set_index("#"))

    st.header("How the role groups see it")
    if not agg.imbalance.groups:
        st.caption("This review does not ask people their role.")
    else:
        for g in agg.imbalance.groups:
            if not g.shown:
                st.markdown(f"- **{ui.plain(g.label)}**: {g.suppressed}")
        radar = views.roles_radar(agg)
        if radar is not None:
            st.altair_chart(radar, width="content")
        if left := views.left_out(agg, [g for g in agg.imbalance.groups if g.shown]):  # hidden ones are above
            st.caption("Not shown: " + "; ".join(ui.plain(x) for x in left))
        if agg.imbalance.gaps:
            st.markdown("**Where the groups differ most**")
            st.markdown("\n".join(f"- {ui.plain(titles[g.principle_id])}: {ui.plain(views.gap_text(agg, g))}"
                                  for g in agg.imbalance.gaps[:5]))
        else:
            st.caption(f"Groups are compared once at least two of them have {agg.min_size} or more answers; "
                       "merge small groups below to get there.")

    st.header("Weak spots and what to try")
    spots = agg.weak_spots()
    if not spots:
        st.success("No principle shown is in a band that calls for action.")
    st.caption("A principle is weak when the group, or any role group shown, rates it low: the least "
               "well-served group counts. Where role groups are a point or more apart, practices that share "
               "power come first.")
    for spot in spots:
        p = spot.principle
        low = agg.least_served(p.id)
        median = agg.everyone.principles[p.id].median
        why = (f"{ui.plain(low[0])} {one_decimal(low[1])}, everyone {one_decimal(median)}" if low else f"median {one_decimal(median)}")
        with st.expander(f"{ui.plain(p.title)}: {why} ({ui.plain(p.band.label)})"):
            for suggestion in spot.practices:
                practice = suggestion.practice
                st.markdown(f"**{ui.plain(practice.name)}.** {ui.plain(practice.what)}")
                st.markdown("\n".join(f"{i}. {ui.plain(step)}" for i, step in enumerate(practice.first_steps, 1)))


live()


# --- Role groups -----------------------------------------------------------------------------

def members(group) -> str:
    names = [labels[r] for r in group.roles]
    return "" if names == [group.label] else f" ({', '.join(ui.plain(n) for n in names)})"


@guarded
def merge() -> None:
    chosen = st.session_state.get("merge-roles", [])
    name = st.session_state.get("merge-name", "")
    if len(chosen) < 2:
        ui.tell(MESSAGES, kind="error", text="Choose at least two roles to merge.")
        return
    try:
        reviews.set_role_groups(token, review.role_groups | {r: name for r in chosen})
    except ValueError as problem:
        ui.tell(MESSAGES, kind="error", text=f"The groups were not merged: {problem}")
        return
    st.session_state["merge-roles"] = []
    st.session_state["merge-name"] = ""


@guarded
def unmerge() -> None:
    reviews.set_role_groups(token, {})


if len(review.roles) >= 2:
    with st.expander("Merge role groups", icon=":material/merge:"):
        st.caption(f"A role group with fewer than {review.min_size} answers is hidden. Merge roles into one group to "
                   "reach the minimum; participants see the same groups.")
        groups = first.group.imbalance.groups
        st.markdown("\n".join(f"- **{ui.plain(g.label)}**{members(g)}: {g.respondents} answered" for g in groups))
        st.multiselect("Roles to merge", review.roles, format_func=lambda r: labels[r], key="merge-roles")
        st.text_input("Name of the merged group", key="merge-name", max_chars=200, placeholder="Smaller partners")
        left, right = st.columns(2)
        left.button("Merge", key="merge", on_click=merge, icon=":material/merge:")
        right.button("Separate all roles again", key="unmerge", on_click=unmerge, disabled=not review.role_groups)


# --- Agreed actions --------------------------------------------------------------------------

@guarded
def add_action() -> None:
    text = (st.session_state.get("action-text") or "").strip()
    if not text:
        ui.tell(MESSAGES, kind="error", text="Write what the action is.")
        return
    try:
        reviews.add_action(token, st.session_state["action-principle"], text,
                           owner=(st.session_state.get("action-owner") or "").strip(),
                           due=st.session_state.get("action-due"))
    except ValueError as problem:
        ui.tell(MESSAGES, kind="error", text=f"The action was not added: {problem}")
        return
    bump()
    for key in ("action-text", "action-owner"):
        st.session_state[key] = ""
    st.session_state["action-due"] = None


@guarded
def set_status(action_id: int, key: str, saved: str) -> None:
    ui.save_action_status(action_id, key, saved)
    bump()


st.header("Agreed actions")
st.caption(f"Actions go into the notebook's action plan for {ui.plain(review.partnership)}, and into the board pack.")
order = list(titles)
worst = [d.principle.id for d in first.group.disagreements[:1]] + [s.principle.id for s in first.group.weak_spots()[:1]]
with st.form("new-action", clear_on_submit=False, border=True):
    st.selectbox("Principle", order, index=order.index(worst[-1]) if worst else 0, format_func=titles.get,
                 key="action-principle")
    st.text_input("What will be done", key="action-text", max_chars=500)
    who, when = st.columns(2)
    who.text_input("Owner", key="action-owner", max_chars=200)
    when.date_input("Due", value=None, key="action-due")
    st.form_submit_button("Add action", icon=":material/add_task:", on_click=add_action)
for action in first.actions:
    with st.container(border=True):
        text_col, status_col = st.columns([4, 1], vertical_alignment="center")
        text_col.markdown(ui.plain(views.action_text(rubric, action)))
        key = f"action-status-{action.id}"
        status_col.selectbox("Status", ACTION_STATUSES, index=ACTION_STATUSES.index(action.status), key=key,
                             on_change=set_status, args=(action.id, key, action.status),
                             label_visibility="collapsed")


# --- Taking part yourself ----------------------------------------------------------------------

@guarded
def take_part() -> None:
    try:
        reviews.join_as_facilitator(token, st.session_state.get("own-role") if review.roles else None)
    except (ReviewClosed, ValueError) as problem:
        ui.tell(MESSAGES, kind="error", text=str(problem))
        return
    bump()


with st.expander("Answer yourself", icon=":material/person:"):
    if first.own_token:
        st.write("Your answers count like anyone's. Only you see them beside the group's on this dashboard.")
        st.link_button("Change your own answers", ui.app_link("review", t=first.own_token), icon=":material/edit:")
    else:
        st.write("Take part as well: your answers count like anyone's, and you see them beside the group's.")
        if review.roles:
            st.selectbox("Your role", review.roles, format_func=lambda r: labels[r], key="own-role")
        st.button("Take part", key="take-part", on_click=take_part, disabled=review.is_closed)


# --- Exports ---------------------------------------------------------------------------------

st.header("Board pack and data")
stamp = date.today().isoformat()
pack_col, csv_col = st.columns(2)
ui.download_button(pack_col,
    "Board pack (PDF)", key="download-board-pack", mime="application/pdf",
    file_name=f"board-pack-{stamp}.pdf", icon=":material/picture_as_pdf:", width="stretch",
    # The spread is read now: Streamlit makes the file later, outside this session's script run.
    data=lambda spread=st.session_state.get("spread", "quartiles"): boardpack.board_pack(
        reviews.dashboard(token), created=datetime.now(), spread=spread))
# The CSV is made with the page, not when clicked: a file made on click was lost when the click
# fell during the 5-second refresh (7 downloads in 40 failed); it is small and cheap to make.
try:
    csv_bytes = reviews.csv(token).encode("utf-8-sig")
except StoreUnavailable as busy:
    csv_col.warning(f"The CSV could not be made: {busy.message}", icon=":material/error:")
else:
    ui.download_button(csv_col, "Aggregate results (CSV)", key="download-review-csv", mime="text/csv",
                       file_name=f"board-review-{stamp}.csv", icon=":material/table:", width="stretch",
                       data=csv_bytes)


# --- Settings --------------------------------------------------------------------------------

def run(action, success: str) -> bool:
    try:
        action()
    except (ValueError, ReviewClosed) as problem:
        ui.tell(MESSAGES, kind="error", text=str(problem))
    except NotFound:
        ui.tell(MESSAGES, kind="error", text=LINK_NOT_FOUND)
    except StoreUnavailable as busy:
        ui.tell(MESSAGES, kind="error", text=busy.message)
    else:
        ui.tell(MESSAGES, kind="success", text=success)
        return True
    return False


def save_settings() -> None:
    closes = st.session_state.get("settings-closes")
    changes = {"min_size": int(st.session_state["settings-min"]),
               "results_after_close": st.session_state["settings-after"]}
    if closes != closing_day:
        changes["closes_at"] = closes
    run(lambda: reviews.update_review(token, **changes), "Settings saved.")


def delete_review() -> None:
    if run(lambda: reviews.delete_review(token), "The review and every answer in it were deleted."):
        forget_link()  # only once it is gone: a failed delete keeps the link


@guarded
def replace_facilitator_link() -> None:
    new = reviews.rotate_facilitator_token(token)
    st.session_state[FAC_KEY] = new
    st.query_params[FAC] = new
    ui.tell(MESSAGES, kind="success", text="Your facilitator link was replaced; the old one no longer works. "
                                           "Keep the new one (under Links).")


closing_day = None if review.is_closed else views.closing_day(review.closes_at)

with st.expander("Settings", icon=":material/settings:"):
    if review.is_closed:
        st.button("Reopen the review", key="reopen", icon=":material/lock_open:",
                  on_click=run, args=(lambda: reviews.reopen_review(token), "The review is open again."))
    else:
        st.button("Close the review now", key="close-review", icon=":material/lock:",
                  on_click=run, args=(lambda: reviews.close_review(token), "The review is closed: answers can no "
                                      "longer be given or changed."))
    st.date_input("Closing date", value=closing_day, min_value=date.today(), key="settings-closes",
                  disabled=review.is_closed)
    st.number_input("Minimum group size", min_value=3, max_value=100, value=review.min_size, key="settings-min",
                    help="It can be raised at any time, but lowered only before anyone has answered.")
    st.checkbox("Show participants the group's results only after the review closes",
                value=review.results_after_close, key="settings-after")
    st.button("Save settings", key="save-settings", on_click=save_settings)
    st.divider()
    with st.popover("Replace my facilitator link", icon=":material/key:"):
        st.write("Your current link stops working at once; the new one appears under Links.")
        st.button("Replace it", key="rotate-facilitator", on_click=replace_facilitator_link)
    with st.popover("Delete the review", icon=":material/delete:"):
        st.write("Delete the review and every answer in it? This cannot be undone. Agreed actions stay in the "
                 "notebook.")
        st.button("Yes, delete it", key="delete-review", type="primary", on_click=delete_review)
