"""The retention period in the settings: a coordinator sets it by keyboard (a unit that agrees
with the number, a note on what it decides), anyone else sees it read-only; and at the dialog's
smallest size no label or note is cut (the Romanian letterhead's second label was)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.settings import SettingsDialog
from desktop_app.usecases import accounts, audit, data_rights, people
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import ServerProcess
from tests.ui.conftest import alt_key, shown_window
from tests.ui.test_settings_ui import join


@pytest.fixture
def romanian() -> Iterator[None]:
    set_language("ro")
    yield
    set_language("en")


def _shown(qtbot: QtBot, session: Session, qsettings: QSettings) -> SettingsDialog:
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_coordinator_sets_the_period_by_keyboard_in_romanian(
    qtbot: QtBot, session: Session, qsettings: QSettings, romanian: None, shots: Path
) -> None:
    dialog = _shown(qtbot, session, qsettings)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert dialog.retention_label.text() == "Ter&men de păstrare"
    assert dialog.retention.isEnabled() and dialog.retention_label.isEnabled()
    assert dialog.retention.text() == "3 ani"  # the default, with its unit in Romanian
    assert dialog.retention_note.isVisible()
    assert dialog.retention_note.text().startswith("Persoanele fără contact de atâta timp apar")
    assert dialog.retention.accessibleName() == "Termen de păstrare"
    dialog.grab().save(str(shots / "settings-retention-ro.png"))
    # Alt+M: the period's field; the unit follows the number ("1 an", "10 ani").
    alt_key(dialog, "m")
    qtbot.waitUntil(dialog.retention.hasFocus, timeout=5000)
    QTest.keyClick(dialog.retention, Qt.Key.Key_Home)
    for _i in range(3):
        QTest.keyClick(dialog.retention, Qt.Key.Key_Down)  # stops at 1
    assert dialog.retention.text() == "1 an"
    QTest.keyClick(dialog.retention, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(dialog.retention, "12")  # out of range: not taken
    assert dialog.retention.value() <= store_settings.RETENTION_MAX
    QTest.keyClick(dialog.retention, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(dialog.retention, "5")
    assert dialog.retention.value() == 5 and dialog.retention.text() == "5 ani"
    with qtbot.waitSignal(dialog.saved, timeout=30_000):
        alt_key(dialog, "s")
    assert store_settings.get_retention_years(session.store) == 5
    [entry] = audit.list_entries(session.store, session.user, action="change_retention")
    assert entry.details == {"retention_years": 5, "previous_retention_years": 3}
    again = _shown(qtbot, session, qsettings)
    assert again.retention.value() == 5
    again.close()


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.HELPER])
def test_anyone_but_a_coordinator_sees_the_period_read_only(
    qtbot: QtBot, session: Session, qsettings: QSettings, role: Role
) -> None:
    store_settings.set_retention_years(session.store, session.user, 6)
    accounts.add_user(session, "ana", "Ana Pop", role, "advisor pass 7")
    other = accounts.log_in(session.store.paths.data_dir, "ana", "advisor pass 7")
    try:
        dialog = _shown(qtbot, other, qsettings)
        assert dialog.retention.value() == 6  # shown, as it is
        assert not dialog.retention.isEnabled() and not dialog.retention_label.isEnabled()
        assert "the retention period" in dialog.role_note.text()
        dialog.retention.setValue(9)  # put in by other means: not stored either
        with qtbot.waitSignal(dialog.saved, timeout=30_000):
            dialog.buttons.accepted.emit()
        assert store_settings.get_retention_years(session.store) == 6
        entries = audit.list_entries(session.store, session.user, action="change_retention")
        assert [e.user_id for e in entries] == [session.user.id]  # the coordinator's 6 only
    finally:
        other.close()


def _cut(dialog: SettingsDialog) -> list[str]:
    """The labels and notes shown that do not show whole: a wrapped one less tall than its
    text at its width, another narrower than its text."""
    cut = []
    for label in dialog.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            whole = label.height() >= label.heightForWidth(label.width())
        else:
            whole = label.width() >= label.sizeHint().width()
        if not whole:
            cut.append(f"{label.text()!r} {label.size().toTuple()}")
    return cut


@pytest.mark.parametrize("lang", ["ro", "bg", "de"])
def test_no_label_is_cut_at_the_smallest_size_and_the_dialog_fits(
    qtbot: QtBot,
    session: Session,
    qsettings: QSettings,
    lang: str,
    program_font: None,
    shots: Path,
) -> None:
    """At its smallest (534 px tall) the Romanian "Al doilea rând (numele proiectului)" showed
    one line of two. The smallest size now keeps every label and note whole; with the period's
    row the dialog still opens within a 768 px screen's room."""
    set_language(lang)
    try:
        dialog = _shown(qtbot, session, qsettings)
        assert dialog.height() <= 700, dialog.height()
        assert _cut(dialog) == []
        dialog.resize(dialog.minimumSizeHint())
        qtbot.waitUntil(lambda: dialog.height() <= dialog.minimumSizeHint().height())
        assert _cut(dialog) == []
        assert dialog.retention.width() == dialog.dpo.width() == dialog.letterhead.name.width()
        dialog.grab().save(str(shots / f"settings-retention-{lang}-smallest.png"))
        dialog.close()
    finally:
        set_language("en")


