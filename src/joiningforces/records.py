"""What the store keeps and hands out, and the rules every field follows: plain Python, no database.

The bottom layer. The store (`storage/store.py`) checks what it is given with these rules before
it writes anything, and so does a notebook file being imported (`storage/notebook.py`): one set of
rules, so a file cannot bring in what the app itself would refuse. Modules above the store
(reports, history, the board pack) take these records, never the store's own types.

Each `check_*` returns the clean value or raises ValueError with a message a person can be shown;
`as_token` and `as_uid` return None for something that is not shaped like a link or an id (the
store then says NotFound, the same as for an unknown one).
"""

from __future__ import annotations

import hashlib
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .access import LOCAL_OWNER
from .models import Rubric

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24): 24 random bytes, 32 characters
HEX64_RE = re.compile(r"[0-9a-f]{64}")  # a SHA-256 digest in hex
UID_RE = re.compile(r"[0-9a-f]{32}")  # uuid4().hex: an assessment's public handle (grants nothing alone)
OWNER_RE = re.compile(r"local|(notebook|user):[0-9a-f]{64}")
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")  # rubric ids (principles, statements), as in models.Id
MAX_NAME = 200
MAX_NOTE = 10_000
MAX_ACTION_TEXT = 2_000
MAX_LABEL = 200  # a role group's name
MAX_IDENTITY = 200  # a sign-in identity
ACTION_STATUSES = ("open", "doing", "done")
JOIN_BY = ("link", "invitation", "sign-in")  # how people join a review: shared link, invitation, sign-in
MIN_GROUP_FLOOR = 3  # below this a participant could work out another's answers from the group's

Answers = Mapping[str, "int | None"]


# --- what the store hands out ------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """One saved assessment. `answers` maps statement id to 1..5, or None for "don't know";
    a statement not in it has not been answered. `notes` maps principle id to text.

    `id` is its public handle (random; grants nothing without the owner's rights). `link` is the
    private resume link's token, known only just after it was made (`create_assessment`,
    `replace_link`): the store keeps only its digest."""

    id: str
    partnership: str
    respondent: str
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    created: datetime
    updated: datetime
    answers: dict[str, int | None]
    notes: dict[str, str]
    belongs_to: str = LOCAL_OWNER
    link: str | None = None


@dataclass(frozen=True)
class AssessmentSummary:
    """A row of the notebook list. `answered` counts "don't know" answers too (`dont_know` of them);
    `statements` is how many the rubric has."""

    id: str
    partnership: str
    respondent: str
    rubric_id: str
    rubric_version: str
    rubric_title: str
    created: datetime
    updated: datetime
    answered: int
    dont_know: int
    statements: int
    belongs_to: str = LOCAL_OWNER


@dataclass(frozen=True)
class Action:
    """Something a partnership agreed to do about a principle. It belongs to the partnership, so it
    carries forward from one assessment to the next; `assessment_id` is the id of the assessment
    where it was first raised (None if none, or if that assessment was deleted). `owner` is the
    person who will do it; `belongs_to` whose notebook it is in."""

    id: int
    partnership: str
    principle_id: str
    text: str
    owner: str
    due: date | None
    status: str  # open, doing or done
    assessment_id: str | None
    created: datetime
    updated: datetime
    belongs_to: str = LOCAL_OWNER


@dataclass(frozen=True)
class ImportSummary:
    """What importing a notebook file added, and what it found here already."""

    assessments_added: int
    assessments_skipped: int  # already in this notebook: kept as they were
    actions_added: int
    actions_skipped: int
    rubrics_added: int

    def __str__(self) -> str:
        text = f"Imported {self.assessments_added} assessment(s) and {self.actions_added} action(s)."
        if self.assessments_skipped or self.actions_skipped:
            text += (f" {self.assessments_skipped} assessment(s) and {self.actions_skipped} action(s) were "
                     "already here and were kept as they are.")
        return text


@dataclass(frozen=True)
class ReviewInfo:
    """What anyone with a working link may know about a board review."""

    title: str
    partnership: str  # agreed actions are filed under this name in the notebook
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    roles: tuple[str, ...]  # role ids participants choose from (rubric order); () = no role asked
    min_size: int
    results_after_close: bool  # participants see the group's results only once it has closed
    closes_at: datetime | None  # the planned closing time (None: open until closed by hand)
    closed_at: datetime | None  # when it closed, if it has (by hand or because closes_at passed)
    created: datetime
    join_by: str  # "link" (the shared link), "invitation" (single-use codes) or "sign-in"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True)
class Review(ReviewInfo):
    """The facilitator's view of a review, with both links: never show it to participants."""

    facilitator_token: str
    participant_token: str
    role_groups: dict[str, str]  # role id -> group label, for roles merged into groups
    updated: datetime
    uid: str = ""  # its public handle in its owner's notebook (grants nothing by itself)
    belongs_to: str = LOCAL_OWNER
    presenter_token: str | None = None  # the view-only link for a meeting-room screen, once made


