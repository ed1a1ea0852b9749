"""The release rule for board reviews: what may be shown about a group without showing anyone.

Everything a review shows about a group — the dashboard, present mode, participants' results, the
CSV, the board pack, role comparisons and merged groups — is made by `aggregate.aggregate`, and
when it is given a `Ledger` (the storage always gives the review's), by `publish` here. The rule:

    Nothing is released that differs from anything released earlier in the same review (another
    group, a merge, an earlier snapshot) by the answers of fewer than `min_size` people.

It is statistical disclosure control, applied to each released figure ("cell": a group's
statistics for one principle, or the whole review's distribution of answers to one statement):

Primary suppression
    A cell made from fewer than `min_size` people is not shown (`aggregate.Suppressed`).
Complementary suppression, within one release (the "remainder rule")
    The role groups of a release partition the review. If the whole review's cell is shown and the
    people in it who are in no shown role group's cell number 1 to `min_size` − 1, their figures
    could be worked out as "everyone minus the groups shown"; the smallest shown group's cell is
    withheld too (`Withheld`), and so on until the remainder is 0 or at least `min_size`.
Complementary suppression across releases (merges and time)
    The `Ledger` keeps, for each cell key, who contributed what to every cell ever shown. A
    candidate cell whose contributions differ from any cell shown before (or earlier in the same
    release) by 1 to `min_size` − 1 people is withheld: merging a hidden group into a shown one
    and separating them again, or exporting before and after one person answers, reveals nothing.
    A person's contribution differs when they joined, left, changed role into or out of a group,
    or their score (answer) in that cell changed.
Snapshots
    Results are computed from a snapshot of everyone's answers, which advances (`publish`) only when
    at least `min_size` people have joined, changed answers or role, or left since the last one,
    or when the review has closed. So a live dashboard does not tick with each answer; a cell
    that would still differ by too few people is withheld by the ledger.

Released cells hold no answers: each person's contribution is recorded as a version number, one
per distinct value (`Ledger.version`); the values behind the versions are kept only while the
person is in the review (`Ledger.forget` drops them when they withdraw).

What this does not cover (see SECURITY.md): combinations of three or more released cells other
than the partition remainder; and a member of a group of exactly `min_size` always learns
something about the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Contribution = tuple[Hashable, int]  # (person, version of what they put into the cell)
Cell = frozenset  # of Contribution


def people(cell: Iterable[Contribution]) -> set:
    return {person for person, _ in cell}


def people_apart(a: Cell, b: Cell) -> int:
    """How many people's contributions differ between two cells: in one and not the other, or
    in both with a different value."""
    return len(people(a ^ b))


@dataclass
class Ledger:
    """One review's record of released cells, and the current version of each contribution.

    `released[key]` holds every distinct cell shown under that key; `current[person][key]` lists
    the values the person's contribution has had while in the review, its index being the version.
    JSON round-trips with `to_json`.
    """

    released: dict[str, set[Cell]] = field(default_factory=dict)
    current: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    changed: bool = False  # set when anything was added, so the caller knows to save it

    def version(self, person: Hashable, key: str, value: object) -> Contribution:
        """The person's contribution to cells under `key` when it is `value` (a score, an answer):
        the same value always gets the same version, so cells compare exactly as their values."""
        seen = self.current.setdefault(str(person), {}).setdefault(key, [])
        label = json.dumps(value)
        if label not in seen:
            seen.append(label)
            self.changed = True
        return (person, seen.index(label))

    def forget(self, person: Hashable) -> None:
        """Drop what the person's contributions were (they left the review). Their versions in
        released cells stay, so cells without them still count as differing by them."""
        if self.current.pop(str(person), None) is not None:
            self.changed = True

    def too_close(self, key: str, cell: Cell, min_size: int) -> bool:
        """Whether `cell` differs from a cell already released under `key` by 1 to min_size − 1 people."""
        return any(0 < people_apart(cell, earlier) < min_size for earlier in self.released.get(key, ()))

    def record(self, key: str, cell: Cell) -> None:
        cells = self.released.setdefault(key, set())
        if cell not in cells:
            cells.add(cell)
            self.changed = True

    def to_json(self) -> str:
        return json.dumps({"released": {k: sorted(sorted([p, v] for p, v in c) for c in cells)
                                        for k, cells in self.released.items()},
                           "current": self.current}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Ledger:
        if not text:
            return cls()
        data = json.loads(text)
        released = {k: {frozenset((p, v) for p, v in c) for c in cells} for k, cells in data["released"].items()}
        return cls(released, data["current"])


# --- cells in one release ---------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A cell that could be released: `group` names it (its position in the release); `people`
    contribute to it, `values` (a callable, called only when a ledger needs them) gives each
    one's value, in the same order."""

    group: int  # 0: the whole review; 1...: the role groups, in order
    people: Sequence[Hashable]
    values: Callable[[], Sequence[object]]

    @property
    def contributions(self) -> dict:
        return dict(zip(self.people, self.values()))


def release(key: str, candidates: list[Candidate], min_size: int, ledger: Ledger | None) -> set[int]:
    """Which candidates' cells (by `group`) are withheld by complementary suppression, given that
    those with fewer than `min_size` contributions are suppressed already (primary) and are left
    out of `candidates`' decisions. Records the cells released in the ledger."""
    withheld: set[int] = set()
    shown = [c for c in candidates if len(c.people) >= min_size]
    cells = {}
    # Across releases: against everything shown before.
    if ledger is not None:
        for c in shown:
            cells[c.group] = frozenset(ledger.version(p, key, v) for p, v in zip(c.people, c.values()))
            if ledger.too_close(key, cells[c.group], min_size):
                withheld.add(c.group)
    # Within the release: the remainder rule over the partition into role groups.
    whole = next((c for c in shown if c.group == 0 and c.group not in withheld), None)
    if whole is not None:
        parts = [c for c in shown if c.group != 0 and c.group not in withheld]
        everyone = set(whole.people)
        while True:
            covered = set().union(*(c.people for c in parts)) if parts else set()
            remainder = len(everyone - covered)
            if remainder == 0 or remainder >= min_size or not parts:
                break
            smallest = min(parts, key=lambda c: (len(c.people), -c.group))
            withheld.add(smallest.group)
            parts.remove(smallest)
    # Within a release the role groups are disjoint, so a shown group differs from another by at
    # least 2 × min_size people, and from the whole review by the other shown groups plus the
    # remainder: at least min_size, or nobody. So the remainder rule covers the pairs here.
    if ledger is not None:
        for c in shown:
            if c.group not in withheld:
                ledger.record(key, cells[c.group])
    return withheld


# --- snapshots ---------------------------------------------------------------------------------

Person = tuple[str | None, dict[str, int | None]]  # (role, {statement id: value or None})


def changed_people(before: Mapping[str, Person], now: Mapping[str, Person]) -> int:
    """How many people joined, left, or changed their role or answers between two states."""
    return sum(1 for p in set(before) | set(now) if _normal(before.get(p)) != _normal(now.get(p)))


def _normal(person: Person | None):
    if person is None:
        return None
    role, answers = person
    return role, tuple(sorted(answers.items()))


def advances(before: Mapping[str, Person], now: Mapping[str, Person], min_size: int, closed: bool) -> bool:
    """Whether the published snapshot moves from `before` to `now`."""
    moved = changed_people(before, now)
    return moved >= min_size or (closed and moved > 0)


__all__ = ["Candidate", "Ledger", "advances", "changed_people", "people_apart", "release"]
