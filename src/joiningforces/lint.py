"""Warnings about a valid rubric: it can be used, but its scores will mislead.

These are not errors (a trainer's two-principle workshop rubric is still a rubric), so they never
stop a rubric loading; the CLI's `validate` and the rubric studio show them beside "OK".
- An element scored from fewer than two principles shows a band as if it were as well founded as
  the others, though it rests on one principle's few statements.
- A principle with no reverse-scored statement lets agreeable answering ("agree" to everything)
  lift its score.
- A radar needs at least three spokes to be a shape at all.
"""

from __future__ import annotations

from .loader import Problem, field_path
from .locate import LineIndex
from .models import Rubric

MIN_PRINCIPLES_PER_ELEMENT = 2
MIN_PRINCIPLES = 3


def rubric_warnings(rubric: Rubric) -> list[tuple[tuple[str | int, ...], str]]:
    """(path of the field to look at, message) for each warning, in file order."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if len(rubric.principles) < MIN_PRINCIPLES:
        found.append((("principles",),
                      f"the rubric has {_count(len(rubric.principles), 'principle')}; a radar chart needs at "
                      f"least {MIN_PRINCIPLES} to show a shape."))
    for i, element in enumerate(rubric.elements):
        members = sum(1 for p in rubric.principles if p.element == element.id)
        if members < MIN_PRINCIPLES_PER_ELEMENT:
            found.append((("elements", i, "id"),
                          f"element '{element.id}' has {_count(members, 'principle')}; its score in the beachball "
                          f"then rests on {'nothing' if not members else 'one principle alone'}. Give each element at "
                          f"least {MIN_PRINCIPLES_PER_ELEMENT} principles."))
    for i, principle in enumerate(rubric.principles):
        if not any(s.reverse for s in principle.statements):
            found.append((("principles", i, "statements"),
                          f"principle '{principle.id}' has no reverse-scored statement, so answering 'agree' to "
                          "everything raises its score. Add a statement that describes things going wrong, "
                          "with reverse = true."))
    return found


def warnings_in(rubric: Rubric, text: str, name: str = "<rubric>") -> list[Problem]:
    """The warnings as `Problem`s pointing at the line of `text` (the rubric's TOML) to look at."""
    index = LineIndex(text)
    found = [Problem(name, index.line_of(loc), None, field_path(loc), message)
             for loc, message in rubric_warnings(rubric)]
    return sorted(found, key=lambda p: p.line or 0)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}" if n else f"no {noun}s"