@dataclass(frozen=True)
class ReviewSummary:
    """A row of an owner's list of reviews."""

    uid: str
    title: str
    partnership: str
    created: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class Participant:
    """One participant, as only they (holding `token`) may see it."""

    token: str  # their private link
    review: ReviewInfo
    role: str | None
    facilitator: bool  # the facilitator's own answers
    answers: dict[str, int | None]  # statement id -> value, None = don't know; absent = not answered
    created: datetime
    updated: datetime


# --- the rules every field follows -----------------------------------------------------------


class AnswerError(ValueError):
    """Answers that do not fit the rubric (unknown statements or values off the scale)."""


def as_token(token: object) -> str | None:
    """A link's token (spaces around it dropped) if it has the shape of one, else None."""
    if not isinstance(token, str):
        return None
    token = token.strip()
    return token if TOKEN_RE.fullmatch(token) else None


def as_uid(uid: object) -> str | None:
    """A public id (uuid4 hex; spaces around it dropped) if it has the shape of one, else None."""
    if not isinstance(uid, str) or not UID_RE.fullmatch(uid.strip()):
        return None
    return uid.strip()


def check_owner(owner: object) -> str:
    if not isinstance(owner, str) or not OWNER_RE.fullmatch(owner):
        raise ValueError(f"{owner!r} is not an owner (see access.Actor.owner).")
    return owner


def clean_name(value: object, what: str, *, required: bool) -> str:
    """A name with its spaces tidied (a partnership, respondent, owner, title)."""
    if not isinstance(value, str):
        raise ValueError(f"the {what} must be text.")
    value = " ".join(value.split())
    if required and not value:
        raise ValueError(f"the {what} is empty; give it a name.")
    if len(value) > MAX_NAME:
        raise ValueError(f"the {what} is too long (at most {MAX_NAME} characters).")
    return value


def check_note(text: object) -> str:
    """A note, stripped (empty means no note)."""
    if not isinstance(text, str):
        raise ValueError("a note must be text.")
    text = text.strip()
    if len(text) > MAX_NOTE:
        raise ValueError(f"the note is too long (at most {MAX_NOTE:,} characters).")
    return text


def partnership_key(name: str, belongs_to: str) -> str:
    """How partnerships are matched: per owner, ignoring case and extra spaces."""
    return f"{belongs_to}/" + " ".join(name.split()).casefold()


def as_datetime(value: datetime | date | None, what: str = "date") -> datetime:
    """A datetime in UTC; a naive datetime is taken as UTC, a date as the start of that day (UTC),
    None as now."""
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    raise ValueError(f"the {what} must be a date or a datetime, not {type(value).__name__}.")


