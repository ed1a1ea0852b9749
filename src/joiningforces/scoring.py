"""Turn answers into scores: per statement, per principle, per element and overall.

Rules (docs/rubric-format.md explains them to trainers):
- a reverse-scored statement is flipped on the scale (on 1-5, an answer of 4 scores 2);
- "don't know" (None) is left out: it lowers coverage, never the score;
- a principle is scored as the mean of its answered statements, but only when the answered share
  reaches the rubric's `scale.min_answered`; otherwise it is "not enough answers", not weak;
- an element is the mean of its scored principles; the overall score the mean of all of them.

`score_frame` does the arithmetic for many respondents at once with matrix products, so a group
review of thousands of respondents costs about as much as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from .models import Band, Rubric
from .records import AnswerError, Answers, check_answers  # the field rules; used here and by callers



def shown(score: float) -> float:
    """A score as people see it: one decimal, halves rounded up (2.25 -> 2.3), as on paper.

    Python's round() and "{:.1f}" round 2.25 to 2.2 (half to even, and 2.25 is exact in binary).
    The score is first written to nine decimals so that float noise from averaging (2.2499999999)
    counts as the half it stands for.
    """
    exact = Decimal(f"{float(score):.9f}")
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def one_decimal(score: float | None, missing: str = "—") -> str:
    """A score as text with one decimal ("2.3"), rounded as `shown`; `missing` for None."""
    return missing if score is None else f"{shown(score):.1f}"


@dataclass(frozen=True)
class PrincipleScore:
    id: str
    title: str
    element: str
    score: float | None  # None: not enough answers
    answered: int
    total: int
    band: Band | None

    @property
    def coverage(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def scored(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class ElementScore:
    id: str
    title: str
    score: float | None  # None: no principle of this element was scored (or the rubric has none)
    principles: int  # how many of its principles were scored
    band: Band | None


@dataclass(frozen=True)
class Result:
    rubric: Rubric
    answers: dict[str, int | None]
    statements: dict[str, float | None]  # statement id -> score after reversal (high is good)
    principles: tuple[PrincipleScore, ...]
    elements: tuple[ElementScore, ...]
    overall: float | None

    @property
    def answered(self) -> int:
        return sum(1 for v in self.answers.values() if v is not None)

    def principle(self, principle_id: str) -> PrincipleScore:
        return next(p for p in self.principles if p.id == principle_id)


@lru_cache(maxsize=32)
def statement_matrices(rubric: Rubric) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Statement ids, principle ids, the reverse mask, and where each principle's statements start.

    Statements are listed principle by principle (every principle has at least two), so a
    principle's statements are one contiguous run of columns: per-principle sums are a single
    `np.add.reduceat`, which unlike a matrix product does not wake a multi-threaded BLAS for
    small arrays.
    """
    statement_ids = [s.id for s in rubric.statements]
    principle_ids = [p.id for p in rubric.principles]
    reverse = np.array([s.reverse for s in rubric.statements], dtype=bool)
    sizes = [len(p.statements) for p in rubric.principles]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    return statement_ids, principle_ids, reverse, starts


def answers_frame(rubric: Rubric, respondents: Sequence[Answers]) -> pd.DataFrame:
    """One row per respondent, one column per statement (rubric order); NaN for don't know or blank."""
    statement_ids = statement_matrices(rubric)[0]
    rows = [check_answers(rubric, a) for a in respondents]
    frame = pd.DataFrame.from_records(rows, columns=statement_ids)
    return frame.astype("float64")


def statement_scores(rubric: Rubric, frame: pd.DataFrame) -> pd.DataFrame:
    """Answers flipped for reverse-scored statements, so that a high number is always good."""
    statement_ids, _, reverse, _ = statement_matrices(rubric)
    values = frame.reindex(columns=statement_ids).to_numpy(dtype="float64", copy=True)
    values[:, reverse] = (rubric.scale.low + rubric.scale.high) - values[:, reverse]
    return pd.DataFrame(values, index=frame.index, columns=statement_ids)


def score_frame(rubric: Rubric, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Principle scores (NaN where not enough answers) and answered counts, one row per respondent."""
    _, principle_ids, _, starts = statement_matrices(rubric)
    values = statement_scores(rubric, frame).to_numpy()
    answered_mask = ~np.isnan(values)
    if values.shape[0] == 0:
        empty = np.zeros((0, len(principle_ids)))
        return (pd.DataFrame(empty, index=frame.index, columns=principle_ids),
                pd.DataFrame(empty.astype(int), index=frame.index, columns=principle_ids))
    answered = np.add.reduceat(answered_mask.astype("float64"), starts, axis=1)
    sums = np.add.reduceat(np.where(answered_mask, values, 0.0), starts, axis=1)
    totals = np.array([len(p.statements) for p in rubric.principles], dtype="float64")
    enough = (answered > 0) & (answered / totals >= rubric.scale.min_answered - 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(enough, sums / np.where(answered > 0, answered, 1), np.nan)
    index = frame.index
    return (pd.DataFrame(means, index=index, columns=principle_ids),
            pd.DataFrame(answered.astype(int), index=index, columns=principle_ids))


def score(rubric: Rubric, answers: Answers) -> Result:
    """Score one person's answers."""
    clean = check_answers(rubric, answers)
    frame = answers_frame(rubric, [clean])
    principle_means, answered = score_frame(rubric, frame)
    adjusted = statement_scores(rubric, frame).iloc[0]
    principles = []
    for p in rubric.principles:
        mean = principle_means.at[0, p.id]
        value = None if np.isnan(mean) else float(mean)
        principles.append(PrincipleScore(
            id=p.id, title=p.title, element=p.element, score=value,
            answered=int(answered.at[0, p.id]), total=len(p.statements),
            band=None if value is None else rubric.band_for(value),
        ))
    elements = []
    for e in rubric.elements:
        values = [ps.score for ps in principles if ps.element == e.id and ps.score is not None]
        mean = float(np.mean(values)) if values else None
        elements.append(ElementScore(e.id, e.title, mean, len(values),
                                     None if mean is None else rubric.band_for(mean)))
    scored = [ps.score for ps in principles if ps.score is not None]
    return Result(
        rubric=rubric,
        answers=clean,
        statements={sid: (None if np.isnan(v) else float(v)) for sid, v in adjusted.items()},
        principles=tuple(principles),
        elements=tuple(elements),
        overall=float(np.mean(scored)) if scored else None,
    )
