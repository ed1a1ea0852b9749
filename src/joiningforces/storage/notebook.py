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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..access import LOCAL_OWNER
from ..access import digest as link_digest
from ..loader import RubricError, parse_rubric
from ..scoring import AnswerError, check_answers
from . import schema as t
from .errors import ImportProblem
from .migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from ..models import Rubric
    from .store import Store

FORMAT = "joiningforces-notebook"
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ENTRIES = 50_000  # rubrics, assessments, answers, notes and actions together


@dataclass(frozen=True)
class ImportSummary:
    assessments_added: int
    assessments_skipped: int  # already in this notebook: kept as they were
    actions_added: int
    actions_skipped: int
    rubrics_added: int

    def __str__(self) -> str:
        text = f"Imported {self.assessments_added} assessment(s) and {self.actions_added} action(s)."
        if self.assessments_skipped or self.actions_skipped:
            text += (f" {self.assessments_skipped} assessment(s) and {self.actions_skipped} action(s) were "
                     "already here and were kept as they are.")
        return text


# --- export ----------------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def export_notebook(store: Store) -> str:
    a, p, x = t.assessments, t.partnerships, t.actions
    with store._read() as s:  # one transaction: a consistent snapshot of the notebook
        rubrics = s.execute(select(t.rubric_snapshots.c.hash, t.rubric_snapshots.c.text)
                            .order_by(t.rubric_snapshots.c.stored_at, t.rubric_snapshots.c.hash)).all()
        rows = s.execute(select(a, p.c.name.label("partnership")).join(p, p.c.id == a.c.partnership_id)
                         .order_by(a.c.created, a.c.id)).all()
        loaded = store._load(s, rows)
        digests = dict(s.execute(select(a.c.uid, a.c.link_digest)).all())
        acts = s.execute(select(x, p.c.name.label("partnership"), a.c.uid.label("raised_uid"))
                         .join(p, p.c.id == x.c.partnership_id).outerjoin(a, a.c.id == x.c.raised_in)
                         .order_by(x.c.id)).all()
    used = {r.rubric_hash for r in loaded}
    doc = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported": _iso(datetime.now(UTC)),
        "rubrics": [{"hash": h, "text": text} for h, text in rubrics if h in used],
        "assessments": [{
            "id": r.id, "link_digest": digests[r.id], "belongs_to": r.belongs_to,
            "partnership": r.partnership, "respondent": r.respondent,
            "rubric_id": r.rubric_id, "rubric_version": r.rubric_version, "rubric_hash": r.rubric_hash,
            "created": _iso(r.created), "updated": _iso(r.updated),
            "answers": r.answers, "notes": r.notes,
        } for r in loaded],
        "actions": [{
            "id": x.uid, "partnership": x.partnership, "principle_id": x.principle_id, "text": x.text,
            "owner": x.owner, "due": x.due.isoformat() if x.due else None, "status": x.status,
            "assessment_id": x.raised_uid, "belongs_to": x.belongs_to,
            "created": _iso(x.created), "updated": _iso(x.updated),
        } for x in acts],
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
    from .store import rubric_hash
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
    from .store import OWNER_RE
    if version < 3:
        return LOCAL_OWNER
    owner = entry.get("belongs_to")
    if not isinstance(owner, str) or not OWNER_RE.fullmatch(owner):
        c.fail("this should say whose notebook the entry is in.", "belongs_to")
    return owner


def _check_assessments(doc: dict, rubrics: dict[str, tuple[str, Rubric]]) -> list[dict]:
    from .store import HEX64_RE, MAX_NAME, MAX_NOTE, TOKEN_RE, UID_RE
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
        partnership = " ".join(c.text(entry, "partnership", max_len=MAX_NAME).split())
        respondent = " ".join(c.text(entry, "respondent", max_len=MAX_NAME, required=False, empty_ok=True).split())
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
        principles = {p.id for p in rubric.principles}
        for pid, text in notes.items():
            if pid not in principles:
                c.fail(f"'{pid}' is not a principle of the rubric '{rubric.id}'.", "notes")
            if not isinstance(text, str) or len(text) > MAX_NOTE:
                c.fail(f"the note on '{pid}' should be text of at most {MAX_NOTE} characters.", "notes")
        out.append({"ident": ident, "uid": uid, "link_digest": digest_of_link, "belongs_to": owner,
                    "partnership": partnership, "respondent": respondent, "rubric_id": rubric.id,
                    "rubric_version": rubric.version, "rubric_hash": digest, "created": c.when(entry, "created"),
                    "updated": c.when(entry, "updated"), "answers": answers,
                    "notes": {k: v.strip() for k, v in notes.items() if v.strip()}})
    return out


