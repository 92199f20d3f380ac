"""Roles enforced in the use-case layer, accounts with one key slot each, recovery, lockout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.domain.permissions import PERMISSIONS, Action, PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import Organisation
from desktop_app.domain.users import Role
from desktop_app.domain.validation import ValidationFailed
from desktop_app.storage.keyslots import (
    RECOVERY_ACCOUNT,
    LoginDelayed,
    UnknownAccount,
    WrongPassword,
)
from desktop_app.storage.login_guard import LoginGuard, delay_after
from desktop_app.storage.models import OutboxRow, UserRow
from desktop_app.usecases import access, accounts, backup, people, settings
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD

HELPER_PW = "student pass 7"


def _helper(session: Session) -> Session:
    accounts.add_user(session, "mihai", "Mihai Student", Role.HELPER, HELPER_PW)
    return accounts.log_in(session.store.paths.data_dir, "mihai", HELPER_PW)


def test_permissions_table_separates_the_roles() -> None:
    helper, advisor, coord = (PERMISSIONS[r] for r in (Role.HELPER, Role.ADVISOR, Role.COORDINATOR))
    assert Action.REGISTER_PERSON in helper and Action.EXPORT_PERSON not in helper
    assert Action.VIEW_RESTRICTED not in helper and Action.ERASE_PERSON not in helper
    assert Action.VIEW_RESTRICTED in advisor and Action.ERASE_PERSON not in advisor
    # An advisor records a person's request about their data (an erasure's too); a helper none.
    assert Action.RECORD_DATA_REQUEST in advisor and Action.RECORD_DATA_REQUEST not in helper
    assert helper < advisor < coord and Action.MANAGE_USERS in coord
    assert Action.MANAGE_SETTINGS in coord and Action.MANAGE_SETTINGS not in advisor


def test_helper_is_refused_restricted_sections_until_an_advisor_opens_the_case(
    session: Session,
) -> None:
    helper = _helper(session)
    try:
        person = people.register_person(helper.store, helper.user, PersonDraft("Ion", "Popa"))
        with pytest.raises(PermissionDenied):
            access.require_restricted(helper.store, helper.user, person.id, "health")
        access.require_restricted(helper.store, helper.user, person.id, None)  # plain sections
        with pytest.raises(PermissionDenied):  # a helper cannot open cases
            access.open_case_to_helper(
                helper.store, helper.user, person.id, helper.user.id, "health"
            )
        access.open_case_to_helper(session.store, session.user, person.id, helper.user.id, "health")
        access.require_restricted(helper.store, helper.user, person.id, "health")
        with pytest.raises(PermissionDenied):  # only the opened kind
            access.require_restricted(helper.store, helper.user, person.id, "exploitation")
        access.close_case_to_helper(
            session.store, session.user, person.id, helper.user.id, "health"
        )
        with pytest.raises(PermissionDenied):
            access.require_restricted(helper.store, helper.user, person.id, "health")
    finally:
        helper.close()


def test_only_a_coordinator_manages_users(session: Session) -> None:
    helper = _helper(session)
    try:
        with pytest.raises(PermissionDenied):
            accounts.add_user(helper, "eva", "Eva", Role.ADVISOR, "long enough 1")
        with pytest.raises(PermissionDenied):
            accounts.remove_user(helper, session.user.id)
    finally:
        helper.close()
    with pytest.raises(ValidationFailed):
        accounts.add_user(session, "mihai", "Again", Role.HELPER, "long enough 1")
    with pytest.raises(ValidationFailed):
        accounts.add_user(session, "#recovery", "x", Role.HELPER, "long enough 1")


def test_only_a_coordinator_changes_the_letterhead_and_shared_settings(session: Session) -> None:
    """The letterhead is printed on every referral letter and names the data controller; a
    helper or an advisor could change it through the settings (no check below the UI)."""
    accounts.add_user(session, "eva", "Eva Beraterin", Role.ADVISOR, "advisor pass 8")
    helper = _helper(session)
    advisor = accounts.log_in(session.store.paths.data_dir, "eva", "advisor pass 8")
    forged = Organisation(name="Someone Else e. V.", address_lines=("Elsewhere 1",))
    try:
        for other in (helper, advisor):
            assert not settings.may_change_shared_settings(other.user)
            with pytest.raises(PermissionDenied):
                settings.require_change_shared_settings(other.user)
            with pytest.raises(PermissionDenied):
                settings.set_letterhead(other.store, other.user, forged)
            assert not settings.has_letterhead(other.store)
    finally:
        helper.close()
        advisor.close()
    assert settings.may_change_shared_settings(session.user)
    settings.require_change_shared_settings(session.user)
    settings.set_letterhead(session.store, session.user, forged)
    assert settings.get_letterhead(session.store).name == "Someone Else e. V."


def test_each_account_has_its_own_slot_and_removal_locks_it_out(session: Session) -> None:
    data_dir = session.store.paths.data_dir
    helper = _helper(session)
    helper.close()
    slots = session.store.paths.keyslots
    assert slots.account_count() == 2 and slots.has_slot("anna") and slots.has_slot("mihai")
    accounts.remove_user(session, helper.user.id)
    with pytest.raises(UnknownAccount):
        accounts.log_in(data_dir, "mihai", HELPER_PW)
    assert [u.account for u in accounts.list_users(session.store)] == ["anna"]


def _credited(session: Session, user_id: str) -> tuple[str, str, int]:
    """The device, author and revision of an account's record, and the revision queued."""
    with session.store.reading() as db:
        row = db.get(UserRow, user_id)
        assert row is not None
        queued = db.scalars(select(OutboxRow.revision).where(OutboxRow.record_id == user_id)).all()
        assert max(queued) == row.revision
        return row.device_id, row.author_id, row.revision


