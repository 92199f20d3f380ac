"""Database URL handling, engine set-up and Alembic migrations for the sync server."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

ENV_DATABASE_URL = "WELCOME_DESK_SERVER_DB"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration; a test checks it against Alembic's script directory.
HEAD_REVISION = "0011"


def default_database_url() -> str:
    folder = platformdirs.user_data_path("WelcomeDeskServer", appauthor=False)
    return f"sqlite:///{folder / 'sync_server.db'}"


def resolve_database_url(cli_value: str | None) -> str:
    """``--database-url`` wins, then ``$WELCOME_DESK_SERVER_DB``, then a SQLite file."""
    url = cli_value or os.environ.get(ENV_DATABASE_URL) or default_database_url()
    # psycopg 3 is the installed driver; plain postgresql:// would ask for psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


def safe_url(url: str) -> str:
    """The URL without its password, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    # hide_parameters: a failing statement must never put ciphertext into a log line.
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten with zeros, not left in free pages of the file: the
            # earlier envelopes an erasure or a redaction deletes (ciphertext under the team key)
            # are gone from the file once the log (WAL) is checkpointed into it. Deletes are
            # rare here (erasures, redactions); their pages cost one write more.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    kwargs["pool_size"] = 10
    kwargs["max_overflow"] = 20
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


# A pooled connection used less than this long ago is taken as it is. pool_pre_ping checked
# every connection on every checkout: a round trip before each of a request's statements, a
# fifth of a push's server time under load.
IDLE_PING_AFTER_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection that has been idle a while before handing it out.

    A database restart or a dropped connection therefore still costs no request. A
    connection that broke within the last seconds fails its statement; SQLAlchemy then
    discards the pool, and the laptop retries (it backs off and resends anyway).
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < IDLE_PING_AFTER_S:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:
            # The pool drops this connection and tries another (SQLAlchemy's documented
            # "disconnect handling, pessimistic" pattern).
            raise DisconnectionError("idle connection is gone") from exc


def alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # no table yet: a fresh database
            return None


class SchemaTooNew(Exception):
    """The database was migrated by a newer server than this one."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"the database has schema revision {revision}, newer than this server knows "
            f"(up to {HEAD_REVISION}): update the server, or restore the database it wrote"
        )
        self.revision = revision


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (safe to run on every start)."""
    # Importing Alembic costs about half a second; skip it when already up to date.
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config()
    # Alembic would fail with a traceback ("Can't locate revision"); say what it means.
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaTooNew(current)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