def _check_actions(doc: dict) -> list[dict]:
    from .store import ID_RE, MAX_ACTION_TEXT, MAX_NAME, TOKEN_RE, UID_RE
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
        principle = entry.get("principle_id")
        if not isinstance(principle, str) or not ID_RE.fullmatch(principle):
            c.fail("this is not a principle id.", "principle_id")
        status = entry.get("status")
        if status not in t.ACTION_STATUSES:
            c.fail(f"the status should be one of {', '.join(t.ACTION_STATUSES)}.", "status")
        due = entry.get("due")
        if due is not None:
            try:
                due = date.fromisoformat(due)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                c.fail("this should be a date (YYYY-MM-DD) or null.", "due")
        raised = entry.get("assessment_id")
        if raised is not None and (not isinstance(raised, str) or not raised_re.fullmatch(raised)):
            c.fail("this should be the id of an assessment, or null.", "assessment_id")
        out.append({"uid": uid, "partnership": " ".join(c.text(entry, "partnership", max_len=MAX_NAME).split()),
                    "principle_id": principle, "text": c.text(entry, "text", max_len=MAX_ACTION_TEXT).strip(),
                    "owner": " ".join(c.text(entry, "owner", max_len=MAX_NAME, required=False,
                                             empty_ok=True).split()),
                    "due": due, "status": status, "raised": raised, "belongs_to": _check_owner(c, entry, version),
                    "created": c.when(entry, "created"), "updated": c.when(entry, "updated"), "where": c})
    return out


# --- import: then write it all in one transaction --------------------------------------------


def _insert_many(s, table, rows: list[dict]) -> None:
    """Insert many rows through the driver's own executemany, each value bound by its column's
    type once per row here: SQLAlchemy's per-row parameter handling was most of a large restore's
    time inside the write transaction (47,500 entries: 4.2 s of 4.6 s on SQLite, on a busy machine)."""
    if not rows:
        return
    conn = s.connection()
    dialect = conn.dialect
    columns = list(rows[0])
    binders = [table.c[c].type._cached_bind_processor(dialect) for c in columns]
    bound: list[dict] = [{} for _ in columns]  # values repeat (an assessment's time on each answer)

    def bind(i: int, value):
        if binders[i] is None:
            return value
        if value not in bound[i]:
            bound[i][value] = binders[i](value)
        return bound[i][value]

    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql, [tuple(bind(i, row[c]) for i, c in enumerate(columns)) for row in rows])


def import_notebook(store: Store, data: str | bytes) -> ImportSummary:
    doc = _load_json(data)
    rubrics = _check_rubrics(doc)
    incoming = _check_assessments(doc, rubrics)
    acts = _check_actions(doc)
    try:
        with store._write() as s:
            return _write(store, s, rubrics, incoming, acts, doc["schema_version"])
    except IntegrityError as exc:  # a race with another writer; the transaction was rolled back
        raise ImportProblem(f"The notebook could not be imported ({exc.orig}); nothing was imported. "
                            "Try again.") from None


