"""The start-up reader: the same key, the same rows and the same search as the full store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlcipher3 import dbapi2

from desktop_app.domain.demo import generate_people
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.keyslots import UnknownAccount, WrongPassword
from desktop_app.storage.login_guard import LoginGuard
from desktop_app.storage.quick import QuickUnavailable, quick_open
from desktop_app.usecases import accounts, people
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD

QUERIES = [
    "petrov",
    "Петров",
    "ştefan",
    "ștefan p",
    "mü",
    "petar aglen",
    "1979",
    "02.05.1979",
    "0170",
    "+49 170",
    "x",
    "zzzz",
    "",
]


@pytest.fixture
def filled(session: Session) -> Session:
    people.register_many(session.store, session.user, generate_people(600, seed=3))
    people.register_person(
        session.store,
        session.user,
        PersonDraft(given_name="Ștefan", family_name="Петров", date_of_birth="02.05.1979"),
    )
    return session


def test_quick_reader_serves_the_same_list_and_search_as_the_store(
    filled: Session, data_dir: Path
) -> None:
    quick = quick_open(data_dir, "Anna", PASSWORD, page_size=50)
    try:
        assert quick.key == filled.key
        assert quick.user == filled.user
        store = filled.store
        assert quick.reader.count() == people.count_people(store) == 601
        assert quick.reader.count() == 601  # the preloaded count is used once, then asked again
        for offset in (0, 50, 590):
            assert quick.reader.page(offset, 50) == people.list_people(store, offset, 50)
        found = 0
        for query in QUERIES:
            result = quick.reader.search(query)
            assert result == people.search_people(store, query), query
            found += bool(result)
        assert found >= len(QUERIES) - 3  # most queries find someone: the comparison bites
        assert quick.reader.search("stefan petrov")[0].family_name == "Петров"
    finally:
        quick.reader.close()


def test_quick_reader_cannot_write(filled: Session, data_dir: Path) -> None:
    quick = quick_open(data_dir, "anna", PASSWORD)
    try:
        with pytest.raises(dbapi2.OperationalError, match="readonly"):
            quick.reader._execute("DELETE FROM people", ())
        assert quick.reader.count() == 601
    finally:
        quick.reader.close()


def test_wrong_password_is_refused_and_counted(filled: Session, data_dir: Path) -> None:
    with pytest.raises(WrongPassword):
        quick_open(data_dir, "anna", "not the password")
    assert LoginGuard(data_dir).failures == 1
    quick_open(data_dir, "anna", PASSWORD).reader.close()
    assert LoginGuard(data_dir).failures == 0


def test_recovery_slot_and_removed_accounts_do_not_open(session: Session, data_dir: Path) -> None:
    with pytest.raises(UnknownAccount):
        quick_open(data_dir, "#recovery", "whatever")
    accounts.add_user(session, "boris", "Boris", Role.ADVISOR, "boris-password")
    quick_open(data_dir, "boris", "boris-password").reader.close()
    # Removed on another laptop: the removal arrived by sync, the key slot here is still there.
    with session.store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE users SET deleted = 1 WHERE account = 'boris'")
    with pytest.raises(UnknownAccount):
        quick_open(data_dir, "boris", "boris-password")


def test_a_store_needing_migration_takes_the_full_path(session: Session, data_dir: Path) -> None:
    with session.store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'older'")
    with pytest.raises(QuickUnavailable) as caught:
        quick_open(data_dir, "anna", PASSWORD)
    assert caught.value.key == session.key  # the full path opens with it, no second unlock


def test_a_foreign_database_file_takes_the_full_path(session: Session, data_dir: Path) -> None:
    session.close()
    database = data_dir / "welcome-desk.db"
    for name in ("welcome-desk.db-wal", "welcome-desk.db-shm"):
        (data_dir / name).unlink(missing_ok=True)
    database.write_bytes(b"not a database" * 1000)
    with pytest.raises(QuickUnavailable):
        quick_open(data_dir, "anna", PASSWORD)
    assert database.read_bytes() == b"not a database" * 1000  # never overwritten
