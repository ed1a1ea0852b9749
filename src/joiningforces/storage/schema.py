"""The current schema, as SQLAlchemy Core tables the queries use.

These definitions describe the schema after the *last* migration in `migrations.py`; the
migration steps themselves carry their own frozen DDL. When a release changes the schema, add a
step there and change these tables to match (a test checks that a freshly migrated database has
exactly the tables and columns declared here).

Conventions:
- every timestamp is an aware UTC datetime in Python (`UTCDateTime`), stored as TIMESTAMP WITH
  TIME ZONE on PostgreSQL and as naive UTC text on SQLite;
- an answer row with `value` NULL is "don't know"; no row is "not answered yet";
- assessments and actions have integer keys for joins; the resume link is kept only as its SHA-256
  digest (`link_digest`, unique), so a database leak reveals no link and a leaked link is replaced
  without touching the rows that refer to it; `uid` is a random public handle for an assessment
  (in a URL or a backup), which grants nothing by itself;
- `belongs_to` records who a row belongs to (`access.Actor.owner`: "local", "notebook:<digest>",
  "user:<digest>"); every listing filters on it (schema version 3);
- partnerships are rows per owner (`key` is the owner and the case-folded name), so actions can
  belong to a partnership and carry forward from one assessment to the next, a rename touches one
  row, and two notebooks using the same partnership name never share anything.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

from ..records import ACTION_STATUSES, JOIN_BY  # noqa: F401 (the field rules, named here as before)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(naming_convention=NAMING)

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

rubric_snapshots = Table(
    "rubric_snapshots", metadata,
    Column("hash", String(64), primary_key=True),  # sha256 hex of the UTF-8 text
    Column("rubric_id", String(64), nullable=False),
    Column("version", String(200), nullable=False),
    Column("title", String(200), nullable=False),
    Column("statements", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("stored_at", UTCDateTime, nullable=False),
)

partnerships = Table(
    "partnerships", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False, unique=True),  # "<belongs_to>/<case-folded name>"
    Column("name", String(200), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("belongs_to", String(80), nullable=False),
    sqlite_autoincrement=True,
)

assessments = Table(
    "assessments", metadata,
    Column("id", Integer, primary_key=True),
    Column("link_digest", String(64), nullable=False, unique=True),
    Column("partnership_id", Integer, ForeignKey("partnerships.id", ondelete="RESTRICT"), nullable=False),
    Column("respondent", String(200), nullable=False),
    Column("rubric_id", String(64), nullable=False),
    Column("rubric_version", String(200), nullable=False),
    Column("rubric_hash", String(64), ForeignKey("rubric_snapshots.hash", ondelete="RESTRICT"), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("belongs_to", String(80), nullable=False),
    Column("uid", String(32), nullable=False, unique=True),
    Index(None, "partnership_id", "created"),
    Index(None, "belongs_to"),
    sqlite_autoincrement=True,
)

answers = Table(
    "answers", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("statement_id", String(64), primary_key=True),
    Column("value", Integer, nullable=True),  # NULL: don't know
    Column("answered_at", UTCDateTime, nullable=False),
)

notes = Table(
    "notes", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", String(64), primary_key=True),
    Column("text", Text, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
)

actions = Table(
    "actions", metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(64), nullable=False, unique=True),  # stable across export/import
    Column("partnership_id", Integer, ForeignKey("partnerships.id", ondelete="RESTRICT"), nullable=False),
    Column("principle_id", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("due", Date, nullable=True),
    Column("status", String(8), nullable=False),
    Column("raised_in", Integer, ForeignKey("assessments.id", ondelete="SET NULL"), nullable=True),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("belongs_to", String(80), nullable=False),
    CheckConstraint("status IN ('open', 'doing', 'done')", name="status"),
    Index(None, "partnership_id"),
    Index(None, "raised_in"),
    sqlite_autoincrement=True,
)

# Notebook keys in use on a shared server without sign-in (schema version 3): only their digests.
# A key is registered when its notebook first saves something; an unknown key is "not found".
notebooks = Table(
    "notebooks", metadata,
    Column("key_digest", String(64), primary_key=True),
    Column("created", UTCDateTime, nullable=False),
)

# --- board reviews (schema version 2) ----------------------------------------------------------
# A review is reached by three kinds of unguessable token, each in its own unique column: the
# facilitator's private link and each participant's own link (both kept only as SHA-256 digests
# since schema version 3), and the participant link they share (replaceable; kept as it is, so the
# facilitator can show it again: it lets people join, and reveals no answer). Participants have no names. `roles` is a JSON list of role ids,
# `role_groups` a JSON object {role id: group label}. A review is closed once `closed_at` is set
# (closed by hand) or `closes_at` has passed. `partnership` is the name agreed actions are filed
# under in the notebook (a name, not a key: renaming a partnership in the notebook leaves it).

board_reviews = Table(
    "board_reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("facilitator_digest", String(64), nullable=False, unique=True),
    Column("participant_token", String(64), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("partnership", String(200), nullable=False),
    Column("rubric_id", String(64), nullable=False),
    Column("rubric_version", String(200), nullable=False),
    Column("rubric_hash", String(64), ForeignKey("rubric_snapshots.hash", ondelete="RESTRICT"), nullable=False),
    Column("roles", Text, nullable=False),
    Column("role_groups", Text, nullable=False),
    Column("min_size", Integer, nullable=False),
    Column("results_after_close", Boolean, nullable=False),
    Column("closes_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("belongs_to", String(80), nullable=False),
    Column("uid", String(32), nullable=False, unique=True),
    Index(None, "belongs_to"),
    # schema version 4: the view-only link for a meeting-room screen (derived from the facilitator's
    # link and a generation; only its digest is kept); how people join (JOIN_BY)
    Column("presenter_digest", String(64), nullable=True),
    Column("presenter_generation", Integer, nullable=False, server_default="0"),
    Column("join_by", String(16), nullable=False, server_default="link"),
    Index("uq_board_reviews_presenter_digest", "presenter_digest", unique=True),
    sqlite_autoincrement=True,
)

board_participants = Table(
    "board_participants", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), nullable=False),
    Column("link_digest", String(64), nullable=False, unique=True),
    Column("role", String(64), nullable=True),  # NULL when the review asks no role
    Column("facilitator", Boolean, nullable=False),  # the facilitator's own answers
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("identity", String(200), nullable=True),  # version 4: digest of who signed in to join (one per review)
    Index(None, "review_id"),
    Index("uq_board_participants_identity", "review_id", "identity", unique=True),
    sqlite_autoincrement=True,
)

board_answers = Table(
    "board_answers", metadata,
    Column("participant_id", Integer, ForeignKey("board_participants.id", ondelete="CASCADE"), primary_key=True),
    Column("statement_id", String(64), primary_key=True),
    Column("value", Integer, nullable=True),  # NULL: don't know
    Column("answered_at", UTCDateTime, nullable=False),
)

board_actions = Table(  # which of the notebook's actions were agreed in which review
    "board_actions", metadata,
    Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", Integer, ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "action_id"),
)

# --- release rule and joining (schema version 3) ------------------------------------------------
# `board_publications.data` is a review's `published.Publication` as JSON: the snapshot its results
# are computed from and the ledger of every figure released. An invitation is a single-use code
# ("used" set when someone joins with it).

board_publications = Table(
    "board_publications", metadata,
    Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    # A random value, new with every save (schema version 5): a process that holds the
    # publication decoded reads this instead of `data` to know whether it is still current.
    Column("revision", String(32), nullable=False, server_default=""),
)

# Each cell a review's release rule has released (schema version 5): `disclosure.Ledger` codes as
# a JSON list, added as they are released, so saving a publication writes what is new.
board_released = Table(
    "board_released", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("cell", Text, nullable=False),
    Index(None, "review_id", "id"),
    sqlite_autoincrement=True,
)

board_invitations = Table(
    "board_invitations", metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), nullable=False),
    Column("code_digest", String(64), nullable=False, unique=True),  # shown once; only the digest is kept
    Column("created", UTCDateTime, nullable=False),
    Column("used", UTCDateTime, nullable=True),
    Index(None, "review_id"),
    sqlite_autoincrement=True,
)