def test_on_a_joined_coordinators_laptop_the_romanian_dialog_fits_with_its_note(
    qtbot: QtBot,
    session: Session,
    qsettings: QSettings,
    server: ServerProcess,
    romanian: None,
    program_font: None,
    shots: Path,
) -> None:
    """The tallest case: the note on where the values go shown too."""
    join(session, server)
    dialog = _shown(qtbot, session, qsettings)
    assert dialog.sharing_note.isVisible()
    assert dialog.height() <= 700, dialog.height()
    dialog.resize(dialog.minimumSizeHint())
    assert _cut(dialog) == []
    dialog.grab().save(str(shots / "settings-retention-ro-joined-smallest.png"))
    dialog.close()


def _last_contact_years_ago(session: Session, years: int) -> str:
    """A person registered, their last contact moved ``years`` back: their id."""
    from desktop_app.storage.models import PersonRow

    old = people.register_person(session.store, session.user, PersonDraft("Ion", "Vechi")).id
    back = data_rights.years_after(dt.date.today(), -years)
    wall_ms = int(dt.datetime.combine(back, dt.time(12), dt.UTC).timestamp() * 1000)
    with session.store.transaction() as db:
        [row] = db.query(PersonRow).filter(PersonRow.id == old)
        row.updated_hlc = f"{wall_ms}-00000-" + row.updated_hlc.split("-", 2)[2]
    return old


def test_enter_in_the_retention_list_erases_nobody(qtbot: QtBot, session: Session) -> None:
    """The list's default button was "Erase selected…": Enter in the list asked to erase the
    people selected. Enter closes the list now, as its Close button."""
    from desktop_app.ui.data_rights import RetentionWindow

    _last_contact_years_ago(session, 4)
    store_settings.set_retention_years(session.store, session.user, 3)
    dialog = RetentionWindow(shown_window(qtbot, session))
    qtbot.addWidget(dialog)
    asked: list[bool] = []
    dialog.erase_button.clicked.connect(lambda: asked.append(True))
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.model.rowCount() == 1 and dialog.erase_button.isEnabled()
    dialog.table.setFocus()  # (no row selected: a click would ask nothing either)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert asked == [] and not dialog.isVisible()


def test_the_retention_list_counts_the_period_in_force_and_a_shorter_one_erases_nobody(
    qtbot: QtBot, session: Session, romanian: None
) -> None:
    """A person whose last contact was 4 years ago: not listed under 5 years (and the window
    says 5), listed under 3, and still there until a coordinator confirms."""
    from desktop_app.ui.data_rights import RetentionWindow

    old = _last_contact_years_ago(session, 4)
    store_settings.set_retention_years(session.store, session.user, 5)
    window = shown_window(qtbot, session)
    dialog = RetentionWindow(window)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0
    assert "ultimii 5 ani" in dialog.intro.text(), dialog.intro.text()
    dialog.close()
    store_settings.set_retention_years(session.store, session.user, 3)
    dialog = RetentionWindow(window)
    qtbot.addWidget(dialog)
    assert dialog.intro.text().startswith("Aceste persoane nu au mai avut contact de 3 ani")
    assert dialog.model.rowCount() == 1 and dialog.entries[0].person_id == old
    dialog.close()
    assert people.get_person(session.store, session.user, old) is not None  # listed only


def test_on_a_short_screen_the_fields_scroll_and_save_stays_in_sight(
    qtbot: QtBot,
    session: Session,
    qsettings: QSettings,
    server: ServerProcess,
    romanian: None,
    program_font: None,
    shots: Path,
) -> None:
    """The tallest case (Romanian, joined) wants 691 px; on a 1280 x 720 screen there are
    about 650. The dialog was never shorter than all of it, Save and Cancel below the screen's
    edge; now its fields scroll, the buttons stay, and Tab brings a field out of sight into
    view, every label whole."""
    join(session, server)
    dialog = _shown(qtbot, session, qsettings)
    assert dialog.sizeHint().height() > 650
    dialog.resize(dialog.width(), 420)
    qtbot.waitUntil(lambda: dialog.height() == 420)
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    top_left = save.mapTo(dialog, save.rect().topLeft())
    assert dialog.rect().contains(top_left) and top_left.y() + save.height() <= 420
    assert _cut(dialog) == []
    viewport = dialog.fields_area.viewport()

    def in_sight() -> bool:
        at = dialog.retention.mapTo(viewport, dialog.retention.rect().bottomRight())
        return viewport.rect().contains(at)

    assert not in_sight()  # the last field, below the fold
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    dialog.dpo.setFocus()
    qtbot.waitUntil(dialog.dpo.hasFocus, timeout=5000)
    QTest.keyClick(dialog.dpo, Qt.Key.Key_Tab)  # to the retention period, by keyboard
    qtbot.waitUntil(dialog.retention.hasFocus, timeout=5000)
    assert in_sight()
    dialog.fields_area.verticalScrollBar().setValue(0)  # back to the top: by its access key too
    assert not in_sight()
    dialog.letterhead.name.setFocus()
    qtbot.waitUntil(dialog.letterhead.name.hasFocus, timeout=5000)
    alt_key(dialog, "m")
    qtbot.waitUntil(dialog.retention.hasFocus, timeout=5000)
    assert in_sight()
    dialog.grab().save(str(shots / "settings-ro-joined-short-screen.png"))
    dialog.close()
