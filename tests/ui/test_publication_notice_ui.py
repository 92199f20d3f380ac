"""The window says when a publication cannot be used here (forms or a directory from a newer
Welcome Desk, or damaged), the Laptops dialog shows each laptop's version, and publishing names
the laptops that run an older one. Real stores, a real server process on 127.0.0.1, real
widgets offscreen."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app import __version__
from desktop_app.i18n.text import set_language
from desktop_app.sync.engine import TOKEN, get_meta
from desktop_app.sync.http_client import SyncServerClient
from desktop_app.ui.directory import FormsDialog, PublishDialog
from desktop_app.ui.publication_notice import PublicationBanner
from desktop_app.ui.sync_status import DevicesDialog
from desktop_app.usecases import reference
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, ServerProcess
from tests.ui.conftest import shown_window
from tests.unit.test_organisation_publication import TEAM, _team_publishes
from tests.unit.test_reference_forms import raised_version
from tests.unit.test_reference_unusable import _arrive, _content, _forms_with_unknown_key, _shipped

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


def _shot(widget: object, name: str, tmp_path: Path) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    widget.grab().save(str(folder / f"{name}.png"))  # type: ignore[attr-defined]


def _banner(window: object) -> PublicationBanner:
    return window.sync.publications.banner  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("lang", "forms_text", "directory_text"),
    [
        (
            "de",
            "Die Koordination hat Formulare veröffentlicht, die diese Version von Welcome Desk "
            "nicht lesen kann. Dieser Laptop verwendet bis zu einem Update die mitgelieferten "
            "Formulare.",
            "Das von der Koordination veröffentlichte Verzeichnis der Stellen ist beschädigt.",
        ),
        (
            "bg",
            "Координаторът публикува формуляри, които тази версия на Welcome Desk не може да "
            "прочете.",
            "Указателят на службите, публикуван от координатора, е повреден.",
        ),
    ],
)
def test_forms_from_a_newer_version_and_a_damaged_directory_are_said_in_a_banner(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    lang: str,
    forms_text: str,
    directory_text: str,
) -> None:
    set_language(lang)
    _arrive(
        session, reference.FORMS, _content(_forms_with_unknown_key(), format=2, app_version="0.4.0")
    )
    _arrive(session, reference.SERVICES, _content({"jobcenter.yaml": "id: [unclosed"}))
    window = shown_window(qtbot, session)
    banner = _banner(window)
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    text = banner.plain_text()
    assert forms_text in text and directory_text in text
    assert "0.4.0" in banner.toolTip() and __version__ in banner.toolTip()
    # Whole at a small laptop's 1100 px: the two sentences wrap, nothing is cut off.
    window.resize(1100, 700)
    qtbot.wait(50)
    label = banner.text
    assert label.height() >= label.heightForWidth(label.width())
    assert banner.width() <= window.width()
    _shot(window, f"publication-banner-{lang}", tmp_path)
    # The coordination publishes usable forms and a directory: after the next sync it is gone.
    files = _shipped("forms")
    files["consent.yaml"] = raised_version(files["consent.yaml"])
    _arrive(session, reference.FORMS, _content(files, format=1, app_version=__version__))
    _arrive(session, reference.SERVICES, _content(_shipped("services"), format=1))
    window.sync.sync_finished.emit(None)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)
    window.close()


def test_a_value_refused_alone_is_named_in_the_banner(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """A publication with a good letterhead and a retention period out of range: the letterhead
    is in force, the banner names the period (the whole publication had been refused)."""
    set_language("bg")
    try:
        _team_publishes(session, {**TEAM, "retention_years": 40})
        window = shown_window(qtbot, session)
        banner = _banner(window)
        qtbot.waitUntil(banner.isVisible, timeout=10_000)
        assert banner.plain_text() == (
            "Координаторът публикува стойност, която не може да бъде използвана: срок на "
            "съхранение. За нея този лаптоп запазва своята; останалите стойности на "
            "координатора са в сила."
        )
        assert "Помолете координатора" in banner.toolTip()
        _shot(window, "publication-banner-refused-value-bg", tmp_path)
        window.close()
    finally:
        set_language("en")


def test_no_banner_with_a_usable_publication(qtbot: QtBot, session: Session) -> None:
    files = _shipped("forms")
    files["consent.yaml"] = raised_version(files["consent.yaml"])
    reference.publish_forms(session.store, session.user, files)
    window = shown_window(qtbot, session)
    generation = window.sync.publications._generation  # type: ignore[attr-defined]
    done: list[bool] = []
    window.tasks.run(lambda: None, lambda _r: done.append(True))  # after the check's task
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    qtbot.wait(50)
    assert window.sync.publications._generation == generation  # type: ignore[attr-defined]
    assert not _banner(window).isVisible()
    assert window.sync.publications.found == []  # type: ignore[attr-defined]
    window.close()


def _as_older_version(at: ServerProcess, session: Session, version: str) -> None:
    """A request of ``session``'s laptop as Welcome Desk ``version`` would make it."""
    with session.store.reading() as db:
        token = get_meta(db, TOKEN)
    with SyncServerClient(at.base_url, token, app_version=version, max_retries=1) as client:
        client.pull(0, 1)


