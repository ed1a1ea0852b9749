"""Getting results out and back in: a versioned JSON document, a spreadsheet-safe CSV and the
principles table shown in the app and the PDF.

The JSON document keeps the answers (the source of truth: scores are recomputed on import, so a
file cannot smuggle in scores that do not follow from its answers), the notes and free metadata.
`from_json` never raises anything but `ImportProblem` on any input: people upload all sorts.

Nothing here tells which statements are reverse-scored: the CSV shows each statement's score
after reversal, never the flag.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from .models import Rubric
from .records import MAX_NOTE  # what the notebook keeps in one note, in characters
from .scoring import AnswerError, Result, check_answers, one_decimal

FORMAT = "joiningforces-assessment"
FORMAT_VERSION = 1
MAX_IMPORT_BYTES = 2 * 1024 * 1024
NOT_ENOUGH = "Not enough answers"
_RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n")


class ImportProblem(ValueError):
    """A file that cannot be restored; the message is plain words for the person who chose it.

    `rubric_id` is set when the only problem is that the file was made with another rubric, so
    a caller that has that rubric can load the file with it instead.
    """

    def __init__(self, message: str, rubric_id: str | None = None):
        super().__init__(message)
        self.rubric_id = rubric_id


# ---------------------------------------------------------------------------------------------
# The principles table
# ---------------------------------------------------------------------------------------------

def coverage_text(answered: int, total: int) -> str:
    return f"{answered} of {total} answered"


def principles_table(result: Result) -> pd.DataFrame:
    """One row per principle in rubric order: Principle, Element, Score, Band, Coverage.

    All cells are display text ("3.2" or "—"; "3 of 4 answered"), ready for `st.table`.
    """
    rubric = result.rubric
    titles = {e.id: e.title for e in rubric.elements}
    rows = [{
        "Principle": p.title,
        "Element": titles.get(p.element, p.element),
        "Score": "—" if p.score is None else one_decimal(p.score),
        "Band": NOT_ENOUGH if p.band is None else p.band.label,
        "Coverage": coverage_text(p.answered, p.total),
    } for p in result.principles]
    return pd.DataFrame(rows, columns=["Principle", "Element", "Score", "Band", "Coverage"])


def element_basis(result: Result, element_id: str) -> str:
    """How many principles an element's score rests on: "from 4 principles", "from 3 of 4 principles"
    (one had too few answers), so that a band resting on one principle is not read as well founded."""
    total = sum(1 for p in result.rubric.principles if p.element == element_id)
    scored = next(e.principles for e in result.elements if e.id == element_id)
    if scored == total:
        return f"from {total} principle{'' if total == 1 else 's'}"
    return f"from {scored} of {total} principles"


def element_lines(result: Result) -> list[str]:
    """One line per beachball element: "Listening to each other: 3.4 (Borderline), from 4 principles"."""
    lines = []
    for e in result.elements:
        if e.score is None:
            total = sum(1 for p in result.rubric.principles if p.element == e.id)
            lines.append(f"{e.title}: no score yet (none of its {total} principles scored)")
        else:
            lines.append(f"{e.title}: {one_decimal(e.score)} ({e.band.label}), {element_basis(result, e.id)}")
    return lines


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------

def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def to_json(result: Result, notes: Mapping[str, str], *, meta: Mapping | None = None,
            created: datetime | None = None) -> str:
    """The result as a versioned JSON document (see the module docstring); `created` defaults to now (UTC)."""
    rubric = result.rubric
    created = created or datetime.now(timezone.utc)
    principle_ids = {p.id for p in rubric.principles}
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "rubric": {"id": rubric.id, "version": rubric.version, "title": rubric.title},
        "created": created.isoformat(),
        "meta": dict(meta or {}),
        # Only what was answered (null: "don't know"); statements left blank stay out.
        "answers": {s.id: result.answers[s.id] for s in rubric.statements if s.id in result.answers},
        "notes": {pid: str(text) for pid, text in notes.items() if pid in principle_ids and text},
        "scores": {
            "principles": {p.id: {
                "title": p.title, "element": p.element, "score": _r(p.score),
                "band": None if p.band is None else p.band.id,
                "answered": p.answered, "total": p.total,
            } for p in result.principles},
            "elements": {e.id: {
                "title": e.title, "score": _r(e.score), "band": None if e.band is None else e.band.id,
                "principles_scored": e.principles,
            } for e in result.elements},
            "overall": _r(result.overall),
            "answered": result.answered,
            "statements": len(rubric.statements),
        },
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str)


def from_json(data: str | bytes, rubric: Rubric) -> tuple[dict[str, int | None], dict[str, str], dict]:
    """Answers, notes and metadata from a `to_json` document, checked against `rubric`.

    The metadata is the file's "meta" table, with "created" added from the file when it has one.
    Notes for principles that `rubric` does not have are dropped. Raises ImportProblem, and only
    that, when the file cannot be used.
    """
    try:
        return _from_json(data, rubric)
    except ImportProblem:
        raise
    except RecursionError:
        raise ImportProblem("This file is nested too deeply to be an assessment file.") from None
    except Exception as exc:  # a safety net: the checks below should catch everything first
        raise ImportProblem(f"This file could not be read as an assessment ({type(exc).__name__}).") from None


def _from_json(data: str | bytes, rubric: Rubric) -> tuple[dict[str, int | None], dict[str, str], dict]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if len(raw) > MAX_IMPORT_BYTES:
            raise ImportProblem(_too_large(len(raw)))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportProblem("This file is not a joiningforces assessment: it is not text (UTF-8).") from None
    elif isinstance(data, str):
        text = data
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_IMPORT_BYTES:
            raise ImportProblem(_too_large(size))
    else:
        raise ImportProblem("Nothing to read: expected the contents of a .json file.")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportProblem("The file is empty.")

    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        if not text[exc.pos:].strip() or _unclosed(exc.msg):
            raise ImportProblem("The file ends too early: it looks cut off (truncated). "
                                "Download or save it again and retry.") from None
        raise ImportProblem(f"This file is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg.lower()}), so it cannot be a joiningforces assessment.") from None
    except _Constant:
        raise ImportProblem("This file is not valid JSON: it contains NaN or Infinity.") from None

    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ImportProblem("This is not a joiningforces assessment file (it has no "
                            f"\"format\": \"{FORMAT}\"). Choose a file saved with \"Download results (JSON)\".")
    version = doc.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ImportProblem("This assessment file is damaged: its format version is missing or not a whole number.")
    if version > FORMAT_VERSION:
        raise ImportProblem(f"This file was made by a newer version of joiningforces (file format {version}; "
                            f"this version reads up to {FORMAT_VERSION}). Update joiningforces to open it.")

    meta_rubric = doc.get("rubric")
    if not isinstance(meta_rubric, dict) or not isinstance(meta_rubric.get("id"), str):
        raise ImportProblem("This assessment file is damaged: it does not say which rubric it was made with.")
    file_rubric = _clean(meta_rubric["id"])
    if file_rubric != rubric.id:
        title = meta_rubric.get("title")
        named = f"'{file_rubric}'" + (f" ({_clean(title)})" if isinstance(title, str) and title else "")
        raise ImportProblem(f"This file was made with the rubric {named}; choose that rubric first "
                            f"(the rubric chosen now is '{rubric.id}').", rubric_id=file_rubric)
    file_version = meta_rubric.get("version")
    file_version = _clean(file_version) if isinstance(file_version, str) else str(file_version)

    answers = doc.get("answers")
    if not isinstance(answers, dict):
        raise ImportProblem("This assessment file is damaged: its answers are missing.")
    for sid, value in answers.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ImportProblem(f"The answer to statement '{_clean(sid)[:80]}' is {_show(value)}; "
                                "an answer must be a whole number on the scale, or null for don't know.")
    if file_version != rubric.version:
        known = {s.id for s in rubric.statements}
        unknown = sorted(_clean(sid) for sid in answers if sid not in known)
        if unknown:
            listed = ", ".join(f"'{u[:80]}'" for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
            raise ImportProblem(
                f"This file was made with version {file_version} of the rubric '{rubric.id}', and the "
                f"version chosen now is {rubric.version}. {len(unknown)} of its answers are for statements "
                f"this version does not have ({listed}), so the file cannot be restored with it.")
    try:
        clean_answers = check_answers(rubric, answers)
    except AnswerError as exc:
        message = _clean(str(exc))
        message = message if len(message) <= 400 else message[:399] + "…"
        raise ImportProblem(f"The answers in this file do not fit the rubric: {message}") from None

    notes_in = doc.get("notes", {})
    if notes_in is None:
        notes_in = {}
    if not isinstance(notes_in, dict):
        raise ImportProblem("This assessment file is damaged: its notes are not a table of texts.")
    principle_ids = {p.id for p in rubric.principles}
    notes: dict[str, str] = {}
    for pid, text in notes_in.items():
        if text is None:
            continue
        if not isinstance(text, str):
            raise ImportProblem(f"The note for '{_clean(pid)[:80]}' is not text.")
        if pid in principle_ids and text.strip():
            if len(text.strip()) > MAX_NOTE:
                raise ImportProblem(f"The note for '{_clean(pid)[:80]}' is too long to keep "
                                    f"(at most {MAX_NOTE:,} characters).")
            notes[pid] = _clean(text)

    meta = doc.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ImportProblem("This assessment file is damaged: its \"meta\" is not a table.")
    meta = _clean_tree(meta)
    created = doc.get("created")
    if isinstance(created, str) and "created" not in meta:
        meta["created"] = _clean(created)
    return clean_answers, notes, meta


class _Constant(ValueError):
    pass


def _no_constant(name: str):
    raise _Constant(name)


def _unclosed(msg: str) -> bool:
    return msg.startswith("Unterminated string")


def _too_large(size: int) -> str:
    return (f"This file is too large ({size / 1_048_576:.1f} MB); an assessment file is at most "
            f"{MAX_IMPORT_BYTES // 1_048_576} MB.")


def _clean(text: str) -> str:
    """Text safe to show and store: lone surrogates (possible via JSON escapes) become "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _clean_tree(value: Any) -> Any:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return {_clean(k): _clean_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_tree(v) for v in value]
    return value


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    text = _clean(text)
    return text if len(text) <= 40 else text[:39] + "…"


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

