"""Property tests: `load_rubric` never raises anything but RubricError, whatever it is given.

Inputs: the real tests/data/small.toml mutated line by line and byte by byte (delete, duplicate,
swap, replace characters, truncate, insert random bytes, change values to other types), its
parsed data mutated as a tree and written back as TOML (so that odd but valid TOML reaches the
model validation), and plain random text and bytes. A syntax error always carries a line; a
value given the wrong type is reported at its line; and whatever does load is a rubric that the
scoring and recommendations can use.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path

import tomli
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from joiningforces.loader import MAX_BYTES, RubricError, _looks_like_path, load_rubric
from joiningforces.models import Rubric
from joiningforces.recommend import strengths, suggest, weak_spots
from joiningforces.scoring import score

SMALL = (Path(__file__).parent / "data" / "small.toml").read_text(encoding="utf-8")
SMALL_LINES = SMALL.splitlines(keepends=True)
SMALL_DATA = tomli.loads(SMALL)

# 250 examples a property keeps the file at a few seconds on CI; set JOININGFORCES_FUZZ_EXAMPLES
# (e.g. 20000) for a longer hunt.
FUZZ = settings(max_examples=int(os.environ.get("JOININGFORCES_FUZZ_EXAMPLES", "250")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


# --- what every outcome must satisfy -------------------------------------------------------------


def load(source: str | bytes) -> Rubric | RubricError:
    """Load, allowing only a Rubric or a well-formed RubricError out."""
    try:
        rubric = load_rubric(source)
    except RubricError as exc:
        check_error(exc, source)
        _event("RubricError: syntax" if exc.problems[0].message.startswith("this is not valid TOML")
               else "RubricError: other")
        return exc
    _event("loaded")
    assert isinstance(rubric, Rubric)
    check_rubric(rubric)
    return rubric


def _event(label: str) -> None:
    """Count outcomes for --hypothesis-show-statistics (a no-op outside a property test)."""
    if currently_in_test_context():
        event(label)


def check_error(exc: RubricError, source: str | bytes) -> None:
    assert exc.problems
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    last_line = text.count("\n") + 1
    for problem in exc.problems:
        assert isinstance(problem.message, str) and problem.message.strip()
        assert problem.line is None or 1 <= problem.line <= last_line, (problem, last_line)
        assert problem.column is None or problem.column >= 1
    lines = [p.line or 0 for p in exc.problems]
    assert lines == sorted(lines)
    assert str(exc)


def check_rubric(r: Rubric) -> None:
    """Whatever loads keeps every cross-check rule, and can be scored and advised on."""
    for group in (r.bands, r.sources, r.elements, r.roles, r.principles, r.practices, r.statements):
        assert len({x.id for x in group}) == len(group)
    values = [p.value for p in r.scale.points]
    assert values == sorted(set(values))
    mins = [b.min for b in r.bands]
    assert mins == sorted(set(mins), reverse=True)
    assert mins[-1] == r.scale.low and r.scale.low <= mins[0] <= r.scale.high
    elements, sources = {e.id for e in r.elements}, {s.id for s in r.sources}
    helped = {target for pr in r.practices for target in pr.helps}
    for p in r.principles:
        assert p.element in elements and p.source in sources and p.id in helped
        assert len(p.statements) >= 2
    for pr in r.practices:
        assert set(pr.helps) <= {p.id for p in r.principles} and pr.source in sources
    for answer in (r.scale.low, r.scale.high, None):
        result = score(r, {s.id: answer for s in r.statements})
        for ps in result.principles:
            assert (ps.score is None) == (answer is None)
            if ps.score is not None:
                assert r.scale.low <= ps.score <= r.scale.high
                assert ps.band is not None
        suggest(result), weak_spots(result), strengths(result)


def reference_parse_fails(data: bytes) -> bool:
    """Whether the bytes decode as UTF-8 but are not TOML (so the problem is a syntax error)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return False
    if not text.strip():
        return False
    try:
        tomli.loads(text)
    except tomli.TOMLDecodeError:
        return True
    except Exception:  # e.g. RecursionError: not a plain syntax error
        return False
    return False


# --- mutations of the real file, line by line and byte by byte -----------------------------------

OTHER_VALUES = ["1", "-7", "0", "3.5", "-0.0", "1e400", "nan", "-inf", "true", "false", '""', '"   "', '"x"',
                '"Trust"', "'lit'", "[]", '[1, "a"]', '["trust"]', "[[]]", "{}", "{ a = 1 }", '{ id = "x" }',
                "1979-05-27", "1979-05-27T07:32:00Z", "07:32:00", '"""multi\nline"""']

