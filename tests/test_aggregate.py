"""Board review aggregation, against cases worked out by hand.

The small rubric (tests/data/small.toml): trust = trust-1, trust-2 (reverse: on 1–5 an answer a
scores 6 − a), scored when at least 1 of 2 is answered; shared-purpose = purpose-1..3, scored when
at least 2 of 3 are answered (min_answered 0.5). Roles: smaller-partner, funder. Top band 4.0,
borderline 3.0. Quantiles: linear (type 7): position h = p·(n − 1) in the sorted values.
"""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joiningforces.aggregate import (
    MIN_GROUP_FLOOR,
    QUANTILE_METHOD,
    PrincipleStats,
    Withheld,
    Responses,
    Suppressed,
    aggregate,
    quantiles,
    result_from_scores,
    role_groups,
    to_csv,
)
from joiningforces.loader import load_rubric
from joiningforces.recommend import suggest
from joiningforces.scoring import AnswerError, score

from tests.helpers import replace_once

S, F, L = "smaller-partner", "funder", "larger-partner"


def trust(score_: int) -> dict:
    """Answers giving a trust score of exactly `score_` (trust-1 = s, trust-2 = 6 - s, reversed: s)."""
    return {"trust-1": score_, "trust-2": 6 - score_}


PURPOSE_3 = {"purpose-1": 3, "purpose-2": 3, "purpose-3": 3}


@pytest.fixture(scope="module")
def three_roles(small_rubric_text):
    """The small rubric with a third role, larger-partner, after funder."""
    return load_rubric(replace_once(small_rubric_text, '[[principles]]',
                                    '[[roles]]\nid = "larger-partner"\nlabel = "Larger partner"\n\n[[principles]]'))


def stats(s: PrincipleStats) -> tuple:
    return (s.n, s.median, s.q1, s.q3, s.low, s.high)


# --- case A: four respondents, "don't know" and a statement below the minimum ----------------
#   R1 smaller: trust-1 4, trust-2 2 (→4): trust 4.0; purpose 5, 4, 3: 4.0
#   R2 smaller: trust-1 2, trust-2 don't know: trust 2.0; purpose 3, 3, don't know: 3.0
#   R3 funder:  trust-1 5, trust-2 1 (→5): trust 5.0; purpose-1 4, purpose-2 don't know, purpose-3
#               blank: 1 of 3 answered, not scored
#   R4 funder:  trust-1 3, trust-2 3 (→3): trust 3.0; purpose 2, 2, 2: 2.0
CASE_A = [
    (S, {"trust-1": 4, "trust-2": 2, "purpose-1": 5, "purpose-2": 4, "purpose-3": 3}),
    (S, {"trust-1": 2, "trust-2": None, "purpose-1": 3, "purpose-2": 3, "purpose-3": None}),
    (F, {"trust-1": 5, "trust-2": 1, "purpose-1": 4, "purpose-2": None}),
    (F, {"trust-1": 3, "trust-2": 3, "purpose-1": 2, "purpose-2": 2, "purpose-3": 2}),
]


def responses(rubric, case):
    return Responses.from_answers(rubric, [a for _, a in case], [r for r, _ in case])


