"""The assessment notebook's storage, against SQLite and a real PostgreSQL server.

PostgreSQL tests use $JOININGFORCES_TEST_PG_URL (CI sets it; they are skipped, with a reason, only
when it is unset). Each test gets its own PostgreSQL schema (via `search_path`), dropped afterwards,
so tests do not see each other and can run again and again, even by two people at once.
"""

from __future__ import annotations

from dataclasses import replace

import hashlib
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, event, func, insert, inspect, select, text

from joiningforces.access import LOCAL_OWNER
from joiningforces.loader import RubricError
from joiningforces.scoring import AnswerError, score
from joiningforces.storage import (
    MAX_IMPORT_BYTES,
    MIGRATIONS,
    SCHEMA_VERSION,
    ImportProblem,
    Migration,
    NotFound,
    SchemaTooNew,
    Store,
    StoreError,
    current_version,
    migrate,
)
from joiningforces.storage import schema as tables
from joiningforces.storage.store import _normalise_url
from tests.helpers import ROOT, SMALL, big_rubric, count, everything, kill_midway

# --- helpers (the fixtures dbs, url, store and small are in conftest.py) ------------------


def new(store: Store, small: str, partnership="Riverside Trust", respondent="Sam", **kw):
    return store.create_assessment(rubric_id="small-example", rubric_version="1.0", rubric_hash=small,
                                   partnership=partnership, respondent=respondent, **kw)


# --- where the data lives, and the schema ----------------------------------------------------


def test_default_is_an_sqlite_file_in_the_data_dir_with_wal(tmp_path, monkeypatch):
    monkeypatch.delenv("JOININGFORCES_DATABASE_URL", raising=False)
    monkeypatch.setenv("JOININGFORCES_DATA_DIR", str(tmp_path / "nested" / "data"))
    with Store() as store:
        assert store.url.database == str(tmp_path / "nested" / "data" / "joiningforces.sqlite3")
        assert (tmp_path / "nested" / "data" / "joiningforces.sqlite3").exists()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_database_url_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JOININGFORCES_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    monkeypatch.setenv("JOININGFORCES_DATA_DIR", str(tmp_path / "unused"))
    with Store() as store:
        assert store.url.database == str(tmp_path / "elsewhere.db")
    assert (tmp_path / "elsewhere.db").exists()


def test_urls_postgres_means_psycopg3_and_passwords_are_hidden(tmp_path):
    assert _normalise_url("postgres://u:secret@h/db").drivername == "postgresql+psycopg"
    assert _normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert _normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(StoreError, match="in-memory"):
        Store("sqlite://")
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        assert "x.db" in repr(store)


