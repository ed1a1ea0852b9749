"""The attacks of issue 14, played through the public functions, against SQLite and PostgreSQL.

A curious facilitator (or participant) collects everything they can see or download — dashboards,
CSVs, participants' results — while merging groups, waiting for people to answer, joining again
and handing out links. Each test then tries the attacker's arithmetic and checks it yields nothing.

What the attacker can see of a figure: its group, principle, how many it is made from ("scored")
and its statistics. Two figures of one principle made from sets of people that differ by 1 to
min_size − 1 people are what every differencing attack needs; `differencing_pairs` finds them
among all the released CSV rows (the sets of people are nested, so the count gives the difference).
"""

from __future__ import annotations

import csv
import io

import pytest

from joiningforces.storage import JoinRefused, NotFound
from joiningforces.storage.reviews import BY_INVITATION, INVITATION_USED, NOT_YOURS

from tests.helpers import F, S, trust


def figures(csv_text: str) -> list[dict]:
    """The group rows of a review CSV that show numbers."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    header, body = rows[0], rows[1:rows.index([])]
    return [dict(zip(header, r)) for r in body if r[header.index("median")]]


def differencing_pairs(seen: list[str], min_size: int) -> list[tuple[dict, dict]]:
    shown = [f for text in seen for f in figures(text)]
    return [(a, b) for i, a in enumerate(shown) for b in shown[i + 1:]
            if a["principle_id"] == b["principle_id"] and 0 < abs(int(a["scored"]) - int(b["scored"])) < min_size]


def hidden_score_from(seen: list[str], principle: str) -> set[float]:
    """The attacker's arithmetic for an extreme hidden score: a figure whose max (or min) is above
    (below) every figure made from one person fewer gives that person's score away."""
    shown = [f for text in seen for f in figures(text) if f["principle_id"] == principle]
    found = set()
    for big in shown:
        for less in shown:
            if int(big["scored"]) - int(less["scored"]) == 1:
                if float(big["max"]) > float(less["max"]):
                    found.add(float(big["max"]))
                if float(big["min"]) < float(less["min"]):
                    found.add(float(big["min"]))
    return found


@pytest.fixture
def review(reviews, small):
    return reviews.create_review(title="Board", partnership="Riverside", rubric_hash=small, roles=[S, F])


def test_merging_a_hidden_group_in_and_out_recovers_nothing(reviews, review):
    fac = review.facilitator_token
    for v in (3, 3, 4, 4, 4):
        reviews.set_answers(reviews.join(review.participant_token, S).token, trust(v))
    reviews.set_answers(reviews.join(review.participant_token, F).token, trust(1))  # the lone funder: 1.0
    seen = [reviews.csv(fac)]
    reviews.set_role_groups(fac, {S: "Everyone", F: "Everyone"})
    seen.append(reviews.csv(fac))
    seen.append(reviews.csv(fac, groups={S: "All partners", F: "All partners"}))  # tried, not saved
    reviews.set_role_groups(fac, {})
    seen.append(reviews.csv(fac))
    for board in (reviews.dashboard(fac), reviews.dashboard(fac, {S: "X", F: "X"})):
        for g in board.group.imbalance.groups:
            assert g.label != "Smaller or community partner" or not g.principles["trust"]
    assert differencing_pairs(seen, 3) == []
    assert 1.0 not in hidden_score_from(seen, "trust")
    # The whole review is still shown: the rule withholds only what would give someone away.
    assert any(f["group"] == "Everyone" and f["principle_id"] == "trust" for f in figures(seen[0]))


def test_two_exports_a_minute_apart_differ_by_nobody_alone(reviews, review):
    fac = review.facilitator_token
    for v in (2, 3, 4, 5):
        reviews.set_answers(reviews.join(review.participant_token, S).token, trust(v))
    before = reviews.csv(fac)
    late = reviews.join(review.participant_token, S)
    reviews.set_answers(late.token, trust(1))  # one more person answers
    after = reviews.csv(fac)
    assert after == before  # the snapshot waits for 3 people's changes
    board = reviews.dashboard(fac)
    assert board.answered == 5 and board.pending == 1 and board.group.respondents == 4
    reviews.set_answers(late.token, trust(5))  # changing answers is the same
    assert reviews.csv(fac) == before
    for v in (3, 4):  # two more: three people changed since the snapshot, so it moves on
        reviews.set_answers(reviews.join(review.participant_token, S).token, trust(v))
    third = reviews.csv(fac)
    assert third != before and reviews.dashboard(fac).group.respondents == 7
    assert differencing_pairs([before, after, third], 3) == []
    # Closing publishes what is left, but a figure too close to an earlier one stays withheld.
    reviews.set_answers(late.token, trust(2))
    reviews.close_review(fac)
    closed = reviews.csv(fac)
    assert differencing_pairs([before, third, closed], 3) == []
    assert "held back" in closed


def test_participants_see_the_same_published_results(reviews, review):
    me = reviews.join(review.participant_token, S)
    reviews.set_answers(me.token, trust(4))
    for v in (2, 3):
        reviews.set_answers(reviews.join(review.participant_token, S).token, trust(v))
    first = reviews.results(me.token).group.everyone.principles["trust"]
    reviews.set_answers(reviews.join(review.participant_token, S).token, trust(1))
    assert reviews.results(me.token).group.everyone.principles["trust"] == first  # not moved by one person


