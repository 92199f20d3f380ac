"""What a helper's File menu offers, and that each entry offered does for them what they may:
an entry that only says "you may not" is not offered (as Laptops of the organisation…)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.usecases import accounts, people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window
from tests.ui.test_people_import_ui import CSV, go_to_preview


def test_a_helper_imports_people_and_sets_the_language_from_the_file_menu(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Import people… registers people, which a helper does (REGISTER_PERSON); Settings…
    changes the program's language, theirs to choose, and shows the rest read-only."""
    accounts.add_user(session, "maria", "Maria Ionescu", Role.HELPER, "helper pass 123")
    helper = accounts.log_in(session.store.paths.data_dir, "maria", "helper pass 123")
    try:
        window = shown_window(qtbot, helper)
        offered = [a for a in window.file_menu.actions() if a.isVisible() and a.isEnabled()]
        import_action = window.import_action  # type: ignore[attr-defined]
        settings_action = window.settings_action  # type: ignore[attr-defined]
        assert import_action in offered and settings_action in offered

        path = tmp_path / "clients.csv"
        path.write_text(CSV, encoding="utf-8-sig")
        import_action.trigger()
        wizard = window.import_wizard  # type: ignore[attr-defined]
        go_to_preview(qtbot, wizard, path)
        with qtbot.waitSignal(wizard.imported, timeout=10_000) as imported:
            wizard.button(QWizard.WizardButton.FinishButton).click()
        assert imported.args == [2]
        assert people.count_people(helper.store) == 2

        settings_action.trigger()
        dialog = window.settings_dialog  # type: ignore[attr-defined]
        qtbot.waitExposed(dialog)
        assert dialog.language.isEnabled()
        assert dialog.role_note.isVisible()
        assert not dialog.idle_lock.isEnabled() and not dialog.letterhead.name.isEnabled()
        dialog.reject()
        window.close()
    finally:
        helper.close()