def test_core_storage_never_imports_streamlit():
    done = subprocess.run([sys.executable, "-c", "import sys, joiningforces.storage; "
                           "assert 'streamlit' not in sys.modules, 'streamlit imported'"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_schema_is_created_versioned_and_matches_the_declared_tables(dbs):
    url = dbs.new()
    with Store(url) as store:
        assert store.schema_version == SCHEMA_VERSION == MIGRATIONS[-1].version
        with store.engine.connect() as conn:
            rows = conn.execute(select(tables.schema_version.c.version).order_by("version")).scalars().all()
            assert rows == [m.version for m in MIGRATIONS]
            found = inspect(conn)
            for table in tables.metadata.sorted_tables:  # the migrated schema is what schema.py declares
                columns = {c["name"]: c for c in found.get_columns(table.name)}
                assert set(columns) == {c.name for c in table.columns}, table.name
                for column in table.columns:
                    assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
            assert set(found.get_table_names()) == {t.name for t in tables.metadata.sorted_tables}
    for _ in range(2):  # re-opening migrates nothing and changes nothing
        with Store(url) as again, again.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(tables.schema_version)).scalar() == len(MIGRATIONS)


def test_several_processes_opening_an_empty_database_at_once(dbs):
    url = dbs.new()
    start, errors, stores = threading.Barrier(6), [], []

    def open_it():
        try:
            start.wait()
            stores.append(Store(url))  # each Store has its own engine, like a separate process
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert count(stores[0], tables.schema_version) == len(MIGRATIONS)
    for s in stores:
        s.close()


def test_later_steps_run_in_order_and_a_failing_step_changes_nothing(dbs):
    url = dbs.new()
    with Store(url) as store:
        digest = store.snapshot_rubric(SMALL)
        a = store.create_assessment(rubric_hash=digest, partnership="P")
        writer = store.engine.execution_options(jf_write=True)

        def broken(conn):
            conn.execute(text("CREATE TABLE reviews (id INTEGER PRIMARY KEY)"))
            raise RuntimeError("boom")

        nxt = SCHEMA_VERSION + 1  # the step after this release's last one
        with pytest.raises(StoreError, match=f"schema version {nxt}"):
            migrate(writer, (*MIGRATIONS, Migration(nxt, "reviews", broken)))
        with store.engine.connect() as conn:
            assert current_version(conn) == SCHEMA_VERSION
            assert not inspect(conn).has_table("reviews")  # DDL rolled back with the step

        def reviews(conn):
            Table("reviews", MetaData(), Column("id", Integer, primary_key=True)).create(conn)

        steps = (*MIGRATIONS, Migration(nxt, "reviews", reviews))
        assert migrate(writer, steps) == nxt
        assert migrate(writer, steps) == nxt  # idempotent
        with store.engine.connect() as conn:
            assert current_version(conn) == nxt and inspect(conn).has_table("reviews")
        assert store.get_assessment(a.id).partnership == "P"  # data kept across the migration
    with pytest.raises(SchemaTooNew, match="newer release"):  # this release knows only up to SCHEMA_VERSION
        Store(url)


def test_a_database_from_a_newer_release_is_refused_untouched(store, url):
    with store.engine.begin() as conn:
        conn.execute(insert(tables.schema_version).values(version=99, description="future",
                                                          applied_at=datetime.now(UTC)))
    before = count(store, tables.schema_version)
    with pytest.raises(SchemaTooNew, match=rf"schema version 99.*knows up to {SCHEMA_VERSION}\b"):
        Store(url)
    assert count(store, tables.schema_version) == before


# --- rubric snapshots ------------------------------------------------------------------------


def test_rubric_snapshots_are_stored_once_by_hash(store):
    digest = store.snapshot_rubric(SMALL)
    assert digest == hashlib.sha256(SMALL.encode()).hexdigest()
    assert store.snapshot_rubric(SMALL) == digest
    assert store.snapshot_rubric(SMALL.encode()) == digest
    assert count(store, tables.rubric_snapshots) == 1
    assert store.rubric_text(digest) == SMALL
    assert store.rubric(digest).id == "small-example"
    with pytest.raises(NotFound):
        store.rubric_text("0" * 64)
    with pytest.raises(RubricError):
        store.snapshot_rubric('id = "broken"\n')
    assert count(store, tables.rubric_snapshots) == 1


def test_an_assessment_keeps_the_rubric_it_was_answered_against(store, small):
    a = new(store, small)
    store.set_answer(a.id, "trust-1", 4)
    changed = SMALL.replace('version = "1.0"', 'version = "1.1"').replace(
        "We start by assuming the best of each other.", "We trust each other.")
    newer = store.snapshot_rubric(changed)
    assert newer != small and count(store, tables.rubric_snapshots) == 2
    b = store.create_assessment(rubric_hash=newer, partnership="Riverside Trust")
    assert (b.rubric_id, b.rubric_version) == ("small-example", "1.1")
    again = store.get_assessment(a.id)
    assert again.rubric_version == "1.0" and store.rubric_text(again.rubric_hash) == SMALL
    assert store.rubric(again.rubric_hash).statements[0].text == "We start by assuming the best of each other."


# --- assessments -----------------------------------------------------------------------------


def test_create_and_get_an_assessment(store, small):
    a = new(store, small, partnership="  Riverside   Trust ", respondent="Sam", created=date(2024, 3, 1))
    assert len(a.id) == 32 and a.id.isalnum()  # a public id; the private link is apart from it
    assert len(a.link) == 32 and a.link.replace("-", "").replace("_", "").isalnum() and a.link != a.id
    assert (a.partnership, a.respondent, a.rubric_id, a.rubric_version, a.rubric_hash) == (
        "Riverside Trust", "Sam", "small-example", "1.0", small)
    assert a.created == datetime(2024, 3, 1, tzinfo=UTC)
    assert a.updated.tzinfo is not None and a.answers == {} and a.notes == {}
    assert store.get_assessment(a.id) == replace(a, link=None)  # the link is handed out once, kept as a digest
    assert store.assessment_for_link(a.link).id == a.id
    assert new(store, small).id != a.id


def test_create_refuses_unknown_or_mismatched_rubrics_and_empty_names(store, small):
    with pytest.raises(ValueError, match="snapshot_rubric"):
        store.create_assessment(rubric_hash="f" * 64, partnership="P")
    with pytest.raises(ValueError, match="version"):
        store.create_assessment(rubric_id="small-example", rubric_version="9", rubric_hash=small, partnership="P")
    with pytest.raises(ValueError, match="empty"):
        store.create_assessment(rubric_hash=small, partnership="   ")
    with pytest.raises(ValueError, match="too long"):
        store.create_assessment(rubric_hash=small, partnership="x" * 201)
    assert count(store, tables.assessments) == 0


BAD_TOKENS = ["", "abc", "A" * 32, "A" * 31 + "!", "' OR '1'='1' --                 ", "A" * 33, None, 42,
              "ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ", "../../../../etc/passwd"]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_unknown_and_malformed_resume_ids_are_the_same_not_found(store, small, token):
    new(store, small)
    calls = [lambda: store.get_assessment(token), lambda: store.set_answer(token, "trust-1", 3),
             lambda: store.clear_answer(token, "trust-1"), lambda: store.set_note(token, "trust", "x"),
             lambda: store.update_details(token, respondent="x"), lambda: store.delete_assessment(token)]
    messages = set()
    for call in calls:
        with pytest.raises(NotFound) as caught:
            call()
        messages.add(str(caught.value))
    assert messages == {str(NotFound())}
    if isinstance(token, str) and token:
        assert all(token not in m for m in messages)
    assert count(store, tables.answers) == 0 and count(store, tables.notes) == 0


def test_a_malformed_resume_link_or_id_is_refused_before_any_query(store, small):
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for token in ["short", "A" * 31 + "*", "x" * 1000, None, 5]:
        with pytest.raises(NotFound):
            store.assessment_for_link(token)
        with pytest.raises(NotFound):
            store.get_assessment(token)
    assert statements == []
    with pytest.raises(NotFound):
        store.assessment_for_link("A" * 32)  # well-formed: looked up, same answer
    assert statements
    statements.clear()
    with pytest.raises(NotFound):
        store.get_assessment("a" * 32)
    assert statements


def test_answers_are_saved_one_row_per_statement_and_dont_know_is_not_unanswered(store, small):
    a = new(store, small)
    store.set_answer(a.id, "trust-1", 2)
    store.set_answer(a.id, "trust-1", 5)  # replaces
    store.set_answer(a.id, "trust-2", None)  # don't know
    store.set_answers(a.id, {"purpose-1": 1, "purpose-2": None, "trust-1": 4})
    got = store.get_assessment(a.id)
    assert got.answers == {"trust-1": 4, "trust-2": None, "purpose-1": 1, "purpose-2": None}
    assert "purpose-3" not in got.answers  # not answered is not "don't know"
    assert count(store, tables.answers) == 4
    assert got.updated > a.updated
    store.clear_answer(a.id, "trust-2")
    store.clear_answer(a.id, "purpose-3")  # not answered: nothing to do
    assert store.get_assessment(a.id).answers == {"trust-1": 4, "purpose-1": 1, "purpose-2": None}
    result = score(store.rubric(got.rubric_hash), store.get_assessment(a.id).answers)
    assert result.principle("trust").answered == 1


def test_answers_that_do_not_fit_the_rubric_are_refused_and_none_saved(store, small):
    a = new(store, small)
    for bad in ({"nope": 3}, {"trust-1": 6}, {"trust-1": 0}, {"trust-1": True}, {"trust-1": "4"}):
        with pytest.raises(AnswerError):
            store.set_answers(a.id, {"purpose-1": 3, **bad})
    assert store.get_assessment(a.id).answers == {}
    with pytest.raises(TypeError):
        store.set_answers(a.id, [("trust-1", 3)])


def test_notes(store, small):
    a = new(store, small)
    store.set_note(a.id, "trust", "  We should talk.  ")
    store.set_note(a.id, "shared-purpose", "first")
    store.set_note(a.id, "shared-purpose", "second")
    assert store.get_assessment(a.id).notes == {"trust": "We should talk.", "shared-purpose": "second"}
    store.set_note(a.id, "trust", "   ")
    assert store.get_assessment(a.id).notes == {"shared-purpose": "second"}
    assert count(store, tables.notes) == 1
    with pytest.raises(ValueError, match="not a principle"):
        store.set_note(a.id, "trust-1", "x")
    with pytest.raises(ValueError, match="too long"):
        store.set_note(a.id, "trust", "x" * 10_001)


def test_update_details(store, small):
    a = new(store, small, partnership="Riverside Trsut")  # a typo
    store.add_action("Riverside Trsut", "trust", "Share plans early", assessment_id=a.id)
    fixed = store.update_details(a.id, partnership="Riverside Trust", respondent="Alex",
                                 created=datetime(2024, 5, 6, 7, 8, tzinfo=UTC))
    assert (fixed.partnership, fixed.respondent, fixed.created) == (
        "Riverside Trust", "Alex", datetime(2024, 5, 6, 7, 8, tzinfo=UTC))
    # the only assessment of the misspelt partnership took its actions along
    assert store.partnerships(belongs_to=LOCAL_OWNER) == ["Riverside Trust"]
    assert [x.text for x in store.actions_for("Riverside Trust", belongs_to=LOCAL_OWNER)] == ["Share plans early"]
    b = new(store, small, partnership="Riverside Trust")
    store.update_details(b.id, partnership="Hillside")
    assert sorted(store.partnerships(belongs_to=LOCAL_OWNER)) == ["Hillside", "Riverside Trust"]
    assert len(store.actions_for("Riverside Trust", belongs_to=LOCAL_OWNER)) == 1 and store.actions_for("Hillside", belongs_to=LOCAL_OWNER) == []
    store.update_details(a.id, partnership="RIVERSIDE trust")  # same partnership, new spelling
    assert store.get_assessment(a.id).partnership == "RIVERSIDE trust"
    assert store.update_details(a.id).respondent == "Alex"  # nothing given: nothing changes
    with pytest.raises(ValueError):
        store.update_details(a.id, partnership="")


def test_rename_partnership_moves_everything_and_merges(store, small):
    a, b = new(store, small, partnership="Old"), new(store, small, partnership="Other")
    store.add_action("Old", "trust", "Do it")
    assert store.rename_partnership("old", "New name", belongs_to=LOCAL_OWNER) == "New name"
    assert store.get_assessment(a.id).partnership == "New name" and len(store.actions_for("new name", belongs_to=LOCAL_OWNER)) == 1
    store.rename_partnership("New name", "other", belongs_to=LOCAL_OWNER)  # merge into the existing one
    assert store.partnerships(belongs_to=LOCAL_OWNER) == ["Other"]
    assert {s.id for s in store.list_assessments(partnership="Other", belongs_to=LOCAL_OWNER)} == {a.id, b.id}
    with pytest.raises(NotFound):
        store.rename_partnership("Nobody", "X", belongs_to=LOCAL_OWNER)


def test_list_search_filter_order_and_counts(store, small):
    old = new(store, small, partnership="Riverside Trust", respondent="Sam", created=date(2023, 1, 1))
    mid = new(store, small, partnership="Hillside 100%_club", respondent="Jo Bloggs", created=date(2024, 1, 1))
    last = new(store, small, partnership="riverside trust", respondent="Ali", created=date(2025, 1, 1))
    store.set_answers(old.id, {"trust-1": 3, "trust-2": None, "purpose-1": 5})
    listed = store.list_assessments(belongs_to=LOCAL_OWNER)
    assert [s.id for s in listed] == [last.id, mid.id, old.id]  # newest first
    first = listed[-1]
    assert (first.partnership, first.respondent, first.rubric_id, first.rubric_version, first.rubric_title) == (
        "Riverside Trust", "Sam", "small-example", "1.0", "Small example")
    assert (first.answered, first.dont_know, first.statements) == (3, 1, 5)
    assert (listed[0].answered, listed[0].dont_know) == (0, 0)
    assert [s.id for s in store.list_assessments("RIVERSIDE", belongs_to=LOCAL_OWNER)] == [last.id, old.id]
    assert [s.id for s in store.list_assessments("bloggs", belongs_to=LOCAL_OWNER)] == [mid.id]  # respondents too
    assert [s.id for s in store.list_assessments("100%_", belongs_to=LOCAL_OWNER)] == [mid.id]  # % and _ are literal
    assert store.list_assessments("%club", belongs_to=LOCAL_OWNER) == [] and store.list_assessments("side_1", belongs_to=LOCAL_OWNER) == []
    assert [s.id for s in store.list_assessments(partnership="Riverside Trust", belongs_to=LOCAL_OWNER)] == [last.id, old.id]
    assert [s.id for s in store.list_assessments("ali", partnership="riverside trust", belongs_to=LOCAL_OWNER)] == [last.id]
    assert store.list_assessments(partnership="Nobody", belongs_to=LOCAL_OWNER) == []
    assert store.partnerships(belongs_to=LOCAL_OWNER) == ["Hillside 100%_club", "Riverside Trust"]


def test_list_pages_are_cut_and_counted_by_the_database(store, small):
    made = [new(store, small, partnership="Page Co" if k % 3 else "Other Co", respondent=f"R{k}",
                created=date(2020, 1, 1 + k)) for k in range(25)]
    store.set_answers(made[3].id, {"trust-1": 4, "trust-2": None})
    newest_first = [a.id for a in reversed(made)]
    pages = [store.list_assessments(belongs_to=LOCAL_OWNER, limit=10, offset=k) for k in (0, 10, 20)]
    assert [[s.id for s in page] for page in pages] == [newest_first[:10], newest_first[10:20], newest_first[20:]]
    assert store.count_assessments(belongs_to=LOCAL_OWNER) == 25
    counted = {s.id: (s.answered, s.dont_know) for page in pages for s in page}
    assert counted[made[3].id] == (2, 1) and counted[made[4].id] == (0, 0)  # answers counted on each page
    page_co = [a.id for a in reversed(made) if a.partnership == "Page Co"]
    assert [s.id for s in store.list_assessments(partnership="page co", belongs_to=LOCAL_OWNER, limit=5,
                                                 offset=5)] == page_co[5:10]
    assert store.count_assessments(partnership="Page Co", belongs_to=LOCAL_OWNER) == len(page_co) == 16
    assert store.count_assessments("r2", belongs_to=LOCAL_OWNER) == 6  # R2 and R20..R24: respondents searched too
    assert store.count_assessments(belongs_to="notebook:" + "0" * 64) == 0
    assert store.list_assessments(belongs_to=LOCAL_OWNER, limit=10, offset=30) == []
    # everyone's (the backup's view), one partnership matched as its key is
    assert [s.id for s in store.list_assessments(partnership=" OTHER  co ", belongs_to=None)] == [
        a.id for a in reversed(made) if a.partnership == "Other Co"]


def test_delete_cascades_answers_and_notes_but_actions_stay(store, small):
    a, b = new(store, small), new(store, small, partnership="Hillside")
    store.set_answers(a.id, {"trust-1": 3, "trust-2": None})
    store.set_answers(b.id, {"trust-1": 1})
    store.set_note(a.id, "trust", "note")
    action = store.add_action(a.partnership, "trust", "Meet monthly", assessment_id=a.id)
    store.delete_assessment(a.id)
    with pytest.raises(NotFound):
        store.get_assessment(a.id)
    with pytest.raises(NotFound):
        store.delete_assessment(a.id)
    assert count(store, tables.answers) == 1 and count(store, tables.notes) == 0  # b's answer stays
    kept = store.actions_for("Riverside Trust", belongs_to=LOCAL_OWNER)
    assert [(x.id, x.assessment_id) for x in kept] == [(action.id, None)]
    assert store.partnerships(belongs_to=LOCAL_OWNER) == ["Hillside", "Riverside Trust"]  # it still has an action
    store.delete_action(action.id)
    assert store.partnerships(belongs_to=LOCAL_OWNER) == ["Hillside"]  # nothing left: forgotten
    store.delete_assessment(b.id)
    assert store.partnerships(belongs_to=LOCAL_OWNER) == [] and count(store, tables.answers) == 0


def test_trend_history_oldest_first_scored_with_each_snapshot(store, small):
    newer = store.snapshot_rubric(SMALL.replace('version = "1.0"', 'version = "2.0"'))
    firsts = []
    for year, (rubric, value) in enumerate([(small, 2), (newer, 3), (small, 5)]):
        a = store.create_assessment(rubric_hash=rubric, partnership="Riverside", created=date(2020 + year, 6, 1))
        store.set_answers(a.id, {"trust-1": value, "trust-2": 6 - value})
        firsts.append(a.id)
    new(store, small, partnership="Elsewhere")
    history = store.assessments_for("riverside", belongs_to=LOCAL_OWNER)
    assert [a.id for a in history] == firsts
    trend = [score(store.rubric(a.rubric_hash), a.answers).principle("trust").score for a in history]
    assert trend == [2.0, 3.0, 5.0]
    assert [a.rubric_version for a in history] == ["1.0", "2.0", "1.0"]
    assert store.assessments_for("nobody", belongs_to=LOCAL_OWNER) == []


# --- actions ---------------------------------------------------------------------------------


def test_actions_carry_forward_from_one_assessment_to_the_next(store, small):
    first = new(store, small, created=date(2024, 1, 1))
    x = store.add_action("Riverside Trust", "trust", "Share plans early", owner="Jo", due=date(2024, 3, 1),
                         assessment_id=first.id)
    y = store.add_action("riverside trust", "shared-purpose", "Purpose workshop")
    assert (x.partnership, x.principle_id, x.owner, x.due, x.status, x.assessment_id) == (
        "Riverside Trust", "trust", "Jo", date(2024, 3, 1), "open", first.id)
    assert y.assessment_id is None and y.due is None
    second = new(store, small, created=date(2025, 1, 1))
    z = store.add_action(second.partnership, "trust", "Monthly check-in", assessment_id=second.id)
    plan = store.actions_for(second.partnership, belongs_to=LOCAL_OWNER)  # seen from the second assessment: all three
    assert [a.id for a in plan] == [y.id, x.id, z.id]  # by principle, then as added
    assert [a.assessment_id for a in plan] == [None, first.id, second.id]
    assert store.actions_for("Hillside", belongs_to=LOCAL_OWNER) == []


def test_updating_actions(store, small):
    a = new(store, small)
    x = store.add_action(a.partnership, "trust", "Share plans early", owner="Jo", due=date(2024, 3, 1))
    doing = store.update_action(x.id, status="doing")
    assert (doing.status, doing.owner, doing.due, doing.text) == ("doing", "Jo", date(2024, 3, 1), x.text)
    assert doing.updated >= x.updated
    done = store.update_action(x.id, status="done", owner="Ali", due=None, text="Shared all plans")
    assert (done.status, done.owner, done.due, done.text) == ("done", "Ali", None, "Shared all plans")
    assert store.update_action(x.id, due=datetime(2025, 1, 2, 3, 4)).due == date(2025, 1, 2)
    other = store.add_action(a.partnership, "trust", "Still to do")
    assert [i.id for i in store.actions_for(a.partnership, include_done=False, belongs_to=LOCAL_OWNER)] == [other.id]
    assert [i.id for i in store.actions_for(a.partnership, belongs_to=LOCAL_OWNER)] == [x.id, other.id]
    for bad in ("closed", "", None, "DONE"):
        with pytest.raises(ValueError, match="open, doing, done"):
            store.update_action(x.id, status=bad)
        with pytest.raises(ValueError, match="open, doing, done"):
            store.add_action(a.partnership, "trust", "x", status=bad)
    with pytest.raises(ValueError):
        store.update_action(x.id, text="  ")
    with pytest.raises(ValueError):
        store.update_action(x.id, due="2025-01-01")
    for missing in (10_000, -1, "1", True):
        with pytest.raises(NotFound):
            store.update_action(missing, status="open")
    with pytest.raises(NotFound):
        store.delete_action(10_000)
    assert store.actions_for(a.partnership, belongs_to=LOCAL_OWNER)[0].status == "done"


def test_an_action_is_raised_in_an_assessment_of_its_own_partnership(store, small):
    a = new(store, small, partnership="Hillside")
    with pytest.raises(ValueError, match="belongs to 'Hillside'"):
        store.add_action("Riverside", "trust", "x", assessment_id=a.id)
    with pytest.raises(NotFound):
        store.add_action("Hillside", "trust", "x", assessment_id="A" * 32)
    with pytest.raises(ValueError, match="principle id"):
        store.add_action("Hillside", "Not An Id", "x")
    assert count(store, tables.actions) == 0 and store.partnerships(belongs_to=LOCAL_OWNER) == ["Hillside"]


# --- export and import -----------------------------------------------------------------------


def fill(store: Store, small: str) -> tuple:
    a = new(store, small, created=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC))
    b = new(store, small, partnership="Hillside", respondent="", created=date(2025, 2, 3))
    newer = store.snapshot_rubric(SMALL.replace('version = "1.0"', 'version = "1.1"'))
    c = store.create_assessment(rubric_hash=newer, partnership="Riverside Trust", respondent="Ali")
    store.set_answers(a.id, {"trust-1": 4, "trust-2": None, "purpose-1": 2})
    store.set_answers(c.id, {"trust-1": 5})
    store.set_note(a.id, "trust", "Talk about the merger — “early”.")
    x = store.add_action(a.partnership, "trust", "Share plans", owner="Jo", due=date(2024, 6, 1), assessment_id=a.id)
    store.update_action(x.id, status="doing")
    store.add_action("Hillside", "shared-purpose", "Workshop")
    return a, b, c


