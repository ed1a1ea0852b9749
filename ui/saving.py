"""Saving as the person answers: every change goes to their notebook at once (`identity.notebook`),
and a problem is told plainly while the answer stays in the tab."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import streamlit as st

from joiningforces.models import Rubric
from joiningforces.notebook import Notebook
from joiningforces.storage import NotFound, StoreUnavailable

from . import identity
from .resources import library, store
from .links import app_link
from .messages import NOTICES, show, tell
from .state import (
    DONT_KNOW,
    add_session_rubric,
    answers,
    current_rubric,
    details,
    notes,
    rubric_text,
    token_for,
)


@dataclass(frozen=True)
class Saved:
    """What a save did: whether the change is stored, and whether the page now shows something
    beyond the widget that changed (a new resume link, a warning appearing or going), so that a
    callback inside a fragment knows to redraw the whole page."""

    stored: bool
    page_changed: bool = False



def record_answer(rubric: Rubric, statement_id: str, widget_key: str) -> Saved:
    value = st.session_state.get(widget_key)
    answers(rubric)[statement_id] = None if value == DONT_KNOW else value
    return save(rubric, lambda notebook, uid: notebook.set_answers(uid, {statement_id: answers(rubric)[statement_id]}))



def record_note(rubric: Rubric, principle_id: str, widget_key: str) -> None:
    text = (st.session_state.get(widget_key) or "").strip()
    if text:
        notes(rubric)[principle_id] = text
    else:
        notes(rubric).pop(principle_id, None)
    save(rubric, lambda notebook, uid: notebook.set_note(uid, principle_id, text))



RESUME_NOT_FOUND = "That saved assessment was not found. Check the link, or start a new check."
RESUME_PARAM = "a"  # a private resume link: opens its one assessment, in any notebook
SAVED_PARAM = "s"  # an assessment of this notebook, by id (grants nothing to anyone else)



def _start_assessment(rubric: Rubric) -> str | None:
    """Start the saved assessment this tab's answers go to (the page then shows its resume link)."""
    text = rubric_text(rubric)
    if text is None or not identity.actor().keeps_things:
        return None
    identity.ready_to_keep()
    notebook = identity.notebook()
    assessment = notebook.start(text, partnership=details()["partnership"], respondent=details()["respondent"])
    st.session_state.setdefault("tokens", {})[rubric.id] = assessment.id
    st.session_state.setdefault("links", {})[assessment.id] = assessment.link
    st.query_params[RESUME_PARAM] = assessment.link  # a reload from now on brings it back
    # Whatever was answered before the first save (e.g. restored from a file) goes in too.
    write_everything(rubric)(notebook, assessment.id)
    return assessment.id



def save(rubric: Rubric, write) -> Saved:
    """Run `write(notebook, id)` for the rubric's assessment, starting one if needed.

    A failed save keeps the answer in the session and says so; the next save writes everything
    again, so a brief database fault loses nothing.
    """
    try:
        started = token_for(rubric) is None
        token = token_for(rubric) or _start_assessment(rubric)
        if token is None:
            return Saved(False)
        notebook = identity.notebook()
        if st.session_state.pop("unsaved", False):
            write_everything(rubric)(notebook, token)  # whatever failed before goes in first
        write(notebook, token)
    except Exception as exc:  # noqa: BLE001 - any database fault is reported the same way, answers kept
        st.session_state["unsaved"] = True
        st.session_state["save-problem"] = save_problem(exc)
        return Saved(False, page_changed=True)  # the warning shows
    had_problem = st.session_state.pop("save-problem", None) is not None  # the warning goes
    return Saved(True, page_changed=started or had_problem)



def guarded(place: str):
    """Decorate a widget callback that uses the database: if it stays busy or unreachable, the
    plain message is told at `place` (`messages.tell`), for the page to show beside the widgets,
    instead of a traceback. Nothing was written, and what was typed stays
    in its fields, since a callback clears them only after a write went through."""
    def wrap(callback):
        @functools.wraps(callback)
        def guarded_callback(*args, **kwargs) -> None:
            try:
                callback(*args, **kwargs)
            except StoreUnavailable as busy:
                tell(place, busy.message)
        return guarded_callback
    return wrap



def save_action_status(action_id: int, key: str, saved: str) -> None:
    """An action's status select box changed: store it. If the database is busy, the box goes back
    to the stored status (so choosing again tries again) and StoreUnavailable goes on to `guarded`."""
    try:
        identity.notebook().update_action(action_id, status=st.session_state[key])
    except StoreUnavailable:
        st.session_state[key] = saved
        raise



