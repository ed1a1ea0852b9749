"""A random id this browser keeps, to which a board review's personal link is bound when nobody
signs in: the link then works only in the browser that joined (`Reviews.participant`).

Streamlit (1.67) cannot set cookies, so a small component keeps the id in the browser's
localStorage and reports it. It is a bearer secret like the links: only its digest is stored.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function (component) {
    const name = "joiningforces-browser";
    let id = window.localStorage.getItem(name);
    if (!id || !/^[0-9a-f]{48}$/.test(id)) {
        const bytes = new Uint8Array(24);
        window.crypto.getRandomValues(bytes);
        id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        window.localStorage.setItem(name, id);
    }
    component.setStateValue("browser", id);
}
"""

_keeper = st.components.v2.component("joiningforces.browser", js=_JS)



def browser_id() -> str | None:
    """This browser's id; None until the browser has reported it (its first run on a page) or where
    no browser runs the page (AppTest)."""
    result = _keeper(key="browser-id", on_browser_change=lambda: None)
    value = getattr(result, "browser", None) if result is not None else None
    return value if isinstance(value, str) else None