KEY_LINE = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_-]*)(\s*=\s*)(.*?)\s*$")


@st.composite
def line_mutation(draw, lines: list[str]) -> list[str]:
    lines = list(lines)
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "replace-char", "truncate-line", "retype",
                                 "blank", "indent"]))
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "replace-char" and lines[i]:
        k = draw(st.integers(0, len(lines[i]) - 1))
        lines[i] = lines[i][:k] + draw(st.characters(exclude_categories=["Cs"])) + lines[i][k + 1:]
    elif kind == "truncate-line" and lines[i]:
        lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))] + "\n"
    elif kind == "retype":
        match = KEY_LINE.match(lines[i])
        if match:
            indent, key, eq, _ = match.groups()
            lines[i] = f"{indent}{key}{eq}{draw(st.sampled_from(OTHER_VALUES))}\n"
    elif kind == "blank":
        lines[i] = "\n"
    elif kind == "indent":
        lines[i] = draw(st.sampled_from(["  ", "\t", "[", "[[", "#", "x", '"'])) + lines[i]
    return lines


@st.composite
def mutated_small(draw) -> bytes:
    lines = SMALL_LINES
    for _ in range(draw(st.integers(1, 4))):
        lines = draw(line_mutation(lines))
    data = "".join(lines).encode("utf-8")
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["truncate", "insert-bytes", "replace-byte"]))
        k = draw(st.integers(0, len(data)))
        if kind == "truncate":
            data = data[:k]
        elif kind == "insert-bytes":
            data = data[:k] + draw(st.binary(min_size=1, max_size=8)) + data[k:]
        elif data:
            k = min(k, len(data) - 1)
            data = data[:k] + bytes([draw(st.integers(0, 255))]) + data[k + 1:]
    return data


@FUZZ
@given(mutated_small())
@example(SMALL.encode())
@example(SMALL.encode()[:1000])
@example(b"\xef\xbb\xbf" + SMALL.encode())
@example(SMALL.replace("[[practices]]", "[practices]").encode())
@example(SMALL.replace('helps = ["trust"]', 'helps = ["trust"]\nhelps = ["trust"]').encode())
def test_mutated_small_rubric(data):
    outcome = load(data)
    if reference_parse_fails(data):
        # A syntax error: one problem, and it always has a line (and a column).
        assert isinstance(outcome, RubricError)
        [problem] = outcome.problems
        assert problem.message.startswith("this is not valid TOML")
        assert problem.line is not None and problem.column is not None


@FUZZ
@given(mutated_small())
def test_mutated_small_rubric_as_text(data):
    # The same through the str door: text with a "=" and several lines is never taken for a path.
    text = data.decode("utf-8", "replace")
    assume(not _looks_like_path(text))
    load(text)


# --- a value changed to another type is reported at its line -------------------------------------

# (line index, key, current value) of each one-line `key = value` of the small rubric.
SIMPLE_LINES = []
for _index, _line in enumerate(SMALL_LINES):
    _match = KEY_LINE.match(_line)
    if _match:
        try:
            _value = tomli.loads(f"v = {_match.group(4)}")["v"]
        except tomli.TOMLDecodeError:  # e.g. `first_steps = [` (the list goes on over several lines)
            continue
        SIMPLE_LINES.append((_index, _match.group(2), _value))