@pytest.mark.parametrize("lang", ["en", "de", "bg"])
def test_the_laptops_dialog_shows_each_version_and_publishing_names_the_older_laptops(
    qtbot: QtBot,
    tmp_path: Path,
    server: ServerProcess,
    laptops: Laptops,
    lang: str,
) -> None:
    set_language(lang)
    a = laptops.new("Büro")
    b = laptops.new("Laptop Kasia")
    _as_older_version(server, b, "0.0.9")
    window = shown_window(qtbot, a)
    # Nothing known yet (the list was not fetched here): publishing names nobody.
    assert sync_uc.laptops_on_older_versions(a.store) == []
    dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    dialog.show()  # at the size it opens with
    qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
    lines = {dialog.list.item(i).text() for i in range(dialog.list.count())}
    # Each line whole, the version at its end included (a laptop's last sync is a second
    # line of its item).
    room = dialog.list.viewport().width()
    metrics = dialog.list.fontMetrics()
    assert all(metrics.horizontalAdvance(part) + 8 <= room for x in lines for part in x.split("\n"))
    (own,) = [x for x in lines if x.startswith("Büro")]
    (other,) = [x for x in lines if x.startswith("Laptop Kasia")]
    older = {
        "en": "Version 0.0.9 (older)",
        "de": "Version 0.0.9 (älter)",
        "bg": "Версия 0.0.9 (по-стара)",
    }[lang]
    assert older in other
    version = older.split()[0]
    assert f"{version} {__version__}" in own and "(" not in own.split(version)[1]
    _shot(dialog, f"laptops-versions-{lang}", tmp_path)
    dialog.close()
    assert sync_uc.laptops_on_older_versions(a.store) == ["Laptop Kasia"]

    forms = FormsDialog(a, window)
    qtbot.addWidget(forms)
    folder = tmp_path / "forms"
    reference.export_forms(a.store, a.user, folder)
    text = (folder / "consent.yaml").read_text(encoding="utf-8")
    (folder / "consent.yaml").write_text(raised_version(text), encoding="utf-8")
    shown = forms.publish_from(folder)
    assert isinstance(shown, PublishDialog)
    seen = [lbl.text() for lbl in shown.findChildren(QLabel)]
    _shot(shown, f"publish-older-laptops-{lang}", tmp_path)
    shown.reject()  # answered "Cancel"
    said = {
        "en": "These laptops run an older version of Welcome Desk and may not be able to "
        "use what you publish until they are updated: Laptop Kasia",
        "de": "Auf diesen Laptops läuft eine ältere Version von Welcome Desk; sie können das "
        "Veröffentlichte möglicherweise erst nach einem Update verwenden: Laptop Kasia",
        "bg": "Тези лаптопи са с по-стара версия на Welcome Desk и може да не могат да "
        "използват публикуваното, докато не бъдат обновени: Laptop Kasia",
    }[lang]
    assert any(said in t for t in seen), seen
    window.close()


