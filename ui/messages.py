"""One way to tell the person what a callback found out.

A callback runs before the page is drawn, so it cannot show anything itself: it leaves a message
for a place on the page (`tell`), and the page shows it once where that place is drawn (`show`).
Problems that last (an answer not saved yet) are shown from their own state instead, for as long
as they last (`ui.saving.notices`).
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

Kind = Literal["error", "warning", "success", "info"]

_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "success": ":material/check_circle:",
          "info": ":material/info:"}
NOTICES = "notices"  # the place at the top of every page, for what concerns the whole tab
_MESSAGES = "messages"  # session state: {place: (kind, text)}



def tell(place: str, text: str, kind: Kind = "error") -> None:
    """Leave `text` for the page to show at `place` on its next run (the latest message wins)."""
    st.session_state.setdefault(_MESSAGES, {})[place] = (kind, text)



def show(place: str, where=st) -> str | None:
    """Show the message left for `place` (in `where`, a container), once; return its text."""
    kind, text = st.session_state.get(_MESSAGES, {}).pop(place, (None, None))
    if kind is not None:
        getattr(where, kind)(text, icon=_ICONS[kind])
    return text
