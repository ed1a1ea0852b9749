"""The assessment notebook: saved assessments, resume links, history, action plans, export/import.

Use::

    from joiningforces.storage import Store, NotFound

    store = Store()                      # one per process; share it between threads
    digest = store.snapshot_rubric(toml_text)
    a = store.create_assessment(rubric_hash=digest, partnership="Riverside", respondent="Sam")
    store.set_answer(a.id, "trust-1", 4)        # saved at once: a reload or restart loses nothing
    store.set_answer(a.id, "trust-2", None)     # None is "don't know"; clear_answer un-answers
    store.get_assessment(a.id)                  # on any device: a.id is the private resume id
    rubric = store.rubric(a.rubric_hash)        # the rubric exactly as it was answered

Where the data lives
    `Store(url)` takes any SQLAlchemy URL (tested: PostgreSQL with psycopg 3, and SQLite). With no
    URL it uses $JOININGFORCES_DATABASE_URL, else the SQLite file `joiningforces.sqlite3` in
    $JOININGFORCES_DATA_DIR (default `./data`, created). SQLite runs in WAL mode with foreign keys
    on, a busy timeout (20 s; `Store(busy_timeout=...)` or $JOININGFORCES_SQLITE_BUSY_TIMEOUT,
    in seconds) and synchronous=NORMAL (a commit survives the process being killed; an OS crash
    or power cut may lose the last moments); writes take the write lock up front (BEGIN
    IMMEDIATE), so concurrent writers queue instead of failing.

Schema
    Created on first open and migrated by ordered steps (`migrations.py`), recorded in the
    `schema_version` table; opening is idempotent and safe with several processes at once (a lock
    is held while migrating). A database from a newer release raises `SchemaTooNew` untouched.
    `schema.py` describes the tables.

Threads and processes
    One engine (connection pool) per `Store`; every method runs in its own short session and
    transaction, so a `Store` is safe to share between Streamlit's threads. Each answer is
    committed before `set_answer` returns: killing the process loses nothing already saved.

Faults
    A transient fault (the database locked beyond the busy timeout, a connection refused or lost,
    a full disk) makes a method try again after each of `Store.retry_delays` (0.2 s, then 1 s,
    with jitter); if it persists, the method raises `StoreUnavailable`, a StoreError whose
    `message` a user can be shown, chained from the fault, having written nothing. Mistakes
    (NotFound, ValueError, a constraint) are never retried. Trying a whole method again is safe
    because each is one transaction, rolled back when it failed (`faults.py` says why); a server
    connection lost during COMMIT itself, when nobody can tell whether it committed, is reported
    at once (`StoreUnavailable.outcome_unknown`) and never retried, so nothing is created twice.
    Pooled connections that died (say with a database restart) are replaced before use.

Resume ids
    `secrets.token_urlsafe(24)` (192 random bits). A malformed id is refused before any query, and
    malformed and unknown ids raise the same `NotFound`, which says nothing about other ids.

Rubric snapshots
    Each assessment points at a stored copy of the rubric text it was answered against, keyed by
    the sha256 of that text (stored once however many assessments use it), so it renders the
    same after the rubric file changes. Answers and notes are checked against that copy.

Answers
    One row per (assessment, statement): value 1..5, or NULL for "don't know"; no row means not
    answered. `set_answer` replaces; `clear_answer` removes the row.

Partnerships and actions
    Partnerships are matched by name, ignoring case and extra spaces. Actions belong to the
    partnership, not to an assessment, so they carry forward from one assessment to the next;
    each remembers the assessment where it was raised. Deleting an assessment deletes its answers
    and notes but keeps the partnership's actions (their `assessment_id` becomes None).

Layers
    `joiningforces.records` (below this package) holds the records the store hands out and the
    field rules it checks; `store.py` is database access (`Database`: sessions, the rubric cache,
    upserts) and the notebook; `notebook.py` is the notebook file's format; `reviews.py` keeps board
    reviews. Nothing here computes results: `joiningforces.board` does, above the storage.

Export and import
    `export_notebook()` writes the whole notebook as one JSON document (`notebook.py` documents
    it); `import_notebook()` checks it entirely, then writes it in one transaction, or raises
    `ImportProblem` having written nothing. Assessments and actions already present (same resume
    id / action id) are skipped and kept as they are, so importing a backup twice is harmless.
"""

from ..records import (
    ACTION_STATUSES,
    Action,
    Assessment,
    AssessmentSummary,
    ImportSummary,
    Participant,
    Review,
    ReviewInfo,
    ReviewSummary,
    rubric_hash,
)
from .errors import ImportProblem, NotFound, SchemaTooNew, StoreError, StoreUnavailable
from .migrations import MIGRATIONS, SCHEMA_VERSION, Migration, current_version, migrate
from .notebook import FORMAT, MAX_IMPORT_BYTES
from .store import DATA_DIR_ENV, DATABASE_URL_ENV, Store, data_dir, default_url

__all__ = [
    "ACTION_STATUSES", "DATABASE_URL_ENV", "DATA_DIR_ENV", "FORMAT", "MAX_IMPORT_BYTES", "MIGRATIONS",
    "SCHEMA_VERSION", "Action", "Assessment", "AssessmentSummary", "ImportProblem", "ImportSummary",
    "Migration", "NotFound", "SchemaTooNew", "Store", "StoreError", "StoreUnavailable", "current_version",
    "data_dir", "default_url", "migrate", "rubric_hash",
]

# Board reviews (schema version 2): see `reviews.py`; their results are `joiningforces.board.Reviews`.
from .reviews import LINK_NOT_FOUND, JoinRefused, ReviewClosed, ReviewStore  # noqa: E402

__all__ += ["LINK_NOT_FOUND", "JoinRefused", "Participant", "Review", "ReviewClosed", "ReviewInfo", "ReviewStore",
            "ReviewSummary"]
