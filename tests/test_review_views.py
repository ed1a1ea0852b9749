"""The words and table rows a board review shows on its pages and in the board pack."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from joiningforces import review_views as views
from joiningforces.aggregate import Responses, aggregate
from joiningforces.library import default_rubric

QUICK = default_rubric("quick-check")


@dataclass
class Dates:
    closes_at: datetime | None = None
    closed_at: datetime | None = None


@pytest.mark.parametrize("closes_at, last_day, status", [
    (None, None, "Open until the facilitator closes it"),
    # A closing date is stored as the midnight that ends it: open to the end of the day before.
    (datetime(2026, 4, 1, tzinfo=UTC), date(2026, 3, 31), "Open until the end of 31 March 2026 (UTC)"),
    (datetime(2026, 4, 1, 9, 30, tzinfo=UTC), date(2026, 4, 1), "Open until 1 April 2026 at 09:30 UTC"),
    # The same instant written in another time zone is the same rule.
    (datetime(2026, 4, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))), date(2026, 3, 31),
     "Open until the end of 31 March 2026 (UTC)"),
])
def test_closing_day_and_status_follow_one_rule(closes_at, last_day, status):
    assert views.closing_day(closes_at) == last_day
    assert views.review_status(Dates(closes_at)) == status


def test_a_closed_review_says_when():
    closed = Dates(datetime(2026, 4, 1, tzinfo=UTC), closed_at=datetime(2026, 3, 20, 9, 5, tzinfo=UTC))
    assert views.review_status(closed) == "Closed on 20 March 2026 at 09:05 UTC"


def answers_of(value: int) -> dict:
    return {s.id: value for s in QUICK.statements}


def group(values: list[int], min_size: int = 3):
    return aggregate(Responses.from_answers(QUICK, [answers_of(v) for v in values]), min_size=min_size)


def test_principle_rows_hide_a_small_group_and_show_a_big_one():
    few = group([4, 4])
    rows = views.principle_rows(few)
    assert len(rows) == len(QUICK.principles)
    assert all(row["Median"] == "fewer than 3 answers" and row["Answers"] == "" for row in rows)

    enough = group([2, 4, 4, 5])
    first = views.principle_rows(enough, own={QUICK.principles[0].id: 2.0})[0]
    assert first["Principle"] == QUICK.principles[0].title and first["Answers"] == "4"
    assert first["Your own"] == "2.0" and first["Band"]
    assert "Your own" not in views.principle_rows(enough)[0]


def test_role_counts_below_the_minimum_are_not_exact():
    agg = group([3, 3, 3, 3])
    rows = views.role_count_rows(["funder", "partner"], {"funder": "Funder", "partner": "Partner"},
                                 {"funder": 1, "partner": 3}, 4, agg)
    assert rows[0] == {"Role": "Funder", "Joined": "fewer than 3", "In the results": "fewer than 3"}
    assert rows[1]["Joined"] == "3"
    assert rows[-1] == {"Role": "All", "Joined": "4", "In the results": "4"}
