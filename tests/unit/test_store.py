"""The encrypted store on a real SQLCipher file: round trip, nothing readable without the key."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import delete, func, select

from desktop_app.domain.person import PersonDraft
from desktop_app.storage import db as storage_db
from desktop_app.storage.db import NotAStore, StorePaths, open_with_key
from desktop_app.storage.keyslots import UnknownAccount, WrongPassword, new_database_key
from desktop_app.storage.layout import WITHDRAWN_FOLDER
from desktop_app.storage.models import Base, MetaRow
from desktop_app.usecases import people
from desktop_app.usecases.accounts import create_first_account, log_in
from tests.conftest import PASSWORD, downgrade_store


def test_round_trip_through_a_closed_and_reopened_store(data_dir: Path) -> None:
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    person = people.register_person(
        s.store, s.user, PersonDraft("Ștefan", "Țăranu", "1990-02-28", phone="0176 1234567")
    )
    s.close()
    s2 = log_in(data_dir, "Anna", PASSWORD)
    try:
        again = people.get_person(s2.store, s2.user, person.id)
        assert again == person
        assert again is not None and again.device_id == s2.store.device_id
        assert s2.user.role.value == "coordinator"
        assert s2.store.integrity_ok()
    finally:
        s2.close()


def test_database_bytes_reveal_no_name(data_dir: Path) -> None:
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    people.register_person(s.store, s.user, PersonDraft("Radostina", "Жечева", "1980"))
    # Look while the store is open too: WAL and journal files must be encrypted as well.
    files_open = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    s.close()
    files_closed = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    for files in (files_open, files_closed):
        assert "welcome-desk.db" in files
        for name, raw in files.items():
            for needle in ("Radostina", "Жечева", "zhecheva", "radostina"):
                assert needle.encode("utf-8") not in raw, (name, needle)
                assert needle.encode("utf-16-le") not in raw, (name, needle)
            assert b"SQLite format 3" not in raw


def test_wrong_password_and_unknown_account_are_refused(data_dir: Path) -> None:
    create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    with pytest.raises(WrongPassword):
        log_in(data_dir, "anna", PASSWORD + "x")
    with pytest.raises(UnknownAccount):
        log_in(data_dir, "boris", PASSWORD)


def test_wrong_key_is_not_a_store_and_file_is_untouched(data_dir: Path) -> None:
    create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    paths = StorePaths(data_dir)
    before = hashlib.sha256(paths.database.read_bytes()).hexdigest()
    with pytest.raises(NotAStore):
        open_with_key(paths, new_database_key())
    assert hashlib.sha256(paths.database.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("kind", ["plain_sqlite", "garbage", "empty_header"])
def test_foreign_database_file_is_refused_never_overwritten(tmp_path: Path, kind: str) -> None:
    paths = StorePaths(tmp_path)
    if kind == "plain_sqlite":
        conn = sqlite3.connect(paths.database)
        conn.execute("CREATE TABLE clients(name TEXT)")
        conn.execute("INSERT INTO clients VALUES ('someone')")
        conn.commit()
        conn.close()
    elif kind == "garbage":
        paths.database.write_bytes(b"\x00\x01garbage" * 500)
    else:
        paths.database.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4080)
    before = paths.database.read_bytes()
    with pytest.raises(NotAStore):
        open_with_key(paths, new_database_key())
    assert paths.database.read_bytes() == before


def test_migrations_from_empty_to_head_match_the_models(tmp_path: Path) -> None:
    store = open_with_key(StorePaths(tmp_path), new_database_key(), create=True)
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert diff == []
        config = Config()
        config.set_main_option(
            "script_location", str(Path(storage_db.__file__).parent / "migrations")
        )
        head = ScriptDirectory.from_config(config).get_current_head()
        assert version == head == storage_db.SCHEMA_HEAD
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        store.close()


def _made(store: storage_db.Store) -> tuple[list[tuple[object, ...]], dict[str, list[Any]]]:
    """The store's schema (every entry of sqlite_master) and the rows of its tables (the meta
    table by key only: the device id is the store's own)."""
    with store.engine.connect() as conn:
        schema = sorted(
            tuple(row)
            for row in conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master")
        )
        tables = [name for kind, name, _table, _sql in schema if kind == "table"]
        rows: dict[str, list[Any]] = {
            name: sorted(tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{name}"'))
            for name in tables
            if name != "meta"
        }
        rows["meta"] = sorted(conn.exec_driver_sql("SELECT key FROM meta").scalars())
    return schema, rows


def test_a_new_store_is_made_as_the_migrations_make_it(tmp_path: Path) -> None:
    """A new store is made from the schema the migrations leave, without running them; one in a
    data folder with withdrawn publications still runs them. Both come out the same: tables,
    indexes, triggers and the rows the migrations write (the people count's one row)."""
    key = new_database_key()
    made = open_with_key(StorePaths(tmp_path / "made"), key, create=True)
    (tmp_path / "migrated" / WITHDRAWN_FOLDER).mkdir(parents=True)
    migrated = open_with_key(StorePaths(tmp_path / "migrated"), key, create=True)
    try:
        made_schema, made_rows = _made(made)
        migrated_schema, migrated_rows = _made(migrated)
        assert made_schema == migrated_schema
        assert made_rows == migrated_rows
        triggers = {name for kind, name, *_ in made_schema if kind == "trigger"}
        assert {"tr_people_count_insert", "tr_report_facts_insert"} <= triggers
        assert made_rows["people_count"] == [(1, 0)]
    finally:
        made.close()
        migrated.close()
    # the triggers work in a store made without the migrations
    s = create_first_account(tmp_path / "used", "anna", "Anna Schmidt", PASSWORD)
    try:
        people.register_person(s.store, s.user, PersonDraft("Rayna", "Petrova", "1990"))
        with s.store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT people FROM people_count").scalar() == 1
    finally:
        s.close()


def test_store_written_by_newer_version_is_refused(tmp_path: Path) -> None:
    key = new_database_key()
    store = open_with_key(StorePaths(tmp_path), key, create=True)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    store.close()
    with pytest.raises(storage_db.NewerSchema):
        open_with_key(StorePaths(tmp_path), key)


def _background_rows(store: storage_db.Store) -> int:
    with store.reading() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(MetaRow).where(MetaRow.key.like("bg.%"))
            )
            or 0
        )