def store_unavailable(busy: StoreUnavailable) -> None:
    """Instead of a traceback, when a page could not reach the database (app.py catches it)."""
    st.error(f"{busy.message} Answers you have given in this tab are kept.", icon=":material/cloud_off:")
    st.button("Try again", key="store-unavailable-retry", icon=":material/refresh:")



def save_problem(exc: Exception) -> str:
    """The warning for a change that could not be saved (it stays in the session meanwhile)."""
    kept = "Your last change is kept in this tab and will be saved with your next answer."
    if isinstance(exc, StoreUnavailable):  # the database busy or unreachable: say so plainly
        return f"{exc.message} {kept}"
    logging.getLogger(__name__).warning("A save failed; the change is kept in the session", exc_info=exc)
    return f"Your last change could not be saved just now ({type(exc).__name__}). {kept}"



def write_everything(rubric: Rubric):
    """A `save` write of the whole set of answers and notes."""
    def write(notebook: Notebook, uid: str) -> None:
        notebook.set_answers(uid, answers(rubric))
        for principle_id in [p.id for p in rubric.principles]:
            notebook.set_note(uid, principle_id, notes(rubric).get(principle_id, ""))
    return write



def save_all(rubric: Rubric) -> None:
    """Make the saved assessment exactly the answers and notes in the tab (after loading them back
    from a file): what the file does not answer is unanswered again."""
    def write(notebook: Notebook, uid: str) -> None:
        given = answers(rubric)
        notebook.clear_answers(uid, [s.id for s in rubric.statements if s.id not in given])
        write_everything(rubric)(notebook, uid)
    save(rubric, write)



def open_assessment(assessment_id: str | None = None, *, link: str | None = None) -> bool:
    """Load a saved assessment into this tab: one of this notebook's (by id), or any one by its
    private resume link (which this tab then holds). False if it is not found or not theirs."""
    notebook = identity.notebook()
    try:
        if link is not None:
            assessment = notebook.open_link(link)
            st.session_state.setdefault(identity.HELD_LINKS, set()).add(assessment.id)
            st.session_state.setdefault("links", {})[assessment.id] = link
        else:
            assessment = notebook.assessment(assessment_id)
        snapshot = notebook.rubric(assessment)
    except NotFound:
        return False
    current = library().rubrics.get(snapshot.id)
    if current is None or current != snapshot:
        add_session_rubric(snapshot, store().rubric_text(assessment.rubric_hash))
    st.session_state.setdefault("tokens", {})[snapshot.id] = assessment.id
    st.session_state.setdefault("answers", {})[snapshot.id] = dict(assessment.answers)
    st.session_state.setdefault("notes", {})[snapshot.id] = dict(assessment.notes)
    st.session_state["details"] = {"partnership": assessment.partnership, "respondent": assessment.respondent}
    st.session_state["rubric_id"] = snapshot.id
    for key in [k for k in st.session_state if str(k).startswith(("note-", "answer-", "step-"))]:
        del st.session_state[key]
    return True


def link_for(assessment_id: str | None) -> str | None:
    """The private resume link of an assessment, if this tab knows it (made or opened it here)."""
    return st.session_state.get("links", {}).get(assessment_id) if assessment_id else None


def sync_resume_link() -> None:
    """Called on every run: open the assessment named in the URL, and keep the URL naming the
    current one: by its resume link when this tab knows it, else by its id (this notebook's only)."""
    loaded = set(st.session_state.get("tokens", {}).values())
    held = {link_for(uid) for uid in loaded}
    link, saved = st.query_params.get(RESUME_PARAM), st.query_params.get(SAVED_PARAM)
    if link and link not in held:
        if not open_assessment(link=link):
            del st.query_params[RESUME_PARAM]
            tell(NOTICES, RESUME_NOT_FOUND, "warning")
    elif saved and saved not in loaded and not link:
        if not open_assessment(saved):
            del st.query_params[SAVED_PARAM]
            tell(NOTICES, RESUME_NOT_FOUND, "warning")
    current = token_for(current_rubric())
    if current:
        if known := link_for(current):
            wanted = {RESUME_PARAM: known}
        else:
            wanted = {SAVED_PARAM: current}
        for param in (RESUME_PARAM, SAVED_PARAM):
            if param not in wanted and param in st.query_params:
                del st.query_params[param]
        for param, value in wanted.items():
            if st.query_params.get(param) != value:
                st.query_params[param] = value


def resume_link(link: str) -> str:
    """The resume link alone (never with the notebook key: it opens one assessment, not a notebook)."""
    return app_link("check", **{RESUME_PARAM: link})


def notices() -> None:
    """Problems to tell the person about on whichever page they are on."""
    show(NOTICES)
    if st.session_state.get("save-problem"):
        st.warning(st.session_state["save-problem"], icon=":material/cloud_off:")