def test_case_a_medians_quartiles_and_ranges(small_rubric):
    agg = aggregate(responses(small_rubric, CASE_A), min_size=3)
    assert agg.respondents == 4 and agg.shown and agg.by_role == {S: 2, F: 2}
    # trust: 2, 3, 4, 5 -> median (3 + 4) / 2 = 3.5; q1 at h = 0.75: 2.75; q3 at h = 2.25: 4.25.
    assert stats(agg.everyone.principles["trust"]) == (4, 3.5, 2.75, 4.25, 2.0, 5.0)
    # purpose: R3 not scored -> 2, 3, 4: median 3; q1 at h = 0.5: 2.5; q3 3.5.
    assert stats(agg.everyone.principles["shared-purpose"]) == (3, 3.0, 2.5, 3.5, 2.0, 4.0)
    assert agg.everyone.principles["trust"].iqr == 1.5 and agg.everyone.principles["trust"].range == 3.0
    assert agg.everyone.medians() == {"trust": 3.5, "shared-purpose": 3.0}
    assert agg.everyone.quartiles() == {"trust": (2.75, 4.25), "shared-purpose": (2.5, 3.5)}
    assert agg.everyone.ranges() == {"trust": (2.0, 5.0), "shared-purpose": (2.0, 4.0)}
    # Each role group has 2 < 3 respondents: hidden entirely, so no gaps to compare.
    assert [(g.label, g.roles, g.respondents, g.shown) for g in agg.imbalance.groups] == [
        ("Smaller or community partner", (S,), 2, False), ("Funder or commissioner", (F,), 2, False)]
    for group in agg.imbalance.groups:
        assert group.suppressed == Suppressed(3)
        assert all(isinstance(s, Suppressed) for s in group.principles.values())
        assert group.medians() == {"trust": None, "shared-purpose": None} and group.quartiles() == {}
    assert agg.imbalance.gaps == ()


def test_case_a_where_views_differ_most_with_distributions(small_rubric):
    agg = aggregate(responses(small_rubric, CASE_A), min_size=3)
    # Ranked by IQR: trust 1.5, then purpose 1.0.
    assert [d.principle.id for d in agg.disagreements] == ["trust", "shared-purpose"]
    t, p = agg.disagreements
    assert t.prompt == "What would it take for you to hear bad news early?" and p.prompt is None
    # Raw answers per statement, don't know left out.
    t1, t2 = t.statements
    assert (t1.counts, t1.answered, t1.dont_know) == ({1: 0, 2: 1, 3: 1, 4: 1, 5: 1}, 4, 0)
    assert (t2.counts, t2.answered, t2.dont_know) == ({1: 1, 2: 1, 3: 1, 4: 0, 5: 0}, 3, 1)
    # Pooled after reversal (high is good): trust-1 2,3,4,5 + trust-2 2→4, 1→5, 3→3.
    assert t.counts == {1: 0, 2: 1, 3: 2, 4: 2, 5: 2}
    p1, p2, p3 = p.statements
    assert (p1.counts, p1.answered) == ({1: 0, 2: 1, 3: 1, 4: 1, 5: 1}, 4)
    assert (p2.counts, p2.answered, p2.dont_know) == ({1: 0, 2: 1, 3: 1, 4: 1, 5: 0}, 3, 1)
    # purpose-3: 3 and 2 given, one don't know, one blank: 2 values < 3 -> hidden ...
    assert p3.counts == Suppressed(3) and (p3.answered, p3.dont_know) == (2, 1)
    # ... and left out of the pooled counts, so it cannot be recovered as pooled minus the others.
    assert p.counts == {1: 0, 2: 2, 3: 2, 4: 2, 5: 1}


def test_case_a_suggestions_from_the_group_medians(small_rubric):
    agg = aggregate(responses(small_rubric, CASE_A), min_size=3)
    # trust 3.5 and purpose 3.0, both borderline. appreciative-inquiry helps both:
    # (4 - 3.0) + (4 - 3.5) = 1.5; purpose-workshop 1.0; plans-early 0.5.
    assert [(s.practice.id, s.weight) for s in agg.suggestions()] == [
        ("appreciative-inquiry", 1.5), ("purpose-workshop", 1.0), ("plans-early", 0.5)]
    spots = agg.weak_spots()
    assert [w.principle.id for w in spots] == ["shared-purpose", "trust"]  # lower score first
    assert all(w.pulled_down == () for w in spots)
    assert agg.result.overall == pytest.approx(3.25)
    assert [e.score for e in agg.result.elements] == [3.5, 3.0]


