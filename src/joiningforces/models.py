"""The rubric as validated, immutable pydantic models.

The TOML keys are the field names here; `docs/rubric-format.md` documents them for trainers.
Field-level rules live on the fields; rules that span the rubric (ids resolve, bands ordered,
every principle has a practice) live in `Rubric._cross_check`, which reports every failure at
once (`CrossCheckErrors`), each with the path of the offending field so the loader can point at
its TOML line.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Annotated

from pydantic import (BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StringConstraints,
                      model_validator)

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$"),
    Field(description="Lowercase letters, digits and hyphens; starts with a letter or digit."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Model(BaseModel):
    # Unknown keys are errors (a typo must not silently drop content); models are immutable so
    # a loaded rubric can be cached and shared between sessions safely.
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrossCheckError(ValueError):
    """A rule that spans the rubric failed; `loc` is the path of the offending field."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


class CrossCheckErrors(ValueError):
    """Every rule that spans the rubric and failed, so that the loader can list them all at once."""

    def __init__(self, errors: list[CrossCheckError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = tuple(errors)


# TOML has real types, so numbers and booleans are taken strictly: `act = "no"` or `reverse = 1`
# is an error, not silently read as false / true (a float still accepts a TOML integer).
class ScalePoint(_Model):
    value: StrictInt = Field(description="The number stored for this answer, e.g. 1 to 5.")
    label: ShortText = Field(description='What the participant sees, e.g. "Strongly agree".')


def _default_points() -> tuple[ScalePoint, ...]:
    labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    return tuple(ScalePoint(value=i, label=label) for i, label in enumerate(labels, start=1))


class Scale(_Model):
    points: tuple[ScalePoint, ...] = Field(default_factory=_default_points, min_length=2, max_length=11)
    dont_know: ShortText = Field(
        "Don't know / not applicable",
        description="Label of the answer that is left out of scores (never counted as zero).",
    )
    min_answered: StrictFloat = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of a principle's statements that must be answered for it to be scored.",
    )

    @property
    def low(self) -> int:
        return self.points[0].value

    @property
    def high(self) -> int:
        return self.points[-1].value

    def label_for(self, value: int | None) -> str:
        if value is None:
            return self.dont_know
        return next((p.label for p in self.points if p.value == value), str(value))


class Band(_Model):
    id: Id
    label: ShortText
    min: StrictFloat = Field(description="Lowest score (inclusive) that falls in this band.")
    meaning: Text | None = None
    act: StrictBool = Field(True, description="Whether principles in this band get suggested practices.")


def default_bands(scale: Scale) -> tuple[Band, ...]:
    """The bands a rubric without `[[bands]]` gets, in the proportions of the Wilder Collaboration
    Factors Inventory's 4.0 and 3.0 on 1–5: three quarters and half of the way up `scale`.

    On 1–7 that is 5.5 and 4.0 (a neutral 4 is borderline, not a strength); on 0–10, 7.5 and 5.0.
    """
    low, high = scale.low, scale.high

    def at(share: float) -> float:
        from .scoring import shown  # scoring imports this module

        return shown(low + share * (high - low))

    return (
        Band(id="strength", label="Strength", min=at(0.75), act=False,
             meaning="Working well: keep doing what makes it work."),
        Band(id="borderline", label="Borderline", min=at(0.5),
             meaning="Worth discussing: views may differ or it is slipping."),
        Band(id="concern", label="Concern", min=float(low),
             meaning="Needs attention: it may hold the partnership back."),
    )


class Source(_Model):
    id: Id
    title: ShortText
    organisation: ShortText
    url: ShortText | None = None


class Element(_Model):
    id: Id
    title: ShortText
    description: Text


class Role(_Model):
    id: Id
    label: ShortText


class Statement(_Model):
    id: Id
    text: Text
    reverse: StrictBool = Field(False, description="True when agreeing with the statement signals a weakness.")


class Principle(_Model):
    id: Id
    title: ShortText
    element: Id = Field(description="Id of the beachball element this principle belongs to.")
    description: Text = Field(description="What good looks like.")
    prompt: Text | None = Field(None, description="A question for a group when views differ.")
    source: Id = Field(description="Id of the source note this principle comes from.")
    statements: tuple[Statement, ...] = ()


class Practice(_Model):
    id: Id
    name: ShortText
    what: Text
    why: Text
    first_steps: tuple[Text, ...] = Field(min_length=2, max_length=4)
    helps: tuple[Id, ...] = Field(min_length=1, description="Ids of the principles this practice helps.")
    source: Id


class Rubric(_Model):
    id: Id
    title: ShortText
    version: ShortText
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    description: Text
    scale: Scale = Field(default_factory=Scale)
    bands: tuple[Band, ...] = Field(default_factory=lambda: default_bands(Scale()), min_length=1, max_length=10,
                                   description="Score bands from the best down; without them, bands derived from the scale.")
    sources: tuple[Source, ...] = Field(min_length=1)
    elements: tuple[Element, ...] = Field(min_length=1, max_length=12)
    roles: tuple[Role, ...] = ()
    principles: tuple[Principle, ...] = Field(min_length=1, max_length=60)
    practices: tuple[Practice, ...] = Field(min_length=1, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _bands_from_scale(cls, data: object) -> object:
        """Without `[[bands]]`, the bands come from the rubric's own scale (`default_bands`)."""
        if isinstance(data, dict) and "bands" not in data:
            try:
                scale = Scale.model_validate(data.get("scale", {}))
            except (ValueError, TypeError):  # the scale's own problems are reported on their lines
                scale = Scale()
            if len(scale.points) >= 2 and scale.low < scale.high:
                data = {**data, "bands": default_bands(scale)}
        return data

    @model_validator(mode="after")
    def _cross_check(self) -> Rubric:
        errors = list(_check_scale(self))
        if not errors:  # bands are measured against the scale: a broken scale would blame them too
            errors += _check_bands(self)
        errors += [error for check in (_check_unique_ids, _check_references, _check_coverage) for error in check(self)]
        if errors:
            raise CrossCheckErrors(errors)
        return self

    # Lookups used everywhere; computed once (the model is frozen, so they cannot go stale).
    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for p in self.principles for s in p.statements)

    @cached_property
    def principle_of(self) -> dict[str, Principle]:
        return {s.id: p for p in self.principles for s in p.statements}

    def principle(self, principle_id: str) -> Principle:
        return next(p for p in self.principles if p.id == principle_id)

    def element(self, element_id: str) -> Element:
        return next(e for e in self.elements if e.id == element_id)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    def practices_for(self, principle_id: str) -> tuple[Practice, ...]:
        return tuple(pr for pr in self.practices if principle_id in pr.helps)

    def band_for(self, score: float) -> Band:
        """The band a score falls in. Scores are banded as shown, rounded to one decimal."""
        from .scoring import shown  # scoring imports this module

        rounded = shown(score)
        return next((b for b in self.bands if rounded >= b.min), self.bands[-1])


def _check_scale(r: Rubric) -> Iterator[CrossCheckError]:
    values = [p.value for p in r.scale.points]
    for i in range(1, len(values)):
        if values[i] <= values[i - 1]:
            yield CrossCheckError(
                ("scale", "points", i, "value"),
                f"scale values must go up strictly: {values[i]} follows {values[i - 1]}.",
            )


def _check_bands(r: Rubric) -> Iterator[CrossCheckError]:
    for i, band in enumerate(r.bands):
        if i and band.min >= r.bands[i - 1].min:
            yield CrossCheckError(
                ("bands", i, "min"),
                f"bands go from the highest to the lowest: band '{band.id}' (min {band.min}) must have "
                f"a lower min than band '{r.bands[i - 1].id}' (min {r.bands[i - 1].min}).",
            )
        if not r.scale.low <= band.min <= r.scale.high:
            yield CrossCheckError(
                ("bands", i, "min"),
                f"band '{band.id}' starts at {band.min}, outside the scale ({r.scale.low} to {r.scale.high}).",
            )
    if r.bands[-1].min > r.scale.low:
        yield CrossCheckError(
            ("bands", len(r.bands) - 1, "min"),
            f"the lowest band must start at the bottom of the scale ({r.scale.low}) so every score has a band.",
        )


def _check_unique_ids(r: Rubric) -> Iterator[CrossCheckError]:
    groups: list[tuple[str, list[tuple[tuple[str | int, ...], str]]]] = [
        ("band", [(("bands", i, "id"), b.id) for i, b in enumerate(r.bands)]),
        ("source", [(("sources", i, "id"), s.id) for i, s in enumerate(r.sources)]),
        ("element", [(("elements", i, "id"), e.id) for i, e in enumerate(r.elements)]),
        ("role", [(("roles", i, "id"), x.id) for i, x in enumerate(r.roles)]),
        ("principle", [(("principles", i, "id"), p.id) for i, p in enumerate(r.principles)]),
        ("practice", [(("practices", i, "id"), p.id) for i, p in enumerate(r.practices)]),
        ("statement", [(("principles", i, "statements", j, "id"), s.id)
                       for i, p in enumerate(r.principles) for j, s in enumerate(p.statements)]),
    ]
    for kind, entries in groups:
        seen: set[str] = set()
        for loc, value in entries:
            if value in seen:
                yield CrossCheckError(loc, f"the {kind} id '{value}' is used twice; ids must be unique.")
            seen.add(value)


def _check_references(r: Rubric) -> Iterator[CrossCheckError]:
    elements = {e.id for e in r.elements}
    sources = {s.id for s in r.sources}
    principles = {p.id for p in r.principles}
    for i, p in enumerate(r.principles):
        if p.element not in elements:
            yield CrossCheckError(("principles", i, "element"),
                                  f"principle '{p.id}' names element '{p.element}', which is not among "
                                  f"the elements: {', '.join(sorted(elements))}.")
        if p.source not in sources:
            yield CrossCheckError(("principles", i, "source"),
                                  f"principle '{p.id}' cites source '{p.source}', which is not in [[sources]].")
    for i, pr in enumerate(r.practices):
        for j, target in enumerate(pr.helps):
            if target not in principles:
                yield CrossCheckError(("practices", i, "helps", j),
                                      f"practice '{pr.id}' helps principle '{target}', which does not exist.")
        if pr.source not in sources:
            yield CrossCheckError(("practices", i, "source"),
                                  f"practice '{pr.id}' cites source '{pr.source}', which is not in [[sources]].")


def _check_coverage(r: Rubric) -> Iterator[CrossCheckError]:
    helped = {target for pr in r.practices for target in pr.helps}
    for i, p in enumerate(r.principles):
        if len(p.statements) < 2:
            yield CrossCheckError(("principles", i, "statements"),
                                  f"principle '{p.id}' needs at least two statements (it has {len(p.statements)}).")
        if p.id not in helped:
            yield CrossCheckError(("principles", i, "id"),
                                  f"principle '{p.id}' has no practice: name it in the 'helps' list of at "
                                  "least one [[practices]] entry.")
