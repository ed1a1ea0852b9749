"""Saved assessments over time: score each against its own rubric snapshot, compare two, trace a trend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import altair as alt
import pandas as pd

from .models import Principle, Rubric
from .scoring import Result, one_decimal, score
from .records import Assessment


@dataclass(frozen=True)
class Scored:
    assessment: Assessment
    result: Result

    @property
    def label(self) -> str:
        a = self.assessment
        who = f" — {a.respondent}" if a.respondent else ""
        return f"{a.partnership}{who}, {a.created:%d %b %Y} ({self.result.rubric.title})"


class RubricSource(Protocol):
    """Where stored rubric snapshots come from (a `storage.Store`)."""

    def rubric(self, hash: str) -> Rubric: ...


def scored(store: RubricSource, assessment: Assessment) -> Scored:
    """Score an assessment with the rubric it was answered against, not today's file."""
    return Scored(assessment, score(store.rubric(assessment.rubric_hash), assessment.answers))


def comparison(before: Result, after: Result) -> pd.DataFrame:
    """What moved between two results, by principle id (principles in either rubric, `after`'s order first).

    A rubric keeps a principle's id only while its meaning is unchanged (docs/rubric-design.md), so
    scores are matched by id across rubric versions; "Rubric" says where the two differ for a row."""
    rows = []
    titles = {p.id: p.title for p in before.principles} | {p.id: p.title for p in after.principles}
    order = [p.id for p in after.principles] + [p.id for p in before.principles
                                               if p.id not in {q.id for q in after.principles}]
    old = {p.id: p.score for p in before.principles}
    new = {p.id: p.score for p in after.principles}
    notes = _principle_notes(before.rubric, after.rubric)
    for pid in order:
        a, b = old.get(pid), new.get(pid)
        change = None if a is None or b is None else b - a
        rows.append({"Principle": titles[pid], "Before": a, "After": b, "Change": change, "Rubric": notes.get(pid, "")})
    frame = pd.DataFrame(rows, columns=["Principle", "Before", "After", "Change", "Rubric"])
    return frame


def _version(rubric: Rubric) -> str:
    return f"'{rubric.title}' version {rubric.version}"


def _asked(principle: Principle) -> list[tuple[str, str, bool]]:
    return [(s.id, " ".join(s.text.split()), s.reverse) for s in principle.statements]


def _principle_notes(before: Rubric, after: Rubric) -> dict[str, str]:
    """Principle id -> how the rubric changed for it between `before` and `after` ("" where it did not)."""
    if before == after:
        return {}
    old, new = {p.id: p for p in before.principles}, {p.id: p for p in after.principles}
    notes = {pid: "not in the later rubric" for pid in old if pid not in new}
    notes |= {pid: "new in the later rubric" for pid in new if pid not in old}
    for pid in old.keys() & new.keys():
        changed = []
        if _asked(old[pid]) != _asked(new[pid]):
            changed.append("other statements")
        if old[pid].element != new[pid].element:
            changed.append("another element")
        if changed:
            notes[pid] = " and ".join(changed)
    return notes


def rubric_changes(before: Rubric, after: Rubric) -> list[str]:
    """Plain sentences on how the rubric changed between two assessments; none when it is the same."""
    if before == after:
        return []
    old, new = {p.id: p for p in before.principles}, {p.id: p for p in after.principles}
    both = [pid for pid in new if pid in old]
    lines = [f"The rubric changed between these two: {_version(before)}, then {_version(after)}. "
             f"Scores are compared for the {len(both)} principle{'s' if len(both) != 1 else ''} both have."]
    gone = [old[pid].title for pid in old if pid not in new]
    added = [new[pid].title for pid in new if pid not in old]
    reworded = [new[pid].title for pid in both if _asked(old[pid]) != _asked(new[pid])]
    moved = [f"{new[pid].title} (from {_element_title(before, old[pid].element)} to "
             f"{_element_title(after, new[pid].element)})" for pid in both if old[pid].element != new[pid].element]
    if reworded:
        lines.append("Asked with other statements in the later rubric, so a change may come from the questions "
                     "as well as the partnership: " + "; ".join(reworded) + ".")
    if moved:
        lines.append("Under another beachball element in the later rubric: " + "; ".join(moved) + ".")
    if added:
        lines.append("New in the later rubric, with no earlier score: " + "; ".join(added) + ".")
    if gone:
        lines.append("Not asked in the later rubric, with no later score: " + "; ".join(gone) + ".")
    return lines


def _element_title(rubric: Rubric, element_id: str) -> str:
    return next((e.title for e in rubric.elements if e.id == element_id), element_id)


