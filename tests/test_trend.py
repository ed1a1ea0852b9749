"""A partnership's trend stays readable when it has many assessments: summarised by period."""

from datetime import UTC, datetime, timedelta

import pandas as pd

from joiningforces import history


def frame(days: list[int], scores: list[float]) -> pd.DataFrame:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return pd.DataFrame([{"date": start + timedelta(days=d), "principle": "Trust", "principle_id": "trust",
                          "score": s, "band": "x"} for d, s in zip(days, scores)])


def test_a_few_assessments_are_drawn_as_they_are():
    few = frame([0, 40, 80], [2.0, 3.0, 4.0])
    out, period = history.summarised(few)
    assert period is None and out is few


def test_many_assessments_become_medians_per_period_with_their_range():
    # 100 assessments, one every 3 days: about 10 months, so each month is one point
    scores = [1.0 + (k % 5) for k in range(100)]
    out, period = history.summarised(frame([3 * k for k in range(100)], scores))
    assert period == "month"
    assert len(out) == out["date"].nunique() <= history.TREND_POINTS
    assert out["assessments"].sum() == 100
    january = out.iloc[0]
    first = scores[:11]  # days 0..30
    assert january["assessments"] == 11
    assert january["score"] == pd.Series(first).median()
    assert (january["low"], january["high"]) == (min(first), max(first))
    assert history.period_label(january["date"], period) == "Jan 2024"


def test_years_of_assessments_fall_back_to_quarters_then_years():
    out, period = history.summarised(frame([15 * k for k in range(100)], [3.0] * 100))  # about 4 years
    assert period == "quarter" and len(out) <= history.TREND_POINTS
    assert history.period_label(out.iloc[1]["date"], period) == "Q2 2024"
    out, period = history.summarised(frame([40 * k for k in range(100)], [3.0] * 100))  # about 11 years
    assert period == "year" and len(out) <= history.TREND_POINTS


def test_the_summarised_trend_draws_the_range_behind_the_medians():
    out, _ = history.summarised(frame([3 * k for k in range(100)], [3.0] * 100))
    spec = history.trend_chart(out).to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in spec["spec"]["layer"]]
    assert marks == ["rule", "area", "line"]
    # the area and line take the facet's rows (one principle per small chart), not all the data
    assert [("data" in layer) for layer in spec["spec"]["layer"]] == [True, False, False]


def test_each_small_chart_draws_its_own_principle_only():
    two = pd.concat([frame([0, 40], [1.0, 2.0]),
                     frame([0, 40], [5.0, 4.0]).assign(principle="Purpose", principle_id="purpose")])
    spec = history.trend_chart(two).to_dict()
    assert spec["facet"]["field"] == "principle"
    line = spec["spec"]["layer"][-1]
    assert "data" not in line and line["mark"]["type"] == "line"
