"""The notebook: this person's saved assessments, comparing two, trends over time, action plans, reviews.

Everything here goes through `ui.notebook()`, which lists and opens only what is theirs."""

from datetime import date

import streamlit as st

import ui
from joiningforces import charts, history
from joiningforces.scoring import one_decimal
from joiningforces.storage import ACTION_STATUSES, NotFound

ui.run_through_app()

notebook = ui.notebook()
st.title("Notebook")
st.write("Every assessment is saved as it is answered. Open one to carry on, compare two, follow a "
         "partnership over time, and keep its action plan.")
ui.where_you_are()


def replace_key() -> None:
    ui.replace_notebook_key()
    ui.tell("notebook", "Your notebook has a new private link (above); the old one no longer works. "
                        "Bookmark the new one.", "success")


if ui.mode() == "shared" and st.session_state.get("notebook-key-registered"):
    st.button("Make a new notebook link (the old one stops working)", key="replace-notebook-key",
              on_click=ui.guarded("notebook")(replace_key), type="tertiary", icon=":material/autorenew:")

listing, compare_tab, trend_tab, actions_tab, reviews_tab = st.tabs(
    ["Assessments", "Compare", "Trend", "Action plan", "Board reviews"])
partnerships = notebook.partnerships()


@ui.guarded("notebook")
def open_saved(assessment_id: str) -> None:
    if ui.open_assessment(assessment_id):
        st.session_state["go-to-check"] = True


@ui.guarded("notebook")
def delete_saved(assessment_id: str) -> None:
    try:
        notebook.delete(assessment_id)
    except NotFound:
        pass
    for rubric_id, held in list(st.session_state.get("tokens", {}).items()):
        if held == assessment_id:  # the open assessment was deleted: start afresh
            del st.session_state["tokens"][rubric_id]
            st.session_state.get("answers", {}).pop(rubric_id, None)
            st.session_state.get("notes", {}).pop(rubric_id, None)
            for param in (ui.RESUME_PARAM, ui.SAVED_PARAM):
                if param in st.query_params:
                    del st.query_params[param]
    ui.tell("notebook", "The assessment was deleted.", "success")


if st.session_state.pop("go-to-check", False):
    st.switch_page("pages/check.py")

PAGE_SIZE = 20  # assessments per page of the list: the database sorts, counts and cuts
COMPARE_CHOICES = 200  # newest assessments offered to compare (a partnership narrows them)


def first_page() -> None:
    st.session_state["notebook-page"] = 0


def turn_page(step: int) -> None:
    st.session_state["notebook-page"] = st.session_state.get("notebook-page", 0) + step


