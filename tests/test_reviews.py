"""Board reviews in the store, against SQLite and a real PostgreSQL server.

PostgreSQL tests use $JOININGFORCES_TEST_PG_URL (skipped, with a reason, when it is unset), each in
its own schema, dropped afterwards (the `dbs`, `store`, `small` and `reviews` fixtures of conftest.py).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, inspect, text

from joiningforces.access import LOCAL_OWNER
from joiningforces.aggregate import Suppressed, Withheld
from joiningforces.board import WAITING_FOR_ANSWERS, WAITING_FOR_CLOSING, Reviews
from joiningforces.scoring import AnswerError
from joiningforces.storage import (
    LINK_NOT_FOUND,
    MIGRATIONS,
    SCHEMA_VERSION,
    NotFound,
    ReviewClosed,
    Store,
    current_version,
    migrate,
    rubric_hash,
)
from joiningforces.storage import reviews as reviews_module
from joiningforces.storage import schema as tables
from joiningforces.storage.reviews import PARTICIPANT_ACCESS_AFTER_CLOSE
from joiningforces.storage.store import _make_engine, _normalise_url

from tests.helpers import SMALL, F, S, count, trust


@pytest.fixture
def review(reviews, small):
    return reviews.create_review(title="Board review 2025", partnership="Riverside Trust", rubric_hash=small)


@pytest.fixture
def clock(monkeypatch):
    """Moves the reviews' clock: clock.shift(days=...) from now."""
    class Clock:
        offset = timedelta(0)

        def shift(self, **kw):
            self.offset += timedelta(**kw)

    c = Clock()
    real = reviews_module._now
    monkeypatch.setattr(reviews_module, "_now", lambda: real() + c.offset)
    return c


# --- creating and finding a review --------------------------------------------------------------


def test_create_a_review_with_two_unguessable_links(reviews, review, small):
    assert review.title == "Board review 2025" and review.partnership == "Riverside Trust"
    assert (review.rubric_id, review.rubric_version, review.rubric_hash) == ("small-example", "1.0", small)
    assert review.roles == (S, F) and review.min_size == 3 and review.role_groups == {}
    assert review.closes_at is None and not review.is_closed and not review.results_after_close
    tokens = {review.facilitator_token, review.participant_token}
    assert len(tokens) == 2 and all(len(x) == 32 for x in tokens)
    assert reviews.get_review(review.facilitator_token) == review
    info = reviews.review_for_link(review.participant_token)
    assert info.title == review.title and info.roles == (S, F)
    assert not hasattr(info, "facilitator_token") and not hasattr(info, "participant_token")


def test_create_checks_everything_and_writes_nothing_when_refused(store, reviews, small):
    ok = dict(title="T", partnership="P", rubric_hash=small)
    for bad, message in [
        (dict(roles=["board-member"]), "not roles of the rubric 'small-example': board-member"),
        (dict(roles="funder"), "list of role ids"),
        (dict(min_size=2), "at least 3"),
        (dict(closes_at=date(2000, 1, 1)), "already passed"),
        (dict(closes_at="tomorrow"), "date or a datetime"),
        (dict(title="  "), "empty"),
        (dict(rubric_hash="f" * 64), "snapshot_rubric"),
    ]:
        with pytest.raises(ValueError, match=message):
            reviews.create_review(**{**ok, **bad})
    assert count(store, tables.board_reviews) == 0
    one = reviews.create_review(**ok, roles=[F, S, F], closes_at=date(2999, 3, 31), min_size=5,
                                results_after_close=True)
    assert one.roles == (S, F)  # rubric order, once each
    assert one.closes_at == datetime(2999, 4, 1, tzinfo=UTC)  # a closing date: open to the end of that day
    assert reviews.create_review(**ok, roles=[]).roles == ()


BAD = ["", "short", "A" * 32, "A" * 31 + "!", "' OR '1'='1' --                 ", None, 42, "x" * 1000]