# --- case B: a role group just at the minimum, one just below, ties, a principle hidden ---------
#   smaller: trust 4, 4, 2 (a tie)         -> n 3: median 4, q1 at h = 0.5: 3, q3 4, range 2–4
#   funder:  trust 1, and 3 from trust-1 = 3 with trust-2 don't know -> n 2: hidden
#   everyone: 1, 2, 3, 4, 4 -> median 3, q1 (h = 1) 2, q3 (h = 3) 4
#   purpose: only S1 (5, 5, 5) and F1 (1, 1, 1) answer; the others say don't know to all of it
CASE_B = [
    (S, {**trust(4), "purpose-1": 5, "purpose-2": 5, "purpose-3": 5}),
    (S, {**trust(4), "purpose-1": None, "purpose-2": None, "purpose-3": None}),
    (S, {**trust(2)}),
    (F, {**trust(1), "purpose-1": 1, "purpose-2": 1, "purpose-3": 1}),
    (F, {"trust-1": 3, "trust-2": None}),
]


def without(case, role):
    return [(r, a) for r, a in case if r != role]


def test_case_b_role_group_at_and_below_the_minimum(small_rubric):
    agg = aggregate(responses(small_rubric, CASE_B), min_size=3)
    assert agg.respondents == 5 and agg.by_role == {S: 3, F: 2}
    assert stats(agg.everyone.principles["trust"]) == (5, 3.0, 2.0, 4.0, 1.0, 4.0)
    smaller, funder = agg.imbalance.groups
    assert smaller.shown and smaller.respondents == 3
    # Smaller partners' trust (2, 4, 4) beside everyone's (1, 2, 3, 4, 4) would leave the two
    # funders' scores {1, 3} as the remainder: complementary suppression withholds it.
    assert smaller.principles["trust"] == Withheld(3)
    assert without(CASE_B, F) and stats(aggregate(responses(small_rubric, without(CASE_B, F)), min_size=3)
                                        .imbalance.groups[0].principles["trust"]) == (3, 4.0, 3.0, 4.0, 2.0, 4.0)
    # In a group shown, a principle scored for fewer than 3 (here 1) is still hidden.
    assert smaller.principles["shared-purpose"] == Suppressed(3)
    assert not funder.shown and funder.respondents == 2 and funder.principles["trust"] == Suppressed(3)
    assert agg.imbalance.gaps == ()  # only one group shown


def test_case_b_a_principle_scored_for_too_few_is_hidden_everywhere(small_rubric):
    agg = aggregate(responses(small_rubric, CASE_B), min_size=3)
    # purpose is scored for 2 people only (5.0 and 1.0): never shown, nor suggested on.
    assert agg.everyone.principles["shared-purpose"] == Suppressed(3)
    assert [d.principle.id for d in agg.disagreements] == ["trust"]
    assert agg.result.principle("shared-purpose").score is None
    # trust median 3.0, borderline: both trust practices weigh 1.0, a tie goes by name.
    assert [(s.practice.id, s.weight, [p.id for p in s.helps]) for s in agg.suggestions()] == [
        ("appreciative-inquiry", 1.0, ["trust"]), ("plans-early", 1.0, ["trust"])]


def test_case_b_minimum_of_two_is_refused_and_higher_minimum_hides_more(small_rubric):
    r = responses(small_rubric, CASE_B)
    for bad in (2, 0, -1, True, 3.0, "3"):
        with pytest.raises(ValueError, match="minimum group size"):
            aggregate(r, min_size=bad)
    assert MIN_GROUP_FLOOR == 3
    five = aggregate(r, min_size=5)  # 5 respondents: just at the minimum
    assert five.shown and stats(five.everyone.principles["trust"])[0] == 5
    assert not any(g.shown for g in five.imbalance.groups)
    six = aggregate(r, min_size=6)  # just below
    assert not six.shown and six.suppressed == Suppressed(6) and str(six.suppressed) == "fewer than 6 answers"
    assert six.disagreements == () and six.result is None and six.suggestions() == [] and six.weak_spots() == []
    assert six.by_role == {S: 3, F: 2}  # counts are not answers: always shown


