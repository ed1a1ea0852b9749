"""One person's notebook: the store as seen by an `Actor`, every call checked by `access.allowed`.

Pages and exports use this, never the store directly, so that nobody reaches what is not theirs:
what they may not see is `NotFound`, exactly like what does not exist.

    notebook = Notebook(store, Actor.notebook(key))
    a = notebook.start(rubric_text, partnership="Riverside")   # a.link: the private resume link
    notebook.set_answers(a.id, {"trust-1": 4})
    notebook.assessments()                                      # theirs only
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from .access import DATABASE, Action, Actor, Thing, What, allowed
from .records import Action as PlannedAction
from .records import Assessment, AssessmentSummary, ImportSummary, Review, ReviewSummary
from .storage import NotFound, ReviewStore, Store


class Notebook:
    def __init__(self, store: Store, actor: Actor, *, library_write: bool = False):
        self.store = store
        self.actor = actor
        self.library_write = library_write

    def may(self, action: Action | str, thing: Thing) -> bool:
        return allowed(self.actor, action, thing, library_write=self.library_write)

    def _check(self, action: Action | str, thing: Thing) -> None:
        if not self.may(action, thing):
            raise NotFound()

    def _owner(self) -> str:
        if not self.actor.keeps_things:
            raise PermissionError("Sign in, or open your notebook link, to keep anything.")
        return self.actor.owner  # type: ignore[return-value]

    # --- assessments ---------------------------------------------------------------------------

    @staticmethod
    def _thing(a: Assessment | AssessmentSummary) -> Thing:
        return Thing(What.ASSESSMENT, owner=a.belongs_to, id=a.id)

    def start(self, rubric_text: str, *, partnership: str, respondent: str = "") -> Assessment:
        """A new assessment in this notebook; its `link` is the private resume link (shown once)."""
        owner = self._owner()
        digest = self.store.snapshot_rubric(rubric_text)
        return self.store.create_assessment(rubric_hash=digest, partnership=partnership, respondent=respondent,
                                            belongs_to=owner)

    def assessment(self, assessment_id: str, action: Action = Action.READ) -> Assessment:
        found = self.store.get_assessment(assessment_id)
        self._check(action, self._thing(found))
        return found

    def open_link(self, token: str) -> Assessment:
        """The assessment a resume link opens. The link is the key: from now on this notebook's
        actor holds it (`self.actor` changes), and may read and change that one assessment."""
        found = self.store.assessment_for_link(token)
        self.actor = self.actor.holding_link(found.id)
        return found

    def adopt(self, assessment_id: str) -> Assessment:
        """Add an assessment opened by its resume link to this notebook."""
        self.assessment(assessment_id, Action.CHANGE)
        return self.store.move_assessment(assessment_id, self._owner())

    def set_answers(self, assessment_id: str, answers: Mapping[str, int | None]) -> None:
        self.assessment(assessment_id, Action.CHANGE)
        self.store.set_answers(assessment_id, answers)

    def clear_answers(self, assessment_id: str, statement_ids) -> None:
        """Take answers back: those statements are unanswered again (not "don't know")."""
        self.assessment(assessment_id, Action.CHANGE)
        for statement_id in statement_ids:
            self.store.clear_answer(assessment_id, statement_id)

    def set_note(self, assessment_id: str, principle_id: str, text: str) -> None:
        self.assessment(assessment_id, Action.CHANGE)
        self.store.set_note(assessment_id, principle_id, text)

    def update_details(self, assessment_id: str, **details) -> Assessment:
        self.assessment(assessment_id, Action.CHANGE)
        return self.store.update_details(assessment_id, **details)

    def replace_link(self, assessment_id: str) -> str:
        """A new private resume link; the old one stops working at once."""
        self.assessment(assessment_id, Action.CHANGE)
        return self.store.replace_link(assessment_id)

    def delete(self, assessment_id: str) -> None:
        self.assessment(assessment_id, Action.DELETE)
        self.store.delete_assessment(assessment_id)

    def rubric(self, assessment: Assessment):
        return self.store.rubric(assessment.rubric_hash)

    def assessments(self, search: str = "", partnership: str | None = None, *, limit: int | None = None,
                    offset: int = 0) -> list[AssessmentSummary]:
        """This notebook's assessments, newest first; `limit` and `offset` give one page of them."""
        if not self.actor.keeps_things:
            return []
        found = self.store.list_assessments(search, partnership, belongs_to=self.actor.owner, limit=limit,
                                            offset=offset)
        return [a for a in found if self.may(Action.READ, self._thing(a))]

    def count_assessments(self, search: str = "", partnership: str | None = None) -> int:
        """How many `assessments(search, partnership)` lists without a limit."""
        if not self.actor.keeps_things:
            return 0
        return self.store.count_assessments(search, partnership, belongs_to=self.actor.owner)

    def holds(self, assessment_id: str | None) -> bool:
        """Whether the assessment is in this notebook (not only opened with its link)."""
        if assessment_id is None or not self.actor.keeps_things:
            return False
        try:
            return self.assessment(assessment_id).belongs_to == self.actor.owner
        except NotFound:
            return False

    def partnerships(self) -> list[str]:
        return self.store.partnerships(belongs_to=self.actor.owner) if self.actor.keeps_things else []

    def assessments_for(self, partnership: str) -> list[Assessment]:
        if not self.actor.keeps_things:
            return []
        found = self.store.assessments_for(partnership, belongs_to=self.actor.owner)
        return [a for a in found if self.may(Action.READ, self._thing(a))]

    # --- actions -------------------------------------------------------------------------------

    def add_action(self, partnership: str, principle_id: str, text: str, owner: str = "",
                   due: date | None = None, assessment_id: str | None = None) -> PlannedAction:
        if assessment_id is not None:
            self.assessment(assessment_id, Action.CHANGE)
        return self.store.add_action(partnership, principle_id, text, owner=owner, due=due,
                                     assessment_id=assessment_id, belongs_to=self._owner())

    def _action(self, action_id: int, action: Action) -> PlannedAction:
        found = self.store.get_action(action_id)
        self._check(action, Thing(What.ACTION, owner=found.belongs_to))
        return found

    def update_action(self, action_id: int, **changes) -> PlannedAction:
        self._action(action_id, Action.CHANGE)
        return self.store.update_action(action_id, **changes)

    def delete_action(self, action_id: int) -> None:
        self._action(action_id, Action.DELETE)
        self.store.delete_action(action_id)

    def actions_for(self, partnership: str, include_done: bool = True) -> list[PlannedAction]:
        if not self.actor.keeps_things:
            return []
        found = self.store.actions_for(partnership, include_done, belongs_to=self.actor.owner)
        return [a for a in found if self.may(Action.READ, Thing(What.ACTION, owner=a.belongs_to))]

    # --- board reviews -------------------------------------------------------------------------

    def create_review(self, reviews: ReviewStore, *, rubric_text: str, **settings) -> Review:
        owner = self._owner()
        return reviews.create_review(rubric_hash=self.store.snapshot_rubric(rubric_text), belongs_to=owner,
                                     **settings)

    def reviews(self, reviews: ReviewStore) -> list[ReviewSummary]:
        if not self.actor.keeps_things:
            return []
        return reviews.reviews_of(self.actor.owner)

    def new_facilitator_link(self, reviews: ReviewStore, review_uid: str) -> str:
        """A new facilitator link for one of this notebook's reviews (the old link stops working)."""
        self._check(Action.CHANGE, Thing(What.REVIEW, owner=reviews.owner_of(review_uid)))
        return reviews.replace_facilitator_link(review_uid)

    # --- the whole database --------------------------------------------------------------------

    def may_back_up(self) -> bool:
        return self.may(Action.EXPORT, DATABASE)

    def export_database(self) -> str:
        self._check(Action.EXPORT, DATABASE)
        return self.store.export_notebook()

    def import_database(self, data: str | bytes) -> ImportSummary:
        self._check(Action.CHANGE, DATABASE)
        return self.store.import_notebook(data)


__all__ = ["Notebook"]
