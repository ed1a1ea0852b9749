"""A review's publication kept decoded in each process (`board.Reviews`), saved incrementally
(`storage.reviews.ReviewStore.publish`): several processes on one database (replicas) share one
release rule, and what one keeps in memory never goes stale (issue 17).

Each `Store` below has its own engine and each `Reviews` its own kept publications, as two app
processes would; both backends (PostgreSQL when $JOININGFORCES_TEST_PG_URL is set).
"""

from __future__ import annotations

import json
import random
from itertools import combinations

import pytest
from sqlalchemy import func, select

from joiningforces.board import Reviews
from joiningforces.disclosure import Ledger, people_apart
from joiningforces.storage import Store
from joiningforces.storage import schema as tables

from tests.helpers import SMALL, F, S, trust

SIDS = ["trust-1", "trust-2", "purpose-1", "purpose-2", "purpose-3"]


@pytest.fixture
def replicas(url):
    with Store(url) as a, Store(url) as b:
        yield Reviews(a), Reviews(b)


def stored_cells(store: Store, review_key: int) -> dict[str, list[frozenset]]:
    cells: dict[str, list[frozenset]] = {}
    with store.db.read() as s:
        for key, cell in s.execute(select(tables.board_released.c.key, tables.board_released.c.cell)
                                   .where(tables.board_released.c.review_id == review_key)):
            cells.setdefault(key, []).append(frozenset(json.loads(cell)))
    return cells


def review_key(store: Store) -> int:
    """The one review's key (each test makes one)."""
    with store.db.read() as s:
        return s.execute(select(tables.board_reviews.c.id)).scalar_one()


def test_two_replicas_release_through_one_ledger_and_never_show_stale_results(replicas, url):
    a, b = replicas
    review = a.create_review(title="R", partnership="P", rubric_hash=a.store.snapshot_rubric(SMALL), roles=[S, F])
    ft = review.facilitator_token
    rng = random.Random(7)
    people = []
    for step in range(60):
        here = (a, b)[step % 2]
        if len(people) < 12 or rng.random() < 0.2:
            people.append(here.join(review.participant_token, rng.choice([S, F])).token)
        for token in rng.sample(people, min(len(people), rng.randint(1, 4))):
            here.set_answers(token, {sid: rng.choice([1, 2, 3, 4, 5, None]) for sid in rng.sample(SIDS, 3)})
        if step % 9 == 8:
            here.withdraw(people.pop(rng.randrange(len(people))))
        groups = rng.choice([None, {S: "Everyone", F: "Everyone"}])
        shown = (a, b)[rng.randrange(2)].dashboard(ft, groups)
        # A third process reading everything afresh sees what the kept publication gave.
        with Store(url) as fresh_store:
            fresh = Reviews(fresh_store).dashboard(ft, groups)
        assert fresh.group == shown.group and fresh.pending == shown.pending, f"step {step}"
    # Every cell either replica released is in the database, and the rule holds over all of them.
    cells = stored_cells(a.store, review_key(a.store))
    assert sum(map(len, cells.values())) > 20
    for key, released in cells.items():
        for one, other in combinations(released, 2):
            assert not 0 < people_apart(one, other) < review.min_size, key


def test_a_withdrawal_through_one_replica_leaves_the_other_replicas_results_at_once(replicas):
    a, b = replicas
    review = a.create_review(title="R", partnership="P", rubric_hash=a.store.snapshot_rubric(SMALL), roles=[S, F])
    people = [a.join(review.participant_token, S) for _ in range(4)]
    for person, v in zip(people, (2, 3, 4, 5)):
        a.set_answers(person.token, trust(v))
    assert a.dashboard(review.facilitator_token).group.respondents == 4  # kept by replica a
    b.withdraw(people[0].token)
    board = a.dashboard(review.facilitator_token)
    assert board.group.respondents == 3
    assert not board.group.everyone.principles["trust"]  # 4 → 3 would show who left: withheld


def test_a_save_writes_the_new_cells_not_the_whole_ledger(reviews, small):
    review = reviews.create_review(title="R", partnership="P", rubric_hash=small, roles=[S, F])
    people = [reviews.join(review.participant_token, S) for _ in range(3)]
    for person, v in zip(people, (2, 3, 4)):
        reviews.set_answers(person.token, trust(v))
    reviews.dashboard(review.facilitator_token)
    key = review_key(reviews.store)
    before = sum(map(len, stored_cells(reviews.store, key).values()))
    assert before > 0
    for person, v in zip(people, (5, 1, 2)):
        reviews.set_answers(person.token, trust(v))
    reviews.dashboard(review.facilitator_token)
    after = stored_cells(reviews.store, key)
    assert before < sum(map(len, after.values())) <= 2 * before  # the earlier rows are kept as they were
    with reviews.store.db.read() as s:
        data = json.loads(s.execute(select(tables.board_publications.c.data)).scalar_one())
    assert set(data) == {"snapshot", "ledger"} and set(data["ledger"]) == {"format", "seats", "salts"}


