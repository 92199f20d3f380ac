"""The refer dialog open while a sync brings another service directory: it showed the address
read when it opened, and the letter then printed another. Real stores, a real sync server on
127.0.0.1, real widgets offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import _, set_language
from desktop_app.ui import referrals as ui
from desktop_app.usecases import reference
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.pdf_text import pdf_text
from tests.ui.conftest import shown_window, type_text
from tests.ui.test_referrals_ui import _person

OLD, NEW = "Steinstraße 39", "Königswall 21"
TAKEN_OUT = (
    "The service directory was updated meanwhile: the service you chose is no longer in it. "
    "Please choose another."
)


def _published_without_or_moved(coordinator: Session, *, removed: bool = False) -> None:
    """The coordinator's laptop publishes the directory with the Jobcenter moved (or taken
    out), and sends it."""
    files = reference.shipped_directory_files()
    if removed:
        del files["jobcenter.yaml"]
    else:
        files["jobcenter.yaml"] = files["jobcenter.yaml"].replace(OLD, NEW)
    reference.publish_directory(coordinator.store, coordinator.user, files, "Jobcenter")
    sync_uc.sync_now(coordinator.store)


def _open_refer(qtbot: QtBot, advisor: Session) -> tuple[object, ui.ReferDialog]:
    person = _person(advisor)
    window = shown_window(qtbot, advisor, 1280)
    window.show_person(person.id)
    feature = window.referrals  # type: ignore[attr-defined]
    refer = feature.open_refer_dialog()
    assert refer is not None
    qtbot.waitExposed(refer)
    type_text(refer.search, "Jobcenter")
    assert refer.service_id() == "jobcenter" and OLD in refer.service_info.text()
    refer.reason.setCurrentIndex(refer.reason.findData("job_search"))
    type_text(refer.contact, "Frau Schäfer, Zimmer 204")
    assert refer.directory_notice.isHidden()
    return window, refer


def _synced(qtbot: QtBot, window: object) -> None:
    controller = window.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
        assert controller.start()
    assert not isinstance(done.args[0], Exception), done.args[0]


def test_an_open_refer_dialog_shows_the_address_a_sync_brought_and_says_so(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    set_language("de")
    try:
        coordinator, advisor = laptops.new("A"), laptops.new("B")
        window, refer = _open_refer(qtbot, advisor)
        _published_without_or_moved(coordinator)
        _synced(qtbot, window)
        qtbot.waitUntil(refer.directory_notice.isVisible, timeout=10_000)
        assert NEW in refer.service_info.text() and OLD not in refer.service_info.text()
        assert refer.directory_notice.text() == (
            "Das Verzeichnis der Stellen wurde inzwischen aktualisiert: Adresse und "
            "Öffnungszeiten oben sind die neuen, so zeigt sie auch das Schreiben."
        )
        refer.grab().save(str(shots / "refer-directory-updated-de.png"))
        # What was chosen and typed stays; the letter shows what the dialog shows.
        assert refer.service_id() == "jobcenter" and refer.reason.currentData() == "job_search"
        assert refer.contact.text() == "Frau Schäfer, Zimmer 204"
        with qtbot.waitSignal(refer.save.answered, timeout=10_000):
            refer.create_button.click()
        preview = window.referrals.preview  # type: ignore[attr-defined]
        assert preview is not None
        qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10_000)
        letter = pdf_text(preview.pdf)
        assert NEW in letter and OLD not in letter
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_an_open_refer_dialog_says_when_the_chosen_service_was_taken_out(
    qtbot: QtBot, laptops: Laptops, shots: Path, lang: str
) -> None:
    set_language(lang)
    try:
        coordinator, advisor = laptops.new("A"), laptops.new("B")
        window, refer = _open_refer(qtbot, advisor)
        _published_without_or_moved(coordinator, removed=True)
        _synced(qtbot, window)
        qtbot.waitUntil(refer.directory_notice.isVisible, timeout=10_000)
        assert refer.service_id() == "" and refer.services.count() == 0
        assert refer.service_info.isHidden()
        said = refer.directory_notice.text()
        assert said == _(TAKEN_OUT), said  # in the UI language, as translated
        assert lang == "en" or said != TAKEN_OUT, said
        refer.grab().save(str(shots / f"refer-service-taken-out-{lang}.png"))
        # Another one chosen: the notice of the one taken out goes.
        refer.search.clear()
        type_text(refer.search, "Familienkasse")
        assert refer.service_id() == "familienkasse"
        assert refer.directory_notice.isHidden()
    finally:
        set_language("en")
