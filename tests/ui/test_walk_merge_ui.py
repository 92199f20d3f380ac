"""A walk by keys only: the same man registered twice, on two laptops, offline, then merged.

On Monday Ralf (advisor, German UI, 1366 x 768) registers Ion Popescu at an outreach point with
no connection: born 03.1987 (month and year only), phone +40 721 000 111, a life-situation
check and a job-centre referral whose letter waits in his print queue. The same afternoon
Elena (advisor, Romanian UI, 1280 x 720), at the contact point and offline too, registers Ion
Popescu, born 14.03.1987, no phone, a skills check and a language-course referral. Both sync on
Tuesday (a real server on 127.0.0.1). Each finds him by typing his name and Enter; his page
names the other entry. Elena merges the two by keys (Alt and the notice's access key, Tab to
the date of birth, where the whole date is chosen whichever entry is kept, Alt and the
dialog's access key), keeping the phone. After another sync, on both laptops: one person, both
checks and both referrals in the page's summary, Ralf's queued letter still printable for the
kept entry (read back with pypdf: his own copy greets him by name and, with no consent to
share, names no date of birth), the follow-ups once, the data copy (Art. 15) listing each
record once, the audit naming Elena as who merged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.duplicates import DuplicateNotice
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.merge_dialog import MergeDialog
from desktop_app.ui.person_summary import PersonSummaryView
from desktop_app.usecases import accounts, audit, data_rights, merges, people, visits
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, live_people
from tests.pdf_text import pdf_text as _text
from tests.ui.conftest import alt_access_key, made_active, shown_window, type_text
from tests.ui.tab_walk import tab, tab_stops
from tests.unit.forms.test_forms_evaluator import full_skills_check
from tests.unit.test_visits import full_life_situation

PHONE = "+40 721 000 111"
FOLLOW_UP = dt.date.today() + dt.timedelta(days=14)


def _shot(widget: QWidget, folder: Path, name: str) -> Path:
    path = folder / f"walkmerge-{name}.png"
    widget.grab().save(str(path))
    return path


def _monday(ralf: Session, elena: Session) -> tuple[str, str, str]:
    """Both registrations and what each advisor recorded, offline; the ids of Ralf's and
    Elena's entries and the print job of Ralf's letter."""
    on_a = people.register_person(
        ralf.store,
        ralf.user,
        PersonDraft("Ion", "Popescu", "03.1987", nationality="RO", phone=PHONE),
    ).id
    visits.finish_visit(ralf.store, ralf.user, on_a, "life_situation", full_life_situation())
    job_centre = referrals_uc.issue_referral(
        ralf.store,
        ralf.user,
        on_a,
        "jobcenter",
        "job_search",
        client_lang="ro",
        follow_up=FOLLOW_UP,
    )
    job = referrals_uc.queue_for_printing(ralf.store, ralf.user, job_centre.id)
    on_b = people.register_person(
        elena.store, elena.user, PersonDraft("Ion", "Popescu", "14.03.1987", nationality="RO")
    ).id
    visits.finish_visit(elena.store, elena.user, on_b, "skills_check", full_skills_check())
    referrals_uc.issue_referral(
        elena.store, elena.user, on_b, "vhs", "integration_course", client_lang="ro"
    )
    return on_a, on_b, job


def _open_by_keys(qtbot: QtBot, window: MainWindow, typed: str) -> None:
    """The name typed into the people search and Enter, as at the desk."""
    made_active(qtbot, window)
    window.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
    type_text(window.search, typed)
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        QTest.keyClick(window.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.person_page.person is not None, timeout=10_000)


def _page_id(window: MainWindow) -> str:
    person = window.person_page.person
    assert person is not None
    return person.id


def _notice_naming(qtbot: QtBot, window: MainWindow, other: str) -> DuplicateNotice:
    notice = window.duplicate_notice  # type: ignore[attr-defined]
    assert isinstance(notice, DuplicateNotice)
    qtbot.waitUntil(lambda: [e.id for e in notice.others] == [other], timeout=30_000)
    qtbot.waitUntil(notice.isVisible, timeout=5000)
    return notice


def _summary_of_both(qtbot: QtBot, window: MainWindow) -> None:
    """The page's summary of the merged man: the life-situation check (Ralf's), the skills
    check (Elena's), both referrals open; each line shown whole."""
    summary = window.findChild(PersonSummaryView)
    assert summary is not None
    qtbot.waitUntil(
        lambda: (
            summary.summary is not None
            and bool(summary.summary.visit_id)
            and summary.summary.skills is not None
        ),
        timeout=10_000,
    )
    referrals = summary.values["referrals"].text()
    assert "Jobcenter" in referrals and "Volkshochschule" in referrals, referrals

    def whole() -> bool:
        shown = [v for v in summary.values.values() if v.isVisible()]
        return all(v.height() >= v.heightForWidth(v.width()) for v in shown)

    qtbot.waitUntil(whole, timeout=5000)


def _sync_in(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.sync.sync_finished, timeout=30_000):  # type: ignore[attr-defined]
        assert window.sync.start()  # type: ignore[attr-defined]


def _window(qtbot: QtBot, session: Session, width: int, height: int) -> MainWindow:
    window = shown_window(qtbot, session, width)
    window.resize(width, height)
    window.sync.timer.stop()  # type: ignore[attr-defined]  # synced below, when said
    return window


def _finds_him(
    qtbot: QtBot,
    shots: Path,
    session: Session,
    lang: str,
    size: tuple[int, int],
    named: dict[str, str],
    shot: str,
) -> tuple[MainWindow, DuplicateNotice]:
    """The user's window in ``lang`` at ``size``: Popescu typed and Enter opens the first found
    (either entry: they sort alike), whose notice names the other entry as ``named`` says."""
    set_language(lang)
    window = _window(qtbot, session, *size)
    _open_by_keys(qtbot, window, "Popescu")
    opened = _page_id(window)
    (other,) = set(named) - {opened}
    notice = _notice_naming(qtbot, window, other)
    seen = notice.text.text()
    assert named[other] in seen, seen
    _shot(window, shots, shot)
    (shots / f"walkmerge-{shot[:2]}.txt").write_text(seen, "utf-8")
    return window, notice


def test_the_same_man_registered_twice_offline_is_merged_by_keys_on_both_laptops(
    qtbot: QtBot, qapp: QApplication, laptops: Laptops, shots: Path
) -> None:
    qt_texts = QtTranslations(qapp)  # Qt's own texts (Cancel) in the UI's language
    try:
        _walk(qtbot, laptops, shots)
    finally:
        qt_texts.stop()
        set_language("en")


def _walk(qtbot: QtBot, laptops: Laptops, shots: Path) -> None:
    a = laptops.new("Außenstelle Hbf")  # Ralf's laptop; its first account coordinates
    b = laptops.new("Punct de contact", role=Role.COORDINATOR)  # Elena's
    accounts.add_user(a, "ralf", "Ralf Bauer", Role.ADVISOR, "ralf pass 1234")
    accounts.add_user(b, "elena", "Elena Munteanu", Role.ADVISOR, "elena pass 1234")
    ralf = accounts.log_in(a.store.paths.data_dir, "ralf", "ralf pass 1234")
    elena = accounts.log_in(b.store.paths.data_dir, "elena", "elena pass 1234")
    try:
        _walk_as(qtbot, laptops, shots, a, b, ralf, elena)
    finally:
        ralf.close()
        elena.close()


def _walk_as(
    qtbot: QtBot,
    laptops: Laptops,
    shots: Path,
    a: Session,
    b: Session,
    ralf: Session,
    elena: Session,
) -> None:
    on_a, on_b, job = _monday(ralf, elena)
    kept, _gone = merges.kept_and_merged(on_a, on_b)
    # Tuesday: both sync.
    laptops.sync(a, b, a)
    assert live_people(a) == live_people(b) == {on_a, on_b}

    # Ralf, in German: his man found by name, the page names the other entry (the first found
    # opened: either entry, they sort alike).
    named = {on_a: "Popescu, Ion · März 1987 · " + PHONE, on_b: "Popescu, Ion · 14.03.1987."}
    ralfs, _ = _finds_him(qtbot, shots, ralf, "de", (1366, 768), named, "01-ralf-de-after-sync")
    # Elena, in Romanian: the same.
    named = {on_a: "Popescu, Ion · mar. 1987 · " + PHONE, on_b: "Popescu, Ion · 14 mar. 1987."}
    elenas, notice = _finds_him(
        qtbot, shots, elena, "ro", (1280, 720), named, "02-elena-ro-after-sync"
    )

    # She merges by keys: Alt and the notice's access key opens both entries side by side.
    assert notice.merge_button.isEnabled()
    made_active(qtbot, elenas)
    alt_access_key(elenas, notice.merge_button.text())
    qtbot.waitUntil(lambda: notice.merge_dialog is not None, timeout=30_000)
    dialog = notice.merge_dialog
    assert isinstance(dialog, MergeDialog)
    qtbot.waitExposed(dialog)
    made_active(qtbot, dialog)
    assert dialog.width() <= 1280 and dialog.height() <= 720
    _shot(dialog, shots, "03-merge-dialog")
    # Tab goes round the intro (which a screen reader reads with the whole comparison), the
    # one choice (the date of birth), Merge and Cancel, nothing else.
    stops = tab_stops(dialog, dialog.focusWidget() or dialog)
    reached = sorted(w.objectName() or w.text() for w in stops if isinstance(w, QAbstractButton))
    assert len(stops) == 4 and dialog.intro in stops
    assert reached == sorted(["merge date_of_birth", "&Contopește", "Anulează"])
    # The date of birth differs: a choice; the phone only Ralf's entry holds: taken over.
    assert "date_of_birth" in dialog.take_other_buttons
    assert "phone" not in dialog.take_other_buttons
    assert "phone" in dialog.preview.filled or kept == on_a
    # Tab to the date of birth: the focus lands on the choice checked.
    for _step in range(40):
        now = tab(dialog)
        if now.objectName() == "merge date_of_birth":
            break
    else:
        raise AssertionError("Tab does not reach the date of birth")
    assert isinstance(now, QRadioButton) and now.isChecked()
    chosen = dialog.focusWidget()  # the whole date, also where Ralf's entry is the one kept
    assert isinstance(chosen, QRadioButton) and chosen.isChecked()
    assert chosen.text() == "14 mar. 1987", chosen.text()
    _shot(dialog, shots, "04-merge-dialog-chosen")
    alt_access_key(dialog, dialog.merge_button.text())
    qtbot.waitUntil(lambda: live_people(b) == {kept}, timeout=30_000)
    qtbot.waitUntil(lambda: getattr(elenas.person_page.person, "id", None) == kept, timeout=30_000)
    qtbot.waitUntil(elenas.duplicate_notice.isHidden, timeout=30_000)  # type: ignore[attr-defined]
    _summary_of_both(qtbot, elenas)
    _shot(elenas, shots, "05-elena-merged")
    # The focus (on the merge button, hidden with the notice) is left on a control shown.
    focus = elenas.focusWidget()
    assert focus is not None and focus.isVisible(), focus
    (shots / "walkmerge-05-status.txt").write_text(elenas.statusBar().currentMessage(), "utf-8")

    # Another sync: Elena's from her window, then Ralf's from his.
    _sync_in(qtbot, elenas)
    set_language("de")
    _sync_in(qtbot, ralfs)
    qtbot.waitUntil(lambda: getattr(ralfs.person_page.person, "id", None) == kept, timeout=30_000)
    qtbot.waitUntil(ralfs.duplicate_notice.isHidden, timeout=30_000)  # type: ignore[attr-defined]
    _summary_of_both(qtbot, ralfs)
    _shot(ralfs, shots, "06-ralf-after-merge")
    (shots / "walkmerge-06-status.txt").write_text(ralfs.statusBar().currentMessage(), "utf-8")
    laptops.sync(b)

    # On both laptops: one person, the whole date, the phone, both checks and both referrals.
    for laptop, coordinator in ((ralf, a), (elena, b)):
        assert live_people(laptop) == {kept}
        assert [e.id for e in people.search_people(laptop.store, "Popescu")] == [kept]
        person = people.get_person(laptop.store, laptop.user, kept, log_view=False)
        assert person is not None and person.date_of_birth is not None
        assert (person.date_of_birth.iso(), person.phone) == ("1987-03-14", PHONE)
        forms = sorted(v.form_id for v in visits.visit_history(laptop.store, laptop.user, kept))
        assert forms == ["life_situation", "skills_check"]
        services = sorted(
            r.service_id for r in referrals_uc.referrals_of(laptop.store, laptop.user, kept)
        )
        assert services == ["jobcenter", "vhs"]
        # The follow-ups of both referrals (the job centre's on the day Ralf set), each once,
        # for the kept entry.
        due = referrals_uc.follow_ups_due(laptop.store, laptop.user, FOLLOW_UP)
        followed = sorted((f.referral.person_id, f.referral.service_id) for f in due)
        assert followed == [(kept, "jobcenter"), (kept, "vhs")], followed
        # The data copy (Art. 15): each record once.
        raw, pdf = data_rights.export_person(laptop.store, laptop.user, kept, lang="de")
        copy = json.loads(raw)
        (shots / f"walkmerge-copy-{laptop.user.account}.json").write_bytes(raw)
        assert copy["person"]["phone"] == PHONE
        assert len(copy["visits"]) == 2 and len(copy["referrals"]) == 2, copy.keys()
        assert _text(pdf).count("Popescu") >= 1
        # It says the two entries were joined, and by which role (Elena's, never her name),
        # also on Ralf's laptop, where the merge came with the sync.
        (shots / f"walkmerge-copy-{laptop.user.account}.pdf").write_bytes(pdf)
        said = _text(pdf)
        assert "zusammengeführt. Er war versehentlich" in said, said
        assert "Zusammengeführt von: Beratung." in said, said
        # The audit: Elena merged (on her laptop; on Ralf's, as it came with the sync).
        merged = [
            e
            for e in audit.list_entries(coordinator.store, coordinator.user)
            if e.action in (audit.AuditAction.MERGE_KEPT, audit.AuditAction.MERGED_AWAY)
            and not e.details.get("remote")
        ]
        assert merged and {e.user_id for e in merged} == {elena.user.id}, merged

    # Ralf's letter still waits in his queue, printable, naming the merged man's data.
    [queued] = referrals_uc.print_queue(ralf.store, ralf.user)
    assert (queued.id, queued.person_id, queued.person_name) == (job, kept, "Ion Popescu")
    letter = _text(referrals_uc.print_job_pdf(ralf.store, ralf.user, job))
    (shots / "walkmerge-letter.txt").write_text(letter, "utf-8")
    # The man's own copy, in Romanian: no consent to share his data with the job centre, so
    # it greets him by name and names no date of birth (neither the month alone nor the day).
    assert "Bună ziua, Ion!" in letter and "Ralf Bauer" in letter, letter
    assert "1987" not in letter
    assert referrals_uc.print_queue(elena.store, elena.user) == []
    ralfs.close()
    elenas.close()
