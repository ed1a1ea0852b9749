"""Board reviews: many people's private answers turned into a shared picture, without showing anyone's.

What comes out (`aggregate`) is only ever aggregate, and every group that is too small to stay
anonymous is replaced by a `Suppressed` marker ("fewer than N answers") here, in the core, so no
caller can show it by mistake:

- the whole review: for each principle the median of the respondents' principle scores, the
  quartiles (IQR) and the range (min–max), each respondent's principle score being worked out
  exactly as for one person (`scoring.score_frame`: reverse statements flipped, "don't know" left
  out, a principle scored only when enough of its statements are answered);
- where views differ most: the scored principles ranked by spread, each with the distribution of
  answers (counts per scale value, "don't know" left out) and the rubric's discussion prompt;
- the imbalance lens: the same statistics per role group (roles can be merged into groups), and
  the principles where the groups' medians differ most;
- a `scoring.Result` built from the group medians (`result_from_scores`), so that `recommend`
  suggests practices for the group's weak spots exactly as it does for one person.

Who counts
    A respondent is someone with at least one answer ("don't know" included); people who opened
    the link but answered nothing are left out.

The minimum group size (`min_size`, at least `MIN_GROUP_FLOOR`)
    - a group (the whole review, or a role group) with fewer respondents than `min_size` is
      suppressed entirely: all its principles are `Suppressed`;
    - in a group that is shown, a principle scored for fewer than `min_size` respondents is
      `Suppressed` (several people may have said "don't know" to all of its statements);
    - the distribution of answers to a statement is `Suppressed` when fewer than `min_size`
      people gave it a value (not "don't know"); a principle's pooled distribution adds up only
      the statements that are shown, so the hidden ones cannot be recovered by subtraction.
    Distributions (counts, which add up) are given for the whole review only, never per role
    group: otherwise the counts of a hidden group could be worked out as the whole minus the
    groups shown. Role groups get order statistics (median, quartiles, range), which do not add up.
    Respondent counts (how many answered, by role) are not answers and are always shown.

Quantiles
    `QUANTILE_METHOD` = "linear": Hyndman & Fan type 7, the default of numpy, R and pandas, and
    Excel's QUARTILE.INC. For n sorted values x[0..n-1] the p-quantile is at position h = p·(n−1):
    x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). So the median of an even number of values is the mean
    of the middle two, and the quartiles of 1, 2, 3, 4 are 1.75 and 3.25.

Speed
    Everything is numpy on a respondents × statements matrix: the quantiles are taken from one
    sort per group, the distributions from one `bincount`. 1,000 respondents × 60 statements take
    a few milliseconds; 100,000 well under a second (see the report of issue 5 for measurements).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .disclosure import Candidate, Ledger, release
from .exports import safe_cell
from .models import Principle, Rubric
from .records import MIN_GROUP_FLOOR, check_min_size, role_groups  # the field rules, named here as before
from .recommend import Suggestion, WeakSpot, suggest, weak_spots
from .scoring import Answers, ElementScore, PrincipleScore, Result, statement_matrices, check_answers, score_frame

QUANTILE_METHOD = "linear"
DEFAULT_MIN_SIZE = 3
EVERYONE = "Everyone"
SPLIT_GAP = 1.0  # role groups' medians this far apart: the principle is split, power practices first
POWER_ELEMENT = "power"  # the rubric element whose principles are about sharing power
_TIE = 9  # spreads and gaps are compared rounded to this many decimals, so float noise never breaks a tie


# ---------------------------------------------------------------------------------------------
# What comes out
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppressed:
    """In place of a figure from a group too small to show: "fewer than N answers".

    It is falsy, so `if stats:` skips it; test with `isinstance(x, Suppressed)` to say why.
    """

    min_size: int

    def __bool__(self) -> bool:
        return False

    @property
    def message(self) -> str:
        return f"fewer than {self.min_size} answers"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Withheld(Suppressed):
    """In place of a figure that is large enough but would differ by fewer than N people from
    another figure shown (a group, a merge, an earlier snapshot): complementary suppression
    (`disclosure`)."""

    @property
    def message(self) -> str:
        return f"held back: fewer than {self.min_size} people apart from another figure shown"


def count_text(n: int, min_size: int) -> str:
    """A count of people as it may be shown: below the minimum only as "fewer than N"."""
    return str(n) if n >= min_size else f"fewer than {min_size}"


@dataclass(frozen=True)
class PrincipleStats:
    """A principle's scores across a group: n respondents scored, median, quartiles, range."""

    principle_id: str
    n: int
    median: float
    q1: float
    q3: float
    low: float  # the lowest respondent's score
    high: float  # the highest respondent's score

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def range(self) -> float:
        return self.high - self.low