def test_wrong_links_are_all_the_same_not_found(store, reviews, review):
    me = reviews.join(review.participant_token, S)
    reviews.set_answers(me.token, trust(4))
    before = (count(store, tables.board_participants), count(store, tables.board_answers))
    messages = set()
    for token in BAD:
        calls = [
            lambda: reviews.get_review(token), lambda: reviews.dashboard(token), lambda: reviews.close_review(token),
            lambda: reviews.rotate_participant_token(token), lambda: reviews.delete_review(token),
            lambda: reviews.add_action(token, "trust", "x"), lambda: reviews.csv(token),
            lambda: reviews.set_role_groups(token, {}), lambda: reviews.join_as_facilitator(token, S),
            lambda: reviews.review_for_link(token), lambda: reviews.join(token, S),
            lambda: reviews.participant(token), lambda: reviews.set_answers(token, trust(1)),
            lambda: reviews.results(token), lambda: reviews.withdraw(token), lambda: reviews.set_role(token, F),
        ]
        for call in calls:
            with pytest.raises(NotFound) as caught:
                call()
            messages.add(str(caught.value))
            if isinstance(token, str) and len(token) > 3:
                assert token not in str(caught.value)
    assert messages == {LINK_NOT_FOUND}
    assert (count(store, tables.board_participants), count(store, tables.board_answers)) == before
    assert reviews.participant(me.token).answers == trust(4)


def test_a_malformed_link_is_refused_before_any_query(store, reviews):
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for token in ["short", "A" * 31 + "*", "x" * 1000]:
        for call in (reviews.get_review, reviews.review_for_link, reviews.participant):
            with pytest.raises(NotFound):
                call(token)
    assert statements == []


def test_each_kind_of_link_opens_only_its_own_door(reviews, review):
    me = reviews.join(review.participant_token, S)
    for token in (review.participant_token, me.token):
        with pytest.raises(NotFound):
            reviews.get_review(token)  # no participant becomes facilitator
        with pytest.raises(NotFound):
            reviews.dashboard(token)
    for token in (review.facilitator_token, me.token):
        with pytest.raises(NotFound):
            reviews.join(token, S)
    for token in (review.facilitator_token, review.participant_token):
        with pytest.raises(NotFound):
            reviews.set_answers(token, trust(3))


# --- participants -------------------------------------------------------------------------------


def test_join_answer_change_and_come_back(store, reviews, review):
    me = reviews.join(review.participant_token, role=S)
    assert len(me.token) == 32 and me.role == S and me.answers == {} and not me.facilitator
    assert me.review.title == "Board review 2025"
    reviews.set_answer(me.token, "trust-1", 2)
    reviews.set_answer(me.token, "trust-1", 5)  # changed: replaces
    reviews.set_answers(me.token, {"trust-2": None, "purpose-1": 3})
    reviews.clear_answer(me.token, "purpose-1")
    again = reviews.participant(me.token)  # coming back with their link
    assert again.answers == {"trust-1": 5, "trust-2": None}
    assert count(store, tables.board_answers) == 2
    assert reviews.set_role(me.token, F).role == F


def test_role_outside_the_review_changes_nothing(store, reviews, small):
    review = reviews.create_review(title="T", partnership="P", rubric_hash=small, roles=[F])
    for role in (S, "board-member", None, ""):
        with pytest.raises(ValueError, match="not one of this review's roles; choose one of: funder"):
            reviews.join(review.participant_token, role)
    assert count(store, tables.board_participants) == 0
    me = reviews.join(review.participant_token, F)
    with pytest.raises(ValueError, match="not one of this review's roles"):
        reviews.set_role(me.token, S)
    assert reviews.participant(me.token).role == F
    no_roles = reviews.create_review(title="T", partnership="P", rubric_hash=small, roles=[])
    assert reviews.join(no_roles.participant_token).role is None
    with pytest.raises(ValueError, match="does not ask for a role"):
        reviews.join(no_roles.participant_token, F)


def test_answers_that_do_not_fit_save_nothing(reviews, review):
    me = reviews.join(review.participant_token, S)
    for bad in ({"nope": 3}, {"trust-1": 6}, {"trust-1": True}, {"trust-1": "4"}):
        with pytest.raises(AnswerError):
            reviews.set_answers(me.token, {"purpose-1": 3, **bad})
    assert reviews.participant(me.token).answers == {}
    with pytest.raises(TypeError):
        reviews.set_answers(me.token, [("trust-1", 3)])


def test_withdraw_deletes_the_participant_and_their_answers(store, reviews, review):
    me = reviews.join(review.participant_token, S)
    reviews.set_answers(me.token, trust(4))
    reviews.withdraw(me.token)
    assert count(store, tables.board_participants) == 0 and count(store, tables.board_answers) == 0
    with pytest.raises(NotFound):
        reviews.participant(me.token)


