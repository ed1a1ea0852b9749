"""Text shown as typed: rubric and user text escaped for Markdown, tables as Markdown."""

from __future__ import annotations

import re

import streamlit as st


# Streamlit hides the real radio inputs and draws its own circles, which show no focus ring:
# give keyboard users a clear one (WCAG 2.4.7). Static CSS only; no user text goes through here.
FOCUS_STYLE = """<style>
[data-testid="stRadioOption"]:has(input:focus-visible),
[data-testid="stCheckbox"] label:has(input:focus-visible) {
  outline: 3px solid #0b6b6b; outline-offset: 2px; border-radius: 4px;
}
</style>"""
# The presentation screen (pages/present.py): type readable from the back of a room, no header bar.
PRESENT_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; max-width: 100%; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.6rem; }
h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; }
[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
</style>"""



_INLINE = re.compile(r"([\\`*_~\[\]$])")
_BLOCK = re.compile(r"^(\s*)([#>+\-=])", re.MULTILINE)


_BLOCK = re.compile(r"^(\s*)([#>+\-=])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
# Markdown passes an HTML tag or entity through as raw text (Streamlit shows it, never runs it), but
# then undoes no escapes inside it ("<b>a\\_b</b>" shows the backslash) and decodes "&amp;" to "&".
_HTMLISH = re.compile(r"(<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;))")



def plain(text: str) -> str:
    """Rubric and user text for st.markdown and widget labels: shown as typed, never as markup.

    Only what Markdown would act on is escaped (emphasis, links, code, maths, and list or heading
    marks at the start of a line), because widget labels also become screen readers' aria-labels.
    Streamlit never renders raw HTML here, so HTML needs no escaping to be safe; a "<" that starts a
    tag and a "&" that starts an entity are escaped only so that they show exactly as typed.
    """
    text = _HTMLISH.sub(r"\\\1", _INLINE.sub(r"\\\1", text))
    return _NUMBERED.sub(r"\1\\\2", _BLOCK.sub(r"\1\\\2", text))



def table(frame, hide_index: bool = False) -> None:
    """A table with every cell and index label shown as typed, the index as bold row headers.

    Drawn as a Markdown table, not st.table: st.table sends Arrow data, and the browser then
    loads a 743 KB Arrow script before showing the page (a fifth of /results' first render,
    benchmarks/README.md).
    """
    st.markdown(markdown_table(frame, hide_index))



def markdown_table(frame, hide_index: bool = False) -> str:
    def cell(value) -> str:
        return plain(" ".join(str(value).split())).replace("|", "\\|") or " "

    header = [cell(c) for c in frame.columns]
    rows = [[cell(v) for v in row] for row in frame.itertuples(index=False)]
    if not hide_index:
        header = [cell(frame.index.name or "")] + header
        rows = [[f"**{cell(i)}**"] + row for i, row in zip(frame.index, rows)]
    lines = [header, ["---"] * len(header)] + rows
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)
