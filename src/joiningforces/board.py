"""Board reviews' shared picture: the facilitator's dashboard, participants' results, the
meeting-room screen and the CSV, all of it published results (`published.Publication`).

`Reviews` is the review store (`storage.reviews.ReviewStore`: links, participants, answers)
with the results on top. It reads the stored answers through the store's public methods and
releases them with `published.Publication.publish` (the release rule is `disclosure`'s); the
store saves what was published.

    from joiningforces.board import Reviews

    reviews = Reviews(store)
    reviews.results(participant_token)   # their own scores, and the group's once allowed
    reviews.dashboard(facilitator_token)  # counts, the group picture, actions
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
    """Board reviews with their published results. Make one per store (cheap) and share it."""

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
        group, pending, answered = self.publish(view.key, lambda now: _release(now, groups))
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
        return ParticipantResults(me, own, self.publish(view.key, lambda now: _release(now, None))[0], None)

    @retrying
    def presentation(self, presenter_token: str) -> Presentation:
        """What the presentation link shows: the review's name and status and its published results."""
        info, key = self.presented(presenter_token)
        return Presentation(info, self.publish(key, lambda now: _release(now, None))[0])

    @retrying
    def withdraw(self, token: str) -> None:  # type: ignore[override]
        """Leave the review before it closes: the participant and all their answers are deleted,
        their link stops working, and their answers leave the published snapshot."""
        super().withdraw(token, forget=_forget)


def _release(now: LiveReview, groups: Mapping[str, str] | None
             ) -> tuple[tuple[ReviewAggregate, int, int], str | None]:
    """The published results, how many people's changes are not in them yet and how many have
    answered now; and the publication to save, if it changed."""
    publication = Publication.from_json(now.publication)
    group = publication.publish(now.rubric, now.live, min_size=now.min_size, role_ids=now.role_ids,
                                groups=now.role_groups if groups is None else groups, closed=now.closed)
    outcome = (group, publication.pending(now.live), len(now.live))
    return outcome, (publication.to_json() if publication.changed else None)


def _forget(data: str, person: str) -> str:
    publication = Publication.from_json(data)
    publication.forget(person)
    return publication.to_json()


__all__ = ["WAITING_FOR_ANSWERS", "WAITING_FOR_CLOSING", "Dashboard", "ParticipantResults", "Presentation",
           "Reviews"]