def test_padding_with_the_shared_link_is_refused_when_joining_is_by_invitation(reviews, small):
    review = reviews.create_review(title="B", partnership="R", rubric_hash=small, roles=[S, F], join_by="invitation")
    codes = reviews.invite(review.facilitator_token, 3)
    assert len(set(codes)) == 3
    with pytest.raises(JoinRefused, match="by invitation") as refused:
        reviews.join(review.participant_token, S)
    assert refused.value.message == BY_INVITATION
    first = reviews.join_with_invitation(codes[0], S)
    with pytest.raises(JoinRefused) as again:
        reviews.join_with_invitation(codes[0], S)  # the same invitation, a second time
    assert again.value.message == INVITATION_USED
    with pytest.raises(JoinRefused):
        reviews.review_for_invitation(codes[0])
    assert reviews.review_for_invitation(codes[1]).title == "B"
    board = reviews.dashboard(review.facilitator_token)
    assert (board.invited, board.invitations_used, board.joined) == (3, 1, 1)
    # The facilitator taking part is one participant, marked as theirs, however often they ask.
    mine = reviews.join_as_facilitator(review.facilitator_token, F)
    assert reviews.join_as_facilitator(review.facilitator_token, F).token == mine.token and mine.facilitator
    assert reviews.dashboard(review.facilitator_token).joined == 2
    assert first.token != mine.token


def test_sign_in_keeps_one_participant_per_identity_and_personal_links_personal(reviews, small):
    review = reviews.create_review(title="B", partnership="R", rubric_hash=small, roles=[S, F], join_by="sign-in")
    with pytest.raises(JoinRefused, match="Sign in"):
        reviews.join(review.participant_token, S)
    alice = reviews.join(review.participant_token, S, identity="oidc|alice")
    again = reviews.join(review.participant_token, S, identity="oidc|alice")  # no padding: the same person
    assert reviews.dashboard(review.facilitator_token).joined == 1
    with pytest.raises(NotFound):  # links are kept as digests: joining again gives a new one, the old stops
        reviews.participant(alice.token, identity="oidc|alice")
    alice = again
    # A planted link: the facilitator joined as someone and hands the personal link to Bob.
    with pytest.raises(JoinRefused) as planted:
        reviews.participant(alice.token, identity="oidc|bob")
    assert planted.value.message == NOT_YOURS
    with pytest.raises(JoinRefused):
        reviews.participant(alice.token)  # opened signed out
    assert reviews.participant(alice.token, identity="oidc|alice").token == alice.token


def test_the_presentation_link_shows_results_and_nothing_else(reviews, review):
    for v in (2, 3, 4):
        reviews.set_answers(reviews.join(review.participant_token, S).token, trust(v))
    token = reviews.presentation_token(review.facilitator_token)
    assert token == reviews.presentation_token(review.facilitator_token)
    assert token not in (review.facilitator_token, review.participant_token)
    shown = reviews.presentation(token)
    assert shown.group.everyone.principles["trust"].median == 3.0
    assert not hasattr(shown.review, "facilitator_token") and not hasattr(shown, "actions")
    new = reviews.rotate_presentation_token(review.facilitator_token)
    from joiningforces.storage import NotFound
    with pytest.raises(NotFound):
        reviews.presentation(token)
    assert reviews.presentation(new).group.respondents == 3


def test_withdrawing_takes_answers_out_of_the_published_results(reviews, review):
    people = [reviews.join(review.participant_token, S) for _ in range(4)]
    for person, v in zip(people, (2, 3, 4, 5)):
        reviews.set_answers(person.token, trust(v))
    assert reviews.dashboard(review.facilitator_token).group.respondents == 4
    reviews.withdraw(people[0].token)
    board = reviews.dashboard(review.facilitator_token)
    assert board.group.respondents == 3  # gone from the results at once...
    assert not board.group.everyone.principles["trust"]  # ...and 4 → 3 would show who left: withheld


def test_a_personal_link_made_in_one_browser_opens_only_there(reviews, small):
    review = reviews.create_review(title="B", partnership="R", rubric_hash=small, roles=[S, F])
    mine, theirs = "a" * 48, "b" * 48  # each browser's own random id (ui/browser.py)
    planted = reviews.join(review.participant_token, S, browser=mine)  # the facilitator joins first
    for elsewhere in ({}, {"browser": theirs}, {"identity": "oidc|bob"}):
        with pytest.raises(JoinRefused) as refused:
            reviews.participant(planted.token, **elsewhere)
        assert refused.value.message == NOT_YOURS
    assert reviews.participant(planted.token, browser=mine).token == planted.token
    # One browser, one participation: the shared link again from it gives the same one, with a new link.
    again = reviews.join(review.participant_token, S, browser=mine)
    assert reviews.dashboard(review.facilitator_token).joined == 1
    with pytest.raises(NotFound):
        reviews.participant(planted.token, browser=mine)
    # By invitation too; a browser that has joined already leaves the invitation unused.
    by_invitation = reviews.create_review(title="C", partnership="R", rubric_hash=small, roles=[S], join_by="invitation")
    first, second = reviews.invite(by_invitation.facilitator_token, 2)
    joined = reviews.join_with_invitation(first, S, browser=theirs)
    with pytest.raises(JoinRefused):
        reviews.participant(joined.token, browser=mine)
    back = reviews.join_with_invitation(second, S, browser=theirs)
    assert reviews.participant(back.token, browser=theirs).token == back.token
    board = reviews.dashboard(by_invitation.facilitator_token)
    assert (board.joined, board.invitations_used) == (1, 1)
    for bad in ("short", "x" * 48 + "!", 7):
        with pytest.raises(ValueError):
            reviews.join(review.participant_token, S, browser=bad)
    assert again.token != planted.token