STATEMENT_HEADER = ["principle_id", "principle", "statement_id", "statement", "answer", "answer_label", "score"]
PRINCIPLE_HEADER = ["principle_id", "principle", "element", "score", "band", "coverage", "note"]


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or line break) gets
    a leading apostrophe. Numbers and empty cells pass through."""
    if isinstance(value, str) and value.startswith(_RISKY_FIRST):
        return "'" + value
    return value


def _num(value: float | None, digits: int = 2) -> float | str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return round(float(value), digits)


def to_csv(result: Result, notes: Mapping[str, str]) -> str:
    """Two sections separated by an empty row, each with its own header row:
    one row per statement (answer given and its score, high is good), then one row per principle
    (score, band, coverage, note) and a last "overall" row.

    For Excel to read accents, save it with a byte-order mark (encoding "utf-8-sig").
    """
    rubric = result.rubric
    scale = rubric.scale
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STATEMENT_HEADER)
    for p in rubric.principles:
        for s in p.statements:
            answer = result.answers.get(s.id)
            answered = s.id in result.answers
            writer.writerow([safe_cell(c) for c in (
                p.id, p.title, s.id, s.text,
                "" if answer is None else answer,
                scale.label_for(answer) if answered else "",
                _num(result.statements.get(s.id)),
            )])
    writer.writerow([])
    writer.writerow(PRINCIPLE_HEADER)
    titles = {e.id: e.title for e in rubric.elements}
    for ps in result.principles:
        writer.writerow([safe_cell(c) for c in (
            ps.id, ps.title, titles.get(ps.element, ps.element), _num(ps.score),
            NOT_ENOUGH if ps.band is None else ps.band.label,
            coverage_text(ps.answered, ps.total), notes.get(ps.id, "") or "",
        )])
    overall_band = "" if result.overall is None else rubric.band_for(result.overall).label
    writer.writerow([safe_cell(c) for c in (
        "overall", "Overall", "", _num(result.overall), overall_band or NOT_ENOUGH,
        coverage_text(result.answered, len(rubric.statements)), "",
    )])
    return out.getvalue()
