"""The supervisory authority in the settings: a coordinator names it, the person's data copy
names it where they can complain (Art. 77 GDPR); others see it read-only."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.text import set_language
from desktop_app.ui.settings import SettingsDialog
from desktop_app.usecases import accounts, data_rights, people
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import type_text

AUTHORITY = (
    "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen, "
    "Kavalleriestraße 2–4, 40213 Düsseldorf"
)


def _copy_text(session: Session, lang: str) -> str:
    draft = PersonDraft("Ioana", "Stan", "01.02.1990", "female", "RO", ("ro",), "")
    pid = people.register_person(session.store, session.user, draft, confirm_duplicates=True).id
    _json, pdf = data_rights.export_person(session.store, session.user, pid, lang=lang)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in pages))


def test_a_coordinator_names_the_authority_and_the_copy_names_it(
    qtbot: QtBot, session: Session, qsettings: QSettings, tmp_path: Path
) -> None:
    # Until it is named, the copy says the right in general, with where one may complain as
    # Art. 77(1) says (no authority is made up).
    assert (
        "(art. 77 din RGPD), în special în statul membru al UE în care locuiți sau lucrați ori "
        "în care a avut loc presupusa încălcare."
    ) in _copy_text(session, "ro")
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.authority.isEnabled() and dialog.authority.text() == ""
    type_text(dialog.authority, "  " + AUTHORITY + "  ")
    with qtbot.waitSignal(dialog.saved, timeout=30_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert store_settings.get_supervisory_authority(session.store) == AUTHORITY
    text = _copy_text(session, "ro")
    assert (
        "Aveți dreptul de a depune o plângere în fața unei autorități de supraveghere "
        f"(art. 77 din RGPD), de exemplu la cea competentă pentru noi: {AUTHORITY}."
    ) in text
    # Opened again, the dialog shows what was saved.
    again = SettingsDialog(session, qsettings)
    qtbot.addWidget(again)
    assert again.authority.text() == AUTHORITY


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_the_dialog_shows_the_field_whole_in_every_language(
    qtbot: QtBot, session: Session, qsettings: QSettings, tmp_path: Path, lang: str
) -> None:
    set_language(lang)
    store_settings.set_supervisory_authority(session.store, session.user, AUTHORITY)
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.resize(dialog.sizeHint())
    dialog.show()
    qtbot.waitExposed(dialog)
    # The label has its own row height: wrapped, not cut, in the letterhead's label column.
    label = dialog.authority_label
    assert label.height() >= label.heightForWidth(label.width())
    assert dialog.authority.width() == dialog.letterhead.name.width()
    assert dialog.height() <= 700  # fits the smallest screen the advisors use
    dialog.grab().save(str(tmp_path / f"settings-{lang}.png"))


def test_a_helper_sees_it_read_only_and_may_not_set_it(
    qtbot: QtBot, session: Session, qsettings: QSettings
) -> None:
    store_settings.set_supervisory_authority(session.store, session.user, AUTHORITY)
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "role pass 123")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "role pass 123")
    dialog = SettingsDialog(helper, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.authority.text() == AUTHORITY
    assert not dialog.authority.isEnabled() and not dialog.authority_label.isEnabled()
    with pytest.raises(PermissionDenied):
        store_settings.set_supervisory_authority(helper.store, helper.user, "Someone else")
    assert store_settings.get_supervisory_authority(session.store) == AUTHORITY


def test_a_name_too_long_or_with_control_characters_is_refused() -> None:
    assert store_settings.supervisory_authority_error("x" * 301) is not None
    assert store_settings.supervisory_authority_error("LDI NRW\x07") is not None
    assert store_settings.supervisory_authority_error("x" * 300) is None


def test_setting_refuses_what_the_check_refuses(session: Session) -> None:
    with pytest.raises(ValidationFailed):
        store_settings.set_supervisory_authority(session.store, session.user, "x" * 301)
    assert store_settings.get_supervisory_authority(session.store) == ""