def _write(store: Store, s, rubrics, incoming: list[dict], acts: list[dict], version: int) -> ImportSummary:
    """Everything checked is written with one statement per table and chunk (not a round trip per
    row), so a large restore holds the database's write lock only briefly."""
    a, x, r = t.assessments, t.actions, t.rubric_snapshots
    have = set(s.execute(select(r.c.hash)).scalars())
    new_rubrics = [{"hash": digest, "rubric_id": rubric.id, "version": rubric.version, "title": rubric.title,
                    "statements": len(rubric.statements), "text": text, "stored_at": datetime.now(UTC)}
                   for digest, (text, rubric) in rubrics.items() if digest not in have]
    if new_rubrics:
        s.execute(insert(r), new_rubrics)

    def existing(column, values) -> dict:
        found: dict = {}
        values = sorted(set(values))
        for start in range(0, len(values), 500):
            found.update(s.execute(select(column, a.c.id).where(column.in_(values[start:start + 500]))).all())
        return found

    by_digest = existing(a.c.link_digest, [i["link_digest"] for i in incoming])
    by_uid = existing(a.c.uid, [i["uid"] for i in incoming])
    ids: dict[str, int] = {}  # the file's ids (links in old files) -> row ids here
    fresh = []
    for item in incoming:
        here = by_digest.get(item["link_digest"]) or by_uid.get(item["uid"])
        if here is not None:
            ids[item["ident"]] = here
        else:
            fresh.append(item)
    partnership_ids: dict[tuple[str, str], int] = {}

    def partnership_id(name: str, owner: str) -> int:  # few partnerships, many rows: look each up once
        key = (" ".join(name.split()).casefold(), owner)
        if key not in partnership_ids:
            partnership_ids[key] = store._partnership_id(s, name, owner, create=True)
        return partnership_ids[key]

    for item in fresh:  # partnerships first, then the assessments in one statement
        item["partnership_id"] = partnership_id(item["partnership"], item["belongs_to"])
    if fresh:
        s.execute(insert(a), [{
            "link_digest": i["link_digest"], "uid": i["uid"], "belongs_to": i["belongs_to"],
            "partnership_id": i["partnership_id"], "respondent": i["respondent"], "rubric_id": i["rubric_id"],
            "rubric_version": i["rubric_version"], "rubric_hash": i["rubric_hash"], "created": i["created"],
            "updated": i["updated"]} for i in fresh])
        new_ids = existing(a.c.uid, [i["uid"] for i in fresh])
        answer_rows, note_rows = [], []
        for item in fresh:
            row_id = ids[item["ident"]] = new_ids[item["uid"]]
            answer_rows += [{"assessment_id": row_id, "statement_id": k, "value": v, "answered_at": item["updated"]}
                            for k, v in item["answers"].items()]
            note_rows += [{"assessment_id": row_id, "principle_id": k, "text": v, "updated": item["updated"]}
                          for k, v in item["notes"].items()]
        _insert_many(s, t.answers, answer_rows)
        _insert_many(s, t.notes, note_rows)

    missing = {i["raised"] for i in acts if i["raised"] is not None} - set(ids)
    if missing:  # actions raised in assessments already here, before this file
        if version < 3:  # old files name them by their resume link
            found = existing(a.c.link_digest, [link_digest(m) for m in missing])
            ids.update({m: found[link_digest(m)] for m in missing if link_digest(m) in found})
        else:
            ids.update(existing(a.c.uid, missing))
    done = set(s.execute(select(x.c.uid).where(x.c.uid.in_([i["uid"] for i in acts] or [""]))).scalars())
    new_acts = []
    for item in acts:
        if item["raised"] is not None and item["raised"] not in ids:  # a damaged file, even if skipped
            item["where"].fail("this names an assessment that is neither in the file nor in this notebook.",
                               "assessment_id")
        if item["uid"] in done:
            continue
        new_acts.append({
            "uid": item["uid"], "belongs_to": item["belongs_to"],
            "partnership_id": partnership_id(item["partnership"], item["belongs_to"]),
            "principle_id": item["principle_id"], "text": item["text"], "owner": item["owner"], "due": item["due"],
            "status": item["status"], "raised_in": ids.get(item["raised"]) if item["raised"] else None,
            "created": item["created"], "updated": item["updated"]})
    if new_acts:
        s.execute(insert(x), new_acts)
    return ImportSummary(len(fresh), len(incoming) - len(fresh), len(new_acts), len(acts) - len(new_acts),
                         len(new_rubrics))