def comparison_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparison as display text: scores to one decimal, changes signed, "—" where missing."""
    def fmt(value, signed=False):
        if value is None or pd.isna(value):
            return "—"
        return f"{value:+.1f}" if signed else one_decimal(value)

    shown = pd.DataFrame({
        "Principle": frame["Principle"],
        "Before": [fmt(v) for v in frame["Before"]],
        "After": [fmt(v) for v in frame["After"]],
        "Change": [fmt(v, signed=True) for v in frame["Change"]],
    })
    if "Rubric" in frame and frame["Rubric"].astype(bool).any():  # only when the two rubrics differ
        shown["Rubric changed"] = frame["Rubric"].tolist()
    return shown.set_index("Principle")


def trend_frame(history: Sequence[Scored]) -> pd.DataFrame:
    """One row per (assessment date, principle) with a score, oldest first, for the trend chart.

    Principles are followed by id across rubric versions, under their latest title; "rubric" names
    the version each score was answered on."""
    ordered = sorted(history, key=lambda s: s.assessment.created)
    latest = {p.id: p.title for item in ordered for p in item.result.principles}  # later titles win
    rows = [
        {"date": item.assessment.created, "principle": latest[p.id], "principle_id": p.id,
         "score": round(p.score, 2), "band": p.band.label,
         "rubric": f"{item.result.rubric.title} {item.result.rubric.version}"}
        for item in ordered
        for p in item.result.principles if p.score is not None
    ]
    return pd.DataFrame(rows, columns=["date", "principle", "principle_id", "score", "band", "rubric"])


def trend_changes(history: Sequence[Scored]) -> list[str]:
    """Where the rubric changed along a trend: one sentence per change, oldest first."""
    ordered = sorted(history, key=lambda s: s.assessment.created)
    lines = []
    for previous, item in zip(ordered, ordered[1:]):
        before, after = previous.result.rubric, item.result.rubric
        if before == after:
            continue
        notes = _principle_notes(before, after)
        counts = {kind: sum(1 for note in notes.values() if kind in note)
                  for kind in ("new", "not in", "other statements", "another element")}
        parts = [f"{n} {label}" for n, label in (
            (counts["new"], "new"), (counts["not in"], "no longer asked"),
            (counts["other statements"], "asked with other statements"),
            (counts["another element"], "under another element")) if n]
        lines.append(f"From {item.assessment.created:%d %b %Y} the answers are on {_version(after)} "
                     f"(before: {_version(before)})" + (f"; principles: {', '.join(parts)}." if parts else "."))
    return lines


def trend_chart(frame: pd.DataFrame, *, low: float = 1, high: float = 5, target: float = 4.0) -> alt.FacetChart:
    """Small multiples: each principle's score over time, on the same scale, with the strength line."""
    # No data of their own: the layers take the facet's rows, one principle per small chart.
    base = alt.Chart().encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=-30, tickCount=4)),
        y=alt.Y("score:Q", title=None, scale=alt.Scale(domain=[low, high])),
    )
    line = base.mark_line(point=True, color="#0072B2").encode(
        tooltip=[alt.Tooltip("principle:N"), alt.Tooltip("date:T", format="%d %b %Y"),
                 alt.Tooltip("score:Q", format=".1f"), alt.Tooltip("band:N")],
        description=alt.Description("description:N"),
    ).transform_calculate(
        description="datum.principle + ', ' + timeFormat(datum.date, '%d %b %Y') + ': ' + format(datum.score, '.1f')"
    )
    rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[4, 3], color="#009E73").encode(
        y="target:Q")
    layers = [rule, line]
    if "low" in frame.columns:  # a summarised trend: the range of each period's scores behind its median
        layers.insert(1, base.mark_area(opacity=0.18, color="#0072B2").encode(
            y=alt.Y("low:Q", scale=alt.Scale(domain=[low, high]), stack=None), y2="high:Q"))
    return alt.layer(*layers, data=frame).properties(width=150, height=90).facet(
        facet=alt.Facet("principle:N", title=None, header=alt.Header(labelLimit=170, labelFontSize=11)),
        columns=3,
    ).properties(description="Each principle's score over time, one small chart per principle.")


def latest_first(items: Sequence[Scored]) -> list[Scored]:
    return sorted(items, key=lambda s: s.assessment.created or datetime.min, reverse=True)


TREND_POINTS = 24  # most points per principle a trend draws; more assessments are summarised by period
_PERIODS = (("M", "%b %Y"), ("Q", "Q%q %Y"), ("Y", "%Y"))


def summarised(frame: pd.DataFrame, at_most: int = TREND_POINTS) -> tuple[pd.DataFrame, str | None]:
    """A trend frame with at most `at_most` dates per principle: as it is when it has few enough,
    else each principle's median per month, quarter or year (the first that fits), with the
    lowest and highest score and how many assessments each point stands for. Returns the frame
    and the period's name ("month", "quarter", "year"), or None when nothing was summarised."""
    if frame.empty or frame["date"].nunique() <= at_most:
        return frame, None
    dates = pd.to_datetime(frame["date"], utc=True).dt.tz_localize(None)
    for (code, _), name in zip(_PERIODS, ("month", "quarter", "year")):
        period = dates.dt.to_period(code)
        if period.nunique() <= at_most or code == "Y":
            break
    grouped = frame.assign(period=period).groupby(["period", "principle_id", "principle"], sort=True)["score"]
    out = grouped.agg(score="median", low="min", high="max", assessments="count").reset_index()
    out["date"] = out["period"].dt.start_time.dt.tz_localize("UTC")
    out["score"] = out["score"].round(2)
    out["band"] = [f"median of {n}, range {lo:.1f}–{hi:.1f}" for n, lo, hi in
                   zip(out["assessments"], out["low"], out["high"])]
    return out.drop(columns="period")[["date", "principle", "principle_id", "score", "band", "low", "high",
                                       "assessments"]], name


def period_label(when: datetime, period: str | None) -> str:
    """A trend point's date as a person reads it: the day, or the month, quarter or year it summarises."""
    if period == "month":
        return f"{when:%b %Y}"
    if period == "quarter":
        return f"Q{(when.month - 1) // 3 + 1} {when:%Y}"
    if period == "year":
        return f"{when:%Y}"
    return f"{when:%d %b %Y}"