Stat = PrincipleStats | Suppressed


@dataclass(frozen=True)
class GroupSummary:
    """One group's statistics: the whole review, or one role group.

    `principles` has every principle of the rubric, in rubric order; when the group has fewer
    respondents than `min_size`, every one of them is `Suppressed`.
    """

    label: str
    roles: tuple[str, ...]  # the role ids in the group; () for the whole review
    respondents: int
    min_size: int
    principles: Mapping[str, Stat]

    @property
    def shown(self) -> bool:
        return self.respondents >= self.min_size

    @property
    def suppressed(self) -> Suppressed | None:
        """`Suppressed` when the whole group is hidden, else None."""
        return None if self.shown else Suppressed(self.min_size)

    def medians(self) -> dict[str, float | None]:
        """{principle id: median or None when suppressed}: a series for `charts.radar_chart`."""
        return {pid: (s.median if s else None) for pid, s in self.principles.items()}

    def quartiles(self) -> dict[str, tuple[float, float]]:
        """{principle id: (q1, q3)} for the principles shown: `radar_chart(..., spread=...)`."""
        return {pid: (s.q1, s.q3) for pid, s in self.principles.items() if s}

    def ranges(self) -> dict[str, tuple[float, float]]:
        """{principle id: (min, max)} for the principles shown."""
        return {pid: (s.low, s.high) for pid, s in self.principles.items() if s}


@dataclass(frozen=True)
class StatementDistribution:
    """How a statement was answered across the whole review (raw answers, as people gave them).

    `counts` maps every scale value to how many gave it ("don't know" left out), or is
    `Suppressed` when fewer than the minimum gave a value. `answered` + `dont_know` is how many
    respondents gave the statement any answer.
    """

    statement_id: str
    text: str
    counts: Mapping[int, int] | Suppressed
    answered: int  # gave a value on the scale
    dont_know: int


@dataclass(frozen=True)
class Disagreement:
    """A principle where views differ, with what people answered and the rubric's prompt.

    `counts` pools the shown statements' answers after reversal (so a high value is good, as in
    the scores), keyed by value; `statements` has each statement's own raw distribution.
    """

    principle: Principle
    stats: PrincipleStats
    counts: Mapping[int, int]
    statements: tuple[StatementDistribution, ...]

    @property
    def prompt(self) -> str | None:
        return self.principle.prompt


@dataclass(frozen=True)
class GroupGap:
    """A principle's medians in each role group shown, and the gap between the highest and lowest."""

    principle_id: str
    gap: float
    highest: str  # group label (the first in group order on a tie)
    lowest: str
    medians: Mapping[str, float]  # group label -> median, groups shown only, in group order


@dataclass(frozen=True)
class ImbalanceLens:
    """Role groups side by side. `gaps` lists the principles with a median in at least two shown
    groups, the largest gap first (ties in rubric order)."""

    groups: tuple[GroupSummary, ...]
    gaps: tuple[GroupGap, ...]

    def group(self, label: str) -> GroupSummary:
        return next(g for g in self.groups if g.label == label)


