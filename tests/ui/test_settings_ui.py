"""Settings screen: per-laptop values in QSettings, the letterhead and the sync server's address
in the store, field messages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.domain.validation import FieldError
from desktop_app.i18n.text import current_language, set_language
from desktop_app.sync.engine import SyncReport
from desktop_app.ui.settings import (
    KEY_IDLE_LOCK,
    KEY_LANGUAGE,
    SettingsDialog,
    idle_lock_minutes,
)
from desktop_app.usecases import accounts, audit
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import PortReservation, ServerProcess, started_server
from tests.integration.test_sync_insider import _set_role
from tests.ui.conftest import shown_window, store_held, type_text

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")
# Where the dialog kept an address that nothing read (the sync reads the store's): gone.
DEAD_SERVER_KEY = "sync/server_url"


def join(session: Session, server: ServerProcess) -> None:
    """The laptop of ``session`` joins ``server`` as the organisation's first (coordinator's)."""
    code = server.enroll("Büro Nordstadt", coordinator=True)
    sync_uc.join(session.store, server.base_url, code, "Büro Nordstadt")


@pytest.fixture
def moved(session: Session, server: ServerProcess, tmp_path: Path) -> Iterator[ServerProcess]:
    """The server moved: the laptop of ``session`` joined ``server``, which stopped; this one
    serves the same database at another address."""
    join(session, server)
    with started_server(server.db_url, tmp_path / "moved.log") as proc:
        server.stop()
        yield proc


def save(qtbot: QtBot, dialog: SettingsDialog) -> None:
    """Save as the button does, and wait while the letterhead is stored (a worker thread)."""
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.save.saving, timeout=30_000)


def test_defaults_and_saving(
    qtbot: QtBot, session: Session, qsettings: QSettings, tmp_path: Path
) -> None:
    assert idle_lock_minutes(qsettings) == 5
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    # Until the coordinator saves one, the shipped default letterhead is shown.
    assert dialog.letterhead.name.text().startswith("Welcome Europe")
    # A coordinator changes everything: no note that only a coordinator may.
    assert not dialog.role_note.isVisible()
    assert not dialog.sharing_note.isVisible()  # no team yet to give the letterhead to
    assert dialog.idle_lock.isEnabled()
    # Not joined: no address to change, but where to join (named as the menu names it).
    assert not dialog.server.isVisible() and dialog.not_joined_note.isVisible()
    assert dialog.not_joined_note.accessibleName() == (
        "This laptop has not joined a sync server yet. To join one, choose "
        "File → Join an organisation…"
    )
    assert dialog.not_joined_note.text().endswith("<b>File → Join an organisation…</b>")
    assert dialog.letterhead.name.isEnabled() and dialog.letterhead.logo_button.isEnabled()
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "settings.png"))
    logo = tmp_path / "logo.png"
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f6f8b"))
    assert image.save(str(logo))
    dialog.idle_lock.setValue(12)
    dialog.letterhead.name.clear()
    type_text(dialog.letterhead.name, "Асоциация „Добре дошли“ Dortmund")
    dialog.letterhead.address.setPlainText("Münsterstraße 5\n\n44145 Dortmund")
    dialog.letterhead.logo.setText(str(logo))
    with qtbot.waitSignal(dialog.saved, timeout=30_000):
        save(qtbot, dialog)
    assert qsettings.value(KEY_IDLE_LOCK) in (12, "12")
    assert idle_lock_minutes(qsettings) == 12
    assert qsettings.value(DEAD_SERVER_KEY) is None
    assert sync_uc.server_url(session.store) == ""
    assert not dialog.server_changed
    org = store_settings.get_letterhead(session.store)
    assert org.name == "Асоциация „Добре дошли“ Dortmund"
    assert org.address_lines == ("Münsterstraße 5", "44145 Dortmund")
    assert org.logo_path == str(logo)


def test_errors_are_shown_at_the_field_and_nothing_is_saved(
    qtbot: QtBot, session: Session, qsettings: QSettings
) -> None:
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.letterhead.name.clear()
    type_text(dialog.letterhead.email, "@@")
    dialog.letterhead.logo.setText("/nowhere/logo.gif")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.letterhead.errors["name"].text() == "This field is required."
    assert dialog.letterhead.errors["email"].text().startswith("This is not an e-mail address")
    assert dialog.letterhead.errors["logo_path"].text() == "The logo must be a PNG or JPEG file."
    assert not store_settings.has_letterhead(session.store)


def test_settings_from_the_file_menu_switch_the_language(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    window = shown_window(qtbot, session)
    window.settings_action.trigger()  # type: ignore[attr-defined]
    dialog: SettingsDialog = window.settings_dialog  # type: ignore[attr-defined]
    dialog.language.setCurrentIndex(dialog.language.findData("ro"))
    save(qtbot, dialog)
    assert current_language() == "ro"
    assert window.settings_action.text() == "S&etări…"  # type: ignore[attr-defined]


def test_letterhead_rules() -> None:
    from desktop_app.domain.referral import Organisation

    errors = store_settings.letterhead_errors(
        Organisation(name="X", address_lines=("a", "b", "c", "d", "e"), phone="abc")
    )
    assert [(e.field, e.code) for e in errors] == [
        ("address_lines", "too_many_lines"),
        ("phone", "phone_characters"),
    ]
    assert store_settings.server_url_error("http://127.0.0.1:8443") is None
    assert store_settings.server_url_error("sync.example.org") is None  # taken as https://
    assert store_settings.server_url_error("ftp://sync.example.org") is not None
    assert store_settings.enrollment_code_error("k7qx 2mpa 9tzd") is None
    assert store_settings.normalise_enrollment_code("k7qx 2mpa 9tzd") == "K7QX-2MPA-9TZD"
    bad = store_settings.enrollment_code_error("12345")
    assert bad is not None and bad.code == "enrollment_code_format"


def test_saving_the_letterhead_does_not_wait_while_a_sync_writes(
    qtbot: QtBot, session: Session, qsettings: QSettings
) -> None:
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.letterhead.name.clear()
    type_text(dialog.letterhead.name, "Willkommen Dortmund e. V.")
    with (
        qtbot.waitSignal(dialog.saved, timeout=30_000),
        store_held(session) as (_release, held),
    ):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert held.is_set() and dialog.save.saving  # it returned while the store was held
        assert not dialog.buttons.isEnabled()
    assert store_settings.get_letterhead(session.store).name == "Willkommen Dortmund e. V."
    assert not dialog.isVisible()


@pytest.mark.parametrize("role", [Role.HELPER, Role.ADVISOR])
def test_only_a_coordinator_changes_the_shared_settings_but_everyone_the_language(
    qtbot: QtBot,
    session: Session,
    qsettings: QSettings,
    tmp_path: Path,
    role: Role,
    server: ServerProcess,
) -> None:
    """A helper or an advisor changed the letterhead, the idle lock and the server address
    through this dialog; now they see them read-only, with a note, and Save keeps the language."""
    qsettings.setValue(KEY_IDLE_LOCK, 7)
    join(session, server)
    accounts.add_user(session, "mihai", "Mihai Student", role, "student pass 7")
    other = accounts.log_in(session.store.paths.data_dir, "mihai", "student pass 7")
    try:
        dialog = SettingsDialog(other, qsettings)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.role_note.isVisible()
        assert dialog.role_note.text() == (
            "Only a coordinator can change the lock time, the server address, the letterhead, "
            "the data protection contacts and the retention period."
        )
        assert not dialog.sharing_note.isVisible()  # nothing of theirs to go anywhere
        assert dialog.language.isEnabled()
        assert not dialog.idle_lock.isEnabled() and not dialog.server.isEnabled()
        # Their labels greyed too: their keys (Alt+K, Alt+Y) led to fields that take no focus.
        assert not dialog.labels["idle_lock"].isEnabled()
        assert not dialog.labels["server"].isEnabled()
        assert dialog.labels["language"].isEnabled()
        form = dialog.letterhead
        for field in (form.name, form.subtitle, form.address, form.phone, form.email, form.logo):
            assert not field.isEnabled()
        assert not form.logo_button.isEnabled()
        assert dialog.idle_lock.value() == 7  # shown, as they are
        assert dialog.server.text() == server.base_url  # the address this laptop syncs with
        assert form.name.text().startswith("Welcome Europe")
        _shots(qtbot, other, qsettings, role.value, ("de", "bg"))
        # Values put into the disabled fields by other means are not stored either.
        dialog.idle_lock.setValue(240)
        dialog.server.setText("https://elsewhere.example.org")
        form.name.setText("Someone Else e. V.")
        dialog.language.setCurrentIndex(dialog.language.findData("bg"))
        with qtbot.waitSignal(dialog.saved, timeout=30_000):
            save(qtbot, dialog)
        assert not dialog.isVisible()
        assert dialog.chosen_language == "bg" and qsettings.value(KEY_LANGUAGE) == "bg"
        assert idle_lock_minutes(qsettings) == 7
        assert sync_uc.server_url(session.store) == server.base_url
        assert qsettings.value(DEAD_SERVER_KEY) is None
        assert not store_settings.has_letterhead(session.store)
    finally:
        other.close()


def _shots(
    qtbot: QtBot,
    session: Session,
    qsettings: QSettings,
    name: str,
    langs: tuple[str, ...] = ("de", "ro"),
) -> None:
    """The dialog as ``session``'s user sees it, in ``langs`` (if shots are wanted)."""
    if not SHOTS:
        return
    for lang in langs:
        set_language(lang)
        shown = SettingsDialog(session, qsettings)
        qtbot.addWidget(shown)
        shown.show()
        qtbot.waitExposed(shown)
        shown.grab().save(str(Path(SHOTS) / f"settings-{name}-{lang}.png"))
        shown.close()
    set_language("en")


