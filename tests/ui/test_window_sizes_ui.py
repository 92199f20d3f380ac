"""The windows opened from a person's page fit the advisors' laptops (about 1100 × 700 px of
usable window) in the longest languages, with the program's own font, and stay within it when
their status lines change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGraphicsTextItem,
    QScrollArea,
    QStyle,
    QTableView,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.i18n.text import _, set_language
from desktop_app.ui import referrals as referrals_ui
from desktop_app.ui import visits as visits_ui
from desktop_app.ui.form_view import ServiceNamesEditor
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.reports import ReportsWindow
from desktop_app.ui.visits import VisitWindow, opening_size
from desktop_app.ui.widgets import LAPTOP_WIDTH, hanging_lines, hanging_width, words
from desktop_app.usecases import people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.report_demo import add_demo_activity
from tests.conftest import record_sharing_consent
from tests.ui.conftest import (
    accept_every_next_step,
    cell,
    completer_popup,
    header_cell,
    shown_window,
    type_text,
)

LAPTOP = QSize(1100, 700)
# A screen on which the visit window opens at 1080 × 680, within the laptop's room.
SCREEN_LAPTOP = QSize(1100, 720)
LANGUAGES = ("bg", "ro", "de")


def assert_fits(window: QWidget, *buttons: QWidget, room: QSize = LAPTOP) -> None:
    """``window`` is within the laptop's room (or ``room``), wants no more, and shows
    ``buttons`` whole."""
    assert window.size().boundedTo(room) == window.size(), window.size()
    assert window.sizeHint().boundedTo(room) == window.sizeHint(), window.sizeHint()
    inside = window.rect()
    for button in buttons:
        assert button.isVisible(), button
        where = QRect(button.mapTo(window, button.rect().topLeft()), button.size())
        assert inside.contains(where), (button, where, inside)


def _person_shown(qtbot: QtBot, session: Session, lang: str) -> tuple[MainWindow, Person]:
    set_language(lang)
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft("Мария", "Петрова", "1991-04-02", languages=("bg", "ro")),
    )
    record_sharing_consent(session, person.id)
    window = shown_window(qtbot, session)
    window.resize(LAPTOP)
    window.show_person(person.id)
    return window, person


def _visit_window(qtbot: QtBot, session: Session, lang: str) -> VisitWindow:
    """A life-situation check shown in the UI language ``lang``, the other client language
    beside it (the widest form)."""
    window, person = _person_shown(qtbot, session, lang)
    client = "ro" if lang == "bg" else "bg"
    win = VisitWindow(session, person, "life_situation", client_lang=client, parent=window)
    qtbot.addWidget(win)
    win.resize(opening_size(SCREEN_LAPTOP))  # as it opens on that screen
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_visit_window_fits_and_a_saved_draft_does_not_widen_it(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """It opened 760 px high, and "Draft saved at …" beside the four buttons in Bulgarian
    widened it to 1152 px."""
    win = _visit_window(qtbot, session, lang)
    buttons = (win.discard_button, win.close_button, win.refer_button, win.finish_button)
    assert_fits(win, *buttons)
    width = win.width()
    type_text(win.view.input("phone"), "0176 555")
    win.save_draft()
    label = win.saved_label
    qtbot.waitUntil(lambda: label.text() != "", timeout=10_000)
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    assert win.width() == width
    assert_fits(win, *buttons)
    assert label.isVisible() and label.width() > 0  # wrapped where it must, never cut


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_consent_dialog_fits(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    win = _visit_window(qtbot, session, lang)
    dialog = win.open_consent()
    qtbot.waitExposed(dialog)
    assert_fits(dialog, dialog.save)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_consent_dialog_fits_with_service_names_offered_and_one_warned_about(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    win = _visit_window(qtbot, session, lang)
    dialog = win.open_consent()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # the name being typed is judged once the field loses the focus
    qtbot.waitUntil(dialog.isActiveWindow, timeout=30_000)
    sharing = dialog.view.input("consent_referral_sharing")
    assert isinstance(sharing, QComboBox)
    sharing.setCurrentIndex(sharing.findData("given"))
    editor = dialog.view.editors["shared_with_service"]
    assert isinstance(editor, ServiceNamesEditor)
    type_text(editor.edit, "Arbeitsamt, Агенция по заетостта, Jobc")
    assert completer_popup(editor.completer).isVisible()
    assert editor.unnamed.text().count("\n") == 1 and editor.unnamed.isVisible()
    assert_fits(dialog, dialog.save, editor.edit)


@pytest.mark.skipif(not referrals_ui.HAVE_QTPDF, reason="QtPdf is not installed")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_letter_preview_fits(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    window, person = _person_shown(qtbot, session, lang)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "clearingstelle", "health_insurance"
    )
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
    preview = feature.open_preview(referral, "ro")
    with qtbot.waitSignal(preview.loaded, timeout=10_000):
        pass
    qtbot.waitExposed(preview)
    assert_fits(preview, preview.print_button, preview.queue_button, preview.language)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_refer_dialog_fits_with_a_service_chosen(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    window, _person = _person_shown(qtbot, session, lang)
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
    feature.refer_button.click()
    dialog = feature.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert_fits(dialog, dialog.create_button)
    type_text(dialog.search, "caritas_migration")  # its code
    assert dialog.service_id() == "caritas_migration"
    assert_fits(dialog, dialog.create_button)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_refer_dialog_fits_with_many_next_steps_accepted(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """Seven services of accepted next steps, listed first and marked: the dialog still fits the
    laptop's room (a note naming the six above the list made it 724 px high)."""
    window, person = _person_shown(qtbot, session, lang)
    accept_every_next_step(session, person)
    assert len(uc.suggested_services(session.store, session.user, person.id)) == 7
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
    feature.refer_button.click()
    dialog = feature.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.service_id() == "clearingstelle"
    assert dialog.services.item(6).text().startswith("→ ")
    assert_fits(dialog, dialog.create_button)


