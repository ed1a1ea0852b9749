"""Assessments answered on rubric 1.0 keep working after 2.0 ships, and comparisons across the two
versions say where the rubric changed.

tests/data/rubric-1.0/ holds the 1.0 rubric files as shipped, and in exports/ what the 1.0 code
(commit 281e34e) wrote for a fixed set of answers: CSV, JSON and the CLI's text. A 1.0 assessment
saved in the notebook must score and export to exactly the same bytes today.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from joiningforces import cli, exports, history, report
from joiningforces.library import default_rubric
from joiningforces.scoring import one_decimal
from joiningforces.storage import Store
from tests.apptest import new_app
from tests.helpers import CREATED, OLD, QUICK, QUICK_TEXT, quick_2_0_answers, save_1_0
from tests.shown import tables
from ui import plain

@pytest.mark.parametrize("rubric_id", ["joining-forces", "quick-check"])
def test_a_saved_1_0_assessment_scores_and_exports_exactly_as_before(tmp_path, rubric_id):
    token = save_1_0(Store(f"sqlite:///{tmp_path / 'old.sqlite3'}"), rubric_id, "Riverside")
    store = Store(f"sqlite:///{tmp_path / 'old.sqlite3'}")  # reopened, as after an upgrade
    saved = store.get_assessment(token)
    scored = history.scored(store, saved)
    rubric = scored.result.rubric
    assert (rubric.id, rubric.version) == (rubric_id, "1.0")
    assert rubric != default_rubric(rubric_id)  # the library has moved on to 2.0; the snapshot has not
    assert "shared-leadership" in {p.id for p in rubric.principles}  # a principle 2.0 no longer has

    golden = OLD / "exports"
    csv_text = exports.to_csv(scored.result, saved.notes)
    assert csv_text == (golden / f"{rubric_id}.csv").read_bytes().decode("utf-8")
    json_text = exports.to_json(scored.result, saved.notes, meta={"partnership": "Riverside"}, created=CREATED)
    assert json_text == (golden / f"{rubric_id}.json").read_text(encoding="utf-8")
    # The JSON loads back against the snapshot, with every answer.
    answers, notes, _ = exports.from_json(json_text, rubric)
    assert answers == saved.answers and notes == saved.notes

    # The PDF report: every 1.0 principle with its score, as the CLI's table has them.
    pdf = report.pdf_report(scored.result, saved.notes, created=CREATED, subject="Riverside")
    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for p in scored.result.principles:
        assert f"{p.title} {'—' if p.score is None else one_decimal(p.score)}" in pdf_text  # halves round up
    answered = sum(value is not None for value in saved.answers.values())
    assert f"version 1.0 · {answered} of {len(rubric.statements)} statements answered" in pdf_text

    # The CLI's text: the same lines, except that each element now says how many principles it rests on.
    before = (golden / f"{rubric_id}.txt").read_text(encoding="utf-8").rstrip("\n").splitlines()
    now = cli.result_text(scored.result).splitlines()
    assert len(now) == len(before)
    for old_line, new_line in zip(before, now):
        if old_line.startswith("  ") and old_line.rstrip().endswith(")") and ": " in old_line \
                and any(old_line.strip().startswith(e.title + ":") for e in rubric.elements):
            assert new_line.startswith(old_line) and ", from " in new_line
        else:  # the same, except that a half now rounds up (2.25 shows 2.3, as the PDF and the page say)
            assert re.sub(r"\d\.\d", "#", new_line) == re.sub(r"\d\.\d", "#", old_line)
            for a, b in zip(re.findall(r"\d\.\d", old_line), re.findall(r"\d\.\d", new_line)):
                assert 0 <= round(float(b) - float(a), 1) <= 0.1


def test_a_1_0_json_export_is_refused_by_2_0_with_a_clear_message():
    doc = (OLD / "exports" / "quick-check.json").read_text(encoding="utf-8")
    with pytest.raises(exports.ImportProblem) as refused:
        exports.from_json(doc, QUICK)
    message = str(refused.value)
    assert "version 1.0 of the rubric 'quick-check'" in message and "version chosen now is 2.0" in message


def test_the_resume_link_of_a_1_0_assessment_opens_it_on_1_0():
    store = Store()
    uid = save_1_0(store, "quick-check", f"Old Partners {uuid.uuid4().hex[:6]}")
    link = store.replace_link(uid)  # the private resume link (only its digest is kept)
    at = new_app(a=link)
    assert not at.exception
    assert at.session_state["answers"]["quick-check"] == Store().get_assessment(uid).answers
    at.switch_page("pages/results.py").run()
    assert not at.exception
    assert any("version 1\\.0" in c.value or "version 1.0" in c.value for c in at.caption)
    principles = tables(at)[0]
    assert plain("Shared leadership at every level") in principles.index
    assert len(principles) == 12
    # The beachball's side text counts the 1.0 principles: one each under two elements.
    assert any("Putting relationships first: 3.5 (Borderline), from 1 principle" in m.value for m in at.markdown)


def test_compare_and_trend_across_1_0_and_2_0_say_where_the_rubric_changed():
    store = Store()
    name = f"Versioned Trust {uuid.uuid4().hex[:6]}"
    old = save_1_0(store, "quick-check", name)
    new = store.create_assessment(rubric_hash=store.snapshot_rubric(QUICK_TEXT),
                                  partnership=name, created=datetime(2026, 6, 1, tzinfo=UTC))
    store.set_answers(new.id, quick_2_0_answers(4))
    before = history.scored(store, store.get_assessment(old))
    after = history.scored(store, store.get_assessment(new.id))

    frame = history.comparison(before.result, after.result).set_index("Principle")
    trust = frame.loc["Trust and no surprises"]  # matched by id across versions: 3.5 on 1.0, 4.0 on 2.0
    assert (trust["Before"], trust["After"], trust["Rubric"]) == (3.5, 4.0, "other statements")
    assert frame.loc["Shared leadership at every level", "Rubric"] == "not in the later rubric"
    assert pd_isna(frame.loc["Shared leadership at every level", "After"])
    assert frame.loc["Letting go of control", "Rubric"] == "new in the later rubric"
    assert frame.loc["Learning rather than control", "Rubric"] == "another element"  # same two statements
    assert frame.loc["Naming and rebalancing power", "Rubric"] == ""  # same statements, same element

    changes = history.rubric_changes(before.result.rubric, after.result.rubric)
    assert changes[0] == ("The rubric changed between these two: 'Joining forces — quick check' version 1.0, "
                          "then 'Joining forces — quick check' version 2.0. Scores are compared for the 11 "
                          "principles both have.")
    assert any(line.startswith("New in the later rubric") and "Letting go of control" in line for line in changes)
    assert any("Learning rather than control (from Joining forces to Listening to each other)" in line
               for line in changes)
    assert history.rubric_changes(after.result.rubric, after.result.rubric) == []

    trend = history.trend_changes([after, before])  # any order: sorted by date
    assert trend == ["From 01 Jun 2026 the answers are on 'Joining forces — quick check' version 2.0 (before: "
                     "'Joining forces — quick check' version 1.0); principles: 6 new, 1 no longer asked, "
                     "8 asked with other statements, 5 under another element."]
    rows = history.trend_frame([before, after])
    assert set(rows[rows["principle_id"] == "trust"]["rubric"]) == {
        "Joining forces — quick check 1.0", "Joining forces — quick check 2.0"}

    # The notebook's compare tab says it too, above the table, which marks each changed row.
    at = new_app()
    at.switch_page("pages/notebook.py").run()
    at.selectbox(key="compare-before").set_value(old).run()
    at.selectbox(key="compare-after").set_value(new.id).run()
    assert not at.exception
    assert any("The rubric changed between these two" in i.value for i in at.info)
    table = tables(at)[0]
    assert table.loc[plain("Letting go of control"), "Rubric changed"] == "new in the later rubric"
    at.selectbox(key="trend-partnership").set_value(name).run()
    assert any(i.value.startswith("From 01 Jun 2026 the answers are on") for i in at.info)


def pd_isna(value) -> bool:
    return value is None or value != value
