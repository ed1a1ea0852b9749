"""One step of a questionnaire (self-check or board review): a principle and its rating radios."""

from __future__ import annotations

import streamlit as st

from joiningforces.models import Rubric

from .state import DONT_KNOW, RATED_UNDRAWN, SAVED_MARKS
from .text import plain


def questionnaire_step(rubric: Rubric, step: int, given, key_prefix: str, on_change, disabled: bool = False):
    """Draw one step of a questionnaire (self-check or board review) and return its principle.

    `given` maps statement ids to answers (None: don't know); each radio calls
    `on_change(statement_id, widget_key)`, which saves the answer and returns a `ui.Saved`. Only
    the answers differ between the two pages.

    Each statement's radio group is a fragment of its own, so a rating reruns that group alone
    (showing "Saved" under it), not the step: redrawing the step's five radio groups, note and
    buttons on every rating tripled its latency (benchmarks/README.md). So nothing outside the
    group may depend on the ratings of this step: the progress bar counts principles, not answers.
    """
    total = len(rubric.principles)
    principle = rubric.principles[step]
    element = rubric.element(principle.element)
    st.progress((step + 1) / total, text=f"Principle {step + 1} of {total} · {plain(element.title)}")
    st.subheader(plain(principle.title))
    st.markdown(plain(principle.description))
    for statement in principle.statements:
        _rating(rubric, statement, given, f"{key_prefix}{statement.id}", on_change, disabled)
    return principle



@st.fragment
def _rating(rubric: Rubric, statement, given, key: str, on_change, disabled: bool) -> None:
    # Streamlit (1.67) holds back changes made while a run is going on, then sends them together
    # as a rerun of the first one's fragment alone: every callback runs, but the other groups would
    # not redraw (a fast keyboard user saw no "Saved" under a saved answer). A group that finds
    # another's change undrawn reruns the page, which draws them all.
    #   Not `st.rerun(scope=<this group's fragment key>)` from the callback, though Streamlit has it
    # for this: a keyed rerun replaces the run the interaction would have made, and when a page
    # rerun was already due (say the first answer started the assessment and the page must show
    # its resume link) the page run was dropped and that answer's "Saved" never showed
    # (tests/browser/test_quick_check.py, first step, caught it).
    undrawn = st.session_state.setdefault(RATED_UNDRAWN, set())
    undrawn.discard(key)
    if undrawn:
        st.rerun()
    choices = options(rubric)
    value = given.get(statement.id, _UNANSWERED)
    index = None if value is _UNANSWERED else choices.index(DONT_KNOW if value is None else value)
    st.radio(plain(statement.text), choices, index=index, format_func=option_label(rubric), horizontal=True,
             key=key, disabled=disabled, on_change=_rated, args=(on_change, statement.id, key))
    if key in st.session_state.get(SAVED_MARKS, ()):
        st.container(key=f"saved-{statement.id}").caption(":material/check: Saved")



def _rated(on_change, statement_id: str, key: str) -> None:
    # The mark stays while it is true, whatever reruns come after (a rerun may redraw this group
    # without its callback running), and goes as soon as a save of this statement fails.
    marks = st.session_state.setdefault(SAVED_MARKS, set())
    st.session_state.setdefault(RATED_UNDRAWN, set()).add(key)
    saved = on_change(statement_id, key)
    if saved.stored:
        marks.add(key)
    else:
        marks.discard(key)
    if saved.page_changed:  # a resume link or a warning appears or goes: the whole page redraws
        st.rerun()



_UNANSWERED = object()



def options(rubric: Rubric) -> list:
    return [p.value for p in rubric.scale.points] + [DONT_KNOW]



def option_label(rubric: Rubric):
    labels = {p.value: p.label for p in rubric.scale.points} | {DONT_KNOW: rubric.scale.dont_know}
    return lambda value: labels[value]
