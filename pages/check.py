"""The questionnaire: one principle per step. Only the fragment reruns when a rating changes."""

import streamlit as st

import ui

rubrics = ui.rubrics()
rubric = ui.current_rubric()
st.title(ui.plain(rubric.title))
ids = list(rubrics)
st.selectbox(
    "Rubric", ids, index=ids.index(rubric.id), key="rubric-choice",
    format_func=lambda rid: f"{rubrics[rid].title} ({len(rubrics[rid].statements)} statements)",
    on_change=lambda: ui.choose_rubric(st.session_state["rubric-choice"]),
)
step_key = f"step-{rubric.id}"


def go_to(step: int) -> None:
    st.session_state[step_key] = max(0, min(step, len(rubric.principles) - 1))


@st.fragment
def questionnaire() -> None:
    step = st.session_state.setdefault(step_key, 0)
    given = ui.answers(rubric)
    total = len(rubric.statements)
    answered = sum(1 for s in rubric.statements if s.id in given)
    st.progress(answered / total, text=f"{answered} of {total} statements answered")

    principle = rubric.principles[step]
    element = rubric.element(principle.element)
    st.caption(f"Principle {step + 1} of {len(rubric.principles)} · {ui.plain(element.title)}")
    st.subheader(ui.plain(principle.title))
    st.markdown(ui.plain(principle.description))

    label_of = ui.option_label(rubric)
    for statement in principle.statements:
        key = f"answer-{rubric.id}-{statement.id}"
        st.radio(
            ui.plain(statement.text), ui.options(rubric), index=ui.option_index(rubric, statement.id),
            format_func=label_of, horizontal=True, key=key,
            on_change=ui.record_answer, args=(rubric, statement.id, key),
        )

    note_key = f"note-check-{rubric.id}-{principle.id}"
    st.text_area(
        "Your note on this principle (optional): evidence, examples, reflections",
        value=ui.notes(rubric).get(principle.id, ""), key=note_key, max_chars=4000,
        on_change=ui.record_note, args=(rubric, principle.id, note_key),
    )

    back, jump, forward = st.columns([1, 2, 1], vertical_alignment="bottom")
    back.button("Back", key="back", disabled=step == 0, on_click=go_to, args=(step - 1,),
                icon=":material/arrow_back:", width="stretch")
    titles = [p.title for p in rubric.principles]
    jump.selectbox("Go to principle", range(len(titles)), index=step, key=f"jump-{rubric.id}-{step}",
                   format_func=lambda i: f"{i + 1}. {titles[i]}",
                   on_change=lambda: go_to(st.session_state[f"jump-{rubric.id}-{step}"]))
    if step < len(rubric.principles) - 1:
        forward.button("Next", key="next", type="primary", on_click=go_to, args=(step + 1,),
                       icon=":material/arrow_forward:", width="stretch")
    elif forward.button("See results", key="finish", type="primary", icon=":material/radar:", width="stretch"):
        st.switch_page("pages/results.py")


with st.expander("About this check", expanded=not ui.answers(rubric)):
    st.markdown(ui.plain(rubric.description))
questionnaire()
st.page_link("pages/results.py", label="See results at any time", icon=":material/radar:")