def test_a_writer_someone_waits_for_goes_before_a_background_writer(data_dir: Path) -> None:
    """Another process writes back to back in background transactions of 100 ms each (as the
    sync applies a long pull); a transaction here gets in after at most the one in progress,
    instead of waiting until the other process has finished (or giving up after 5 s)."""
    session = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    store = session.store
    writer = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("background_writer.py")), str(data_dir),
         "40", "100"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert writer.stdin is not None and writer.stdout is not None
        writer.stdin.write(session.key.hex() + "\n")
        writer.stdin.close()
        assert writer.stdout.readline().strip() == "started"
        seen = []
        for n in range(3):
            before = _background_rows(store)
            with store.transaction() as s:
                after = _background_rows(store)
                s.add(MetaRow(key=f"fg.{n}", value="mine"))
            # The other process finished the transaction it was in, if any, and stepped aside:
            # one or two of its 100 ms transactions, not the 40 it means to write. The bound
            # leaves room for this process being paused a moment between reading ``before`` and
            # asking (a busy machine, the other test worker), which lets a few more through.
            assert after - before <= 8 and after < 40, (before, after)
            seen.append(before)
            time.sleep(0.3)  # it goes on meanwhile
        assert 0 < seen[0] < seen[1] < seen[2] < 40
        assert writer.stdout.readline().strip() == "done"
        assert writer.wait(30) == 0
        assert _background_rows(store) == 40  # it went on afterwards
        assert not list((data_dir / storage_db.WRITERS_DIR).iterdir())  # nothing left behind
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.wait(10)
        if writer.stdout is not None:
            writer.stdout.close()
        session.close()


def test_a_writer_that_died_holds_up_no_background_transaction(data_dir: Path) -> None:
    """A process killed while it wrote leaves its file in ``writers/``: the next background
    transaction removes it rather than waiting for it."""
    session = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(30)
    writers = data_dir / storage_db.WRITERS_DIR
    writers.mkdir(exist_ok=True)
    (writers / str(dead.pid)).touch()
    try:
        with session.store.background_transaction() as s:
            s.add(MetaRow(key="bg.after-a-crash", value="x"))
        assert not (writers / str(dead.pid)).exists()
        assert session.store.meta("bg.after-a-crash") == "x"
    finally:
        session.close()