def test_an_account_removed_or_added_again_is_credited_to_who_did_it_and_where(
    session: Session, tmp_path: Path
) -> None:
    """Removing an account left its record naming whoever added it; adding it again on a
    laptop restored from a backup (a store of its own, under a new device id) left it naming
    the laptop the backup was taken on."""
    helper = _helper(session)
    helper.close()
    accounts.add_user(session, "ion", "Ion Popa", Role.COORDINATOR, "coordinator pass 3")
    ion = accounts.log_in(session.store.paths.data_dir, "ion", "coordinator pass 3")
    try:
        accounts.remove_user(ion, helper.user.id)
    finally:
        ion.close()
    assert _credited(session, helper.user.id) == (session.store.device_id, ion.user.id, 2)

    out = tmp_path / "laptop.wdbackup"
    backup.write_backup(session, out, "backup phrase 2026")
    backup.restore_backup(out, tmp_path / "restored", "backup phrase 2026")
    restored = accounts.log_in(tmp_path / "restored", "anna", PASSWORD)
    try:
        assert restored.store.device_id != session.store.device_id
        accounts.add_user(restored, "mihai", "Mihai Student", Role.HELPER, HELPER_PW)
        assert _credited(restored, helper.user.id) == (
            restored.store.device_id,
            restored.user.id,
            3,
        )
    finally:
        restored.close()


def test_change_password_rewraps_only_the_key(session: Session) -> None:
    data_dir = session.store.paths.data_dir
    db_before = (data_dir / "welcome-desk.db").stat().st_size
    with pytest.raises(WrongPassword):
        accounts.change_password(session, "not my password", "new password 9", "new password 9")
    accounts.change_password(session, PASSWORD, "new password 9", "new password 9")
    session.close()
    LoginGuard(data_dir).succeeded()
    with pytest.raises(WrongPassword):
        accounts.log_in(data_dir, "anna", PASSWORD)
    again = accounts.log_in(data_dir, "anna", "new password 9")
    again.close()
    assert (data_dir / "welcome-desk.db").stat().st_size >= db_before


def test_recovery_code_lets_the_coordinator_set_a_new_password(data_dir: Path) -> None:
    first = accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD)
    code = first.recovery_code
    assert code is not None and len(code.split("-")) == 8
    assert first.store.paths.keyslots.account_count() == 1
    first.close()
    with pytest.raises(UnknownAccount):  # the recovery slot is no account to log in with
        accounts.log_in(data_dir, RECOVERY_ACCOUNT, code)
    with pytest.raises(WrongPassword):
        accounts.log_in_with_recovery(data_dir, "AAAAA" * 8, "anna", "fresh pass 1", "fresh pass 1")
    LoginGuard(data_dir).succeeded()
    typed = code.lower().replace("-", " ")
    s = accounts.log_in_with_recovery(data_dir, typed, "anna", "fresh pass 1", "fresh pass 1")
    s.close()
    accounts.log_in(data_dir, "anna", "fresh pass 1").close()


def test_delay_schedule_grows_and_is_capped() -> None:
    assert [delay_after(n) for n in range(7)] == [0, 0, 1, 2, 4, 8, 16]
    assert delay_after(100) == 300


_PROBE = """
import sys
from pathlib import Path
from desktop_app.storage.keyslots import LoginDelayed
from desktop_app.usecases.accounts import log_in
try:
    log_in(Path(sys.argv[1]), "anna", sys.argv[2]).close()
except LoginDelayed as exc:
    print("delayed", exc.seconds)
else:
    print("opened")
"""


def test_failed_logins_delay_the_next_try_also_in_a_new_process(data_dir: Path) -> None:
    accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    for _ in range(2):  # the first two mistakes cost nothing
        with pytest.raises(WrongPassword):
            accounts.log_in(data_dir, "anna", "wrong one")
    with pytest.raises(LoginDelayed):  # even the right password waits now
        accounts.log_in(data_dir, "anna", PASSWORD)
    for _ in range(3):  # a longer wait (8 s), so a slow start of the new process stays inside it
        LoginGuard(data_dir).failed()
    env = {**os.environ, "WELCOME_DESK_FAST_KDF": "1"}
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(data_dir), PASSWORD],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        check=True,
        timeout=120,
    ).stdout
    assert out.startswith("delayed"), out
    guard_text = (data_dir / "login-guard.json").read_text()
    assert "anna" not in guard_text
    LoginGuard(data_dir, now=lambda: 1e12).succeeded()  # as if the wait were over
    accounts.log_in(data_dir, "anna", PASSWORD).close()


def test_damaged_guard_file_keeps_the_wait(data_dir: Path) -> None:
    accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    (data_dir / "login-guard.json").write_text("{broken")
    with pytest.raises(LoginDelayed):
        accounts.log_in(data_dir, "anna", PASSWORD)
