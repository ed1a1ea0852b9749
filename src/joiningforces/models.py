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
    source: Id | None = Field(None, description="Id of the source note this statement draws on, when it is "
                                                "not its principle's.")


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
        errors = cross_check(self.model_dump())
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


# The rules that span the rubric work on plain data (a validated rubric's `model_dump()`, or the
# raw TOML tables when some fields failed), so that the loader can report them in the same pass as
# field problems. `broken` holds the paths of fields that failed: a rule whose inputs include a
# broken field is skipped, since its message would only echo that field's own problem.

Loc = tuple[str | int, ...]


def cross_check(data: dict, broken: frozenset[Loc] = frozenset()) -> list[CrossCheckError]:
    """Every rule that spans the rubric and fails on `data`, skipping those that hinge on `broken`."""
    view = _View(data, broken)
    errors = list(_check_scale(view))
    if not errors and not view.broken_under("scale") and not view.broken_under("bands"):
        errors += _check_bands(view)  # bands are measured against the scale
    for check in (_check_unique_ids, _check_references, _check_coverage):
        errors += check(view)
    return errors


class _View:
    """Defensive access to possibly invalid rubric data: lists of tables, ids that are text."""

    def __init__(self, data: dict, broken: frozenset[Loc]):
        self.data, self.broken = data, broken

    def tables(self, *path: str) -> list[tuple[int, dict]]:
        value: object = self.data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(value, (list, tuple)):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]

    def broken_under(self, *prefix: str | int) -> bool:
        return any(loc[: len(prefix)] == prefix for loc in self.broken)

    def ids(self, kind: str) -> set[str] | None:
        """The ids of a kind, or None when one of its entries lost its id (a reference may name it)."""
        ids = set()
        for i, item in self.tables(kind):
            if not isinstance(item.get("id"), str) or (kind, i, "id") in self.broken:
                return None
            ids.add(item["id"])
        return ids

    @property
    def stray_tables(self) -> bool:
        """An unknown top-level key, such as `[[principle.statements]]`: content went astray."""
        return any(len(loc) == 1 for loc in self.broken)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _check_scale(v: _View) -> Iterator[CrossCheckError]:
    values = [_number(point.get("value")) for _, point in v.tables("scale", "points")]
    if None in values:
        return
    for i in range(1, len(values)):
        if values[i] <= values[i - 1]:
            yield CrossCheckError(
                ("scale", "points", i, "value"),
                f"scale values must go up strictly: {values[i]:g} follows {values[i - 1]:g}.",
            )


def _check_bands(v: _View) -> Iterator[CrossCheckError]:
    values = [_number(point.get("value")) for _, point in v.tables("scale", "points")]
    bands = [b if isinstance(b, dict) else b.model_dump() for b in v.data.get("bands") or ()
             if isinstance(b, (dict, Band))]
    if not values or None in values or not bands:
        if not values and "scale" not in v.data:  # the default scale
            values = [float(p.value) for p in _default_points()]
        else:
            return
    low, high = values[0], values[-1]
    mins = [_number(b.get("min")) for b in bands]
    if None in mins:
        return
    for i, band in enumerate(bands):
        if i and mins[i] >= mins[i - 1]:
            yield CrossCheckError(
                ("bands", i, "min"),
                f"bands go from the highest to the lowest: band '{band.get('id')}' (min {mins[i]}) must have "
                f"a lower min than band '{bands[i - 1].get('id')}' (min {mins[i - 1]}).",
            )
        if not low <= mins[i] <= high:
            yield CrossCheckError(
                ("bands", i, "min"),
                f"band '{band.get('id')}' starts at {mins[i]}, outside the scale ({low:g} to {high:g}).",
            )
    if mins[-1] > low:
        yield CrossCheckError(
            ("bands", len(bands) - 1, "min"),
            f"the lowest band must start at the bottom of the scale ({low:g}) so every score has a band.",
        )