def test_conflicts_stored_before_they_named_their_person_get_it_from_their_record(
    tmp_path: Path,
) -> None:
    """Migration ``conflict_person``: a conflict over a person or over a visit of theirs is
    exported and erased with them, also one written by an earlier version."""
    key = new_database_key()
    store = open_with_key(StorePaths(tmp_path), key, create=True)
    downgrade_store(store, "laptops")
    with store.engine.begin() as conn:
        sync = "1, '0000000000001-00000-x', 'x', '', 0, '{}'"
        conn.exec_driver_sql(
            "INSERT INTO visits (id, revision, updated_hlc, device_id, author_id, deleted, "
            "field_clocks, person_id, form_id, form_version, answers, next_steps, status, "
            f"started_at, finished_at) VALUES ('v1', {sync}, 'p2', 'life_situation', 1, '{{}}', "
            "'{}', 'finished', '', '')"
        )
        for conflict, kind, record in (
            ("c1", "person", "p1"),
            ("c2", "visit", "v1"),
            ("c3", "visit", "gone"),
        ):
            conn.exec_driver_sql(
                "INSERT INTO conflicts (id, revision, updated_hlc, device_id, author_id, deleted, "
                "field_clocks, record_kind, record_id, field, kept_value, kept_clock, "
                f"other_value, other_clock, resolved) VALUES ('{conflict}', {sync}, '{kind}', "
                f"'{record}', 'f', '\"a\"', 'k', '\"b\"', 'o', 0)"
            )
    store.close()
    store = open_with_key(StorePaths(tmp_path), key)  # migrates to head on opening
    try:
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, person_id FROM conflicts ORDER BY id").all()
        assert [tuple(r) for r in rows] == [("c1", "p1"), ("c2", "p2"), ("c3", "")]
    finally:
        store.close()


def _ahead(store: storage_db.Store, minutes: int) -> str:
    """A clock time ``minutes`` ahead of this laptop's wall clock, from another laptop."""
    wall = time.time_ns() // 1_000_000 + minutes * 60_000
    return f"{wall:013d}-00003-other-laptop"


def test_the_clock_goes_on_after_a_restart_from_the_newest_time_it_saw(data_dir: Path) -> None:
    """A time observed from a laptop whose clock runs ahead (stored with what it brought) is
    not forgotten when the app closes: the next change sorts after it."""
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    seen = _ahead(s.store, 30)
    s.store.clock.observe(storage_db.Timestamp.parse(seen))
    people.register_person(s.store, s.user, PersonDraft("Ivan", "Kolev", "1980"))
    s.close()
    s2 = log_in(data_dir, "anna", PASSWORD)
    try:
        assert str(s2.store.clock.now()) > seen
    finally:
        s2.close()


def test_a_store_from_before_the_clock_was_noted_takes_it_from_its_newest_record(
    data_dir: Path,
) -> None:
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    person = people.register_person(s.store, s.user, PersonDraft("Ivan", "Kolev", "1980"))
    seen = _ahead(s.store, 45)
    with s.store.transaction() as session:
        # As a pull stores a record last changed on a laptop whose clock runs ahead, in a
        # store written by a version that did not note the clock.
        session.connection().exec_driver_sql(
            "UPDATE people SET updated_hlc = ? WHERE id = ?", (seen, person.id)
        )
    with s.store.engine.begin() as connection:  # not a store transaction: it notes the clock
        connection.execute(delete(MetaRow).where(MetaRow.key == storage_db.CLOCK_KEY))
    s.close()
    s2 = log_in(data_dir, "anna", PASSWORD)
    try:
        assert str(s2.store.clock.now()) > seen
    finally:
        s2.close()


def test_a_process_whose_clock_is_behind_does_not_move_the_noted_time_back(
    data_dir: Path,
) -> None:
    """The window and its sync process write the same store, each with its own clock: the
    time noted for the next start is the newer of the two."""
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    window = storage_db.open_with_key(StorePaths(data_dir), s.key)  # a second process's store
    seen = _ahead(s.store, 20)
    s.store.clock.observe(storage_db.Timestamp.parse(seen))
    people.register_person(s.store, s.user, PersonDraft("Ivan", "Kolev", "1980"))
    people.register_person(window, s.user, PersonDraft("Elena", "Radu", "1985"))
    window.close()
    s.close()
    s2 = log_in(data_dir, "anna", PASSWORD)
    try:
        assert str(s2.store.clock.now()) > seen
    finally:
        s2.close()
