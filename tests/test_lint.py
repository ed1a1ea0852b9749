"""Warnings about usable rubrics whose scores may mislead: in the core, the CLI and the studio page."""

from __future__ import annotations

from joiningforces import lint, studio
from joiningforces.loader import load_rubric
from tests.apptest import studio_app, upload
from tests.helpers import FAIRNESS, OLD, SMALL, line_of, replace_once, run_cli

SMALL_TEXT = SMALL

# The small rubric with a reverse-scored statement for shared purpose and two more principles, one
# per element: every element has two principles, each principle a reverse-scored statement.
BALANCED = replace_once(
    SMALL_TEXT, '  text = "People we serve helped shape our aims."',
    '  text = "Each partner mainly works to its own aims."\n  reverse = true',
) + FAIRNESS + (FAIRNESS.replace('"fairness"', '"credit"').replace('"fair-', '"credit-')
                .replace('"open-books"', '"open-ledger"').replace('element = "relationships"', 'element = "joining-forces"'))


def messages(text: str) -> list[str]:
    return [message for _, message in lint.rubric_warnings(load_rubric(text))]


def test_a_balanced_rubric_has_no_warnings():
    assert messages(BALANCED) == []


def test_fewer_than_three_principles_is_a_warning_not_an_error():
    found = messages(SMALL_TEXT)  # two principles: it still loads
    assert "the rubric has 2 principles; a radar chart needs at least 3 to show a shape." in found


def test_an_element_with_one_principle_or_none_is_named():
    one = replace_once(BALANCED, 'element = "joining-forces"', 'element = "relationships"', occurrence=2)
    assert any(m.startswith("element 'joining-forces' has 1 principle;") for m in messages(one))
    none = one.replace('element = "joining-forces"', 'element = "relationships"')
    assert any(m.startswith("element 'joining-forces' has no principles;") and "rests on nothing" in m
               for m in messages(none))


def test_a_principle_without_a_reverse_scored_statement_is_named_at_its_line():
    text = BALANCED.replace("  reverse = true\n", "", 1)  # trust's only reverse-scored statement
    warnings = lint.warnings_in(load_rubric(text), text, "mine.toml")
    assert [(w.field, w.line) for w in warnings] == [("principles[0].statements",
                                                      line_of(text, "[[principles.statements]]"))]
    assert "principle 'trust' has no reverse-scored statement" in warnings[0].message


def test_the_1_0_rubrics_warn_about_what_2_0_fixed():
    full = messages((OLD / "joining-forces.toml").read_text(encoding="utf-8"))
    quick = messages((OLD / "quick-check.toml").read_text(encoding="utf-8"))
    # Two elements resting on one principle each; 2 principles (7 in the quick check) open to agreeable answering.
    assert sum("has 1 principle" in m for m in full) == 2 and sum("has 1 principle" in m for m in quick) == 2
    assert sum("no reverse-scored" in m for m in full) == 2
    assert sum("no reverse-scored" in m for m in quick) == 7


def test_cli_validate_prints_warnings_and_still_succeeds(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(SMALL_TEXT, encoding="utf-8")
    done = run_cli("validate", str(path), "rubric/joining-forces.toml", "rubric/quick-check.toml")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    warnings = [line for line in lines if line.startswith("  warning: ")]
    assert len(warnings) == 4  # 2 principles; 2 elements of 1 principle; shared purpose not reversed
    assert f"  warning: {path}:{line_of(SMALL_TEXT, '[[principles]]')}: principles: the rubric has 2 " \
           "principles; a radar chart needs at least 3 to show a shape." in lines
    assert lines[0].startswith(f"{path}: OK")
    shipped = "\n".join(lines[lines.index(warnings[-1]) + 1:])
    assert "rubric/joining-forces.toml: OK" in shipped and "warning" not in shipped


def test_studio_check_carries_the_warnings_with_excerpts():
    checked = studio.check_rubric(SMALL_TEXT.encode("utf-8"), "small.toml")
    assert checked.ok and len(checked.warnings) == 4
    assert all(w.excerpt and "→" in w.excerpt for w in checked.warnings)
    assert studio.check_rubric(BALANCED.encode("utf-8"), "balanced.toml").warnings == ()


def test_studio_page_shows_warnings_beside_a_valid_rubric():
    at = upload(studio_app(), SMALL_TEXT)
    assert any("is a valid rubric" in s.value for s in at.success)
    shown = [w.value for w in at.warning if w.value.startswith("Warning, line")]
    assert len(shown) == 4
    assert any("principle 'shared-purpose' has no reverse-scored statement" in w for w in shown)
    at = upload(studio_app(), BALANCED)
    assert not [w.value for w in at.warning if w.value.startswith("Warning, line")]
