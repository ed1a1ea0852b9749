"""Command line: `joiningforces validate|score|schema|serve|backup`. Exit codes: 0 ok, 1 invalid input, 2 usage."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from pathlib import Path

from .library import DEFAULT_ID, load_library, rubric_dir
from .exports import element_lines
from .lint import warnings_in
from .loader import RubricError, load_rubric
from .models import Rubric
from .recommend import strengths, suggest, weak_principles
from .scoring import AnswerError, Result, one_decimal, score
from .serve import add_commands
from .studio import json_schema_text

OK, INVALID, USAGE = 0, 1, 2
DONT_KNOW_WORDS = {"", "dk", "?", "na", "n/a", "don't know", "dont know", "don’t know", "null", "none"}


class InputProblem(Exception):
    """An answers file we cannot read; the message is for the user."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return USAGE
    try:
        status = args.run(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # The reader went away (`joiningforces score ... | head`): stop quietly, as Unix tools do.
        # Python would flush stdout again at exit and print a second traceback; point it at devnull.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return INVALID


def counted(n: int, noun: str) -> str:
    """ "1 practice", "3 practices"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="joiningforces", description="Check rubric files and score answers for the Joining Forces check.")
    commands = parser.add_subparsers(metavar="COMMAND")

    validate = commands.add_parser("validate", help="check rubric files; name the line and field of each problem")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.set_defaults(run=_validate)

    scorer = commands.add_parser("score", help="score a set of answers (CSV or JSON) against a rubric")
    scorer.add_argument("--rubric", default=DEFAULT_ID,
                        help=f"a rubric file, or the id of one in the library (default: {DEFAULT_ID})")
    scorer.add_argument("answers", metavar="ANSWERS", help="CSV (statement,answer) or JSON ({statement: answer}); - for stdin")
    scorer.add_argument("--json", action="store_true", help="print JSON instead of a table")
    scorer.set_defaults(run=_score)

    schema = commands.add_parser("schema", help="print the JSON Schema of the rubric format")
    schema.set_defaults(run=_schema)
    add_commands(commands)  # serve, backup
    return parser


def _validate(args) -> int:
    status = OK
    for path in args.paths:
        try:
            rubric = load_rubric(Path(path), name=path)
        except RubricError as exc:
            status = INVALID
            count = len(exc.problems)
            print(f"{path}: {counted(count, 'problem')}", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            continue
        print(f"{path}: OK — '{rubric.title}' {rubric.version}: {counted(len(rubric.principles), 'principle')}, "
              f"{counted(len(rubric.statements), 'statement')}, {counted(len(rubric.practices), 'practice')}")
        # Warnings do not change the exit code: the rubric can be used, but its scores may mislead.
        for warning in warnings_in(rubric, Path(path).read_text(encoding="utf-8-sig"), path):
            print(f"  warning: {warning}")
    return status


def _score(args) -> int:
    try:
        rubric = _find_rubric(args.rubric)
        result = score(rubric, read_answers(args.answers))
    except RubricError as exc:
        print(f"the rubric cannot be used:\n{exc}", file=sys.stderr)
        return INVALID
    except (InputProblem, AnswerError) as exc:
        print(f"{args.answers}: {exc}", file=sys.stderr)
        return INVALID
    print(json.dumps(result_json(result), indent=2, ensure_ascii=False) if args.json else result_text(result))
    return OK


def _schema(args) -> int:
    print(json_schema_text())
    return OK


def _find_rubric(name: str) -> Rubric:
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        return load_rubric(path, name=name)
    library = load_library()
    if name in library.rubrics:
        return library.rubrics[name]
    known = ", ".join(library.rubrics) or "none"
    raise InputProblem(f"no rubric file or library rubric called '{name}' (library {rubric_dir()}: {known})")


def read_answers(source: str) -> dict[str, int | None]:
    """Answers from a CSV (statement,answer rows, or one row under a header of statement ids) or JSON."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputProblem(f"cannot read the answers: {exc}") from None
    if not text.strip():
        raise InputProblem("the answers file is empty")
    if text.lstrip().startswith(("{", "[")):
        return _answers_from_json(text)
    return _answers_from_csv(text)


def _answers_from_json(text: str) -> dict[str, int | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputProblem(f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]  # an exported assessment
    if not isinstance(data, dict):
        raise InputProblem('JSON answers must be an object: {"statement-id": 4, ...}')
    return {str(k): _value(v, str(k)) for k, v in data.items()}


def _answers_from_csv(text: str) -> dict[str, int | None]:
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip().lower() for h in rows[0]]
    if header[:2] == ["statement", "answer"]:
        return {r[0].strip(): _value(r[1] if len(r) > 1 else "", r[0].strip()) for r in rows[1:] if r and r[0].strip()}
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    if len(body) != 1:
        raise InputProblem("a CSV of answers has either the columns statement,answer, or a header of statement "
                           f"ids and exactly one row of answers (found {len(body)} rows)")
    return {sid.strip(): _value(cell, sid.strip()) for sid, cell in zip(rows[0], body[0]) if sid.strip()}


def _value(raw, statement: str) -> int | None:
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in DONT_KNOW_WORDS):
        return None
    if isinstance(raw, bool):
        raise InputProblem(f"statement '{statement}': {raw!r} is not an answer")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise InputProblem(f"statement '{statement}': {raw!r} is not a number or 'dk'") from None
    if not number.is_integer():
        raise InputProblem(f"statement '{statement}': {raw!r} is not a whole number")
    return int(number)


def result_json(result: Result) -> dict:
    return {
        "rubric": {"id": result.rubric.id, "version": result.rubric.version},
        "answered": result.answered,
        "overall": result.overall,
        "principles": [
            {"id": p.id, "title": p.title, "element": p.element, "score": p.score,
             "band": p.band.id if p.band else None, "answered": p.answered, "total": p.total}
            for p in result.principles
        ],
        "elements": [
            {"id": e.id, "title": e.title, "score": e.score, "band": e.band.id if e.band else None}
            for e in result.elements
        ],
        "weak": [p.id for p in weak_principles(result)],
        "strengths": [p.id for p in strengths(result)],
        "practices": [
            {"id": s.practice.id, "name": s.practice.name, "weight": s.weight,
             "helps": [p.id for p in s.helps], "reason": s.reason}
            for s in suggest(result)
        ],
    }


def result_text(result: Result) -> str:
    def fmt(value: float | None) -> str:
        return "  —" if value is None else one_decimal(value)

    width = max(len(p.title) for p in result.principles)
    lines = [f"{result.rubric.title} ({result.rubric.version}): {result.answered} of "
             f"{len(result.rubric.statements)} statements answered", "",
             f"{'Principle':<{width}}  Score  Band                Answered"]
    for p in result.principles:
        band = p.band.label if p.band else "not enough answers"
        lines.append(f"{p.title:<{width}}  {fmt(p.score):>5}  {band:<18}  {p.answered} of {p.total}")
    lines += ["", "Elements:"] + [f"  {line}" for line in element_lines(result)]
    lines.append(f"Overall: {fmt(result.overall)}")
    suggestions = suggest(result)
    lines += ["", "Suggested practices:" if suggestions else "No weak spots: no practices suggested."]
    for rank, s in enumerate(suggestions, start=1):
        lines.append(f"  {rank}. {s.practice.name} — {s.reason}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
