"""What a board review shows, in the same words, tables and charts on the review pages, the
presentation screen and the board pack: status and closing day, statistics in words, the rows of
each table, the group and role-group radars and the pooled-answers bars.

Everything here reads an `aggregate.ReviewAggregate` (or a stored review's dates and actions),
in which every group smaller than the review's minimum size is already `Suppressed`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from . import charts
from .aggregate import GroupSummary, PrincipleStats, ReviewAggregate, Suppressed, count_text
from .models import Rubric
from .scoring import Result, one_decimal

if TYPE_CHECKING:
    from .records import Action, ReviewInfo

GROUP_SERIES = "Group median"
NO_ROLE = "No role asked"


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


def closing_day(closes_at: datetime | None) -> date | None:
    """The last day a review is open (UTC), or None when it has no closing time. A closing date
    closes the review at the midnight that ends the day (see `_ends_a_day`)."""
    if closes_at is None:
        return None
    closes = closes_at.astimezone(UTC)
    return (closes - timedelta(days=1)).date() if _ends_a_day(closes) else closes.date()


def _ends_a_day(closes: datetime) -> bool:
    """A closing time at midnight UTC was set as a closing date: open to the end of the day before."""
    return closes.astimezone(UTC).time() == time(0, 0)




def day(when: datetime) -> str:
    return f"{when.day} {when.strftime('%B %Y')}"


def review_status(info: ReviewInfo) -> str:
    """"Open until the end of 31 March 2026 (UTC)", "Open until closed by the facilitator" or
    "Closed on 2 April 2026 at 09:30 UTC"."""
    if info.closed_at is not None:
        closed = info.closed_at.astimezone(UTC)
        return f"Closed on {day(closed)} at {closed:%H:%M} UTC"
    if info.closes_at is None:
        return "Open until the facilitator closes it"
    closes = info.closes_at.astimezone(UTC)
    if _ends_a_day(closes):
        return f"Open until the end of {day(closing_day(closes))} (UTC)"
    return f"Open until {day(closes)} at {closes:%H:%M} UTC"


def role_labels(rubric: Rubric) -> dict[str | None, str]:
    """Role id -> label, with None (no role asked) as NO_ROLE."""
    return {r.id: r.label for r in rubric.roles} | {None: NO_ROLE}


def stat_text(stat: PrincipleStats | Suppressed) -> str:
    """"median 3.5 · middle half 2.8–4.1 · range 2.0–5.0 · 7 answers", or "fewer than N answers"."""
    if not stat:
        return str(stat)
    return (f"median {one_decimal(stat.median)} · middle half {one_decimal(stat.q1)}–{one_decimal(stat.q3)} · "
            f"range {one_decimal(stat.low)}–{one_decimal(stat.high)} · {stat.n} answer{'s' if stat.n != 1 else ''}")


def score_label(rubric: Rubric, value: int) -> str:
    """A pooled answer as a score, not an agreement label: after reversal a "Strongly agree" to a
    negative statement counts as 1, so "1 · Strongly disagree" would misname it. "1 (weakest)",
    "2", …, "5 (strongest)"."""
    ends = {rubric.scale.low: " (weakest)", rubric.scale.high: " (strongest)"}
    return f"{value}{ends.get(value, '')}"


def distribution_text(rubric: Rubric, counts: Mapping[int, int]) -> str:
    """Pooled counts per score in words: "score 1 (weakest): 1 · 2: 2 · … · 5 (strongest): 0"."""
    return "score " + " · ".join(f"{score_label(rubric, v)}: {c}" for v, c in counts.items())


def group_radar(agg: ReviewAggregate, *, spread: str = "quartiles", own: Mapping[str, float | None] | None = None,
                own_name: str = "Your answers", size: int = 420, font: int | None = None, key_below: bool = True):
    """The group's radar: the medians, the spread as a band ("quartiles" or "range"), and
    optionally someone's own scores (only ever for that person). Suppressed principles are left
    out of the polygon and the band."""
    group = agg.everyone
    series: dict[str, Mapping[str, float | None]] = {GROUP_SERIES: group.medians()}
    if own is not None:
        series[own_name] = own
    band = group.ranges() if spread == "range" else group.quartiles()
    return charts.radar_chart(agg.rubric, series, spread=band or None, size=size, font=font, key_below=key_below)


def roles_radar(agg: ReviewAggregate, *, size: int = 420, font: int | None = None, key_below: bool = True):
    """The role groups shown (at least the minimum), one polygon each; None if none is shown."""
    shown = [g for g in agg.imbalance.groups if g.shown]
    if not shown:
        return None
    return charts.radar_chart(agg.rubric, {g.label: g.medians() for g in shown}, size=size, font=font,
                              key_below=key_below)


def left_out(agg: ReviewAggregate, groups: Sequence[GroupSummary] | None = None) -> list[str]:
    """What the radars leave out, and why, so that nothing is skipped silently: one line per group
    ("Funder: fewer than 3 answers", "Smaller partners: Trust, Respect (held back: …)"). `groups`
    defaults to the whole review and every role group."""
    lines = []
    for g in (groups if groups is not None else (agg.everyone, *agg.imbalance.groups)):
        if not g.shown:
            lines.append(f"{g.label}: {g.suppressed}")
            continue
        reasons: dict[str, list[str]] = {}
        for p in agg.rubric.principles:
            stat = g.principles[p.id]
            if not stat:
                reasons.setdefault(str(stat), []).append(p.title)
        lines += [f"{g.label}: {', '.join(names)} ({why})" for why, names in reasons.items()]
    return lines


def gap_text(agg: ReviewAggregate, gap) -> str:
    """"gap 1.5: highest Funder (4.5), lowest Smaller partner (3.0)"."""
    return (f"gap {one_decimal(gap.gap)}: highest {gap.highest} ({one_decimal(gap.medians[gap.highest])}), "
            f"lowest {gap.lowest} ({one_decimal(gap.medians[gap.lowest])})")


def hidden_groups(groups: Sequence[GroupSummary]) -> list[GroupSummary]:
    return [g for g in groups if not g.shown]


def action_text(rubric: Rubric, action: Action) -> str:
    """"Trust: Share plans in draft (owner Chair, due 3 May 2026, open)"."""
    principle = next((p.title for p in rubric.principles if p.id == action.principle_id), action.principle_id)
    extra = [f"owner {action.owner}"] if action.owner else []
    if action.due:
        extra.append(f"due {action.due.day} {action.due.strftime('%B %Y')}")
    extra.append(action.status)
    return f"{principle}: {action.text} ({', '.join(extra)})"


# ---------------------------------------------------------------------------------------------
# Table rows (header -> cell text), for st.table and the PDF alike
# ---------------------------------------------------------------------------------------------


def principle_rows(agg: ReviewAggregate, own: Mapping[str, float | None] | None = None) -> list[dict[str, str]]:
    """One row per principle: the group's median, middle half, range, answers and band (or why it is
    hidden), and, for the person looking only, their own score."""
    rubric, rows = agg.rubric, []
    for p in rubric.principles:
        s = agg.everyone.principles[p.id]
        row = {"Principle": p.title}
        if s:
            row |= {"Median": one_decimal(s.median), "Middle half": f"{one_decimal(s.q1)}–{one_decimal(s.q3)}",
                    "Range": f"{one_decimal(s.low)}–{one_decimal(s.high)}", "Answers": str(s.n),
                    "Band": rubric.band_for(s.median).label}
        else:
            row |= {"Median": str(s), "Middle half": "", "Range": "", "Answers": "", "Band": ""}
        if own is not None:
            row["Your own"] = "—" if own.get(p.id) is None else one_decimal(own[p.id])
        rows.append(row)
    return rows


def role_count_rows(roles: Sequence[str], labels: Mapping[str | None, str], joined_by_role: Mapping[str, int],
                    joined: int, agg: ReviewAggregate) -> list[dict[str, str]]:
    """People by role, joined and in the results; below the minimum only as "fewer than N" (a count
    ticking from 0 to 1 would say who answered), then everyone."""
    k = agg.min_size
    rows = [{"Role": labels.get(r, r), "Joined": count_text(joined_by_role.get(r, 0), k),
             "In the results": count_text(agg.by_role.get(r, 0), k)} for r in roles]
    rows.append({"Role": "All", "Joined": str(joined), "In the results": str(agg.respondents)})
    return rows


def difference_rows(agg: ReviewAggregate) -> list[dict[str, str]]:
    """Where views differ, widest middle half first, with the pooled answers per score."""
    rows = []
    for rank, d in enumerate(agg.disagreements, start=1):
        row = {"#": str(rank), "Principle": d.principle.title,
               "Middle half": f"{one_decimal(d.stats.q1)}–{one_decimal(d.stats.q3)}",
               "Range": f"{one_decimal(d.stats.low)}–{one_decimal(d.stats.high)}"}
        row |= {f"{v}": str(c) for v, c in d.counts.items()}
        rows.append(row)
    return rows


def own_and_group_rows(agg: ReviewAggregate, own: Mapping[str, float | None]) -> list[dict[str, str]]:
    """A participant's own score beside the group's median and middle half (for them only)."""
    rows = []
    for p in agg.rubric.principles:
        stat = agg.everyone.principles[p.id]
        rows.append({"Principle": p.title, "You": "—" if own.get(p.id) is None else one_decimal(own[p.id]),
                     "Group median": one_decimal(stat.median) if stat else str(stat),
                     "Middle half of the group": f"{one_decimal(stat.q1)}–{one_decimal(stat.q3)}" if stat else ""})
    return rows


def own_scores(own: Result | None) -> dict[str, float | None] | None:
    return None if own is None else {p.id: p.score for p in own.principles}


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


def pooled_chart(rubric: Rubric, counts: Mapping[int, int], *, font: int = 12, step: int = 28) -> alt.Chart:
    """A principle's answers pooled over its statements, as scores (reversed statements turned
    round, so the bars are named as scores, not agreement labels), one bar per score."""
    rows = [{"score": score_label(rubric, p.value), "count": int(counts.get(p.value, 0))} for p in rubric.scale.points]
    for row in rows:
        row["desc"] = f"score: {row['score']}; answers given: {row['count']}"
    base = alt.Chart(pd.DataFrame(rows)).encode(
        y=alt.Y("score:N", sort=[r["score"] for r in rows], title="Score",
                axis=alt.Axis(labelFontSize=font, labelLimit=400, titleFontSize=font - 2)),
        x=alt.X("count:Q", title="Answers given", axis=alt.Axis(tickMinStep=1, labelFontSize=font - 2,
                                                                  titleFontSize=font - 2)))
    bars = base.mark_bar(color=charts.PALETTE[0]).encode(description="desc:N", tooltip=["score:N", "count:Q"])
    text = base.mark_text(align="left", dx=4, fontSize=font, aria=False).encode(text="count:Q")
    return (bars + text).properties(height=alt.Step(step))
