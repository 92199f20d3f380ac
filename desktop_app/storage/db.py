"""The one place that opens the encrypted store: SQLCipher file, key slots, migrations, pragmas."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from sqlalchemy import URL, Dialect, Engine, create_engine, event, select, text
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from desktop_app import memory
from desktop_app.domain.hlc import HybridLogicalClock, Timestamp
from desktop_app.storage.layout import (  # re-exported: the store's names live in one place
    DB_NAME,
    RESTORED_MARKER,
    SCHEMA_HEAD,
    SLOTS_NAME,
    WITHDRAWN_FOLDER,
    NewerSchema,
    NotAStore,
    StoreClosed,
    StoreError,
    StoreExists,
    StoreMissing,
    StorePaths,
)
from desktop_app.storage.models import Base, MetaRow

log = logging.getLogger(__name__)

__all__ = [
    "DB_NAME",
    "SCHEMA_HEAD",
    "SLOTS_NAME",
    "AlreadyRunning",
    "NewerSchema",
    "NotAStore",
    "Store",
    "StoreClosed",
    "StoreError",
    "StoreExists",
    "StoreMissing",
    "StorePaths",
    "migrate",
    "only_one",
    "open_with_key",
    "running",
]


# A writing transaction (``Store.transaction``, migrations) takes the write lock when it begins,
# waiting up to the busy timeout, so what it reads first (the audit chain's head, a revision)
# cannot be changed by another process's transaction before it writes; a transaction the driver
# began at its first write would fail with "database is locked" instead, had another process
# written meanwhile. Reading begins nothing: each statement reads the latest commit on its own.
# (Issued by hand: a "begin" event listener made SQLAlchemy slower on every statement.)
_BEGIN_WRITING = "BEGIN IMMEDIATE"

# Writers someone waits for (the window, the command line) go before background writers (the
# sync): each process that is in or waiting for such a transaction keeps a file named after it
# in ``WRITERS_DIR``, and a background transaction begins only when no other process has one.
# Without this, a sync that began its next transaction right after each commit kept the window
# waiting for seconds: SQLite's busy handler sleeps between its tries (up to 100 ms at a time)
# and nearly always woke to find the store taken again (writer starvation).
WRITERS_DIR = "writers"
_YIELD_POLL_S = 0.002
# A background writer waits at most this long per transaction. A process that died while it
# wrote leaves its file: removed when found (POSIX: its pid is gone), else ignored once it is
# older than _STALE_WRITER_S.
_MAX_YIELD_S = 1.0
_STALE_WRITER_S = 15.0
# A marker of ``only_one`` older than this is left over (the longest holder, a join,
# takes a busy timeout and one request), also where a process id cannot be told.
_STALE_MARKER_S = 600.0

# SQLite checkpoints the write-ahead log into the database by itself, in the transaction whose
# commit takes the log past ``wal_autocheckpoint`` pages (1,000, SQLite's default). During a
# sync that landed in the sync's own transactions, with the store's write lock held: in both
# transactions that apply a 10,000-person first pull, and in a first push's confirmations
# (the outbox rows it deletes), copying pages the next transaction wrote again. While a sync runs
# (``Store.checkpoints_deferred``) the log may grow to ``_DEFERRED_AUTOCHECKPOINT`` pages (so
# it stays bounded however long the sync is), and one PASSIVE checkpoint after it copies each
# page once, without the write lock (the window's writers need not wait for it).
_AUTOCHECKPOINT = 1000
_DEFERRED_AUTOCHECKPOINT = 16384  # 64 MiB of 4 KiB pages: more than a 10,000-record first sync
# The log file is not shortened by a checkpoint: SQLite writes it again from its start. When it
# does, a file larger than this is cut to it (``journal_size_limit``), so that a first sync's
# log does not keep its size on disk for good.
WAL_SIZE_LIMIT = 4 * 1024 * 1024


class AlreadyRunning(Exception):
    """What ``only_one`` guards is being done now by another process or thread."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is already running")
        self.what = what


#: How long a write waits for another connection's write lock (a sync in another process, a
#: second window) before it gives up and the user is told the store is busy.
BUSY_TIMEOUT_MS = 5000


