"""Who may do what: the whole permissions table, written out, against `access.allowed`; the
mode each configuration gives; and the `Notebook` view refusing what is not the actor's."""

from __future__ import annotations

import pytest

from joiningforces.access import (
    DATABASE,
    LIBRARY,
    LOCAL_OWNER,
    Action,
    Actor,
    Mode,
    Thing,
    What,
    allowed,
    decide_mode,
    digest,
)

KEY_A, KEY_B = "A" * 32, "B" * 32
A, B = Actor.notebook(KEY_A), Actor.notebook(KEY_B)
ACTORS = {
    "local": Actor.local(),
    "notebook A": A,
    "notebook B": B,
    "user": Actor.user("https://idp|alice", "alice@example.org", frozenset({"boss@example.org"})),
    "admin": Actor.user("https://idp|boss", "Boss@Example.org", frozenset({"boss@example.org"})),
    "participant 7 of review 1": Actor.participant(1, 7),
    "participant 8 of review 1": Actor.participant(1, 8),
    "facilitator of review 1": Actor.facilitator(1),
    "facilitator of review 2": Actor.facilitator(2),
    "anonymous": Actor.anonymous(),
}
THINGS = {
    "A's assessment": Thing(What.ASSESSMENT, owner=A.owner, id="a" * 32),
    "local assessment": Thing(What.ASSESSMENT, owner=LOCAL_OWNER, id="b" * 32),
    "A's action": Thing(What.ACTION, owner=A.owner),
    "A's review 1": Thing(What.REVIEW, owner=A.owner, review_id=1),
    "answers of participant 7": Thing(What.PARTICIPATION, review_id=1, participant_id=7),
    "database": DATABASE,
    "library": LIBRARY,
}
R, C, D, E = "read", "change", "delete", "export"
ALL, NONE = {R, C, D, E}, set()
# (actor, thing) -> the actions allowed. Anything not listed: nothing allowed.
EXPECTED = {
    ("local", "local assessment"): ALL,
    ("notebook A", "A's assessment"): ALL,
    ("notebook A", "A's action"): ALL,
    ("notebook A", "A's review 1"): ALL,
    ("facilitator of review 1", "A's review 1"): ALL,
    ("participant 7 of review 1", "answers of participant 7"): {R, C, D},
    ("local", "database"): {C, E},
    ("admin", "database"): {C, E},
    ("admin", "library"): {R, C},
    **{(actor, "library"): {R} for actor in ACTORS if actor not in ("admin",)},
}


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("thing_name", THINGS)
def test_permissions_table(actor_name, thing_name):
    expected = EXPECTED.get((actor_name, thing_name), NONE)
    got = {a for a in (R, C, D, E) if allowed(ACTORS[actor_name], a, THINGS[thing_name])}
    assert got == expected


def test_saving_into_the_library_needs_the_setting_for_the_local_person_only():
    assert allowed(Actor.local(), Action.CHANGE, LIBRARY, library_write=True)
    assert not allowed(Actor.local(), Action.CHANGE, LIBRARY, library_write=False)
    assert not allowed(A, Action.CHANGE, LIBRARY, library_write=True)  # shared: never from a page
    assert not allowed(ACTORS["user"], Action.CHANGE, LIBRARY, library_write=True)


def test_a_resume_link_opens_its_one_assessment_but_cannot_delete_it():
    holder = B.holding_link("a" * 32)
    mine = THINGS["A's assessment"]
    assert {a for a in (R, C, D, E) if allowed(holder, a, mine)} == {R, C, E}
    other = Thing(What.ASSESSMENT, owner=A.owner, id="c" * 32)
    assert not any(allowed(holder, a, other) for a in (R, C, D, E))


def test_owners_are_digests_and_distinct():
    assert A.owner == "notebook:" + digest(KEY_A) and KEY_A not in A.owner
    assert A.owner != B.owner
    assert Actor.user("x|1").owner != Actor.user("x|2").owner
    assert ACTORS["admin"].kind == "admin" and ACTORS["user"].kind == "user"  # e-mail compared ignoring case


@pytest.mark.parametrize("explicit, auth, address, expected", [
    (None, False, "127.0.0.1", Mode.LOCAL),
    (None, False, "localhost", Mode.LOCAL),
    (None, False, "::1", Mode.LOCAL),
    (None, False, "0.0.0.0", Mode.SHARED),
    (None, False, "", Mode.SHARED),  # Streamlit's default: every interface
    (None, False, "192.168.1.20", Mode.SHARED),
    (None, True, "0.0.0.0", Mode.SIGNIN),
    (None, True, "127.0.0.1", Mode.SIGNIN),
    ("shared", False, "127.0.0.1", Mode.SHARED),  # an explicit setting wins
    ("LOCAL", True, "0.0.0.0", Mode.LOCAL),
])
def test_mode_follows_the_configuration(explicit, auth, address, expected):
    assert decide_mode(explicit, auth, address) is expected


def test_a_wrong_mode_setting_says_what_is_allowed():
    with pytest.raises(ValueError, match="local, shared or signin"):
        decide_mode("public", False, "0.0.0.0")