with listing:
    search_col, filter_col = st.columns([3, 2])
    search = search_col.text_input("Search", key="notebook-search", placeholder="Partnership or person",
                                   on_change=first_page)
    chosen = filter_col.selectbox("Partnership", ["All partnerships", *partnerships], key="notebook-filter",
                                  on_change=first_page)
    wanted = {"search": search.strip(), "partnership": None if chosen == "All partnerships" else chosen}
    total = notebook.count_assessments(**wanted)
    pages = max(1, -(-total // PAGE_SIZE))
    page_no = min(max(0, st.session_state.get("notebook-page", 0)), pages - 1)
    st.session_state["notebook-page"] = page_no
    summaries = notebook.assessments(**wanted, limit=PAGE_SIZE, offset=page_no * PAGE_SIZE)
    ui.show("notebook")
    if not summaries:
        st.info("No saved assessments yet." if not search and chosen == "All partnerships"
                else "No saved assessment matches.")
    elif pages > 1:
        first = page_no * PAGE_SIZE + 1
        st.caption(f"Showing {first:,}–{first + len(summaries) - 1:,} of {total:,}, newest first.")
    # Widget keys are numbered, not named by the assessment: ids never go into the page.
    for n, summary in enumerate(summaries):
        with st.container(border=True):
            info, actions = st.columns([4, 2], vertical_alignment="center")
            who = f" · {ui.plain(summary.respondent)}" if summary.respondent else ""
            info.markdown(f"**{ui.plain(summary.partnership)}**{who}  \n"
                          f"{ui.plain(summary.rubric_title)} {ui.plain(summary.rubric_version)} · "
                          f"started {summary.created:%d %b %Y} · {summary.answered} of {summary.statements} answered")
            open_col, delete_col = actions.columns(2)
            open_col.button("Open", key=f"open-{n}", on_click=open_saved, args=(summary.id,),
                            width="stretch")
            with delete_col.popover("Delete", width="stretch"):
                st.write("Delete this assessment and its answers and notes? This cannot be undone. "
                         "The partnership's action plan is kept.")
                st.button("Yes, delete it", key=f"delete-{n}", type="primary",
                          on_click=delete_saved, args=(summary.id,))
    if pages > 1:
        newer, where, older = st.columns([1, 2, 1], vertical_alignment="center")
        newer.button("Newer", key="notebook-newer", on_click=turn_page, args=(-1,), disabled=page_no == 0,
                     icon=":material/chevron_left:", width="stretch")
        where.markdown(f"Page {page_no + 1:,} of {pages:,}", text_alignment="center")
        older.button("Older", key="notebook-older", on_click=turn_page, args=(1,), disabled=page_no >= pages - 1,
                     icon=":material/chevron_right:", width="stretch")

with compare_tab:
    among = st.selectbox("Partnership", ["All partnerships", *partnerships], key="compare-partnership")
    choices = notebook.assessments(partnership=None if among == "All partnerships" else among,
                                   limit=COMPARE_CHOICES)
    # Numbered so that two assessments of one partnership on one day still read differently.
    labels = {s.id: f"{n}. {s.partnership}{' — ' + s.respondent if s.respondent else ''}, "
                    f"{s.created:%d %b %Y %H:%M} ({s.rubric_title})" for n, s in enumerate(choices, start=1)}
    if len(choices) < 2:
        st.info("Save two assessments to compare them." if among == "All partnerships"
                else "This partnership has one assessment: save another to compare them.")
    else:
        if len(choices) == COMPARE_CHOICES:
            st.caption(f"The {COMPARE_CHOICES} newest are offered; choose a partnership to reach older ones.")
        ids = list(labels)
        before_col, after_col = st.columns(2)
        before_id = before_col.selectbox("Before", ids, index=min(1, len(ids) - 1), format_func=labels.get,
                                         key="compare-before")
        after_id = after_col.selectbox("After", ids, index=0, format_func=labels.get, key="compare-after")
        before = history.scored(notebook.store, notebook.assessment(before_id))
        after = history.scored(notebook.store, notebook.assessment(after_id))
        series = {"Before": {p.id: p.score for p in before.result.principles},
                  "After": {p.id: p.score for p in after.result.principles}}
        changes = history.rubric_changes(before.result.rubric, after.result.rubric)
        if changes:  # scores are matched by principle id; say where the questions differ
            st.info(ui.plain("\n\n".join(changes)), icon=":material/info:")
        st.altair_chart(charts.radar_chart(after.result.rubric, series), width="content")
        ui.table(history.comparison_text(history.comparison(before.result, after.result)))

with trend_tab:
    if not partnerships:
        st.info("Save an assessment to follow a partnership over time.")
    else:
        # Tabs all run on every rerun: with several partnerships, nothing is loaded and scored until
        # one is chosen (a partnership of hundreds of assessments cost seconds on each visit).
        partnership = st.selectbox("Partnership", partnerships, key="trend-partnership",
                                   index=0 if len(partnerships) == 1 else None,
                                   placeholder="Choose a partnership to follow")
        items = [history.scored(notebook.store, a) for a in notebook.assessments_for(partnership)] \
            if partnership else []
        frame, period = history.summarised(history.trend_frame(items))
        if partnership is None:
            pass
        elif frame.empty:
            st.info("No scored principles yet for this partnership.")
        else:
            summary = (f" Each point is the median of that {period}'s assessments; the shaded band runs from "
                       "the lowest score to the highest." if period else "")
            st.caption(f"{len(items)} assessment{'s' if len(items) != 1 else ''}, "
                       f"from {frame['date'].min():%d %b %Y} to {frame['date'].max():%d %b %Y}.{summary}")
            for change in history.trend_changes(items):
                st.info(ui.plain(change), icon=":material/info:")
            st.altair_chart(history.trend_chart(frame), width="content")
            with st.expander("The same as a table"):
                when = frame["date"].map(lambda d: history.period_label(d, period))
                table = frame.assign(when=when).pivot_table(index="principle", columns="when", values="score",
                                                            aggfunc="first", sort=False)
                ui.table(table.map(lambda v: "—" if v != v else one_decimal(v)))


set_status = ui.guarded("actions")(ui.save_action_status)


@ui.guarded("actions")
def add_action(partnership: str) -> None:
    text = st.session_state["new-action-text"].strip()
    if not text:
        ui.tell("actions", "Write what the action is.")
        return
    token = ui.token_for(ui.current_rubric())
    if not notebook.holds(token):
        token = None  # opened with someone else's link: the action goes in this notebook, on its own
    ui.ready_to_keep()
    notebook.add_action(partnership, st.session_state["new-action-principle"], text,
                     owner=st.session_state["new-action-owner"].strip(), due=st.session_state["new-action-due"],
                     assessment_id=token)
    for key in ("new-action-text", "new-action-owner"):
        st.session_state[key] = ""


with actions_tab:
    if not partnerships:
        st.info("Save an assessment first: actions belong to a partnership and carry forward.")
    else:
        current = ui.details()["partnership"]
        partnership = st.selectbox("Partnership", partnerships, key="actions-partnership",
                                   index=partnerships.index(current) if current in partnerships else 0)
        rubric = ui.current_rubric()
        titles = {p.id: p.title for p in rubric.principles}
        plan = notebook.actions_for(partnership)
        if not plan:
            st.caption("No actions yet.")
        for action in plan:
            with st.container(border=True):
                text_col, status_col = st.columns([4, 1], vertical_alignment="center")
                due = f" · due {action.due:%d %b %Y}" if action.due else ""
                owner = f" · {ui.plain(action.owner)}" if action.owner else ""
                text_col.markdown(f"{ui.plain(action.text)}  \n"
                                  f"*{ui.plain(titles.get(action.principle_id, action.principle_id))}*{owner}{due}")
                key = f"status-{action.id}"
                status_col.selectbox("Status", ACTION_STATUSES, index=ACTION_STATUSES.index(action.status),
                                     key=key, on_change=set_status, args=(action.id, key, action.status))
        with st.form("new-action", clear_on_submit=False, border=True):
            st.markdown("**Add an action**")
            st.selectbox("Principle", list(titles), format_func=titles.get, key="new-action-principle")
            st.text_input("Action", key="new-action-text", max_chars=500)
            owner_col, due_col = st.columns(2)
            owner_col.text_input("Owner", key="new-action-owner", max_chars=200)
            due_col.date_input("Due", value=None, min_value=date(2000, 1, 1), key="new-action-due")
            st.form_submit_button("Add action", on_click=add_action, args=(partnership,))
        ui.show("actions")


@ui.guarded("notebook")
def open_review(review_uid: str) -> None:
    st.session_state["go-to-review"] = ui.notebook().new_facilitator_link(ui.reviews(), review_uid)


if new_link := st.session_state.pop("go-to-review", None):
    st.query_params.clear()
    st.switch_page("pages/facilitate.py", query_params={"f": new_link})

with reviews_tab:
    owned = notebook.reviews(ui.reviews())
    if not owned:
        st.info("Board reviews you start are listed here.")
    for n, review in enumerate(owned):
        with st.container(border=True):
            info, action = st.columns([4, 2], vertical_alignment="center")
            state = f"closed {review.closed_at:%d %b %Y}" if review.closed_at else "open"
            info.markdown(f"**{ui.plain(review.title)}** · {ui.plain(review.partnership)}  \n"
                          f"started {review.created:%d %b %Y} · {state}")
            action.button("Open dashboard", key=f"open-review-{n}", on_click=open_review, args=(review.uid,),
                          help="Opens the facilitator's dashboard with a new private link; the old facilitator "
                               "link stops working.", width="stretch")
