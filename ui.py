"""What the pages share: the rubric library, the current rubric, and the person's answers and notes.

State flows one way: rubric -> answers (session state, by rubric id) -> scores -> charts/advice.
Answers live in a plain dict in st.session_state, not in widget keys, because Streamlit drops a
widget's state when the widget is not on screen (another step or page).
"""

from __future__ import annotations

import re
import threading

import streamlit as st

from joiningforces.library import DEFAULT_ID, QUICK_ID, Library, load_library
from joiningforces.models import Rubric

DONT_KNOW = "dk"  # the radio option for "don't know"; stored as None in the answers


@st.cache_resource(show_spinner=False)
def library() -> Library:
    """Rubrics are immutable, so one loaded copy serves every session."""
    return load_library()


def rubrics() -> dict[str, Rubric]:
    """The library's rubrics, then any this session added (e.g. uploaded in the rubric studio)."""
    return library().rubrics | st.session_state.get("session_rubrics", {})


def add_session_rubric(rubric: Rubric) -> None:
    """Make a rubric available to this browser session only (the library folder is not touched)."""
    st.session_state.setdefault("session_rubrics", {})[rubric.id] = rubric


@st.cache_resource(show_spinner=False)
def warm_up_reports() -> threading.Thread:
    """Start the PDF/PNG engine in the background once per process, so the first report is quick."""

    def warm() -> None:
        from joiningforces import report

        report.warm_up()

    thread = threading.Thread(target=warm, name="warm-up-reports", daemon=True)
    thread.start()
    return thread


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


def record_answer(rubric: Rubric, statement_id: str, widget_key: str) -> None:
    value = st.session_state.get(widget_key)
    answers(rubric)[statement_id] = None if value == DONT_KNOW else value


def record_note(rubric: Rubric, principle_id: str, widget_key: str) -> None:
    text = (st.session_state.get(widget_key) or "").strip()
    if text:
        notes(rubric)[principle_id] = text
    else:
        notes(rubric).pop(principle_id, None)


def option_index(rubric: Rubric, statement_id: str) -> int | None:
    """Index of the saved answer among the radio options, or None if not answered yet."""
    given = answers(rubric)
    if statement_id not in given:
        return None
    value = given[statement_id]
    return len(rubric.scale.points) if value is None else [p.value for p in rubric.scale.points].index(value)


def options(rubric: Rubric) -> list:
    return [p.value for p in rubric.scale.points] + [DONT_KNOW]


def option_label(rubric: Rubric):
    labels = {p.value: p.label for p in rubric.scale.points} | {DONT_KNOW: rubric.scale.dont_know}
    return lambda value: labels[value]


_INLINE = re.compile(r"([\\`*_~\[\]$])")
_BLOCK = re.compile(r"^(\s*)([#>+\-=])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def plain(text: str) -> str:
    """Rubric and user text for st.markdown and widget labels: shown as typed, never as markup.

    Only what Markdown would act on is escaped (emphasis, links, code, maths, and list or heading
    marks at the start of a line), because widget labels also become screen readers' aria-labels.
    Streamlit never renders raw HTML here, so HTML needs no escaping to be safe.
    """
    text = _INLINE.sub(r"\\\1", text)
    return _NUMBERED.sub(r"\1\\\2", _BLOCK.sub(r"\1\\\2", text))


def rubric_problems() -> None:
    """Say which rubric files in the library could not be loaded, and why, without stopping the app."""
    for name, error in library().errors.items():
        with st.expander(f"The rubric file {name} has problems and is not offered", icon=":material/warning:"):
            st.text("\n".join(str(p) for p in error.problems))