@dataclass(frozen=True)
class ReviewAggregate:
    """Everything a board review shows, all of it aggregate; see the module docstring."""

    rubric: Rubric
    min_size: int
    respondents: int
    by_role: Mapping[str | None, int]  # respondents per role id (every review role, zeros included)
    everyone: GroupSummary
    disagreements: tuple[Disagreement, ...]  # principles shown, most spread first
    imbalance: ImbalanceLens
    result: Result | None = field(repr=False)  # from the medians; None while the review is suppressed

    @property
    def shown(self) -> bool:
        return self.everyone.shown

    @property
    def suppressed(self) -> Suppressed | None:
        return self.everyone.suppressed

    def least_served(self, principle_id: str) -> tuple[str, float] | None:
        """(label, median) of the role group shown that rates the principle lowest, when that is
        below the whole review's median; else None."""
        whole = self.everyone.principles[principle_id]
        shown = [(g.label, g.principles[principle_id].median) for g in self.imbalance.groups
                 if g.principles[principle_id]]
        if not whole or not shown:
            return None
        label, median = min(shown, key=lambda pair: round(pair[1], _TIE))
        return (label, median) if round(median, _TIE) < round(whole.median, _TIE) else None

    def split(self, principle_id: str) -> bool:
        """Whether the role groups shown are at least `SPLIT_GAP` apart on the principle."""
        return any(g.principle_id == principle_id and g.gap >= SPLIT_GAP for g in self.imbalance.gaps)

    def lens_result(self) -> Result | None:
        """The imbalance lens: each principle scored for its least well-served group (the lowest
        median of the whole review and the role groups shown), so a principle that larger partners
        rate 4.5 and smaller partners 1.25 is a weak spot for the partnership. None while suppressed."""
        if self.result is None:
            return None
        scores = {}
        for pid, stat in self.everyone.principles.items():
            low = self.least_served(pid)
            scores[pid] = (low[1] if low else stat.median) if stat else None
        return result_from_scores(self.rubric, scores)

    def suggestions(self) -> list[Suggestion]:
        """Practices for the group's weak spots (by the imbalance lens), best first; [] while suppressed."""
        result = self.lens_result()
        return suggest(result) if result is not None else []

    def weak_spots(self, practices_each: int = 3) -> list[WeakSpot]:
        """The group's weak principles by the imbalance lens (`lens_result`), worst first, each with
        its best practices; where the role groups split (`split`), practices that help share power
        (those helping a principle of the rubric's POWER_ELEMENT) come first. `pulled_down` is
        always empty: statements are not scored for a group."""
        result = self.lens_result()
        if result is None:
            return []
        ranked = suggest(result)
        power = {p.id for p in self.rubric.principles if p.element == POWER_ELEMENT}
        spots = []
        for spot in weak_spots(result, practices_each):
            if self.split(spot.principle.id):
                helping = [s for s in ranked if any(p.id == spot.principle.id for p in s.helps)]
                helping.sort(key=lambda s: not (set(s.practice.helps) & power))  # stable: rank kept otherwise
                spot = WeakSpot(spot.principle, spot.pulled_down, tuple(helping[:practices_each]))
            spots.append(spot)
        return spots


