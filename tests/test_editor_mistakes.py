"""A trainer edits a rubric in a text editor or a word processor: each usual mistake is refused
with exit 1, the line it is on and words that say how to fix it; one mistake gives one message.
Also: bands derived from the scale, scores rounded as people expect, a closed pipe."""

import subprocess
import sys

import pytest

from joiningforces.loader import RubricError, load_rubric
from joiningforces.scoring import one_decimal, score
from tests.helpers import ROOT, SMALL, replace_once
from tests.helpers import run_cli as run

TEXT = SMALL


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if fragment in line)


MISTAKES = {
    # name: (old, new, the line to blame (a fragment of it), words of the fix)
    "curly quotes": ('title = "Shared purpose"', "title = “Shared purpose”", "“Shared purpose”",
                     "straight quotes"),
    "missing closing quote": ('title = "Shared purpose"', 'title = "Shared purpose', 'title = "Shared purpose',
                              'add " at the end of the text'),
    "quote inside text": ('text = "People we serve helped shape our aims."',
                          'text = "People we serve "helped" shape our aims."', '"helped"',
                          'Write the inner quotes as \\"'),
    "decimal comma": ("min = 3.0", "min = 3,5", "min = 3,5", "write min = 3.5"),
    "yes for true": ("act = false", "act = no", "act = no", "act = false"),
    "key twice": ('title = "Shared purpose"', 'title = "Shared purpose"\ntitle = "Purpose"',
                  'title = "Purpose"', "'title' is given twice"),
    "text without quotes": ('label = "Disagree"', "label = Disagree", "label = Disagree",
                            'label = "Disagree"'),
    "table header typo": ('  [[principles.statements]]\n  id = "purpose-2"', '  [[principle.statements]]\n  id = "purpose-2"',
                          "[[principle.statements]]", "Did you mean [[principles.statements]]?"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_editor_mistake_is_explained_with_its_line_and_fix(tmp_path, mistake):
    old, new, blamed, fix = MISTAKES[mistake]
    text = replace_once(TEXT, old, new)
    path = tmp_path / "workshop.toml"
    path.write_text(text, encoding="utf-8")
    done = run("validate", str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    problems = [line for line in done.stderr.splitlines() if line.startswith("  ")]
    assert len(problems) == 1, done.stderr  # one mistake, one message
    assert f"{path}:{line_of(text, blamed)}:" in problems[0]
    assert fix in problems[0]
    for jargon in ("Invalid value", "Illegal character", "Expected newline"):
        assert jargon not in problems[0]


def test_the_key_twice_message_names_the_first_line():
    text = replace_once(TEXT, 'title = "Shared purpose"', 'title = "Shared purpose"\ntitle = "Purpose"')
    with pytest.raises(RubricError) as caught:
        load_rubric(text)
    first = line_of(text, 'title = "Shared purpose"')
    assert f"already on line {first}" in caught.value.problems[0].message


def test_a_utf16_file_is_named_as_such(tmp_path):
    path = tmp_path / "notepad.toml"
    path.write_bytes(TEXT.encode("utf-16"))
    done = run("validate", str(path))
    assert done.returncode == 1
    assert "saved as UTF-16" in done.stderr and "Save it as UTF-8" in done.stderr


def test_a_typo_in_every_principle_gives_one_message_each():
    text = TEXT.replace('element = "relationships"\ndescription', 'elemnt = "relationships"\ndescription')
    text = text.replace('element = "joining-forces"\ndescription = "Everyone', 'elemnt = "joining-forces"\ndescription = "Everyone')
    with pytest.raises(RubricError) as caught:
        load_rubric(text)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2, messages
    assert all("Did you mean 'element'?" in m for m in messages)
    assert [p.line for p in caught.value.problems] == [i for i, line in enumerate(text.split("\n"), 1)
                                                       if line.startswith("elemnt")]


def test_structure_and_reference_problems_come_in_one_pass():
    text = replace_once(TEXT, 'title = "Trust and no surprises"', 'titel = "Trust and no surprises"')
    text = replace_once(text, 'helps = ["trust"]', 'helps = ["trsut"]')
    with pytest.raises(RubricError) as caught:
        load_rubric(text)
    problems = caught.value.problems
    assert len(problems) == 2, [str(p) for p in problems]
    assert "Did you mean 'title'?" in problems[0].message and problems[0].line == line_of(text, "titel")
    assert "'trsut', which does not exist" in problems[1].message and problems[1].line == line_of(text, "trsut")


def test_a_lost_principle_id_does_not_also_blame_its_practices():
    # The practices name 'trust', which has lost its id to a typo: only the typo is reported.
    text = replace_once(TEXT, 'id = "trust"\n', 'idd = "trust"\n')
    with pytest.raises(RubricError) as caught:
        load_rubric(text)
    [problem] = caught.value.problems
    assert "Did you mean 'id'?" in problem.message


def scale_of(values: range) -> str:
    return "".join(f'[[scale.points]]\nvalue = {v}\nlabel = "{v}"\n' for v in values)


def without_bands(text: str, values: range) -> str:
    start, end = text.index("[[scale.points]]"), text.index("[[sources]]")
    return text[:start] + scale_of(values) + "\n" + text[end:]


def test_a_1_to_7_rubric_without_bands_does_not_call_a_neutral_4_a_strength():
    rubric = load_rubric(without_bands(TEXT, range(1, 8)))
    assert [(b.id, b.min) for b in rubric.bands] == [("strength", 5.5), ("borderline", 4.0), ("concern", 1.0)]
    result = score(rubric, {s.id: 4 for s in rubric.statements})
    assert all(p.score == 4.0 and p.band.id == "borderline" for p in result.principles)
    assert all(p.band.act for p in result.principles)  # so practices are suggested
    assert rubric.band_for(5.5).id == "strength" and rubric.band_for(5.44).id == "borderline"


@pytest.mark.parametrize("values, strength, borderline", [(range(0, 11), 7.5, 5.0), (range(1, 4), 2.5, 2.0),
                                                          (range(1, 6), 4.0, 3.0)])
def test_default_bands_follow_the_scale(values, strength, borderline):
    rubric = load_rubric(without_bands(TEXT, values))
    assert [b.min for b in rubric.bands] == [strength, borderline, float(values[0])]


def test_band_problems_name_their_line():
    text = replace_once(TEXT, "min = 1.0", "min = 2.0")
    with pytest.raises(RubricError) as caught:
        load_rubric(text)
    [problem] = caught.value.problems
    assert problem.line == line_of(text, "min = 2.0") and "bottom of the scale" in problem.message


@pytest.mark.parametrize("value, text", [(2.25, "2.3"), (2.35, "2.4"), (3.85, "3.9"), (2.75, "2.8"), (2.24, "2.2"),
                                         (4.0, "4.0"), (9 / 4, "2.3")])
def test_scores_round_half_up(value, text):
    assert one_decimal(value) == text


def test_a_mean_of_2_25_is_shown_as_2_3():
    # A principle of four statements answered 2, 2, 3, 2 scores 2.25.
    text = replace_once(TEXT, '  [[principles.statements]]\n  id = "purpose-3"',
                        '  [[principles.statements]]\n  id = "purpose-4"\n  text = "Four."\n\n'
                        '  [[principles.statements]]\n  id = "purpose-3"')
    rubric = load_rubric(text)
    result = score(rubric, {"purpose-1": 2, "purpose-2": 2, "purpose-3": 3, "purpose-4": 2})
    purpose = result.principle("shared-purpose")
    assert purpose.score == 2.25 and one_decimal(purpose.score) == "2.3"
    from joiningforces.exports import principles_table
    assert principles_table(result).set_index("Principle").loc["Shared purpose", "Score"] == "2.3"


def test_a_closed_pipe_is_not_a_traceback():
    with subprocess.Popen([sys.executable, "-m", "joiningforces.cli", "schema"], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        child.stdout.close()  # like `| head` that has read enough, before the schema is written
        errors = child.stderr.read().decode()
        child.wait(timeout=60)
    assert "Traceback" not in errors and "BrokenPipeError" not in errors


@pytest.mark.parametrize("mistake", ["curly quotes", "decimal comma", "table header typo"])
def test_the_studio_shows_the_same_explanation_and_the_line(mistake):
    from joiningforces import studio

    old, new, blamed, fix = MISTAKES[mistake]
    text = replace_once(TEXT, old, new)
    checked = studio.check_rubric(text.encode("utf-8"), "workshop.toml")
    [shown] = checked.problems
    assert fix in shown.problem.message
    line = line_of(text, blamed)
    assert f"→ {line} | {text.split(chr(10))[line - 1].rstrip()}" in shown.excerpt


def test_the_studio_quotes_a_utf16_file_readably():
    from joiningforces import studio

    checked = studio.check_rubric(TEXT.encode("utf-16"), "notepad.toml")
    [shown] = checked.problems
    assert "UTF-16" in shown.problem.message
    assert "→ 1 | # A complete small rubric" in shown.excerpt  # not mojibake


def test_counts_are_in_the_right_number(tmp_path):
    one = tmp_path / "one.toml"
    # small.toml with only its first practice, which helps both principles.
    one.write_text(TEXT[: TEXT.index('[[practices]]\nid = "plans-early"')], encoding="utf-8")
    done = run("validate", str(one))
    assert done.returncode == 0, done.stderr
    assert "2 principles, 5 statements, 1 practice\n" in done.stdout
