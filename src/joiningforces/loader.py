"""Read a rubric TOML file into a validated `Rubric`, or a `RubricError` listing every problem.

`load_rubric` never raises anything but `RubricError` (the property tests hold it to that): a
trainer editing the file by hand must get plain words with a line number, never a traceback.
"""

from __future__ import annotations

import difflib
import os
import typing
from dataclasses import dataclass
from pathlib import Path

import tomli
from pydantic import BaseModel, ValidationError

from . import tomlhelp
from .locate import LineIndex
from .models import CrossCheckError, CrossCheckErrors, Rubric, cross_check

UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
MAX_BYTES = 1_000_000  # the largest real instruments are ~30 kB; this leaves room and stops abuse


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class RubricError(Exception):
    """A rubric that cannot be used; `problems` holds every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_rubric(source: str | os.PathLike | bytes, *, name: str | None = None) -> Rubric:
    """Load a rubric from a path, from TOML text or from raw bytes (an upload).

    A `str` is taken as a path when it is one line with no `=`, otherwise as TOML text.
    `name` is the file name used in messages (defaults to the path, or "<rubric>").
    """
    if isinstance(source, (os.PathLike, str)) and _looks_like_path(source):
        path = Path(source)
        name = name or str(path)
        raw = _read_file(path, name)
    elif isinstance(source, bytes):
        name = name or "<rubric>"
        raw = source
    else:
        name = name or "<rubric>"
        raw = str(source).encode("utf-8", "surrogatepass")
    return parse_rubric(raw, name)


def _looks_like_path(source: str | os.PathLike) -> bool:
    if isinstance(source, os.PathLike):
        return True
    return bool(source.strip()) and "\n" not in source and "=" not in source and len(source) < 4096


def _read_file(path: Path, name: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RubricError([_too_large(name, size)])
        with path.open("rb") as file:  # read no more than the limit allows, whatever stat said
            raw = file.read(MAX_BYTES + 1)
    except RubricError:
        raise
    except OSError as exc:
        raise RubricError([Problem(name, None, None, "", f"cannot read the file: {exc.strerror or exc}.")]) from None
    except ValueError as exc:  # a path with a NUL byte or a lone surrogate in it
        raise RubricError([Problem(name, None, None, "", f"cannot read the file: {exc}.")]) from None
    if len(raw) > MAX_BYTES:
        raise RubricError([_too_large(name, len(raw))])
    return raw


def _too_large(name: str, size: int) -> Problem:
    return Problem(name, None, None, "",
                   f"the file is {size:,} bytes; a rubric may be at most {MAX_BYTES:,} bytes.")


def parse_rubric(raw: bytes, name: str = "<rubric>") -> Rubric:
    if len(raw) > MAX_BYTES:
        raise RubricError([_too_large(name, len(raw))])
    text = _decode(raw, name)
    data = _parse_toml(text, name)
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        raise RubricError(_explain(exc, text, name, data)) from None
    except RecursionError:
        raise RubricError([Problem(name, None, None, "", "the tables are nested too deeply.")]) from None


def readable_text(raw: bytes) -> str:
    """The file's text for quoting its lines in messages, whatever its encoding turned out to be."""
    raw = raw[: MAX_BYTES + 1]
    if raw.startswith(UTF16_MARKS):
        return raw.decode("utf-16", errors="replace")
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(UTF16_MARKS):
        # Windows Notepad's "Unicode". Line 1 is where it shows: the byte-order mark.
        raise RubricError([Problem(name, 1, None, "",
                                   "the file is not UTF-8 text: it is saved as UTF-16 (\"Unicode\" in some "
                                   "Windows editors). Save it as UTF-8 in your editor and check it again.")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RubricError([Problem(name, line, None, "",
                                   "the file is not UTF-8 text; save it as UTF-8 in your editor.")]) from None
    text = text.removeprefix("\ufeff")  # editors on Windows add a byte-order mark
    if not text.strip():
        raise RubricError([Problem(name, 1, None, "", "the file is empty.")])
    return text


def _parse_toml(text: str, name: str) -> dict:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        message = getattr(exc, "msg", None) or str(exc)
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        try:
            explained = tomlhelp.explain(text, line, column, message)
        except Exception:  # an explanation is a help, never a reason to fail
            explained = f"{message[0].lower()}{message[1:]}."
        raise RubricError([Problem(name, line, column, "", f"this is not valid TOML: {explained}")]) from None
    except RecursionError:
        raise RubricError([Problem(name, None, None, "", "the arrays or tables are nested too deeply.")]) from None
    except Exception as exc:  # tomli may reject odd input with other errors (e.g. bad dates)
        raise RubricError([Problem(name, None, None, "", f"this is not valid TOML: {exc}.")]) from None


def _explain(exc: ValidationError, text: str, name: str, data: dict) -> list[Problem]:
    """One problem per mistake, each with its line: the field problems, less the ones that only
    echo another, and the rules that span the rubric wherever they do not hinge on a broken field."""
    try:
        index = LineIndex(text)
    except Exception:  # positions are a help, never a reason to fail
        index = None
    lines = text.split("\n")  # as TOML counts lines (not str.splitlines(), which also splits at U+2028)
    found: list[tuple[tuple, str]] = []
    field_errors = []
    for error in exc.errors(include_url=False):
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, CrossCheckErrors):
            found.extend((e.loc, e.message) for e in cause.errors)
        elif isinstance(cause, CrossCheckError):
            found.append((cause.loc, cause.message))
        else:
            field_errors.append(error)
    if field_errors:
        field_errors = _without_echoes(field_errors)
        found.extend((tuple(e["loc"]), _plain(e, tuple(e["loc"]))) for e in field_errors)
        try:
            broken = frozenset(tuple(e["loc"]) for e in field_errors)
            found.extend((e.loc, e.message) for e in cross_check(data, broken) if e.loc not in broken)
        except Exception:  # the extra pass is a help; the field problems stand on their own
            pass
    problems, seen = [], set()
    for loc, message in found:
        if (loc, message) in seen:
            continue
        seen.add((loc, message))
        line = index.line_of(loc) if index else None
        column = None
        if line and line <= len(lines):
            column = len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1
            message = _as_header(lines[line - 1], loc, message)
        problems.append(Problem(name, line, column, field_path(loc), message))
    problems.sort(key=lambda p: (p.line or 0))
    return problems


def _without_echoes(errors: list[dict]) -> list[dict]:
    """Drop errors that only follow from another: "'element' is missing" beside "'elemnt' is not a
    key ... did you mean 'element'?", and "this list needs at least 1 entries" for a list whose
    entries all failed (pydantic reports that as an empty list as well)."""
    kept = []
    extras = {tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"}
    misspelt = set()
    for loc in extras:
        model = _model_at(loc[:-1])
        near = difflib.get_close_matches(str(loc[-1]), sorted(model.model_fields), n=1) if model else []
        if near:
            misspelt.add(loc[:-1] + (near[0],))
    failed = [tuple(e["loc"]) for e in errors]
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and loc in misspelt:
            continue
        if error["type"] == "too_short" and any(len(other) > len(loc) and other[: len(loc)] == loc for other in failed):
            continue
        kept.append(error)
    return kept


def _as_header(line: str, loc: tuple, message: str) -> str:
    """An unknown key written as a table header (`[[principle.statements]]`) is named as the header."""
    stripped = line.strip()
    if not stripped.startswith("[") or "is not a key this format knows" not in message:
        return message
    brackets = "[[" if stripped.startswith("[[") else "["
    header = stripped.split("#")[0].strip().strip("[]").strip()
    suggestion = message.partition("Did you mean '")[2].partition("'")[0]
    text = f"{brackets}{header}{brackets[::-1].replace('[', ']')} is not a table this format knows."
    if suggestion and header.split(".")[len(loc) - 1 : len(loc)] == [str(loc[-1])]:
        parts = header.split(".")
        parts[len(loc) - 1] = suggestion
        text += f" Did you mean {brackets}{'.'.join(parts)}{brackets[::-1].replace('[', ']')}?"
    return text


def field_path(loc: tuple) -> str:
    """("principles", 3, "statements", 0, "text") -> "principles[3].statements[0].text" (0-based, as TOML tools count)."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _plain(error: dict, loc: tuple) -> str:
    kind, key = error["type"], (loc[-1] if loc else "")
    if kind == "missing":
        return f"'{key}' is missing; add it."
    if kind == "extra_forbidden":
        known = sorted(_model_at(loc[:-1]).model_fields) if _model_at(loc[:-1]) else []
        near = difflib.get_close_matches(str(key), known, n=1)
        hint = f" Did you mean '{near[0]}'?" if near else (f" Known keys here: {', '.join(known)}." if known else "")
        return f"'{key}' is not a key this format knows.{hint}"
    if kind == "string_pattern_mismatch":
        if key == "language":
            return "the language must be a code such as 'en', 'cy', 'fr' or 'de-CH'."
        return "an id may use only lowercase letters, digits and hyphens (for example 'shared-purpose')."
    if kind == "string_too_short":
        return "this text is empty; write something or remove the entry."
    if kind == "string_too_long":
        return f"this text is too long (at most {error['ctx']['max_length']} characters)."
    if kind == "string_type":
        return "this should be text in quotes."
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "this should be a whole number."
    if kind in ("float_type", "float_parsing"):
        return "this should be a number."
    if kind in ("bool_type", "bool_parsing"):
        return "this should be true or false."
    if kind in ("tuple_type", "list_type"):
        return "this should be a list: [ ... ], or a [[table]] per entry."
    if kind in ("model_type", "dict_type"):
        return "this should be a table of keys and values."
    if kind == "too_short":
        return f"this list needs at least {error['ctx']['min_length']} entries."
    if kind == "too_long":
        return f"this list may have at most {error['ctx']['max_length']} entries."
    if kind in ("greater_than", "less_than_equal", "greater_than_equal", "less_than"):
        return f"this number is out of range ({error['msg'].lower()})."
    return error["msg"][0].lower() + error["msg"][1:] + "."


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class that the table at `loc` is validated as, to suggest its known keys."""
    model: type[BaseModel] = Rubric
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        found = _find_model(field.annotation)
        if found is None:
            return None
        model = found
    return model


def _find_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _find_model(arg)
        if found:
            return found
    return None