def test_export_then_import_into_an_empty_notebook(store, small, dbs, tmp_path):
    a, b, c = fill(store, small)
    exported = store.export_notebook()
    doc = json.loads(exported)
    assert doc["format"] == "joiningforces-notebook" and doc["schema_version"] == SCHEMA_VERSION
    assert len(doc["rubrics"]) == 2 and len(doc["assessments"]) == 3 and len(doc["actions"]) == 2
    assert doc["assessments"][0]["answers"] == {"purpose-1": 2, "trust-1": 4, "trust-2": None}
    for target_url in (dbs.new(), f"sqlite:///{tmp_path / 'moved.sqlite3'}"):  # same backend, and SQLite
        with Store(target_url) as other:
            summary = other.import_notebook(exported.encode())
            assert (summary.assessments_added, summary.assessments_skipped, summary.actions_added,
                    summary.actions_skipped, summary.rubrics_added) == (3, 0, 2, 0, 2)
            assert "Imported 3 assessment(s)" in str(summary)
            for original in (a, b, c):
                assert other.get_assessment(original.id) == store.get_assessment(original.id)
            for name in ("Riverside Trust", "Hillside"):
                strip = [(x.partnership, x.principle_id, x.text, x.owner, x.due, x.status, x.assessment_id,
                          x.created, x.updated) for x in store.actions_for(name, belongs_to=LOCAL_OWNER)]
                assert strip == [(x.partnership, x.principle_id, x.text, x.owner, x.due, x.status,
                                  x.assessment_id, x.created, x.updated) for x in other.actions_for(name, belongs_to=LOCAL_OWNER)]
            assert other.rubric_text(a.rubric_hash) == SMALL
            assert json.loads(other.export_notebook())["assessments"] == doc["assessments"]


