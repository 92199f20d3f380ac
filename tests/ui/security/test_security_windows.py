"""Audit window, erase/export on the person page, users and roles in the UI."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import Referral, ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.storage.audit_models import AuditRow
from desktop_app.ui.accounts import AddUserDialog, ChangePasswordDialog, UsersDialog
from desktop_app.ui.audit import AuditWindow, detail_text
from desktop_app.ui.data_rights import (
    EraseDialog,
    RetentionWindow,
    erase_shown_person,
    export_person_to,
)
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import accounts, audit, people, referrals
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import shown_window, store_held, type_text


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))


def _window(qtbot: QtBot, session: Session) -> MainWindow:
    return shown_window(qtbot, session)


def _buttons(window: MainWindow) -> set[str]:
    """What the person's page offers: its buttons and the entries of its "More…" menu (where
    export, erase and the access log went), without access-key marks."""
    page = window.person_page
    texts = [b.text() for b in page.findChildren(QPushButton)]
    texts += [a.text() for a in page.more_menu.actions() if a.isVisible() and not a.isSeparator()]
    return {t.replace("&", "") for t in texts}


def _audit_window(qtbot: QtBot, session: Session) -> AuditWindow:
    """The audit log window of ``session``, its entries listed."""
    dialog = AuditWindow(session)
    qtbot.addWidget(dialog)
    dialog.refresh()
    return dialog


def _column(dialog: AuditWindow, column: int) -> list[str]:
    """The texts of one column of the audit log, top to bottom (5: the details)."""
    return [dialog.model.item(r, column).text() for r in range(dialog.model.rowCount())]


def _shot(qtbot: QtBot, dialog: AuditWindow, path: Path) -> None:
    """``dialog`` shown 1400 × 500 (every column whole), saved as a picture to look at."""
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(1400, 500)
    dialog.grab().save(str(path))


def _appointment_made(session: Session, person_id: str) -> Referral:
    """A referral of the person to the adult education centre, with an appointment made."""
    referral = referrals.issue_referral(
        session.store, session.user, person_id, "vhs", "integration_course"
    )
    return referrals.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=dt.datetime(2027, 1, 12, 10, 0),
    )


def test_audit_window_lists_views_and_reports_the_chain(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    window = _window(qtbot, session)
    window.show_person(person.id)  # a view from the UI is logged (on a worker thread)
    assert window.recorder.wait(5000)
    dialog = AuditWindow(session, window)
    qtbot.addWidget(dialog)
    dialog.filter_person(person.id)
    dialog.show()
    qtbot.waitExposed(dialog)
    actions = _column(dialog, 2)
    kinds = set(_column(dialog, 3)[:-1])
    # opening the person shows the record, their visit history and their referrals: one
    # view entry each, all under the person's id
    assert actions == ["viewed", "viewed", "viewed", "created"]
    assert kinds == {"person", "visit history", "referral list"}
    details = set(_column(dialog, 5))
    assert "entries: 0" in details  # the visit history viewed had none (not "count=0")
    assert "intact" in dialog.chain.text()
    dialog.grab().save(str(_shots(tmp_path) / "audit-window.png"))
    with session.store.transaction() as db:
        row = db.query(AuditRow).filter(AuditRow.action == "create").one()
        row.action = "print"
    dialog.verify()
    assert "tampered" in dialog.chain.text()


def test_helper_sees_no_export_erase_or_admin(qtbot: QtBot, session: Session) -> None:
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 1")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 1")
    window = _window(qtbot, helper)
    assert not {"Export data…", "Erase person…", "Audit log"} & _buttons(window)
    assert not hasattr(window, "admin_menu")
    coordinator = _window(qtbot, session)
    assert {"Export data…", "Erase person…", "Audit log"} <= _buttons(coordinator)
    helper.close()


def test_erase_needs_the_typed_family_name(qtbot: QtBot, session: Session, tmp_path: Path) -> None:
    person = people.register_person(session.store, session.user, PersonDraft("Ivo", "Петков"))
    dialog = EraseDialog(person)
    qtbot.addWidget(dialog)
    dialog.folder_field.line.setText(str(tmp_path))  # for the confirmation of the request
    assert not dialog.ok.isEnabled()
    type_text(dialog.confirm, "Петко")
    assert not dialog.ok.isEnabled()
    type_text(dialog.confirm, "в")
    assert dialog.ok.isEnabled()
    paths = export_person_to(session, person.id, tmp_path)
    assert [p.suffix for p in paths] == [".json", ".pdf"]
    assert all("Петков" not in p.name for p in paths)


def test_erase_takes_a_cyrillic_family_name_typed_in_latin_letters(
    qtbot: QtBot, session: Session
) -> None:
    """A coordinator at a German keyboard could not type "Ахмедова", nor copy it from the
    dialog: erasing a Bulgarian written in Cyrillic was a dead end. The name in Latin letters
    (as the search takes it) confirms too, and the dialog says it; anything else does not."""
    person = people.register_person(
        session.store, session.user, PersonDraft("Севгюл", "Ахмедова"), confirm_duplicates=True
    )
    dialog = EraseDialog(person)
    qtbot.addWidget(dialog)
    dialog.retention.click()  # no confirmation to write: the name alone decides
    assert dialog.latin.text() == "or in Latin letters: Ahmedova"
    for almost in ("Ahmedov", "Ahmedovaa", "Ахмедов", ""):
        dialog.confirm.clear()
        type_text(dialog.confirm, almost)
        assert not dialog.ok.isEnabled(), almost
    for typed in ("Ahmedova", "ahmedova ", "Ахмедова"):
        dialog.confirm.clear()
        type_text(dialog.confirm, typed)
        assert dialog.ok.isEnabled(), typed
    latin = people.register_person(
        session.store, session.user, PersonDraft("Hans", "Becker"), confirm_duplicates=True
    )
    plain = EraseDialog(latin)
    qtbot.addWidget(plain)
    assert plain.latin.isHidden()  # nothing to add to a name typed as written


def test_users_dialog_adds_an_account_that_can_log_in(qtbot: QtBot, session: Session) -> None:
    users = UsersDialog(session)
    qtbot.addWidget(users)
    add = AddUserDialog(session, users)
    type_text(add.account, "eva")
    type_text(add.display_name, "Eva Ionescu")
    add.role.setCurrentIndex(add.role.findData("advisor"))
    type_text(add.password, "short")
    with qtbot.waitSignal(add.save.answered, timeout=10_000):  # checked on a worker thread
        add._on_ok_clicked()
    assert add.errors["password"].text()  # the message sits at the field
    add.password.clear()
    type_text(add.password, "advisor pass 1")
    type_text(add.repeat, "advisor pass 1")
    with qtbot.waitSignal(add.save.answered, timeout=10_000):
        add._on_ok_clicked()
        assert not add.buttons.isEnabled()  # they wait for the answer
    assert add.result() == QDialog.DialogCode.Accepted
    users.refresh()
    assert users.model.rowCount() == 2
    eva = accounts.log_in(session.store.paths.data_dir, "eva", "advisor pass 1")
    assert eva.user.role == Role.ADVISOR
    eva.close()
    assert audit.list_entries(session.store, session.user, action="add_user")


def test_retention_window_opens_for_coordinators(qtbot: QtBot, session: Session) -> None:
    window = _window(qtbot, session)
    dialog = RetentionWindow(window)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0 and not dialog.erase_button.isEnabled()


def test_the_retention_list_says_why_it_is_empty_and_counts_one_person_as_one(
    qtbot: QtBot, session: Session
) -> None:
    """An empty list stood under "These people have had no contact for 3 years" beside
    "0 persoane"; one person was counted "1 persoane" (Romanian's three plural forms)."""
    from desktop_app.storage.models import PersonRow

    set_language("ro")
    window = _window(qtbot, session)
    dialog = RetentionWindow(window)
    qtbot.addWidget(dialog)
    assert dialog.intro.text().startswith("Nicio persoană nu trebuie ștearsă")
    assert "3 ani" in dialog.intro.text()
    assert dialog.count.isHidden()
    dialog.close()

    old = people.register_person(session.store, session.user, PersonDraft("Ion", "Vechi")).id
    with session.store.transaction() as db:  # last contact in 2019: past the retention period
        [row] = db.query(PersonRow).filter(PersonRow.id == old)
        row.updated_hlc = "1546300800000-00000-" + row.updated_hlc.split("-", 2)[2]
    dialog = RetentionWindow(window)
    qtbot.addWidget(dialog)
    assert dialog.intro.text().startswith("Aceste persoane nu au mai avut contact de 3 ani")
    assert dialog.count.text() == "1 persoană"
    assert not dialog.count.isHidden()


def test_erasing_from_the_person_page_does_not_wait_for_the_sync(
    qtbot: QtBot, session: Session
) -> None:
    person = people.register_person(session.store, session.user, PersonDraft("Ivo", "Петков"))
    keep = people.register_person(session.store, session.user, PersonDraft("Ana", "Popa"))
    window = _window(qtbot, session)
    window.show_person(person.id)
    with store_held(session) as (_release, held):  # the sync applies a page meanwhile
        erase_shown_person(window, person.id)
        assert held.is_set()  # it returned while the store was held
        assert not window.person_page.isEnabled()
        assert window.statusBar().currentMessage() == "Erasing…"
    qtbot.waitUntil(lambda: window.person_page.isEnabled(), timeout=30_000)
    assert window.statusBar().currentMessage() == "The person was erased."
    assert people.get_person(session.store, session.user, person.id) is None
    assert people.get_person(session.store, session.user, keep.id) is not None
    assert window.person_page.person is None


def test_retention_erases_the_selected_people_one_by_one_with_progress(
    qtbot: QtBot, session: Session
) -> None:
    from desktop_app.storage.models import PersonRow

    ids = [
        people.register_person(session.store, session.user, PersonDraft(f"Ion{i}", "Vechi")).id
        for i in range(3)
    ]
    stay = people.register_person(session.store, session.user, PersonDraft("Ana", "Popa")).id
    with session.store.transaction() as db:  # last contact in 2019: past the retention period
        for row in db.query(PersonRow).filter(PersonRow.id.in_(ids)):
            row.updated_hlc = "1546300800000-00000-" + row.updated_hlc.split("-", 2)[2]
    window = _window(qtbot, session)
    dialog = RetentionWindow(window)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 3
    progress: list[tuple[int, int, str]] = []
    dialog.progress.valueChanged.connect(
        lambda value: progress.append((value, dialog.progress.maximum(), dialog.count.text()))
    )
    with store_held(session) as (_release, held):
        dialog._erase_from([e.person_id for e in dialog.entries[:2]], 0)
        assert held.is_set() and dialog.erasing
        assert not dialog.table.isEnabled() and not dialog.erase_button.isEnabled()
        assert dialog.count.text() == "Erasing 1 of 2…"
    qtbot.waitUntil(lambda: not dialog.erasing, timeout=10_000)
    assert progress == [(0, 2, "Erasing 1 of 2…"), (1, 2, "Erasing 2 of 2…")]
    assert dialog.model.rowCount() == 1 and dialog.table.isEnabled()
    left = {e.person_id for e in dialog.entries}
    assert len(left) == 1 and left < set(ids)
    assert people.get_person(session.store, session.user, stay) is not None


def test_changing_the_password_does_not_wait_while_a_sync_writes(
    qtbot: QtBot, session: Session
) -> None:
    """Hashing the password and storing its key slot run on a worker thread."""
    dialog = ChangePasswordDialog(session)
    qtbot.addWidget(dialog)
    type_text(dialog.old, "wrong password")
    type_text(dialog.new, "a new pass 123")
    type_text(dialog.repeat, "a new pass 123")
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog._on_ok_clicked()
    # refused, said at the current password ("The account name or password …" was shown)
    assert dialog.errors["old"].text() == "The password is not correct."
    assert not dialog.general.text()
    dialog.old.clear()
    type_text(dialog.old, PASSWORD)
    with (
        qtbot.waitSignal(dialog.save.answered, timeout=10_000),
        store_held(session) as (_release, held),
    ):
        dialog._on_ok_clicked()
        assert held.is_set() and dialog.save.saving and not dialog.buttons.isEnabled()
    assert dialog.result() == QDialog.DialogCode.Accepted
    accounts.log_in(session.store.paths.data_dir, session.user.account, "a new pass 123").close()


def test_removing_a_user_and_a_new_recovery_code_do_not_wait_while_a_sync_writes(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.ui.accounts import RecoveryCodeDialog

    accounts.add_user(session, "eva", "Eva Ionescu", Role.ADVISOR, "advisor pass 1")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    users = UsersDialog(session)
    qtbot.addWidget(users)
    users.table.selectRow([u.account for u in users.users].index("eva"))
    with (
        qtbot.waitSignal(users.save.answered, timeout=10_000),
        store_held(session) as (_release, held),
    ):
        users.remove_button.click()
        assert held.is_set() and not users.remove_button.isEnabled()
    assert [u.account for u in users.users] == [session.user.account]
    with qtbot.waitSignal(users.save.answered, timeout=10_000):
        users.recovery_button.click()
    shown = users.findChild(RecoveryCodeDialog)
    assert shown is not None and shown.isVisible() and len(shown.code.text()) >= 20


def test_audit_details_read_in_the_ui_language() -> None:
    set_language("de")
    try:
        text = detail_text({"import_count": 5000, "remote": True, "via": "post", "odd": "x"})
        assert (
            text
            == "importierte Personen: 5.000 · von einem anderen Laptop: ja · über: post · odd: x"
        )
        set_language("bg")
        assert detail_text({"count": 2}) == "записи: 2"
        # how a letter left and its language, named, not "via: queue · lang: ro"
        assert detail_text({"via": "queue", "lang": "ro"}) == (
            "чрез: опашка за печат · език: румънски"
        )
        set_language("ro")
        assert detail_text({"via": "pdf", "lang": "bg"}) == "prin: fișier PDF · limba: bulgară"
        assert detail_text({"form": "life_situation"}) == "formular: Evaluarea situației de viață"
        assert detail_text({"form": "gone"}) == "formular: gone"
    finally:
        set_language("en")


def test_the_users_dialog_and_the_retention_window_close_with_a_close_button(
    qtbot: QtBot, session: Session
) -> None:
    """Both closed only by Esc or the title bar: a standard Close button, as in the other
    dialogs (Qt's text, translated by the program's catalogs), closes them."""
    from PySide6.QtWidgets import QDialogButtonBox

    window = _window(qtbot, session)
    for dialog in (UsersDialog(session, window), RetentionWindow(window)):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        boxes = [
            b.button(QDialogButtonBox.StandardButton.Close)
            for b in dialog.findChildren(QDialogButtonBox)
        ]
        [close] = [b for b in boxes if b is not None]
        assert close.isVisible() and close.isEnabled()
        close.click()
        assert not dialog.isVisible()
        assert dialog.result() == QDialog.DialogCode.Rejected


@pytest.mark.parametrize(
    ("lang", "day"),
    [
        ("en", r"\d{1,2} [A-Z][a-z]{2} \d{4}"),  # "5 Dec 2026": it was "05.12.2026"
        ("de", r"\d\d\.\d\d\.\d{4}"),
        ("bg", r"\d{1,2}\.\d\d\.\d{4}\u202fг\."),
        ("ro", r"\d{1,2} [a-z]{3,4}\. \d{4}"),
    ],
)
def test_the_audit_log_writes_the_day_as_the_other_screens_do(
    qtbot: QtBot, session: Session, lang: str, day: str
) -> None:
    set_language(lang)
    try:
        people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
        shown = _column(_audit_window(qtbot, session), 0)
        assert shown
        for text in shown:
            # the time as every table writes it, after the language's comma (bg "9:50:07")
            assert re.fullmatch(day + r", \d{1,2}:\d\d:\d\d", text), text
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("lang", "shown", "codes"),
    [
        (
            "bg",
            [
                "цели: Консултация, Съхранение и синхронизиране с централния офис, "
                "Предаване на данни на посочена служба",
                "служба: Volkshochschule Dortmund",
                "статус: Записан час",
                "час: датата е определена",
                "помощник: Ion Helper",
                "роля: Помощник по интеграция",
                "какво: Здравни данни",
                "полета: Телефон",
                "прегледана част: история на статуса",
            ],
            ["advice", "central_storage", "vhs", "appointment_made", "helper", "health"],
        ),
        (
            "ro",
            [
                "scopuri: Consiliere, Stocare și sincronizare cu biroul central, "
                "Transmiterea datelor către un serviciu numit",
                "serviciu: Volkshochschule Dortmund",
                "stare: Programare făcută",
                "programare: data a fost stabilită",
                "asistent: Ion Helper",
                "rol: Asistent de integrare",
                "ce: Date despre sănătate",
                "câmpuri: Telefon",
                "parte vizualizată: istoricul stării",
            ],
            ["advice", "central_storage", "vhs", "appointment_made", "helper", "health"],
        ),
    ],
)
def test_the_audit_log_names_what_its_entries_store_as_codes(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str, shown: list[str], codes: list[str]
) -> None:
    """Consent purposes, services, statuses, roles, sections and fields by the names the
    screens give them ("цели: advice,central_storage,referral_sharing" was shown); the stored
    entries keep their codes, and the chain stays intact."""
    import dataclasses

    from desktop_app.usecases import access, visits
    from tests.unit.test_visits import consent_answers

    set_language(lang)
    try:
        draft = PersonDraft("Ana", "Pop", "1985-03-14", languages=("ro",))
        person = people.register_person(session.store, session.user, draft)
        visits.record_consent(session.store, session.user, person.id, consent_answers())
        referral = _appointment_made(session, person.id)
        referrals.status_history(session.store, session.user, referral.id)
        accounts.add_user(session, "helper", "Ion Helper", Role.HELPER, "role pass 123")
        helper = next(u for u in accounts.list_users(session.store) if u.account == "helper")
        access.open_case_to_helper(session.store, session.user, person.id, helper.id, "health")
        people.update_person(
            session.store, session.user, person.id, dataclasses.replace(draft, phone="0176 5550101")
        )
        dialog = _audit_window(qtbot, session)
        details = " | ".join(_column(dialog, 5))
        for text in shown:
            assert text in details, (text, details)
        for code in codes:
            assert not re.search(rf"\b{code}\b", details), (code, details)
        _shot(qtbot, dialog, _shots(tmp_path) / f"audit-details-{lang}.png")
        # only the display names them: the entries as stored, the chain unbroken
        stored = [e.details for e in audit.list_entries(session.store, session.user)]
        assert {"purposes": "advice,central_storage,referral_sharing"} in stored
        assert not audit.verify_chain(session.store)
    finally:
        set_language("en")


def test_the_audit_log_shows_what_happened_before_the_ids(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """A status change read "referral: 3f2a… · status: Appointment made" (the details in their
    stored, sorted key order): what was done comes first, the record's id last; the entry as
    stored, and the chain, are unchanged."""
    set_language("en")
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    referral = _appointment_made(session, person.id)
    dialog = _audit_window(qtbot, session)
    details = _column(dialog, 5)
    assert (
        f"status: Appointment made · appointment: date set · referral: {referral.id}" in details
    ), details
    issued = [d for d in details if d.startswith("service: ")]
    assert issued and issued[0].endswith(f"· referral: {referral.id}"), details
    _shot(qtbot, dialog, _shots(tmp_path) / "audit-detail-order.png")
    stored = [e.details for e in audit.list_entries(session.store, session.user)]
    changed = next(d for d in stored if "status" in d)
    assert list(changed) == ["appointment", "referral_id", "status"]  # as hashed
    assert not audit.verify_chain(session.store)


def test_the_audit_log_says_on_which_laptop_a_user_of_another_laptop_worked(
    qtbot: QtBot,
    laptops: Laptops,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Accounts do not sync: a user of another laptop was shown as "dfee83c6" alone, and the
    coordinator could not tell whose entry it was. The laptop's name says where, and the role
    the entry carries in what role (never a name: that is not known here); an entry written by
    the version before carries none, and shows none."""
    set_language("en")
    a = laptops.new("Koordination")
    b = laptops.new("Kontaktstelle Nord")
    accounts.add_user(b, "elena", "Elena Vasileva", Role.ADVISOR, PASSWORD)
    elena = accounts.log_in(b.store.paths.data_dir, "elena", PASSWORD)
    laptops.sessions.append(elena)  # closed with the laptops
    with monkeypatch.context() as before:  # the version before: no role in its entries
        before.setattr(audit, "acting_role", lambda _db, _user_id: None)
        older = people.register_person(b.store, b.user, PersonDraft("Ion", "Popa"))
    person = people.register_person(b.store, elena.user, PersonDraft("Ana", "Popa"))
    laptops.sync(b, a)
    window = shown_window(qtbot, a)
    dialog = AuditWindow(a, window)
    qtbot.addWidget(dialog)

    def users(record_id: str) -> set[str]:
        return {
            dialog.model.item(r, 1).text()
            for r in range(dialog.model.rowCount())
            if dialog.model.item(r, 4).text() == record_id
        }

    assert users(person.id) == {f"{elena.user.id[:8]} (Advisor, Kontaktstelle Nord)"}
    assert users(older.id) == {f"{b.user.id[:8]} (Kontaktstelle Nord)"}
    own = {dialog.model.item(r, 1).text() for r in range(dialog.model.rowCount())}
    assert "Koordination" in own  # a user with an account here by their name
    assert not any("Elena" in text or "user_role" in text for text in _column(dialog, 5))
    _shot(qtbot, dialog, _shots(tmp_path) / "audit-role-elsewhere.png")
    assert audit.verify_chain(a.store) == []


def test_the_audit_log_names_the_role_an_entry_was_made_in_where_the_account_has_another_now(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Mila looked at a person as an integration helper; her account was added again as an
    advisor since (the same account). Her entries were shown by her name alone, and every
    other screen gave them her role now: the entries made as a helper say so, those of her
    role now say her name alone, as every entry of an account whose role stayed."""
    set_language("en")
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    mila = accounts.add_user(session, "mila", "Mila Studentin", Role.HELPER, PASSWORD)
    people.get_person(session.store, mila, person.id)  # a look, as the helper
    accounts.remove_user(session, mila.id)
    mila = accounts.add_user(session, "mila", "Mila Studentin", Role.ADVISOR, PASSWORD)
    people.get_person(session.store, mila, person.id)  # a look, as the advisor
    dialog = _audit_window(qtbot, session)
    rows = range(dialog.model.rowCount())
    looks = [
        dialog.model.item(r, 1).text()
        for r in rows
        if (dialog.model.item(r, 4).text(), dialog.model.item(r, 2).text()) == (person.id, "viewed")
    ]
    assert looks == ["Mila Studentin", "Mila Studentin (Integration helper)"]  # newest first
    assert "Anna Schmidt" in _column(dialog, 1)  # the coordinator's, in her role still
    _shot(qtbot, dialog, _shots(tmp_path) / "audit-role-then.png")


def test_the_audit_log_names_the_laptop_and_role_of_an_erasure_that_arrived(
    qtbot: QtBot, laptops: Laptops, tmp_path: Path
) -> None:
    """The entry a laptop writes for an erasure arriving by sync is in its own chain: the User
    column named this laptop as where the erasing coordinator worked, and no role. It names
    the laptop the erasure was made on, and the role that laptop's entry of it carries."""
    from desktop_app.usecases import data_rights

    set_language("en")
    a, b = laptops.new("Koordination"), laptops.new("Kontaktstelle Nord")
    person = people.register_person(a.store, a.user, PersonDraft("Ana", "Popa"))
    laptops.sync(a, b)
    data_rights.erase_person(a.store, a.user, person.id)
    laptops.sync(a, b)
    dialog = AuditWindow(b)
    qtbot.addWidget(dialog)
    dialog.filter_person(person.id)
    erased = [
        (dialog.model.item(r, 1).text(), dialog.model.item(r, 5).text())
        for r in range(dialog.model.rowCount())
        if dialog.model.item(r, 2).text() == "erased"
    ]
    arrived = next(details for _user, details in erased if "from another laptop" in details)
    assert "from another laptop: yes · laptop: Koordination" in arrived
    assert {user for user, _details in erased} == {f"{a.user.id[:8]} (Coordinator, Koordination)"}
    _shot(qtbot, dialog, _shots(tmp_path) / "audit-erasure-arrived.png")


def test_the_audit_log_shows_a_merge_that_arrived_as_a_merge_in_every_language(
    qtbot: QtBot, laptops: Laptops, tmp_path: Path
) -> None:
    """The entry B writes for the tombstone of an entry A merged into another read "erased"
    (the audit window took the merge for an erasure). It reads as A's own entry of the merge
    does, in each of the four languages: "merged into another entry", by A's advisor, naming
    A and the entry kept."""
    from desktop_app.i18n.text import gettext_in
    from desktop_app.usecases import merges

    b = laptops.new("Koordination")
    a = laptops.new("Beratung Hbf", role=Role.ADVISOR)
    one, two = (
        people.register_person(
            a.store, a.user, PersonDraft("Ana", "Popa", "1990"), confirm_duplicates=True
        ).id
        for _ in range(2)
    )
    laptops.sync(a, b)
    kept, merged = merges.kept_and_merged(one, two)
    merges.merge_people(a.store, a.user, kept, merged)
    laptops.sync(a, b)
    user = f"{a.user.id[:8]} ({{role}}, Beratung Hbf)"
    for lang in ("de", "bg", "ro", "en"):
        set_language(lang)  # the window as a coordinator working in it opens it
        dialog = AuditWindow(b)
        qtbot.addWidget(dialog)
        dialog.filter_person(merged)
        rows = [
            [dialog.model.item(r, c).text() for c in (1, 2, 5)]
            for r in range(dialog.model.rowCount())
        ]
        says = {
            "merged": gettext_in(lang, "merged into another entry"),
            "remote": gettext_in(lang, "from another laptop"),
            "yes": gettext_in(lang, "yes"),
            "laptop": gettext_in(lang, "laptop"),
            "other": gettext_in(lang, "other entry"),
            "role": gettext_in(lang, "Advisor"),
        }
        assert gettext_in(lang, "erased") not in [action for _u, action, _d in rows], lang
        merges_logged = [d for _u, action, d in rows if action == says["merged"]]
        (arrived,) = [d for d in merges_logged if says["remote"] in d]
        (own,) = [d for d in merges_logged if says["remote"] not in d]  # A's, as it wrote it
        assert own.endswith(f"{says['other']}: {kept}"), lang
        told = f"{says['remote']}: {says['yes']} · {says['laptop']}: Beratung Hbf"
        assert arrived == f"{told} · {own}", lang
        # Both entries of the merge (A's and B's) by A's advisor, on A.
        merging = {u for u, action, _d in rows if action == says["merged"]}
        assert merging == {user.format(role=says["role"])}, lang
        if lang in ("de", "bg"):
            _shot(qtbot, dialog, _shots(tmp_path) / f"audit-merge-arrived-{lang}.png")
        dialog.close()
