"""A review's published results: the snapshot everyone sees and the ledger of what was released.

Every view of a review's group results (the facilitator's dashboard and present mode, the
presentation screen, participants' results, the CSV and the board pack) is a `Publication`'s
`advance` (the snapshot moves on only as `disclosure.advances` allows) then `release` (through
`aggregate.aggregate` with the review's `disclosure.Ledger`); `publish` does both. The storage keeps each review's
`Publication` whenever it `changed`: its snapshot and who is who as one JSON text (`to_json`), and
each released cell as it is recorded (`new_cells`), so a save writes what is new, not the ledger.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .aggregate import Responses, ReviewAggregate, aggregate
from .disclosure import Ledger, Person, advances, changed_people
from .models import Rubric


@dataclass
class Publication:
    snapshot: dict[str, Person] = field(default_factory=dict)  # person id -> (role, answers), respondents only
    ledger: Ledger = field(default_factory=Ledger)
    moved: bool = False  # the snapshot changed in this session

    @property
    def changed(self) -> bool:
        return self.moved or self.ledger.changed

    def pending(self, live: Mapping[str, Person]) -> int:
        """How many people joined, changed or left since the snapshot (not yet in the results)."""
        return changed_people(self.snapshot, live)

    def publish(self, rubric: Rubric, live: Mapping[str, Person], *, min_size: int, role_ids: Sequence[str],
                groups: Mapping[str, str] | None, closed: bool) -> ReviewAggregate:
        """The results everyone may see now. `live` is every respondent's current role and answers
        (people with no answer left out); `closed` whether the review has closed."""
        self.advance(live, min_size, closed)
        return self.release(rubric, min_size=min_size, role_ids=role_ids, groups=groups)

    def advance(self, live: Mapping[str, Person], min_size: int, closed: bool) -> bool:
        """Move the snapshot on to `live` if `disclosure.advances` allows; whether it moved."""
        if not advances(self.snapshot, live, min_size, closed):
            return False
        self.snapshot = {p: (role, dict(answers)) for p, (role, answers) in live.items()}
        self.moved = True
        return True

    def release(self, rubric: Rubric, *, min_size: int, role_ids: Sequence[str],
                groups: Mapping[str, str] | None) -> ReviewAggregate:
        """The results of the snapshot as it is, released through the ledger."""
        return aggregate(self.responses(rubric), min_size=min_size, role_ids=role_ids, groups=groups,
                         ledger=self.ledger)

    def responses(self, rubric: Rubric) -> Responses:
        people = sorted(self.snapshot)
        rows = [(p, sid, v) for p in people for sid, v in self.snapshot[p][1].items()]
        data = np.array(rows, dtype=object).reshape(-1, 3)
        return Responses.from_rows(rubric, data[:, 0], data[:, 1], data[:, 2],
                                   roles={p: self.snapshot[p][0] for p in people})

    def forget(self, person: str) -> None:
        """Someone withdrew: their answers leave the snapshot now (cells that would then differ by
        too few people are withheld by the ledger) and their values leave the ledger."""
        if self.snapshot.pop(person, None) is not None:
            self.moved = True
        self.ledger.forget(person)

    def saved(self) -> None:
        """What changed has been saved."""
        self.moved = False
        self.ledger.saved()

    def to_json(self) -> str:
        """The snapshot and who is who in the ledger; its cells are saved apart (`new_cells`)."""
        return json.dumps({"snapshot": {p: [r, a] for p, (r, a) in self.snapshot.items()},
                           "ledger": self.ledger.to_data()}, separators=(",", ":"))

    def new_cells(self) -> list[tuple[str, str]]:
        """The cells recorded since the last save, as (key, JSON) to keep beside the earlier ones."""
        return [(key, json.dumps(sorted(cell))) for key, cell in self.ledger.fresh]

    @classmethod
    def from_json(cls, text: str | None, cells: Iterable[tuple[str, str]] = ()) -> Publication:
        """From `to_json` and every cell saved (`new_cells`, in any order)."""
        if not text:
            return cls()
        data = json.loads(text)
        return cls(_snapshot(data), Ledger.from_data(data["ledger"], _cells(cells)))

    def reload(self, text: str, cells: Iterable[tuple[str, str]]) -> None:
        """Catch up with what another process saved: its `to_json` and the cells it added."""
        data = json.loads(text)
        self.snapshot = _snapshot(data)
        self.ledger.reload(data["ledger"])
        for key, codes in _cells(cells):
            self.ledger.add(key, codes)


def _snapshot(data: dict) -> dict[str, Person]:
    return {p: (r, a) for p, (r, a) in data["snapshot"].items()}


def _cells(cells: Iterable[tuple[str, str]]) -> Iterable[tuple[str, list[int]]]:
    return ((key, json.loads(codes)) for key, codes in cells)


__all__ = ["Publication"]