def test_importing_again_skips_what_is_already_here_and_keeps_local_changes(store, small):
    a, b, c = fill(store, small)
    exported = store.export_notebook()
    store.set_answer(a.id, "trust-1", 1)  # changed here after the backup
    summary = store.import_notebook(exported)
    assert (summary.assessments_added, summary.assessments_skipped, summary.actions_added,
            summary.actions_skipped, summary.rubrics_added) == (0, 3, 0, 2, 0)
    assert store.get_assessment(a.id).answers["trust-1"] == 1
    assert count(store, tables.assessments) == 3 and count(store, tables.actions) == 2
    store.delete_assessment(b.id)
    summary = store.import_notebook(exported)  # a deleted one comes back from the backup
    assert (summary.assessments_added, summary.assessments_skipped) == (1, 2)
    assert store.get_assessment(b.id).partnership == "Hillside"


def _doc(store, small) -> dict:
    fill(store, small)
    return json.loads(store.export_notebook())


def _break(doc: dict, how: str):
    if how == "tampered rubric":
        doc["rubrics"][0]["text"] += "\n# changed"
    elif how == "answer off the scale":
        doc["assessments"][0]["answers"]["trust-1"] = 9
    elif how == "unknown statement":
        doc["assessments"][0]["answers"]["nope"] = 1
    elif how == "bad resume id":
        doc["assessments"][1]["id"] = "short"
    elif how == "duplicate resume id":
        doc["assessments"][1]["id"] = doc["assessments"][0]["id"]
    elif how == "bad date":
        doc["assessments"][2]["created"] = "yesterday"
    elif how == "bad status":
        doc["actions"][1]["status"] = "finished"
    elif how == "missing rubric":
        doc["rubrics"] = doc["rubrics"][:1]
    elif how == "dangling assessment of an action":  # found only when writing: the rollback test
        doc["actions"][1]["assessment_id"] = "B" * 32
    elif how == "note on unknown principle":
        doc["assessments"][0]["notes"]["nope"] = "x"
    elif how == "assessments not a list":
        doc["assessments"] = {"a": 1}
    return doc


