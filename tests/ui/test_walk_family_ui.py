"""A walk by keyboard: Andrei, a student helper, at an outreach meeting point in Romanian on a
1280x720 laptop with no server in reach, registers a Romanian family's mother and father (the
father was registered before: the duplicate check finds him), checks the mother's life
situation with her three children and the father's skills, and prepares the referrals the
checks suggest; he locks the laptop. Ralf, an advisor, in German at 1920x1080, finds the
helper's letters waiting for him the next day, reads each, signs it off, prints it (to PDF)
and sets a follow-up."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.dates import format_date
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as referrals_ui
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.form_view import GroupEditor
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.person_dialog import RegisterPersonDialog
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import accounts, people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.integration.sync_harness import Laptops, ServerProcess
from tests.pdf_text import pdf_text as _text
from tests.ui.conftest import answer_save_dialog, shown_window, type_text
from tests.ui.flaky_link import FlakyLink
from tests.ui.test_forms_ui import choose, press, tick, type_into

pytestmark = pytest.mark.skipif(not referrals_ui.HAVE_QTPDF, reason="QtPdf is not installed")

HELPER_PW = "helper pass 123"
ADVISOR_PW = "advisor pass 123"
TODAY = dt.date.today()


def _years_ago(years: int, month: int, day: int) -> dt.date:
    """A birthday ``years`` years before today's year, already had this year."""
    born = dt.date(TODAY.year - years, month, day)
    return born if born <= TODAY.replace(year=born.year) else born.replace(year=born.year - 1)


MOTHER_BORN = _years_ago(34, 1, 15)
FATHER_BORN = _years_ago(37, 2, 20)
CHILDREN = (
    ("Sofia", _years_ago(2, 3, 4), "no_place"),
    ("Matei", _years_ago(7, 4, 5), "no_place"),
    ("Daria", _years_ago(15, 5, 6), "school"),
)


def _shot(widget: QWidget, folder: Path, name: str) -> None:
    QApplication.processEvents()  # laid out as the user sees it, once the loop ran
    widget.grab().save(str(folder / f"walkhelper-{name}.png"))


