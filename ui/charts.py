"""Result charts drawn on the server as SVG, cached per set of answers."""

from __future__ import annotations

import html as html_lib
import re

import streamlit as st

from joiningforces.models import Rubric


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs={Rubric: lambda r: (r.id, r.version, hash(r))})
def _cached_spec(builder: str, rubric: Rubric, answers: dict) -> dict:
    # Building and validating the Altair charts was a fifth of a results-page run (benchmarks/README.md).
    from joiningforces import charts
    from joiningforces.scoring import score

    return getattr(charts, builder)(score(rubric, answers)).to_dict(validate=False)



def static_chart(build, result) -> None:
    """A result's chart drawn on the server as an SVG image (by vl-convert, as in the PDF).

    The browser shows it at once: no Vega (a 775 KB script, then drawing) on the page's first
    render (benchmarks/README.md). Its alt text is the chart's description followed by every
    mark's label ("series: You; principle: …; score: 3.2; band: …"), so a screen reader gets all
    the figures; there are no hover tooltips (the table below has the same figures).
    """
    svg, alt = _cached_svg(build.__name__, result.rubric, result.answers)
    st.image(svg, alt=alt, width="content")



def chart_svg(build, result) -> str:
    """The same SVG as `static_chart` shows (from the same cache), for a download."""
    return _cached_svg(build.__name__, result.rubric, result.answers)[0]



@st.cache_data(show_spinner=False, max_entries=256, hash_funcs={Rubric: lambda r: (r.id, r.version, hash(r))})
def _cached_svg(builder: str, rubric: Rubric, answers: dict) -> tuple[str, str]:
    from joiningforces import report

    spec = _cached_spec(builder, rubric, answers)
    svg = report.radar_svg(spec)
    marks = [html_lib.unescape(label) for label in re.findall(r'aria-label="([^"]*: [^"]*)"', svg)]
    return svg, " ".join([spec.get("description", "")] + [f"{label}." for label in marks])