@pytest.mark.parametrize("how", ["tampered rubric", "answer off the scale", "unknown statement", "bad resume id",
                                 "duplicate resume id", "bad date", "bad status", "missing rubric",
                                 "dangling assessment of an action", "note on unknown principle",
                                 "assessments not a list"])
def test_a_damaged_notebook_is_refused_and_nothing_is_written(store, small, dbs, how):
    doc = _break(_doc(store, small), how)
    target = Store(dbs.new())  # an empty notebook, and the one it came from
    try:
        for s in (target, store):
            before = everything(s)
            with pytest.raises(ImportProblem, match="Nothing was imported"):
                s.import_notebook(json.dumps(doc))
            assert everything(s) == before
        assert target.list_assessments(belongs_to=LOCAL_OWNER) == [] and target.partnerships(belongs_to=LOCAL_OWNER) == []
    finally:
        target.close()


@pytest.mark.parametrize("data, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not readable JSON"),
    ("not json at all", "not readable JSON"),
    ("[1, 2, 3]", "format mark"),
    ('{"format": "something-else", "schema_version": 1}', "format mark"),
    ('{"schema_version": 1, "assessments": []}', "format mark"),
    ('{"format": "joiningforces-notebook"}', "schema version is missing"),
    ('{"format": "joiningforces-notebook", "schema_version": "1"}', "schema version is missing"),
    ('{"format": "joiningforces-notebook", "schema_version": 999}', "newer release"),
    ("[" * 100_000 + "]" * 100_000, "not readable JSON"),
])
def test_files_that_are_not_ours_or_from_a_newer_release(store, small, data, message):
    new(store, small)
    before = everything(store)
    with pytest.raises(ImportProblem, match=message):
        store.import_notebook(data)
    assert everything(store) == before