def test_participants_see_the_group_only_after_answering(reviews, review):
    people = [reviews.join(review.participant_token, S) for _ in range(3)]
    first = reviews.results(people[0].token)
    assert first.group is None and first.waiting_for == WAITING_FOR_ANSWERS
    assert first.own.principle("trust").score is None
    for person, v in zip(people, (5, 4, 2)):
        reviews.set_answers(person.token, trust(v))
    mine = reviews.results(people[0].token)
    assert mine.waiting_for is None and mine.own.principle("trust").score == 5.0
    assert mine.group.everyone.principles["trust"].median == 4.0
    assert mine.group.everyone == reviews.dashboard(review.facilitator_token).group.everyone


def test_results_after_close_wait_for_closing(reviews, small):
    review = reviews.create_review(title="T", partnership="P", rubric_hash=small, results_after_close=True)
    people = [reviews.join(review.participant_token, S) for _ in range(3)]
    for person in people:
        reviews.set_answers(person.token, trust(4))
    waiting = reviews.results(people[0].token)
    assert waiting.group is None and waiting.waiting_for == WAITING_FOR_CLOSING
    assert waiting.own.principle("trust").score == 4.0  # their own: always
    reviews.close_review(review.facilitator_token)
    assert reviews.results(people[0].token).group.everyone.principles["trust"].median == 4.0


# --- the facilitator's dashboard --------------------------------------------------------------


def test_dashboard_counts_medians_spreads_and_suppression(reviews, review):
    # smaller: trust 4, 4, 2 (at the minimum); funder: trust 1, and 3 with trust-2 don't know (below).
    answers = {S: [trust(4), trust(4), trust(2)], F: [trust(1), {"trust-1": 3, "trust-2": None}]}
    for role, sets in answers.items():
        for given in sets:
            reviews.set_answers(reviews.join(review.participant_token, role).token, given)
    reviews.join(review.participant_token, F)  # opened the link, answered nothing
    board = reviews.dashboard(review.facilitator_token)
    assert board.joined == 6 and board.joined_by_role == {S: 3, F: 3}
    assert board.group.respondents == 5 and board.group.by_role == {S: 3, F: 2}
    t = board.group.everyone.principles["trust"]
    assert (t.n, t.median, t.q1, t.q3, t.low, t.high) == (5, 3.0, 2.0, 4.0, 1.0, 4.0)  # 1, 2, 3, 4, 4
    assert board.group.everyone.principles["shared-purpose"] == Suppressed(3)  # nobody answered it
    smaller, funder = board.group.imbalance.groups
    # Smaller partners' trust beside everyone's would leave the 2 funders' as the remainder: withheld.
    assert smaller.shown and isinstance(smaller.principles["trust"], Withheld)
    assert not funder.shown and funder.principles["trust"] == Suppressed(3)
    assert [(s.practice.id, s.weight) for s in board.group.suggestions()] == [("appreciative-inquiry", 1.0),
                                                                              ("plans-early", 1.0)]
    assert board.own is None and board.own_token is None and board.actions == ()
    # Merging the two roles (saved, or tried without saving) makes one group of 5.
    tried = reviews.dashboard(review.facilitator_token, groups={S: "Everyone here", F: "Everyone here"})
    assert [(g.label, g.respondents) for g in tried.group.imbalance.groups] == [("Everyone here", 5)]
    assert reviews.get_review(review.facilitator_token).role_groups == {}
    saved = reviews.set_role_groups(review.facilitator_token, {F: "Partners", S: "Partners"})
    assert saved.role_groups == {F: "Partners", S: "Partners"}
    assert [g.label for g in reviews.dashboard(review.facilitator_token).group.imbalance.groups] == ["Partners"]
    with pytest.raises(ValueError, match="not roles of this review: board-member"):
        reviews.set_role_groups(review.facilitator_token, {"board-member": "X"})
    assert "fewer than 3 answers" in reviews.csv(review.facilitator_token)


def test_a_small_review_shows_nothing_but_counts(reviews, review):
    for v in (1, 5):
        reviews.set_answers(reviews.join(review.participant_token, S).token, trust(v))
    board = reviews.dashboard(review.facilitator_token)
    # Two answers are fewer than the minimum: not published yet, only counted.
    assert board.answered == 2 and board.pending == 2 and board.group.respondents == 0 and not board.group.shown
    assert board.group.disagreements == () and board.group.result is None
    assert all(isinstance(s, Suppressed) for s in board.group.everyone.principles.values())
    csv_text = reviews.csv(review.facilitator_token)
    assert "1.0" not in csv_text and "5.0" not in csv_text