def _key(
    widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    QTest.keyClick(widget, key, modifier)


def _activate(qtbot: QtBot, window: QWidget) -> None:
    """The window active again, as a window manager makes it once its dialog closed (the
    offscreen platform activates none)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _register(
    qtbot: QtBot, window: MainWindow, given: str, family: str, born: dt.date
) -> RegisterPersonDialog:
    """Ctrl+N, the names and date typed, Tab between them, Romanian chosen by keys; Enter."""
    _activate(qtbot, window)
    _key(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = next(d for d in window.findChildren(RegisterPersonDialog) if d.isVisible())
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.given)
    type_text(dialog.given, given)
    _key(dialog.given, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.family
    type_text(dialog.family, family)
    type_text(dialog.dob, born.strftime("%d.%m.%Y"))
    dialog.nationality.setFocus()
    type_text(dialog.nationality, "Rom")
    assert dialog.nationality.code() == "RO", dialog.nationality.currentText()
    dialog.languages.setFocus()
    type_text(dialog.languages, "rom")
    _key(dialog.languages, Qt.Key.Key_Space)
    assert dialog.languages.codes() == ["ro"], dialog.languages.codes()
    return dialog


@pytest.fixture
def qt_texts(qapp: QApplication) -> Iterator[QtTranslations]:
    """Qt's own texts (Save, Cancel, Yes) in the UI language, as the program has them."""
    texts = QtTranslations(qapp)
    yield texts
    texts.stop()


def _open_person(qtbot: QtBot, window: MainWindow, typed: str) -> None:
    """Ctrl+F, the name typed, Enter: the first found shown."""
    _activate(qtbot, window)
    _key(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search)
    window.search.selectAll()
    type_text(window.search, typed)
    _key(window.search, Qt.Key.Key_Return)


def _showing(window: MainWindow, person_id: str) -> bool:
    person = window.person_page.person
    return person is not None and person.id == person_id


def _form_opened(qtbot: QtBot, window: MainWindow, button: QWidget) -> VisitWindow:
    feature = window.visits  # type: ignore[attr-defined]
    before = list(feature.open_windows)
    press(button)
    qtbot.waitUntil(lambda: len(feature.open_windows) > len(before))
    (win,) = [w for w in feature.open_windows if w not in before]
    qtbot.waitExposed(win)
    _activate(qtbot, win)
    return win


def _accept_all_and_finish(qtbot: QtBot, win: VisitWindow) -> None:
    """Every suggested step accepted by Space, the form finished by Ctrl+Enter."""
    view = win.view
    accept = None
    for step in view.steps_page.steps:
        accept = view.findChild(QRadioButton, f"step:{step.id}:accepted")
        assert isinstance(accept, QRadioButton)
        press(accept)
    assert accept is not None
    with qtbot.waitSignal(win.finished_visit, timeout=30_000) as done:
        _key(accept, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert set(done.args[0].next_steps.values()) == {"accepted"}


def _mothers_check(qtbot: QtBot, window: MainWindow, person_id: str, shots: Path) -> None:
    _open_person(qtbot, window, "Maria Popescu")
    qtbot.waitUntil(lambda: _showing(window, person_id))
    feature = window.visits  # type: ignore[attr-defined]
    win = _form_opened(qtbot, window, feature.start_button)
    win.resize(1280, 690)
    view = win.view
    _shot(win, shots, "10-check-person")
    # at the first question her record did not answer: her names, birth date, nationality and
    # languages are filled in above it
    assert QApplication.focusWidget() is view.input("sex")
    type_into(view, "arrival_date", (TODAY - dt.timedelta(days=21)).strftime("%d.%m.%Y"))
    choose(view, "sex", "female")
    choose(view, "address_registration", "not_registered")
    _shot(win, shots, "11-check-person-filled")
    _key(view.input("arrival_date"), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.current_section() == "household"
    choose(view, "partner", "here")
    type_into(view, "household_size", "5")
    type_into(view, "children_count", "3")
    children = view.editors["children"]
    assert isinstance(children, GroupEditor)
    for n, (name, born, care) in enumerate(CHILDREN):
        if len(children.items) <= n:
            press(children.add)
        qtbot.waitUntil(children.items[n].isVisible)  # shown by the event loop, as typing goes
        type_into(view, f"children[{n}].child_name", name)
        type_into(view, f"children[{n}].child_birth", born.strftime("%d.%m.%Y"))
        choose(view, f"children[{n}].child_lives", "with_person")
        choose(view, f"children[{n}].child_care", care)
    _shot(win, shots, "12-household")
    press(view.next_button)
    assert view.current_section() == "housing"
    choose(view, "housing_type", "with_relatives")
    _shot(win, shots, "13-housing")
    press(view.next_button)
    assert view.current_section() == "health"
    _shot(win, shots, "14-health")
    press(view.next_button)
    assert view.current_section() == "work_income"
    tick(view, "work_status", "not_working")
    tick(view, "benefits", "none")
    choose(view, "kindergeld_status", "not_applied")
    _shot(win, shots, "15-work")
    press(view.next_button)
    assert view.current_section() == "visit"
    choose(view, "session_language", "ro")
    for topic in (
        "health_insurance",
        "school_daycare",
        "kindergeld",
        "jobcenter",
        "language_course",
    ):
        tick(view, "topics", topic)
    choose(view, "urgency", "this_week")
    _shot(win, shots, "16-visit")
    press(view.next_button)
    assert view.current_section() == "__next_steps__"
    _shot(win, shots, "17-next-steps")
    assert [s.id for s in view.steps_page.steps] == [
        "health_clearing_topic", "address_registration", "school_place", "daycare_place",
        "kindergeld",
    ]  # fmt: skip
    _accept_all_and_finish(qtbot, win)
    _shot(window, shots, "18-after-check")


def _fathers_skills(qtbot: QtBot, window: MainWindow, person_id: str, shots: Path) -> None:
    _open_person(qtbot, window, "Ion Popescu")
    qtbot.waitUntil(lambda: _showing(window, person_id))
    feature = window.visits  # type: ignore[attr-defined]
    win = _form_opened(qtbot, window, feature.skills_button)
    win.resize(1280, 690)
    view = win.view
    _shot(win, shots, "20-skills")
    assert view.answers()["language_levels"] == [{"language": "ro"}]  # from his record
    choose(view, "language_levels[0].level", "C2")
    choose(view, "language_levels[0].level:assessed", "self")
    choose(view, "latin_literacy", "fluent")
    press(view.next_button)
    type_into(view, "school_years", "10")
    choose(view, "school_certificate", "lower_secondary")
    press(view.next_button)
    press(view.next_button)
    assert view.current_section() == "work_experience"
    experience = view.editors["experience"]
    assert isinstance(experience, GroupEditor)
    press(experience.add)
    qtbot.waitUntil(experience.items[0].isVisible)
    choose(view, "experience[0].w_field", "construction")
    type_into(view, "experience[0].w_years", "12")
    choose(view, "experience[0].w_where", "home_country")
    press(view.next_button)
    choose(view, "looking_for_work", "yes")
    choose(view, "jobcenter_registration", "no")
    tick(view, "training_wishes", "german")
    _shot(win, shots, "21-skills-further")
    press(view.next_button)
    assert view.current_section() == "__next_steps__"
    _shot(win, shots, "22-skills-steps")
    assert [s.id for s in view.steps_page.steps] == [
        "integration_course", "vocational_training", "job_centre_registration"
    ]  # fmt: skip
    _accept_all_and_finish(qtbot, win)
    _shot(window, shots, "23-after-skills")


def _refer(
    qtbot: QtBot, window: MainWindow, shots: Path, service: str, typed: str = ""
) -> list[str]:
    """Refer the person shown to ``service`` by keys: the refer dialog's list (``typed`` in
    its search first) walked down by the arrow to it, the first reason, Create letter; the
    draft's preview looked at and closed by Escape. The services the dialog offered first
    (the next steps accepted, not referred yet)."""
    referrals = window.referrals  # type: ignore[attr-defined]
    _activate(qtbot, window)
    press(referrals.refer_button)
    refer = referrals.dialog
    assert refer is not None
    qtbot.waitExposed(refer)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is refer.search)
    suggested = [
        refer.services.item(r).data(Qt.ItemDataRole.UserRole)
        for r in range(refer.services.count())
        if refer.services.item(r).text().startswith("→")
    ]
    type_text(refer.search, typed)
    for _row in range(refer.services.count()):
        if refer.service_id() == service:
            break
        _key(refer.search, Qt.Key.Key_Down)
    assert refer.service_id() == service, (suggested, refer.windowTitle())
    # the reason the dialog suggests for the service, kept
    assert refer.reason.currentData(), refer.reason.currentText()
    _shot(refer, shots, f"31-refer-{service}")
    with qtbot.waitSignal(refer.save.answered, timeout=10_000):
        press(refer.create_button)
    preview = referrals.preview
    assert preview is not None
    qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10_000)
    _shot(preview, shots, f"32-draft-{service}")
    (shots / f"walkhelper-draft-{service}.pdf").write_bytes(preview.pdf)
    assert "CIORNĂ" in _text(preview.pdf)
    assert not preview.print_button.isEnabled() and not preview.sign_button.isVisible()
    _key(preview, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not preview.isVisible())
    return suggested


def _lock(qtbot: QtBot, window: MainWindow, shots: Path) -> None:
    """Ctrl+L: the session ends behind the lock screen, nothing of the family shown."""
    from desktop_app.ui.lock import Locker

    _activate(qtbot, window)
    _key(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    locker = window.locker  # type: ignore[attr-defined]
    assert isinstance(locker, Locker)
    qtbot.waitUntil(lambda: locker.screen is not None and locker.screen.isVisible())
    _shot(window, shots, "40-locked")
    assert window.person_page.person is None and not window.search.text()


#: what each signed letter must say (the German letter to the office, the person's copy)
LETTER_SAYS = {
    "clearingstelle": [
        "Vermittlung zur Klärung des Krankenversicherungsschutzes",
        "Europäische Krankenversicherungskarte (EHIC) aus Rumänien, abgelaufen am",
        "– 2 Jahre, nicht krankenversichert – 7 Jahre, nicht krankenversichert – 15 Jahre, "
        "nicht krankenversichert",
        "Trimiterea dumneavoastră",
    ],
    "schulverwaltungsamt": [
        "Kinder im Schulalter Anzahl: 2 – 7 Jahre, weder in einer Kita noch in einer Schule "
        "angemeldet – 15 Jahre, besucht eine Schule",
    ],
    "jugendamt": ["– 2 Jahre, weder in einer Kita noch in einer Schule angemeldet"],
    "familienkasse": ["Kinder Anzahl: 3", "Kindergeld"],
    # his date of birth as typed from his ID card, not the year the earlier entry had
    "vhs": [
        f"Ion Popescu, geb. {format_date(FATHER_BORN, 'long', locale='de')}",
        "Integrationskurs",
        "Lesen und Schreiben sicher",
    ],
    # the reason of the step accepted (registering as looking for work), not "Bürgergeld"
    "jobcenter": ["Jobcenter Dortmund", "Vermittlung zur Beratung bei der Arbeitssuche"],
}
#: The documents each letter asks for (the letter and the copy list the same ones): the
#: mother's check says she is not registered and not working, so no Meldebescheinigung and no
#: pay slips of hers; the father had only a skills check (looking for work, worked only at
#: home), so no pay slips or work contract, but his registration is not known (the mother's
#: check describes her), so his Meldebescheinigung is asked for.
ASKED = {
    "clearingstelle": ("Meldebescheinigung", "Lohnabrechnungen", "Arbeitsvertrag"),
    "schulverwaltungsamt": ("Meldebescheinigung",),
    "jugendamt": ("Meldebescheinigung",),
    "familienkasse": ("Meldebescheinigung",),
    "vhs": ("Meldebescheinigung",),
    "jobcenter": ("Meldebescheinigung", "Lohnabrechnungen", "Arbeitsvertrag"),
}
#: The same documents on the person's Romanian copy.
ASKED_RO = {
    "Meldebescheinigung": "Certificatul de înregistrare a domiciliului",
    "Lohnabrechnungen": "Fluturașii de salariu",
    "Arbeitsvertrag": "Contractul de muncă",
}
FATHERS = {"vhs", "jobcenter"}
#: Documents a letter must not ask for: the mother's check says she does not work and receives
#: no benefits, so no proof of income (the Familienkasse asked her for one).
NOT_ASKED = {"familienkasse": ("Nachweise über Einkommen", "Dovezi ale veniturilor")}


def _sign_off_and_save(
    qtbot: QtBot,
    feature: referrals_ui.ReferralsFeature,
    listed: referrals_ui.SignOffWindow,
    shots: Path,
    home: Path,
) -> str:
    """The list's first letter by Enter, signed off, saved as PDF to print (the file named
    in the file dialog) and read back; Escape. Its service."""
    _activate(qtbot, listed)
    listed.table.setFocus()
    _key(listed.table, Qt.Key.Key_Home)
    chosen = listed.selected()
    assert chosen is not None
    _key(listed.table, Qt.Key.Key_Return)  # Enter: its letter
    preview = feature.preview
    assert preview is not None and preview.referral.id == chosen.referral.id
    qtbot.waitUntil(lambda: bool(preview.pdf) and preview.sign_button.isVisible(), timeout=10_000)
    _activate(qtbot, preview)
    press(preview.sign_button)
    qtbot.waitUntil(preview.print_button.isEnabled, timeout=10_000)
    qtbot.waitUntil(lambda: "ENTWURF" not in _text(preview.pdf), timeout=10_000)
    service = chosen.referral.service_id
    _shot(preview, shots, f"54-signed-{service}")
    target = home / "Documents" / f"{service}.pdf"
    press(preview.save_button)
    answer_save_dialog(qtbot, target)
    qtbot.waitUntil(target.exists, timeout=10_000)
    text = _text(target.read_bytes())
    assert "Mit freundlichen Grüßen Ralf Becker" in text, text
    for said in LETTER_SAYS[service]:
        assert said in text, (service, said, text)
    letter, copy = text.split("Trimiterea dumneavoastră", 1)
    for document in ASKED[service]:
        asked = service in FATHERS and document == "Meldebescheinigung"
        assert (document in letter) is asked, (service, document, letter)
        assert (ASKED_RO[document] in copy) is asked, (service, document, copy)
    if service in NOT_ASKED:
        german, romanian = NOT_ASKED[service]
        assert german not in letter and romanian not in copy, (service, letter, copy)
        assert "Personalausweis oder Reisepass" in letter  # what she can have still is
    (shots / f"walkhelper-{service}.pdf").write_bytes(target.read_bytes())
    _key(preview, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not preview.isVisible())
    return service


def _advisor_signs_off(
    qtbot: QtBot, advisor: Session, mother_id: str, shots: Path, home: Path
) -> None:
    """Ralf, the next morning, in German at 1920x1080: the mother's health answers recorded
    (the helper could not), the helper's letters listed, each read, signed off and saved as
    PDF to print, and a follow-up set for the Clearingstelle."""
    set_language("de")
    window = shown_window(qtbot, advisor, 1920)
    window.resize(1920, 1050)
    _activate(qtbot, window)
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
    notice = feature.sign_off_notice
    qtbot.waitUntil(notice.isVisible)
    _shot(window, shots, "50-advisor-start")
    assert notice.text.text().startswith("6 von Integrationshelferinnen")

    # The mother's health first: her EHIC expired last month (the helper could not ask).
    _open_person(qtbot, window, "Maria Popescu")
    qtbot.waitUntil(lambda: _showing(window, mother_id))
    visits_feature = window.visits  # type: ignore[attr-defined]
    history = visits_feature.tab
    qtbot.waitUntil(lambda: len(history.visits) == 1)
    win = _form_opened(qtbot, window, history.edit_button)
    view = win.view
    view.show_section("health")
    choose(view, "insurance_status", "ehic")
    expired = TODAY.replace(day=1) - dt.timedelta(days=1)  # the end of last month
    type_into(view, "ehic_valid_until", expired.strftime("%d.%m.%Y"))
    choose(view, "urgent_medical_need", "no")
    for n in range(len(CHILDREN)):  # a row a child, the children as the helper wrote them
        choose(view, f"children_insurance[{n}].child_insurance", "none")
    _shot(win, shots, "51-advisor-health")
    view.show_section("__next_steps__")
    _shot(win, shots, "52-advisor-steps")
    with qtbot.waitSignal(win.finish_answered, timeout=30_000) as saved:
        _key(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert saved.args[0] is not None and saved.args[0].answers["insurance_status"] == "ehic"

    # The letters to sign off, from the Person menu's entry.
    _activate(qtbot, window)
    feature.sign_off_action.trigger()
    listed = feature.sign_off_window
    assert listed is not None
    qtbot.waitExposed(listed)
    _shot(listed, shots, "53-sign-off-list")
    assert {w.person_name for w in listed.waiting} == {"Maria Popescu", "Ion Popescu"}
    signed: list[str] = []
    while listed.waiting:
        signed.append(_sign_off_and_save(qtbot, feature, listed, shots, home))
        assert len(signed) <= len(LETTER_SAYS)
    assert sorted(signed) == sorted(LETTER_SAYS)
    _shot(listed, shots, "55-sign-off-done")
    assert listed.info.text() == "Keine Schreiben warten auf Freigabe."
    _key(listed, Qt.Key.Key_Escape)

    # The Clearingstelle's follow-up, a week on: from the mother's referrals tab.
    _activate(qtbot, window)
    tab = feature.tab
    window.person_page.tabs.setCurrentWidget(tab)
    row = next(i for i, r in enumerate(tab.referrals) if r.service_id == "clearingstelle")
    tab.table.setFocus()
    tab.table.selectRow(row)
    press(tab.status_button)
    status = window.findChild(referrals_ui.StatusDialog)
    assert status is not None
    qtbot.waitExposed(status)
    if not status.has_follow_up.isChecked():
        press(status.has_follow_up)
    week = TODAY + dt.timedelta(days=7)
    status.follow_up.setFocus()
    status.follow_up.setDate(QDate(week.year, week.month, week.day))
    _shot(status, shots, "56-follow-up")
    with qtbot.waitSignal(status.save.answered, timeout=10_000):
        _key(status.follow_up, Qt.Key.Key_Return)
    stored = uc.get_referral(advisor.store, advisor.user, tab.referrals[row].id)
    assert stored.follow_up == week and stored.signed_off
    window.close()


def test_a_helper_registers_a_romanian_family_offline_and_an_advisor_signs_their_letters_off(
    qtbot: QtBot,
    server: ServerProcess,
    link: FlakyLink,
    behind_link: Laptops,
    program_font: None,
    qt_texts: QtTranslations,
    home: Path,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    laptops = behind_link
    outreach = laptops.sessions[0]  # the outreach laptop, behind a link that will go down
    office = laptops.new("B", role=Role.ADVISOR)
    # The father came to the office last year: registered then, by the year he gave.
    people.register_person(
        office.store,
        office.user,
        PersonDraft("Ion", "Popescu", str(FATHER_BORN.year), nationality="RO", languages=("ro",)),
        confirm_duplicates=True,
    )
    accounts.add_user(outreach, "andrei", "Andrei Lungu", Role.HELPER, HELPER_PW)
    accounts.add_user(office, "ralf", "Ralf Becker", Role.ADVISOR, ADVISOR_PW)
    laptops.sync(office, outreach)  # yesterday: both laptops at the office
    link.mode = "down"  # the meeting point: no network
    helper = accounts.log_in(outreach.store.paths.data_dir, "andrei", HELPER_PW)
    set_language("ro")
    try:
        window = shown_window(qtbot, helper, 1280)
        window.resize(1280, 720)
        _activate(qtbot, window)
        _shot(window, shots, "01-start")
        dialog = _register(qtbot, window, "Maria", "Popescu", MOTHER_BORN)
        _shot(dialog, shots, "02-register-mother")
        _key(dialog.languages, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        mother = window.person_page.person
        assert mother is not None and mother.given_name == "Maria"
        _shot(window, shots, "03-mother")

        # The father again, with the full date from his ID card: the one registered last
        # year is found, and Enter opens him.
        dialog = _register(qtbot, window, "Ion", "Popescu", FATHER_BORN)
        _key(dialog.languages, Qt.Key.Key_Return)
        qtbot.waitUntil(dialog.duplicate_box.isVisible, timeout=10_000)
        _shot(dialog, shots, "04-register-father-duplicate")
        assert QApplication.focusWidget() is dialog.duplicates
        _key(dialog.duplicates, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        qtbot.waitUntil(lambda: _showing(window, people.search_people(helper.store, "Ion")[0].id))
        father = window.person_page.person
        assert father is not None and father.given_name == "Ion"
        # what he typed from the ID card fills in what the entry lacked
        qtbot.waitUntil(lambda: "Data nașterii" in window.statusBar().currentMessage())
        father = window.person_page.person
        assert father is not None and father.date_of_birth is not None
        assert father.date_of_birth.iso() == FATHER_BORN.isoformat()
        assert people.search_people(helper.store, "Ion Popescu")[0].id == father.id
        assert len(people.search_people(helper.store, "Popescu")) == 2
        _shot(window, shots, "05-father")

        _mothers_check(qtbot, window, mother.id, shots)
        _fathers_skills(qtbot, window, father.id, shots)
        record_sharing_consent(helper, mother.id)  # the consent form signed, taken earlier
        record_sharing_consent(helper, father.id)
        _open_person(qtbot, window, "Maria Popescu")
        qtbot.waitUntil(lambda: _showing(window, mother.id))
        # What the checks suggested, accepted at their ends, offered first: the Clearingstelle
        # too, for the topic noted (the helper may not record the insurance itself).
        assert _refer(qtbot, window, shots, "clearingstelle") == [
            "clearingstelle", "citizens_office", "schulverwaltungsamt", "jugendamt",
            "familienkasse",
        ]  # fmt: skip
        for service in ("schulverwaltungsamt", "jugendamt", "familienkasse"):
            _refer(qtbot, window, shots, service)
        _open_person(qtbot, window, "Ion Popescu")
        qtbot.waitUntil(lambda: _showing(window, father.id))
        assert _refer(qtbot, window, shots, "vhs") == ["vhs", "employment_agency", "jobcenter"]
        _refer(qtbot, window, shots, "jobcenter")
        # Nothing of the helper's is offered to sign off.
        assert not window.referrals.sign_off_action.isVisible()  # type: ignore[attr-defined]
        _lock(qtbot, window, shots)
        window.close()
    finally:
        helper.close()

    link.mode = "pass"  # back at the office: the laptop syncs
    laptops.sync(outreach, office)
    advisor = accounts.log_in(office.store.paths.data_dir, "ralf", ADVISOR_PW)
    try:
        _advisor_signs_off(qtbot, advisor, mother.id, shots, home)
    finally:
        advisor.close()
        set_language("en")
