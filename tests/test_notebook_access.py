"""A notebook sees only what is its own: the `Notebook` view of the store, played as another user
of the same server would, and the schema migration that gives older rows to the local person."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from joiningforces.access import LOCAL_OWNER, Actor, digest
from joiningforces.notebook import Notebook
from joiningforces.board import Reviews
from joiningforces.storage import MIGRATIONS, NotFound, Store, migrate
from joiningforces.storage import schema as t

SMALL = (Path(__file__).parent / "data" / "small.toml").read_text(encoding="utf-8")
KEY_A, KEY_B = "a" * 32, "b" * 32


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'nb.db'}") as s:
        yield s


def everything_as_text(store: Store) -> str:
    with store.engine.connect() as conn:
        return json.dumps([[list(map(str, row)) for row in conn.execute(select(table))]
                           for table in t.metadata.sorted_tables])


def test_another_notebook_can_neither_list_nor_open_nor_change_nor_delete(store):
    alice, bob = Notebook(store, Actor.notebook(KEY_A)), Notebook(store, Actor.notebook(KEY_B))
    a = alice.start(SMALL, partnership="Riverside", respondent="Alice")
    alice.set_answers(a.id, {"trust-1": 2})
    alice.set_note(a.id, "trust", "They took the credit again")
    action = alice.add_action("Riverside", "trust", "Talk it through", assessment_id=a.id)
    bob.start(SMALL, partnership="Riverside", respondent="Bob")  # the same partnership name

    assert [s.respondent for s in bob.assessments()] == ["Bob"]
    assert bob.partnerships() == ["Riverside"]
    assert [x.respondent for x in bob.assessments_for("Riverside")] == ["Bob"]
    assert bob.actions_for("Riverside") == []
    for attempt in (lambda: bob.assessment(a.id), lambda: bob.set_answers(a.id, {"trust-1": 5}),
                    lambda: bob.set_note(a.id, "trust", "x"), lambda: bob.delete(a.id),
                    lambda: bob.replace_link(a.id), lambda: bob.adopt(a.id),
                    lambda: bob.update_details(a.id, respondent="Mallory"),
                    lambda: bob.update_action(action.id, status="done"), lambda: bob.delete_action(action.id),
                    lambda: bob.add_action("Riverside", "trust", "x", assessment_id=a.id),
                    lambda: bob.export_database(), lambda: bob.import_database("{}")):
        with pytest.raises(NotFound):
            attempt()
    kept = alice.assessment(a.id)
    assert kept.answers == {"trust-1": 2} and kept.respondent == "Alice"
    assert alice.actions_for("Riverside")[0].status == "open"


def test_a_resume_link_opens_one_assessment_which_can_be_added_to_the_notebook_in_hand(store):
    alice, bob = Notebook(store, Actor.notebook(KEY_A)), Notebook(store, Actor.notebook(KEY_B))
    a = alice.start(SMALL, partnership="Riverside")
    other = alice.start(SMALL, partnership="Riverside")
    assert store.assessment_for_link(a.link).id == a.id
    opened = bob.open_link(a.link)
    assert opened.id == a.id
    bob.set_answers(a.id, {"trust-1": 4})  # the link is the key to this one assessment
    with pytest.raises(NotFound):
        bob.assessment(other.id)
    with pytest.raises(NotFound):
        bob.delete(a.id)
    bob.adopt(a.id)
    assert [s.id for s in bob.assessments()] == [a.id] and [s.id for s in alice.assessments()] == [other.id]


def test_links_are_kept_as_digests_and_replacing_one_stops_the_old(store):
    alice = Notebook(store, Actor.notebook(KEY_A))
    a = alice.start(SMALL, partnership="Riverside")
    reviews = Reviews(store)
    review = alice.create_review(reviews, rubric_text=SMALL, title="Board", partnership="Riverside")
    me = reviews.join(review.participant_token, role=review.roles[0] if review.roles else None)
    dump = everything_as_text(store)
    for secret in (a.link, review.facilitator_token, me.token, KEY_A):
        assert secret not in dump
    assert digest(a.link) in dump and digest(review.facilitator_token) in dump
    new = alice.replace_link(a.id)
    with pytest.raises(NotFound):
        store.assessment_for_link(a.link)
    assert store.assessment_for_link(new).id == a.id
    assert [r.uid for r in alice.reviews(reviews)] == [review.uid]
    assert Notebook(store, Actor.notebook(KEY_B)).reviews(reviews) == []
    with pytest.raises(NotFound):
        Notebook(store, Actor.notebook(KEY_B)).new_facilitator_link(reviews, review.uid)
    fresh = alice.new_facilitator_link(reviews, review.uid)
    with pytest.raises(NotFound):
        reviews.dashboard(review.facilitator_token)
    assert reviews.dashboard(fresh).review.title == "Board"


def test_a_notebook_key_is_registered_and_can_be_replaced(store):
    assert not store.notebook_exists(KEY_A) and not store.notebook_exists("not a key")
    store.register_notebook(KEY_A)
    store.register_notebook(KEY_A)  # harmless twice
    assert store.notebook_exists(KEY_A)
    alice = Notebook(store, Actor.notebook(KEY_A))
    a = alice.start(SMALL, partnership="Riverside")
    alice.add_action("Riverside", "trust", "Talk")
    new = store.replace_notebook_key(KEY_A)
    assert not store.notebook_exists(KEY_A) and store.notebook_exists(new)
    assert alice.assessments() == [] and alice.actions_for("Riverside") == []
    moved = Notebook(store, Actor.notebook(new))
    assert [s.id for s in moved.assessments()] == [a.id] and len(moved.actions_for("Riverside")) == 1
    with pytest.raises(NotFound):
        store.replace_notebook_key(KEY_A)


def test_only_the_local_person_and_administrators_back_up_the_database(store):
    Notebook(store, Actor.notebook(KEY_A)).start(SMALL, partnership="Riverside")
    backup = Notebook(store, Actor.local()).export_database()
    assert json.loads(backup)["assessments"][0]["belongs_to"] == Actor.notebook(KEY_A).owner
    admin = Actor.user("idp|boss", "boss@example.org", frozenset({"boss@example.org"}))
    assert Notebook(store, admin).may_back_up()
    for who in (Actor.notebook(KEY_B), Actor.user("idp|x", "x@example.org"), Actor.anonymous(),
                Actor.facilitator(1), Actor.participant(1, 1)):
        assert not Notebook(store, who).may_back_up()
        with pytest.raises(NotFound):
            Notebook(store, who).export_database()


def test_the_migration_gives_older_rows_to_the_local_person_and_old_links_keep_working(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    from sqlalchemy import create_engine
    engine = create_engine(url)  # a version-2 database built by hand, as the last release left it
    migrate(engine, MIGRATIONS[:2])
    old_link, fac_link, person_link = "L" * 32, "F" * 32, "P" * 32
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO rubric_snapshots VALUES (:h, 'small-example', '1.0', 'Small', 4, :t, :n)"),
                     {"h": "h" * 64, "t": SMALL, "n": now})
        conn.execute(text("INSERT INTO partnerships (id, key, name, created) VALUES (1, 'riverside', 'Riverside', :n)"),
                     {"n": now})
        conn.execute(text("INSERT INTO assessments (id, token, partnership_id, respondent, rubric_id, rubric_version,"
                          " rubric_hash, created, updated) VALUES (1, :tok, 1, 'Sam', 'small-example', '1.0', :h, :n, :n)"),
                     {"tok": old_link, "h": "h" * 64, "n": now})
        conn.execute(text("INSERT INTO answers VALUES (1, 'trust-1', 4, :n)"), {"n": now})
        conn.execute(text("INSERT INTO board_reviews (id, facilitator_token, participant_token, title, partnership,"
                          " rubric_id, rubric_version, rubric_hash, roles, role_groups, min_size, results_after_close,"
                          " created, updated) VALUES (1, :f, :p, 'Board', 'Riverside', 'small-example', '1.0', :h,"
                          " '[]', '{}', 3, 0, :n, :n)"), {"f": fac_link, "p": "Q" * 32, "h": "h" * 64, "n": now})
        conn.execute(text("INSERT INTO board_participants (id, review_id, token, role, facilitator, created, updated)"
                          " VALUES (1, 1, :t, NULL, 0, :n, :n)"), {"t": person_link, "n": now})
    engine.dispose()
    with Store(url) as store:
        mine = Notebook(store, Actor.local())
        [summary] = mine.assessments()
        assert summary.respondent == "Sam" and summary.belongs_to == LOCAL_OWNER
        assert store.assessment_for_link(old_link).answers == {"trust-1": 4}
        assert Notebook(store, Actor.notebook(KEY_A)).assessments() == []
        reviews = Reviews(store)
        assert reviews.dashboard(fac_link).review.title == "Board"
        assert reviews.participant(person_link).review.title == "Board"
        assert [r.title for r in mine.reviews(reviews)] == ["Board"]
        dump = everything_as_text(store)
        assert old_link not in dump and fac_link not in dump and person_link not in dump
