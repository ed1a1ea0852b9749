"""Board reviews' shared picture: the facilitator's dashboard, participants' results, the
meeting-room screen and the CSV, all of it published results (`published.Publication`).

`Reviews` is the review store (`storage.reviews.ReviewStore`: links, participants, answers)
with the results on top. It reads the stored answers through the store's public methods and
releases them with `published.Publication` (the release rule is `disclosure`'s); the store
saves what was published.

    from joiningforces.board import Reviews

    reviews = Reviews(store)
    reviews.results(participant_token)   # their own scores, and the group's once allowed
    reviews.dashboard(facilitator_token)  # counts, the group picture, actions
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from .aggregate import ReviewAggregate, to_csv
from .published import Publication
from .records import Action, Review, ReviewInfo
from .scoring import Result, score
from .storage.faults import retrying
from .storage.reviews import LiveReview, Participant, ReviewStore

WAITING_FOR_ANSWERS = "answers"  # ParticipantResults.waiting_for: answer something first
WAITING_FOR_CLOSING = "closing"  # the facilitator chose to show results only once the review closes


@dataclass(frozen=True)
class ParticipantResults:
    """A participant's own scores, and the group's (all aggregate) once they may see them."""

    participant: Participant
    own: Result
    group: ReviewAggregate | None
    waiting_for: str | None  # why `group` is None: WAITING_FOR_ANSWERS or WAITING_FOR_CLOSING


@dataclass(frozen=True)
class Dashboard:
    """The facilitator's dashboard data."""

    review: Review
    joined: int  # participants who opened the link and chose a role, answered or not
    joined_by_role: dict[str | None, int]  # every review role (zeros too); None: no role asked
    group: ReviewAggregate  # respondents (answered ≥ 1) and their count by role are in here
    own: Result | None  # the facilitator's own scores, if they took part
    own_token: str | None  # the facilitator's own participant link, to change their answers
    actions: tuple[Action, ...]  # agreed in this review (they are in the notebook too)
    invited: int = 0  # invitations made
    invitations_used: int = 0
    pending: int = 0  # people who joined, changed answers or left since the results were last published
    answered: int = 0  # people who have answered something now (the results count those published)


@dataclass(frozen=True)
class Presentation:
    """What the meeting-room screen shows: the review's name and status and the published results."""

    review: ReviewInfo
    group: ReviewAggregate