def test_a_file_too_large_is_refused_before_reading_it(store, small):
    new(store, small)
    before = everything(store)
    huge = '{"format": "joiningforces-notebook", "schema_version": 1, "pad": "' + "x" * MAX_IMPORT_BYTES + '"}'
    with pytest.raises(ImportProblem, match="too large"):
        store.import_notebook(huge)
    with pytest.raises(ImportProblem, match="too large"):
        store.import_notebook(huge.encode())
    assert everything(store) == before


def test_an_empty_notebook_exports_and_imports(store):
    exported = store.export_notebook()
    assert json.loads(exported)["assessments"] == []
    assert store.import_notebook(exported).assessments_added == 0


# --- threads and crashes ---------------------------------------------------------------------


def test_twenty_threads_writing_answers_each_stored_exactly_once(store):
    digest = store.snapshot_rubric(big_rubric(120))
    shared = store.create_assessment(rubric_hash=digest, partnership="Shared")
    own = [store.create_assessment(rubric_hash=digest, partnership=f"Own {i}") for i in range(20)]
    start, errors = threading.Barrier(20), []

    def work(i: int):
        try:
            start.wait()
            for j in range(6):
                store.set_answer(shared.id, f"s-{i % 2}-{(i // 2) * 6 + j}", (i + j) % 5 + 1)
                store.set_answer(own[i].id, f"s-0-{j}", (i + j) % 5 + 1)
                store.set_answer(shared.id, "s-1-119", i % 5 + 1)  # everyone writes this one
            store.set_answers(own[i].id, {f"s-1-{j}": None for j in range(3)})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    got = store.get_assessment(shared.id).answers
    expected = {f"s-{i % 2}-{(i // 2) * 6 + j}": (i + j) % 5 + 1 for i in range(20) for j in range(6)}
    assert {k: v for k, v in got.items() if k != "s-1-119"} == expected
    assert got["s-1-119"] in {1, 2, 3, 4, 5}
    for i in range(20):
        assert store.get_assessment(own[i].id).answers == {
            **{f"s-0-{j}": (i + j) % 5 + 1 for j in range(6)}, **{f"s-1-{j}": None for j in range(3)}}
    assert count(store, tables.answers) == len(expected) + 1 + 20 * 9
    with store.engine.connect() as conn:  # exactly once: no (assessment, statement) twice
        dupes = conn.execute(select(tables.answers.c.assessment_id, tables.answers.c.statement_id)
                             .group_by(tables.answers.c.assessment_id, tables.answers.c.statement_id)
                             .having(func.count() > 1)).all()
    assert dupes == []


