"""The Join and Laptops dialogs say why a call to the sync server failed, in the user's words:
an answer that is not the sync server's (``ProtocolError``) and any other failure went to the
application's error handler, which only logs, and the dialog said nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.conftest import store_write_locked
from tests.integration.sync_harness import AnsweringStub, Laptops, ServerProcess, move_laptop_to
from tests.ui.conftest import type_text
from tests.ui.test_sync_ui import _join_dialog, _laptops_dialog

# What each language says of an answer that is not the sync server's, and of a server out of
# reach (messages.not_understood_message, connection_message("offline")).
NOT_UNDERSTOOD = {
    "de": "Die Antwort des Synchronisierungsservers wurde nicht verstanden: Die Adresse führt "
    "vielleicht zu einem anderen Server, oder auf dem Server läuft eine andere Version von "
    "Welcome Desk. Hält das an, sagen Sie Ihrer Koordination Bescheid.",
    "en": "The sync server's answer was not understood: the address may lead to another "
    "server, or the server runs another version of Welcome Desk. If it lasts, tell your "
    "coordinator.",
}
OFFLINE = {
    "de": "Der Synchronisierungsserver ist nicht erreichbar. Es ging nichts verloren.",
    "en": "The sync server cannot be reached. Nothing was lost.",
}


@pytest.fixture
def stranger(tmp_path: Path) -> Iterator[AnsweringStub]:
    """A server on 127.0.0.1 answering 200 with something that is not the sync server's."""
    stub = AnsweringStub(200, tmp_path)
    try:
        yield stub
    finally:
        stub.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_join_dialog_says_why_the_server_could_not_be_joined(
    qtbot: QtBot,
    tmp_path: Path,
    session: Session,
    stranger: AnsweringStub,
    refused_url: str,
    lang: str,
) -> None:
    set_language(lang)
    window, dialog = _join_dialog(qtbot, session)
    dialog.show()
    type_text(dialog.code, "7JM7-FX4J-A922-8BB2")
    # Unreachable, it says too that the laptop has not joined and that the code still works.
    not_joined = {
        "de": " Dieser Laptop ist noch nicht beigetreten. Klicken Sie auf „Erneut versuchen“, "
        "sobald die Verbindung wieder da ist: derselbe Code gilt weiterhin.",
        "en": " This laptop has not joined yet. Press Try again when the connection is back: the "
        "same code still works.",
    }[lang]
    for url, said in (
        (stranger.url, NOT_UNDERSTOOD[lang]),
        (refused_url, OFFLINE[lang] + not_joined),
    ):
        dialog.server.clear()
        type_text(dialog.server, url)
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert dialog.error.text() == said
        assert dialog.error.isVisible() and not sync_uc.is_joined(session.store)
        # Ready for another try: the fields and Join enabled again.
        assert dialog.server.isEnabled()
        assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        dialog.grab().save(str(tmp_path / f"join-{lang}-{len(said)}.png"))
    assert stranger.requests > 0
    window.close()


def test_the_laptops_dialog_says_why_the_list_could_not_be_fetched(
    qtbot: QtBot, tmp_path: Path, laptops: Laptops, stranger: AnsweringStub, refused_url: str
) -> None:
    a = laptops.new("A")
    set_language("de")
    for url, said in ((stranger.url, NOT_UNDERSTOOD["de"]), (refused_url, OFFLINE["de"])):
        move_laptop_to(a, url)
        window, dialog = _laptops_dialog(qtbot, a)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)  # noqa: B023
        assert dialog.error.text() == said
        assert dialog.error.isVisible() and dialog.list.count() == 0
        dialog.grab().save(str(tmp_path / f"laptops-{len(said)}.png"))
        dialog.close()
        window.close()
    assert stranger.requests > 0


def test_the_join_dialog_says_a_failure_on_this_laptop_in_words_too(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """Not the server: the records busy (a sync process of another window writing) when the
    joining is to be stored. It went to the application's error handler as well."""

    laptops.new("A")  # the organisation's first laptop
    b = laptops.account("B")
    set_language("de")
    window, dialog = _join_dialog(qtbot, b)
    dialog.show()
    type_text(dialog.server, server.base_url)
    type_text(dialog.code, server.enroll("B"))
    with store_write_locked(b), qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error.text() == (
        "Die Unterlagen sind gerade belegt: Eine Synchronisierung oder ein anderes "
        "Welcome-Desk-Fenster schreibt in sie. Warten Sie einen Moment, und versuchen Sie es "
        "dann erneut."
    )
    assert not sync_uc.is_joined(b.store)
    window.close()


# A join's words for a server fault: nothing tries a join again by itself.
JOIN_SERVER_FAULT = {
    "en": "The sync server has a fault. This laptop has not joined yet. Press Try again in a few "
    "minutes: the same code still works. If it lasts, tell your coordinator.",
    "de": "Der Synchronisierungsserver hat eine Störung. Dieser Laptop ist noch nicht "
    "beigetreten. Klicken Sie in einigen Minuten auf „Erneut versuchen“: derselbe Code gilt "
    "weiterhin. Hält die Störung an, sagen Sie Ihrer Koordination Bescheid.",
    "bg": "Сървърът за синхронизиране има неизправност. Този лаптоп още не е присъединен. "
    "Натиснете „Нов опит“ след няколко минути: същият код все още е валиден. Ако това "
    "продължи, кажете на координатора си.",
    "ro": "Serverul de sincronizare are o defecțiune. Acest laptop nu s-a alăturat încă. "
    "Apăsați „Încearcă din nou” peste câteva minute: același cod este în continuare valabil. "
    "Dacă defecțiunea persistă, anunțați coordonatorul.",
}


@pytest.mark.parametrize("lang", ["en", "de", "bg", "ro"])
def test_the_join_dialog_says_a_server_fault_is_not_tried_again_by_itself(
    qtbot: QtBot, tmp_path: Path, session: Session, lang: str
) -> None:
    """A server answering 503 to the join: the dialog said the sync's "Nothing was lost; it is
    tried again automatically", untrue of a join, which nothing tries again by itself. It says
    that the laptop has not joined and to press Try again later, with the same code."""
    set_language(lang)
    faulty = AnsweringStub(503, tmp_path)
    try:
        window, dialog = _join_dialog(qtbot, session)
        dialog.show()
        type_text(dialog.server, faulty.url)
        type_text(dialog.code, "7JM7-FX4J-A922-8BB2")
        join = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
            join.click()
        assert faulty.requests > 0
    finally:
        faulty.close()
    said = dialog.error.text()
    assert said == JOIN_SERVER_FAULT[lang], said
    assert join.text() == {"en": "&Try again", "de": "&Erneut versuchen", "bg": "&Нов опит",
                           "ro": "Încearcă &din nou"}[lang]  # fmt: skip
    assert join.isEnabled() and not sync_uc.is_joined(session.store)
    window.close()
