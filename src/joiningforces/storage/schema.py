"""The current schema, as SQLAlchemy Core tables the queries use.

These definitions describe the schema after the *last* migration in `migrations.py`; the
migration steps themselves carry their own frozen DDL. When a release changes the schema, add a
step there and change these tables to match (a test checks that a freshly migrated database has
exactly the tables and columns declared here).

Conventions:
- every timestamp is an aware UTC datetime in Python (`UTCDateTime`), stored as TIMESTAMP WITH
  TIME ZONE on PostgreSQL and as naive UTC text on SQLite;
- an answer row with `value` NULL is "don't know"; no row is "not answered yet";
- assessments and actions have integer keys for joins; the resume token is a separate unique
  column, so a later release can rotate a leaked link without touching the rows that refer to it;
- partnerships are rows (`key` is the case-folded name), so actions can belong to a partnership
  and carry forward from one assessment to the next, and a rename touches one row.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
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

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ACTION_STATUSES = ("open", "doing", "done")


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
    Column("key", String(200), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    sqlite_autoincrement=True,
)

assessments = Table(
    "assessments", metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("partnership_id", Integer, ForeignKey("partnerships.id", ondelete="RESTRICT"), nullable=False),
    Column("respondent", String(200), nullable=False),
    Column("rubric_id", String(64), nullable=False),
    Column("rubric_version", String(200), nullable=False),
    Column("rubric_hash", String(64), ForeignKey("rubric_snapshots.hash", ondelete="RESTRICT"), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Index(None, "partnership_id", "created"),
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
    CheckConstraint("status IN ('open', 'doing', 'done')", name="status"),
    Index(None, "partnership_id"),
    Index(None, "raised_in"),
    sqlite_autoincrement=True,
)