def test_a_laptop_that_has_not_joined_names_where_to_join(
    qtbot: QtBot, session: Session, qsettings: QSettings
) -> None:
    set_language("de")
    try:
        dialog = SettingsDialog(session, qsettings)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.not_joined_note.accessibleName() == (
            "Dieser Laptop ist noch mit keinem Synchronisierungsserver verbunden. Zum Beitreten "
            "wählen Sie Datei → Einer Organisation beitreten…"
        )
        # Its access key reaches the line, which is read out and selectable.
        assert dialog.labels["server"].buddy() is dialog.not_joined_note
        # The menu entry's "…" ends the sentence: no full stop after it, in no language.
        for lang in ("en", "de", "bg", "ro"):
            set_language(lang)
            shown = SettingsDialog(session, qsettings)
            qtbot.addWidget(shown)
            assert shown.not_joined_note.accessibleName().endswith("…"), lang
            assert "…." not in shown.not_joined_note.accessibleName(), lang
            assert shown.not_joined_note.text().endswith("…</b>"), lang
    finally:
        set_language("en")
    _shots(qtbot, session, qsettings, "not-joined")


def test_a_joined_coordinator_sees_and_changes_the_address_this_laptop_syncs_with(
    qtbot: QtBot, session: Session, qsettings: QSettings, server: ServerProcess
) -> None:
    join(session, server)
    _shots(qtbot, session, qsettings, "joined")
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.server.isVisible() and dialog.server.isEnabled()
    assert not dialog.not_joined_note.isVisible()
    assert dialog.server.text() == server.base_url

    # Refused as joining refuses it, at the field; nothing is stored.
    dialog.server.clear()
    type_text(dialog.server, "http://sync.example.org")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.server_error.text() == (
        "The server address must start with https:// (encrypted connection)."
    )
    assert sync_uc.server_url(session.store) == server.base_url
    assert not store_settings.has_letterhead(session.store)
    type_text(dialog.server, "x")
    assert dialog.server_error.text() == ""  # edited: the message was about the old text

    dialog.server.clear()
    type_text(dialog.server, "https://sync.example.org/ ")
    with qtbot.waitSignal(dialog.saved, timeout=30_000):
        save(qtbot, dialog)
    assert dialog.server_changed
    assert sync_uc.server_url(session.store) == "https://sync.example.org"
    assert qsettings.value(DEAD_SERVER_KEY) is None
    (entry,) = [
        e for e in audit.list_entries(session.store, session.user) if e.action == "change_server"
    ]
    assert entry.details == {"server_url": "https://sync.example.org"}

    # Saved again unchanged: nothing to change, nothing audited, no sync started for it.
    again = SettingsDialog(session, qsettings)
    qtbot.addWidget(again)
    again.show()
    assert again.server.text() == "https://sync.example.org"
    with qtbot.waitSignal(again.saved, timeout=30_000):
        save(qtbot, again)
    assert not again.server_changed
    assert (
        len(
            [
                e
                for e in audit.list_entries(session.store, session.user)
                if e.action == "change_server"
            ]
        )
        == 1
    )