def _engine(path: Path, key: bytes) -> Engine:
    url = URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(path))
    # One connection per checkout from a small queue pool, usable from any worker thread.
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_use_lifo=True,  # reuse the warmest connection: its page cache is already decrypted
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Transactions begin where we say (``_BEGIN_WRITING``), not where the driver guesses
        # (at the first write, after the reads the transaction relied on).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA cipher_memory_security = OFF")
        cur.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed transaction survives a power cut, also in WAL mode.
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute(f"PRAGMA wal_autocheckpoint = {_AUTOCHECKPOINT}")
        cur.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.execute("PRAGMA cache_size = -32768")  # 32 MiB of decrypted pages
        cur.close()

    return engine


def _check_readable(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        raise NotAStore(str(exc.orig) if exc.orig else str(exc)) from exc


def migrate(engine: Engine) -> None:
    """Bring the schema to head; refuse a store written by a newer Welcome Desk."""
    with engine.connect() as conn:
        has_version = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
        current = (
            conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            if has_version
            else None
        )
        empty = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one() == 0
    if current == SCHEMA_HEAD:
        return
    if empty and not _has_withdrawn_folder(engine):
        _create_at_head(engine)
        return
    _upgrade(engine, current)


def _upgrade(engine: Engine, current: str | None) -> None:
    """Run Alembic's migrations from ``current`` (None: an empty database) to head."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    script = ScriptDirectory.from_config(config)
    if current is not None:
        try:
            script.get_revision(current)
        except CommandError as exc:
            raise NewerSchema(current) from exc
    with engine.connect() as conn:
        conn.exec_driver_sql(_BEGIN_WRITING)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()


# A new store gets the schema the migrations leave, without running them: each of the 23 took
# its share of about 0.3 s, paid again by every store made (a laptop's first, a demo, and every
# test's). The statements and rows are those of an empty database migrated once per process in
# memory (``_schema_at_head``); tests compare a store made so with one the migrations made.
# A data folder holding withdrawn publications (the store deleted and made again in it) still
# goes through the migrations, so that the upgrade that reads them runs.


def _has_withdrawn_folder(engine: Engine) -> bool:
    database = engine.url.database
    return database is not None and (Path(database).parent / WITHDRAWN_FOLDER).exists()


@functools.cache
def _schema_at_head() -> tuple[
    tuple[str, ...], tuple[tuple[str, tuple[tuple[object, ...], ...]], ...]
]:
    """The CREATE statements (tables first, then indexes, views and triggers, each in the order
    the migrations made them) and the rows of an empty database migrated to head."""
    key = "x'" + "00" * 32 + "'"  # a memory database is never written anywhere
    engine = create_engine(
        URL.create("sqlite+pysqlcipher", password=key),
        poolclass=StaticPool,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    try:
        _upgrade(engine, None)
        with engine.connect() as conn:
            made = conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master "
                "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            ).all()
            order = {"table": 0, "index": 1, "view": 2, "trigger": 3}
            statements = tuple(
                sql for kind, _name, sql in sorted(made, key=lambda row: order[row[0]])
            )
            rows = tuple(
                (name, tuple(tuple(row) for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"')))
                for kind, name, _sql in made
                if kind == "table"
            )
    finally:
        engine.dispose()
    return statements, tuple((name, found) for name, found in rows if found)


def _create_at_head(engine: Engine) -> None:
    statements, rows = _schema_at_head()
    tables = [sql for sql in statements if sql.lstrip().upper().startswith("CREATE TABLE")]
    others = [sql for sql in statements if sql not in tables]
    with engine.connect() as conn:
        conn.exec_driver_sql(_BEGIN_WRITING)
        raw = conn.connection.driver_connection
        assert raw is not None
        for sql in tables:
            raw.execute(sql)
        for name, found in rows:  # before the triggers, as the migrations left them
            marks = ", ".join("?" * len(found[0]))
            raw.executemany(f'INSERT INTO "{name}" VALUES ({marks})', found)
        for sql in others:
            raw.execute(sql)
        conn.commit()


class Store:
    """An open, unlocked store: engine, sessions, this laptop's device id and clock."""

    def __init__(self, paths: StorePaths, engine: Engine) -> None:
        self.paths = paths
        self.engine = engine
        self._closed = False
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Writing transactions begin IMMEDIATE (``_BEGIN_WRITING``): one writer at a time
        # across processes (the window and its sync process), each seeing what the one before
        # it committed. Within this process they also take a re-entrant lock, so threads queue
        # here rather than in SQLite's busy wait, and a use case may call another that opens
        # its own transaction.
        self._write_lock = threading.RLock()
        self._writers_dir = paths.data_dir / WRITERS_DIR
        self._writer_file = self._writers_dir / str(os.getpid())
        self._foreground = 0  # this process's transactions in progress or waiting to begin
        self._foreground_lock = threading.Lock()
        self._clock_ready = False
        self._clock_noted = ""  # the clock time this process last noted in the store
        self._deferring = 0  # ``checkpoints_deferred`` in progress in this process
        self._deferring_lock = threading.Lock()
        with contextlib.suppress(OSError):
            self._writers_dir.mkdir(exist_ok=True)
        restored = paths.data_dir / RESTORED_MARKER
        with self.transaction() as session:
            device = session.get(MetaRow, "device_id")
            if device is None:
                device = MetaRow(key="device_id", value=str(uuid.uuid4()))
                session.add(device)
            elif restored.exists():
                # Restored from a backup: the laptop the backup was taken on may have gone on
                # after it (audit entries, clock times under its id). The copy goes on under an
                # id of its own, so that nothing it writes from now on can take a sequence
                # number or a time that laptop used (its audit chain would fork: other laptops
                # refuse a second entry with the same device and number).
                device.value = str(uuid.uuid4())
            self.device_id = device.value
            self.clock = HybridLogicalClock(self.device_id)
            # The clock goes on from the newest time this store holds, not from this
            # process's wall clock: a value from a laptop whose clock runs ahead, or one set
            # before this laptop's clock was put back, would otherwise win over a change made
            # on top of it after a restart, and that change would be lost everywhere.
            newest = _held_clock(session)
            if newest is not None:
                self.clock.observe(newest)
            self._clock_ready = True
        restored.unlink(missing_ok=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A short read-write transaction: committed on success, rolled back on error; one at
        a time in this process (other threads' transactions wait for it). Background writers
        of other processes let it go first (``background_transaction``)."""
        self._refuse_if_closed()
        self._announce(+1)
        try:
            with self._write_lock, self._sessions.begin() as session:
                session.connection().exec_driver_sql(_BEGIN_WRITING)
                self._set_autocheckpoint(session)
                yield session
                self._keep_clock(session)
        finally:
            self._announce(-1)

    @contextmanager
    def background_transaction(self) -> Iterator[Session]:
        """``transaction`` for work nobody waits for (the sync): it begins once no other
        process is in or waiting for a ``transaction`` (for at most a moment)."""
        self._refuse_if_closed()
        deadline = time.monotonic() + _MAX_YIELD_S
        while self.others_writing() and time.monotonic() < deadline:
            time.sleep(_YIELD_POLL_S)
        with self._write_lock, self._sessions.begin() as session:
            session.connection().exec_driver_sql(_BEGIN_WRITING)
            self._set_autocheckpoint(session)
            yield session
            self._keep_clock(session)

    @contextmanager
    def checkpoints_deferred(self) -> Iterator[None]:
        """No automatic checkpoint in this process's writing transactions meanwhile (until the
        log reaches ``_DEFERRED_AUTOCHECKPOINT`` pages); a PASSIVE one when the last such block
        ends. For the sync: its transactions commit without copying the log into the database
        on the way. Durability is as before (``synchronous`` stays FULL: each commit is on disk
        in the log)."""
        with self._deferring_lock:
            self._deferring += 1
        try:
            yield
        finally:
            with self._deferring_lock:
                self._deferring -= 1
                last = self._deferring == 0
            if last and not self._closed:
                try:
                    self.checkpoint()
                except (StoreClosed, DBAPIError) as exc:
                    # Not a sync's failure: the next checkpoint copies what this one did not.
                    log.warning("checkpoint after the sync failed: %s", type(exc).__name__)

    def _set_autocheckpoint(self, session: Session) -> None:
        """The connection's ``wal_autocheckpoint`` as ``checkpoints_deferred`` wants it now
        (a statement only when it changes: noted in the pooled connection's ``info``)."""
        wanted = _DEFERRED_AUTOCHECKPOINT if self._deferring else _AUTOCHECKPOINT
        connection = session.connection()
        if connection.info.get("wal_autocheckpoint", _AUTOCHECKPOINT) != wanted:
            connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {wanted}")
            connection.info["wal_autocheckpoint"] = wanted

    def checkpoint(self) -> tuple[int, int, int]:
        """Copy the write-ahead log into the database as far as readers allow (PASSIVE: takes
        no lock anyone waits for). Returns SQLite's answer: (busy, pages in the log, pages
        copied); the log is written again from its start by the next writer once all are."""
        self._refuse_if_closed()
        with self.engine.connect() as conn:
            busy, logged, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return int(busy), int(logged), int(copied)

    def _keep_clock(self, session: Session) -> None:
        """Note the clock's newest time in the transaction that may store it (a change made
        now, a record pulled from a laptop whose clock runs ahead), for the next start."""
        if not self._clock_ready:
            return
        latest = str(self.clock.latest())
        if latest == self._clock_noted:
            return  # nothing newer since this process noted it: the store holds as much
        # One statement, no ORM (an ORM read here flushed the session: a third more per
        # transaction). Clocks are fixed-width up to the device: those 19 characters order them.
        session.connection().exec_driver_sql(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
            "SET value = excluded.value "
            "WHERE substr(excluded.value, 1, 19) > substr(meta.value, 1, 19)",
            (CLOCK_KEY, latest),
        )
        self._clock_noted = latest

    def _announce(self, change: int) -> None:
        """Keep this process's file in ``WRITERS_DIR`` while a transaction of it is in progress
        or waiting. Best effort: without the file, the sync only does not step aside."""
        with self._foreground_lock:
            self._foreground += change
            try:
                if change > 0 and self._foreground == 1:
                    self._writer_file.touch()
                elif change < 0 and self._foreground == 0:
                    self._writer_file.unlink(missing_ok=True)
            except OSError:
                pass

    def others_writing(self) -> bool:
        """Whether another process is in or waiting for a ``transaction`` (a long background
        transaction ends early for it)."""
        try:
            entries = os.scandir(self._writers_dir)
        except OSError:
            return False
        now = time.time()
        with entries:
            for entry in entries:
                if entry.name == self._writer_file.name:
                    continue
                if not _process_alive(entry.name):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                    continue
                try:
                    if now - entry.stat().st_mtime < _STALE_WRITER_S:
                        return True
                except OSError:
                    continue  # gone meanwhile
        return False

    @contextmanager
    def reading(self) -> Iterator[Session]:
        self._refuse_if_closed()
        with self._sessions() as session:
            yield session

    def meta(self, key: str) -> str | None:
        with self.reading() as session:
            return session.scalar(select(MetaRow.value).where(MetaRow.key == key))

    def integrity_ok(self) -> bool:
        self._refuse_if_closed()
        with self.engine.connect() as conn:
            return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"

    @property
    def closed(self) -> bool:
        return self._closed

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise StoreClosed(str(self.paths.database))

    def close(self) -> None:
        """Close the store for good: its connections are closed, and every later use (a
        transaction, a read, a connection of the engine's) raises ``StoreClosed`` rather than
        connecting again. The key leaves the engine (its URL, its connection factory and the
        dialect's per-connection hook held it as ``x'<hex>'``). A transaction in progress on
        another thread finishes first: closing waits for the write lock. Closing twice is
        harmless."""
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            _forget_key(self.engine, self.paths.database)
            _forget_compiled(self.engine.dialect)
        # What held the key, if the program froze it with everything alive once started
        # (``desktop_app.memory``), goes back to the cycle collector.
        memory.thaw()


def _forget_key(engine: Engine, database: Path) -> None:
    """Close ``engine``'s connections and take the key out of it: its URL loses the password,
    and its pool is replaced by one whose every connection attempt raises ``StoreClosed``
    (the old pool's factory and connect hooks, closures over the key, go with it)."""

    def refuse() -> NoReturn:
        raise StoreClosed(str(database))

    engine.dispose(close=True)
    engine.url = URL.create(engine.url.drivername, database=engine.url.database)
    engine.pool = QueuePool(refuse, pool_size=1, max_overflow=0)


def _forget_compiled(dialect: Dialect) -> None:
    """Drop what the ORM compiled for ``dialect``. Each mapper caches the inserts, updates
    and deletes its unit of work compiled (``Mapper._compiled_cache``, SQLAlchemy's own and
    shared by every engine: the key begins with the dialect). The engine's own cache goes
    with the engine; these entries kept a closed store's dialect in memory, and with it what
    it had made (type adaptations, compiled statements, quoted names): some 650 objects at
    every user switch at the lock, bounded only by each cache's 150 entries (some 50
    switches: three entries each)."""
    for mapper in Base.registry.mappers:
        cache = mapper.__dict__.get("_compiled_cache")  # made at a mapper's first write
        if not cache:
            continue
        for key in [k for k in list(cache) if isinstance(k, tuple) and k and k[0] is dialect]:
            with contextlib.suppress(KeyError):  # pruned meanwhile by another thread's write
                del cache[key]


# The meta row that holds the newest clock time this store has issued or observed.
CLOCK_KEY = "clock.latest"


def _parsed(text_value: str | None) -> Timestamp | None:
    try:
        return Timestamp.parse(text_value) if text_value else None
    except ValueError:
        return None


def _held_clock(session: Session) -> Timestamp | None:
    """The newest clock time the store holds: noted by ``Store._keep_clock``, or for a store
    from before it noted one, the newest change of any synced record or audit entry."""
    noted = _parsed(session.scalar(select(MetaRow.value).where(MetaRow.key == CLOCK_KEY)))
    if noted is not None:
        return noted
    connection = session.connection()
    tables = connection.exec_driver_sql(
        "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c "
        "WHERE m.type = 'table' AND c.name = 'updated_hlc'"
    ).scalars()
    queries = [f'SELECT max(updated_hlc) FROM "{name}"' for name in tables]
    queries.append("SELECT max(at) FROM audit_log")
    found = [_parsed(connection.exec_driver_sql(q).scalar()) for q in queries]
    held = [t for t in found if t is not None]
    return max(held, key=lambda t: (t.wall_ms, t.counter)) if held else None


def open_with_key(paths: StorePaths, key: bytes, *, create: bool = False) -> Store:
    """Open (or, with ``create``, make) the database file with an already unwrapped key."""
    if create and paths.database.exists():
        raise StoreExists(str(paths.database))
    if not create and not paths.database.exists():
        raise StoreMissing(str(paths.database))
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    engine = _engine(paths.database, key)
    _check_readable(engine)
    migrate(engine)
    return Store(paths, engine)


@contextmanager
def only_one(data_dir: Path, what: str) -> Iterator[None]:
    """``what`` (a name, such as "joining") done on the store in ``data_dir`` by one process
    and thread at a time: a file of that name there holds the process id meanwhile; another
    gets ``AlreadyRunning`` at once, not after the store's busy timeout. Created exclusively
    (two cannot both take it); a file left by a process that died is taken over."""
    path = data_dir / what
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            if running(data_dir, what):
                raise AlreadyRunning(what) from None
            path.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w", encoding="ascii") as marker:
            marker.write(str(os.getpid()))
        break
    else:
        raise AlreadyRunning(what)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def running(data_dir: Path, what: str) -> bool:
    """Whether a process (this one too) does ``what`` now (``only_one``): its file is there,
    and the process it names runs (POSIX: its pid exists; where that cannot be told, the file
    is younger than ``_STALE_MARKER_S``)."""
    path = data_dir / what
    try:
        holder = path.read_text(encoding="ascii").strip()
        age = time.time() - path.stat().st_mtime
    except OSError:  # none, or gone meanwhile
        return False
    # An empty file: its process is between creating and writing it.
    return (not holder or _process_alive(holder)) and age < _STALE_MARKER_S


def _process_alive(name: str) -> bool:
    """Whether the process a file in ``WRITERS_DIR`` is named after still runs (True where
    that cannot be told)."""
    if not name.isdigit():
        return True
    if sys.platform == "win32":  # signal 0 would end the process there, not test it
        return _windows_process_alive(int(name))
    try:
        os.kill(int(name), 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it runs
        return True
    return True


if sys.platform == "win32":

    def _windows_process_alive(pid: int) -> bool:
        """OpenProcess fails with ERROR_INVALID_PARAMETER for a pid no process has; a process
        that ended but whose handle someone still holds reports an exit code other than
        STILL_ACTIVE."""
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE
        kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        query_limited_information, invalid_parameter, still_active = 0x1000, 87, 259
        handle = kernel32.OpenProcess(query_limited_information, False, pid)
        if not handle:
            return ctypes.get_last_error() != invalid_parameter  # e.g. access denied: it runs
        try:
            code = wintypes.DWORD()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == still_active
        finally:
            kernel32.CloseHandle(handle)
