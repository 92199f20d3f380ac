"""The Laptops dialog gives a new laptop's enrollment code: a coordinator replacing a stolen
laptop on a Monday morning had to call whoever runs the server first. By keys only, on a
1366 × 768 laptop, in Bulgarian and German, with a real server on 127.0.0.1: the name asked,
the code shown large and selectable with its validity and what to do on the new laptop, which
joins with it and is approved here; refusals and an unreachable server said in her language.
Screenshots in the ``shots`` folder."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.sync_status import DevicesDialog, EnrollmentCodeDialog
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models
from tests.integration.sync_harness import Laptops, ServerProcess, device_id
from tests.ui.conftest import alt_access_key, type_text
from tests.ui.laptops_dialog import open_laptops

SIZE = (1366, 768)
CODE = re.compile(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}")
# The day after, as the code's validity names it (a weekday: "Di.", "вт", ...).
WEEKDAY = {"bg": "EEE", "de": "EEE"}


def _devices_dialog(qtbot: QtBot, session: Session) -> DevicesDialog:
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    window.sync.timer.stop()  # type: ignore[attr-defined]
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    return open_laptops(qtbot, window)


def _code_dialog(qtbot: QtBot, dialog: DevicesDialog) -> EnrollmentCodeDialog:
    alt_access_key(dialog, dialog.new_code.text())
    qtbot.waitUntil(lambda: dialog.code_dialog is not None, timeout=5000)
    asked = dialog.code_dialog
    assert asked is not None
    qtbot.waitExposed(asked)
    asked.activateWindow()
    qtbot.waitUntil(asked.isActiveWindow, timeout=5000)
    qtbot.waitUntil(lambda: asked.focusWidget() is asked.name, timeout=5000)
    return asked


@pytest.mark.parametrize("lang", ["bg", "de"])
def test_a_coordinator_gives_a_new_laptop_its_code_and_approves_it_by_keys_only(
    qtbot: QtBot,
    qapp: QApplication,
    server: ServerProcess,
    laptops: Laptops,
    program_font: None,
    shots: Path,
    lang: str,
) -> None:
    translations = QtTranslations(qapp)  # Qt's own texts too (Close)
    coordinator = laptops.new("Координация")
    laptops.sync(coordinator)
    try:
        set_language(lang)
        translations.apply(lang)
        dialog = _devices_dialog(qtbot, coordinator)
        assert (
            dialog.new_code.text()
            == {
                "bg": "&Генериране на код за присъединяване…",
                "de": "Neuer &Anmeldecode…",
            }[lang]
        )
        asked = _code_dialog(qtbot, dialog)
        assert not asked.get.isEnabled()  # no name yet
        type_text(asked.name, "Лаптоп Гара" if lang == "bg" else "Laptop Bahnhof")
        assert asked.get.isEnabled()
        with qtbot.waitSignal(asked.calls.idle, timeout=30_000):
            QTest.keyClick(asked.name, Qt.Key.Key_Return)  # Get the code: the default
        assert not asked.error.text(), asked.error.text()
        code = asked.code.text()
        assert CODE.fullmatch(code), code
        # large, selectable by keys, and where the keys are
        assert asked.code.hasFocus() and "22pt" in asked.code.styleSheet()
        assert asked.code.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
        QTest.keyClick(asked.code, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        assert asked.code.selectedText() == code
        # until when, with the weekday, in her language; and what to do on the new laptop
        from babel.dates import format_skeleton

        tomorrow = dt.datetime.now(dt.UTC).astimezone() + dt.timedelta(hours=24)
        weekday = format_skeleton("EEE", tomorrow, locale=lang)
        assert weekday in asked.validity.text(), asked.validity.text()
        assert asked.validity.text().startswith({"bg": "Валиден до ", "de": "Gültig bis "}[lang])
        assert server.base_url in asked.steps.text()
        assert _("Join an organisation") in asked.steps.text()
        assert asked.get.isHidden() and asked.name.isReadOnly()
        # the server stored its hash, for the name typed, never a coordinator's code
        with server.engine.connect() as db:
            (row,) = db.execute(
                models.EnrollmentCode.__table__.select().where(
                    models.EnrollmentCode.name == asked.name.text()
                )
            ).all()
        assert row.coordinator is False and code not in str(tuple(row))
        asked.resize(asked.width(), asked.height())
        asked.grab().save(str(shots / f"enroll-{lang}-code.png"))
        dialog.grab().save(str(shots / f"enroll-{lang}-laptops.png"))
        # Alt+C/К copies it
        alt_access_key(asked, asked.copy.text())
        qtbot.waitUntil(lambda: QApplication.clipboard().text() == code, timeout=5000)

        # The new laptop joins with it, elsewhere.
        fresh = laptops.account("Laptop Bahnhof")
        joined = sync_uc.join(fresh.store, server.base_url, code, "Laptop Bahnhof")
        assert joined.status == "pending"

        # Escape: back in the Laptops dialog, on the button; listed, compared and approved.
        QTest.keyClick(asked, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: dialog.code_dialog is None, timeout=5000)
        assert dialog.focusWidget() is dialog.new_code
        dialog.activateWindow()  # as the window system does when the child closes
        qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            alt_access_key(dialog, dialog.refresh_list.text())
        item = dialog.list.currentItem()
        assert item is not None and item.text().startswith("Laptop Bahnhof · ")
        alt_access_key(dialog, dialog.fingerprint_label.text())
        type_text(dialog.fingerprint, sync_uc.fingerprint(fresh.store))
        alt_access_key(dialog, dialog.role_buttons[Role.ADVISOR].text())
        qtbot.waitUntil(dialog.approve.isEnabled, timeout=5000)  # Alt clicks after a moment
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            alt_access_key(dialog, dialog.approve.text())
        assert not dialog.error.text(), dialog.error.text()
        assert server.device_status(device_id(fresh)) == "approved"
        dialog.close()
    finally:
        set_language("en")
        translations.apply("en")


def test_refusals_and_an_unreachable_server_are_said_in_her_language(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, program_font: None, shots: Path
) -> None:
    laptops.new("Büro")
    # approved before laptops had roles (every right on it), a member's laptop on the server:
    # the server says no
    second = laptops.new_member("Zweites Büro")
    laptops.sync(second)
    try:
        set_language("de")
        dialog = _devices_dialog(qtbot, second)
        asked = _code_dialog(qtbot, dialog)
        type_text(asked.name, "Laptop 3")
        with qtbot.waitSignal(asked.calls.idle, timeout=30_000):
            QTest.keyClick(asked.name, Qt.Key.Key_Return)
        assert asked.error.text().startswith(
            "Der Synchronisierungsserver erlaubt das nur einem Laptop der Koordination: einem, der "
            "mit einem Code der Koordination"
        ), asked.error.text()
        assert not asked.code.text() and asked.get.isVisible()
        assert asked.focusWidget() is asked.name  # to correct or close
        asked.grab().save(str(shots / "enroll-de-refused.png"))

        set_language("bg")
        server.stop()
        try:
            with qtbot.waitSignal(asked.calls.idle, timeout=60_000):
                QTest.keyClick(asked.name, Qt.Key.Key_Return)  # tried again
            assert asked.error.text().startswith("Сървърът за синхронизиране не е достъпен"), (
                asked.error.text()
            )
            assert not asked.code.text()
        finally:
            server.start()
        QTest.keyClick(asked, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: dialog.code_dialog is None, timeout=5000)
        dialog.close()
    finally:
        set_language("en")


def test_a_laptop_that_asked_for_too_many_codes_is_told_it_is_this_laptops(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """The server's bound is per issuing laptop (``MAX_OUTSTANDING_CODES``): the refusal says
    this laptop asked for many, not that the server holds many (which another coordinator's
    laptop would not have been refused for)."""
    from sync_server.service import MAX_OUTSTANDING_CODES

    coordinator = laptops.new("Büro")
    for i in range(MAX_OUTSTANDING_CODES):
        sync_uc.issue_enrollment_code(coordinator.store, coordinator.user, f"Laptop {i}")
    set_language("de")
    dialog = _devices_dialog(qtbot, coordinator)
    asked = _code_dialog(qtbot, dialog)
    type_text(asked.name, "Laptop Bahnhof")
    with qtbot.waitSignal(asked.calls.idle, timeout=30_000):
        QTest.keyClick(asked.name, Qt.Key.Key_Return)
    assert asked.error.text().startswith(
        "Dieser Laptop hat viele Anmeldecodes angefordert, die noch nicht benutzt wurden"
    ), asked.error.text()
    assert not asked.code.text()
    asked.close()
    dialog.close()