def _synced(qtbot: QtBot, window: object) -> None:
    controller = window.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
        assert controller.start()
    assert not isinstance(done.args[0], Exception), done.args[0]


def _moved_jobcenter(street: str) -> dict[str, str]:
    files = reference.shipped_directory_files()
    files["jobcenter.yaml"] = files["jobcenter.yaml"].replace("Steinstraße 39", street)
    return files


def test_a_directory_published_elsewhere_is_told_after_the_sync_that_brings_it(
    qtbot: QtBot, laptops: Laptops, tmp_path: Path
) -> None:
    """An advisor learned of a new service directory nowhere: the letters changed under her
    hands, and the coordinator's note of what changed showed only in the coordinators'
    directory window. The sync that brings it says who published it, when, the note, and what
    it does to letters, until she hides it; the laptop that published it is not told."""
    from PySide6.QtTest import QTest

    from tests.ui.conftest import alt_access_key, made_active

    set_language("de")
    try:
        a = laptops.new("A")
        b = laptops.new("B")
        coordinator, advisor = shown_window(qtbot, a, 1100), shown_window(qtbot, b, 1100)
        news = advisor.sync.publications  # type: ignore[attr-defined]
        banner = news.directory_banner
        _synced(qtbot, advisor)
        assert banner.isHidden()  # nothing published: nothing to tell
        reference.publish_directory(
            a.store, a.user, _moved_jobcenter("Königswall 21"), "Jobcenter Dortmund: Adresse"
        )
        _synced(qtbot, coordinator)
        assert coordinator.sync.publications.directory_banner.isHidden()  # type: ignore[attr-defined]
        _synced(qtbot, advisor)
        qtbot.waitUntil(banner.isVisible, timeout=10_000)
        text = banner.plain_text()
        assert text.startswith("Das Verzeichnis der Stellen wurde von A am "), text
        assert "aktualisiert: Jobcenter Dortmund: Adresse. Geändert: Jobcenter Dortmund. " in text
        assert "Dortmund. Neue Schreiben und die in der Druckwarteschlange" in text, text
        assert "bereits gedruckte Schreiben zeigen noch die alten" in text
        _shot(advisor, "directory-updated-banner-de", tmp_path)
        # Hidden by its key; a sync that brings nothing new leaves it hidden.
        made_active(qtbot, advisor)
        alt_access_key(advisor, banner.hide_button.text())
        qtbot.waitUntil(banner.isHidden, timeout=5000)
        _synced(qtbot, advisor)
        assert banner.isHidden()
        # The next publication is told again, without a note as published.
        reference.publish_directory(a.store, a.user, _moved_jobcenter("Hansastraße 9"), "")
        _synced(qtbot, coordinator)
        _synced(qtbot, advisor)
        qtbot.waitUntil(banner.isVisible, timeout=10_000)
        assert "aktualisiert. Geändert: Jobcenter Dortmund. Neue" in banner.plain_text()
        QTest.keyClick(banner.hide_button, Qt.Key.Key_Space)
        assert banner.isHidden()
    finally:
        set_language("en")