def test_a_coordinator_is_told_whether_the_letterhead_goes_to_the_team_or_stays_here(
    qtbot: QtBot, session: Session, qsettings: QSettings, server: ServerProcess
) -> None:
    """On a coordinator's laptop the letterhead and contacts saved go to the team; on a laptop
    that may not publish (a member's) they stay on it, and the dialog says which."""
    join(session, server)
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.sharing_note.isVisible()
    assert dialog.sharing_note.text() == (
        "The letterhead with its logo and the data protection contacts saved here go to every "
        "laptop of the team at the next sync."
    )
    dialog.close()
    _shots(qtbot, session, qsettings, "coordinator-laptop", ("bg", "ro"))
    _set_role(session, "0")  # as the server told a member's laptop
    _shots(qtbot, session, qsettings, "member-laptop", ("de", "bg", "ro"))
    set_language("de")
    try:
        local = SettingsDialog(session, qsettings)
        qtbot.addWidget(local)
        local.show()
        assert local.sharing_note.isVisible()
        assert local.sharing_note.text() == (
            "Dieser Laptop kann den Briefkopf und die Datenschutz-Kontakte nicht an das Team "
            "weitergeben: Hier gespeichert, gelten sie nur auf diesem Laptop, bis ein Laptop der "
            "Koordination neuere veröffentlicht."
        )
        local.letterhead.name.setText("Beratung Hörde e. V.")
        local.dpo.setText("Jan Berg, 0231 555-199")
        with qtbot.waitSignal(local.saved, timeout=30_000):
            save(qtbot, local)
    finally:
        set_language("en")
    assert store_settings.get_letterhead(session.store).name == "Beratung Hörde e. V."
    assert store_settings.get_data_protection_officer(session.store) == "Jan Berg, 0231 555-199"
    assert store_settings.team_settings(session.store) is None  # nothing published