def _check_unique_ids(v: _View) -> Iterator[CrossCheckError]:
    groups: list[tuple[str, list[tuple[Loc, object]]]] = [
        (kind, [((key, i, "id"), item.get("id")) for i, item in v.tables(key)])
        for kind, key in (("band", "bands"), ("source", "sources"), ("element", "elements"), ("role", "roles"),
                          ("principle", "principles"), ("practice", "practices"))
    ]
    groups.append(("statement", [(("principles", i, "statements", j, "id"), s.get("id"))
                                 for i, p in v.tables("principles")
                                 for j, s in enumerate(p.get("statements") or ()) if isinstance(s, dict)]))
    for kind, entries in groups:
        seen: set[str] = set()
        for loc, value in entries:
            if not isinstance(value, str) or loc in v.broken:
                continue
            if value in seen:
                yield CrossCheckError(loc, f"the {kind} id '{value}' is used twice; ids must be unique.")
            seen.add(value)


def _check_references(v: _View) -> Iterator[CrossCheckError]:
    elements, sources, principles = v.ids("elements"), v.ids("sources"), v.ids("principles")
    for i, p in v.tables("principles"):
        element, source = p.get("element"), p.get("source")
        if elements is not None and isinstance(element, str) and ("principles", i, "element") not in v.broken \
                and element not in elements:
            yield CrossCheckError(("principles", i, "element"),
                                  f"principle '{p.get('id')}' names element '{element}', which is not among "
                                  f"the elements: {', '.join(sorted(elements))}.")
        if sources is not None and isinstance(source, str) and ("principles", i, "source") not in v.broken \
                and source not in sources:
            yield CrossCheckError(("principles", i, "source"),
                                  f"principle '{p.get('id')}' cites source '{source}', which is not in [[sources]].")
        statements = p.get("statements")
        for j, st in enumerate(statements if isinstance(statements, (list, tuple)) else ()):
            cited = st.get("source") if isinstance(st, dict) else None
            if sources is not None and isinstance(cited, str) \
                    and ("principles", i, "statements", j, "source") not in v.broken and cited not in sources:
                yield CrossCheckError(("principles", i, "statements", j, "source"),
                                      f"statement '{st.get('id')}' cites source '{cited}', which is not in [[sources]].")
    for i, pr in v.tables("practices"):
        helps = pr.get("helps")
        if principles is not None and isinstance(helps, (list, tuple)):
            for j, target in enumerate(helps):
                if isinstance(target, str) and ("practices", i, "helps", j) not in v.broken \
                        and target not in principles:
                    yield CrossCheckError(("practices", i, "helps", j),
                                          f"practice '{pr.get('id')}' helps principle '{target}', which does not exist.")
        source = pr.get("source")
        if sources is not None and isinstance(source, str) and ("practices", i, "source") not in v.broken \
                and source not in sources:
            yield CrossCheckError(("practices", i, "source"),
                                  f"practice '{pr.get('id')}' cites source '{source}', which is not in [[sources]].")


def _check_coverage(v: _View) -> Iterator[CrossCheckError]:
    practices_whole = not v.broken_under("practices") and not v.stray_tables
    helped = {target for _, pr in v.tables("practices") for target in (pr.get("helps") or ())
              if isinstance(target, str)}
    for i, p in v.tables("principles"):
        pid = p.get("id")
        if not isinstance(pid, str) or ("principles", i, "id") in v.broken:
            continue
        statements = p.get("statements") or ()
        if isinstance(statements, (list, tuple)) and len(statements) < 2 and not v.stray_tables \
                and not v.broken_under("principles", i, "statements"):
            yield CrossCheckError(("principles", i, "statements"),
                                  f"principle '{pid}' needs at least two statements (it has {len(statements)}).")
        if practices_whole and pid not in helped:
            yield CrossCheckError(("principles", i, "id"),
                                  f"principle '{pid}' has no practice: name it in the 'helps' list of at "
                                  "least one [[practices]] entry.")