def test_the_facilitator_can_take_part(reviews, review):
    mine = reviews.join_as_facilitator(review.facilitator_token, F)
    assert mine.facilitator and mine.role == F
    assert reviews.join_as_facilitator(review.facilitator_token, S).token == mine.token  # one each, role changed
    reviews.set_answers(mine.token, trust(2))
    for v in (4, 5):
        reviews.set_answers(reviews.join(review.participant_token, S).token, trust(v))
    board = reviews.dashboard(review.facilitator_token)
    assert board.own.principle("trust").score == 2.0 and board.own_token == mine.token
    assert board.group.respondents == 3 and board.group.everyone.principles["trust"].median == 4.0
    assert board.joined_by_role == {S: 3, F: 0}


def test_agreed_actions_go_into_the_notebook(store, reviews, review):
    action = reviews.add_action(review.facilitator_token, "trust", "Share plans at every meeting",
                                owner="Sam", due=date(2025, 6, 1))
    assert (action.partnership, action.principle_id, action.owner, action.due, action.status) == (
        "Riverside Trust", "trust", "Sam", date(2025, 6, 1), "open")
    assert [a.id for a in store.actions_for("riverside trust", belongs_to=LOCAL_OWNER)] == [action.id]
    assert [a.id for a in reviews.actions(review.facilitator_token)] == [action.id]
    assert reviews.dashboard(review.facilitator_token).actions == (action,)
    with pytest.raises(ValueError, match="not a principle"):
        reviews.add_action(review.facilitator_token, "trust-1", "x")
    with pytest.raises(ValueError, match="needs some text"):
        reviews.add_action(review.facilitator_token, "trust", "   ")
    assert count(store, tables.actions) == 1
    store.update_action(action.id, status="done")
    assert reviews.actions(review.facilitator_token)[0].status == "done"
    reviews.delete_review(review.facilitator_token)
    assert [a.id for a in store.actions_for("Riverside Trust", belongs_to=LOCAL_OWNER)] == [action.id]  # the notebook keeps it


def test_update_review(reviews, review):
    changed = reviews.update_review(review.facilitator_token, title="Spring review", min_size=4,
                                    closes_at=date(2999, 1, 1), roles=[F])
    assert (changed.title, changed.min_size, changed.roles) == ("Spring review", 4, (F,))
    me = reviews.join(review.participant_token, F)
    reviews.set_answers(me.token, trust(3))
    with pytest.raises(ValueError, match="cannot go below 4"):
        reviews.update_review(review.facilitator_token, min_size=3)
    with pytest.raises(ValueError, match="chosen the role"):
        reviews.update_review(review.facilitator_token, roles=[S])
    assert reviews.update_review(review.facilitator_token, min_size=6, closes_at=None).min_size == 6
    assert reviews.get_review(review.facilitator_token).closes_at is None


# --- closing, revoking, expiring -------------------------------------------------------------------


def test_a_closed_review_refuses_changes_clearly_and_changes_nothing(store, reviews, review):
    me = reviews.join(review.participant_token, S)
    reviews.set_answers(me.token, trust(4))
    closed = reviews.close_review(review.facilitator_token)
    assert closed.is_closed and closed.closed_at is not None
    for call in (lambda: reviews.set_answers(me.token, trust(1)), lambda: reviews.set_answer(me.token, "trust-1", 1),
                 lambda: reviews.clear_answer(me.token, "trust-1"), lambda: reviews.set_role(me.token, F),
                 lambda: reviews.withdraw(me.token), lambda: reviews.join(review.participant_token, S),
                 lambda: reviews.join_as_facilitator(review.facilitator_token, S)):
        with pytest.raises(ReviewClosed, match="closed on .*can no longer be given or changed"):
            call()
    assert reviews.participant(me.token).answers == trust(4)  # reading still works
    assert count(store, tables.board_participants) == 1 and count(store, tables.board_answers) == 2
    assert reviews.review_for_link(review.participant_token).is_closed
    assert reviews.close_review(review.facilitator_token).closed_at == closed.closed_at  # closing twice: no change
    reviews.reopen_review(review.facilitator_token)
    reviews.set_answers(me.token, trust(1))
    assert reviews.participant(me.token).answers == trust(1)


