"""Two helpers offline register the same man, one in Latin, one in Cyrillic letters: after the
sync each entry's page names the other and leads to it by keyboard; a family sharing a phone
is not named; erasing one entry ends the notice on every laptop at its next sync."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.usecases import data_rights, people, visits
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import shown_window
from tests.ui.test_conflicts_ui import _record_conflicts
from tests.unit.test_visits import full_life_situation


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_same_man_registered_on_two_laptops_offline_is_named_on_each_page(
    qtbot: QtBot, laptops: Laptops, lang: str
) -> None:
    from tests.ui.test_keyboard_ui import _keyed_texts
    from tests.ui.test_main_window import _access_key

    a, b = laptops.new("Outreach Hbf"), laptops.new("Outreach Markt")
    latin = people.register_person(
        a.store, a.user, PersonDraft("Dimitar", "Georgiev", "12.04.1990", phone="0160 1234567")
    ).id
    # His wife, on the same phone: registering warns about her, the page does not name her.
    wife = people.register_person(
        a.store,
        a.user,
        PersonDraft("Radka", "Georgieva", "03.02.1992", phone="0160 1234567"),
        confirm_duplicates=True,
    ).id
    cyrillic = people.register_person(
        b.store, b.user, PersonDraft("Димитър", "Георгиев", "12.04.1990")
    ).id
    # With a visit and a value to decide, the page shows every key it may have.
    visits.finish_visit(b.store, b.user, cyrillic, "life_situation", full_life_situation())
    _record_conflicts(b, cyrillic, ("phone", "", "0160 7654321"))
    laptops.sync(a, b, a)
    set_language(lang)
    try:
        window = shown_window(qtbot, b, 1100)
        notice = window.duplicate_notice  # type: ignore[attr-defined]
        window.show_person(cyrillic)
        qtbot.waitUntil(lambda: "Georgiev, Dimitar" in notice.text.text(), timeout=30_000)
        assert notice.isVisible()
        assert "0160 1234567" in notice.text.text()  # told apart as in the register dialog
        # Its key is the page's only one of its letter, and takes the helper to the other.
        qtbot.waitUntil(window.conflict_notice.isVisible, timeout=30_000)  # type: ignore[attr-defined]
        texts = _keyed_texts(window) + [act.text() for act in window.menuBar().actions()]
        assert notice.button.text() in texts
        keys = [_access_key(t) for t in texts]
        assert len(set(keys)) == len(keys), " | ".join(sorted(texts))
        key = _access_key(notice.button.text())
        assert key is not None
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        QTest.keyClick(window, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(
            lambda: getattr(window.person_page.person, "id", None) == latin, timeout=30_000
        )
        # Looked up on a worker thread: nothing is said of him before it answers.
        qtbot.waitUntil(lambda: "Георгиев, Димитър" in notice.text.text(), timeout=30_000)
        assert notice.isVisible()
        assert "Georgieva" not in notice.text.text()
        window.show_person(wife)
        qtbot.waitUntil(notice.isHidden, timeout=30_000)
        radka = people.get_person(b.store, b.user, wife, log_view=False)
        assert radka is not None and people.possible_duplicates(b.store, radka) == []

        # The coordinator erases the entry in Latin letters (asked to keep one): at the
        # helper's next sync the other's page names nobody any more.
        window.show_person(cyrillic)
        qtbot.waitUntil(notice.isVisible, timeout=30_000)
        data_rights.erase_person(a.store, a.user, latin)
        laptops.sync(a)
        with qtbot.waitSignal(window.sync.sync_finished, timeout=20000):  # type: ignore[attr-defined]
            assert window.sync.start()  # type: ignore[attr-defined]
        qtbot.waitUntil(notice.isHidden, timeout=30_000)
        window.close()
    finally:
        set_language("en")
