"""The loader: every way of giving it a rubric, every cross-check with the line it points at, bad
input of every kind (always a RubricError, never a traceback), and the rubric library folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pydantic
import pytest
import tomli
from tests.helpers import line_of, replace_once

from joiningforces import library, loader
from joiningforces.loader import MAX_BYTES, Problem, RubricError, load_rubric
from joiningforces.locate import LineIndex


def problems_of(text: str | bytes, **kwargs) -> list[Problem]:
    with pytest.raises(RubricError) as info:
        load_rubric(text, **kwargs)
    assert info.value.problems, "a RubricError must carry at least one problem"
    return info.value.problems


def the_problem(problems: list[Problem], fragment: str) -> Problem:
    """The one problem whose message contains `fragment`."""
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, f"expected one problem with {fragment!r}, got: {[str(p) for p in problems]}"
    return found[0]


# --- ways in ---------------------------------------------------------------------------------


def test_small_rubric_loads_with_its_content(small_rubric):
    r = small_rubric
    assert r.id == "small-example"
    assert [p.id for p in r.principles] == ["trust", "shared-purpose"]
    assert [s.id for s in r.statements] == ["trust-1", "trust-2", "purpose-1", "purpose-2", "purpose-3"]
    assert [s.reverse for s in r.statements] == [False, True, False, False, False]
    assert [(b.id, b.min, b.act) for b in r.bands] == [
        ("strength", 4.0, False), ("borderline", 3.0, True), ("concern", 1.0, True)]
    assert [p.value for p in r.scale.points] == [1, 2, 3, 4, 5]
    assert (r.scale.low, r.scale.high, r.scale.min_answered) == (1, 5, 0.5)
    assert r.principle_of["purpose-2"].id == "shared-purpose"
    assert [pr.id for pr in r.practices_for("trust")] == ["appreciative-inquiry", "plans-early"]
    assert r.element("relationships").title == "Putting relationships first"
    assert r.source("jf-imbalances").organisation == "A Better Way"
    assert r.scale.label_for(None) == "Don't know"
    assert r.scale.label_for(4) == "Agree"


def test_path_str_path_text_and_bytes_give_the_same_rubric(small_rubric_path, small_rubric_text, small_rubric):
    assert load_rubric(small_rubric_path) == small_rubric
    assert load_rubric(str(small_rubric_path)) == small_rubric
    assert load_rubric(small_rubric_text) == small_rubric
    assert load_rubric(small_rubric_text.encode("utf-8")) == small_rubric


@pytest.mark.parametrize("as_str", [False, True])
def test_missing_file_names_it(tmp_path, as_str):
    missing = tmp_path / "nowhere.toml"
    problems = problems_of(str(missing) if as_str else missing)
    assert len(problems) == 1
    assert problems[0].file == str(missing)
    assert "cannot read the file" in problems[0].message
    assert str(missing) in str(RubricError(problems))


def test_a_folder_is_not_a_rubric(tmp_path):
    assert "cannot read the file" in problems_of(tmp_path)[0].message


def test_a_path_with_a_nul_byte_is_a_rubric_error():
    # Path.stat raises ValueError (not OSError) for this; it used to escape as a traceback.
    problems = problems_of("rubric\x00.toml")
    assert "cannot read the file" in problems[0].message


def test_name_is_used_in_messages(small_rubric_text):
    text = replace_once(small_rubric_text, 'element = "relationships"', 'elemnt = "relationships"')
    problems = problems_of(text, name="mine.toml")
    assert all(p.file == "mine.toml" for p in problems)
    line = line_of(text, "elemnt")
    assert f"mine.toml:{line}:1: principles[0].elemnt: 'elemnt' is not a key" in str(RubricError(problems))


def test_text_defaults_to_a_placeholder_name():
    assert problems_of("not toml at all\nsecond line")[0].file == "<rubric>"


def test_the_model_is_immutable(small_rubric):
    with pytest.raises(pydantic.ValidationError):
        small_rubric.title = "Changed"
    with pytest.raises(pydantic.ValidationError):
        small_rubric.principles[0].statements[0].text = "Changed"
    with pytest.raises(pydantic.ValidationError):
        small_rubric.bands[0].min = 0.0
    with pytest.raises(TypeError):
        small_rubric.principles[0] = small_rubric.principles[1]  # tuples, not lists
    assert small_rubric.title == "Small example"
    hash(small_rubric)  # hashable: scoring caches per rubric


# --- cross-checks, each with its line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "kind", "value"),
    [
        ('id = "shared-purpose"', 'id = "trust"', "principle", "trust"),
        ('id = "purpose-1"', 'id = "trust-1"', "statement", "trust-1"),  # across principles
        ('id = "trust-2"', 'id = "trust-1"', "statement", "trust-1"),  # within a principle
        ('id = "plans-early"', 'id = "appreciative-inquiry"', "practice", "appreciative-inquiry"),
        ('id = "joining-forces"', 'id = "relationships"', "element", "relationships"),
        ('id = "borderline"', 'id = "strength"', "band", "strength"),
        ('id = "funder"', 'id = "smaller-partner"', "role", "smaller-partner"),
    ],
)
def test_duplicate_ids_point_at_the_second_one(small_rubric_text, old, new, kind, value):
    text = replace_once(small_rubric_text, old, new)
    problem = the_problem(problems_of(text), f"the {kind} id '{value}' is used twice")
    assert problem.line == line_of(small_rubric_text, old)


def test_duplicate_source_id(small_rubric_text):
    text = small_rubric_text + '\n[[sources]]\nid = "jf-imbalances"\ntitle = "Again"\norganisation = "Same"\n'
    problem = the_problem(problems_of(text), "the source id 'jf-imbalances' is used twice")
    assert problem.line == line_of(text, 'id = "jf-imbalances"', occurrence=2)
    assert problem.field == "sources[1].id"


def test_unknown_element(small_rubric_text):
    text = replace_once(small_rubric_text, 'element = "relationships"', 'element = "relationship"')
    problem = the_problem(problems_of(text), "names element 'relationship'")
    assert "joining-forces, relationships" in problem.message  # lists the ones there are
    assert problem.line == line_of(text, 'element = "relationship"')
    assert problem.field == "principles[0].element"


def test_unknown_principle_source(small_rubric_text):
    text = replace_once(small_rubric_text, 'source = "jf-imbalances"', 'source = "jf-imbalance"', occurrence=2)
    problem = the_problem(problems_of(text), "cites source 'jf-imbalance'")
    assert "principle 'shared-purpose'" in problem.message
    assert problem.line == line_of(text, 'source = "jf-imbalance"')


def test_practice_helps_an_unknown_principle(small_rubric_text):
    text = replace_once(small_rubric_text, 'helps = ["trust"]', 'helps = ["trusty"]')
    problem = the_problem(problems_of(text), "practice 'plans-early' helps principle 'trusty', which does not exist")
    assert problem.line == line_of(text, 'helps = ["trusty"]')
    assert problem.field == "practices[1].helps[0]"


def test_practice_with_unknown_source(small_rubric_text):
    # The third `source = "jf-imbalances"` is the first practice's.
    text = replace_once(small_rubric_text, 'source = "jf-imbalances"', 'source = "nowhere"', occurrence=3)
    problem = the_problem(problems_of(text), "practice 'appreciative-inquiry' cites source 'nowhere'")
    assert problem.line == line_of(text, 'source = "nowhere"')


def test_every_cross_check_problem_is_reported_at_once(small_rubric_text):
    text = replace_once(small_rubric_text, 'helps = ["trust"]', 'helps = ["trusty"]')
    text = replace_once(text, 'element = "relationships"', 'element = "relationship"')
    text = replace_once(text, 'id = "funder"', 'id = "smaller-partner"')
    problems = problems_of(text)
    assert [p.line for p in problems] == sorted(
        [line_of(text, 'id = "smaller-partner"', 2), line_of(text, 'element = "relationship"'),
         line_of(text, 'helps = ["trusty"]')])


def test_principle_with_one_statement(small_rubric_text):
    block = '  [[principles.statements]]\n  id = "trust-2"\n'
    start = small_rubric_text.index(block)
    end = small_rubric_text.index("[[principles]]", start)
    text = small_rubric_text[:start] + small_rubric_text[end:]
    problem = the_problem(problems_of(text), "principle 'trust' needs at least two statements (it has 1)")
    assert problem.line == line_of(text, "[[principles.statements]]")  # trust's statements start here


def test_principle_with_no_statements(small_rubric_text):
    start = small_rubric_text.index("  [[principles.statements]]")
    end = small_rubric_text.index("[[principles]]", start)
    text = small_rubric_text[:start] + small_rubric_text[end:]
    problem = the_problem(problems_of(text), "principle 'trust' needs at least two statements (it has 0)")
    assert problem.line == line_of(text, "[[principles]]")


def test_principle_without_a_practice(small_rubric_text):
    text = replace_once(small_rubric_text, 'helps = ["trust", "shared-purpose"]', 'helps = ["trust"]')
    text = replace_once(text, 'helps = ["shared-purpose"]', 'helps = ["trust"]')
    problem = the_problem(problems_of(text), "principle 'shared-purpose' has no practice")
    assert problem.line == line_of(text, 'id = "shared-purpose"')


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("min = 3.0", "min = 4.0", "band 'borderline' (min 4.0) must have a lower min than band 'strength'"),
        ("min = 3.0", "min = 4.5", "band 'borderline' (min 4.5) must have a lower min"),
        ("min = 1.0", "min = 1.5", "the lowest band must start at the bottom of the scale (1)"),
        ("min = 4.0", "min = 5.5", "band 'strength' starts at 5.5, outside the scale (1 to 5)"),
        ("min = 1.0", "min = 0.5", "band 'concern' starts at 0.5, outside the scale (1 to 5)"),
        ("min = 3.0", "min = nan", "band 'borderline' starts at nan, outside the scale"),
    ],
)
def test_bands_are_checked_at_their_line(small_rubric_text, old, new, fragment):
    text = replace_once(small_rubric_text, old, new)
    problem = the_problem(problems_of(text), fragment)
    assert problem.line == line_of(small_rubric_text, old)
    assert problem.field.startswith("bands[") and problem.field.endswith("].min")


def test_band_min_may_be_a_toml_integer(small_rubric_text):
    rubric = load_rubric(replace_once(small_rubric_text, "min = 4.0", "min = 4"))
    assert rubric.bands[0].min == 4.0


@pytest.mark.parametrize(
    ("old", "new", "fragment", "at"),
    [
        ("value = 3", "value = 2", "scale values must go up strictly: 2 follows 2", "value = 3"),
        ("value = 4", "value = 6", "scale values must go up strictly: 5 follows 6", "value = 5"),
    ],
)
def test_scale_values_go_up_strictly(small_rubric_text, old, new, fragment, at):
    text = replace_once(small_rubric_text, old, new)
    problem = the_problem(problems_of(text), fragment)
    assert problem.line == line_of(small_rubric_text, at)


# --- field errors, each with its line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ('value = 3', 'value = "3"', "this should be a whole number"),
        ('value = 3', 'value = 3.5', "this should be a whole number"),
        ('min = 4.0', 'min = "4.0"', "this should be a number"),
        ('min = 4.0', 'min = true', "this should be a number"),
        ('act = false', 'act = "no"', "this should be true or false"),
        ('act = false', 'act = 0', "this should be true or false"),
        ('reverse = true', 'reverse = 1', "this should be true or false"),
        ('reverse = true', 'reverse = "yes"', "this should be true or false"),
        ('id = "trust"', 'id = 1', "this should be text in quotes"),
        ('id = "trust"', 'id = "Trust"', "an id may use only lowercase letters"),
        ('title = "Shared purpose"', 'title = ["Shared purpose"]', "this should be text in quotes"),
        ('helps = ["trust"]', 'helps = "trust"', "this should be a list"),
        ('helps = ["trust"]', 'helps = []', "this list needs at least 1 entries"),
        ('min_answered = 0.5', 'min_answered = "half"', "this should be a number"),
        ('min_answered = 0.5', 'min_answered = 1.5', "this number is out of range"),
        ('language = "en"', 'language = "English"', "the language must be a code"),
        ('version = "1.0"', 'version = 1.0', "this should be text in quotes"),
        ('value = 3', 'value = 1979-05-27', "this should be a whole number"),
    ],
)
def test_wrong_types_point_at_their_line(small_rubric_text, old, new, fragment):
    text = replace_once(small_rubric_text, old, new)
    problem = the_problem(problems_of(text), fragment)
    assert problem.line == line_of(small_rubric_text, old)


def test_column_is_the_indentation(small_rubric_text):
    text = replace_once(small_rubric_text, 'reverse = true', 'reverse = "true"')
    problem = the_problem(problems_of(text), "true or false")
    assert problem.column == 3  # the statement keys are indented by two spaces
    assert problem.field == "principles[0].statements[1].reverse"


@pytest.mark.parametrize(
    ("old", "new", "key", "suggestion"),
    [
        ('element = "relationships"', 'elemnt = "relationships"', "elemnt", "element"),
        ("reverse = true", "revers = true", "revers", "reverse"),
        ('description = "A two-principle', 'descripton = "A two-principle', "descripton", "description"),
        ("min_answered = 0.5", "min_answerd = 0.5", "min_answerd", "min_answered"),
        ('helps = ["trust"]', 'help = ["trust"]', "help", "helps"),
    ],
)
def test_unknown_key_suggests_the_nearest(small_rubric_text, old, new, key, suggestion):
    text = replace_once(small_rubric_text, old, new)
    problem = the_problem(problems_of(text), f"'{key}' is not a key this format knows")
    assert f"Did you mean '{suggestion}'?" in problem.message
    assert problem.line == line_of(small_rubric_text, old)


def test_unknown_key_without_a_near_one_lists_the_known_keys(small_rubric_text):
    text = replace_once(small_rubric_text, "act = false", "act = false\ncolour = \"green\"")
    problem = the_problem(problems_of(text), "'colour' is not a key this format knows")
    assert "Known keys here: act, id, label, meaning, min." in problem.message
    assert problem.line == line_of(text, "colour")


def test_misspelt_required_key_is_one_problem_not_also_missing(small_rubric_text):
    text = replace_once(small_rubric_text, 'element = "relationships"', 'elemnt = "relationships"')
    [problem] = problems_of(text)
    assert problem.line == line_of(text, "elemnt")
    assert "Did you mean 'element'?" in problem.message


@pytest.mark.parametrize("empty", ['text = ""', 'text = "   "'])
def test_statement_with_no_text(small_rubric_text, empty):
    old = 'text = "People we serve helped shape our aims."'
    text = replace_once(small_rubric_text, old, empty)
    problem = the_problem(problems_of(text), "this text is empty")
    assert problem.line == line_of(small_rubric_text, old)
    assert problem.field == "principles[1].statements[1].text"


def test_statement_without_a_text_key(small_rubric_text):
    text = replace_once(small_rubric_text, '  text = "People we serve helped shape our aims."\n', "")
    problem = the_problem(problems_of(text), "'text' is missing")
    assert problem.line == line_of(text, 'id = "purpose-2"') - 1  # its [[principles.statements]] header


def test_field_problems_are_all_reported_in_line_order(small_rubric_text):
    text = replace_once(small_rubric_text, "value = 3", 'value = "3"')
    text = replace_once(text, 'text = "People we serve helped shape our aims."', 'text = ""')
    text = replace_once(text, "act = false", "act = 1")
    problems = problems_of(text)
    assert [p.line for p in problems] == [line_of(text, 'value = "3"'), line_of(text, "act = 1"),
                                          line_of(text, 'text = ""')]


def test_unicode_line_separators_inside_strings_do_not_shift_lines(small_rubric_text):
    # U+2028 (pasted from a web page) and U+0085 are plain characters to TOML, not line ends.
    text = replace_once(small_rubric_text, "We start by assuming the best", "We start\u2028by assuming\x85 the best")
    text = replace_once(text, "reverse = true", 'reverse = "true"')
    problem = the_problem(problems_of(text), "true or false")
    assert problem.line == line_of(small_rubric_text, "reverse = true")
    assert problem.column == 3


def test_too_many_principles_points_at_the_first(small_rubric_text):
    text = small_rubric_text
    block_start = text.index("[[principles]]")
    block_end = text.index("[[practices]]")
    block = text[block_start:block_end]
    text = text[:block_start] + block * 31 + text[block_end:]  # 62 principles
    problem = the_problem(problems_of(text), "at most 60 entries")
    assert problem.field == "principles"
    assert problem.line == line_of(text, "[[principles]]")


# --- bad input, never a traceback ----------------------------------------------------------------


@pytest.mark.parametrize("empty", ["", "   \n\n\t\n", b"", b"\xef\xbb\xbf", "\ufeff\n"])
def test_empty_file(empty):
    problems = problems_of(empty)
    assert [(p.line, p.message) for p in problems] == [(1, "the file is empty.")]


def test_empty_file_on_disk(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_bytes(b"")
    assert problems_of(path)[0].message == "the file is empty."


def test_only_comments_lists_the_missing_keys():
    problems = problems_of("# nothing yet\n# really\n")
    assert {p.field for p in problems} >= {"id", "title", "version", "description", "principles", "practices"}
    assert all(p.message.endswith("is missing; add it.") for p in problems)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("this is not toml\n", 1),
        ('id = "x"\ntitle = \n', 2),
        ('id = "x"\n\n[principles\n', 3),
        ('a = 1\na = 2\n', 2),  # a key written twice is a TOML error
        ("{ not: toml }\n", 1),
        ("<html><body>hello</body></html>\n", 1),
    ],
)
def test_not_toml_has_a_line(text, line):
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].line == line
    assert problems[0].message.startswith("this is not valid TOML:")


def test_syntax_error_inside_the_small_rubric(small_rubric_text):
    text = replace_once(small_rubric_text, 'title = "Shared purpose"', 'title = "Shared purpose')
    [problem] = problems_of(text)
    assert problem.line == line_of(text, 'title = "Shared purpose')
    assert problem.column is not None


@pytest.mark.parametrize("data", [b"\xff\xfe\x00i\x00d", "caf\u00e9 = 1\n".encode("latin-1")])
def test_not_utf8(data):
    [problem] = problems_of(data)
    assert "not UTF-8" in problem.message
    assert problem.line == 1


def test_not_utf8_gives_the_line(small_rubric_text):
    data = small_rubric_text.encode("utf-8")
    at = data.index(b"Shared purpose")
    data = data[:at] + b"\xe9" + data[at:]
    [problem] = problems_of(data)
    assert problem.line == line_of(small_rubric_text, "Shared purpose")


def test_lone_surrogate_in_text_is_not_utf8():
    assert "not UTF-8" in problems_of('id = "\ud800"\n')[0].message


def test_bom_at_the_start_loads(small_rubric_text, small_rubric, tmp_path):
    assert load_rubric(b"\xef\xbb\xbf" + small_rubric_text.encode("utf-8")) == small_rubric
    assert load_rubric("\ufeff" + small_rubric_text) == small_rubric
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + small_rubric_text.encode("utf-8"))
    assert load_rubric(path) == small_rubric


def test_utf8_text_is_kept(small_rubric_text):
    rubric = load_rubric(replace_once(small_rubric_text, 'title = "Small example"', 'title = "Cydweithio â chymuned"'))
    assert rubric.title == "Cydweithio â chymuned"


class _Parsed(BaseException):
    """Raised by a patched tomli.loads; a BaseException so the loader cannot turn it into a RubricError."""


@pytest.fixture
def no_parsing(monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise _Parsed("tomli.loads was called")

    monkeypatch.setattr(tomli, "loads", refuse)
    assert loader.tomli.loads is refuse
    return calls


def _big_text() -> str:
    return 'id = "big"\ndescription = "' + "a" * (5 * 1024 * 1024) + '"\n'


@pytest.mark.parametrize("kind", ["str", "bytes", "path", "str-path"])
def test_five_megabytes_is_refused_before_parsing(no_parsing, tmp_path, kind):
    text = _big_text()
    source: object = {"str": text, "bytes": text.encode()}.get(kind)
    if source is None:
        path = tmp_path / "big.toml"
        path.write_text(text)
        source = path if kind == "path" else str(path)
    [problem] = problems_of(source)
    assert f"a rubric may be at most {MAX_BYTES:,} bytes" in problem.message
    assert f"{len(text.encode()):,} bytes" in problem.message
    assert no_parsing == []


def test_just_over_the_limit_is_refused_and_at_the_limit_is_parsed(no_parsing):
    over = b"#" * (MAX_BYTES + 1)
    assert "at most" in problems_of(over)[0].message
    assert no_parsing == []
    with pytest.raises(_Parsed):
        load_rubric(b"#" * MAX_BYTES)
    assert len(no_parsing) == 1


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_file_that_never_ends_is_refused(no_parsing):
    # stat() says 0 bytes; the read is bounded, so this cannot exhaust memory.
    [problem] = problems_of(Path("/dev/zero"))
    assert "at most" in problem.message
    assert no_parsing == []


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 100_000 + "]" * 100_000,
        "x = " + "[" * 100_000,
        "x = " + "{a = " * 100_000 + "1" + "}" * 100_000,
        "x = " + "{a = " * 100_000,
        "[" + "a." * 100_000 + "a]\n",
        "a" + ".a" * 100_000 + " = 1\n",
    ],
    ids=["arrays", "open-arrays", "inline-tables", "open-inline-tables", "table-header", "dotted-key"],
)
def test_deep_nesting_is_a_rubric_error(text):
    start = time.perf_counter()
    problems = problems_of(text)
    assert time.perf_counter() - start < 10
    assert len(problems) == 1


@pytest.mark.parametrize("depth", [50, 300])
def test_moderately_nested_data_reaches_validation(depth):
    # Valid TOML nested a little: no recursion trouble, a normal field error.
    problems = problems_of('id = "x"\nscale = ' + "[" * depth + "]" * depth + "\n")
    assert any(p.field == "scale" and "table" in p.message for p in problems)


def test_line_finding_is_linear_on_long_whitespace_lines(small_rubric_text):
    # The key/header patterns used to backtrack quadratically on a long run of spaces inside a
    # nested array (~30 s for this file); now they take milliseconds.
    text = small_rubric_text + 'extra = [[\n"' + " " * 200_000 + '",\n]]\n'
    start = time.perf_counter()
    problem = the_problem(problems_of(text), "'extra' is not a key")
    assert time.perf_counter() - start < 5
    assert problem.line == line_of(text, "extra = [[")
    start = time.perf_counter()
    LineIndex('x = [[\n[1,' + " " * 200_000 + "2],\n]]\n")
    assert time.perf_counter() - start < 5


def test_line_index_knows_quoted_and_dotted_keys():
    index = LineIndex('a = 1\n[ t . "q.k" ]\n"x y" = 2\nb.c = 3\n[[arr]]\n[[arr]]\nk = """\nz = 1\n"""\nm = 4\n')
    assert index.line_of(("a",)) == 1
    assert index.line_of(("t", "q.k")) == 2
    assert index.line_of(("t", "q.k", "x y")) == 3
    assert index.line_of(("t", "q.k", "b", "c")) == 4
    assert index.line_of(("arr",)) == 5
    assert index.line_of(("arr", 1)) == 6
    assert index.line_of(("arr", 1, "z")) == 6  # inside a multi-line string: not a key
    assert index.line_of(("arr", 1, "m")) == 10
    assert index.line_of(("nowhere",)) is None


# --- the library folder ----------------------------------------------------------------------


def test_library_loads_valid_rubrics_and_lists_errors_per_file(tmp_path, small_rubric_text, small_rubric):
    (tmp_path / "small.toml").write_text(small_rubric_text)
    other = replace_once(small_rubric_text, 'id = "small-example"', 'id = "other"')
    other = replace_once(other, 'title = "Small example"', 'title = "Another"')
    (tmp_path / "other.toml").write_text(other)
    (tmp_path / "broken.toml").write_text("this is = = not toml\n")
    (tmp_path / "typo.toml").write_text(replace_once(small_rubric_text, "reverse = true", "revers = true"))
    (tmp_path / "notes.txt").write_text("ignored: not a .toml file")

    lib = library.load_library(tmp_path)

    assert list(lib.rubrics) == ["other", "small-example"]  # by title: "Another", "Small example"
    assert lib.get("small-example") == small_rubric
    assert set(lib.errors) == {"broken.toml", "typo.toml"}
    assert all(isinstance(e, RubricError) for e in lib.errors.values())
    assert lib.errors["broken.toml"].problems[0].file == "broken.toml"
    assert lib.errors["broken.toml"].problems[0].line == 1
    assert "Did you mean 'reverse'?" in str(lib.errors["typo.toml"])
    with pytest.raises(KeyError):
        lib.get("broken")


def test_library_puts_the_default_and_quick_check_first(tmp_path, small_rubric_text):
    for rubric_id, title in [("aaa", "Aardvark"), (library.QUICK_ID, "Quick"), (library.DEFAULT_ID, "Zebra")]:
        text = replace_once(small_rubric_text, 'id = "small-example"', f'id = "{rubric_id}"')
        (tmp_path / f"{rubric_id}.toml").write_text(replace_once(text, "Small example", title))
    assert list(library.load_library(tmp_path).rubrics) == [library.DEFAULT_ID, library.QUICK_ID, "aaa"]


def test_env_var_overrides_the_folder(tmp_path, monkeypatch, small_rubric_text):
    (tmp_path / "small.toml").write_text(small_rubric_text)
    monkeypatch.setenv(library.ENV_DIR, str(tmp_path))
    assert library.rubric_dir() == tmp_path
    lib = library.load_library()
    assert list(lib.rubrics) == ["small-example"]
    assert lib.errors == {}


def test_without_env_var_the_shipped_folder_is_used(monkeypatch):
    monkeypatch.delenv(library.ENV_DIR, raising=False)
    assert library.rubric_dir().is_dir()


def test_empty_library_folder(tmp_path):
    lib = library.load_library(tmp_path)
    assert lib.rubrics == {} and lib.errors == {}
