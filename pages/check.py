"""The questionnaire: one principle per step. Only the fragment reruns when a rating changes."""

import streamlit as st

import ui
from ui import lang as ui_lang
from joiningforces import exports

ui.run_through_app()

rubric = ui.current_rubric()
st.title(ui.plain(rubric.title))
# The rubric is chosen on Home (quick, full or a trainer's): each widget type on this first screen
# costs the browser a script chunk before it shows anything (benchmarks/README.md).
st.caption(f"{len(rubric.statements)} statements on {len(rubric.principles)} principles · "
           "to use another rubric, start again from Home")
step_key = f"step-{rubric.id}"


def go_to(step: int) -> None:
    st.session_state[step_key] = max(0, min(step, len(rubric.principles) - 1))


def update_details(field: str) -> None:
    ui.details()[field] = st.session_state[f"details-{field}"].strip()
    token = ui.token_for(rubric)
    if token:
        ui.save(rubric, lambda notebook, uid: notebook.update_details(uid, **{field: ui.details()[field]}))


def new_link(uid: str) -> None:
    st.session_state.setdefault("links", {})[uid] = ui.notebook().replace_link(uid)


def adopt(uid: str) -> None:
    ui.ready_to_keep()
    ui.notebook().adopt(uid)
    st.session_state.get(ui.HELD_LINKS, set()).discard(uid)


def save_for_later() -> None:
    with st.expander("Save and come back later", icon=":material/bookmark:"):
        st.caption("Every answer is saved as you give it, in your notebook. The private link below brings this "
                   "assessment back on any device; keep it to yourself, as anyone with it can see and change "
                   "your answers.")
        token = ui.token_for(rubric)
        if not token:  # nothing to name or link yet (and two fewer widgets on the first screen)
            st.caption("The link, and a place to name the partnership, appear once you have answered a statement.")
            return
        me = ui.actor()
        if token in me.links and me.keeps_things and not ui.notebook().holds(token):  # by link, not yet kept here
            st.info("You opened this assessment with its private link. Add it to your notebook to find it there "
                    "next time.", icon=":material/menu_book:")
            st.button("Add it to my notebook", key="adopt", on_click=ui.guarded(ui.NOTICES)(adopt),
                      args=(token,), icon=":material/add:")
        name_col, who_col = st.columns(2)
        name_col.text_input("Partnership", value=ui.details()["partnership"], key="details-partnership",
                            max_chars=200, on_change=update_details, args=("partnership",))
        who_col.text_input("Your name or role (optional)", value=ui.details()["respondent"], key="details-respondent",
                           max_chars=200, on_change=update_details, args=("respondent",))
        if link := ui.link_for(token):
            st.code(ui.resume_link(link), language=None)
        else:
            st.caption("The private link was shown when this assessment was started. If you have lost it, make a "
                       "new one: the old link then stops working.")
        st.button("Make a new private link", key="new-link", on_click=ui.guarded(ui.NOTICES)(new_link),
                  args=(token,), type="tertiary", icon=":material/autorenew:")


@st.fragment
def questionnaire() -> None:
    step = st.session_state.setdefault(step_key, 0)
    given = ui.answers(rubric)
    with ui_lang.in_language(rubric, "questionnaire"):
        principle = ui.questionnaire_step(rubric, step, given, f"answer-{rubric.id}-",
                                          lambda sid, key: ui.record_answer(rubric, sid, key))

    note_key = f"note-check-{rubric.id}-{principle.id}"
    st.text_area(
        "Your note on this principle (optional): evidence, examples, reflections",
        value=ui.notes(rubric).get(principle.id, ""), key=note_key, max_chars=exports.MAX_NOTE,
        on_change=ui.record_note, args=(rubric, principle.id, note_key),
    )

    # Only buttons move between steps: a stale value from a stepping widget (say a "go to"
    # select box still showing the old step) could send the person back while they answer.
    back, middle, forward = st.columns([1, 2, 1], vertical_alignment="center")
    back.button("Back", key="back", disabled=step == 0, on_click=go_to, args=(step - 1,),
                icon=":material/arrow_back:", width="stretch")
    unanswered = [i for i, p in enumerate(rubric.principles) if any(s.id not in given for s in p.statements)]
    later = [i for i in unanswered if i != step]
    if later:
        middle.button(f"First unanswered: {later[0] + 1}. {ui.plain(rubric.principles[later[0]].title)}",
                      key="first-unanswered", on_click=go_to, args=(later[0],), type="tertiary", width="stretch")
    if step < len(rubric.principles) - 1:
        forward.button("Next", key="next", type="primary", on_click=go_to, args=(step + 1,),
                       icon=":material/arrow_forward:", width="stretch")
    elif forward.button("See results", key="finish", type="primary", icon=":material/radar:", width="stretch"):
        st.switch_page("pages/results.py")
    save_for_later()


with st.expander("About this check", expanded=not ui.answers(rubric)), ui_lang.in_language(rubric, "about"):
    st.markdown(ui.plain(rubric.description))


questionnaire()
if st.button("See results at any time", key="see-results", type="tertiary", icon=":material/radar:"):
    st.switch_page("pages/results.py")
