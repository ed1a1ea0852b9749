"""From scores to advice: which principles are weak, which statements pulled them down, and which
practices to try first.

A practice's weight is the sum, over the weak principles it helps, of how far each falls short
of the top band. So a practice that helps two weak principles outranks one that helps one, and
helping a concern counts for more than helping a borderline principle.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Practice, Statement
from .scoring import PrincipleScore, Result, one_decimal


@dataclass(frozen=True)
class Suggestion:
    practice: Practice
    helps: tuple[PrincipleScore, ...]  # the weak principles it helps, worst first
    weight: float

    @property
    def reason(self) -> str:
        parts = [f"{p.title} ({one_decimal(p.score)}, {p.band.label.lower()})" for p in self.helps]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"Suggested because it helps {joined}."


@dataclass(frozen=True)
class WeakSpot:
    principle: PrincipleScore
    pulled_down: tuple[tuple[Statement, int], ...]  # statements scoring below the top band, with the answer given
    practices: tuple[Suggestion, ...]  # ranked, those that help this principle


def _target(result: Result) -> float:
    return result.rubric.bands[0].min


def weak_principles(result: Result) -> list[PrincipleScore]:
    """Scored principles in a band that calls for action: the worst band first, then the lowest score."""
    band_rank = {b.id: i for i, b in enumerate(result.rubric.bands)}
    weak = [p for p in result.principles if p.scored and p.band.act]
    return sorted(weak, key=lambda p: (-band_rank[p.band.id], p.score, p.title))


def strengths(result: Result) -> list[PrincipleScore]:
    """Scored principles in a band that needs no action, strongest first."""
    return sorted((p for p in result.principles if p.scored and not p.band.act), key=lambda p: (-p.score, p.title))


def suggest(result: Result) -> list[Suggestion]:
    """Practices that help at least one weak principle, best first."""
    weak = weak_principles(result)
    order = {p.id: i for i, p in enumerate(weak)}
    target = _target(result)
    suggestions = []
    for practice in result.rubric.practices:
        helps = sorted((p for p in weak if p.id in practice.helps), key=lambda p: order[p.id])
        if helps:
            weight = sum(max(target - p.score, 0.0) for p in helps)
            suggestions.append(Suggestion(practice, tuple(helps), round(weight, 6)))
    return sorted(suggestions, key=lambda s: (-s.weight, -len(s.helps), s.practice.name))


def weak_spots(result: Result, practices_each: int = 3) -> list[WeakSpot]:
    """Each weak principle, worst first, with what pulled it down and the best practices for it."""
    ranked = suggest(result)
    target = _target(result)
    spots = []
    for principle in weak_principles(result):
        statements = result.rubric.principle(principle.id).statements
        low = [(s, result.answers[s.id]) for s in statements
               if result.statements.get(s.id) is not None and result.statements[s.id] < target]
        low.sort(key=lambda pair: result.statements[pair[0].id])
        helping = tuple(s for s in ranked if any(p.id == principle.id for p in s.helps))[:practices_each]
        spots.append(WeakSpot(principle, tuple(low), helping))
    return spots
