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

Released cells hold no answers: each person's contribution is recorded as a digest of their value
keyed with a salt of theirs (`Ledger.version`); the salt is kept only while the person is in the
review (`Ledger.forget` drops it when they withdraw), after which nothing links the digests to values.

What this does not cover (see SECURITY.md): combinations of three or more released cells other
than the partition remainder; and a member of a group of exactly `min_size` always learns
something about the others.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

Cell = frozenset  # of contributions (`Ledger.version`)

SHIFT = 40  # a contribution is one int: the person's seat above, a 40-bit digest of their value below


def people(cell: Iterable[int]) -> set[int]:
    """The seats (people) in a cell or in a difference of cells."""
    return {code >> SHIFT for code in cell}


def people_apart(a: Cell, b: Cell) -> int:
    """How many people's contributions differ between two cells: in one and not the other, or
    in both with a different value."""
    return len(people(a ^ b))


BUCKETS = 16  # `_Index` spreads people over this many buckets, by seat


def _signature(cell: Cell) -> list[int]:
    """A hash of each bucket's part of the cell. Two cells d people apart differ in at most d buckets."""
    parts: list[list[int]] = [[] for _ in range(BUCKETS)]
    for code in cell:
        parts[(code >> SHIFT) % BUCKETS].append(code)
    return [hash(frozenset(part)) for part in parts]


class _Index:
    """The cells released under one key with their bucket signatures, to find the few that could
    be close to a new cell without comparing it with each (a review that stays live releases
    hundreds). Exact, not a guess: a cell fewer than `min_size` people apart from another matches
    it in more than BUCKETS − min_size buckets, so no close cell is left out."""

    def __init__(self, cells: Iterable[Cell]):
        self.cells: list[Cell] = []
        self._pending: list[list[int]] = []
        self._table = np.empty((0, BUCKETS), dtype=np.int64)
        for cell in cells:
            self.add(cell)

    def add(self, cell: Cell) -> None:
        self.cells.append(cell)
        self._pending.append(_signature(cell))

    def candidates(self, cell: Cell, min_size: int) -> list[Cell]:
        if self._pending:
            self._table = np.vstack([self._table, np.array(self._pending, dtype=np.int64)])
            self._pending = []
        same = (self._table == np.array(_signature(cell), dtype=np.int64)).sum(axis=1)
        return [self.cells[i] for i in np.flatnonzero(same > BUCKETS - min_size)]


