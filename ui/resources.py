"""What one process shares between sessions: the rubric library, the store, the report engine."""

from __future__ import annotations

import threading

import streamlit as st

from joiningforces.library import Library, load_library
from joiningforces.board import Reviews
from joiningforces.storage import Store


@st.cache_resource(show_spinner=False)
def library() -> Library:
    """Rubrics are immutable, so one loaded copy serves every session."""
    return load_library()



@st.cache_resource(show_spinner=False)
def warm_up_reports() -> threading.Thread:
    """Start the PDF/PNG engine in the background once per process, so the first report is quick."""

    def warm() -> None:
        from joiningforces import report

        report.warm_up()

    thread = threading.Thread(target=warm, name="warm-up-reports", daemon=True)
    thread.start()
    return thread



@st.cache_resource(show_spinner=False)
def store() -> Store:
    """One store (engine and connection pool) per process, shared by every session's threads."""
    return Store()



@st.cache_resource(show_spinner=False)
def reviews() -> Reviews:
    """Board reviews in the same database as the notebook; one per process, like `store`."""
    return Reviews(store())
