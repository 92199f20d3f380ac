"""The helpers' access of a case is saved all at once or not at all: it was saved one change
per transaction, so a failure half-way kept the changes before it while the dialog said the
access could not be saved."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.storage.models import OutboxRow
from desktop_app.ui.case_access import CaseAccessDialog
from desktop_app.usecases import access, accounts, audit, people
from desktop_app.usecases.accounts import Session


def _stored(session: Session, person_id: str) -> tuple[object, ...]:
    """What a save of the access changes: the openings, what waits to sync, the audit log."""
    with session.store.reading() as db:
        queued = db.scalar(select(func.count()).where(OutboxRow.record_kind == "case_opening"))
    entries = audit.list_entries(session.store, session.user, record_id=person_id)
    return access.openings_of(session.store, session.user, person_id), queued, len(entries)


def test_a_save_that_fails_half_way_keeps_nothing_of_it_and_says_so(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The first helper's changes were saved, the removed second helper's failed."""
    set_language("ro")
    ana = accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, "helper pass 12")
    mia = accounts.add_user(session, "mia", "Mia Helfer", Role.HELPER, "helper pass 34")
    pid = people.register_person(session.store, session.user, PersonDraft("Ion", "Popescu")).id
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    access.open_case_to_helper(session.store, session.user, pid, ana.id, "exploitation")
    dialog = CaseAccessDialog(session, person)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.boxes[(ana.id, "health")].setChecked(True)
    dialog.boxes[(ana.id, "exploitation")].setChecked(False)
    dialog.boxes[(mia.id, "health")].setChecked(True)
    assert [change[0] for change in dialog.changes()] == [ana.id, ana.id, mia.id]
    # Removed while the dialog stood open (by a coordinator here, or arrived by a sync).
    accounts.remove_user(session, mia.id)
    before = _stored(session, pid)
    assert before[0] == {ana.id: frozenset({"exploitation"})}
    with qtbot.waitSignal(dialog.save.answered, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert _stored(session, pid) == before
    assert dialog.error.text() == (
        "Accesul pentru asistenții de integrare nu a putut fi salvat. Un cont de asistent de "
        "integrare din această listă a fost eliminat între timp. Nu s-a salvat nimic: închideți "
        "această fereastră și deschideți-o din nou."
    )
    dialog.grab().save(str(tmp_path / "case-access-failed.png"))
    dialog.reject()

    # Saved as a whole when nothing fails.
    again = CaseAccessDialog(session, person)
    qtbot.addWidget(again)
    again.show()
    again.boxes[(ana.id, "health")].setChecked(True)
    again.boxes[(ana.id, "exploitation")].setChecked(False)
    with qtbot.waitSignal(again.accepted, timeout=20_000):
        again.buttons.accepted.emit()
    assert access.openings_of(session.store, session.user, pid) == {ana.id: frozenset({"health"})}


def test_a_save_for_a_person_erased_meanwhile_keeps_nothing_and_says_so(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The person was erased while the dialog stood open (here, or by a sync): Save stored
    openings for the erased person, which went out to every laptop."""
    from desktop_app.usecases import data_rights

    set_language("de")
    ana = accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, "helper pass 12")
    pid = people.register_person(session.store, session.user, PersonDraft("Ion", "Popescu")).id
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    dialog = CaseAccessDialog(session, person)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.boxes[(ana.id, "health")].setChecked(True)
    data_rights.erase_person(session.store, session.user, pid)
    before = _stored(session, pid)
    with qtbot.waitSignal(dialog.save.answered, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert _stored(session, pid) == before == ({}, 0, before[2])
    assert dialog.error.text() == (
        "Der Zugriff für Integrationshelfer/innen konnte nicht gespeichert werden. Die Person "
        "wurde inzwischen gelöscht (hier oder durch eine Synchronisierung); es gibt nichts "
        "mehr zu ändern."
    )
    dialog.grab().save(str(tmp_path / "case-access-erased.png"))
