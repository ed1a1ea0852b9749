"""What runs before every page: styles, the person's identity and links, notices."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import streamlit as st

from joiningforces.access import Mode

from . import identity
from .resources import warm_up_reports
from .saving import notices, sync_resume_link
from .state import RATED_UNDRAWN
from .text import FOCUS_STYLE


_this_run = threading.local()  # Streamlit runs each session's script in its own thread



# Board review pages carry their own private links; a self-check's ?a= does not belong there.
_OWN_LINKS = ("review", "facilitate", "present")



def every_run(url_path: str = "") -> None:
    """What app.py does on every run before the page: styles, resume link, notices."""
    _this_run.via_app = True
    st.session_state.pop(RATED_UNDRAWN, None)  # a whole run draws every group
    st.html(FOCUS_STYLE)
    warm_up_reports()
    identity.require_sign_in(url_path)
    if identity.mode() is Mode.SHARED and url_path != "present" \
            and (url_path != "review" or identity.has_notebook_key()):
        # Every page's URL names the notebook; participants need none, and the presentation screen
        # (on a projector) must never show one.
        identity.notebook_key()
    if url_path not in _OWN_LINKS:
        sync_resume_link()
    notices()



def run_through_app() -> None:
    """Called at the top of each page: make sure `every_run` happened, even on a fresh server.

    Streamlit quirk (1.67): until app.py has called st.navigation once, Streamlit treats pages/ as
    a legacy multipage folder and runs a directly requested page (say /check?a=... on a freshly
    started server) on its own, skipping app.py; AppTest runs a page on its own after a click too.
    Then the page does app.py's per-run work itself and leaves legacy mode for the next runs. A
    page that must ask for sign-in first reruns instead (through app.py): stopping a page run in
    legacy mode left the browser's page blank.
    """
    if getattr(_this_run, "via_app", False):
        _this_run.via_app = False
        return
    from streamlit.runtime.pages_manager import PagesManager

    caller = Path(sys._getframe(1).f_code.co_filename).stem
    url_path = "" if caller == "home" else caller  # each page's url path is its file's name
    PagesManager.uses_pages_directory = False
    if identity.must_sign_in(url_path):
        st.rerun()
    every_run(url_path)
    _this_run.via_app = False
