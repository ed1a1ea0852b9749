"""Schema versions: an ordered list of migration steps, applied on open under a lock.

The database records each applied step as a row of `schema_version` (its number, description
and when it ran); the database's version is the highest number there, 0 for an empty database.
Opening a store runs, in one transaction, every step above that version, in order. The
transaction holds a lock so that two processes starting at once do not both migrate:
PostgreSQL takes a transaction-level advisory lock, SQLite a `BEGIN IMMEDIATE` write lock (see
`Store`). DDL is transactional on both, so a step that fails leaves the database as it was.

Each step carries its own frozen DDL and must never change once released: step 1 builds its
tables from its own `MetaData`, not from `schema.py` (which describes the newest schema). A later
release appends a step, using `sqlalchemy` DDL or `op`-style statements on the connection, and
updates `schema.py` to match; step 2 (board reviews with participants' private answers) is one.

A database whose version is higher than the last step known here was written by a newer
release: `migrate` raises `SchemaTooNew` and touches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    inspect,
    insert,
    select,
    text,
)

from .errors import SchemaTooNew, StoreError
from .schema import NAMING, schema_version

# Any constant works; it only has to be the same in every process using the database.
_PG_LOCK_KEY = 0x4A46_5354  # "JFST"


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _step_1(conn: Connection) -> None:
    """The notebook: rubric snapshots, partnerships, assessments, answers, notes, actions."""
    md = MetaData(naming_convention=NAMING)
    ts = DateTime(timezone=True)
    Table("rubric_snapshots", md,
          Column("hash", String(64), primary_key=True),
          Column("rubric_id", String(64), nullable=False),
          Column("version", String(200), nullable=False),
          Column("title", String(200), nullable=False),
          Column("statements", Integer, nullable=False),
          Column("text", Text, nullable=False),
          Column("stored_at", ts, nullable=False))
    Table("partnerships", md,
          Column("id", Integer, primary_key=True),
          Column("key", String(200), nullable=False, unique=True),
          Column("name", String(200), nullable=False),
          Column("created", ts, nullable=False),
          sqlite_autoincrement=True)
    Table("assessments", md,
          Column("id", Integer, primary_key=True),
          Column("token", String(64), nullable=False, unique=True),
          Column("partnership_id", Integer, ForeignKey("partnerships.id", ondelete="RESTRICT"), nullable=False),
          Column("respondent", String(200), nullable=False),
          Column("rubric_id", String(64), nullable=False),
          Column("rubric_version", String(200), nullable=False),
          Column("rubric_hash", String(64), ForeignKey("rubric_snapshots.hash", ondelete="RESTRICT"),
                 nullable=False),
          Column("created", ts, nullable=False),
          Column("updated", ts, nullable=False),
          Index(None, "partnership_id", "created"),
          sqlite_autoincrement=True)
    Table("answers", md,
          Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
          Column("statement_id", String(64), primary_key=True),
          Column("value", Integer, nullable=True),
          Column("answered_at", ts, nullable=False))
    Table("notes", md,
          Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
          Column("principle_id", String(64), primary_key=True),
          Column("text", Text, nullable=False),
          Column("updated", ts, nullable=False))
    Table("actions", md,
          Column("id", Integer, primary_key=True),
          Column("uid", String(64), nullable=False, unique=True),
          Column("partnership_id", Integer, ForeignKey("partnerships.id", ondelete="RESTRICT"), nullable=False),
          Column("principle_id", String(64), nullable=False),
          Column("text", Text, nullable=False),
          Column("owner", String(200), nullable=False),
          Column("due", Date, nullable=True),
          Column("status", String(8), nullable=False),
          Column("raised_in", Integer, ForeignKey("assessments.id", ondelete="SET NULL"), nullable=True),
          Column("created", ts, nullable=False),
          Column("updated", ts, nullable=False),
          CheckConstraint("status IN ('open', 'doing', 'done')", name="status"),
          Index(None, "partnership_id"),
          Index(None, "raised_in"),
          sqlite_autoincrement=True)
    md.create_all(conn, checkfirst=False)


def _step_2(conn: Connection) -> None:
    """Board reviews: reviews, their participants (no names), participants' private answers, and
    which notebook actions each review agreed."""
    md = MetaData(naming_convention=NAMING)
    ts = DateTime(timezone=True)
    # Stand-ins for the tables of step 1 that the new ones refer to (not created here).
    Table("rubric_snapshots", md, Column("hash", String(64), primary_key=True))
    Table("actions", md, Column("id", Integer, primary_key=True))
    reviews = Table(
        "board_reviews", md,
        Column("id", Integer, primary_key=True),
        Column("facilitator_token", String(64), nullable=False, unique=True),
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
        Column("closes_at", ts, nullable=True),
        Column("closed_at", ts, nullable=True),
        Column("created", ts, nullable=False),
        Column("updated", ts, nullable=False),
        sqlite_autoincrement=True)
    participants = Table(
        "board_participants", md,
        Column("id", Integer, primary_key=True),
        Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), nullable=False),
        Column("token", String(64), nullable=False, unique=True),
        Column("role", String(64), nullable=True),
        Column("facilitator", Boolean, nullable=False),
        Column("created", ts, nullable=False),
        Column("updated", ts, nullable=False),
        Index(None, "review_id"),
        sqlite_autoincrement=True)
    answers = Table(
        "board_answers", md,
        Column("participant_id", Integer, ForeignKey("board_participants.id", ondelete="CASCADE"),
               primary_key=True),
        Column("statement_id", String(64), primary_key=True),
        Column("value", Integer, nullable=True),
        Column("answered_at", ts, nullable=False))
    links = Table(
        "board_actions", md,
        Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), primary_key=True),
        Column("action_id", Integer, ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
        Index(None, "action_id"))
    md.create_all(conn, tables=[reviews, participants, answers, links], checkfirst=False)


def _step_3(conn: Connection) -> None:
    """Owners and digests: who each assessment, action, partnership and review belongs to (rows
    from before are the local person's), links kept only as SHA-256 digests, a random public `uid`
    for assessments and reviews, and the registry of notebook keys (digests only)."""
    import hashlib
    import uuid

    pg = conn.dialect.name == "postgresql"
    owner = "VARCHAR(80) NOT NULL DEFAULT 'local'"
    for table in ("partnerships", "assessments", "actions", "board_reviews"):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN belongs_to {owner}"))
    if pg:  # SQLite does not enforce VARCHAR lengths
        conn.execute(text("ALTER TABLE partnerships ALTER COLUMN key TYPE VARCHAR(300)"))
    conn.execute(text("UPDATE partnerships SET key = 'local/' || key"))
    renames = (("assessments", "token", "link_digest"), ("board_participants", "token", "link_digest"),
               ("board_reviews", "facilitator_token", "facilitator_digest"))
    for table, old, new in renames:
        conn.execute(text(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}"))
        rows = conn.execute(text(f"SELECT id, {new} FROM {table}")).all()
        for row_id, token in rows:
            conn.execute(text(f"UPDATE {table} SET {new} = :d WHERE id = :i"),
                         {"d": hashlib.sha256(token.encode("utf-8")).hexdigest(), "i": row_id})
    for table in ("assessments", "board_reviews"):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN uid VARCHAR(32) NOT NULL DEFAULT ''"))
        for (row_id,) in conn.execute(text(f"SELECT id FROM {table}")).all():
            conn.execute(text(f"UPDATE {table} SET uid = :u WHERE id = :i"), {"u": uuid.uuid4().hex, "i": row_id})
        conn.execute(text(f"CREATE UNIQUE INDEX uq_{table}_uid ON {table} (uid)"))
        conn.execute(text(f"CREATE INDEX ix_{table}_belongs_to ON {table} (belongs_to)"))
    md = MetaData(naming_convention=NAMING)
    Table("notebooks", md,
          Column("key_digest", String(64), primary_key=True),
          Column("created", DateTime(timezone=True), nullable=False))
    md.create_all(conn, checkfirst=False)


def _step_4(conn: Connection) -> None:
    """Board reviews' release rule and joining: each review's published snapshot and ledger,
    single-use invitations, a view-only presentation link, how people join, and a participant's
    sign-in identity (one participant per identity per review). Links, codes and identities are kept
    as SHA-256 digests, as since step 3."""
    md = MetaData(naming_convention=NAMING)
    ts = DateTime(timezone=True)
    Table("board_reviews", md, Column("id", Integer, primary_key=True))
    Table("board_participants", md, Column("id", Integer, primary_key=True))
    publications = Table(
        "board_publications", md,
        Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), primary_key=True),
        Column("data", Text, nullable=False),
        Column("updated", ts, nullable=False))
    invitations = Table(
        "board_invitations", md,
        Column("id", Integer, primary_key=True),
        Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), nullable=False),
        Column("code_digest", String(64), nullable=False, unique=True),  # invitations are shown once
        Column("created", ts, nullable=False),
        Column("used", ts, nullable=True),
        Index(None, "review_id"),
        sqlite_autoincrement=True)
    md.create_all(conn, tables=[publications, invitations], checkfirst=False)
    conn.execute(text("ALTER TABLE board_reviews ADD COLUMN presenter_digest VARCHAR(64)"))
    conn.execute(text("ALTER TABLE board_reviews ADD COLUMN presenter_generation INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text("ALTER TABLE board_reviews ADD COLUMN join_by VARCHAR(16) NOT NULL DEFAULT 'link'"))
    conn.execute(text("ALTER TABLE board_participants ADD COLUMN identity VARCHAR(200)"))
    conn.execute(text("CREATE UNIQUE INDEX uq_board_reviews_presenter_digest ON board_reviews (presenter_digest)"))
    conn.execute(text("CREATE UNIQUE INDEX uq_board_participants_identity ON board_participants (review_id, identity)"))


def _step_5(conn: Connection) -> None:
    """A revision on each review's saved publication, so a process can keep it decoded and know
    when another process saved a new one; released cells kept one per row, added as they come.
    (A publication saved before keeps its cells in its JSON until it is next saved.)"""
    conn.execute(text("ALTER TABLE board_publications ADD COLUMN revision VARCHAR(32) NOT NULL DEFAULT ''"))
    md = MetaData(naming_convention=NAMING)
    Table("board_reviews", md, Column("id", Integer, primary_key=True))
    released = Table(
        "board_released", md,
        Column("id", Integer, primary_key=True),
        Column("review_id", Integer, ForeignKey("board_reviews.id", ondelete="CASCADE"), nullable=False),
        Column("key", String(200), nullable=False),
        Column("cell", Text, nullable=False),
        Index(None, "review_id", "id"),
        sqlite_autoincrement=True)
    md.create_all(conn, tables=[released], checkfirst=False)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "notebook: rubric snapshots, partnerships, assessments, answers, notes, actions", _step_1),
    Migration(2, "board reviews: reviews, participants, their private answers, agreed actions", _step_2),
    Migration(3, "owners on every personal row, links kept as digests, notebook keys", _step_3),
    Migration(4, "board reviews: published snapshots, invitations, presentation link, sign-in identity", _step_4),
    Migration(5, "board reviews: a revision on each published snapshot, released cells one per row", _step_5),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


def _check_steps(steps: tuple[Migration, ...]) -> None:
    numbers = [m.version for m in steps]
    if numbers != list(range(1, len(steps) + 1)):
        raise RuntimeError(f"migration steps must be numbered 1, 2, 3, ... in order; got {numbers}")


_check_steps(MIGRATIONS)


def current_version(conn: Connection) -> int:
    """The database's schema version: 0 when it has no `schema_version` table or no rows in it."""
    if not inspect(conn).has_table(schema_version.name):
        return 0
    return conn.execute(select(func.max(schema_version.c.version))).scalar() or 0


def migrate(engine: Engine, steps: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Bring the database up to the last step in `steps`; returns the version it is at.

    Idempotent, and safe when several processes open the same database at once. `engine` must
    open a locking transaction on SQLite (the store's write engine does).
    """
    _check_steps(steps)
    newest = steps[-1].version if steps else 0
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        schema_version.create(conn, checkfirst=True)
        version = current_version(conn)
        if version > newest:
            raise SchemaTooNew(
                f"This database was written by a newer release of joiningforces (schema version {version}; "
                f"this release knows up to {newest}). Update joiningforces to open it; nothing was changed."
            )
        for step in steps:
            if step.version <= version:
                continue
            try:
                step.apply(conn)
            except Exception as exc:
                raise StoreError(f"Could not bring the database to schema version {step.version} "
                                 f"({step.description}): {exc}") from exc
            conn.execute(insert(schema_version).values(
                version=step.version, description=step.description, applied_at=datetime.now(UTC)))
            version = step.version
        return version