def _toml_type(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"  # a float field takes a TOML integer, so the two are not told apart
    return type(value).__name__


TYPED_VALUES = [(v, _toml_type(tomli.loads(f"v = {v}")["v"])) for v in OTHER_VALUES if "\n" not in v]


def test_a_value_of_the_wrong_type_is_reported_at_its_line():
    # Every one-line field of the file x every value of another TOML type (~1,600 files, < 1 s):
    # small enough to try them all rather than sample.
    missed = []
    for index, key, value in SIMPLE_LINES:
        for new_value, new_type in TYPED_VALUES:
            if new_type == _toml_type(value):
                continue
            lines = list(SMALL_LINES)
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            lines[index] = f"{indent}{key} = {new_value}\n"
            outcome = load("".join(lines).encode())
            if not isinstance(outcome, RubricError):
                missed.append(f"line {index + 1}: {key} = {new_value} was accepted")
            elif index + 1 not in [p.line for p in outcome.problems]:
                missed.append(f"line {index + 1}: {key} = {new_value} reported at {[str(p) for p in outcome.problems]}")
    assert not missed, "\n".join(missed[:20])


def test_every_simple_line_is_covered():
    # The property above only means something if it sees the file's fields.
    keys = {key for _, key, _ in SIMPLE_LINES}
    assert keys >= {"id", "title", "version", "language", "description", "dont_know", "min_answered", "value",
                    "label", "min", "meaning", "act", "organisation", "element", "prompt", "source", "text",
                    "reverse", "helps", "name", "what", "why"}


# --- the parsed data mutated as a tree, written back as TOML -------------------------------------


def toml_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def toml_document(data: dict) -> str:
    """One `key = value` line per top-level key, tables inline."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())


IDS = ["trust", "shared-purpose", "trust-1", "purpose-2", "relationships", "joining-forces", "jf-imbalances",
       "plans-early", "strength", "concern", "funder"]
KEYS = ["id", "title", "text", "element", "helps", "statements", "points", "min", "value", "elemnt", "", "a.b"]

scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.sampled_from(IDS),
    st.dates(),
    st.datetimes(),
    st.just(""),
    st.integers(2001, 2002).map(lambda n: "x" * n),  # over the 2000-character text limit
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5),
                                                               inner, max_size=4),
    max_leaves=8,
)


@st.composite
def mutated_tree(draw) -> dict:
    """The small rubric's data with a few nodes replaced, deleted, duplicated or added."""
    import copy

    data = copy.deepcopy(SMALL_DATA)
    for _ in range(draw(st.integers(1, 4))):
        parent, key = None, None
        node = data
        # Walk down a random path; stop somewhere.
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            parent, key = node, draw(st.sampled_from(keys))
            node = node[key]
        op = draw(st.sampled_from(["replace", "delete", "duplicate", "add-key", "empty"]))
        if parent is None:
            if op == "add-key":
                data[draw(st.sampled_from(KEYS))] = draw(values)
            continue
        if op == "replace":
            parent[key] = draw(values)
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "add-key" and isinstance(node, dict):
            node[draw(st.sampled_from(KEYS))] = draw(values)
        elif op == "empty" and isinstance(node, (dict, list, str)):
            parent[key] = type(node)()
    return data


@FUZZ
@given(mutated_tree())
def test_mutated_tree_written_as_toml(data):
    text = toml_document(data)
    tomli.loads(text)  # the writer above makes valid TOML, so this reaches the model validation
    outcome = load(text.encode())
    if isinstance(outcome, RubricError):
        # Everything is written on one line per top-level key: a problem in a table that is in the
        # file points at that table's line.
        written = {k: i + 1 for i, k in enumerate(data)}
        for problem in outcome.problems:
            top = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
            if top in written and problem.field != top:
                assert problem.line == written[top], (problem, written)


# --- random input ----------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2000))
@example(b"")
@example(b"\x00")
@example(b"\xef\xbb\xbf")
@example(b"\xff\xfe\x00\x00")
@example(b"a = 1979-05-27T25:00:00")
@example(b"a = 0x")
@example(b'a = "\\ud800"')
def test_random_bytes(data):
    outcome = load(data)
    assert isinstance(outcome, RubricError)
    if reference_parse_fails(data):
        assert outcome.problems[0].line is not None


@FUZZ
@given(st.text(max_size=2000))
@example("")
@example("\x00")
@example("\ud800")
@example("rubric\x00.toml")
@example("a" * 5000)
@example("[" * 5000)
@example('"""')
def test_random_text(text):
    if _looks_like_path(text):
        # Taken as a path: never one that exists (it could be a device or a fifo).
        try:
            assume(not os.path.exists(text))
        except (ValueError, OSError):
            pass
    load(text)


@FUZZ
@given(st.lists(st.sampled_from(["[", "]", "{", "}", "a", "=", " ", ",", "\n", '"', "1", ".", "[[", "]]", "x = "]),
                max_size=300).map("".join))
def test_random_toml_punctuation(text):
    load(text.encode())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 200_000), st.sampled_from(["[", "{a = ", "[{a = ", "{a = ["]))
def test_deep_nesting_never_hangs_or_crashes(depth, opener):
    closer = "".join({"[": "]", "{": "}"}[c] for c in reversed(opener) if c in "[{")
    text = "x = " + opener * depth + "1" + closer * depth + "\n"
    assume(len(text) <= MAX_BYTES)
    outcome = load(text.encode())
    assert isinstance(outcome, RubricError)
