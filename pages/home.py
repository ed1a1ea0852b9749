import streamlit as st

import ui
from joiningforces.library import DEFAULT_ID, QUICK_ID

ui.run_through_app()

st.title("How well are we joining forces?")
st.write(
    "A check for people who lead partnerships between organisations: rate how your partnership "
    "works today, see where it is strong and where it is weak, and get practical ideas to try next. "
    "It is based on the Better Way's principles for joining forces. Every answer is saved as you give it."
)
ui.where_you_are()

rubrics = ui.rubrics()


def start(rubric_id: str) -> None:
    ui.choose_rubric(rubric_id)


def about_minutes(rubric) -> int:
    """About 30 seconds a statement, to the nearest five minutes."""
    return 5 * max(1, round(len(rubric.statements) / 2 / 5))


left, right = st.columns(2)
with left:
    if QUICK_ID in rubrics:
        quick = rubrics[QUICK_ID]
        st.subheader("Quick check")
        st.write(f"About {about_minutes(quick)} minutes: {len(quick.statements)} statements, two for each principle.")
        if st.button("Take the quick check", type="primary", key="start-quick", on_click=start, args=(QUICK_ID,)):
            st.switch_page("pages/check.py")
with right:
    if DEFAULT_ID in rubrics:
        full = rubrics[DEFAULT_ID]
        st.subheader("Full check")
        st.write(f"About {about_minutes(full)} minutes: {len(full.statements)} statements across "
                 f"{len(full.principles)} principles.")
        if st.button("Take the full check", key="start-full", on_click=start, args=(DEFAULT_ID,)):
            st.switch_page("pages/check.py")

others = [r for r in rubrics.values() if r.id not in (QUICK_ID, DEFAULT_ID)]
if others:
    st.subheader("Other rubrics in this library")
    for rubric in others:
        if st.button(ui.plain(rubric.title), key=f"start-{rubric.id}", on_click=start, args=(rubric.id,)):
            st.switch_page("pages/check.py")

if any(st.session_state.get("answers", {}).values()):
    st.page_link("pages/results.py", label="See your results so far", icon=":material/radar:")

st.page_link("pages/facilitate.py", label="Start a board review: everyone answers privately, you see the group's picture",
             icon=":material/groups:")
st.page_link("pages/studio.py", label="Trainers: check, preview or adapt a rubric in the rubric studio",
             icon=":material/design_services:")

ui.rubric_problems()
