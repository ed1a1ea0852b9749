"""Entry point: `streamlit run app.py`. Pages lay out widgets; the work is done in joiningforces."""

import streamlit as st

import ui
from joiningforces.storage import StoreUnavailable

# The presentation link (?v=) is for a projector: wide, with no navigation to wander into.
presenting = bool(st.query_params.get("v"))
st.set_page_config(page_title="Joining Forces check", page_icon=":material/handshake:",
                   layout="wide" if presenting else "centered",
                   initial_sidebar_state="collapsed" if presenting else "auto")

pages = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/check.py", title="Check", icon=":material/checklist:", url_path="check"),
    st.Page("pages/results.py", title="Results", icon=":material/radar:", url_path="results"),
    st.Page("pages/studio.py", title="Rubric studio", icon=":material/design_services:", url_path="studio"),
    st.Page("pages/notebook.py", title="Notebook", icon=":material/menu_book:", url_path="notebook"),
    st.Page("pages/review.py", title="Board review", icon=":material/groups:", url_path="review"),
    st.Page("pages/facilitate.py", title="Facilitate", icon=":material/co_present:", url_path="facilitate"),
    st.Page("pages/present.py", title="Presentation", icon=":material/slideshow:", url_path="present",
            visibility="hidden"),  # reached only through a review's presentation link
]
if not presenting and ui.may_back_up():  # the local person, or an administrator (access.allowed decides)
    pages.append(st.Page("pages/backup.py", title="Backup", icon=":material/backup:", url_path="backup"))
page = st.navigation(pages, position="hidden" if presenting else "sidebar")
try:
    ui.every_run(page.url_path)
    page.run()
except StoreUnavailable as busy:  # the database stayed busy or unreachable through a few quick tries
    ui.store_unavailable(busy)
