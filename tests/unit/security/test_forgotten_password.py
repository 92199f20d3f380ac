"""An advisor forgot her password: a coordinator gives her account a new one. The old password
stops working, nothing of her work is lost, the audit log names whose password it was, and
nobody but a coordinator may do it."""

from __future__ import annotations

import pytest

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.users import Role, User
from desktop_app.domain.validation import ValidationFailed
from desktop_app.storage.keyslots import UnknownAccount, WrongPassword
from desktop_app.usecases import accounts, audit, people, visits
from desktop_app.usecases.accounts import Session

OLD_PW = "advisor pass 123"
NEW_PW = "нова парола 2026"


def advisor_with_a_draft(coordinator: Session) -> tuple[User, Person]:
    """Rumyana's account (password ``OLD_PW``), and the person whose form she left a draft of."""
    rumyana = accounts.add_user(coordinator, "rumyana", "Румяна Петкова", Role.ADVISOR, OLD_PW)
    advisor = accounts.log_in(coordinator.store.paths.data_dir, "rumyana", OLD_PW)
    person = people.register_person(
        advisor.store, advisor.user, PersonDraft("Десислава", "Иванова", "1991", nationality="BG")
    )
    visits.save_draft(
        advisor.store, advisor.user, person.id, "life_situation", {"notes": "От Сливен."}
    )
    advisor.close()
    return rumyana, person


def test_a_coordinator_gives_an_advisor_who_forgot_hers_a_new_password(session: Session) -> None:
    data_dir = session.store.paths.data_dir
    rumyana, person = advisor_with_a_draft(session)

    accounts.set_password(session, rumyana.id, NEW_PW, NEW_PW)

    with pytest.raises(WrongPassword):  # the forgotten one opens nothing any more
        accounts.log_in(data_dir, "rumyana", OLD_PW)
    again = accounts.log_in(data_dir, "rumyana", NEW_PW)
    try:
        assert again.user.id == rumyana.id  # the same account, her work hers
        draft = visits.load_draft(again.store, again.user, person.id, "life_situation")
        assert draft is not None and draft.answers["notes"] == "От Сливен."
    finally:
        again.close()
    # the coordinator's own password is untouched
    accounts.log_in(data_dir, "anna", "correct horse 42").close()
    entries = audit.list_entries(
        session.store, session.user, action=audit.AuditAction.CHANGE_PASSWORD
    )
    assert [(e.user_id, e.record_id) for e in entries] == [(session.user.id, rumyana.id)]


def test_only_a_coordinator_sets_another_accounts_password(session: Session) -> None:
    data_dir = session.store.paths.data_dir
    accounts.add_user(session, "rumyana", "Румяна Петкова", Role.ADVISOR, OLD_PW)
    helper = accounts.add_user(session, "mihai", "Mihai Student", Role.HELPER, "helper pass 7")
    advisor = accounts.log_in(data_dir, "rumyana", OLD_PW)
    try:
        with pytest.raises(PermissionDenied):
            accounts.set_password(advisor, helper.id, NEW_PW, NEW_PW)
        with pytest.raises(PermissionDenied):  # her own neither: that is Change password
            accounts.set_password(advisor, advisor.user.id, NEW_PW, NEW_PW)
    finally:
        advisor.close()
    accounts.log_in(data_dir, "mihai", "helper pass 7").close()  # unchanged


def test_a_new_password_too_short_or_mistyped_or_for_a_removed_account_changes_nothing(
    session: Session,
) -> None:
    data_dir = session.store.paths.data_dir
    user = accounts.add_user(session, "rumyana", "Румяна Петкова", Role.ADVISOR, OLD_PW)
    with pytest.raises(ValidationFailed) as short:
        accounts.set_password(session, user.id, "short", "short")
    assert [e.code for e in short.value.errors] == ["password_too_short"]
    with pytest.raises(ValidationFailed) as differ:
        accounts.set_password(session, user.id, NEW_PW, NEW_PW + "x")
    assert [e.code for e in differ.value.errors] == ["passwords_differ"]
    accounts.log_in(data_dir, "rumyana", OLD_PW).close()
    accounts.remove_user(session, user.id)
    with pytest.raises(UnknownAccount):  # a removed account is not brought back this way
        accounts.set_password(session, user.id, NEW_PW, NEW_PW)
    with pytest.raises(UnknownAccount):
        accounts.log_in(data_dir, "rumyana", NEW_PW)
