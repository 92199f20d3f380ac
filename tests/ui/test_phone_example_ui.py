"""The register dialog's phone example: a German mobile number in every UI language, as most
people have one here (``person_dialog.PHONE_EXAMPLE``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, type_text


@pytest.mark.parametrize("lang", ["ro", "bg", "de", "en"])
def test_the_phone_example_is_a_german_mobile_number_whole_in_its_field(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str
) -> None:
    """A Romanian UI showed "+359 88 123 4567", a Bulgarian number, as the example. The
    example is shown whole, and a number typed as it shows is found again by its digits."""
    window = shown_window(qtbot, session)
    try:
        window.switch_language(lang)
        QApplication.processEvents()
        dialog = window.open_register_dialog()
        qtbot.waitExposed(dialog)
        example = dialog.phone.placeholderText()
        assert example == "0176 12345678"
        room = dialog.phone.contentsRect().width()
        assert dialog.phone.fontMetrics().horizontalAdvance(example) < room
        dialog.grab().save(str(tmp_path / f"register-{lang}.png"))
        type_text(dialog.given, "Ioana")
        type_text(dialog.family, "Marin")
        type_text(dialog.phone, example)
        with qtbot.waitSignal(dialog.person_registered, timeout=30_000) as blocker:
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert blocker.args[0].phone == example
    finally:
        set_language("en")
