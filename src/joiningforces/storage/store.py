"""`Store`: the notebook of saved assessments, behind one SQLAlchemy engine per process."""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import (
    Engine,
    and_,
    create_engine,
    delete,
    event,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..access import LOCAL_OWNER
from ..access import digest as link_digest
from ..loader import parse_rubric
from ..models import Rubric
from ..records import (
    Action,
    Assessment,
    AssessmentSummary,
    ImportSummary,
    as_datetime,
    as_due,
    as_token,
    as_uid,
    check_action_text,
    check_answers,
    check_note,
    check_owner,
    check_principle_id,
    check_status,
    clean_name,
    partnership_key,
    rubric_hash,
)
from . import notebook as notebook_file
from . import schema as t
from .errors import ImportProblem, NotFound, StoreError
from .gate import FairGate
from .faults import COMMIT_UNKNOWN, RETRY_DELAYS, retrying, with_retries
from .migrations import migrate

DATABASE_URL_ENV = "JOININGFORCES_DATABASE_URL"
DATA_DIR_ENV = "JOININGFORCES_DATA_DIR"
BUSY_TIMEOUT_ENV = "JOININGFORCES_SQLITE_BUSY_TIMEOUT"
POOL_SIZE_ENV = "JOININGFORCES_POOL_SIZE"
POOL_OVERFLOW_ENV = "JOININGFORCES_POOL_OVERFLOW"
POOL_TIMEOUT_ENV = "JOININGFORCES_POOL_TIMEOUT"
BUSY_TIMEOUT = 20.0  # seconds an SQLite write waits for another writer's lock, per try
SQLITE_FILE = "joiningforces.sqlite3"
UNSET: object = object()  # a keyword argument not given (None means something)


# --- where the database is -------------------------------------------------------------------


def data_dir() -> Path:
    """The folder for the default SQLite file: $JOININGFORCES_DATA_DIR, else ./data (created)."""
    folder = Path(os.environ.get(DATA_DIR_ENV) or "data").expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_url() -> str:
    """$JOININGFORCES_DATABASE_URL, else the SQLite file `joiningforces.sqlite3` in `data_dir()`."""
    url = (os.environ.get(DATABASE_URL_ENV) or "").strip()
    if url:
        return url
    return URL.create("sqlite", database=str(data_dir() / SQLITE_FILE)).render_as_string()


def _normalise_url(url: str | URL) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):  # psycopg 3 is the driver we ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_busy_timeout() -> float:
    """$JOININGFORCES_SQLITE_BUSY_TIMEOUT (seconds), else 20."""
    raw = (os.environ.get(BUSY_TIMEOUT_ENV) or "").strip()
    if not raw:
        return BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise StoreError(f"{BUSY_TIMEOUT_ENV} must be a number of seconds from 0 to 3600, not {raw!r}.")
    return value


def _sqlite_on_connect(dbapi_connection, _record, busy_timeout: float = BUSY_TIMEOUT) -> None:
    # Take transaction control from the sqlite3 module (it would not BEGIN before SELECT or DDL);
    # `_sqlite_on_begin` emits BEGIN itself. See SQLAlchemy's "Transactions with SQLite".
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # wait for a writer instead of failing at once
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer, nor it them
        # NORMAL, not FULL: in WAL mode a commit then survives the server being killed (it is in the
        # OS's hands), and only an OS crash or power cut may lose the last moments. FULL's fsync on
        # every answer was a third of a rating's latency on a busy disk (benchmarks/README.md).
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn) -> None:
    # Writes start with the write lock (BEGIN IMMEDIATE) so that a read-then-write transaction is
    # never refused mid-way with SQLITE_BUSY; reads start deferred and never block anyone.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("jf_write") else "BEGIN")


@dataclass(frozen=True)
class PoolSettings:
    """How many connections one process keeps (`size`) and may open beyond them (`overflow`), and
    how long a call waits for one (`timeout`, seconds) before the person is told the database is busy.
    At most `size` transactions run at once, admitted first come, first served (`gate.FairGate`);
    the overflow is for reads that open a second connection.

    Chosen from measurement (benchmarks/README.md, "Connection pool"): one process serving 100
    participants answering as fast as they can never waited past the timeout with 20 + 10 on
    PostgreSQL; a server database needs `size + overflow` connections per replica, so two replicas
    need 60 of PostgreSQL's `max_connections` (default 100). Each can be set by environment variable."""

    size: int = 20
    overflow: int = 10
    timeout: float = 60.0

    @classmethod
    def from_env(cls) -> PoolSettings:
        values = {}
        for field, env, kind, low, high in (("size", POOL_SIZE_ENV, int, 1, 1000),
                                            ("overflow", POOL_OVERFLOW_ENV, int, 0, 1000),
                                            ("timeout", POOL_TIMEOUT_ENV, float, 1, 3600)):
            raw = (os.environ.get(env) or "").strip()
            if not raw:
                continue
            try:
                value = kind(raw)
            except ValueError:
                value = low - 1
            if not low <= value <= high:
                raise StoreError(f"{env} must be a number from {low} to {high}, not {raw!r}.")
            values[field] = value
        return cls(**values)

    @property
    def connections(self) -> int:
        """The most connections one process may hold at once."""
        return self.size + self.overflow


def _make_engine(url: URL, busy_timeout: float = BUSY_TIMEOUT, pool: PoolSettings | None = None) -> Engine:
    pool = pool or PoolSettings.from_env()
    sizes = {"pool_size": pool.size, "max_overflow": pool.overflow, "pool_timeout": pool.timeout}
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:") or "mode=memory" in str(url):
            raise StoreError("An in-memory SQLite database is not supported; give a file path.")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout}, **sizes)
        event.listen(engine, "connect", lambda conn, record: _sqlite_on_connect(conn, record, busy_timeout))
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    # pool_pre_ping: a connection that died with a database restart is replaced, not handed out.
    return create_engine(url, pool_pre_ping=True, **sizes)


