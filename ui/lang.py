"""Rubric text carries the rubric's language in the page, so that a screen reader reads a Welsh
rubric in Welsh while the app around it stays English.

Streamlit 1.67 has no `lang` option on its elements, and the page is `<html lang="en">`. What it
does have: a container's `key` becomes the CSS class `st-key-<key>` on the container's element,
and `st.html(..., unsafe_allow_javascript=True)` runs a script in the page itself (not an iframe).
So rubric text is drawn inside `in_language(...)` containers keyed `jflang-<code>--<name>`, and one
constant script, with no data in it, sets `lang="<code>"` on every element with such a class as
it appears (a MutationObserver; Streamlit redraws elements on reruns). The code reaches the page
only through that key, only after matching the BCP 47 shape here and again in the script; rubric
text never goes into HTML.
"""

from __future__ import annotations

import re

import streamlit as st

from joiningforces.models import Rubric

LANGUAGE_SHAPE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # as the rubric format allows
APP_LANGUAGE = "en"
CLASS_PREFIX = "st-key-jflang-"
_SCRIPT_SENT = "jflang-script-sent"

SCRIPT = """<script>
(() => {
  if (window.joiningForcesLang) return;
  window.joiningForcesLang = true;
  const marked = /^st-key-jflang-([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)--/;
  const mark = () => {
    for (const el of document.querySelectorAll('[class*="st-key-jflang-"]')) {
      for (const name of el.classList) {
        const found = marked.exec(name);
        if (found && el.getAttribute("lang") !== found[1]) el.setAttribute("lang", found[1]);
      }
    }
  };
  mark();
  new MutationObserver(mark).observe(document.body, {childList: true, subtree: true});
})();
</script>"""


def language_of(rubric: Rubric) -> str:
    """The rubric's language code, or the app's when it is not of the expected shape."""
    code = rubric.language
    return code if isinstance(code, str) and LANGUAGE_SHAPE.fullmatch(code) else APP_LANGUAGE


def in_language(rubric: Rubric, name: str, **container_options):
    """A container for the rubric's text, marked with the rubric's language (see the module doc).

    `name` makes the key unique on the page (letters, digits and hyphens). An English rubric gets
    a plain container: the page is English already."""
    code = language_of(rubric)
    if code == APP_LANGUAGE:
        return st.container(**container_options)
    if not st.session_state.get(_SCRIPT_SENT):
        # Once per browser tab is enough: the observer stays in the page across reruns and pages.
        st.html(SCRIPT, unsafe_allow_javascript=True, width="content")
        st.session_state[_SCRIPT_SENT] = True
    safe_name = re.sub(r"[^A-Za-z0-9-]", "-", name)
    return st.container(key=f"jflang-{code}--{safe_name}", **container_options)