def test_the_window_syncs_at_the_new_address_at_once_and_says_if_it_cannot(
    qtbot: QtBot, session: Session, moved: ServerProcess
) -> None:
    """The server moved (same database, another address): a coordinator types the new one in
    File → Settings; the window's next sync goes there, without a restart, and the status bar
    says whether it got through."""
    window = shown_window(qtbot, session)
    controller = window.sync  # type: ignore[attr-defined]

    def change_to(url: str) -> None:
        window.settings_action.trigger()  # type: ignore[attr-defined]
        dialog: SettingsDialog = window.settings_dialog  # type: ignore[attr-defined]
        assert dialog.server.isEnabled()
        dialog.server.clear()
        type_text(dialog.server, url)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
            save(qtbot, dialog)  # starts a sync at once

    change_to(moved.base_url)
    text = controller.label.text()
    assert text.startswith("Online · last sync "), text
    assert sync_uc.status(session.store).last_success

    with PortReservation() as port:  # held, nothing listens there
        nobody = f"http://127.0.0.1:{port}"
        change_to(nobody)
        assert controller.label.text().startswith("Offline · "), controller.label.text()
        assert sync_uc.server_url(session.store) == nobody
    window.close()


def test_a_sync_under_way_when_the_address_changes_is_followed_by_one_to_the_new_address(
    qtbot: QtBot, session: Session, moved: ServerProcess
) -> None:
    """The sync running when the address is saved may have read the old one: another follows
    it, to the new one, instead of a minute later."""
    window = shown_window(qtbot, session)
    controller = window.sync  # type: ignore[attr-defined]
    results: list[object] = []
    controller.sync_finished.connect(results.append)
    assert controller.start()
    sync_uc.change_server_url(session.store, session.user, moved.base_url)
    controller.start_anew()  # as the settings dialog does after saving
    assert controller.again_after_running  # the first one has not ended: none started
    qtbot.waitUntil(lambda: len(results) == 2, timeout=60_000)
    assert isinstance(results[1], SyncReport)
    assert controller.label.text().startswith("Online · last sync ")
    assert not controller.running and not controller.again_after_running
    window.close()


def test_each_test_has_settings_of_its_own(qapp: QApplication) -> None:
    """tests/ui/conftest.py: what the program keeps in QSettings() during a test is that
    test's alone, never the user's ~/.config, which the other xdist worker writes as well."""
    settings = QSettings()
    settings.setValue("test/isolation", "mine")
    settings.sync()
    where = Path(settings.fileName()).resolve()
    assert not where.is_relative_to(Path.home().resolve()), where
    assert where.exists() and "qsettings" in where.parent.parent.name