def test_the_closing_date_closes_it(reviews, small, clock):
    review = reviews.create_review(title="T", partnership="P", rubric_hash=small, closes_at=date.today())
    me = reviews.join(review.participant_token, S)
    reviews.set_answers(me.token, trust(4))
    clock.shift(days=1)  # past the end of today (UTC)
    with pytest.raises(ReviewClosed) as caught:
        reviews.set_answers(me.token, trust(1))
    assert caught.value.closed_at == review.closes_at
    assert reviews.get_review(review.facilitator_token).closed_at == review.closes_at
    with pytest.raises(ValueError, match="already passed"):
        reviews.reopen_review(review.facilitator_token, closes_at=date.today())


def test_participant_links_expire_after_closing(reviews, review, clock):
    me = reviews.join(review.participant_token, S)
    reviews.close_review(review.facilitator_token)
    clock.shift(days=PARTICIPANT_ACCESS_AFTER_CLOSE.days - 1)
    assert reviews.participant(me.token).role == S  # still readable
    clock.shift(days=1)
    for call in (lambda: reviews.participant(me.token), lambda: reviews.results(me.token),
                 lambda: reviews.review_for_link(review.participant_token),
                 lambda: reviews.join(review.participant_token, S)):
        with pytest.raises(NotFound, match="does not work"):
            call()
    assert reviews.dashboard(review.facilitator_token).joined == 1  # the facilitator's link does not expire


def test_revoking_the_participant_link(reviews, review):
    me = reviews.join(review.participant_token, S)
    new = reviews.rotate_participant_token(review.facilitator_token)
    assert new != review.participant_token and len(new) == 32
    with pytest.raises(NotFound, match="does not work"):
        reviews.join(review.participant_token, S)
    with pytest.raises(NotFound):
        reviews.review_for_link(review.participant_token)
    assert reviews.join(new, S).role == S
    reviews.set_answers(me.token, trust(3))  # who joined before keeps their own link
    assert reviews.get_review(review.facilitator_token).participant_token == new
    facilitator = reviews.rotate_facilitator_token(review.facilitator_token)
    with pytest.raises(NotFound):
        reviews.get_review(review.facilitator_token)
    assert reviews.get_review(facilitator).participant_token == new


def test_deleting_a_review_deletes_every_answer(store, reviews, review):
    me = reviews.join(review.participant_token, S)
    reviews.set_answers(me.token, trust(3))
    reviews.delete_review(review.facilitator_token)
    assert count(store, tables.board_reviews) == count(store, tables.board_participants) == 0
    assert count(store, tables.board_answers) == 0
    for call in (lambda: reviews.participant(me.token), lambda: reviews.get_review(review.facilitator_token)):
        with pytest.raises(NotFound):
            call()


# --- concurrency --------------------------------------------------------------------------------


def run_at_once(jobs) -> list[BaseException]:
    start, errors = threading.Barrier(len(jobs)), []

    def run(job):
        try:
            start.wait()
            job()
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def test_fifty_participants_at_once(store, reviews, review):
    written: dict[str, dict] = {}

    def participant(i: int):
        def job():
            me = reviews.join(review.participant_token, S if i % 5 else F)
            reviews.set_answers(me.token, trust(1 + i % 5))
            given = {"purpose-1": 1 + i % 5, "purpose-2": None, "purpose-3": 1 + (i * 7) % 5}
            reviews.set_answers(me.token, given)
            reviews.set_answer(me.token, "trust-1", 1 + i % 5)  # again: no duplicate
            written[me.token] = {**trust(1 + i % 5), **given}
        return job

    assert run_at_once([participant(i) for i in range(50)]) == []
    assert count(store, tables.board_participants) == 50
    assert count(store, tables.board_answers) == 50 * 5  # every answer exactly once
    for token, given in written.items():
        assert reviews.participant(token).answers == given
    board = reviews.dashboard(review.facilitator_token)
    assert board.joined == 50 and board.group.respondents == 50 and board.group.by_role == {S: 40, F: 10}
    # trust scores 1..5, ten of each: median 3, q1 at h = 12.25 -> 2, q3 at h = 36.75 -> 4.
    t = board.group.everyone.principles["trust"]
    assert (t.n, t.median, t.q1, t.q3) == (50, 3.0, 2.0, 4.0)
    assert board.group.imbalance.group("Funder or commissioner").principles["trust"].median == 1.0


