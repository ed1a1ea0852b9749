"""The release rule (`disclosure`, `published`): property-based, on random reviews.

Random people join with a role, answer, change answers or role, withdraw; the facilitator merges
and separates role groups, the review closes; after every step someone looks at the results (a
dashboard, a CSV: all the same `Publication.publish`). The test keeps its own record of every
figure shown, worked out independently from the snapshot the figure came from (each person's
principle score by `scoring.score`, checked against the median shown), and checks:

- no figure is made from fewer than `min_size` people;
- no two figures ever shown for the same principle or statement differ by the answers of 1 to
  `min_size` − 1 people (over groups, merges and time);
- within one release, the people in the whole review's figure who are in no role group's figure
  shown number 0 or at least `min_size` (the remainder rule).
"""

from __future__ import annotations

import statistics

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joiningforces.aggregate import Suppressed, Withheld
from joiningforces.published import Publication
from joiningforces.scoring import score

S, F, L = "smaller-partner", "funder", None
SIDS = ["trust-1", "trust-2", "purpose-1", "purpose-2", "purpose-3"]

answer = st.sampled_from([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, None, "blank"])
answers = st.lists(answer, min_size=5, max_size=5)
join = st.tuples(st.just("join"), st.sampled_from([S, F]), answers)
step = st.one_of(
    join, join,
    st.tuples(st.just("change"), st.integers(0, 30), answers),
    st.tuples(st.just("role"), st.integers(0, 30), st.sampled_from([S, F])),
    st.tuples(st.just("withdraw"), st.integers(0, 30)),
    st.tuples(st.just("merge"), st.sampled_from([{}, {S: "All", F: "All"}, {S: "Both", F: "Both"}])),
    st.tuples(st.just("close"),),
)


def as_answers(values) -> dict:
    return {sid: v for sid, v in zip(SIDS, values) if v != "blank"}


def apart(a: dict, b: dict) -> int:
    """People whose contribution differs between two figures ({person: value})."""
    return sum(1 for p in set(a) | set(b) if a.get(p, "absent") != b.get(p, "absent"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(first=st.lists(join, max_size=12), steps=st.lists(step, min_size=1, max_size=30), min_size=st.integers(3, 4))
def test_no_two_released_figures_differ_by_fewer_than_the_minimum(small_rubric, first, steps, min_size):
    pub = Publication.from_json(None)
    stored: list = []  # the cells saved so far, as the storage keeps them
    live: dict[str, tuple] = {}
    ever = 0
    groups: dict = {}
    closed = False
    shown: dict[str, list[dict]] = {}  # cell key -> every figure shown: {person: value}

    for op in [*first, ("merge", {}), *steps]:
        if op[0] == "join":
            ever += 1
            live[f"p{ever}"] = (op[1], as_answers(op[2]))
        elif op[0] in ("change", "role", "withdraw") and live and not closed:
            person = sorted(live)[op[1] % len(live)]
            if op[0] == "change":
                live[person] = (live[person][0], as_answers(op[2]))
            elif op[0] == "role":
                live[person] = (op[2], live[person][1])
            else:
                del live[person]
                pub.forget(person)
        elif op[0] == "merge":
            groups = op[1]
        elif op[0] == "close":
            closed = True
        respondents = {p: v for p, v in live.items() if v[1]}
        agg = pub.publish(small_rubric, respondents, min_size=min_size, role_ids=[S, F], groups=groups,
                          closed=closed)
        stored += pub.new_cells()  # what the storage does between requests
        pub = Publication.from_json(pub.to_json(), stored)

        # The test's own view of the snapshot the figures came from.
        own = {p: score(small_rubric, a) for p, (_, a) in pub.snapshot.items()}
        role_of = {p: r for p, (r, _) in pub.snapshot.items()}
        release = {}
        for g in (agg.everyone, *agg.imbalance.groups):
            for p in small_rubric.principles:
                stat = g.principles[p.id]
                if not stat:
                    assert isinstance(stat, Suppressed)
                    continue
                cell = {q: round(r.principle(p.id).score, 9) for q, r in own.items()
                        if r.principle(p.id).score is not None and (not g.roles or role_of[q] in g.roles)}
                assert len(cell) == stat.n >= min_size
                assert statistics.median(cell.values()) == round(stat.median, 9) or \
                    abs(statistics.median(cell.values()) - stat.median) < 1e-9
                release[(g.label, p.id)] = cell
                for earlier in shown.get(p.id, []):
                    assert apart(cell, earlier) == 0 or apart(cell, earlier) >= min_size
                shown.setdefault(p.id, []).append(cell)
        for d in agg.disagreements:
            for sd in d.statements:
                if not sd.counts:
                    continue
                cell = {q: a.get(sd.statement_id) for q, (_, a) in pub.snapshot.items() if sd.statement_id in a}
                assert sum(v is not None for v in cell.values()) == sd.answered >= min_size
                for earlier in shown.get(sd.statement_id, []):
                    assert apart(cell, earlier) == 0 or apart(cell, earlier) >= min_size
                shown.setdefault(sd.statement_id, []).append(cell)
        # The remainder rule within this release.
        for p in small_rubric.principles:
            whole = release.get(("Everyone", p.id))
            if whole is None:
                continue
            covered = set().union(*(set(c) for (label, pid), c in release.items()
                                    if pid == p.id and label != "Everyone"))
            rest = len(set(whole) - covered)
            assert rest == 0 or rest >= min_size


def test_a_withheld_figure_says_why(small_rubric):
    assert str(Withheld(3)).startswith("held back") and not Withheld(3)
    assert isinstance(Withheld(3), Suppressed)


def test_the_least_well_served_group_makes_a_weak_spot_with_power_practices_first():
    import pathlib

    from joiningforces.aggregate import Responses, aggregate
    from joiningforces.loader import load_rubric

    # the 1.0 rubric, whose trust principle has these four statements (trust-4 reversed)
    rubric = load_rubric((pathlib.Path(__file__).parent / "data" / "rubric-1.0" / "joining-forces.toml").read_text())
    larger = {"trust-1": 5, "trust-2": 4, "trust-3": 5, "trust-4": 2}  # trust-4 reversed: 4.5
    smaller = {"trust-1": 1, "trust-2": 1, "trust-3": 2, "trust-4": 5}  # 1.25
    sids = [s.id for s in rubric.principle("trust").statements]
    assert sids == list(larger)
    agg = aggregate(Responses.from_answers(rubric, [larger] * 5 + [smaller] * 3,
                                           ["larger-partner"] * 5 + ["smaller-partner"] * 3), min_size=3)
    assert agg.everyone.principles["trust"].median == 4.5  # a strength by the median alone
    assert agg.result.principle("trust").band.id == "strength" or not agg.result.principle("trust").band.act
    assert agg.least_served("trust") == ("Smaller or community partner", 1.25) and agg.split("trust")
    spots = agg.weak_spots()
    assert [s.principle.id for s in spots] == ["trust"] and spots[0].principle.score == 1.25
    power = {p.id for p in rubric.principles if p.element == "power"}
    helping_power = [bool(set(s.practice.helps) & power) for s in spots[0].practices]
    assert helping_power == [True, True, True]
    assert agg.suggestions()[0].helps[0].id == "trust"
    # Without the split (everyone at 4.5) nothing is weak.
    even = aggregate(Responses.from_answers(rubric, [larger] * 8, ["larger-partner"] * 5 + ["smaller-partner"] * 3),
                     min_size=3)
    assert even.weak_spots() == [] and even.least_served("trust") is None