# What a 1366 × 768 screen leaves a dialog: its frame and title and the desktop's panel off.
DIALOG_HEIGHT_1366 = 700


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
def test_the_refer_dialog_fits_a_1366_px_screen_with_the_consent_warning_and_any_service(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """With the warning that the person's consent names other services (the longest: the
    service's name twice), the dialog was 680 px wide and wanted 718 to 734 px height with
    some services (Caritas in Romanian), more than a 1366 × 768 screen leaves. It opens
    wider now, everything in it shown, at most 700 px high whichever service is chosen."""
    set_language("en")
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft("Мария", "Петрова-Димитрова", "1991-04-02", languages=("bg", "ro")),
    )
    record_sharing_consent(
        session, person.id, named="Jobcenter Dortmund, Familienkasse Nordrhein-Westfalen Ost"
    )
    set_language(lang)
    window = shown_window(qtbot, session)
    window.resize(LAPTOP)
    window.show_person(person.id)
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
    feature.refer_button.click()
    dialog = feature.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.has_appointment.setChecked(True)
    layout = dialog.layout()
    assert layout is not None
    note = dialog.consent_note
    warned = 0
    for row in range(dialog.services.count()):
        dialog.services.setCurrentRow(row)
        service = dialog.service_id()
        wanted = layout.heightForWidth(dialog.width())
        assert wanted <= DIALOG_HEIGHT_1366, (service, wanted)
        assert dialog.sizeHint().height() <= DIALOG_HEIGHT_1366, (service, dialog.sizeHint())
        assert dialog.height() <= DIALOG_HEIGHT_1366, (service, dialog.height())
        # the warning that only the sheet is printed (but for the two services named),
        # shown whole
        warned += "Jobcenter Dortmund" in note.text()
        assert note.isVisible()
        qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()))
        assert_fits(dialog, dialog.create_button, dialog.client_lang, note)
    assert warned >= dialog.services.count() - 2
    dialog.grab().save(str(tmp_path / f"refer-{lang}.png"))


def _legend_texts(chart: QChart) -> list[str]:
    """What the legend draws: its visible labels as shown (cut ones end in "...")."""
    items = list(chart.legend().childItems())
    texts = []
    while items:
        item = items.pop()
        items.extend(item.childItems())
        if isinstance(item, QGraphicsTextItem) and item.isVisible() and item.toPlainText():
            texts.append(item.toPlainText())
    return texts


