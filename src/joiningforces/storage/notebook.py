"""The whole database's notebooks as one JSON file: a backup, or a move to another machine.

Backing up and restoring the whole database is for the person at a local app's keyboard, for
administrators, and for the command line (`joiningforces backup export|import`): see `access.py`.

The document (UTF-8 JSON, at most 20 MB and 50,000 entries)::

    {
      "format": "joiningforces-notebook",
      "schema_version": 3,                 # the store's schema version that wrote it
      "exported": "2025-01-31T10:00:00+00:00",
      "rubrics": [{"hash": "<sha256 hex of text>", "text": "<rubric TOML>"}],
      "assessments": [{
        "id": "<uid>", "link_digest": "<sha256 hex of the resume link>", "belongs_to": "<owner>",
        "partnership": "...", "respondent": "...",
        "rubric_id": "...", "rubric_version": "...", "rubric_hash": "<a hash above>",
        "created": "<ISO datetime>", "updated": "<ISO datetime>",
        "answers": {"<statement id>": 1..5 or null for don't know},
        "notes": {"<principle id>": "text"}
      }],
      "actions": [{
        "id": "<stable uid>", "partnership": "...", "principle_id": "...", "text": "...",
        "owner": "...", "due": "<ISO date>" or null, "status": "open" | "doing" | "done",
        "assessment_id": "<uid>" or null, "belongs_to": "<owner>", "created": "...", "updated": "..."
      }]
    }

Files from schema versions 1 and 2 carried the resume link itself as an assessment's "id": it is
kept as its digest (the link goes on working), and the rows go to the local owner.

This module is the file's format: `document` writes it from what the store read, `check` reads
and checks a file, with the same field rules as the store (`records`); `Store.export_notebook`
and `Store.import_notebook` do the reading and writing.

Import is all or nothing: the whole document is checked first (format, version, size, every field
and its type, rubric texts against their hashes, answers against their rubric), then written in
one transaction with a statement per table, so it holds the database only for a moment. An
assessment whose link or id is already here is skipped, and so is an action whose uid is: the copy
here may have newer answers, and importing the same backup twice changes nothing. Unknown keys
are ignored; a document from a newer schema version is refused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..access import LOCAL_OWNER
from ..access import digest as link_digest
from ..loader import RubricError, parse_rubric
from ..models import Rubric
from ..records import (
    HEX64_RE,
    TOKEN_RE,
    UID_RE,
    AnswerError,
    Assessment,
    ImportSummary,
    check_action_text,
    check_answers,
    check_notes,
    check_owner,
    check_principle_id,
    check_status,
    clean_name,
    rubric_hash,
)
from .errors import ImportProblem
from .migrations import SCHEMA_VERSION

FORMAT = "joiningforces-notebook"
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ENTRIES = 50_000  # rubrics, assessments, answers, notes and actions together


@dataclass(frozen=True)
class ExportedAction:
    """An action as the file keeps it: by its stable `uid`, and the assessment it was raised in by id."""

    uid: str
    partnership: str
    principle_id: str
    text: str
    owner: str
    due: date | None
    status: str
    assessment_id: str | None
    belongs_to: str
    created: datetime
    updated: datetime


@dataclass(frozen=True)
class Checked:
    """A file that passed every check, ready to write: rubrics by hash (text, parsed), and the
    assessments' and actions' fields, clean."""

    version: int
    rubrics: dict[str, tuple[str, Rubric]]
    assessments: list[dict]
    actions: list[dict]


# --- export ----------------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def document(rubrics: Sequence[tuple[str, str]], assessments: Sequence[Assessment], link_digests: dict[str, str],
             actions: Sequence[ExportedAction]) -> str:
    """The notebook file: the rubric snapshots (hash, text) the assessments use, the assessments
    with their resume links' digests (by assessment id), and the actions."""
    used = {r.rubric_hash for r in assessments}
    doc = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported": _iso(datetime.now(UTC)),
        "rubrics": [{"hash": h, "text": text} for h, text in rubrics if h in used],
        "assessments": [{
            "id": r.id, "link_digest": link_digests[r.id], "belongs_to": r.belongs_to,
            "partnership": r.partnership, "respondent": r.respondent,
            "rubric_id": r.rubric_id, "rubric_version": r.rubric_version, "rubric_hash": r.rubric_hash,
            "created": _iso(r.created), "updated": _iso(r.updated),
            "answers": r.answers, "notes": r.notes,
        } for r in assessments],
        "actions": [{
            "id": x.uid, "partnership": x.partnership, "principle_id": x.principle_id, "text": x.text,
            "owner": x.owner, "due": x.due.isoformat() if x.due else None, "status": x.status,
            "assessment_id": x.assessment_id, "belongs_to": x.belongs_to,
            "created": _iso(x.created), "updated": _iso(x.updated),
        } for x in actions],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


