"""This tab's state: the current rubric, the person's answers and notes (kept in session state).

State flows one way: rubric -> answers (session state, by rubric id) -> scores -> charts/advice.
Answers live in a plain dict in st.session_state, not in widget keys, because Streamlit drops a
widget's state when the widget is not on screen (another step or page).
"""

from __future__ import annotations

import streamlit as st

from joiningforces.library import DEFAULT_ID
from joiningforces.models import Rubric

from .resources import library


DONT_KNOW = "dk"  # the radio option for "don't know"; stored as None in the answers



def rubrics() -> dict[str, Rubric]:
    """The library's rubrics, then any this session added (e.g. uploaded in the rubric studio)."""
    return library().rubrics | st.session_state.get("session_rubrics", {})



def add_session_rubric(rubric: Rubric, text: str | None = None) -> None:
    """Make a rubric available to this browser session only (the library folder is not touched).

    With its TOML `text`, answers to it are saved in the notebook like any other.
    """
    st.session_state.setdefault("session_rubrics", {})[rubric.id] = rubric
    if text is not None:
        st.session_state.setdefault("session_rubric_texts", {})[rubric.id] = text



def current_rubric() -> Rubric:
    available = rubrics()
    chosen = st.session_state.get("rubric_id")
    if chosen not in available:
        chosen = DEFAULT_ID if DEFAULT_ID in available else next(iter(available))
        st.session_state["rubric_id"] = chosen
    return available[chosen]



def choose_rubric(rubric_id: str) -> None:
    if rubric_id in rubrics():
        st.session_state["rubric_id"] = rubric_id



def answers(rubric: Rubric) -> dict[str, int | None]:
    return st.session_state.setdefault("answers", {}).setdefault(rubric.id, {})



def notes(rubric: Rubric) -> dict[str, str]:
    return st.session_state.setdefault("notes", {}).setdefault(rubric.id, {})



def rubric_text(rubric: Rubric) -> str | None:
    return st.session_state.get("session_rubric_texts", {}).get(rubric.id) or library().texts.get(rubric.id)



def details() -> dict[str, str]:
    """Partnership and respondent names used for new assessments in this session."""
    return st.session_state.setdefault("details", {"partnership": "My partnership", "respondent": ""})



def token_for(rubric: Rubric) -> str | None:
    return st.session_state.setdefault("tokens", {}).get(rubric.id)



RATED_UNDRAWN = "rated-undrawn"  # widget keys whose callback ran but whose group has not redrawn since



SAVED_MARKS = "saved-marks"  # widget keys whose last change in this session was stored



def rubric_problems() -> None:
    """Say which rubric files in the library could not be loaded, and why, without stopping the app."""
    for name, error in library().errors.items():
        with st.expander(f"The rubric file {name} has problems and is not offered", icon=":material/warning:"):
            st.text("\n".join(str(p) for p in error.problems))