@dataclass
class Ledger:
    """One review's record of released cells.

    A contribution is an int: the person's *seat* (a number given the first time they are seen)
    above a 40-bit keyed digest of their value under the cell's key, the key being a random salt
    of theirs. So cells compare exactly as the values in them (same value, same digest) without
    holding any: `forget` drops the salt of someone who left, after which nothing links their
    digests to values. `released[key]` holds every distinct cell shown under that key; any two of
    them differ by nobody or by at least `min_size` people (`release` records only such cells).
    Saved as `to_data` (who is who) and the cells one by one as they are recorded (`fresh`);
    `from_data` reads both back.
    """

    released: dict[str, set[Cell]] = field(default_factory=dict)
    seats: dict[str, int] = field(default_factory=dict)  # person -> seat, for everyone ever seen
    salts: dict[str, str] = field(default_factory=dict)  # person -> salt (hex), while in the review
    changed: bool = False  # set when anything was added, so the caller knows to save it
    fresh: list[tuple[str, Cell]] = field(default_factory=list)  # cells recorded since the last save
    _codes: dict = field(default_factory=dict, repr=False, compare=False)  # (person, key, value) -> code
    _indexes: dict = field(default_factory=dict, repr=False, compare=False)  # key -> _Index, made when needed
    INDEX_FROM: ClassVar[int] = 12  # compare with every released cell under a key below this many

    def version(self, person: Hashable, key: str, value: object) -> int:
        """The person's contribution to cells under `key` when it is `value` (a score, an answer)."""
        memo = (person, key, value if value is None else (type(value), value))
        code = self._codes.get(memo)
        if code is None:
            code = self._code(str(person), key, json.dumps(value))
            self._codes[memo] = code
        return code

    def _code(self, person: str, key: str, label: str) -> int:
        seat = self.seats.get(person)
        if seat is None:
            seat = self.seats[person] = len(self.seats)
            self.changed = True
        salt = self.salts.get(person)
        if salt is None:
            salt = self.salts[person] = secrets.token_hex(16)
            self.changed = True
        digest = hashlib.blake2b(f"{key}\0{label}".encode(), digest_size=5, key=bytes.fromhex(salt)).digest()
        return seat << SHIFT | int.from_bytes(digest, "big")

    def forget(self, person: Hashable) -> None:
        """Drop the person's salt (they left the review). Their contributions in released cells
        stay, so cells without them still count as differing by them."""
        self._codes.clear()
        if self.salts.pop(str(person), None) is not None:
            self.changed = True

    def too_close(self, key: str, cell: Cell, min_size: int) -> bool:
        """Whether `cell` differs from a cell already released under `key` by 1 to min_size − 1 people."""
        earlier = self.released.get(key)
        if not earlier or cell in earlier:  # the same as a released cell: as far from the others as it
            return False
        if len(earlier) >= self.INDEX_FROM:
            if key not in self._indexes:
                self._indexes[key] = _Index(earlier)
            earlier = self._indexes[key].candidates(cell, min_size)
        for other in earlier:
            apart = cell ^ other
            # A person accounts for one or two codes of the difference, so a long one is far enough.
            if len(apart) < 2 * min_size and len(people(apart)) < min_size:
                return True
        return False

    def record(self, key: str, cell: Cell) -> None:
        if self.add(key, cell):
            self.fresh.append((key, cell))
            self.changed = True

    def add(self, key: str, codes: Iterable[int]) -> bool:
        """Add a cell (one recorded before, read back from storage); whether it was new."""
        cell, cells = frozenset(codes), self.released.setdefault(key, set())
        if cell in cells:
            return False
        cells.add(cell)
        if key in self._indexes:
            self._indexes[key].add(cell)
        return True

    def saved(self) -> None:
        """What changed has been saved."""
        self.fresh.clear()
        self.changed = False

    def to_data(self) -> dict:
        """Who is who (seats and salts); the cells are saved one by one, as they come (`fresh`)."""
        return {"format": 2, "seats": self.seats, "salts": self.salts}

    @classmethod
    def from_data(cls, data: dict, cells: Iterable[tuple[str, Iterable[int]]] = ()) -> Ledger:
        """From `to_data` and the cells saved so far ((key, codes) pairs)."""
        ledger = cls._from_format_1(data) if data.get("format") != 2 else cls({}, data["seats"], data["salts"])
        for key, codes in cells:
            ledger.add(key, codes)
        return ledger

    def reload(self, data: dict) -> None:
        """Who is who as another process saved it (the cells it recorded come with `add`)."""
        self.seats, self.salts = data["seats"], data["salts"]
        self._codes.clear()

    @classmethod
    def _from_format_1(cls, data: dict) -> Ledger:
        """A ledger saved before contributions were digests: cells of [person, index] pairs, the
        index counting the values each person's contribution had under that key (`current`,
        kept while they were in the review). Converted exactly: a person still in the review gets
        their value's digest; one who left, a digest under a salt that is thrown away."""
        ledger, gone = cls(), {}
        current = data.get("current", {})
        for person in current:
            ledger._code(person, "", "null")  # give everyone in the review a seat and salt first
        released = {}
        for key, cells in data.get("released", {}).items():
            converted = set()
            for cell in cells:
                codes = []
                for person, index in cell:
                    person = str(person)
                    labels = current.get(person, {}).get(key, [])
                    if index < len(labels):
                        codes.append(ledger._code(person, key, labels[index]))
                    else:  # they left: their versions differ from each other and from everyone's
                        if person not in gone:
                            gone[person] = cls()
                            gone[person].seats[person] = ledger.seats.setdefault(person, len(ledger.seats))
                        codes.append(gone[person]._code(person, key, str(index)))
                converted.add(frozenset(codes))
            released[key] = converted
            ledger.fresh += [(key, cell) for cell in converted]  # saved anew, one by one
        ledger.released = released
        ledger.changed = True
        return ledger


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