def test_who_counts_as_a_respondent(small_rubric):
    # Someone who only opened the link (no answers) does not count; "don't know" to everything does.
    answers = [trust(4), trust(2), {}, {sid: None for sid in ("trust-1", "trust-2", "purpose-1")}]
    agg = aggregate(Responses.from_answers(small_rubric, answers, [S, S, S, F]), min_size=3)
    assert agg.respondents == 3 and agg.by_role == {S: 2, F: 1}
    assert agg.everyone.principles["trust"] == Suppressed(3)  # scored for 2
    one_fewer = aggregate(Responses.from_answers(small_rubric, answers[:3], [S, S, S]), min_size=3)
    assert one_fewer.respondents == 2 and not one_fewer.shown


# --- case C: the imbalance lens with three role groups, merging ------------------------------
#   smaller trust 5, 4, 4 -> median 4; funder 2, 2, 3 -> 2; larger 3, 3, 3 -> 3. purpose 3.0 for all.
def case_c():
    return ([(S, {**trust(v), **PURPOSE_3}) for v in (5, 4, 4)] + [(F, {**trust(v), **PURPOSE_3}) for v in (2, 2, 3)]
            + [(L, {**trust(v), **PURPOSE_3}) for v in (3, 3, 3)])


def test_case_c_where_the_groups_differ_most(three_roles):
    agg = aggregate(responses(three_roles, case_c()), min_size=3, role_ids=[S, F, L])
    assert [g.label for g in agg.imbalance.groups] == ["Smaller or community partner", "Funder or commissioner",
                                                      "Larger partner"]
    trust_gap, purpose_gap = agg.imbalance.gaps
    assert (trust_gap.principle_id, trust_gap.gap, trust_gap.highest, trust_gap.lowest) == (
        "trust", 2.0, "Smaller or community partner", "Funder or commissioner")
    assert dict(trust_gap.medians) == {"Smaller or community partner": 4.0, "Funder or commissioner": 2.0,
                                       "Larger partner": 3.0}
    # All equal: gap 0, and on a tie the first group in order is both highest and lowest.
    assert (purpose_gap.principle_id, purpose_gap.gap, purpose_gap.highest, purpose_gap.lowest) == (
        "shared-purpose", 0.0, "Smaller or community partner", "Smaller or community partner")
    # purpose: everyone 3.0 -> IQR 0 and range 0; trust 2,2,3,3,3,3,4,4,5: q1 (h = 2) 3, q3 (h = 6) 4.
    assert stats(agg.everyone.principles["trust"]) == (9, 3.0, 3.0, 4.0, 2.0, 5.0)
    assert [d.principle.id for d in agg.disagreements] == ["trust", "shared-purpose"]


def test_case_c_merged_groups(three_roles):
    merged = aggregate(responses(three_roles, case_c()), min_size=3, role_ids=[S, F, L],
                       groups={F: "  Bigger   partners ", L: "Bigger partners"})
    smaller, bigger = merged.imbalance.groups
    assert (bigger.label, bigger.roles, bigger.respondents) == ("Bigger partners", (F, L), 6)
    # 2, 2, 3, 3, 3, 3: median 3; q1 at h = 1.25: 2.25; q3 at h = 3.75: 3.
    assert stats(bigger.principles["trust"]) == (6, 3.0, 2.25, 3.0, 2.0, 3.0)
    assert merged.imbalance.gaps[0].gap == 1.0
    # A merge can also rescue a group below the minimum: two funders + one larger partner.
    few = [c for c in case_c() if c[0] != F][:4] + [c for c in case_c() if c[0] == F][:2]
    apart = aggregate(responses(three_roles, few), min_size=3, role_ids=[S, F, L])
    assert [g.shown for g in apart.imbalance.groups] == [True, False, False]
    together = aggregate(responses(three_roles, few), min_size=3, role_ids=[S, F, L], groups={F: "Big", L: "Big"})
    assert [(g.label, g.respondents, g.shown) for g in together.imbalance.groups] == [
        ("Smaller or community partner", 3, True), ("Big", 3, True)]