def test_the_fields_have_one_width_in_every_language_beside_labels_shown_whole(
    qtbot: QtBot, session: Session, qsettings: QSettings, program_font: None
) -> None:
    """The labels' column was as wide as the longest label: the Romanian "Al doilea rând
    (numele proiectului)" left the letterhead's fields 282 px (English 342), out of line with
    the laptop's fields above. The labels wrap in a column of one width now."""
    widths: dict[str, int] = {}
    for lang in ("en", "de", "bg", "ro"):
        set_language(lang)
        dialog = SettingsDialog(session, qsettings)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        letterhead = dialog.letterhead
        fields = (
            dialog.language,
            dialog.idle_lock,
            letterhead.name,
            letterhead.subtitle,
            letterhead.address,
            letterhead.phone,
            letterhead.email,
        )
        assert len({field.width() for field in fields}) == 1, [f.width() for f in fields]
        widths[lang] = letterhead.subtitle.width()
        left = {field.mapTo(dialog, field.rect().topLeft()).x() for field in fields}
        assert len(left) == 1, left  # in line, the laptop's and the letterhead's
        for label in [*dialog.labels.values(), *letterhead.labels.values()]:
            assert label.height() >= label.heightForWidth(label.width()), label.text()
            words = label.text().replace("&", "").split()
            assert all(label.fontMetrics().horizontalAdvance(w) < label.width() for w in words)
        # the logo's field beside its label, as every other (not pushed below it)
        logo_label = letterhead.labels["logo_path"]
        tops = [w.mapTo(dialog, w.rect().topLeft()).y() for w in (logo_label, letterhead.logo)]
        assert abs(tops[0] - tops[1]) <= 2, tops
        dialog.close()
    assert len(set(widths.values())) == 1 and min(widths.values()) >= 360, widths
    set_language("en")


def test_a_logo_is_kept_in_the_store_refused_at_the_field_and_removed(
    qtbot: QtBot, session: Session, qsettings: QSettings, tmp_path: Path
) -> None:
    """A text file named .png is refused at the Logo field, in the user's language; a real
    one is kept in the store (its file deleted afterwards, the letterhead keeps it and the
    dialog still names it); the field emptied removes it."""
    fake = tmp_path / "logo.png"
    fake.write_text("not a picture\n", encoding="utf-8")
    set_language("ro")
    try:
        dialog = SettingsDialog(session, qsettings)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.letterhead.logo.setText(str(fake))
        save(qtbot, dialog)
        assert dialog.isVisible()
        message = dialog.letterhead.errors["logo_path"].text()
        assert message == store_settings.describe(FieldError("logo_path", "logo_format"))
        assert message != "The logo must be a PNG or JPEG file."  # in Romanian
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / "settings-logo-refused-ro.png"))
        dialog.close()
    finally:
        set_language("en")
    assert store_settings.get_letterhead(session.store).logo is None

    real = tmp_path / "real.png"
    image = QImage(120, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f6f8b"))
    assert image.save(str(real))
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.letterhead.logo.setText(str(real))
    with qtbot.waitSignal(dialog.saved, timeout=30_000):
        save(qtbot, dialog)
    dialog.close()
    real.unlink()
    org = store_settings.get_letterhead(session.store)
    assert org.logo is not None and org.logo.startswith(b"\x89PNG") and org.logo_path == str(real)

    again = SettingsDialog(session, qsettings)  # the file is gone: the field names it still
    qtbot.addWidget(again)
    again.show()
    assert again.letterhead.logo.text() == str(real)
    again.letterhead.logo.clear()
    with qtbot.waitSignal(again.saved, timeout=30_000):
        save(qtbot, again)
    again.close()
    org = store_settings.get_letterhead(session.store)
    assert org.logo is None and org.logo_path is None


def test_the_data_protection_fields_hints_are_shown_whole(
    qtbot: QtBot, session: Session, qsettings: QSettings, program_font: None
) -> None:
    """The supervisory authority's hint, in Bulgarian "Име и адрес, както ще бъдат посочени
    в копието з…", was cut off in its field: the end of what it asks for was not shown."""
    from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionFrame

    try:
        for lang in ("en", "de", "bg", "ro"):
            set_language(lang)
            dialog = SettingsDialog(session, qsettings)
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitExposed(dialog)
            fields: list[QLineEdit] = [dialog.authority, dialog.dpo]
            for field in fields:
                option = QStyleOptionFrame()
                field.initStyleOption(option)
                inside = field.style().subElementRect(
                    QStyle.SubElement.SE_LineEditContents, option, field
                )
                wanted = field.fontMetrics().horizontalAdvance(field.placeholderText())
                assert wanted + 4 <= inside.width(), (lang, field.placeholderText())
            dialog.close()
    finally:
        set_language("en")
