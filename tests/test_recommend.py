"""Recommendations, with expected values worked out by hand.

Small rubric practices: appreciative-inquiry ("Appreciative inquiry") helps trust and
shared-purpose; plans-early ("Share plans early") helps trust; purpose-workshop ("Blank-sheet
purpose session") helps shared-purpose. The three-principle rubric adds fairness and
open-books ("Open books", helps fairness and trust). Top band min = 4.0.
"""

from __future__ import annotations

import pytest
from tests.helpers import FAIRNESS, replace_once

from joiningforces.loader import load_rubric
from joiningforces.recommend import strengths, suggest, weak_principles, weak_spots
from joiningforces.scoring import score


def ids(items):
    return [item.id for item in items]


def ranking(suggestions):
    return [(s.practice.id, s.weight, ids(s.helps)) for s in suggestions]


def test_one_concern(small_rubric):
    # trust: 2, 4 -> 2: 2.0 concern. purpose: 5, 4: 4.5 strength.
    result = score(small_rubric, {"trust-1": 2, "trust-2": 4, "purpose-1": 5, "purpose-2": 4})
    assert ids(weak_principles(result)) == ["trust"]
    assert ids(strengths(result)) == ["shared-purpose"]
    # Both help trust only, each weighs 4.0 - 2.0 = 2.0; a tie goes by name.
    suggestions = suggest(result)
    assert ranking(suggestions) == [("appreciative-inquiry", 2.0, ["trust"]), ("plans-early", 2.0, ["trust"])]
    assert suggestions[0].reason == "Suggested because it helps Trust and no surprises (2.0, concern)."
    [spot] = weak_spots(result)
    assert spot.principle.id == "trust"
    assert [(s.id, answer) for s, answer in spot.pulled_down] == [("trust-1", 2), ("trust-2", 4)]
    assert [s.practice.id for s in spot.practices] == ["appreciative-inquiry", "plans-early"]


def test_concern_and_borderline(small_rubric):
    # trust: 4, 3 -> 3: 3.5 borderline. purpose: 3, 1, 2: 2.0 concern.
    result = score(small_rubric, {"trust-1": 4, "trust-2": 3, "purpose-1": 3, "purpose-2": 1, "purpose-3": 2})
    assert ids(weak_principles(result)) == ["shared-purpose", "trust"]  # concern first
    assert strengths(result) == []
    # appreciative-inquiry: (4 - 2.0) + (4 - 3.5) = 2.5; purpose-workshop: 2.0; plans-early: 0.5.
    suggestions = suggest(result)
    assert ranking(suggestions) == [
        ("appreciative-inquiry", 2.5, ["shared-purpose", "trust"]),
        ("purpose-workshop", 2.0, ["shared-purpose"]),
        ("plans-early", 0.5, ["trust"]),
    ]
    assert suggestions[0].reason == ("Suggested because it helps Shared purpose (2.0, concern) "
                                     "and Trust and no surprises (3.5, borderline).")
    purpose, trust = weak_spots(result)
    assert purpose.principle.id == "shared-purpose"
    # Worst first: purpose-2 (1), purpose-3 (2), purpose-1 (3).
    assert [(s.id, answer) for s, answer in purpose.pulled_down] == [("purpose-2", 1), ("purpose-3", 2),
                                                                    ("purpose-1", 3)]
    assert [s.practice.id for s in purpose.practices] == ["appreciative-inquiry", "purpose-workshop"]
    # trust-1 = 4 is at the top band's min, so it did not pull trust down; trust-2 (3) did.
    assert [(s.id, answer) for s, answer in trust.pulled_down] == [("trust-2", 3)]
    assert [s.practice.id for s in trust.practices] == ["appreciative-inquiry", "plans-early"]


def test_reverse_statement_pulls_down_with_the_answer_given(small_rubric):
    # trust-1 = 3; trust-2 = 5 reversed to 1 -> worst, shown with the answer given (5).
    result = score(small_rubric, {"trust-1": 3, "trust-2": 5})
    [spot] = weak_spots(result)
    assert spot.principle.score == 2.0
    assert [(s.id, answer) for s, answer in spot.pulled_down] == [("trust-2", 5), ("trust-1", 3)]


def test_unanswered_statements_are_not_weak_spots(small_rubric):
    result = score(small_rubric, {"purpose-1": 2, "purpose-2": 1, "purpose-3": None})  # 1.5 concern
    [spot] = weak_spots(result)
    assert [(s.id, answer) for s, answer in spot.pulled_down] == [("purpose-2", 1), ("purpose-1", 2)]