def test_role_groups_checks_roles_and_labels():
    labels = {S: "Small", F: "Funder"}
    assert role_groups([S, F], labels) == [("Small", (S,)), ("Funder", (F,))]
    assert role_groups([S, F], labels, {S: "Funder"}) == [("Funder", (S, F))]  # same label: one group
    with pytest.raises(ValueError, match="not roles of this review: nope"):
        role_groups([S, F], labels, {"nope": "X"})
    with pytest.raises(ValueError, match="needs a name"):
        role_groups([S, F], labels, {S: "   "})


def test_respondents_with_no_role_or_another_role_count_for_everyone_only(small_rubric):
    answers = [trust(4), trust(4), trust(2)]
    agg = aggregate(Responses.from_answers(small_rubric, answers, [None, "ghost", S]), min_size=3)
    assert agg.respondents == 3 and agg.shown and agg.by_role == {S: 1}
    assert [g.respondents for g in agg.imbalance.groups] == [1]


# --- the arithmetic ---------------------------------------------------------------------------


def test_quantiles_match_numpy_linear_method_with_gaps():
    rng = np.random.default_rng(7)
    data = rng.integers(1, 6, size=(37, 9)).astype(float) / rng.integers(1, 4, size=(37, 9))
    data[rng.random(data.shape) < 0.3] = np.nan
    data[:, 4] = np.nan  # an empty column
    data[1:, 5] = np.nan  # a single value
    n, q = quantiles(data, (0.0, 0.25, 0.5, 0.75, 1.0))
    assert QUANTILE_METHOD == "linear"
    for j in range(data.shape[1]):
        column = data[~np.isnan(data[:, j]), j]
        assert n[j] == len(column)
        if len(column) == 0:
            assert np.isnan(q[:, j]).all()
        else:
            expected = np.quantile(column, [0, 0.25, 0.5, 0.75, 1], method="linear")
            assert q[:, j] == pytest.approx(expected, abs=1e-12)


def test_group_scores_are_the_individual_scores(small_rubric):
    """Whatever the aggregation, each respondent's principle score is `scoring.score`'s."""
    rng = np.random.default_rng(3)
    sids = [s.id for s in small_rubric.statements]
    people = [{sid: (None if rng.random() < 0.2 else int(rng.integers(1, 6))) for sid in sids if rng.random() < 0.9}
              for _ in range(25)]
    agg = aggregate(Responses.from_answers(small_rubric, people), min_size=3)
    for pid in ("trust", "shared-purpose"):
        scores = [score(small_rubric, a).principle(pid).score for a in people if a]
        scores = sorted(s for s in scores if s is not None)
        got = agg.everyone.principles[pid]
        assert got.n == len(scores)
        assert got.median == pytest.approx(float(np.median(scores)))
        assert (got.low, got.high) == (scores[0], scores[-1])


def test_rows_and_dicts_give_the_same_aggregate(small_rubric):
    rng = np.random.default_rng(11)
    sids = [s.id for s in small_rubric.statements]
    people, roles, rows = [], [], []
    for i in range(40):
        given = {sid: (None if rng.random() < 0.15 else int(rng.integers(1, 6))) for sid in sids if rng.random() < 0.85}
        people.append(given)
        roles.append([S, F][i % 2])
        rows += [(f"p{i}", sid, v) for sid, v in given.items()]
    people[1].pop("trust-1", None)
    rows = [r for r in rows if r[:2] != ("p1", "trust-1")]
    rows += [("p0", "no-such-statement", 3), ("p1", "trust-1", 7)]  # ignored: not in the rubric, off the scale
    order = rng.permutation(len(rows))
    who, sid, value = zip(*[rows[k] for k in order])
    from_rows = aggregate(Responses.from_rows(small_rubric, who, sid, value,
                                              roles={f"p{i}": r for i, r in enumerate(roles)}), min_size=3)
    from_dicts = aggregate(Responses.from_answers(small_rubric, people, roles), min_size=3)
    assert from_rows.everyone == from_dicts.everyone
    assert from_rows.imbalance == from_dicts.imbalance
    assert from_rows.disagreements == from_dicts.disagreements
    # Roles given per row (as a join gives them), values as floats with NaN for don't know:
    per_row = Responses.from_rows(small_rubric, np.array(who, dtype=object), np.array(sid, dtype=object),
                                  np.array([np.nan if v is None else v for v in value]),
                                  row_roles=[roles[int(w[1:])] for w in who])
    assert aggregate(per_row, min_size=3).imbalance == from_dicts.imbalance
    empty = aggregate(Responses.from_rows(small_rubric, [], [], []), min_size=3)
    assert empty.respondents == 0 and not empty.shown


