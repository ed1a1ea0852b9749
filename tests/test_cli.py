"""The command line, run as a user would: a subprocess, checking output and exit codes."""

import json

import pytest

from tests.helpers import SMALL_PATH as SMALL
from tests.helpers import run_cli as run


def test_validate_ok_for_the_shipped_rubrics():
    done = run("validate", "rubric/joining-forces.toml", "rubric/quick-check.toml")
    assert done.returncode == 0, done.stderr
    assert "rubric/joining-forces.toml: OK" in done.stdout
    assert "rubric/quick-check.toml: OK" in done.stdout


def test_validate_names_file_line_column_and_field(tmp_path):
    broken = tmp_path / "broken.toml"
    text = SMALL.read_text().replace('element = "relationships"', 'elemnt = "relationships"')
    broken.write_text(text)
    line = text.splitlines().index('elemnt = "relationships"') + 1
    done = run("validate", str(broken))
    assert done.returncode == 1
    assert f"{broken}:{line}:1: principles[0].elemnt: 'elemnt' is not a key this format knows. " \
           "Did you mean 'element'?" in done.stderr
    assert "Traceback" not in done.stderr


def test_validate_reports_every_file_and_fails_if_any_fails(tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    done = run("validate", str(SMALL), str(empty))
    assert done.returncode == 1
    assert "small.toml: OK" in done.stdout
    assert f"{empty}:1: the file is empty." in done.stderr


def test_validate_missing_file(tmp_path):
    done = run("validate", str(tmp_path / "nope.toml"))
    assert done.returncode == 1
    assert "cannot read the file" in done.stderr


def test_score_csv_table(tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text("statement,answer\ntrust-1,2\ntrust-2,4\npurpose-1,5\npurpose-2,dk\npurpose-3,4\n")
    done = run("score", "--rubric", str(SMALL), str(answers))
    assert done.returncode == 0, done.stderr
    # trust: 2 and reverse(4)=2 -> 2.0 concern; purpose: 5, 4 (dk left out) -> 4.5 strength
    assert "Trust and no surprises    2.0  Concern             2 of 2" in done.stdout
    assert "Shared purpose            4.5  Strength            2 of 3" in done.stdout
    assert "1. Appreciative inquiry" in done.stdout


def test_score_json_in_and_out(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": {"trust-1": 5, "trust-2": 1, "purpose-1": 2, "purpose-2": 3,
                                               "purpose-3": None}}))
    done = run("score", "--rubric", str(SMALL), str(answers), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    scores = {p["id"]: (p["score"], p["band"]) for p in out["principles"]}
    assert scores == {"trust": (5.0, "strength"), "shared-purpose": (2.5, "concern")}
    assert out["overall"] == pytest.approx(3.75)
    assert out["weak"] == ["shared-purpose"]
    assert [p["id"] for p in out["practices"]] == ["appreciative-inquiry", "purpose-workshop"]


def test_score_wide_csv_from_stdin():
    done = run("score", "--rubric", str(SMALL), "-", "--json", stdin="trust-1,trust-2\n4,2\n")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["principles"][0]["score"] == 4.0
    assert out["principles"][1]["score"] is None  # shared purpose: nothing answered


def test_score_default_rubric_by_id(tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"shared-purpose-5": 4}))
    done = run("score", "--rubric", "quick-check", str(answers), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rubric"]["id"] == "quick-check"


@pytest.mark.parametrize("content, message", [
    ("statement,answer\nnot-a-statement,3\n", "not in the rubric 'small-example': not-a-statement"),
    ("statement,answer\ntrust-1,7\n", "statement 'trust-1' has the answer 7"),
    ("statement,answer\ntrust-1,lots\n", "'lots' is not a number or 'dk'"),
    ('{"trust-1": 4', "not valid JSON (line 1, column"),
    ("", "the answers file is empty"),
])
def test_score_bad_answers(tmp_path, content, message):
    answers = tmp_path / "answers.txt"
    answers.write_text(content)
    done = run("score", "--rubric", str(SMALL), str(answers))
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_score_unknown_rubric(tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text("{}")
    done = run("score", "--rubric", "no-such-rubric", str(answers))
    assert done.returncode == 1
    assert "no rubric file or library rubric called 'no-such-rubric'" in done.stderr


def test_schema_is_json_schema_of_the_format():
    done = run("schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"principles", "practices", "bands", "scale", "elements"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_usage_errors_exit_2():
    assert run().returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("score").returncode == 2
