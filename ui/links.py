"""Links to the app's pages, as the browser reached it."""

from __future__ import annotations

import streamlit as st

PAGE_PATHS = ("check", "results", "notebook", "studio", "review", "facilitate", "backup", "present")



def app_link(url_path: str, **params: str) -> str:
    """A full link to a page of this app as the browser reached it, e.g. app_link("review", p=token)."""
    base = (st.context.url or "").split("?")[0].rstrip("/")
    for page in PAGE_PATHS:
        base = base.removesuffix(f"/{page}")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{base}/{url_path}" + (f"?{query}" if query else "")


def key_for(link: str) -> str:
    """A short widget-key part for a private link: a salted hash, never the link or a piece of it
    (Streamlit puts widget keys into the page as CSS classes)."""
    import hashlib

    return hashlib.sha256(f"widget key: {link}".encode()).hexdigest()[:12]