def test_answers_that_do_not_fit_are_refused(small_rubric):
    with pytest.raises(AnswerError):
        Responses.from_answers(small_rubric, [{"trust-1": 9}])
    with pytest.raises(ValueError, match="2 roles"):
        Responses.from_answers(small_rubric, [{}], [S, F])


def test_result_from_scores(small_rubric):
    result = result_from_scores(small_rubric, {"trust": 2.0, "shared-purpose": math.nan})
    assert result.principle("trust").band.id == "concern" and result.principle("shared-purpose").score is None
    assert result.overall == 2.0 and result.answers == {} and result.answered == 0
    assert [(s.practice.id, s.weight) for s in suggest(result)] == [("appreciative-inquiry", 2.0),
                                                                     ("plans-early", 2.0)]


def test_suppressed_is_falsy_and_says_why():
    hidden = Suppressed(4)
    assert not hidden and hidden.message == "fewer than 4 answers" == str(hidden)


# --- CSV ----------------------------------------------------------------------------------------


def read_csv(text: str) -> tuple[list[list[str]], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    gap = rows.index([])
    return rows[:gap], rows[gap + 1:]


def test_csv_of_the_aggregate(small_rubric):
    agg = aggregate(responses(small_rubric, CASE_B), min_size=3, groups={F: "=HYPERLINK(\"x\")"})
    groups, statements = read_csv(to_csv(agg))
    assert groups[0] == ["group", "respondents", "principle_id", "principle", "scored", "median", "q1", "q3",
                         "min", "max", "band"]
    assert groups[1] == ["Everyone", "5", "trust", "Trust and no surprises", "5", "3.0", "2.0", "4.0", "1.0",
                         "4.0", "Borderline"]
    assert groups[2][:5] == ["Everyone", "5", "shared-purpose", "Shared purpose", ""]
    assert groups[2][-1] == "fewer than 3 answers"
    assert groups[3][:5] == ["Smaller or community partner", "3", "trust", "Trust and no surprises", ""]
    assert groups[3][-1].startswith("held back")  # the remainder (the 2 funders) would show otherwise
    # A formula-looking label is neutralised; a group below the minimum has no exact count.
    assert groups[5][:2] == ["'=HYPERLINK(\"x\")", "fewer than 3"] and groups[5][-1] == "fewer than 3 answers"
    assert statements[0][-5:] == ["1 Strongly disagree", "2 Disagree", "3 Neither agree nor disagree", "4 Agree",
                                  "5 Strongly agree"]
    # trust-1: 4, 4, 2, 1, 3 -> one each of 1 to 3, two 4s. trust-2: 2, 2, 4, 5 and a don't know.
    assert statements[1] == ["trust", "Trust and no surprises", "trust-1",
                             "We start by assuming the best of each other.", "5", "0", "1", "1", "1", "2", "0"]
    assert statements[2][4:] == ["4", "1", "0", "2", "0", "1", "1"]
    assert statements[3][4] == "fewer than 3 answers"  # purpose hidden
    hidden = to_csv(aggregate(responses(small_rubric, CASE_B), min_size=6))
    assert len(read_csv(hidden)[1]) == 1  # header only: nothing per statement while hidden


# --- speed ----------------------------------------------------------------------------------------


def sixty_statement_rubric(small_rubric_text: str):
    """12 principles × 5 statements, with the small rubric's roles."""
    head = small_rubric_text.split("[[principles]]")[0]
    parts = [head]
    for i in range(12):
        parts.append(f'[[principles]]\nid = "p{i}"\ntitle = "Principle {i}"\nelement = "relationships"\n'
                     f'description = "D"\nsource = "jf-imbalances"\n')
        for j in range(5):
            parts.append(f'  [[principles.statements]]\n  id = "s{i}-{j}"\n  text = "S {i} {j}."\n'
                         + ('  reverse = true\n' if j == 4 else ''))
    helps = ", ".join(f'"p{i}"' for i in range(12))
    parts.append(f'[[practices]]\nid = "x"\nname = "X"\nwhat = "W"\nwhy = "Y"\nfirst_steps = ["a", "b"]\n'
                 f'helps = [{helps}]\nsource = "jf-imbalances"\n')
    return load_rubric("\n".join(parts))


def random_responses(rubric, n: int, seed: int = 5) -> Responses:
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, size=(n, len(rubric.statements))).astype(float)
    dont_know = rng.random(values.shape) < 0.08
    values[dont_know] = np.nan
    roles = np.empty(n, dtype=object)
    roles[:] = rng.choice([S, F], n).tolist()
    return Responses(rubric, values, dont_know, roles)