def _demo_dashboard(qtbot: QtBot, session: Session, lang: str) -> ReportsWindow:
    """The reports window in ``lang`` over 30 people and the demo's activity, computed and shown."""
    drafts = [PersonDraft(f"Name{i}", f"Family{i}", "1980") for i in range(30)]
    people.register_many(session.store, session.user, drafts)
    add_demo_activity(session.store, session.user.id, seed=5)
    set_language(lang)
    window = shown_window(qtbot, session)
    dashboard = ReportsWindow(session, window.tasks, window)
    qtbot.addWidget(dashboard)
    dashboard.show()
    dashboard.refresh()
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    qtbot.waitExposed(dashboard)
    return dashboard


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_reports_window_fits_without_scrolling_sideways(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """It opened at 1280 × 860; then its figures wanted 1226 px in Bulgarian (a chart beside
    the trend table), cutting the table's right-hand columns, and the trend's legend cut its
    notes ("месецът още не е …")."""
    dashboard = _demo_dashboard(qtbot, session, lang)
    assert dashboard.size().boundedTo(LAPTOP) == dashboard.size(), dashboard.size()
    assert dashboard.minimumSizeHint().boundedTo(LAPTOP) == dashboard.minimumSizeHint()
    scroll = dashboard.findChild(QScrollArea)
    assert scroll is not None
    assert dashboard.panels.minimumSizeHint().width() <= scroll.viewport().width()
    assert scroll.horizontalScrollBar().maximum() == 0
    trend = dashboard.findChild(QChartView, "chart-trend")
    assert trend is not None
    # the demo's hidden months, named in the legend once it is laid out
    qtbot.waitUntil(lambda: "< 5" in _legend_texts(trend.chart()))
    shown = _legend_texts(trend.chart())
    assert not [text for text in shown if text.endswith(("...", "…"))], shown
    for name in ("table-trend", "table-referrals"):  # the widest tables, whole
        table = dashboard.findChild(QTableWidget, name)
        assert table is not None and table.isVisible()
        assert table.horizontalScrollBar().maximum() == 0
        corner = table.mapTo(scroll.viewport(), table.rect().topRight())
        assert corner.x() <= scroll.viewport().width(), name


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
def test_each_figures_table_is_as_tall_as_its_rows(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """A table's height was fixed when it was made, while its first column still had Qt's
    default width and its row texts wrapped to two or three lines; widened, the rows took one
    line and left an empty area below them ("Trimiteri pe servicii": 223 px for 133 of rows
    and header in Romanian, in every language alike)."""
    dashboard = _demo_dashboard(qtbot, session, lang)
    tables = dashboard.panels.findChildren(QTableWidget)
    assert {"table-referrals", "table-insurance"} <= {t.objectName() for t in tables}
    qtbot.waitUntil(lambda: all(table.isVisible() for table in tables))
    for table in tables:
        rows = sum(table.rowHeight(row) for row in range(table.rowCount()))
        # every row in view, and no room below the last one
        assert table.verticalScrollBar().maximum() == 0, table.objectName()
        assert table.viewport().height() <= rows, (table.objectName(), rows)
    set_language("en")


@pytest.mark.parametrize("form_id", ["life_situation", "skills_check"])
def test_at_1366_px_the_sections_list_shows_each_line_unbroken(
    qtbot: QtBot, session: Session, program_font: None, form_id: str
) -> None:
    """At 240 px "→ Vorgeschlagene nächste Schritte  0" broke after "Schritte", and the
    Bulgarian "Професионални и академични квалификации" too, the wrapped lines without their
    indent, while the form beside them had a thousand pixels."""
    window, person = _person_shown(qtbot, session, "de")
    win = VisitWindow(session, person, form_id, client_lang="bg", parent=window)
    qtbot.addWidget(win)
    win.resize(1366, 740)
    win.show()
    qtbot.waitExposed(win)
    lines = _section_lines_unbroken(win)
    assert any("Vorgeschlagene nächste Schritte" in line for line in lines)
    assert win.view.stack.width() >= 900  # the form keeps the most of the window


def _section_lines_unbroken(win: VisitWindow) -> list[str]:
    """The lines of the sections' list, each asserted to fit its row unbroken."""
    nav = win.view.navigator
    # the room the navigator's WrappingDelegate gives a row's text
    margin = nav.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, nav) + 1
    room = nav.viewport().width() - 2 * nav.spacing() - 2 * margin - 4
    lines = [
        line
        for row in range(nav.count())
        if not nav.item(row).isHidden()
        for line in nav.item(row).text().split("\n")
    ]
    for line in lines:
        assert nav.fontMetrics().horizontalAdvance(line) <= room, (line, room)
    return lines


# A 1366 × 768 screen less a desktop's panel: the advisors' most common laptop screen.
SCREEN_1366 = QSize(1366, 728)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("form_id", ["skills_check", "life_situation"])
def test_on_a_1366_px_screen_the_visit_window_opens_wider_and_its_sections_read_whole(
    qtbot: QtBot, session: Session, program_font: None, lang: str, form_id: str, tmp_path: Path
) -> None:
    """It opened at 1080 × 680 whatever the screen: in Bulgarian the skills check's
    "Професионални и академични квалификации  0/1" broke in two and lost its indent, 280 px of
    a 1366 px screen unused."""
    window, person = _person_shown(qtbot, session, lang)
    client = "ro" if lang == "bg" else "bg"
    win = VisitWindow(session, person, form_id, client_lang=client, parent=window)
    qtbot.addWidget(win)
    # as large as its screen allows, its frame within it
    free = win.screen().availableGeometry().size()
    assert win.size() == opening_size(free)
    assert (win.size() + visits_ui.FRAME_ROOM).boundedTo(free) == win.size() + visits_ui.FRAME_ROOM
    size = opening_size(SCREEN_1366)
    assert size.boundedTo(SCREEN_1366) == size and size.width() >= 1300
    win.resize(size)  # as it opens on that screen
    win.show()
    qtbot.waitExposed(win)
    win.grab().save(str(tmp_path / f"{form_id}-{lang}.png"))
    assert win.size() == size
    _section_lines_unbroken(win)
    buttons = (win.discard_button, win.close_button, win.refer_button, win.finish_button)
    for button in buttons:
        where = QRect(button.mapTo(win, button.rect().topLeft()), button.size())
        assert win.rect().contains(where), (button, where)


# A 1280 × 720 screen less a desktop's panel of 30 px.
SCREEN_1280 = QSize(1280, 690)


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
@pytest.mark.parametrize(
    ("form_id", "finished"),
    [("skills_check", False), ("life_situation", False), ("life_situation", True)],
    ids=["skills_check", "life_situation", "life_situation-edited"],
)
def test_on_a_1280_x_720_screen_the_visit_window_and_its_buttons_fit_under_the_panel(
    qtbot: QtBot,
    session: Session,
    program_font: None,
    lang: str,
    form_id: str,
    finished: bool,
    tmp_path: Path,
) -> None:
    """It opened at least 1080 × 680 whatever the screen: with its title bar 710 px high
    under a panel that leaves 690, "Finish visit" and "Save changes" below the screen's edge.
    It opens within the room now, its frame too, the buttons inside it and the form
    scrolling."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    window, person = _person_shown(qtbot, session, lang)
    visit = None
    if finished:
        answers = full_life_situation()
        visit = visits.finish_visit(session.store, session.user, person.id, form_id, answers)
    client = "ro" if lang == "bg" else "bg"
    win = VisitWindow(session, person, form_id, visit=visit, client_lang=client, parent=window)
    qtbot.addWidget(win)
    size = opening_size(SCREEN_1280)
    framed = size + visits_ui.FRAME_ROOM
    assert framed.boundedTo(SCREEN_1280) == framed, framed
    assert framed.height() >= SCREEN_1280.height() - 10  # the room used, not a small window
    win.resize(size)  # as it opens on that screen
    win.show()
    qtbot.waitExposed(win)
    assert win.size() == size  # nothing in it wants more
    assert win.minimumSizeHint().boundedTo(size) == win.minimumSizeHint()
    win.grab().save(str(tmp_path / f"{form_id}-{lang}-{finished}.png"))
    buttons = [win.discard_button, win.close_button, win.finish_button]
    if not finished:
        buttons.append(win.refer_button)
    for button in buttons:
        assert button.isVisible(), button
        where = QRect(button.mapTo(win, button.rect().topLeft()), button.size())
        assert win.rect().contains(where), (button.text(), where, win.rect())
    assert win.finish_button.text() == _("&Save changes" if finished else "&Finish visit")
    pages = [a for a in win.view.findChildren(QScrollArea) if a.isVisible()]
    assert pages  # the section shown scrolls where it is longer than the room
    if form_id == "life_situation":  # its first section is
        assert any(a.verticalScrollBar().maximum() > 0 for a in pages)


def _ink_lines(image: QImage, rect: QRect) -> list[tuple[int, int, int]]:
    """The lines of dark text painted in ``rect`` of ``image``: (top, bottom, leftmost x) of
    each band of pixel rows with ink, the bands parted by rows without any; a band of a few
    rows (the comma below "ț", a breve above "й") joins the nearer of the lines beside it."""
    bands: list[tuple[int, int, int]] = []
    for y in range(rect.top(), rect.bottom() + 1):
        inked = [
            x
            for x in range(rect.left(), rect.right() + 1)
            if image.pixelColor(x, y).lightness() < 110
        ]
        if not inked:
            continue
        if bands and bands[-1][1] == y - 1:
            top, _bottom, left = bands[-1]
            bands[-1] = (top, y, min(left, inked[0]))
        else:
            bands.append((y, y, inked[0]))
    lines: list[tuple[int, int, int]] = []
    for number, band in enumerate(bands):
        following = bands[number + 1] if number + 1 < len(bands) else None
        if band[1] - band[0] >= 4:
            lines.append(band)
            continue
        above = band[0] - lines[-1][1] if lines else 10_000
        below = following[0] - band[1] if following else 10_000
        if above <= below:
            top, _bottom, left = lines[-1]
            lines[-1] = (top, band[1], min(left, band[2]))
        elif following is not None:
            bands[number + 1] = (band[0], following[1], min(band[2], following[2]))
    return lines


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
@pytest.mark.parametrize("form_id", ["skills_check", "life_situation"])
@pytest.mark.parametrize("screen", [SCREEN_LAPTOP, SCREEN_1366])
def test_a_wrapped_section_name_goes_on_under_its_own_text(
    qtbot: QtBot, session: Session, program_font: None, lang: str, form_id: str, screen: QSize
) -> None:
    """At 1080 px the Bulgarian "○ Професионални и академични квалификации  0/1" wrapped
    "квалификации" back under the mark, where it read as a section of its own; the second
    language's line sat four spaces in, a little off the text above it. Every line after the
    first now starts where the text after the mark does, as painted."""
    window, person = _person_shown(qtbot, session, lang)
    client = "ro" if lang == "bg" else "bg"
    win = VisitWindow(session, person, form_id, client_lang=client, parent=window)
    qtbot.addWidget(win)
    win.resize(opening_size(screen))
    win.show()
    qtbot.waitExposed(win)
    nav = win.view.navigator
    nav.setCurrentRow(nav.count() - 1)  # the rows measured are painted black on white
    image = nav.viewport().grab().toImage()
    metrics = nav.fontMetrics()
    margin = nav.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, nav) + 1
    wrapped = []
    for row in range(nav.count() - 1):
        item = nav.item(row)
        if item.isHidden():
            continue
        rect = nav.visualItemRect(item)
        text = item.text()
        start = rect.left() + margin
        under_text = start + metrics.horizontalAdvance(text[:2])  # "○ "
        lines = _ink_lines(image, rect)
        assert len(lines) >= text.count("\n") + 1, (text, lines)
        assert abs(lines[0][2] - start) <= 2, (text, lines, start)
        for _top, _bottom, left in lines[1:]:
            assert under_text - 1 <= left <= under_text + 3, (text, lines, under_text)
        assert lines[-1][1] < rect.bottom(), (text, lines, rect)  # nothing cut below
        if len(lines) > text.count("\n") + 1:
            wrapped.append(text)
    if (lang, form_id, screen) == ("bg", "skills_check", SCREEN_LAPTOP):
        assert any("квалификации" in text for text in wrapped), wrapped
    if screen == SCREEN_1366:
        assert not wrapped, wrapped


def _referrals_in_every_status(session: Session, person: Person) -> None:
    """One referral per status (each with an appointment), and one a helper made: its status
    says "– awaiting sign-off", the longest."""
    from desktop_app.domain.referral import ReferralStatus
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    steps = list(ReferralStatus)
    services = ("jobcenter", "clearingstelle", "familienkasse", "caritas_migration", "vhs")
    for service, status in zip(services, steps, strict=True):
        referral = uc.issue_referral(
            session.store,
            session.user,
            person.id,
            service,
            "health_insurance",
            appointment=dt.datetime(2027, 1, 12, 10, 0),
        )
        for step in steps[1 : steps.index(status) + 1]:
            outcome = "done" if step == ReferralStatus.OUTCOME_NOTED else None
            uc.change_status(session.store, session.user, referral.id, step, outcome)
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 12")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 12")
    try:
        uc.issue_referral(helper.store, helper.user, person.id, "vhs", "integration_course")
    finally:
        helper.close()


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
def test_the_referrals_tab_shows_service_appointment_and_status_at_1100_px(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """The status was cut to its first letters ("Изда…", "Резу…"): 40 px of it were left at
    1100 px beside the service and the appointment. It wraps now, the service giving way."""
    tab = _referrals_tab(qtbot, session, lang, LAPTOP)
    window = tab.window()
    table = tab.table
    room = table.viewport().width()
    for column in (tab.SERVICE, tab.APPOINTMENT, tab.STATUS):
        assert table.columnViewportPosition(column) + table.columnWidth(column) <= room, column
    assert table.columnWidth(tab.SERVICE) >= tab.SERVICE_MIN_WIDTH
    statuses = _statuses_whole(tab)
    metrics = table.fontMetrics()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table)
    # With room, it takes one line as before, the follow-up in view beside it, and with more
    # room still the service has its full SERVICE_WIDTH.
    window.resize(1600, 700)
    qtbot.waitUntil(lambda: table.viewport().width() > room + 200)

    def on_one_line() -> None:  # once the window's layout has settled at its new width
        width = table.columnWidth(tab.STATUS) - 2 * (margin + 1)
        assert all(metrics.horizontalAdvance(text) <= width for text in statuses), width
        right = table.columnViewportPosition(tab.FOLLOW_UP) + table.columnWidth(tab.FOLLOW_UP)
        assert right <= table.viewport().width()

    qtbot.waitUntil(on_one_line)
    window.resize(2100, 700)
    qtbot.waitUntil(lambda: table.columnWidth(tab.SERVICE) == tab.SERVICE_WIDTH)


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
@pytest.mark.parametrize("width", [1100, 1024])
def test_at_1100_px_the_referrals_tab_does_not_scroll_sideways_and_says_the_rest_in_tooltips(
    qtbot: QtBot, session: Session, program_font: None, lang: str, width: int, tmp_path: Path
) -> None:
    """At 1100 px the follow-up, the issue date and the reason were to the right of the
    table's edge, read only by scrolling sideways, and in Bulgarian the status's last pixels
    too. The columns that fit are in view whole; the others are left out, and what they hold
    is in the tooltips of the row's service and appointment."""
    tab = _referrals_tab(qtbot, session, lang, QSize(width, 728))
    tab.window().grab().save(str(tmp_path / f"referrals-{lang}-{width}.png"))
    table = tab.table
    assert table.horizontalScrollBar().maximum() == 0
    shown = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    assert shown[:3] == [tab.SERVICE, tab.APPOINTMENT, tab.STATUS], shown
    for column in shown:
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= table.viewport().width(), (column, right, table.viewport().width())
    _statuses_whole(tab)
    left_out = [c for c in range(table.columnCount()) if table.isColumnHidden(c)]
    assert tab.REASON in left_out
    for row in range(table.rowCount()):
        for column in (tab.SERVICE, tab.APPOINTMENT):
            tip = cell(table, row, column).toolTip().split("\n")
            assert tip[0] == cell(table, row, column).text()
            said = [
                f"{header_cell(table, c).text()}: {cell(table, row, c).text()}" for c in left_out
            ]
            assert tip[1:] == said, (tip, said)
        # and to a screen reader, as the service cell's description
        described = cell(table, row, tab.SERVICE).data(Qt.ItemDataRole.AccessibleDescriptionRole)
        if outcome := tab.referrals[row].outcome:  # and the referral's latest outcome
            said.append(_("Outcome: {outcome}").format(outcome=outcome))
        assert described == "\n".join(said)
    # wider, every column in view again, the tooltips the cells' texts
    tab.window().resize(1366, 728)
    qtbot.waitUntil(lambda: not any(table.isColumnHidden(c) for c in range(6)))
    assert cell(table, 0, tab.SERVICE).toolTip() == cell(table, 0, tab.SERVICE).text()


# A person whose page has every line above its tabs: the name as on the ID document, every
# fact, a note, and the notice of a possible second entry.
FULL_PERSON = PersonDraft(
    "Мария",
    "Петрова",
    "1991-04-02",
    sex="female",
    nationality="BG",
    languages=("bg", "tr", "de"),
    phone="+49 176 12345678",
    notes="Wohnt bei der Schwester, sucht eigene Wohnung; Termin beim Jobcenter am Dienstag.",
    id_document_name="Mariya Petrova",
)


def _referrals_tab(
    qtbot: QtBot, session: Session, lang: str, size: QSize, *, full: bool = False
) -> referrals_ui.ReferralsTab:
    """The referrals tab of a person with a referral in every status, the main window at
    ``size``; ``full``: the person's page has every line above its tabs (``FULL_PERSON``,
    registered twice)."""
    set_language("en")
    draft = FULL_PERSON if full else PersonDraft("Мария", "Петрова", "1991-04-02")
    person = people.register_person(session.store, session.user, draft)
    if full:
        twin = PersonDraft("Maria", "Petrova", "1991-04-02")
        people.register_person(session.store, session.user, twin, confirm_duplicates=True)
    record_sharing_consent(session, person.id)
    _referrals_in_every_status(session, person)
    set_language(lang)
    window = shown_window(qtbot, session)
    window.resize(size)
    window.show_person(person.id)
    tab = window.referrals.tab  # type: ignore[attr-defined]
    window.person_page.tabs.setCurrentWidget(tab)
    qtbot.waitExposed(tab.table)
    assert tab.table.rowCount() == 6
    return tab


def _statuses_whole(tab: referrals_ui.ReferralsTab) -> list[str]:
    """Each status whole: every word within the text's room in its cell (as the style lays it
    out), the lines it wraps to within the row's height. Returns the statuses."""
    table = tab.table
    metrics = table.fontMetrics()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table)
    width = table.columnWidth(tab.STATUS) - 2 * (margin + 1)
    statuses = [cell(table, row, tab.STATUS).text() for row in range(table.rowCount())]
    assert any("–" in text for text in statuses)  # the helper's, awaiting sign-off
    for row, text in enumerate(statuses):
        assert all(metrics.horizontalAdvance(word) <= width for word in text.split()), text
        lines = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
        assert lines.height() <= table.rowHeight(row), (text, lines, table.rowHeight(row))
    return statuses