def as_due(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError(f"the due date must be a date, not {type(value).__name__}.")


def check_status(status: object) -> str:
    if status not in ACTION_STATUSES:
        raise ValueError(f"an action's status is one of {', '.join(ACTION_STATUSES)}, not {status!r}.")
    return status  # type: ignore[return-value]


def check_action_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError("an action needs some text saying what will be done.")
    text = text.strip()
    if len(text) > MAX_ACTION_TEXT:
        raise ValueError(f"the action's text is too long (at most {MAX_ACTION_TEXT} characters).")
    return text


def check_principle_id(principle_id: object) -> str:
    if not isinstance(principle_id, str) or not ID_RE.fullmatch(principle_id):
        raise ValueError(f"{principle_id!r} is not a principle id.")
    return principle_id


def rubric_hash(text: str) -> str:
    """The key a rubric snapshot is stored under: sha256 of its UTF-8 text, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_answers(rubric: Rubric, answers: Answers) -> dict[str, int | None]:
    """Answers keyed by statement id, validated; raises AnswerError naming what does not fit."""
    known = {s.id for s in rubric.statements}
    allowed = {p.value for p in rubric.scale.points}
    unknown = sorted(map(str, set(answers) - known))
    if unknown:
        raise AnswerError(f"these statements are not in the rubric '{rubric.id}': {', '.join(unknown[:10])}"
                          + (" …" if len(unknown) > 10 else ""))
    clean: dict[str, int | None] = {}
    for sid, value in answers.items():
        if value is not None and (isinstance(value, bool) or not _on_scale(value, allowed)):
            raise AnswerError(f"statement '{sid}' has the answer {value!r}; the scale allows "
                              f"{', '.join(map(str, sorted(allowed)))} or don't know.")
        clean[sid] = None if value is None else int(value)
    return clean


def _on_scale(value: object, allowed: set[int]) -> bool:
    try:
        return value in allowed
    except TypeError:  # an unhashable answer such as a list is simply not on the scale
        return False


def check_notes(rubric: Rubric, notes: Mapping[str, object]) -> dict[str, str]:
    """Notes keyed by principle id, each checked (`check_note`) and stripped; empty ones left out."""
    principles = {p.id for p in rubric.principles}
    clean = {}
    for pid, text in notes.items():
        if pid not in principles:
            raise ValueError(f"'{pid}' is not a principle of the rubric '{rubric.id}'.")
        try:
            text = check_note(text)
        except ValueError:
            raise ValueError(f"the note on '{pid}' should be text of at most {MAX_NOTE} characters.") from None
        if text:
            clean[pid] = text
    return clean


# --- board reviews -----------------------------------------------------------------------------


def check_min_size(min_size: object) -> int:
    """The minimum group size as an int, or ValueError if it is not a whole number ≥ MIN_GROUP_FLOOR."""
    if isinstance(min_size, bool) or not isinstance(min_size, numbers.Integral):
        raise ValueError(f"the minimum group size must be a whole number, not {min_size!r}.")
    if min_size < MIN_GROUP_FLOOR:
        raise ValueError(f"the minimum group size must be at least {MIN_GROUP_FLOOR}, so that nobody's "
                         "answers can be worked out from the group's.")
    return int(min_size)


def clean_label(label: object) -> str:
    """A role group's name."""
    if not isinstance(label, str) or not " ".join(label.split()):
        raise ValueError("a group needs a name.")
    label = " ".join(label.split())
    if len(label) > MAX_LABEL:
        raise ValueError(f"a group's name is too long (at most {MAX_LABEL} characters).")
    return label


def role_groups(role_ids: Sequence[str], labels: Mapping[str, str],
                merge: Mapping[str, str] | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """The role groups as (label, role ids), in the order of `role_ids` (a merged group sits where
    its first role is). `labels` names each role; `merge` maps a role id to a group label, and
    roles given the same label form one group; roles not in `merge` keep their own label."""
    merge = merge or {}
    unknown = sorted(set(merge) - set(role_ids))
    if unknown:
        raise ValueError(f"these are not roles of this review: {', '.join(unknown)}.")
    groups: dict[str, list[str]] = {}
    for rid in role_ids:
        label = clean_label(merge[rid]) if rid in merge else labels.get(rid, rid)
        groups.setdefault(label, []).append(rid)
    return [(label, tuple(members)) for label, members in groups.items()]


def check_join_by(join_by: object) -> str:
    if join_by not in JOIN_BY:
        raise ValueError(f"people join by one of: {', '.join(JOIN_BY)}; not {join_by!r}.")
    return join_by  # type: ignore[return-value]


def check_identity(identity: object) -> str | None:
    if identity is None:
        return None
    if not isinstance(identity, str) or not identity.strip() or len(identity) > MAX_IDENTITY:
        raise ValueError(f"a sign-in identity must be text of 1 to {MAX_IDENTITY} characters.")
    return identity


def check_browser(browser: object) -> str | None:
    """The random id a joining browser keeps (None: none given)."""
    if browser is None:
        return None
    if not isinstance(browser, str) or not 32 <= len(browser) <= 128 or not browser.isalnum():
        raise ValueError("a browser id must be 32 to 128 letters and digits.")
    return browser


def check_roles(rubric: Rubric, roles: Sequence[str] | None) -> tuple[str, ...]:
    """The review's roles (default: all the rubric's), in rubric order."""
    known = [r.id for r in rubric.roles]
    if roles is None:
        return tuple(known)
    if isinstance(roles, str) or not isinstance(roles, Sequence):
        raise ValueError("roles must be a list of role ids.")
    unknown = sorted({str(r) for r in roles} - set(known))
    if unknown:
        offered = ", ".join(known) if known else "none"
        raise ValueError(f"these are not roles of the rubric '{rubric.id}': {', '.join(unknown)} "
                         f"(its roles: {offered}).")
    return tuple(r for r in known if r in set(roles))  # in rubric order


def closing_time(value: object) -> datetime | None:
    """A closing date means the end of that day (UTC); a datetime is taken as is (naive = UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value + timedelta(days=1), time(0, 0), tzinfo=UTC)
    raise ValueError(f"the closing date must be a date or a datetime, not {type(value).__name__}.")


__all__ = [
    "ACTION_STATUSES", "HEX64_RE", "ID_RE", "JOIN_BY", "MAX_ACTION_TEXT", "MAX_IDENTITY", "MAX_LABEL", "MAX_NAME",
    "MAX_NOTE", "MIN_GROUP_FLOOR", "OWNER_RE", "TOKEN_RE", "UID_RE", "Action", "AnswerError", "Answers",
    "Assessment", "AssessmentSummary", "ImportSummary", "Participant", "Review", "ReviewInfo", "ReviewSummary",
    "as_datetime", "as_due", "as_token", "as_uid", "check_action_text", "check_answers", "check_browser", "check_identity",
    "check_join_by", "check_min_size", "check_note", "check_notes", "check_owner", "check_principle_id",
    "check_roles", "check_status", "clean_label", "clean_name", "closing_time",
    "partnership_key", "role_groups", "rubric_hash",
]
