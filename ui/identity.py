"""Who is using this browser tab: the mode the app runs in, the `Actor`, and their `Notebook`.

The decisions are the core's (`joiningforces.access`); this module only reads what Streamlit
knows (the server address, the `[auth]` secrets, `st.user`, the notebook key in the URL).
"""

from __future__ import annotations

import os
import secrets

import streamlit as st

from joiningforces.access import (
    ADMINS_ENV,
    DATABASE,
    LIBRARY,
    MODE_ENV,
    MODE_TEXT,
    Action,
    Actor,
    Mode,
    admins_from_env,
    allowed,
    decide_mode,
    library_write_enabled,
)
from joiningforces.notebook import Notebook

from .links import app_link
from .messages import NOTICES, tell
from .resources import store

NOTEBOOK_PARAM = "n"  # shared mode: the private notebook key, in the URL of every page
_KEY = "notebook-key"
_REGISTERED = "notebook-key-registered"
HELD_LINKS = "held-links"  # ids of assessments this tab opened with their resume link


def _secrets_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name, {}))
    except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: nothing configured
        return {}


def mode() -> Mode:
    """local, shared or signin: $JOININGFORCES_MODE wins, else `[auth]` in the secrets means
    sign-in, else the server address decides (loopback: local)."""
    return decide_mode(os.environ.get(MODE_ENV), bool(_secrets_section("auth")),
                       str(st.get_option("server.address") or ""))


def admins() -> frozenset[str]:
    listed = _secrets_section("joiningforces").get("admins", [])
    from_secrets = admins_from_env(" ".join(listed) if isinstance(listed, (list, tuple)) else str(listed))
    return admins_from_env(os.environ.get(ADMINS_ENV, "")) | from_secrets


def signed_in() -> bool:
    return bool(getattr(st.user, "is_logged_in", False))


def notebook_key() -> str:
    """Shared mode: this tab's notebook key, from the URL if it names a notebook that exists,
    else a fresh one (registered when the notebook first keeps something). Always put back in
    the URL, since switching pages drops query parameters."""
    key = st.session_state.get(_KEY)
    wanted = st.query_params.get(NOTEBOOK_PARAM)
    if wanted and wanted != key:
        if store().notebook_exists(wanted):
            key = st.session_state[_KEY] = wanted
            st.session_state[_REGISTERED] = True
        else:  # wrong, replaced or malformed: one plain "not found", and a new notebook
            tell(NOTICES, "That notebook link was not found: it may be mistyped or replaced by a newer one. "
                          "You are in a new, empty notebook.", "warning")
    if not key:
        key = st.session_state[_KEY] = secrets.token_urlsafe(24)
        st.session_state[_REGISTERED] = False
    if st.query_params.get(NOTEBOOK_PARAM) != key:
        st.query_params[NOTEBOOK_PARAM] = key
    return key


def has_notebook_key() -> bool:
    return bool(st.session_state.get(_KEY) or st.query_params.get(NOTEBOOK_PARAM))


def actor() -> Actor:
    current = mode()
    if current is Mode.LOCAL:
        who = Actor.local()
    elif current is Mode.SIGNIN:
        if signed_in():
            subject = f"{st.user.get('iss', '')}|{st.user.get('sub', '')}"
            who = Actor.user(subject, str(st.user.get("email") or ""), admins())
        else:
            who = Actor.anonymous()
    else:
        who = Actor.notebook(notebook_key())
    for assessment_id in st.session_state.get(HELD_LINKS, ()):
        who = who.holding_link(assessment_id)
    return who


def review_identity() -> str | None:
    """Who is signed in, for a board review run by sign-in (one participant per identity); None
    when nobody is (the review store keeps only its digest)."""
    if mode() is Mode.SIGNIN and signed_in():
        return f"{st.user.get('iss', '')}|{st.user.get('sub', '')}"
    return None


def notebook() -> Notebook:
    """This tab's view of the store: everything a page reads or writes goes through it."""
    return Notebook(store(), actor(), library_write=library_write_enabled())


def may_back_up() -> bool:
    """Whether this person may back up and restore the whole database (`access.allowed`). A
    notebook key holder never may, so shared mode is answered without making them a key."""
    return mode() is not Mode.SHARED and allowed(actor(), Action.EXPORT, DATABASE)


def may_save_to_library() -> bool:
    return allowed(actor(), Action.CHANGE, LIBRARY, library_write=library_write_enabled())


def ready_to_keep() -> None:
    """Before the first thing this tab keeps: register a shared-mode notebook key."""
    if mode() is Mode.SHARED and not st.session_state.get(_REGISTERED):
        store().register_notebook(notebook_key())
        st.session_state[_REGISTERED] = True


def replace_notebook_key() -> None:
    new = store().replace_notebook_key(notebook_key())
    st.session_state[_KEY] = new
    st.session_state[_REGISTERED] = True
    st.query_params[NOTEBOOK_PARAM] = new


def notebook_link() -> str:
    return app_link("notebook", **{NOTEBOOK_PARAM: notebook_key()})


def mode_text() -> str:
    return MODE_TEXT[mode()]


def where_you_are() -> None:
    """One or two plain sentences on who can see what here, and (shared mode) the notebook link."""
    from .text import plain

    current = mode()
    st.info(mode_text(), icon=":material/lock:")
    if current is Mode.SHARED:
        if st.session_state.get(_REGISTERED):
            st.caption("Your private notebook link: bookmark it to come back. Anyone with it can open your "
                       "notebook, so keep it to yourself.")
            st.code(notebook_link(), language=None)
        else:
            st.caption("Your private notebook link appears here once you have saved something.")
    elif current is Mode.SIGNIN:
        if signed_in():
            name = st.user.get("email") or st.user.get("name") or "you"
            st.caption(f"Signed in as {plain(str(name))}.")
            st.button("Sign out", key="sign-out", on_click=st.logout, icon=":material/logout:")
        else:
            st.button("Sign in", key="sign-in", on_click=st.login, type="primary", icon=":material/login:")


SIGN_IN_FREE = ("", "review", "present")  # Home; participants and the room's screen: their link is the key


def must_sign_in(url_path: str) -> bool:
    """Sign-in mode: pages that keep or show someone's things ask for sign-in first."""
    return mode() is Mode.SIGNIN and not signed_in() and url_path not in SIGN_IN_FREE


def require_sign_in(url_path: str) -> None:
    if not must_sign_in(url_path):
        return
    st.title("Please sign in")
    st.write("This app keeps each person's notebook private to their account. Sign in to continue; "
             "if you were signed in before, your sign-in has expired, and everything you saved is kept.")
    st.button("Sign in", key="sign-in-gate", on_click=st.login, type="primary", icon=":material/login:")
    st.stop()