@pytest.mark.parametrize("lang", LANGUAGES)
def test_at_1366_px_the_referrals_tab_shows_the_follow_up_whole(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """The status took all the room beside the service and the appointment, and the
    follow-up was cut to "Nachverfolgu…", "Просл…", read only by scrolling sideways."""
    tab = _referrals_tab(qtbot, session, lang, SCREEN_1366)
    tab.window().grab().save(str(tmp_path / f"referrals-{lang}.png"))
    table = tab.table
    for column in (tab.SERVICE, tab.APPOINTMENT, tab.STATUS, tab.FOLLOW_UP):
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= table.viewport().width(), (column, right, table.viewport().width())
    assert table.columnWidth(tab.FOLLOW_UP) >= _wanted(table, tab.FOLLOW_UP)
    assert table.columnWidth(tab.SERVICE) >= tab.SERVICE_MIN_WIDTH
    _statuses_whole(tab)


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
def test_at_1366_px_the_referrals_tab_shows_all_its_columns(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """The issue date and the reason were read only by scrolling sideways ("Ausgestellt",
    "Grund" out of sight), beside a people list of 800 px for five short columns. The page
    takes the room beyond 1100 px now, and all six columns are in view: the dates whole, the
    status's words whole, the service's and the reason's names elided, whole in their
    tooltips."""
    tab = _referrals_tab(qtbot, session, lang, SCREEN_1366)
    tab.window().grab().save(str(tmp_path / f"referrals-{lang}.png"))
    table = tab.table
    room = table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0
    for column in range(table.columnCount()):
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= room, (column, right, room)
    # the appointment's time may go under its date (its date whole: see the next test)
    for column in (tab.FOLLOW_UP, tab.ISSUED):
        assert table.columnWidth(column) >= _wanted(table, column), column
    assert table.columnWidth(tab.SERVICE) >= tab.SERVICE_MIN_WIDTH
    assert table.columnWidth(tab.REASON) >= tab.REASON_MIN_WIDTH
    _statuses_whole(tab)
    for row in range(table.rowCount()):
        for column in (tab.SERVICE, tab.REASON):
            item = cell(table, row, column)
            assert item.toolTip() == item.text()
    window = tab.window()
    assert isinstance(window, MainWindow)
    assert window.splitter.sizes()[0] >= 600  # the list keeps its room (names whole)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_at_1366_px_all_six_referrals_are_in_view_each_reason_whole_or_in_its_tooltip(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """The reason had 70 px on one line: "Kranke…", "Integra…", "Изясняване…", read only in
    its tooltip. It wrapped then at its longest word, three and four lines tall in Bulgarian
    and Romanian, and about 3.5 referrals were in view on a 1366 × 768 screen. Now each row is
    at most two lines tall: the status and the reason have the room for two lines each before
    anything unwraps, and a reason longer than that ends in "…", whole in its tooltip. The
    Bulgarian ones were 20 px short ("Изясняване на / здравната …") beside the follow-up
    column, as wide as its header "Проследяване" (113 px for dates of 95): the header reads
    "Проверка" now, and every reason is whole in all three languages. Six referrals of a
    person whose page shows every line above its tabs are in view, all six columns too."""
    tab = _referrals_tab(qtbot, session, lang, SCREEN_1366, full=True)
    window = tab.window()
    assert isinstance(window, MainWindow)
    table = tab.table
    notice = window.duplicate_notice  # type: ignore[attr-defined]
    qtbot.waitUntil(notice.isVisible, timeout=30_000)  # its line above the tabs too

    def in_view() -> int:
        bottom = table.viewport().height()
        rows = range(table.rowCount())
        return sum(table.rowViewportPosition(r) + table.rowHeight(r) <= bottom for r in rows)

    qtbot.waitUntil(lambda: in_view() == table.rowCount())  # once the layout has settled
    window.grab().save(str(tmp_path / f"referrals-five-{lang}.png"))
    assert table.horizontalScrollBar().maximum() == 0
    metrics = table.fontMetrics()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table)
    width = table.columnWidth(tab.REASON) - 2 * (margin + 1)
    two_lines = metrics.boundingRect(QRect(0, 0, 100, 100), Qt.TextFlag.TextWordWrap, "X\nX")
    right = table.columnViewportPosition(tab.REASON) + table.columnWidth(tab.REASON)
    assert right <= table.viewport().width()
    _statuses_whole(tab)
    for row in range(table.rowCount()):
        assert table.rowHeight(row) <= two_lines.height() + 5, row
        reason = cell(table, row, tab.REASON)
        text = reason.text()
        assert all(metrics.horizontalAdvance(word) <= width for word in words(text)), text
        lines = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
        assert lines.height() <= table.rowHeight(row), (text, lines, table.rowHeight(row))
        assert reason.toolTip() == text  # whole there where its cell ends in "…"
        appointment = cell(table, row, tab.APPOINTMENT).text()  # its date whole at least
        date = words(appointment)[0]  # "12.01.2027\u202fг.," in Bulgarian: one word
        assert metrics.horizontalAdvance(date) <= table.columnWidth(tab.APPOINTMENT), appointment


@pytest.mark.parametrize("lang", [*LANGUAGES, "en"])
def test_at_1024_px_the_referrals_tab_keeps_the_service_and_the_list_its_share(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """Narrower than 1100 px the list and the page give way 3 : 2 as before (the page alone
    gave way when it alone took the room beyond), the service keeping SERVICE_MIN_WIDTH in
    view beside the appointment; the rest is reached by scrolling sideways."""
    tab = _referrals_tab(qtbot, session, lang, QSize(1024, 728))
    table = tab.table
    window = tab.window()
    assert isinstance(window, MainWindow)
    list_width, page_width = window.splitter.sizes()
    assert page_width >= 400 and list_width >= 560, (list_width, page_width)
    assert table.columnWidth(tab.SERVICE) >= tab.SERVICE_MIN_WIDTH
    for column in (tab.SERVICE, tab.APPOINTMENT):
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= table.viewport().width(), column


def _columns_whole(table: QTableView, *except_: int) -> None:
    """Every column but ``except_`` as wide as its contents and header want, and in view."""
    header = table.horizontalHeader()
    for column in range(table.model().columnCount()):
        if column in except_:
            continue
        wanted = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
        assert table.columnWidth(column) >= wanted, (column, table.columnWidth(column), wanted)
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= table.viewport().width(), (column, right)


def _wanted(table: QTableView, column: int) -> int:
    return max(table.sizeHintForColumn(column), table.horizontalHeader().sectionSizeHint(column))


def _follow_ups_due(session: Session) -> None:
    """Three referrals due today, with long names of people and services."""
    set_language("en")
    named = (("Мария", "Петрова-Димитрова"), ("Ștefan", "Constantinescu"), ("Ана", "Попова"))
    services = ("familienkasse", "clearingstelle", "jobcenter")
    for (given, family), service in zip(named, services, strict=True):
        person = people.register_person(
            session.store, session.user, PersonDraft(given, family, "1991-04-02")
        )
        record_sharing_consent(session, person.id)
        uc.issue_referral(
            session.store,
            session.user,
            person.id,
            service,
            "health_insurance",
            appointment=dt.datetime(2027, 1, 12, 10, 0),
            follow_up=dt.date.today(),
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_follow_ups_open_as_wide_as_their_columns_want_within_1024_px(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """They opened at 980 px: in Bulgarian the service's name was cut to half with 120 px of
    the laptop's width unused."""
    _follow_ups_due(session)
    set_language(lang)
    window = shown_window(qtbot, session)
    window.resize(LAPTOP)
    follow_ups = window.referrals.open_follow_ups()  # type: ignore[attr-defined]
    qtbot.waitExposed(follow_ups)
    assert_fits(follow_ups, follow_ups.open_button)
    table = follow_ups.table
    assert table.rowCount() == 3
    service = follow_ups.SERVICE
    _columns_whole(table, service)
    # The service's name whole, or the window as wide as a laptop allows.
    whole = table.columnWidth(service) >= _wanted(table, service)
    assert whole or follow_ups.width() == LAPTOP_WIDTH, (follow_ups.width(), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_audit_log_opens_as_wide_as_its_columns_want_within_the_screen(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """It opened at 980 px, and the details wrapped out of sight in a one-line row
    ("purposes: …"); they are elided now, whole in their tooltip, within the list. (The
    tests' screen is 800 px wide; a 1366 px one: test_audit_window_screen_ui.)"""
    from desktop_app.ui.audit import AuditWindow

    _follow_ups_due(session)  # people, consents and referrals: entries with long details
    set_language(lang)
    window = shown_window(qtbot, session)
    window.resize(LAPTOP)
    audit_window = AuditWindow(session, window)
    qtbot.addWidget(audit_window)
    audit_window.show()
    qtbot.waitExposed(audit_window)
    # within the screen's free room, as tall as it (it stayed 600 px high)
    free = audit_window.screen().availableGeometry().size() - visits_ui.FRAME_ROOM
    buttons = (audit_window.show_button, audit_window.verify_button)
    assert_fits(audit_window, *buttons, room=free)
    assert audit_window.height() == free.height(), (audit_window.size(), free)
    table = audit_window.table
    details = 5
    _columns_whole(table, details)
    whole = table.columnWidth(details) >= _wanted(table, details)
    room = audit_window.screen().availableGeometry().width() - visits_ui.FRAME_ROOM.width()
    assert whole or audit_window.width() == room, (audit_window.width(), room)
    right = table.columnViewportPosition(details) + table.columnWidth(details)
    assert right <= table.viewport().width(), (right, table.viewport().width())
    assert not table.wordWrap()
    model = audit_window.model
    shown = [model.item(row, details) for row in range(model.rowCount())]
    assert any(item.text() for item in shown)
    for item in shown:
        assert item.toolTip() == item.text()


def test_a_count_in_the_sections_list_stays_with_its_name(
    qtbot: QtBot, session: Session, program_font: None, tmp_path: Path
) -> None:
    """In German beside Bulgarian, "→ Vorgeschlagene nächste Schritte  4" put its "4" on a
    line of its own at 1366 × 768. A list too narrow for a row wraps the name's last word
    with the count; a count never stands alone."""
    window, person = _person_shown(qtbot, session, "de")
    win = VisitWindow(session, person, "life_situation", client_lang="bg", parent=window)
    qtbot.addWidget(win)
    win.resize(opening_size(SCREEN_1366))
    win.show()
    qtbot.waitExposed(win)
    view = win.view
    view.set_answers(
        {
            "insurance_status": "unclear",
            "address_registration": "not_registered",
            "housing_type": "homeless",
            "work_status": ["looking"],
            "benefits": ["none"],
        }
    )
    nav = view.navigator
    steps = nav.item(nav.count() - 1)
    german = steps.text().split("\n")[0]
    assert german.startswith("→ Vorgeschlagene nächste Schritte") and german.endswith("4")
    margin = nav.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, nav) + 1
    beside = nav.width() - nav.viewport().width() + 2 * nav.spacing() + 2 * margin + 4
    # The list a little narrower than the row's German line: it has to wrap.
    width = hanging_width(german, nav.font()) - 6 + beside
    total = sum(view.splitter.sizes())
    view.splitter.setSizes([width, total - width])
    qtbot.waitUntil(lambda: nav.width() == width)
    nav.doItemsLayout()
    room = nav.viewport().width() - 2 * nav.spacing() - 2 * margin - 4
    layout = hanging_lines(german, nav.font(), room)[0]
    lines = [
        german[line.textStart() : line.textStart() + line.textLength()].strip()
        for line in (layout.lineAt(n) for n in range(layout.lineCount()))
    ]
    assert len(lines) == 2, lines
    assert lines[1].startswith("Schritte") and lines[1].endswith("4"), lines
    # and so it is painted: the row's two German lines and the Bulgarian one, none cut off
    nav.setCurrentRow(0)  # the row measured is painted black on white
    win.grab().save(str(tmp_path / "sections-narrow.png"))
    rect = nav.visualItemRect(steps)
    ink = _ink_lines(nav.viewport().grab().toImage(), rect)
    assert len(ink) == 3 and ink[-1][1] < rect.bottom(), (steps.text(), ink, rect)


@pytest.mark.parametrize("form_id", ["skills_check", "life_situation"])
def test_the_next_steps_title_in_both_languages_wraps_within_the_page(
    qtbot: QtBot, session: Session, program_font: None, form_id: str
) -> None:
    """In German beside Bulgarian, "Vorgeschlagene nächste Schritte · Предложени следващи
    стъпки" on one line ran some 50 px past the page in a laptop's window, cut off, and the
    page scrolled sideways."""
    from desktop_app.ui.form_view import NextStepsPage

    window, person = _person_shown(qtbot, session, "de")
    win = VisitWindow(session, person, form_id, client_lang="bg", parent=window)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.view.show_section_row(win.view.navigator.count() - 1)
    page = win.findChild(NextStepsPage)
    assert page is not None and page.isVisible()
    qtbot.waitUntil(lambda: page.title.text() != "")
    QApplication.processEvents()
    assert "·" in page.title.text()  # both languages
    assert page.horizontalScrollBar().maximum() == 0
    assert page.title.height() >= page.title.heightForWidth(page.title.width())