def test_lowest_first_within_a_band(three_rubric):
    # trust: 1, 5 -> 1: 1.0 concern. fairness: 2, 3 -> 3: 2.5 concern. purpose: 3, 3, 3: 3.0 borderline.
    result = score(three_rubric, {"trust-1": 1, "trust-2": 5, "fair-1": 2, "fair-2": 3,
                                  "purpose-1": 3, "purpose-2": 3, "purpose-3": 3})
    assert ids(weak_principles(result)) == ["trust", "fairness", "shared-purpose"]
    # Shortfalls: trust 3.0, fairness 1.5, purpose 1.0.
    suggestions = suggest(result)
    assert ranking(suggestions) == [
        ("open-books", 4.5, ["trust", "fairness"]),
        ("appreciative-inquiry", 4.0, ["trust", "shared-purpose"]),
        ("plans-early", 3.0, ["trust"]),
        ("purpose-workshop", 1.0, ["shared-purpose"]),
    ]
    assert suggestions[0].reason == ("Suggested because it helps Trust and no surprises (1.0, concern) "
                                     "and Fair shares (2.5, concern).")
    spots = weak_spots(result, practices_each=1)
    assert [(s.principle.id, [x.practice.id for x in s.practices]) for s in spots] == [
        ("trust", ["open-books"]), ("fairness", ["open-books"]), ("shared-purpose", ["appreciative-inquiry"])]


def test_equal_weight_goes_to_the_practice_helping_more(three_rubric):
    # trust: 4, 3 -> 3: 3.5. fairness: 4, 3 -> 3: 3.5. purpose: 3, 3, 3: 3.0. All borderline.
    result = score(three_rubric, {"trust-1": 4, "trust-2": 3, "fair-1": 4, "fair-2": 3,
                                  "purpose-1": 3, "purpose-2": 3, "purpose-3": 3})
    assert ids(weak_principles(result)) == ["shared-purpose", "fairness", "trust"]  # 3.0, then 3.5 by title
    # open-books (0.5 + 0.5) ties purpose-workshop (1.0); helping two wins over the name.
    assert ranking(suggest(result)) == [
        ("appreciative-inquiry", 1.5, ["shared-purpose", "trust"]),
        ("open-books", 1.0, ["fairness", "trust"]),
        ("purpose-workshop", 1.0, ["shared-purpose"]),
        ("plans-early", 0.5, ["trust"]),
    ]


def test_reason_names_three_principles(small_rubric_text):
    text = small_rubric_text + replace_once(FAIRNESS, 'helps = ["fairness", "trust"]',
                                            'helps = ["fairness", "trust", "shared-purpose"]')
    rubric = load_rubric(text)
    result = score(rubric, {"trust-1": 1, "trust-2": 5, "fair-1": 2, "fair-2": 3,
                            "purpose-1": 3, "purpose-2": 3, "purpose-3": 3})
    top = suggest(result)[0]
    assert (top.practice.id, top.weight) == ("open-books", 5.5)  # 3.0 + 1.5 + 1.0
    assert top.reason == ("Suggested because it helps Trust and no surprises (1.0, concern), "
                          "Fair shares (2.5, concern) and Shared purpose (3.0, borderline).")


def test_all_strong_gives_no_suggestions(small_rubric):
    # trust: 5, 1 -> 5: 5.0. purpose: 4, 4, 5: 4.33. Both strengths.
    result = score(small_rubric, {"trust-1": 5, "trust-2": 1, "purpose-1": 4, "purpose-2": 4, "purpose-3": 5})
    assert weak_principles(result) == []
    assert suggest(result) == []
    assert weak_spots(result) == []
    assert ids(strengths(result)) == ["trust", "shared-purpose"]  # strongest first


def test_not_enough_answers_is_neither_weak_nor_strong(small_rubric):
    # purpose: only 1 of 3 answered (a 1): not scored, so no advice for it.
    result = score(small_rubric, {"purpose-1": 1, "trust-1": 5, "trust-2": 1})
    assert weak_principles(result) == []
    assert suggest(result) == []
    assert ids(strengths(result)) == ["trust"]


def test_only_bands_with_act_call_for_practices(small_rubric_text):
    # Borderline made a no-action band: only the concern gets suggestions.
    text = replace_once(small_rubric_text, 'meaning = "Worth a conversation."',
                        'meaning = "Worth a conversation."\nact = false')
    rubric = load_rubric(text)
    result = score(rubric, {"trust-1": 4, "trust-2": 3, "purpose-1": 3, "purpose-2": 1, "purpose-3": 2})
    assert ids(weak_principles(result)) == ["shared-purpose"]
    assert ids(strengths(result)) == ["trust"]
    assert ranking(suggest(result)) == [("appreciative-inquiry", 2.0, ["shared-purpose"]),
                                        ("purpose-workshop", 2.0, ["shared-purpose"])]


@pytest.mark.parametrize("answer", [1, 2, 3, 4, 5])
def test_everyone_answering_the_same(small_rubric, answer):
    # Reversal makes trust (answer + (6 - answer)) / 2 = 3.0 whatever the answer: borderline.
    result = score(small_rubric, {s.id: answer for s in small_rubric.statements})
    assert result.principle("trust").score == 3.0
    assert "trust" in ids(weak_principles(result))
    assert ("shared-purpose" in ids(weak_principles(result))) == (answer < 4)