def test_a_new_laptops_first_sync_brings_the_teams_directory_as_no_news(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """A laptop that joined after the coordination published its directory: its first sync
    brings that directory, and the notice listed every difference from the shipped one (the
    Jobcenter moved, as its user had never known it otherwise). It is in force, and no news;
    a publication after that is told."""
    set_language("de")
    try:
        a = laptops.new("A")
        reference.publish_directory(
            a.store, a.user, _moved_jobcenter("Königswall 21"), "Jobcenter Dortmund: Adresse"
        )
        laptops.sync(a)
        c = laptops.new("C")
        assert sync_uc.first_sync_due(c.store)
        window = shown_window(qtbot, c, 1100)
        news = window.sync.publications  # type: ignore[attr-defined]
        _synced(qtbot, window)
        published = reference.published_directory(c.store)
        assert published is not None  # the team's directory is in force
        street = reference.service_directory(c.store).get("jobcenter").address.street
        assert street == "Königswall 21"
        # once the notice has read it after the sync: nothing told
        qtbot.waitUntil(lambda: news._directory_seen == published.revision, timeout=10_000)
        assert news.directory_banner.isHidden() and news.directory_news is None
        reference.publish_directory(a.store, a.user, _moved_jobcenter("Hansastraße 9"), "")
        laptops.sync(a)
        _synced(qtbot, window)
        qtbot.waitUntil(news.directory_banner.isVisible, timeout=10_000)
        assert "Geändert: Jobcenter Dortmund." in news.directory_banner.plain_text()
    finally:
        set_language("en")


def test_forms_published_elsewhere_are_told_beside_the_directory_and_not_at_a_first_sync(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    """Nobody was told that a form had a new version, nor the coordinator's note: the sync
    that brings forms another laptop published says who, when, the note, each form's new
    version and what it means for drafts in progress, beside the directory's notice (each
    hidden by its own key); a laptop's first sync brings the team's forms as no news."""
    from PySide6.QtTest import QTest

    from tests.ui.conftest import alt_access_key, made_active

    set_language("de")
    try:
        a = laptops.new("A")
        b = laptops.new("B")
        window = shown_window(qtbot, b)
        window.resize(1280, 720)
        news = window.sync.publications  # type: ignore[attr-defined]
        forms_banner, directory_banner = news.forms_banner, news.directory_banner
        _synced(qtbot, window)
        assert forms_banner.isHidden()  # nothing published: nothing to tell
        files = _shipped("forms")
        files["skills_check.yaml"] = raised_version(files["skills_check.yaml"])
        reference.publish_forms(a.store, a.user, files, "Kompetenzcheck: Hinweise genauer")
        reference.publish_directory(
            a.store, a.user, _moved_jobcenter("Königswall 21"), "Jobcenter Dortmund: Adresse"
        )
        laptops.sync(a)
        _synced(qtbot, window)
        qtbot.waitUntil(lambda: forms_banner.isVisible() and directory_banner.isVisible())
        text = forms_banner.plain_text()
        assert text.startswith("Die Formulare wurden von A am "), text
        assert text.endswith(
            " aktualisiert: Kompetenzcheck: Hinweise genauer. Kompetenzcheck: Version 2 → 3. "
            "Begonnene Entwürfe gehen in der neuen Version weiter; keine neue Frage muss "
            "beantwortet werden."
        ), text
        window.grab().save(str(shots / "forms-updated-banner-de.png"))
        # Each hidden by its own key: the forms' first, the directory's stays.
        made_active(qtbot, window)
        alt_access_key(window, forms_banner.hide_button.text())
        qtbot.waitUntil(forms_banner.isHidden, timeout=5000)
        assert directory_banner.isVisible()
        QTest.keyClick(directory_banner.hide_button, Qt.Key.Key_Space)
        assert directory_banner.isHidden()
        # A laptop that joins now: its first sync brings those forms, and no news.
        c = laptops.new("C")
        assert sync_uc.first_sync_due(c.store)
        joined = shown_window(qtbot, c)
        joined_news = joined.sync.publications  # type: ignore[attr-defined]
        _synced(qtbot, joined)
        published = reference.published_forms(c.store)
        assert published is not None
        assert reference.forms_in_force(c.store)["skills_check"].version == 3
        qtbot.waitUntil(lambda: joined_news.forms.seen == published.revision, timeout=10_000)
        assert joined_news.forms_banner.isHidden() and joined_news.forms_news is None
    finally:
        set_language("en")


def _pool_held(qtbot: QtBot, window: object) -> threading.Event:
    """Both threads of the window's task pool busy until the event returned is set: as at a
    window's start, when the people list's pages and the window's other readings fill them."""
    gate, started = threading.Event(), threading.Semaphore(0)

    def busy() -> None:
        started.release()
        gate.wait(30)

    tasks = window.tasks  # type: ignore[attr-defined]
    for _n in range(2):
        tasks.run(busy, lambda _none: None)
    for _n in range(2):
        qtbot.waitUntil(lambda: started.acquire(blocking=False), timeout=10_000)
    return gate


def test_a_publication_stored_before_the_notices_first_reading_is_told(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """The notice's first reading runs in the window's task pool: a sync (F5 at once, or the
    window's first, three seconds in) could store a colleague's publication before it ran, and
    that reading took it as what was in force when the window opened: never told. What was in
    force when the window opened is what the news is told against, however late its reading."""
    from desktop_app.ui.publication_notice import PublicationNotice

    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)  # not b's first sync: what comes next is news
    window = shown_window(qtbot, b)
    gate = _pool_held(qtbot, window)
    try:
        notice = PublicationNotice(window)  # a window's notice, as its start makes it
        notice.check()
        reference.publish_directory(
            a.store, a.user, _moved_jobcenter("Königswall 21"), "Jobcenter Dortmund: Adresse"
        )
        laptops.sync(a, b)  # stored on b before the notice's first reading ran
    finally:
        gate.set()
    qtbot.waitUntil(lambda: notice.directory.seen is not None, timeout=10_000)
    notice.check()  # the sync's end
    qtbot.waitUntil(lambda: notice.directory_news is not None, timeout=10_000)
    assert "Jobcenter Dortmund: Adresse" in notice.directory_banner.plain_text()
    assert notice.directory_changes.changed == ("Jobcenter Dortmund",)


def test_a_new_laptops_first_sync_stored_before_the_first_reading_is_still_no_news(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """The same late first reading on a laptop whose first sync is still due: what that sync
    brings is the team's, in force since before it joined, and no news."""
    from desktop_app.ui.publication_notice import PublicationNotice

    a = laptops.new("A")
    reference.publish_directory(a.store, a.user, _moved_jobcenter("Königswall 21"), "Jobcenter")
    laptops.sync(a)
    c = laptops.new("C")
    assert sync_uc.first_sync_due(c.store)
    window = shown_window(qtbot, c)
    window.sync.timer.stop()  # type: ignore[attr-defined]
    gate = _pool_held(qtbot, window)
    try:
        notice = PublicationNotice(window)
        notice.check()
        laptops.sync(c)  # its first sync, before the notice's first reading ran
    finally:
        gate.set()
    published = reference.published_directory(c.store)
    assert published is not None
    qtbot.waitUntil(lambda: notice.directory.seen == published.revision, timeout=10_000)
    assert notice.directory_news is None and notice.directory_banner.isHidden()


def test_a_publication_told_is_not_told_again_when_its_history_merges_with_anothers(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """Two coordinators published at once: the later publication is told; the record comes
    again in a new revision, its history merged with the other's, and is no news again."""
    office, outreach, advisor = laptops.new("Büro"), laptops.new("Außen"), laptops.new("B")
    laptops.sync()
    window = shown_window(qtbot, advisor)
    window.sync.timer.stop()  # type: ignore[attr-defined]
    news = window.sync.publications  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: news.directory.seen is not None, timeout=10_000)
    reference.publish_directory(outreach.store, outreach.user, _moved_jobcenter("Hansastr. 9"))
    reference.publish_directory(office.store, office.user, _moved_jobcenter("Königswall 21"), "JC")
    laptops.sync(office)
    _synced(qtbot, window)
    qtbot.waitUntil(news.directory_banner.isVisible, timeout=10_000)
    first = reference.published_directory(advisor.store)
    assert first is not None and news.directory_news == first and first.note == "JC"
    news.directory_banner.hide_button.click()
    laptops.sync(outreach)  # the later one (the office's) in force, both in its history
    _synced(qtbot, window)
    again = reference.published_directory(advisor.store)
    assert again is not None and again.revision > first.revision
    qtbot.waitUntil(lambda: news.directory.seen == again.revision, timeout=10_000)
    assert news.directory_banner.isHidden() and news.directory_news is None
    history = reference.publication_history(advisor.store, reference.SERVICES)
    assert [(e.publisher, e.note) for e in history] == [("Büro", "JC"), ("Außen", "")]
