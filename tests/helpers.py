"""Helpers and constants the test modules share (fixtures are in conftest.py; the AppTest factory
and page helpers in apptest.py; hostile text in payloads.py). Test modules import from here, never
from one another."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from joiningforces.library import default_rubric
from joiningforces.loader import load_rubric
from joiningforces.storage import Store
from joiningforces.storage import schema as tables
from joiningforces.storage.store import _normalise_url

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SMALL_PATH = DATA / "small.toml"
SMALL = SMALL_PATH.read_text(encoding="utf-8")  # the small example rubric (tests/data/small.toml)
QUICK_PATH = ROOT / "rubric" / "quick-check.toml"
QUICK_TEXT = QUICK_PATH.read_text(encoding="utf-8")
QUICK = default_rubric("quick-check")
OLD = DATA / "rubric-1.0"  # the shipped rubrics as they were at version 1.0


# --- editing rubric text ---------------------------------------------------------------------


def replace_once(text: str, old: str, new: str, occurrence: int = 1) -> str:
    """`text` with the `occurrence`-th (1-based) `old` replaced by `new`; fails loudly if absent."""
    start = -1
    for _ in range(occurrence):
        start = text.find(old, start + 1)
        assert start >= 0, f"{old!r} (occurrence {occurrence}) is not in the text"
    return text[:start] + new + text[start + len(old):]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th `needle`."""
    start = -1
    for _ in range(occurrence):
        start = text.find(needle, start + 1)
        assert start >= 0, f"{needle!r} (occurrence {occurrence}) is not in the text"
    return text.count("\n", 0, start) + 1


FAIRNESS = '''
[[principles]]
id = "fairness"
title = "Fair shares"
element = "relationships"
description = "Costs and credit are shared fairly."
source = "jf-imbalances"

  [[principles.statements]]
  id = "fair-1"
  text = "Costs fall fairly on each partner."

  [[principles.statements]]
  id = "fair-2"
  text = "The larger partners take the credit."
  reverse = true

[[practices]]
id = "open-books"
name = "Open books"
what = "Partners show each other what the work costs them."
why = "Hidden costs breed resentment."
first_steps = ["List what each partner puts in.", "Review the list together every six months."]
helps = ["fairness", "trust"]
source = "jf-imbalances"
'''

# The small rubric plus a third principle, 'fairness' (fair-2 reversed), and a practice 'open-books'.
THREE_TEXT = SMALL.replace('id = "small-example"', 'id = "three-principles"', 1) + FAIRNESS


# --- the command line ------------------------------------------------------------------------


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`python -m joiningforces.cli ARGS` from the checkout, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "joiningforces.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=ROOT, timeout=60)


# --- databases: SQLite files and PostgreSQL schemas ------------------------------------------

PG_URL = os.environ.get("JOININGFORCES_TEST_PG_URL", "").strip()
NO_PG = "JOININGFORCES_TEST_PG_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); " \
        "PostgreSQL storage tests need a server. .ci/run sets it."
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason=NO_PG))]
needs_pg = pytest.mark.skipif(not PG_URL, reason=NO_PG)


class Databases:
    """Fresh, empty databases of one backend; all removed at the end of the test."""

    _admin = None

    def __init__(self, backend: str, tmp_path: Path):
        self.backend, self.tmp_path, self.schemas, self.count = backend, tmp_path, [], 0

    def new(self) -> str:
        self.count += 1
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_path / f'notebook{self.count}.sqlite3'}"
        name = f"jf_test_{secrets.token_hex(8)}"
        with self.admin().connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        self.schemas.append(name)
        return make_url(PG_URL).update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(False)

    @classmethod
    def admin(cls):
        if cls._admin is None:
            cls._admin = create_engine(_normalise_url(PG_URL), isolation_level="AUTOCOMMIT", poolclass=None)
        return cls._admin

    def cleanup(self) -> None:
        for name in self.schemas:
            with self.admin().connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


def big_rubric(per_principle: int = 150) -> str:
    """A valid rubric with two principles of many statements, for the concurrency and crash tests."""
    lines = [SMALL.split("[[principles]]")[0]]
    for p, pid in enumerate(("trust", "shared-purpose")):
        lines.append(f'[[principles]]\nid = "{pid}"\ntitle = "P {p}"\nelement = "relationships"\n'
                     f'description = "D"\nsource = "jf-imbalances"\n')
        for j in range(per_principle):
            lines.append(f'  [[principles.statements]]\n  id = "s-{p}-{j}"\n  text = "Statement {p} {j}."\n')
    lines.append("[[practices]]" + SMALL.split("[[practices]]", 1)[1])
    return "\n".join(lines).replace('version = "1.0"', 'version = "big"')


def count(store: Store, table, *where) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def everything(store: Store) -> tuple:
    """All the notebook's content, to check that a refused import wrote nothing."""
    with store.engine.connect() as conn:
        return tuple(tuple(map(tuple, conn.execute(select(t)).all()))
                     for t in tables.metadata.sorted_tables if t is not tables.schema_version)


def kill_midway(child: subprocess.Popen, acknowledgements: int, feed: str = "") -> list[str]:
    """Wait for a writer child's "ready", send it `feed`, read `acknowledgements` lines, then
    SIGKILL it; return every line it acknowledged, those still in the pipe at the kill included."""
    lines = []
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        if feed:
            child.stdin.write(feed)
            child.stdin.flush()
        while len(lines) < acknowledgements:
            line = child.stdout.readline()
            assert line and line != "finished\n", "the writer ended before it was killed"
            lines.append(line)
        os.kill(child.pid, signal.SIGKILL)
        rest = child.stdout.read()  # through readline's buffer (communicate() would skip what it holds)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert "finished" not in rest
    return lines + rest.splitlines(keepends=True)


# --- board reviews ---------------------------------------------------------------------------

S, F = "smaller-partner", "funder"  # two roles of the small rubric


def trust(v: int) -> dict:
    return {"trust-1": v, "trust-2": 6 - v}  # trust score exactly v


# --- assessments saved by the 1.0 app --------------------------------------------------------

PATTERN = [4, 2, 5, None, 3, 1, 4]  # the answers the golden exports were made with, statement by statement
CREATED = datetime(2025, 5, 3, 10, 0, tzinfo=UTC)


def old_text(rubric_id: str) -> str:
    return (OLD / f"{rubric_id}.toml").read_text(encoding="utf-8")


def save_1_0(store: Store, rubric_id: str, partnership: str, created=CREATED):
    """A 1.0 assessment as the 1.0 app saved it: the rubric snapshot, the answers, two notes."""
    digest = store.snapshot_rubric(old_text(rubric_id))
    rubric = load_rubric(old_text(rubric_id))
    a = store.create_assessment(rubric_hash=digest, partnership=partnership, created=created)
    store.set_answers(a.id, {s.id: PATTERN[i % len(PATTERN)] for i, s in enumerate(rubric.statements)})
    store.set_note(a.id, rubric.principles[0].id, "Minutes of 3 May 2025")
    store.set_note(a.id, rubric.principles[-1].id, "Asked the board")
    return a.id


def quick_2_0_answers(value: int) -> dict[str, int]:
    """Every quick-check (2.0) statement answered so that each principle scores `value`."""
    return {s.id: (6 - value if s.reverse else value) for s in QUICK.statements}