# ---------------------------------------------------------------------------------------------
# What goes in
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Responses:
    """Many respondents' answers as arrays, one row per respondent, one column per statement in
    rubric order: `values` (float, NaN for "don't know" and for not answered), `dont_know`
    (bool) and `roles` (each respondent's role id, or None)."""

    rubric: Rubric
    values: np.ndarray
    dont_know: np.ndarray
    roles: np.ndarray
    ids: np.ndarray | None = None  # who each row is (for the release rule's ledger); default 0..n-1

    def __post_init__(self) -> None:
        n, s = self.values.shape[0], len(self.rubric.statements)
        if self.values.shape != (n, s) or self.dont_know.shape != (n, s) or self.roles.shape != (n,):
            raise ValueError(f"responses must be {n} × {s} values and don't-know flags and {n} roles.")
        if self.ids is None:
            object.__setattr__(self, "ids", np.arange(n))
        elif len(self.ids) != n or len(set(self.ids.tolist())) != n:
            raise ValueError(f"responses need {n} different ids, one per respondent.")

    @property
    def n(self) -> int:
        return int(self.values.shape[0])

    @classmethod
    def from_answers(cls, rubric: Rubric, answers: Sequence[Answers],
                     roles: Sequence[str | None] | None = None, ids: Sequence[Hashable] | None = None) -> Responses:
        """From answer dicts ({statement id: value or None}), each checked against the rubric
        (`scoring.AnswerError` if one does not fit). `roles` is one role per dict (default None)."""
        if roles is not None and len(roles) != len(answers):
            raise ValueError(f"{len(answers)} sets of answers but {len(roles)} roles.")
        statement_ids = statement_matrices(rubric)[0]
        column = {sid: j for j, sid in enumerate(statement_ids)}
        values = np.full((len(answers), len(statement_ids)), np.nan)
        dont_know = np.zeros(values.shape, dtype=bool)
        for i, given in enumerate(answers):
            for sid, value in check_answers(rubric, given).items():
                if value is None:
                    dont_know[i, column[sid]] = True
                else:
                    values[i, column[sid]] = value
        role_array = np.empty(len(answers), dtype=object)
        role_array[:] = list(roles) if roles is not None else None
        id_array = None if ids is None else np.asarray(list(ids))
        return cls(rubric, values, dont_know, role_array, id_array)

    @classmethod
    def from_rows(cls, rubric: Rubric, respondent: Sequence[Hashable], statement: Sequence[str],
                  value: Sequence[int | float | None], roles: Mapping[Hashable, str | None] | None = None, *,
                  row_roles: Sequence[str | None] | None = None) -> Responses:
        """From stored answer rows, one per (respondent, statement): `value` None (or NaN) is "don't know".

        Vectorised (no Python loop per row), for a review's whole table of answers. Roles come
        from `roles` ({respondent: role}) or `row_roles` (each row's respondent's role, as a join
        gives it). The rows are taken as already checked (the store checks answers when they are
        saved); rows naming a statement the rubric does not have, or a value off its scale, are
        ignored. Respondents appear in order of their first row.
        """
        statement_ids = statement_matrices(rubric)[0]
        numeric = isinstance(respondent, np.ndarray) and respondent.dtype != object  # factorised much faster
        row, keys = pd.factorize(respondent if numeric else pd.Series(respondent, dtype=object), sort=False)
        col = pd.Index(statement_ids).get_indexer(pd.Index(statement, dtype=object))
        vals = np.asarray(pd.Series(value, dtype="float64"))  # None -> NaN
        on_scale = np.isnan(vals) | np.isin(vals, [pt.value for pt in rubric.scale.points])
        known = (col >= 0) & on_scale
        at, col, vals = row[known], col[known], vals[known]
        values = np.full((len(keys), len(statement_ids)), np.nan)
        dont_know = np.zeros(values.shape, dtype=bool)
        values[at, col] = vals
        dont_know[at, col] = np.isnan(vals)
        role_array = np.empty(len(keys), dtype=object)
        if roles is not None:
            role_array[:] = [roles.get(k) for k in keys]
        elif row_roles is not None and len(keys):
            first = np.unique(row, return_index=True)[1]  # each respondent's first row (of all rows)
            role_array[:] = np.asarray(row_roles, dtype=object)[first]
        return cls(rubric, values, dont_know, role_array, np.asarray(keys))


# ---------------------------------------------------------------------------------------------
# The arithmetic
# ---------------------------------------------------------------------------------------------


