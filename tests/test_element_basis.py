"""Every element score says how many principles stand behind it: beside the beachball, in the PDF
report and in the CLI's text (the board pack is checked in test_review_app.py)."""

from __future__ import annotations

import io
import re
from datetime import datetime

from pypdf import PdfReader

from joiningforces import cli, exports, report
from joiningforces.library import default_rubric
from joiningforces.loader import load_rubric
from joiningforces.scoring import score
from tests.helpers import QUICK, SMALL_PATH
from tests.apptest import answer_quick_check, new_app, start_quick

FULL = default_rubric("joining-forces")


def strong(statement) -> int:
    return 1 if statement.reverse else 5


def test_lines_count_the_principles_behind_each_element():
    result = score(FULL, {s.id: strong(s) for s in FULL.statements})
    per_element = {e.id: sum(1 for p in FULL.principles if p.element == e.id) for e in FULL.elements}
    expected = [f"{e.title}: 5.0 (Strength), from {per_element[e.id]} principles" for e in FULL.elements]
    assert exports.element_lines(result) == expected
    assert "from 5 principles" in " ".join(expected)  # power has five


def test_a_principle_without_enough_answers_shows_as_n_of_m():
    power = [p for p in FULL.principles if p.element == "power"]
    answers = {s.id: strong(s) for p in power[1:] for s in p.statements}  # the first power principle unanswered
    lines = exports.element_lines(score(FULL, answers))
    assert "Sharing and building power: 5.0 (Strength), from 4 of 5 principles" in lines
    assert "Listening to each other: no score yet (none of its 4 principles scored)" in lines


def test_one_principle_is_singular():
    rubric = load_rubric(SMALL_PATH)  # the shipped rubrics have no one-principle element
    lines = exports.element_lines(score(rubric, {"trust-1": 2, "trust-2": 4}))
    assert lines[0] == "Putting relationships first: 2.0 (Concern), from 1 principle"


def test_pdf_report_and_cli_text_carry_the_counts():
    result = score(QUICK, {s.id: strong(s) for s in QUICK.statements})
    pdf = report.pdf_report(result, {}, created=datetime(2026, 12, 1))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for line in exports.element_lines(result):
        assert line in text
    assert "Putting relationships first: 5.0 (Strength), from 4 principles" in text
    assert "  Listening to each other: 5.0 (Strength), from 4 principles" in cli.result_text(result)


def test_results_page_shows_the_counts_beside_the_beachball():
    at = answer_quick_check(start_quick(new_app()), strong)
    at.button(key="finish").click().run()
    assert not at.exception
    shown = [m.value for m in at.markdown if "from 4 principles" in m.value]
    assert len(shown) == 1
    assert "- Sharing and building power: 5.0 (Strength), from 5 principles" in shown[0]