class Reviews(ReviewStore):
    """Board reviews with their published results. Make one per store and share it: it keeps the
    publications it last used decoded (`_Kept`), which saves most of a dashboard's work."""

    def __init__(self, store):
        super().__init__(store)
        self._kept = _Kept()

    @retrying
    def dashboard(self, facilitator_token: str, groups: Mapping[str, str] | None = None) -> Dashboard:
        """Everything the facilitator's page shows, all of it aggregate and published (see
        `published`), plus their own scores if they took part. `groups` overrides the saved role
        groups, unsaved (what it shows is released like anything else)."""
        view = self.facilitator_view(facilitator_token)
        own = None if view.own_answers is None else score(view.rubric, view.own_answers)
        review = view.review
        joined_by_role: dict[str | None, int] = {r: 0 for r in review.roles} if review.roles else {None: 0}
        for role in view.roles_joined:
            joined_by_role[role] = joined_by_role.get(role, 0) + 1
        group, pending, answered = self._published(view.key, groups)
        return Dashboard(review, len(view.roles_joined), joined_by_role, group, own, view.own_token,
                         view.actions, view.invited, view.invitations_used, pending, answered)

    def csv(self, facilitator_token: str, groups: Mapping[str, str] | None = None) -> str:
        """The aggregate results as spreadsheet-safe CSV (`aggregate.to_csv`)."""
        return to_csv(self.dashboard(facilitator_token, groups).group)

    @retrying
    def results(self, token: str) -> ParticipantResults:
        """The participant's own scores, and the group's aggregate once they have answered
        something (and, if the facilitator chose so, once the review has closed)."""
        view = self.participant_in(token)
        me = view.participant
        own = score(view.rubric, me.answers)
        if view.results_after_close and not view.closed:
            return ParticipantResults(me, own, None, WAITING_FOR_CLOSING)
        if not me.answers:
            return ParticipantResults(me, own, None, WAITING_FOR_ANSWERS)
        return ParticipantResults(me, own, self._published(view.key, None)[0], None)

    @retrying
    def presentation(self, presenter_token: str) -> Presentation:
        """What the presentation link shows: the review's name and status and its published results."""
        info, key = self.presented(presenter_token)
        return Presentation(info, self._published(key, None)[0])

    def _published(self, key: int, groups: Mapping[str, str] | None) -> tuple[ReviewAggregate, int, int]:
        """The published results, how many people's changes are not in them yet and how many have
        answered now. One release per review at a time in this process (they share its ledger)."""
        with self._kept.lock(key):
            def release(now: LiveReview):
                kept = self._catch_up(key, now)
                publication = kept.publication
                groups_now = now.role_groups if groups is None else groups
                asked = (json.dumps(groups_now, sort_keys=True), now.min_size, tuple(now.role_ids))
                if publication.advance(now.live, now.min_size, now.closed):
                    kept.results.clear()
                if asked not in kept.results:
                    kept.results[asked] = publication.release(now.rubric, min_size=now.min_size,
                                                              role_ids=now.role_ids, groups=groups_now)
                outcome = (kept.results[asked], publication.pending(now.live), len(now.live))
                save = (publication.to_json(), publication.new_cells()) if publication.changed else None
                return (outcome, kept), save

            (outcome, kept), revision, last_cell = self.publish(key, release)
            kept.publication.saved()
            kept.revision = revision
            kept.last_cell = kept.last_cell if last_cell is None else last_cell
            self._kept.put(key, kept)
            return outcome

    def _catch_up(self, key: int, now: LiveReview) -> _Release:
        """The review's publication as saved: the one kept here, if any, brought up to date with
        what other processes saved since; else read whole."""
        kept = self._kept.take(key)  # a release that fails half-way leaves nothing kept
        if kept is None:
            rows = now.cells(0)
            kept = _Release(Publication.from_json(now.publication(), [(k, c) for _, k, c in rows]), now.revision)
        elif kept.revision != now.revision:
            rows = now.cells(kept.last_cell)
            kept.publication.reload(now.publication(), [(k, c) for _, k, c in rows])
            kept.results.clear()
            kept.revision = now.revision
        else:
            return kept
        kept.last_cell = max((i for i, _, _ in rows), default=kept.last_cell)
        return kept

    @retrying
    def withdraw(self, token: str) -> None:  # type: ignore[override]
        """Leave the review before it closes: the participant and all their answers are deleted,
        their link stops working, and their answers leave the published snapshot."""
        super().withdraw(token, forget=_forget)


@dataclass
class _Release:
    """A review's publication as this process last saw it saved (`revision`, and the id of the
    last released cell read or written), with the results worked out from it by the role groups
    asked for; they are kept while the snapshot does not move."""

    publication: Publication
    revision: str | None
    last_cell: int = 0
    results: dict = field(default_factory=dict)


class _Kept:
    """The publications of the reviews this process looked at last, decoded. One is used only
    after catching up with the stored revision (`Reviews._catch_up`): a publication saved by
    another process (a replica), or after a withdrawal, is read again, with only the new cells."""

    SIZE = 8  # reviews kept per process; 200 people × 71 statements after 40 releases keep about 13 MB

    def __init__(self):
        self._entries: OrderedDict[int, _Release] = OrderedDict()
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, key: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def take(self, key: int) -> _Release | None:
        with self._guard:
            return self._entries.pop(key, None)

    def put(self, key: int, kept: _Release) -> None:
        if not kept.revision:  # nothing saved yet: nothing to compare with next time
            return
        with self._guard:
            self._entries[key] = kept
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)


def _forget(data: str, person: str) -> tuple[str, list[tuple[str, str]]]:
    publication = Publication.from_json(data)  # who is who and the snapshot; the cells stay as they are
    publication.forget(person)
    return publication.to_json(), publication.new_cells()


__all__ = ["WAITING_FOR_ANSWERS", "WAITING_FOR_CLOSING", "Dashboard", "ParticipantResults", "Presentation",
           "Reviews"]