def quantiles(scores: np.ndarray, probabilities: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Per column of `scores` (NaN left out): the count of values and the `QUANTILE_METHOD`
    quantiles, as an array of shape (len(probabilities), columns); NaN where a column is empty."""
    ordered = np.sort(scores, axis=0)  # NaN sorts last
    n = (~np.isnan(scores)).sum(axis=0)
    out = np.full((len(probabilities), scores.shape[1]), np.nan)
    has = n > 0
    if not has.any():
        return n, out
    last = np.maximum(n - 1, 0)
    for k, p in enumerate(probabilities):
        h = p * last
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, last)
        below = np.take_along_axis(ordered, lo[None, :], axis=0)[0]
        above = np.take_along_axis(ordered, hi[None, :], axis=0)[0]
        out[k] = np.where(has, below + (h - lo) * (above - below), np.nan)
    return n, out


_PROBABILITIES = (0.0, 0.25, 0.5, 0.75, 1.0)


def _group_stats(principle_ids: Sequence[str], scores: np.ndarray, respondents: int,
                 min_size: int) -> dict[str, Stat]:
    hidden = Suppressed(min_size)
    if respondents < min_size:
        return {pid: hidden for pid in principle_ids}
    n, q = quantiles(scores, _PROBABILITIES)
    out: dict[str, Stat] = {}
    for j, pid in enumerate(principle_ids):
        if n[j] < min_size:
            out[pid] = hidden
        else:
            out[pid] = PrincipleStats(pid, int(n[j]), median=float(q[2, j]), q1=float(q[1, j]),
                                      q3=float(q[3, j]), low=float(q[0, j]), high=float(q[4, j]))
    return out


def aggregate(responses: Responses, *, min_size: int = DEFAULT_MIN_SIZE, role_ids: Sequence[str] | None = None,
              groups: Mapping[str, str] | None = None, ledger: Ledger | None = None) -> ReviewAggregate:
    """The review's aggregate picture (see the module docstring for what is shown and hidden).

    `role_ids` are the review's roles in order (default: the rubric's roles that occur); `groups`
    merges roles into role groups ({role id: group label}). Respondents whose role is not in
    `role_ids` (or None) count towards the whole review only.

    The release rule (`disclosure`) is applied here: the remainder rule always, and, given the
    review's `ledger`, the comparison with everything released before, which the ledger then
    records (its `changed` flag says whether to save it).
    """
    min_size = check_min_size(min_size)
    rubric = responses.rubric
    principle_ids = [p.id for p in rubric.principles]
    statement_ids = [s.id for s in rubric.statements]

    took_part = (~np.isnan(responses.values) | responses.dont_know).any(axis=1)
    values = responses.values[took_part]
    roles = responses.roles[took_part]
    ids = responses.ids[took_part].tolist()
    n = int(values.shape[0])
    if role_ids is None:
        present = set(roles.tolist())
        role_ids = [r.id for r in rubric.roles if r.id in present]
    role_ids = list(dict.fromkeys(role_ids))  # in order, once each
    role_labels = {r.id: r.label for r in rubric.roles}

    frame = pd.DataFrame(values, columns=statement_ids, copy=False)
    scores = score_frame(rubric, frame)[0].to_numpy()

    # Role groups: roles as integer codes (-1: none, or not a review role), one sort per group.
    code = pd.Index(role_ids, dtype=object).get_indexer(pd.Index(roles, dtype=object)) if role_ids \
        else np.full(n, -1)
    per_role = np.bincount(code[code >= 0], minlength=len(role_ids))
    by_role = {rid: int(per_role[i]) for i, rid in enumerate(role_ids)}
    position = {rid: i for i, rid in enumerate(role_ids)}
    masks = [np.ones(n, dtype=bool)]
    members_of = [()]
    labels = [EVERYONE]
    for label, members in role_groups(role_ids, role_labels, groups):
        masks.append(np.isin(code, [position[m] for m in members]))
        members_of.append(members)
        labels.append(label)
    stats = [_group_stats(principle_ids, scores[mask], int(mask.sum()), min_size) for mask in masks]

    # Complementary suppression, principle by principle, over the whole review and the role groups.
    withheld = Withheld(min_size)
    rounded = np.round(scores, _TIE)
    for j, pid in enumerate(principle_ids):
        scored = ~np.isnan(scores[:, j])
        candidates = []
        for g, mask in enumerate(masks):
            if stats[g][pid]:
                rows = np.flatnonzero(mask & scored)
                candidates.append(Candidate(g, [ids[i] for i in rows],
                                            lambda rows=rows, j=j: rounded[rows, j].tolist()))
        for g in release(f"p:{pid}", candidates, min_size, ledger):
            stats[g][pid] = withheld

    everyone = GroupSummary(EVERYONE, (), n, min_size, stats[0])
    summaries = [GroupSummary(labels[g], members_of[g], int(masks[g].sum()), min_size, stats[g])
                 for g in range(1, len(masks))]
    gaps = []
    for j, pid in enumerate(principle_ids):
        medians = {g.label: g.principles[pid].median for g in summaries if g.principles[pid]}
        if len(medians) < 2:
            continue
        highest = max(medians, key=lambda label: round(medians[label], _TIE))
        lowest = min(medians, key=lambda label: round(medians[label], _TIE))
        gaps.append((j, GroupGap(pid, medians[highest] - medians[lowest], highest, lowest, medians)))
    gaps.sort(key=lambda item: (-round(item[1].gap, _TIE), item[0]))
    imbalance = ImbalanceLens(tuple(summaries), tuple(g for _, g in gaps))

    disagreements = _disagreements(rubric, values, responses.dont_know[took_part], everyone, min_size, ids, ledger) \
        if everyone.shown else ()
    result = result_from_scores(rubric, everyone.medians()) if everyone.shown else None
    return ReviewAggregate(rubric, min_size, n, by_role, everyone, disagreements, imbalance, result)


def _disagreements(rubric: Rubric, values: np.ndarray, dont_know: np.ndarray, everyone: GroupSummary,
                   min_size: int, ids: list, ledger: Ledger | None) -> tuple[Disagreement, ...]:
    scale = [p.value for p in rubric.scale.points]
    k = len(scale)
    statements = rubric.statements
    answered = ~np.isnan(values)
    rows, cols = np.nonzero(answered)
    value_index = np.searchsorted(scale, values[rows, cols])
    counts = np.bincount(cols * k + value_index, minlength=len(statements) * k).reshape(len(statements), k)
    n_answered = answered.sum(axis=0)
    n_dont_know = dont_know.sum(axis=0)
    flip = rubric.scale.low + rubric.scale.high
    hidden = Suppressed(min_size)

    ranked = []
    j = 0
    for order, principle in enumerate(rubric.principles):
        stats = everyone.principles[principle.id]
        per_statement, pooled = [], {}
        for s in principle.statements:
            shown = bool(stats) and n_answered[j] >= min_size
            counted = hidden
            if shown and ledger is not None:  # a statement's distribution is a cell too: everyone who answered it
                gave = np.flatnonzero(answered[:, j] | dont_know[:, j])
                cell = Candidate(0, [ids[i] for i in gave], lambda gave=gave, j=j: [
                    None if dont_know[i, j] else int(values[i, j]) for i in gave])
                if release(f"s:{s.id}", [cell], min_size, ledger):
                    shown, counted = False, Withheld(min_size)
            row = {v: int(c) for v, c in zip(scale, counts[j])}
            per_statement.append(StatementDistribution(s.id, s.text, row if shown else counted,
                                                       int(n_answered[j]), int(n_dont_know[j])))
            if shown:
                for v, c in row.items():
                    key = flip - v if s.reverse else v
                    pooled[key] = pooled.get(key, 0) + c
            j += 1
        if stats:
            pooled = {v: pooled.get(v, 0) for v in sorted(set(scale) | set(pooled))}
            ranked.append(((-round(stats.iqr, _TIE), -round(stats.range, _TIE), order),
                           Disagreement(principle, stats, pooled, tuple(per_statement))))
    ranked.sort(key=lambda item: item[0])
    return tuple(d for _, d in ranked)


def result_from_scores(rubric: Rubric, scores: Mapping[str, float | None]) -> Result:
    """A `scoring.Result` from principle scores alone (a group's medians, say), for `recommend`
    and the charts. Principles missing or None are "not enough answers"; elements and the overall
    score are means of the principles scored, as for one person. There are no answers or statement
    scores, and a principle's `answered` is its statement count when scored, else 0."""
    principles = []
    for p in rubric.principles:
        value = scores.get(p.id)
        value = None if value is None or np.isnan(value) else float(value)
        principles.append(PrincipleScore(
            id=p.id, title=p.title, element=p.element, score=value,
            answered=len(p.statements) if value is not None else 0, total=len(p.statements),
            band=None if value is None else rubric.band_for(value)))
    elements = []
    for e in rubric.elements:
        values = [ps.score for ps in principles if ps.element == e.id and ps.score is not None]
        mean = float(np.mean(values)) if values else None
        elements.append(ElementScore(e.id, e.title, mean, len(values), None if mean is None else rubric.band_for(mean)))
    scored = [ps.score for ps in principles if ps.score is not None]
    return Result(rubric=rubric, answers={}, statements={}, principles=tuple(principles), elements=tuple(elements),
                  overall=float(np.mean(scored)) if scored else None)


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

GROUP_HEADER = ["group", "respondents", "principle_id", "principle", "scored", "median", "q1", "q3",
                "min", "max", "band"]
STATEMENT_HEADER = ["principle_id", "principle", "statement_id", "statement", "answered", "dont_know"]


def _num(value: float) -> float:
    return round(float(value), 2)


def to_csv(agg: ReviewAggregate) -> str:
    """The aggregate results as CSV, every text cell neutralised with `exports.safe_cell`.

    Two sections separated by an empty row, each with its own header: one row per group (the whole
    review first, then each role group) and principle, with the statistics or "fewer than N
    answers"; then, for the whole review, one row per statement with how many gave each scale
    value (one column per value, headed by its label). Nothing individual is in it.
    """
    rubric = agg.rubric
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GROUP_HEADER)
    for group in (agg.everyone, *agg.imbalance.groups):
        for p in rubric.principles:
            s = group.principles[p.id]
            if s:
                cells = [s.n, _num(s.median), _num(s.q1), _num(s.q3), _num(s.low), _num(s.high),
                         rubric.band_for(s.median).label]
            else:
                cells = ["", "", "", "", "", "", s.message]
            count = group.respondents if group is agg.everyone else count_text(group.respondents, agg.min_size)
            writer.writerow([safe_cell(c) for c in (group.label, count, p.id, p.title, *cells)])
    writer.writerow([])
    scale = rubric.scale
    writer.writerow([safe_cell(c) for c in (*STATEMENT_HEADER, *(f"{pt.value} {pt.label}" for pt in scale.points))])
    if agg.shown:
        distributions = {s.statement_id: s for d in agg.disagreements for s in d.statements}
        for p in rubric.principles:
            for st in p.statements:
                d = distributions.get(st.id)
                if d is None:  # its principle is hidden
                    cells = ["", "", *[""] * len(scale.points)]
                    cells[0] = Suppressed(agg.min_size).message
                elif d.counts:
                    cells = [d.answered, d.dont_know, *(d.counts[pt.value] for pt in scale.points)]
                else:
                    cells = [d.counts.message, "", *[""] * len(scale.points)]
                writer.writerow([safe_cell(c) for c in (p.id, p.title, st.id, st.text, *cells)])
    return out.getvalue()


__all__ = [
    "DEFAULT_MIN_SIZE", "EVERYONE", "MIN_GROUP_FLOOR", "QUANTILE_METHOD", "Disagreement", "GroupGap", "GroupSummary",
    "ImbalanceLens", "PrincipleStats", "Responses", "ReviewAggregate", "StatementDistribution", "Suppressed",
    "Withheld", "aggregate", "check_min_size", "count_text", "quantiles", "result_from_scores", "role_groups", "to_csv",
]
