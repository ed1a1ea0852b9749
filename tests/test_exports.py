"""JSON round trip and every way an import can fail; the CSV (formula-safe, parses back); the table."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joiningforces.exports import (
    FORMAT,
    MAX_IMPORT_BYTES,
    ImportProblem,
    from_json,
    principles_table,
    safe_cell,
    to_csv,
    to_json,
)
from joiningforces.loader import load_rubric
from joiningforces.models import Rubric
from joiningforces.scoring import score

SMALL = Path(__file__).parent / "data" / "small.toml"
ANSWERS = {"trust-1": 2, "trust-2": 4, "purpose-1": 5, "purpose-2": 4, "purpose-3": None}
NOTES = {"trust": "We were caught out twice — “again”.", "shared-purpose": "=HYPERLINK(\"http://x\")"}


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(SMALL)


@pytest.fixture(scope="module")
def result(rubric):
    return score(rubric, ANSWERS)


@pytest.fixture(scope="module")
def document(result) -> str:
    return to_json(result, NOTES, meta={"subject": "Llanfair partnership ŵ"},
                   created=datetime(2025, 11, 22, 9, 30, tzinfo=timezone.utc))


def variant(rubric: Rubric, **changes) -> Rubric:
    return Rubric.model_validate({**rubric.model_dump(), **changes})


def edited(document: str, **changes) -> str:
    doc = json.loads(document)
    doc.update(changes)
    return json.dumps(doc)


def problem(text, rubric) -> str:
    with pytest.raises(ImportProblem) as info:
        from_json(text, rubric)
    return str(info.value)


# ---- JSON -----------------------------------------------------------------------------------

def test_document_shape(document, result):
    doc = json.loads(document)
    assert doc["format"] == FORMAT and doc["format_version"] == 1
    assert doc["rubric"] == {"id": "small-example", "version": "1.0", "title": "Small example"}
    assert doc["created"] == "2025-11-22T09:30:00+00:00"
    assert doc["answers"] == ANSWERS
    assert doc["notes"] == NOTES
    assert doc["scores"]["principles"]["trust"] == {
        "title": "Trust and no surprises", "element": "relationships", "score": 2.0, "band": "concern",
        "answered": 2, "total": 2}
    assert doc["scores"]["principles"]["shared-purpose"]["score"] == 4.5
    assert doc["scores"]["overall"] == 3.25
    assert doc["scores"]["elements"]["joining-forces"]["band"] == "strength"


def test_round_trip(document, rubric):
    answers, notes, meta = from_json(document, rubric)
    assert answers == ANSWERS
    assert notes == NOTES
    assert meta == {"subject": "Llanfair partnership ŵ", "created": "2025-11-22T09:30:00+00:00"}
    # Bytes with a byte-order mark (as some editors save) work too.
    assert from_json(b"\xef\xbb\xbf" + document.encode(), rubric)[0] == ANSWERS


def test_unanswered_statements_stay_out_and_dont_know_stays_null(rubric):
    result = score(rubric, {"trust-1": 3, "trust-2": None})
    answers, notes, meta = from_json(to_json(result, {}), rubric)
    assert answers == {"trust-1": 3, "trust-2": None}
    assert notes == {} and set(meta) == {"created"}


def test_not_json(rubric):
    assert "not valid JSON" in problem("hello, this is a letter", rubric)
    assert "not text (UTF-8)" in problem(b"\x89PNG\r\n\x1a\n\x00\x00", rubric)
    assert "not text (UTF-8)" in problem(b"\xff\xfe\x00a", rubric)
    assert problem("   ", rubric) == "The file is empty."
    assert "NaN" in problem(edited('{"a": 1}', b=None).replace("null", "NaN"), rubric)


def test_truncated(document, rubric):
    for cut in (len(document) // 2, len(document) - 2, 40):
        assert "truncated" in problem(document[:cut], rubric)


def test_not_our_format(document, rubric):
    message = problem(edited(document, format="something-else"), rubric)
    assert message.startswith("This is not a joiningforces assessment file")
    doc = json.loads(document)
    del doc["format"]
    assert "not a joiningforces assessment file" in problem(json.dumps(doc), rubric)
    assert "not a joiningforces assessment file" in problem("[1, 2, 3]", rubric)
    assert "format version" in problem(edited(document, format_version="1"), rubric)


def test_newer_format_version(document, rubric):
    message = problem(edited(document, format_version=2), rubric)
    assert "newer version of joiningforces" in message and "Update" in message


def test_other_rubric(document, rubric):
    other = variant(rubric, id="joining-forces", title="Joining forces")
    assert problem(document, other) == (
        "This file was made with the rubric 'small-example' (Small example); choose that rubric first "
        "(the rubric chosen now is 'joining-forces').")


def test_other_rubric_version(document, rubric):
    newer = variant(rubric, version="1.1")
    assert from_json(document, newer)[0] == ANSWERS  # every statement still exists: fine
    doc = json.loads(document)
    doc["answers"]["trust-3"] = 4
    message = problem(json.dumps(doc), newer)
    assert "version 1.0 of the rubric 'small-example'" in message
    assert "version chosen now is 1.1" in message and "'trust-3'" in message


def test_answers_that_do_not_fit(document, rubric):
    doc = json.loads(document)
    doc["answers"]["trust-1"] = 7
    assert "do not fit the rubric: statement 'trust-1' has the answer 7" in problem(json.dumps(doc), rubric)
    doc["answers"]["trust-1"] = "4"
    assert "The answer to statement 'trust-1' is \"4\"" in problem(json.dumps(doc), rubric)
    doc["answers"]["trust-1"] = [4]
    assert "whole number on the scale" in problem(json.dumps(doc), rubric)
    doc["answers"]["trust-1"] = 4
    doc["answers"]["nope"] = 4
    assert "not in the rubric 'small-example': nope" in problem(json.dumps(doc), rubric)
    assert "answers are missing" in problem(edited(document, answers=[1, 2]), rubric)
    assert "notes are not a table" in problem(edited(document, notes="hi"), rubric)


def test_too_large(document, rubric):
    padded = document[:-1] + ', "padding": "' + "x" * MAX_IMPORT_BYTES + '"}'
    assert "too large" in problem(padded, rubric)
    assert "too large" in problem(padded.encode(), rubric)


def test_notes_for_unknown_principles_are_dropped_and_lone_surrogates_replaced(document, rubric):
    doc = json.loads(document)
    doc["notes"] = {"trust": "ok", "gone": "old principle"}
    text = json.dumps(doc).replace('"ok"', '"ok \\ud800"')
    answers, notes, meta = from_json(text, rubric)
    assert notes == {"trust": "ok ?"}


SAFETY_NET = "could not be read as an assessment ("

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200), json_values.map(json.dumps)))
def test_any_input_gives_answers_or_import_problem(rubric, data):
    try:
        answers, notes, meta = from_json(data, rubric)
    except ImportProblem as exc:
        assert str(exc) and SAFETY_NET not in str(exc)  # every failure is foreseen and explained
    else:
        assert isinstance(answers, dict) and isinstance(notes, dict) and isinstance(meta, dict)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(["format", "format_version", "rubric", "answers", "notes", "meta", "created"]),
    value=json_values,
    answer=st.sampled_from(["trust-1", "purpose-3", "x"]) | st.text(max_size=5),
    answer_value=json_values,
)
def test_damaged_documents_give_import_problem(rubric, document, key, value, answer, answer_value):
    doc = json.loads(document)
    doc[key] = value
    if isinstance(doc.get("answers"), dict):
        doc["answers"][answer] = answer_value
    try:
        answers, notes, meta = from_json(json.dumps(doc), rubric)
    except ImportProblem as exc:
        assert str(exc) and SAFETY_NET not in str(exc)  # every failure is foreseen and explained
    else:
        assert set(answers) <= {s.id for s in rubric.statements}
        assert all(v is None or isinstance(v, int) for v in answers.values())


# ---- CSV ------------------------------------------------------------------------------------

def parsed(text: str) -> tuple[list[list[str]], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    gap = rows.index([])
    return rows[:gap], rows[gap + 1:]


def test_csv_sections_parse_back(result):
    statements, principles = parsed(to_csv(result, NOTES))
    assert statements[0] == ["principle_id", "principle", "statement_id", "statement", "answer", "answer_label",
                             "score"]
    assert len(statements) == 1 + 5
    trust_2 = next(r for r in statements if r[2] == "trust-2")
    # The answer given (Agree) and its score after reversal; never a "reverse" column.
    assert trust_2[4:] == ["4", "Agree", "2.0"]
    assert not any("reverse" in cell.lower() for row in statements + principles for cell in row)
    purpose_3 = next(r for r in statements if r[2] == "purpose-3")
    assert purpose_3[4:] == ["", "Don't know", ""]
    assert principles[0] == ["principle_id", "principle", "element", "score", "band", "coverage", "note"]
    assert principles[1] == ["trust", "Trust and no surprises", "Putting relationships first", "2.0", "Concern",
                             "2 of 2 answered", "We were caught out twice — “again”."]
    assert principles[-1][:5] == ["overall", "Overall", "", "3.25", "Borderline"]


def test_csv_neutralises_formulas(rubric):
    data = rubric.model_dump()
    data["principles"][0]["title"] = "@SUM(A1:A9)"
    data["principles"][0]["statements"][0]["text"] = "=cmd|' /C calc'!A0"
    risky = Rubric.model_validate(data)
    notes = {"trust": "+1 and more", "shared-purpose": "-2"}
    text = to_csv(score(risky, ANSWERS), notes)
    statements, principles = parsed(text)
    assert statements[1][1] == "'@SUM(A1:A9)"
    assert statements[1][3] == "'=cmd|' /C calc'!A0"
    assert principles[1][6] == "'+1 and more"
    assert principles[2][6] == "'-2"
    for row in statements + principles:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert [safe_cell(v) for v in ("\tx", "\rx", "ok", 3.5, "")] == ["'\tx", "'\rx", "ok", 3.5, ""]


def test_principles_table(result):
    table = principles_table(result)
    assert list(table.columns) == ["Principle", "Element", "Score", "Band", "Coverage"]
    assert table.to_dict("records") == [
        {"Principle": "Trust and no surprises", "Element": "Putting relationships first", "Score": "2.0",
         "Band": "Concern", "Coverage": "2 of 2 answered"},
        {"Principle": "Shared purpose", "Element": "Joining forces", "Score": "4.5", "Band": "Strength",
         "Coverage": "2 of 3 answered"},
    ]
    empty = principles_table(score(result.rubric, {"purpose-1": 3}))
    assert empty["Score"].tolist() == ["—", "—"]
    assert empty["Band"].tolist() == ["Not enough answers", "Not enough answers"]
    assert empty["Coverage"].tolist() == ["0 of 2 answered", "1 of 3 answered"]
