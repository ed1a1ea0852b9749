"""Scoring, with every expected value worked out by hand from tests/data/small.toml.

The small rubric: trust (element relationships) = trust-1, trust-2 (reverse); shared-purpose
(element joining-forces) = purpose-1, purpose-2, purpose-3. Scale 1-5, min_answered 0.5,
bands strength >= 4.0 (no action), borderline >= 3.0, concern >= 1.0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from tests.helpers import replace_once

from joiningforces.loader import load_rubric
from joiningforces.scoring import (
    AnswerError,
    answers_frame,
    check_answers,
    score,
    score_frame,
    statement_scores,
)


def test_trust_concern_and_purpose_strength(small_rubric):
    # trust: 2 and 4 reversed to 2 -> 2.0, concern. purpose: 5, 4, don't know -> 4.5, strength.
    result = score(small_rubric, {"trust-1": 2, "trust-2": 4, "purpose-1": 5, "purpose-2": 4, "purpose-3": None})
    trust, purpose = result.principle("trust"), result.principle("shared-purpose")
    assert (trust.score, trust.band.id, trust.answered, trust.total) == (2.0, "concern", 2, 2)
    assert trust.coverage == 1.0
    assert (purpose.score, purpose.band.id, purpose.answered, purpose.total) == (4.5, "strength", 2, 3)
    assert purpose.coverage == pytest.approx(2 / 3)
    assert [(e.id, e.score, e.principles, e.band.id) for e in result.elements] == [
        ("relationships", 2.0, 1, "concern"), ("joining-forces", 4.5, 1, "strength")]
    assert result.overall == 3.25  # (2.0 + 4.5) / 2
    assert result.statements == {"trust-1": 2.0, "trust-2": 2.0, "purpose-1": 5.0, "purpose-2": 4.0,
                                 "purpose-3": None}
    assert result.answered == 4
    assert result.answers["trust-2"] == 4  # the answer as given, before reversal


def test_borderline_and_concern(small_rubric):
    # trust: 4 and 3 reversed to 3 -> 3.5 borderline. purpose: 1, 2, 3 -> 2.0 concern.
    result = score(small_rubric, {"trust-1": 4, "trust-2": 3, "purpose-1": 1, "purpose-2": 2, "purpose-3": 3})
    assert result.principle("trust").score == 3.5
    assert result.principle("trust").band.id == "borderline"
    assert result.principle("shared-purpose").score == 2.0
    assert result.principle("shared-purpose").band.id == "concern"
    assert result.overall == 2.75


@pytest.mark.parametrize(("answer", "scored"), [(1, 5.0), (2, 4.0), (3, 3.0), (4, 2.0), (5, 1.0)])
def test_reverse_items_are_flipped(small_rubric, answer, scored):
    result = score(small_rubric, {"trust-2": answer, "purpose-1": answer})
    assert result.statements["trust-2"] == scored
    assert result.statements["purpose-1"] == float(answer)  # not reversed
    assert result.principle("trust").score == scored  # 1 of 2 answered is enough (0.5)


def test_reverse_on_another_scale(small_rubric_text):
    # A 0-4 scale: a reversed 3 scores 0 + 4 - 3 = 1.
    text = small_rubric_text
    for old, new in [("value = 1\n", "value = 0\n"), ("value = 2\n", "value = 1\n"), ("value = 3\n", "value = 2\n"),
                     ("value = 4\n", "value = 3\n"), ("value = 5\n", "value = 4\n"),
                     ("min = 1.0", "min = 0.0"), ("min = 3.0", "min = 2.0"), ("min = 4.0", "min = 3.0")]:
        text = replace_once(text, old, new)
    rubric = load_rubric(text)
    result = score(rubric, {"trust-1": 3, "trust-2": 3, "purpose-1": 0, "purpose-2": 0})
    assert result.statements["trust-2"] == 1.0
    assert result.principle("trust").score == 2.0  # (3 + 1) / 2
    assert result.principle("trust").band.id == "borderline"  # min 2.0 on this scale
    assert result.principle("shared-purpose").score == 0.0
    assert result.principle("shared-purpose").band.id == "concern"
    with pytest.raises(AnswerError):
        score(rubric, {"trust-1": 5})


def test_dont_know_lowers_coverage_not_the_score(small_rubric):
    all_answered = score(small_rubric, {"purpose-1": 5, "purpose-2": 5, "purpose-3": 5})
    one_unknown = score(small_rubric, {"purpose-1": 5, "purpose-2": 5, "purpose-3": None})
    left_out = score(small_rubric, {"purpose-1": 5, "purpose-2": 5})
    for result in (all_answered, one_unknown, left_out):
        assert result.principle("shared-purpose").score == 5.0  # never counted as a zero
    assert all_answered.principle("shared-purpose").coverage == 1.0
    assert one_unknown.principle("shared-purpose").coverage == pytest.approx(2 / 3)
    assert left_out.principle("shared-purpose").coverage == pytest.approx(2 / 3)
    assert one_unknown.answered == 2


def test_too_few_answers_is_not_enough_not_weak(small_rubric):
    # purpose: 1 of 3 answered (0.33 < 0.5): not scored, even though the one answer is 1.
    # trust: 1 of 2 answered (0.5 >= 0.5): scored.
    result = score(small_rubric, {"purpose-1": 1, "purpose-2": None, "trust-1": 5})
    purpose = result.principle("shared-purpose")
    assert purpose.score is None and purpose.band is None and not purpose.scored
    assert (purpose.answered, purpose.total) == (1, 3)
    assert result.principle("trust").score == 5.0
    joining = next(e for e in result.elements if e.id == "joining-forces")
    assert (joining.score, joining.principles, joining.band) == (None, 0, None)
    assert result.overall == 5.0  # only the scored principle counts


def test_min_answered_from_the_rubric(small_rubric_text):
    rubric = load_rubric(replace_once(small_rubric_text, "min_answered = 0.5", "min_answered = 1.0"))
    result = score(rubric, {"trust-1": 4, "trust-2": 2, "purpose-1": 5, "purpose-2": 5})
    assert result.principle("trust").score == 4.0  # 2 of 2
    assert result.principle("shared-purpose").score is None  # 2 of 3 < 1.0


def test_no_answers_at_all(small_rubric):
    result = score(small_rubric, {})
    assert all(p.score is None and p.answered == 0 for p in result.principles)
    assert all(e.score is None for e in result.elements)
    assert result.overall is None
    assert result.answered == 0


def test_element_is_the_mean_of_its_principles_and_overall_of_all_principles(three_rubric):
    # trust (2, 4->2) 2.0; fairness (5, 2->4) 4.5; purpose (4, 4, 5) 13/3 = 4.333...
    result = score(three_rubric, {"trust-1": 2, "trust-2": 4, "fair-1": 5, "fair-2": 2,
                                  "purpose-1": 4, "purpose-2": 4, "purpose-3": 5})
    assert result.principle("fairness").score == 4.5
    assert result.principle("shared-purpose").score == pytest.approx(13 / 3)
    relationships, joining = result.elements
    assert relationships.score == 3.25  # (2.0 + 4.5) / 2
    assert relationships.principles == 2
    assert relationships.band.id == "borderline"
    assert joining.score == pytest.approx(13 / 3)
    # Overall is the mean of the three principles, not of the two elements ((3.25 + 4.33) / 2 = 3.79).
    assert result.overall == pytest.approx((2.0 + 4.5 + 13 / 3) / 3)  # 3.6111
    assert round(result.overall, 4) == 3.6111


def test_element_leaves_out_its_unscored_principles(three_rubric):
    result = score(three_rubric, {"trust-1": 2, "trust-2": 4, "fair-1": 5})  # fairness 1 of 2: scored, 5.0
    assert result.elements[0].score == 3.5  # (2.0 + 5.0) / 2
    result = score(three_rubric, {"trust-1": 2, "trust-2": 4})
    assert result.elements[0].score == 2.0
    assert result.elements[0].principles == 1


@pytest.mark.parametrize(
    ("value", "band"),
    [(5.0, "strength"), (4.0, "strength"), (3.95, "strength"), (3.949, "borderline"), (3.94, "borderline"),
     (3.0, "borderline"), (2.95, "borderline"), (2.94, "concern"), (1.0, "concern"), (0.5, "concern")],
)
def test_band_on_the_score_rounded_to_one_decimal(small_rubric, value, band):
    assert small_rubric.band_for(value).id == band
    assert small_rubric.band_for(np.float64(value)).id == band


def test_band_of_a_numpy_score_matches_what_is_shown(small_rubric_text):
    # Shown as f"{3.85:.1f}" = "3.9". numpy rounds 3.85 half-to-even to 3.8, Python's round to 3.9.
    rubric = load_rubric(replace_once(small_rubric_text, "min = 4.0", "min = 3.9"))
    assert f"{np.float64(3.85):.1f}" == "3.9"
    assert rubric.band_for(3.85).id == "strength"
    assert rubric.band_for(np.float64(3.85)).id == "strength"


def _many_statements_text(small_rubric_text: str, count: int) -> str:
    extra = "".join(f'\n  [[principles.statements]]\n  id = "trust-x{i}"\n  text = "Extra {i}."\n'
                    for i in range(count - 2))
    return replace_once(small_rubric_text, "  reverse = true\n", "  reverse = true\n" + extra)


def test_a_mean_of_3_95_is_a_strength(small_rubric_text):
    rubric = load_rubric(_many_statements_text(small_rubric_text, 20))
    ids = [s.id for s in rubric.principle("trust").statements]
    assert len(ids) == 20
    answers = {sid: 4 for sid in ids}
    answers["trust-2"] = 3  # reversed: 3 -> 3
    result = score(rubric, answers)
    trust = result.principle("trust")
    assert trust.score == pytest.approx(3.95)  # (19 * 4 + 3) / 20
    assert trust.band.id == "strength"
    answers["trust-1"] = 3
    trust = score(rubric, answers).principle("trust")
    assert trust.score == pytest.approx(3.9)  # (18 * 4 + 2 * 3) / 20
    assert trust.band.id == "borderline"


# --- bad answers -------------------------------------------------------------------------------


def test_unknown_statement_ids_are_named(small_rubric):
    with pytest.raises(AnswerError, match=r"not in the rubric 'small-example': trust-9, zzz"):
        score(small_rubric, {"trust-1": 3, "zzz": 2, "trust-9": 1})


def test_many_unknown_statement_ids_are_cut_short(small_rubric):
    with pytest.raises(AnswerError) as info:
        check_answers(small_rubric, {f"x-{i:02d}": 1 for i in range(12)})
    assert "x-09" in str(info.value) and "x-10" not in str(info.value)
    assert str(info.value).endswith("…")


def test_unknown_ids_of_mixed_types_are_an_answer_error(small_rubric):
    with pytest.raises(AnswerError, match="1, x"):
        score(small_rubric, {1: 2, "x": 3})


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "4", True, False, [4], {}, float("nan"), float("inf")])
def test_values_off_the_scale(small_rubric, value):
    with pytest.raises(AnswerError) as info:
        score(small_rubric, {"trust-1": value})
    message = str(info.value)
    assert "statement 'trust-1'" in message
    assert "the scale allows 1, 2, 3, 4, 5 or don't know" in message


def test_numpy_integers_are_answers(small_rubric):
    assert score(small_rubric, {"trust-1": np.int64(4), "trust-2": np.int64(2)}).principle("trust").score == 4.0


def test_check_answers_keeps_dont_know(small_rubric):
    assert check_answers(small_rubric, {"trust-1": None, "trust-2": 5}) == {"trust-1": None, "trust-2": 5}


# --- many respondents at once --------------------------------------------------------------------

RESPONDENTS = [
    {"trust-1": 2, "trust-2": 4, "purpose-1": 5, "purpose-2": 4, "purpose-3": None},  # 2.0, 4.5
    {"trust-1": 4, "trust-2": 3, "purpose-1": 1, "purpose-2": 2, "purpose-3": 3},  # 3.5, 2.0
    {"trust-1": 5, "purpose-1": 1},  # 5.0 (1 of 2), not enough (1 of 3)
]


def test_score_frame_by_hand(small_rubric):
    frame = answers_frame(small_rubric, RESPONDENTS)
    assert list(frame.columns) == ["trust-1", "trust-2", "purpose-1", "purpose-2", "purpose-3"]
    assert frame.shape == (3, 5)
    assert math.isnan(frame.at[0, "purpose-3"]) and math.isnan(frame.at[2, "trust-2"])
    flipped = statement_scores(small_rubric, frame)
    assert flipped["trust-2"].tolist()[:2] == [2.0, 3.0]
    means, answered = score_frame(small_rubric, frame)
    assert means["trust"].tolist() == [2.0, 3.5, 5.0]
    assert means["shared-purpose"].tolist()[:2] == [4.5, 2.0]
    assert math.isnan(means.at[2, "shared-purpose"])
    assert answered.to_dict("list") == {"trust": [2, 2, 1], "shared-purpose": [2, 3, 1]}


def test_score_frame_equals_scoring_each_alone(small_rubric, three_rubric):
    with_fairness = [{**r, "fair-1": i + 2, "fair-2": 5 - i} for i, r in enumerate(RESPONDENTS)]
    for rubric, respondents in [(small_rubric, RESPONDENTS), (three_rubric, with_fairness)]:
        means, answered = score_frame(rubric, answers_frame(rubric, respondents))
        for row, answers in enumerate(respondents):
            alone = score(rubric, answers)
            for p in alone.principles:
                expected = np.nan if p.score is None else p.score
                np.testing.assert_equal(means.at[row, p.id], expected)
                assert answered.at[row, p.id] == p.answered


def test_score_frame_keeps_the_index(small_rubric):
    frame = answers_frame(small_rubric, RESPONDENTS)
    frame.index = pd.Index(["ann", "bob", "cy"])
    means, answered = score_frame(small_rubric, frame)
    assert list(means.index) == ["ann", "bob", "cy"]
    assert means.at["bob", "trust"] == 3.5


def test_answers_frame_checks_every_respondent(small_rubric):
    with pytest.raises(AnswerError, match="statement 'purpose-2' has the answer 7"):
        answers_frame(small_rubric, [RESPONDENTS[0], {"purpose-2": 7}])


def test_answers_frame_with_everyone_saying_dont_know(small_rubric):
    frame = answers_frame(small_rubric, [{"trust-1": None}, {"trust-1": None}])
    means, answered = score_frame(small_rubric, frame)
    assert means.isna().all().all()
    assert (answered == 0).all().all()
