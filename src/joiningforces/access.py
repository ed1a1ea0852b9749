"""Who is asking, and what they may do: the one place that decides who may see what.

The app runs in one of three modes (`decide_mode`):

- ``local``: one person's laptop, served on the loopback address only. The person at the keyboard
  owns everything in the database, and may back it up, restore it and save rubrics to the library.
- ``shared``: a server others can reach, without sign-in. Each browser works in its own private
  notebook, named by a notebook key in the page's link; it sees nothing of any other notebook.
  Backup, restore and saving into the library are for the command line only.
- ``signin``: a server with an OpenID Connect sign-in (Streamlit's ``st.login``). A signed-in
  person's notebook is theirs on every device; administrators (listed by e-mail) may also back up
  and restore the whole database and save rubrics into the library from the app.

Everything stored for a person (assessments, actions, board reviews) records its `owner`, an
opaque string from `Actor.owner`. `allowed(actor, action, thing)` is the rule; `Notebook` is the
actor's view of the store, and every page and export goes through it.

Board review participants and facilitators are actors too, but their links are the keys: a
participant link reaches one participant's own answers, a facilitator link one review. The review
store looks them up by link; `allowed` still says what each may do with what it reaches.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from dataclasses import dataclass, field, replace
from enum import StrEnum

MODE_ENV = "JOININGFORCES_MODE"
ADMINS_ENV = "JOININGFORCES_ADMINS"
LIBRARY_WRITE_ENV = "JOININGFORCES_ALLOW_LIBRARY_WRITE"

LOCAL_OWNER = "local"


class Mode(StrEnum):
    LOCAL = "local"
    SHARED = "shared"
    SIGNIN = "signin"


MODE_TEXT = {
    Mode.LOCAL: ("On this computer only. Everything saved here is yours: this app is served to this "
                 "computer alone, and nobody else can reach it."),
    Mode.SHARED: ("On a shared server, without sign-in. Nobody else using this server can see what you save: "
                  "your notebook opens only with its private link, so bookmark that link to come back."),
    Mode.SIGNIN: ("On a shared server with sign-in. Your notebook belongs to your account and follows you "
                  "to any device; nobody else using this server can see it. Administrators can back up "
                  "the whole database."),
}


def _loopback(address: str) -> bool:
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def decide_mode(explicit: str | None, auth_configured: bool, server_address: str | None) -> Mode:
    """The mode: an explicit setting ($JOININGFORCES_MODE) wins; else sign-in when an `[auth]`
    section is configured; else local when the server listens on a loopback address only; else
    shared. An unset address means every interface (Streamlit's default), so: shared."""
    if explicit and explicit.strip():
        try:
            return Mode(explicit.strip().lower())
        except ValueError:
            raise ValueError(f"{MODE_ENV} must be one of local, shared or signin, not {explicit!r}.") from None
    if auth_configured:
        return Mode.SIGNIN
    if server_address and _loopback(server_address.strip()):
        return Mode.LOCAL
    return Mode.SHARED


def admins_from_env(raw: str | None = None) -> frozenset[str]:
    """$JOININGFORCES_ADMINS: e-mail addresses separated by commas or spaces, compared ignoring case."""
    raw = os.environ.get(ADMINS_ENV, "") if raw is None else raw
    return frozenset(part.strip().casefold() for part in raw.replace(",", " ").split() if part.strip())


def library_write_enabled() -> bool:
    """$JOININGFORCES_ALLOW_LIBRARY_WRITE: lets the local person save rubrics into the library."""
    return os.environ.get(LIBRARY_WRITE_ENV, "").strip().lower() in ("1", "true", "yes")


def digest(token: str) -> str:
    """What is stored for a link or key: its SHA-256, in hex. A database leak reveals no link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- actors ------------------------------------------------------------------------------------


class Kind(StrEnum):
    LOCAL = "local"              # the person at the keyboard of a local app
    NOTEBOOK = "notebook"        # holds a notebook key (shared mode)
    USER = "user"                # signed in
    ADMIN = "admin"              # signed in, and listed as an administrator
    PARTICIPANT = "participant"  # holds a board review participant's own link
    FACILITATOR = "facilitator"  # holds a review's facilitator link
    ANONYMOUS = "anonymous"      # none of these: may start nothing that is kept


@dataclass(frozen=True)
class Actor:
    kind: Kind
    owner: str | None = None      # what things they create are recorded under
    review_id: int | None = None  # participant and facilitator: the review their link reaches
    participant_id: int | None = None
    name: str = field(default="", compare=False)  # for display only ("Sam", an e-mail)
    links: frozenset[str] = frozenset()  # ids of assessments opened with their private resume link

    def holding_link(self, assessment_id: str) -> Actor:
        """The same actor, now also holding one assessment's resume link (it opened it)."""
        return replace(self, links=self.links | {assessment_id})

    @classmethod
    def local(cls) -> Actor:
        return cls(Kind.LOCAL, LOCAL_OWNER)

    @classmethod
    def notebook(cls, key: str) -> Actor:
        return cls(Kind.NOTEBOOK, "notebook:" + digest(key))

    @classmethod
    def user(cls, subject: str, email: str = "", admins: frozenset[str] = frozenset()) -> Actor:
        """A signed-in person, known by the provider's stable subject (`sub`, with its issuer)."""
        admin = bool(email) and email.strip().casefold() in admins
        return cls(Kind.ADMIN if admin else Kind.USER, "user:" + digest(subject), name=email or subject)

    @classmethod
    def participant(cls, review_id: int, participant_id: int) -> Actor:
        return cls(Kind.PARTICIPANT, None, review_id, participant_id)

    @classmethod
    def facilitator(cls, review_id: int) -> Actor:
        return cls(Kind.FACILITATOR, None, review_id)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(Kind.ANONYMOUS)

    @property
    def keeps_things(self) -> bool:
        """May this actor start assessments, actions and reviews of their own?"""
        return self.kind in (Kind.LOCAL, Kind.NOTEBOOK, Kind.USER, Kind.ADMIN)


# --- things and actions --------------------------------------------------------------------------


class Action(StrEnum):
    READ = "read"
    CHANGE = "change"
    DELETE = "delete"
    EXPORT = "export"


class What(StrEnum):
    ASSESSMENT = "assessment"      # a self-check with its answers and notes
    ACTION = "action"              # an item of a partnership's action plan
    REVIEW = "review"              # a board review: its settings, group results and dashboard
    PARTICIPATION = "participation"  # one participant's own answers in a review
    DATABASE = "database"          # the whole database: backup (export) and restore (change)
    LIBRARY = "library"            # the folder of rubrics the app offers: change = save into it


@dataclass(frozen=True)
class Thing:
    what: What
    owner: str | None = None
    review_id: int | None = None
    participant_id: int | None = None
    id: str | None = None  # an assessment's id, for one opened with its resume link


DATABASE = Thing(What.DATABASE)
LIBRARY = Thing(What.LIBRARY)


def allowed(actor: Actor, action: Action | str, thing: Thing, *, library_write: bool = False) -> bool:
    """May `actor` do `action` to `thing`? The whole rule of who may see what, in one function.

    - Personal things (assessments, actions, reviews) are for their owner alone, whatever the
      action; administrators get no view of other people's notebooks in the app.
    - Whoever opened an assessment with its private resume link may read, change and export that
      one assessment (the link is the key), but not delete it.
    - A facilitator link reaches its own review (read, change, export, delete), never a
      participant's own answers; a participant link reaches that participant's answers only.
    - The whole database (backup = export, restore = change) and the rubric library (change =
      save a rubric into it) are for the person at a local app's keyboard and for administrators;
      saving into the library needs `library_write` ($JOININGFORCES_ALLOW_LIBRARY_WRITE) in local mode.
    - Everyone may read the library (it is what the app offers).
    """
    action = Action(action)
    kind = actor.kind
    if thing.what == What.ASSESSMENT and thing.id is not None and thing.id in actor.links \
            and action != Action.DELETE:
        return True
    if thing.what in (What.ASSESSMENT, What.ACTION, What.REVIEW) and actor.keeps_things:
        return thing.owner is not None and thing.owner == actor.owner
    if thing.what == What.REVIEW and kind == Kind.FACILITATOR:
        return thing.review_id is not None and thing.review_id == actor.review_id
    if thing.what == What.PARTICIPATION:
        if kind != Kind.PARTICIPANT or action == Action.EXPORT:
            return False
        return (thing.participant_id is not None and thing.participant_id == actor.participant_id
                and thing.review_id == actor.review_id)
    if thing.what == What.DATABASE:
        return kind in (Kind.LOCAL, Kind.ADMIN) and action in (Action.EXPORT, Action.CHANGE)
    if thing.what == What.LIBRARY:
        if action == Action.READ:
            return True
        if action != Action.CHANGE:
            return False
        return kind == Kind.ADMIN or (kind == Kind.LOCAL and library_write)
    return False


class Denied(LookupError):
    """Not allowed. Shown exactly like "not found", so it tells nothing about what exists."""


def check(actor: Actor, action: Action | str, thing: Thing, **kwargs) -> None:
    if not allowed(actor, action, thing, **kwargs):
        raise Denied()