def test_two_tabs_of_one_participant_last_write_wins(store, reviews, review):
    me = reviews.join(review.participant_token, S)
    tabs = [lambda v=v: reviews.set_answers(me.token, {"trust-1": v, "trust-2": v}) for v in (1, 2, 3, 4, 5) * 2]
    assert run_at_once(tabs) == []
    answers = reviews.participant(me.token).answers
    assert count(store, tables.board_answers) == 2
    assert answers["trust-1"] == answers["trust-2"] in {1, 2, 3, 4, 5}  # one whole write, the last


def test_closing_while_people_answer_keeps_exactly_the_answers_accepted(store, reviews, review):
    people = [reviews.join(review.participant_token, S) for _ in range(20)]
    accepted, refused = [], []

    def answer(person):
        def job():
            try:
                reviews.set_answers(person.token, trust(3))
                accepted.append(person.token)
            except ReviewClosed:
                refused.append(person.token)
        return job

    errors = run_at_once([answer(p) for p in people] + [lambda: reviews.close_review(review.facilitator_token)])
    assert errors == [] and len(accepted) + len(refused) == 20
    stored = {p.token for p in people if reviews.participant(p.token).answers}
    assert stored == set(accepted)


def test_closing_waits_for_an_answer_being_saved(store, reviews, review, monkeypatch):
    """An answer is saved entirely before the review closes, or refused: closing waits for it."""
    me = reviews.join(review.participant_token, S)
    inside, go = threading.Event(), threading.Event()
    real = reviews_module.check_answers

    def slow_check(rubric, answers):  # runs inside set_answers' transaction, after the review is read
        inside.set()
        assert go.wait(10)
        return real(rubric, answers)

    monkeypatch.setattr(reviews_module, "check_answers", slow_check)
    writer = threading.Thread(target=reviews.set_answers, args=(me.token, trust(2)))
    writer.start()
    assert inside.wait(10)
    closer = threading.Thread(target=reviews.close_review, args=(review.facilitator_token,))
    closer.start()
    closer.join(0.5)
    assert closer.is_alive()  # held back by the answer being saved
    go.set()
    writer.join(10)
    closer.join(10)
    assert not writer.is_alive() and not closer.is_alive()
    assert reviews.participant(me.token).answers == trust(2)
    assert reviews.get_review(review.facilitator_token).is_closed
    monkeypatch.setattr(reviews_module, "check_answers", real)
    with pytest.raises(ReviewClosed):
        reviews.set_answers(me.token, trust(5))


# --- schema -------------------------------------------------------------------------------------


def test_a_notebook_from_the_previous_release_gains_reviews(dbs):
    url = dbs.new()
    engine = _make_engine(_normalise_url(url))
    try:  # a database as the previous release (schema version 1) left it, with an assessment in it
        assert migrate(engine.execution_options(jf_write=True), MIGRATIONS[:1]) == 1
        now = datetime.now(UTC)
        with engine.begin() as conn:
            # the version-1 tables, as they were (schema.py describes only the newest)
            conn.execute(text("INSERT INTO rubric_snapshots VALUES (:h, 'small-example', '1.0', 'Small example', 5, "
                              ":t, :n)"), {"h": rubric_hash(SMALL), "t": SMALL, "n": now})
            conn.execute(text("INSERT INTO partnerships (id, key, name, created) VALUES (1, 'p', 'P', :n)"), {"n": now})
            conn.execute(text("INSERT INTO assessments (token, partnership_id, respondent, rubric_id, rubric_version, "
                              "rubric_hash, created, updated) VALUES (:tok, 1, '', 'small-example', '1.0', :h, :n, :n)"),
                         {"tok": "A" * 32, "h": rubric_hash(SMALL), "n": now})
            assert current_version(conn) == 1 and not inspect(conn).has_table("board_reviews")
    finally:
        engine.dispose()
    with Store(url) as store:  # opened by this release: migrated, data kept, reviews work
        assert store.schema_version == SCHEMA_VERSION >= 2
        assert store.assessment_for_link("A" * 32).partnership == "P"  # the old resume link still works
        r = Reviews(store).create_review(title="T", partnership="P", rubric_hash=rubric_hash(SMALL))
        assert Reviews(store).get_review(r.facilitator_token).title == "T"