# --- helpers ---------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _check_token(token: object) -> str:
    """The token, if it has the shape of one; NotFound (the same one as for a missing id) otherwise."""
    found = as_token(token)
    if found is None:
        raise NotFound()
    return found


def check_uid(uid: object) -> str:
    """The public id, if it has the shape of one; NotFound (as for a missing one) otherwise."""
    found = as_uid(uid)
    if found is None:
        raise NotFound()
    return found


# --- database access ---------------------------------------------------------------------------


class Database:
    """Transactions on the store's engine, for the storage modules (the store, the review store).

    `read()` and `write()` each open one short session and transaction, admitted first come, first
    served (at most `PoolSettings.size` at once, `gate.FairGate`); `snapshot()` is a read whose
    queries all see the same moment. A write takes SQLite's write lock up front (BEGIN IMMEDIATE);
    a server connection lost during its COMMIT is marked (`faults.COMMIT_UNKNOWN`), never retried
    blind. Callers retry whole methods (`faults.retrying`). Never nest one in another: a full gate
    would wait for itself.
    """

    def __init__(self, engine: Engine, pool: PoolSettings):
        self.engine = engine
        self.writer = engine.execution_options(jf_write=True)  # same pool and events, locking BEGIN
        self.gate = FairGate(pool.size, pool.timeout)  # first come, first served
        self._reading = sessionmaker(engine, expire_on_commit=False)
        self._writing = sessionmaker(self.writer, expire_on_commit=False)
        self._rubrics: dict[str, Rubric] = {}
        self._rubrics_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.gate.admit(), self._reading() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self.gate.admit(), self._writing() as session:
            session.begin()
            yield session  # if the block raises, closing the session rolls the transaction back
            try:
                session.commit()
            except DBAPIError as exc:
                # SQLite commits all or nothing, and a failed COMMIT kept nothing. A server
                # connection lost during COMMIT leaves it unknown: that must not be retried blind.
                if self.dialect != "sqlite":
                    setattr(exc, COMMIT_UNKNOWN, True)
                raise

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only session whose queries all see the same moment: SQLite's WAL gives a
        transaction one snapshot; on PostgreSQL that needs REPEATABLE READ."""
        with self._reading() as session:  # outside the gate, as it always was: see PoolSettings
            if self.dialect == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    def rubric(self, s: Session, hash: str) -> Rubric:
        """A stored rubric snapshot, parsed (cached: snapshots never change); NotFound if none."""
        with self._rubrics_lock:
            found = self._rubrics.get(hash)
        if found is not None:
            return found
        text = s.execute(select(t.rubric_snapshots.c.text).where(t.rubric_snapshots.c.hash == hash)).scalar()
        if text is None:
            raise NotFound("That version of the rubric is not stored here.")
        return self.remember_rubric(hash, parse_rubric(text.encode("utf-8"), name=f"rubric snapshot {hash[:12]}"))

    def remember_rubric(self, hash: str, rubric: Rubric) -> Rubric:
        with self._rubrics_lock:
            return self._rubrics.setdefault(hash, rubric)

    @staticmethod
    def upsert(s: Session, table, keys: tuple[str, ...], rows: list[dict]) -> None:
        """Insert rows, or update the ones whose key is there already: one row per key, always."""
        if not rows:
            return
        name = s.get_bind().dialect.name
        if name in ("sqlite", "postgresql"):
            stmt = (sqlite_insert if name == "sqlite" else postgresql_insert)(table).values(rows)
            changing = [c for c in rows[0] if c not in keys]
            s.execute(stmt.on_conflict_do_update(index_elements=list(keys),
                                                 set_={c: stmt.excluded[c] for c in changing}))
            return
        for row in rows:  # other databases: update, else insert (the write lock on the assessment is held)
            where = [table.c[k] == row[k] for k in keys]
            done = s.execute(update(table).where(*where).values({c: v for c, v in row.items() if c not in keys}))
            if done.rowcount == 0:
                s.execute(insert(table).values(row))


def select_actions(s: Session, condition) -> list[Action]:
    """The actions matching `condition` (on the actions, partnerships or assessments tables), by
    principle, then in the order they were added."""
    x, p, a = t.actions, t.partnerships, t.assessments
    rows = s.execute(select(x, p.c.name.label("partnership"), a.c.uid.label("raised_uid"))
                     .join(p, p.c.id == x.c.partnership_id)
                     .outerjoin(a, a.c.id == x.c.raised_in)
                     .where(condition).order_by(x.c.principle_id, x.c.id)).all()
    return [Action(id=r.id, partnership=r.partnership, principle_id=r.principle_id, text=r.text,
                   owner=r.owner, due=r.due, status=r.status, assessment_id=r.raised_uid,
                   created=r.created, updated=r.updated, belongs_to=r.belongs_to) for r in rows]


def insert_many(s: Session, table, rows: list[dict]) -> None:
    """Insert many rows through the driver's own executemany, each value bound by its column's
    type once per row here: SQLAlchemy's per-row parameter handling was most of a large restore's
    time inside the write transaction (47,500 entries: 4.2 s of 4.6 s on SQLite, on a busy machine)."""
    if not rows:
        return
    conn = s.connection()
    dialect = conn.dialect
    columns = list(rows[0])
    binders = [table.c[c].type._cached_bind_processor(dialect) for c in columns]
    bound: list[dict] = [{} for _ in columns]  # values repeat (an assessment's time on each answer)

    def bind(i: int, value):
        if binders[i] is None:
            return value
        if value not in bound[i]:
            bound[i][value] = binders[i](value)
        return bound[i][value]

    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql, [tuple(bind(i, row[c]) for i, c in enumerate(columns)) for row in rows])


# --- the store -------------------------------------------------------------------------------


class Store:
    """The notebook. Make one per process and share it between threads (the app caches it with
    `st.cache_resource`); every method opens and closes its own session, so calls from different
    threads never share a connection or a transaction.

    `url` is any SQLAlchemy URL (PostgreSQL and SQLite are tested; `postgresql://` means psycopg 3);
    without one, $JOININGFORCES_DATABASE_URL, else an SQLite file in $JOININGFORCES_DATA_DIR
    (default ./data). The schema is created or migrated on open.

    Transient faults (a lock held too long, a lost or refused connection, a full disk) are retried
    after each of `retry_delays` seconds, then raise `StoreUnavailable` (see `faults.py`).
    `busy_timeout` is how long an SQLite write waits for another writer's lock on each try
    (default $JOININGFORCES_SQLITE_BUSY_TIMEOUT, else 20 s).
    """

    def __init__(self, url: str | URL | None = None, *, busy_timeout: float | None = None,
                 retry_delays: Sequence[float] | None = None):
        self.url = _normalise_url(url if url is not None else default_url())
        if busy_timeout is None:
            busy_timeout = sqlite_busy_timeout() if self.url.get_backend_name() == "sqlite" else BUSY_TIMEOUT
        self.busy_timeout = float(busy_timeout)
        self.retry_delays = tuple(RETRY_DELAYS if retry_delays is None else retry_delays)
        self.pool = PoolSettings.from_env()
        self.engine = _make_engine(self.url, self.busy_timeout, self.pool)
        self.db = Database(self.engine, self.pool)
        try:
            self.schema_version = with_retries(lambda: migrate(self.db.writer), self.retry_delays, "opening the store")
        except BaseException:
            self.engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Close the pooled connections (the store can still be used; it reconnects)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _read(self):
        return self.db.read()

    def _write(self):
        return self.db.write()

    # --- rubric snapshots --------------------------------------------------------------------

    @retrying
    def snapshot_rubric(self, rubric_text: str | bytes) -> str:
        """Keep a copy of a rubric's TOML text and return its hash (the same text is stored once).

        The text must be a valid rubric (`RubricError` otherwise): an assessment is always
        answered against a rubric that the app can render again later, whatever happens to the file.
        """
        raw = rubric_text.encode("utf-8") if isinstance(rubric_text, str) else bytes(rubric_text)
        rubric = parse_rubric(raw)
        text = raw.decode("utf-8").removeprefix("\ufeff")
        digest = rubric_hash(text)
        with self._write() as s:
            if s.execute(select(t.rubric_snapshots.c.hash).where(t.rubric_snapshots.c.hash == digest)).first():
                return digest
            s.execute(insert(t.rubric_snapshots).values(
                hash=digest, rubric_id=rubric.id, version=rubric.version, title=rubric.title,
                statements=len(rubric.statements), text=text, stored_at=_now()))
        self.db.remember_rubric(digest, rubric)
        return digest

    @retrying
    def rubric_text(self, hash: str) -> str:
        """The stored TOML text of a rubric snapshot; NotFound if there is none with that hash."""
        with self._read() as s:
            text = s.execute(select(t.rubric_snapshots.c.text)
                             .where(t.rubric_snapshots.c.hash == str(hash))).scalar()
        if text is None:
            raise NotFound("That version of the rubric is not stored here.")
        return text

    @retrying
    def rubric(self, hash: str) -> Rubric:
        """The snapshot parsed into a `Rubric` (cached: snapshots never change)."""
        with self._read() as s:
            return self._rubric(s, hash)

    def _rubric(self, s: Session, hash: str) -> Rubric:
        return self.db.rubric(s, hash)

    # --- partnerships ------------------------------------------------------------------------
    # Partnerships are per owner: every lookup takes `belongs_to`, and two notebooks using the
    # same name never share a row, an action or a spelling.

    def _partnership_id(self, s: Session, name: str, belongs_to: str, *, create: bool) -> int | None:
        key = partnership_key(name, belongs_to)
        p = t.partnerships
        found = s.execute(select(p.c.id).where(p.c.key == key)).scalar()
        if found is not None or not create:
            return found
        try:
            with s.begin_nested():  # another process may create the same partnership right now
                return s.execute(insert(p).values(key=key, name=name, created=_now(),
                                                  belongs_to=belongs_to)).inserted_primary_key[0]
        except IntegrityError:
            return s.execute(select(p.c.id).where(p.c.key == key)).scalar_one()

    def _prune_partnership(self, s: Session, partnership_id: int) -> None:
        """Forget a partnership that has no assessments and no actions left."""
        try:
            with s.begin_nested():
                s.execute(delete(t.partnerships).where(
                    t.partnerships.c.id == partnership_id,
                    ~exists().where(t.assessments.c.partnership_id == partnership_id),
                    ~exists().where(t.actions.c.partnership_id == partnership_id)))
        except IntegrityError:  # something was added to it meanwhile: keep it
            pass

    @retrying
    def partnerships(self, *, belongs_to: str | None) -> list[str]:
        """Names of the owner's partnerships that have assessments or actions, alphabetically
        (`belongs_to=None`: everyone's, for the command line)."""
        query = select(t.partnerships.c.name)
        if belongs_to is not None:
            query = query.where(t.partnerships.c.belongs_to == belongs_to)
        with self._read() as s:
            names = s.execute(query).scalars().all()
        return sorted(set(names), key=str.casefold)

    @retrying
    def rename_partnership(self, old: str, new: str, *, belongs_to: str) -> str:
        """Rename one owner's partnership (its assessments and actions follow). If `new` names
        another of theirs already, the two are merged. Returns the new name; NotFound if `old` is unknown."""
        new = clean_name(new, "partnership", required=True)
        belongs_to = check_owner(belongs_to)
        with self._write() as s:
            old_id = self._partnership_id(s, str(old), belongs_to, create=False)
            if old_id is None:
                raise NotFound("There is no partnership with that name.")
            other = self._partnership_id(s, new, belongs_to, create=False)
            if other is None or other == old_id:
                s.execute(update(t.partnerships).where(t.partnerships.c.id == old_id)
                          .values(key=partnership_key(new, belongs_to), name=new))
            else:
                s.execute(update(t.assessments).where(t.assessments.c.partnership_id == old_id)
                          .values(partnership_id=other))
                s.execute(update(t.actions).where(t.actions.c.partnership_id == old_id)
                          .values(partnership_id=other))
                s.execute(delete(t.partnerships).where(t.partnerships.c.id == old_id))
        return new

    # --- notebook keys (shared mode) ----------------------------------------------------------

    @retrying
    def register_notebook(self, key: str) -> None:
        """Record a notebook key (its digest) as in use; harmless if it is already."""
        key = _check_token(key)
        with self._write() as s:
            if not s.execute(select(t.notebooks.c.key_digest)
                             .where(t.notebooks.c.key_digest == link_digest(key))).first():
                s.execute(insert(t.notebooks).values(key_digest=link_digest(key), created=_now()))

    @retrying
    def notebook_exists(self, key: object) -> bool:
        try:
            key = _check_token(key)
        except NotFound:
            return False
        with self._read() as s:
            return s.execute(select(t.notebooks.c.key_digest)
                             .where(t.notebooks.c.key_digest == link_digest(key))).first() is not None

    @retrying
    def replace_notebook_key(self, key: str) -> str:
        """A new key for the notebook behind `key`; everything in it moves along and the old key
        stops working at once. NotFound for an unknown key."""
        key = _check_token(key)
        new = secrets.token_urlsafe(24)
        old_owner, new_owner = "notebook:" + link_digest(key), "notebook:" + link_digest(new)
        with self._write() as s:
            done = s.execute(delete(t.notebooks).where(t.notebooks.c.key_digest == link_digest(key)))
            if done.rowcount != 1:
                raise NotFound()
            s.execute(insert(t.notebooks).values(key_digest=link_digest(new), created=_now()))
            for table in (t.assessments, t.actions, t.board_reviews):
                s.execute(update(table).where(table.c.belongs_to == old_owner).values(belongs_to=new_owner))
            for row in s.execute(select(t.partnerships.c.id, t.partnerships.c.name)
                                 .where(t.partnerships.c.belongs_to == old_owner)).all():
                s.execute(update(t.partnerships).where(t.partnerships.c.id == row.id)
                          .values(belongs_to=new_owner, key=partnership_key(row.name, new_owner)))
        return new

    # --- assessments -------------------------------------------------------------------------

    @retrying
    def create_assessment(self, *, rubric_hash: str, partnership: str, respondent: str = "",
                          created: datetime | date | None = None, rubric_id: str | None = None,
                          rubric_version: str | None = None, belongs_to: str = LOCAL_OWNER) -> Assessment:
        """Start an assessment against a stored rubric snapshot (see `snapshot_rubric`), for its owner.

        `rubric_id` and `rubric_version` default to the snapshot's; when given they must match it.
        `created` is the assessment's date (default now). The returned `link` is a fresh private
        resume link's token; only its digest is kept.
        """
        partnership = clean_name(partnership, "partnership", required=True)
        respondent = clean_name(respondent, "respondent", required=False)
        belongs_to = check_owner(belongs_to)
        when = as_datetime(created)
        token, uid = secrets.token_urlsafe(24), uuid.uuid4().hex
        with self._write() as s:
            snap = s.execute(select(t.rubric_snapshots.c.rubric_id, t.rubric_snapshots.c.version)
                             .where(t.rubric_snapshots.c.hash == str(rubric_hash))).first()
            if snap is None:
                raise ValueError("that rubric is not stored; call snapshot_rubric with its text first.")
            if (rubric_id is not None and rubric_id != snap.rubric_id) or (
                    rubric_version is not None and rubric_version != snap.version):
                raise ValueError(f"the snapshot is rubric '{snap.rubric_id}' version {snap.version}, "
                                 f"not '{rubric_id}' version {rubric_version}.")
            pid = self._partnership_id(s, partnership, belongs_to, create=True)
            s.execute(insert(t.assessments).values(
                link_digest=link_digest(token), uid=uid, belongs_to=belongs_to, partnership_id=pid,
                respondent=respondent, rubric_id=snap.rubric_id, rubric_version=snap.version,
                rubric_hash=rubric_hash, created=when, updated=_now()))
        return replace(self.get_assessment(uid), link=token)

    def _find(self, s: Session, uid: object):
        """The assessment row for an id, or NotFound (malformed and unknown ids alike)."""
        uid = check_uid(uid)
        a, p = t.assessments, t.partnerships
        row = s.execute(select(a, p.c.name.label("partnership"))
                        .join(p, p.c.id == a.c.partnership_id).where(a.c.uid == uid)).first()
        if row is None:
            raise NotFound()
        return row

    def _touch(self, s: Session, uid: object):
        """Lock the assessment for this write (updating its `updated`), and return its row."""
        uid = check_uid(uid)
        done = s.execute(update(t.assessments).where(t.assessments.c.uid == uid).values(updated=_now()))
        if done.rowcount != 1:
            raise NotFound()
        return self._find(s, uid)

    @retrying
    def get_assessment(self, uid: str) -> Assessment:
        """The assessment with this id, with its answers and notes; NotFound if there is none.
        It checks no owner: callers go through `joiningforces.notebook.Notebook`."""
        with self._read() as s:
            row = self._find(s, uid)
            return self._load(s, [row])[0]

    @retrying
    def assessment_for_link(self, token: object) -> Assessment:
        """The assessment a private resume link opens; NotFound for a malformed, unknown or
        replaced link (the same NotFound, which says nothing about other links). The link is
        checked for its shape before any query and looked up by its digest."""
        token = _check_token(token)
        a, p = t.assessments, t.partnerships
        with self._read() as s:
            row = s.execute(select(a, p.c.name.label("partnership")).join(p, p.c.id == a.c.partnership_id)
                            .where(a.c.link_digest == link_digest(token))).first()
            if row is None:
                raise NotFound()
            return self._load(s, [row])[0]

    @retrying
    def replace_link(self, uid: str) -> str:
        """A new private resume link for the assessment; the old one stops working at once."""
        token = secrets.token_urlsafe(24)
        with self._write() as s:
            row = self._touch(s, uid)
            s.execute(update(t.assessments).where(t.assessments.c.id == row.id)
                      .values(link_digest=link_digest(token)))
        return token

    def _load(self, s: Session, rows) -> list[Assessment]:
        ids = [r.id for r in rows]
        answers: dict[int, dict[str, int | None]] = {i: {} for i in ids}
        notes: dict[int, dict[str, str]] = {i: {} for i in ids}
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for a in s.execute(select(t.answers).where(t.answers.c.assessment_id.in_(chunk))
                               .order_by(t.answers.c.assessment_id, t.answers.c.statement_id)):
                answers[a.assessment_id][a.statement_id] = a.value
            for n in s.execute(select(t.notes).where(t.notes.c.assessment_id.in_(chunk))
                               .order_by(t.notes.c.assessment_id, t.notes.c.principle_id)):
                notes[n.assessment_id][n.principle_id] = n.text
        return [Assessment(id=r.uid, partnership=r.partnership, respondent=r.respondent, rubric_id=r.rubric_id,
                           rubric_version=r.rubric_version, rubric_hash=r.rubric_hash, created=r.created,
                           updated=r.updated, answers=answers[r.id], notes=notes[r.id], belongs_to=r.belongs_to)
                for r in rows]

    def set_answer(self, uid: str, statement_id: str, value: int | None) -> None:
        """Save one answer at once (1..5 on the rubric's scale, or None for "don't know"),
        replacing any earlier answer to that statement."""
        self.set_answers(uid, {statement_id: value})

    @retrying
    def set_answers(self, uid: str, answers: Mapping[str, int | None]) -> None:
        """Save several answers in one transaction. Statements and values are checked against the
        assessment's rubric snapshot (`scoring.AnswerError`, a ValueError, if they do not fit)."""
        if not isinstance(answers, Mapping):
            raise TypeError("answers must be a mapping of statement id to value.")
        with self._write() as s:
            row = self._touch(s, uid)
            clean = check_answers(self._rubric(s, row.rubric_hash), answers)
            if not clean:
                return
            now = _now()
            self.db.upsert(s, t.answers, ("assessment_id", "statement_id"),
                         [{"assessment_id": row.id, "statement_id": sid, "value": v, "answered_at": now}
                          for sid, v in sorted(clean.items())])

    @retrying
    def clear_answer(self, uid: str, statement_id: str) -> None:
        """Take an answer back: the statement is unanswered again (not "don't know")."""
        with self._write() as s:
            row = self._touch(s, uid)
            s.execute(delete(t.answers).where(t.answers.c.assessment_id == row.id,
                                              t.answers.c.statement_id == str(statement_id)))

    @retrying
    def set_note(self, uid: str, principle_id: str, text: str) -> None:
        """Save the note on a principle of the assessment; empty text removes it."""
        text = check_note(text)
        with self._write() as s:
            row = self._touch(s, uid)
            rubric = self._rubric(s, row.rubric_hash)
            if principle_id not in {p.id for p in rubric.principles}:
                raise ValueError(f"'{principle_id}' is not a principle of the rubric '{rubric.id}'.")
            if not text:
                s.execute(delete(t.notes).where(t.notes.c.assessment_id == row.id,
                                                t.notes.c.principle_id == principle_id))
                return
            self.db.upsert(s, t.notes, ("assessment_id", "principle_id"),
                         [{"assessment_id": row.id, "principle_id": principle_id, "text": text,
                           "updated": _now()}])

    @retrying
    def update_details(self, uid: str, *, partnership: str | None = None, respondent: str | None = None,
                       created: datetime | date | None = None) -> Assessment:
        """Change an assessment's partnership, respondent or date (None leaves a field as it is).

        Moving the only assessment of a partnership to another name (fixing a typo, say) takes that
        partnership's actions along; otherwise the actions stay with the partnership they belong to.
        """
        values: dict[str, object] = {}
        if respondent is not None:
            values["respondent"] = clean_name(respondent, "respondent", required=False)
        if created is not None:
            values["created"] = as_datetime(created)
        if partnership is not None:
            partnership = clean_name(partnership, "partnership", required=True)
        with self._write() as s:
            row = self._touch(s, uid)
            old = row.partnership_id
            if partnership is not None:
                new = self._partnership_id(s, partnership, row.belongs_to, create=True)
                if new != old:
                    values["partnership_id"] = new
            if values:
                s.execute(update(t.assessments).where(t.assessments.c.id == row.id).values(**values))
            if values.get("partnership_id") is not None:
                alone = not s.execute(select(exists().where(t.assessments.c.partnership_id == old))).scalar()
                if alone:
                    s.execute(update(t.actions).where(t.actions.c.partnership_id == old)
                              .values(partnership_id=values["partnership_id"]))
                self._prune_partnership(s, old)
            elif partnership is not None and partnership != row.partnership:
                # same partnership, different spelling or capitals: the newest spelling wins
                s.execute(update(t.partnerships).where(t.partnerships.c.id == old).values(name=partnership))
        return self.get_assessment(row.uid)

    @retrying
    def move_assessment(self, uid: str, belongs_to: str) -> Assessment:
        """Give the assessment to another owner's notebook, under the partnership of the same name
        there. Actions raised in it stay where they are (they belong to the old partnership)."""
        belongs_to = check_owner(belongs_to)
        with self._write() as s:
            row = self._touch(s, uid)
            if row.belongs_to != belongs_to:
                pid = self._partnership_id(s, row.partnership, belongs_to, create=True)
                s.execute(update(t.assessments).where(t.assessments.c.id == row.id)
                          .values(belongs_to=belongs_to, partnership_id=pid))
                s.execute(update(t.actions).where(t.actions.c.raised_in == row.id).values(raised_in=None))
                self._prune_partnership(s, row.partnership_id)
        return self.get_assessment(row.uid)

    @retrying
    def delete_assessment(self, uid: str) -> None:
        """Delete an assessment with its answers and notes.

        Actions belong to the partnership, not to the assessment, so they stay (they carry forward);
        those first raised in it no longer point at it (`assessment_id` becomes None). A partnership
        left with neither assessments nor actions disappears from `partnerships()`.
        """
        with self._write() as s:
            row = self._touch(s, uid)
            s.execute(delete(t.assessments).where(t.assessments.c.id == row.id))
            self._prune_partnership(s, row.partnership_id)

    def _listing(self, search: str, partnership: str | None, belongs_to: str | None):
        """The query behind `list_assessments` and `count_assessments`: one owner's, searched, filtered."""
        a, p, r = t.assessments, t.partnerships, t.rubric_snapshots
        query = (select(a.c.id, a.c.uid, a.c.belongs_to, p.c.name, a.c.respondent, a.c.rubric_id,
                        a.c.rubric_version, r.c.title, a.c.created, a.c.updated, r.c.statements)
                 .join(p, p.c.id == a.c.partnership_id)
                 .join(r, r.c.hash == a.c.rubric_hash))
        search = " ".join(str(search or "").split())
        if search:
            query = query.where(or_(p.c.name.icontains(search, autoescape=True),
                                    a.c.respondent.icontains(search, autoescape=True)))
        if belongs_to is not None:
            query = query.where(a.c.belongs_to == belongs_to)
            if partnership is not None:
                query = query.where(p.c.key == partnership_key(str(partnership), belongs_to))
        elif partnership is not None:  # everyone's (the backup): the name as partnership keys match it
            query = query.where(p.c.key == p.c.belongs_to.concat("/" + " ".join(str(partnership).split()).casefold()))
        return query

    @retrying
    def list_assessments(self, search: str = "", partnership: str | None = None, *,
                         belongs_to: str | None, limit: int | None = None,
                         offset: int = 0) -> list[AssessmentSummary]:
        """Summaries of the owner's saved assessments, newest first (by date, then last change);
        `belongs_to=None` lists everyone's (the command line's backup, never a page).

        `search` matches part of the partnership's or the respondent's name, ignoring case;
        `partnership` keeps one partnership's (matched as `partnerships()` spells it, ignoring case).
        `limit` and `offset` give one page of the list: the database sorts and cuts it, and answers
        are counted for that page only, so a page costs the same in a notebook of 10 or 10,000.
        """
        a, ans = t.assessments, t.answers
        query = (self._listing(search, partnership, belongs_to)
                 .order_by(a.c.created.desc(), a.c.updated.desc(), a.c.id.desc()))
        if limit is not None:
            query = query.limit(max(0, int(limit)))
        if offset:
            query = query.offset(max(0, int(offset)))
        with self._read() as s:
            rows = s.execute(query).all()
            counts = {}
            for ids in (rows[k:k + 500] for k in range(0, len(rows), 500)):  # bound the IN list
                counts.update({c.assessment_id: c for c in s.execute(
                    select(ans.c.assessment_id, func.count().label("answered"),
                           func.count(ans.c.value).label("valued"))
                    .where(ans.c.assessment_id.in_([x.id for x in ids]))
                    .group_by(ans.c.assessment_id))})
        summaries = []
        for x in rows:
            answered = int(counts[x.id].answered) if x.id in counts else 0
            valued = int(counts[x.id].valued) if x.id in counts else 0
            summaries.append(AssessmentSummary(
                id=x.uid, belongs_to=x.belongs_to, partnership=x.name, respondent=x.respondent,
                rubric_id=x.rubric_id, rubric_version=x.rubric_version, rubric_title=x.title, created=x.created,
                updated=x.updated, answered=answered, dont_know=answered - valued, statements=x.statements))
        return summaries

    @retrying
    def count_assessments(self, search: str = "", partnership: str | None = None, *,
                          belongs_to: str | None) -> int:
        """How many `list_assessments` would list without a limit."""
        with self._read() as s:
            listing = self._listing(search, partnership, belongs_to).subquery()
            return int(s.execute(select(func.count()).select_from(listing)).scalar_one())

    @retrying
    def assessments_for(self, partnership: str, *, belongs_to: str) -> list[Assessment]:
        """One owner's partnership's assessments with answers and notes, oldest first: the trend's input."""
        a, p = t.assessments, t.partnerships
        with self._read() as s:
            rows = s.execute(select(a, p.c.name.label("partnership")).join(p, p.c.id == a.c.partnership_id)
                             .where(p.c.key == partnership_key(str(partnership), check_owner(belongs_to)))
                             .order_by(a.c.created, a.c.id)).all()
            return self._load(s, rows)

    # --- actions -----------------------------------------------------------------------------

    @retrying
    def add_action(self, partnership: str, principle_id: str, text: str, owner: str = "",
                   due: date | None = None, assessment_id: str | None = None, status: str = "open", *,
                   belongs_to: str = LOCAL_OWNER) -> Action:
        """Add an action for one owner's partnership on a principle. `assessment_id` records where it
        was raised; it must be an assessment of the same owner and partnership."""
        partnership = clean_name(partnership, "partnership", required=True)
        principle_id = check_principle_id(principle_id)
        text = check_action_text(text)
        owner = clean_name(owner, "owner", required=False)
        due = as_due(due)
        status = check_status(status)
        belongs_to = check_owner(belongs_to)
        with self._write() as s:
            raised_in = None
            if assessment_id is not None:
                row = self._find(s, assessment_id)
                if row.belongs_to != belongs_to:
                    raise NotFound()
                if partnership_key(row.partnership, belongs_to) != partnership_key(partnership, belongs_to):
                    raise ValueError(f"that assessment belongs to '{row.partnership}', not '{partnership}'.")
                raised_in = row.id
            pid = self._partnership_id(s, partnership, belongs_to, create=True)
            now = _now()
            action_id = s.execute(insert(t.actions).values(belongs_to=belongs_to,
                uid=uuid.uuid4().hex, partnership_id=pid, principle_id=principle_id, text=text, owner=owner,
                due=due, status=status, raised_in=raised_in, created=now, updated=now,
            )).inserted_primary_key[0]
            return select_actions(s, t.actions.c.id == action_id)[0]

    @retrying
    def update_action(self, action_id: int, *, status: str = UNSET, text: str = UNSET,  # type: ignore[assignment]
                      owner: str = UNSET, due: date | None = UNSET,  # type: ignore[assignment]
                      principle_id: str = UNSET) -> Action:  # type: ignore[assignment]
        """Change an action; only the fields given change (`due=None` clears the due date).
        ValueError for a status other than open, doing or done; NotFound for an unknown id."""
        values: dict[str, object] = {}
        if status is not UNSET:
            values["status"] = check_status(status)
        if text is not UNSET:
            values["text"] = check_action_text(text)
        if owner is not UNSET:
            values["owner"] = clean_name(owner, "owner", required=False)
        if due is not UNSET:
            values["due"] = as_due(due)
        if principle_id is not UNSET:
            values["principle_id"] = check_principle_id(principle_id)
        action_id = self._action_id(action_id)
        with self._write() as s:
            done = s.execute(update(t.actions).where(t.actions.c.id == action_id)
                             .values(**values, updated=_now()))
            if done.rowcount != 1:
                raise NotFound("That action could not be found.")
            return select_actions(s, t.actions.c.id == action_id)[0]

    @retrying
    def delete_action(self, action_id: int) -> None:
        """Delete an action; NotFound for an unknown id."""
        action_id = self._action_id(action_id)
        with self._write() as s:
            pid = s.execute(select(t.actions.c.partnership_id).where(t.actions.c.id == action_id)).scalar()
            if pid is None:
                raise NotFound("That action could not be found.")
            s.execute(delete(t.actions).where(t.actions.c.id == action_id))
            self._prune_partnership(s, pid)

    @retrying
    def get_action(self, action_id: int) -> Action:
        """One action; NotFound for an unknown id. It checks no owner (see `Notebook`)."""
        action_id = self._action_id(action_id)
        with self._read() as s:
            found = select_actions(s, t.actions.c.id == action_id)
        if not found:
            raise NotFound("That action could not be found.")
        return found[0]

    @retrying
    def actions_for(self, partnership: str, include_done: bool = True, *, belongs_to: str) -> list[Action]:
        """One owner's partnership's actions, by principle, then in the order they were added."""
        condition = t.partnerships.c.key == partnership_key(str(partnership), check_owner(belongs_to))
        if not include_done:
            condition = and_(condition, t.actions.c.status != "done")
        with self._read() as s:
            return select_actions(s, condition)

    @staticmethod
    def _action_id(action_id: object) -> int:
        if isinstance(action_id, bool) or not isinstance(action_id, int):
            raise NotFound("That action could not be found.")
        return action_id

    # --- export and import -------------------------------------------------------------------

    @retrying
    def export_notebook(self) -> str:
        """The whole notebook as one JSON document (see `notebook.py` for its format)."""
        a, p, x = t.assessments, t.partnerships, t.actions
        with self._read() as s:  # one transaction: a consistent snapshot of the notebook
            rubrics = s.execute(select(t.rubric_snapshots.c.hash, t.rubric_snapshots.c.text)
                                .order_by(t.rubric_snapshots.c.stored_at, t.rubric_snapshots.c.hash)).all()
            rows = s.execute(select(a, p.c.name.label("partnership")).join(p, p.c.id == a.c.partnership_id)
                             .order_by(a.c.created, a.c.id)).all()
            loaded = self._load(s, rows)
            digests = dict(s.execute(select(a.c.uid, a.c.link_digest)).all())
            acts = s.execute(select(x, p.c.name.label("partnership"), a.c.uid.label("raised_uid"))
                             .join(p, p.c.id == x.c.partnership_id).outerjoin(a, a.c.id == x.c.raised_in)
                             .order_by(x.c.id)).all()
        return notebook_file.document(
            [(h, text) for h, text in rubrics], loaded, digests,
            [notebook_file.ExportedAction(uid=r.uid, partnership=r.partnership, principle_id=r.principle_id,
                                          text=r.text, owner=r.owner, due=r.due, status=r.status,
                                          assessment_id=r.raised_uid, belongs_to=r.belongs_to,
                                          created=r.created, updated=r.updated) for r in acts])

    @retrying
    def import_notebook(self, data: str | bytes) -> ImportSummary:
        """Add the notebook in an exported JSON document; all or nothing. Returns an `ImportSummary`;
        raises `ImportProblem` (nothing written) for a file that is not ours, too large, malformed
        or from a newer release. Assessments and actions already here are kept as they are.

        The whole document is checked first (`notebook.check`), then written in one transaction
        with a statement per table and chunk (not a round trip per row), so a large restore holds
        the database's write lock only briefly."""
        checked = notebook_file.check(data)
        try:
            with self._write() as s:
                return self._import(s, checked)
        except IntegrityError as exc:  # a race with another writer; the transaction was rolled back
            raise ImportProblem(f"The notebook could not be imported ({exc.orig}); nothing was imported. "
                                "Try again.") from None

    def _import(self, s: Session, checked: notebook_file.Checked) -> ImportSummary:
        a, x, r = t.assessments, t.actions, t.rubric_snapshots
        incoming, acts = checked.assessments, checked.actions
        have = set(s.execute(select(r.c.hash)).scalars())
        new_rubrics = [{"hash": digest, "rubric_id": rubric.id, "version": rubric.version, "title": rubric.title,
                        "statements": len(rubric.statements), "text": text, "stored_at": datetime.now(UTC)}
                       for digest, (text, rubric) in checked.rubrics.items() if digest not in have]
        if new_rubrics:
            s.execute(insert(r), new_rubrics)

        def existing(column, values) -> dict:
            found: dict = {}
            values = sorted(set(values))
            for start in range(0, len(values), 500):
                found.update(s.execute(select(column, a.c.id).where(column.in_(values[start:start + 500]))).all())
            return found

        by_digest = existing(a.c.link_digest, [i["link_digest"] for i in incoming])
        by_uid = existing(a.c.uid, [i["uid"] for i in incoming])
        ids: dict[str, int] = {}  # the file's ids (links in old files) -> row ids here
        fresh = []
        for item in incoming:
            here = by_digest.get(item["link_digest"]) or by_uid.get(item["uid"])
            if here is not None:
                ids[item["ident"]] = here
            else:
                fresh.append(item)
        partnership_ids: dict[tuple[str, str], int] = {}

        def partnership_id(name: str, owner: str) -> int:  # few partnerships, many rows: look each up once
            key = (" ".join(name.split()).casefold(), owner)
            if key not in partnership_ids:
                partnership_ids[key] = self._partnership_id(s, name, owner, create=True)
            return partnership_ids[key]

        for item in fresh:  # partnerships first, then the assessments in one statement
            item["partnership_id"] = partnership_id(item["partnership"], item["belongs_to"])
        if fresh:
            s.execute(insert(a), [{
                "link_digest": i["link_digest"], "uid": i["uid"], "belongs_to": i["belongs_to"],
                "partnership_id": i["partnership_id"], "respondent": i["respondent"], "rubric_id": i["rubric_id"],
                "rubric_version": i["rubric_version"], "rubric_hash": i["rubric_hash"], "created": i["created"],
                "updated": i["updated"]} for i in fresh])
            new_ids = existing(a.c.uid, [i["uid"] for i in fresh])
            answer_rows, note_rows = [], []
            for item in fresh:
                row_id = ids[item["ident"]] = new_ids[item["uid"]]
                answer_rows += [{"assessment_id": row_id, "statement_id": k, "value": v,
                                 "answered_at": item["updated"]} for k, v in item["answers"].items()]
                note_rows += [{"assessment_id": row_id, "principle_id": k, "text": v, "updated": item["updated"]}
                              for k, v in item["notes"].items()]
            insert_many(s, t.answers, answer_rows)
            insert_many(s, t.notes, note_rows)

        missing = {i["raised"] for i in acts if i["raised"] is not None} - set(ids)
        if missing:  # actions raised in assessments already here, before this file
            if checked.version < 3:  # old files name them by their resume link
                found = existing(a.c.link_digest, [link_digest(m) for m in missing])
                ids.update({m: found[link_digest(m)] for m in missing if link_digest(m) in found})
            else:
                ids.update(existing(a.c.uid, missing))
        done = set(s.execute(select(x.c.uid).where(x.c.uid.in_([i["uid"] for i in acts] or [""]))).scalars())
        new_acts = []
        for item in acts:
            if item["raised"] is not None and item["raised"] not in ids:  # a damaged file, even if skipped
                item["where"].fail("this names an assessment that is neither in the file nor in this notebook.",
                                   "assessment_id")
            if item["uid"] in done:
                continue
            new_acts.append({
                "uid": item["uid"], "belongs_to": item["belongs_to"],
                "partnership_id": partnership_id(item["partnership"], item["belongs_to"]),
                "principle_id": item["principle_id"], "text": item["text"], "owner": item["owner"],
                "due": item["due"], "status": item["status"],
                "raised_in": ids.get(item["raised"]) if item["raised"] else None,
                "created": item["created"], "updated": item["updated"]})
        if new_acts:
            s.execute(insert(x), new_acts)
        return ImportSummary(len(fresh), len(incoming) - len(fresh), len(new_acts), len(acts) - len(new_acts),
                             len(new_rubrics))


__all__ = ["Action", "Assessment", "AssessmentSummary", "Store", "data_dir", "default_url",
           "rubric_hash"]