def test_a_thousand_respondents_aggregate_fast(small_rubric_text):
    rubric = sixty_statement_rubric(small_rubric_text)
    assert len(rubric.statements) == 60
    data = random_responses(rubric, 1000)
    aggregate(data)  # warm-up
    best = min(_timed(lambda: aggregate(data, groups={F: "F"})) for _ in range(5))
    assert best < 0.1, f"1,000 × 60 took {best * 1000:.0f} ms"  # measured ~10–30 ms on 2 cores


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# --- invariants, on any answers ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.tuples(st.sampled_from([S, F, None]),
                               st.lists(st.sampled_from([None, 1, 2, 3, 4, 5, "blank"]), min_size=5, max_size=5)),
                     max_size=14),
       min_size=st.integers(3, 6), merge=st.booleans())
def test_nothing_from_a_group_below_the_minimum_is_ever_shown(small_rubric, data, min_size, merge):
    sids = [s.id for s in small_rubric.statements]
    people = [{sid: v for sid, v in zip(sids, values) if v != "blank"} for _, values in data]
    agg = aggregate(Responses.from_answers(small_rubric, people, [r for r, _ in data]), min_size=min_size,
                    role_ids=[S, F], groups={S: "All", F: "All"} if merge else None)
    took_part = [p for p in people if p]
    assert agg.respondents == len(took_part)
    for group in (agg.everyone, *agg.imbalance.groups):
        assert group.shown == (group.respondents >= min_size)
        for pid, s in group.principles.items():
            if s:
                assert group.shown and s.n >= min_size
                assert s.low <= s.q1 <= s.median <= s.q3 <= s.high
            else:
                assert isinstance(s, Suppressed) and s.min_size == min_size
    if not agg.shown:
        assert agg.disagreements == () and agg.result is None
    for d in agg.disagreements:
        assert d.stats.n >= min_size
        for st_ in d.statements:
            if st_.counts:
                assert st_.answered >= min_size and sum(st_.counts.values()) == st_.answered
        assert sum(d.counts.values()) == sum(st_.answered for st_ in d.statements if st_.counts)
    for gap in agg.imbalance.gaps:
        assert len(gap.medians) >= 2 and gap.gap >= 0


def test_the_core_never_imports_streamlit():
    done = subprocess.run([sys.executable, "-c", "import sys, joiningforces.aggregate, joiningforces.storage.reviews; "
                           "assert 'streamlit' not in sys.modules, 'streamlit imported'"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