# --- import: check everything first ----------------------------------------------------------


def _load_json(data: str | bytes | bytearray) -> dict:
    if isinstance(data, str):
        if len(data) > MAX_IMPORT_BYTES:  # a character is at least a byte
            raise _too_large()
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError:
            raise ImportProblem("This file is not a joiningforces notebook (it is not UTF-8 text).") from None
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise ImportProblem("This file is not a joiningforces notebook.")
    if len(raw) > MAX_IMPORT_BYTES:
        raise _too_large()
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ImportProblem("This file is not a joiningforces notebook (it is not readable JSON).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ImportProblem("This file is not a joiningforces notebook (it lacks the notebook's format mark).")
    version = doc.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ImportProblem("This notebook file is damaged: its schema version is missing or not a number.")
    entries = 0
    for key in ("rubrics", "assessments", "actions"):
        value = doc.get(key, [])
        entries += len(value) if isinstance(value, list) else 0
        for entry in value if isinstance(value, list) else ():
            if isinstance(entry, dict):
                entries += sum(len(entry[k]) for k in ("answers", "notes") if isinstance(entry.get(k), dict))
    if entries > MAX_IMPORT_ENTRIES:
        raise ImportProblem(f"This notebook file holds too many entries ({entries:,}; at most "
                            f"{MAX_IMPORT_ENTRIES:,}). Split it, or ask whoever runs this app. Nothing was imported.")
    if version > SCHEMA_VERSION:
        raise ImportProblem(f"This notebook was exported by a newer release of joiningforces (schema version "
                            f"{version}; this release reads up to {SCHEMA_VERSION}). Update joiningforces "
                            "to import it. Nothing was imported.")
    return doc


def _too_large() -> ImportProblem:
    return ImportProblem(f"This file is too large to be a notebook (at most {MAX_IMPORT_BYTES // 2**20} MB). "
                         "Nothing was imported.")


class _Check:
    """Field checks that say where the problem is, e.g. `assessments[3].answers`."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, message: str, field: str = ""):
        raise ImportProblem(f"{message} Nothing was imported.", f"{self.where}.{field}" if field else self.where)

    def text(self, obj: dict, key: str, *, max_len: int, required: bool = True, empty_ok: bool = False) -> str:
        value = obj.get(key, None if required else "")
        if not isinstance(value, str):
            self.fail("this should be text.", key)
        if not empty_ok and not value.strip():
            self.fail("this is empty.", key)
        if len(value) > max_len:
            self.fail(f"this is too long (at most {max_len} characters).", key)
        return value

    def rule(self, check, obj: dict, key: str, *args, **kwargs):
        """`obj[key]` through one of the field rules (`records`); where it is named if it fails."""
        try:
            return check(obj.get(key), *args, **kwargs)
        except ValueError as exc:
            message = str(exc)
            self.fail(message[:1].upper() + message[1:], key)

    def when(self, obj: dict, key: str) -> datetime:
        value = obj.get(key)
        try:
            parsed = datetime.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail("this should be a date and time (ISO 8601).", key)
        return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed).astimezone(UTC)


def _entries(doc: dict, key: str) -> list:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise ImportProblem(f"This notebook file is damaged: '{key}' should be a list. Nothing was imported.")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise ImportProblem("this should be a table of keys and values. Nothing was imported.", f"{key}[{i}]")
    return value


def _check_rubrics(doc: dict) -> dict[str, tuple[str, Rubric]]:
    found: dict[str, tuple[str, Rubric]] = {}
    for i, entry in enumerate(_entries(doc, "rubrics")):
        c = _Check(f"rubrics[{i}]")
        text = c.text(entry, "text", max_len=MAX_IMPORT_BYTES)
        digest = entry.get("hash")
        if not isinstance(digest, str) or digest != rubric_hash(text):
            c.fail("the rubric text does not match its hash; the file was changed or damaged.", "hash")
        try:
            found[digest] = (text, parse_rubric(text.encode("utf-8"), name=f"rubric {digest[:12]}"))
        except RubricError as exc:
            c.fail(f"this rubric cannot be read: {exc.problems[0].message}", "text")
    return found


def _check_owner(c: _Check, entry: dict, version: int) -> str:
    if version < 3:
        return LOCAL_OWNER
    return c.rule(check_owner, entry, "belongs_to")


def _check_assessments(doc: dict, rubrics: dict[str, tuple[str, Rubric]]) -> list[dict]:
    out, seen = [], set()
    version = doc["schema_version"]
    for i, entry in enumerate(_entries(doc, "assessments")):
        c = _Check(f"assessments[{i}]")
        ident = entry.get("id")
        if version < 3:  # the id was the resume link itself: keep its digest, make a new uid
            if not isinstance(ident, str) or not TOKEN_RE.fullmatch(ident):
                c.fail("this is not a resume id.", "id")
            uid, digest_of_link = uuid.uuid4().hex, link_digest(ident)
        else:
            if not isinstance(ident, str) or not UID_RE.fullmatch(ident):
                c.fail("this is not an assessment id.", "id")
            digest_of_link = entry.get("link_digest")
            if not isinstance(digest_of_link, str) or not HEX64_RE.fullmatch(digest_of_link):
                c.fail("this is not the digest of a resume link.", "link_digest")
            uid = ident
        if ident in seen:
            c.fail("this id appears twice in the file.", "id")
        seen.add(ident)
        owner = _check_owner(c, entry, version)
        partnership = c.rule(clean_name, entry, "partnership", "partnership", required=True)
        respondent = c.rule(clean_name, {"respondent": entry.get("respondent", "")}, "respondent", "respondent",
                            required=False)
        digest = entry.get("rubric_hash")
        if not isinstance(digest, str) or digest not in rubrics:
            c.fail("the rubric this assessment was answered against is not in the file.", "rubric_hash")
        rubric = rubrics[digest][1]
        if entry.get("rubric_id", rubric.id) != rubric.id or entry.get("rubric_version", rubric.version) != rubric.version:
            c.fail("the rubric id or version does not match the rubric stored with it.", "rubric_id")
        answers = entry.get("answers", {})
        if not isinstance(answers, dict):
            c.fail("this should be a table of statement ids and answers.", "answers")
        try:
            answers = check_answers(rubric, answers)
        except AnswerError as exc:
            c.fail(f"{exc}.", "answers")
        notes = entry.get("notes", {})
        if not isinstance(notes, dict):
            c.fail("this should be a table of principle ids and notes.", "notes")
        notes = c.rule(lambda value: check_notes(rubric, value), entry, "notes")
        out.append({"ident": ident, "uid": uid, "link_digest": digest_of_link, "belongs_to": owner,
                    "partnership": partnership, "respondent": respondent, "rubric_id": rubric.id,
                    "rubric_version": rubric.version, "rubric_hash": digest, "created": c.when(entry, "created"),
                    "updated": c.when(entry, "updated"), "answers": answers,
                    "notes": notes})
    return out


def _check_actions(doc: dict) -> list[dict]:
    out, seen = [], set()
    version = doc["schema_version"]
    raised_re = TOKEN_RE if version < 3 else UID_RE
    for i, entry in enumerate(_entries(doc, "actions")):
        c = _Check(f"actions[{i}]")
        uid = entry.get("id")
        if not isinstance(uid, str) or not 8 <= len(uid) <= 64 or not uid.replace("-", "").isalnum():
            c.fail("this is not an action id.", "id")
        if uid in seen:
            c.fail("this action id appears twice in the file.", "id")
        seen.add(uid)
        principle = c.rule(check_principle_id, entry, "principle_id")
        status = c.rule(check_status, entry, "status")
        due = entry.get("due")
        if due is not None:
            try:
                due = date.fromisoformat(due)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                c.fail("this should be a date (YYYY-MM-DD) or null.", "due")
        raised = entry.get("assessment_id")
        if raised is not None and (not isinstance(raised, str) or not raised_re.fullmatch(raised)):
            c.fail("this should be the id of an assessment, or null.", "assessment_id")
        out.append({"uid": uid, "partnership": c.rule(clean_name, entry, "partnership", "partnership", required=True),
                    "principle_id": principle, "text": c.rule(check_action_text, entry, "text"),
                    "owner": c.rule(clean_name, {"owner": entry.get("owner", "")}, "owner", "owner", required=False),
                    "due": due, "status": status, "raised": raised, "belongs_to": _check_owner(c, entry, version),
                    "created": c.when(entry, "created"), "updated": c.when(entry, "updated"), "where": c})
    return out


def check(data: str | bytes) -> Checked:
    """The file, read and checked entirely; ImportProblem (saying where) for anything wrong."""
    doc = _load_json(data)
    rubrics = _check_rubrics(doc)
    return Checked(doc["schema_version"], rubrics, _check_assessments(doc, rubrics), _check_actions(doc))


__all__ = ["FORMAT", "MAX_IMPORT_BYTES", "MAX_IMPORT_ENTRIES", "Checked", "ExportedAction", "ImportSummary",
           "check", "document"]