def test_a_ledger_saved_in_the_first_format_is_converted_exactly():
    # Format 1: a contribution was [person, index of the value among the person's values under that key].
    old = {"released": {"p:trust": [[["1", 0], ["2", 0], ["3", 0]], [["1", 1], ["2", 0], ["3", 0], ["9", 0]]]},
           "current": {"1": {"p:trust": ["4.0", "5.0"]}, "2": {"p:trust": ["3.0"]}, "3": {"p:trust": ["2.0"]}}}
    ledger = Ledger.from_data(old)
    first = frozenset(ledger.version(p, "p:trust", v) for p, v in (("1", 4.0), ("2", 3.0), ("3", 2.0)))
    assert first in ledger.released["p:trust"]  # the same values are the same cell
    assert not ledger.too_close("p:trust", first, 3)
    moved = frozenset(ledger.version(p, "p:trust", v) for p, v in (("1", 5.0), ("2", 3.0), ("3", 2.0)))
    assert ledger.too_close("p:trust", moved, 3)  # one person apart from the first cell
    assert len(ledger.released["p:trust"]) == 2 and len(ledger.fresh) == 2  # saved anew as rows
    second = next(c for c in ledger.released["p:trust"] if c != first)
    assert people_apart(first, second) == 2  # person 1 changed, person 9 (who left) was only in the second
    assert "9" not in ledger.salts  # nothing links the one who left to a value


def test_a_publication_saved_before_the_upgrade_is_read_and_saved_anew(reviews, small):
    review = reviews.create_review(title="R", partnership="P", rubric_hash=small, roles=[S, F])
    people = [reviews.join(review.participant_token, S) for _ in range(3)]
    for person, v in zip(people, (2, 3, 4)):
        reviews.set_answers(person.token, trust(v))
    with reviews.store.db.read() as s:
        ids = [str(i) for i in s.execute(select(tables.board_participants.c.id).order_by(tables.board_participants.c.id)).scalars()]
    snapshot = {p: [S, trust(v)] for p, v in zip(ids, (2, 3, 4))}
    old = {"snapshot": snapshot,
           "ledger": {"released": {"p:trust": [[[p, 0] for p in ids]]},
                      "current": {p: {"p:trust": [json.dumps(float(v))]} for p, v in zip(ids, (2, 3, 4))}}}
    key = review_key(reviews.store)
    with reviews.store.db.write() as s:
        s.execute(tables.board_publications.insert().values(review_id=key, data=json.dumps(old),
                                                           updated=func.now(), revision=""))
    board = Reviews(reviews.store).dashboard(review.facilitator_token)
    assert board.group.respondents == 3 and board.group.everyone.principles["trust"].median == 3.0
    cells = stored_cells(reviews.store, key)
    assert cells["p:trust"]  # the old cells are rows now
    with reviews.store.db.read() as s:
        data = json.loads(s.execute(select(tables.board_publications.c.data)).scalar_one())
    assert data["ledger"]["format"] == 2 and "released" not in data["ledger"]


def test_a_release_saved_by_another_replica_meanwhile_is_not_overwritten(replicas, monkeypatch):
    a, b = replicas
    review = a.create_review(title="R", partnership="P", rubric_hash=a.store.snapshot_rubric(SMALL), roles=[S, F])
    ft = review.facilitator_token
    people = [a.join(review.participant_token, S) for _ in range(7)]
    for person, v in zip(people[:3], (2, 3, 4)):
        a.set_answers(person.token, trust(v))
    a.dashboard(ft)  # three people published
    for person, v in zip(people[3:6], (5, 1, 2)):
        a.set_answers(person.token, trust(v))

    read_by_a = Reviews._catch_up

    def meanwhile(self, key, now):  # after replica a has read six people, before it saves
        kept = read_by_a(self, key, now)
        if self is a and not meanwhile.done:
            meanwhile.done = True
            b.set_answers(people[6].token, trust(3))
            assert b.dashboard(ft).group.respondents == 7  # replica b publishes seven
        return kept

    meanwhile.done = False
    monkeypatch.setattr(Reviews, "_catch_up", meanwhile)
    shown = a.dashboard(ft)
    assert meanwhile.done
    # Six against the seven b released would differ by one person: a works it out again instead.
    assert shown.group.respondents == 7
    for key, released in stored_cells(a.store, review_key(a.store)).items():
        for one, other in combinations(released, 2):
            assert not 0 < people_apart(one, other) < review.min_size, key


def test_the_index_of_released_cells_finds_every_close_one():
    """`Ledger.too_close` looks only at the cells its bucket index offers once a key has many;
    it must answer exactly as comparing with every cell does."""
    rng = random.Random(3)
    for min_size in (3, 4, 6):
        indexed, plain = Ledger(), Ledger()
        indexed.INDEX_FROM, plain.INDEX_FROM = 0, 10**9
        base = {f"p{i}": rng.randint(1, 5) for i in range(40)}

        def near(cell: dict, changes: int) -> dict:
            cell = dict(cell)
            for _ in range(changes):
                person = f"p{rng.randrange(60)}"
                if person in cell and rng.random() < 0.3:
                    del cell[person]
                else:
                    cell[person] = rng.randint(1, 5)
            return cell

        def codes(ledger: Ledger, cell: dict) -> frozenset:
            return frozenset(ledger.version(p, "k", v) for p, v in cell.items())

        history = [base]
        for _ in range(60):
            history.append(near(rng.choice(history), rng.randint(0, 12)))
        for cell in history:
            indexed.add("k", codes(indexed, cell))
            plain.add("k", codes(plain, cell))
        answers = []
        for _ in range(400):
            candidate = near(rng.choice(history), rng.randint(0, 6))
            answer = plain.too_close("k", codes(plain, candidate), min_size)
            assert indexed.too_close("k", codes(indexed, candidate), min_size) == answer
            answers.append(answer)
        assert any(answers) and not all(answers)