def test_threads_creating_the_same_new_partnership_at_once(store, small):
    start, errors, made = threading.Barrier(10), [], []

    def work(i):
        try:
            start.wait()
            made.append(store.create_assessment(rubric_hash=small, partnership="Brand New" if i % 2 else "brand new"))
        except Exception as exc:  # pragma: no cover
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(10)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and len(made) == 10
    assert count(store, tables.partnerships) == 1
    assert len(store.list_assessments(partnership="BRAND NEW", belongs_to=LOCAL_OWNER)) == 10


WRITER = """
import sys, time
from joiningforces.storage import Store
store = Store(sys.argv[1])
token, ids = sys.argv[2], sys.argv[3].split(",")
print("ready", flush=True)
for i, sid in enumerate(ids):
    value = None if i % 7 == 3 else i % 5 + 1
    store.set_answer(token, sid, value)
    print(sid, value, flush=True)   # acknowledged: the answer was committed
    time.sleep(0.003)
print("finished", flush=True)
"""


def test_kill_dash_nine_in_the_middle_of_an_assessment_loses_no_answer(store, url):
    digest = store.snapshot_rubric(big_rubric(150))
    a = store.create_assessment(rubric_hash=digest, partnership="Crash test")
    ids = [f"s-{p}-{j}" for p in range(2) for j in range(150)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen([sys.executable, "-c", WRITER, url, a.id, ",".join(ids)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    acked: dict[str, int | None] = {}
    for line in kill_midway(child, 40):  # each names a different statement
        sid, value = line.split()
        acked[sid] = None if value == "None" else int(value)
    assert len(acked) < len(ids)  # really killed mid-assessment
    with Store(url) as reopened:  # a new engine, as after a restart
        saved = reopened.get_assessment(a.id).answers
        reopened.set_answer(a.id, ids[-1], 3)  # the dead writer's lock is gone: writing works again
        assert reopened.get_assessment(a.id).answers[ids[-1]] == 3
    assert {sid: saved.get(sid, "missing") for sid in acked} == acked
    assert len(saved) - len(acked) in (0, 1)  # at most the one in flight, committed but not acknowledged
    assert None in acked.values()
