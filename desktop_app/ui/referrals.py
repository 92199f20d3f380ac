"""Referrals on the person's page: Refer dialog, letter preview, printing, queue, follow-ups.

Letters stay in memory (QtPdf reads them from a QBuffer) and in the encrypted print queue;
they reach the disk only when the user saves one. Printing paints the rendered pages, so no
temporary PDF file is written either.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QDate,
    QDateTime,
    QElapsedTimer,
    QEvent,
    QIODevice,
    QObject,
    QRect,
    QSize,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.life_facts import Child, documents_to_bring
from desktop_app.domain.opening_hours import outside_opening_hours
from desktop_app.domain.permissions import Action, allowed
from desktop_app.domain.person import Person
from desktop_app.domain.referral import (
    OTHER_REASON,
    Referral,
    ReferralStatus,
    ReferralStatusError,
    default_follow_up,
)
from desktop_app.domain.service import NOT_KEPT, TAKEN_OUT, Service
from desktop_app.domain.validation import FieldError, ValidationFailed
from desktop_app.files import write_file
from desktop_app.i18n import languages
from desktop_app.i18n.formatting import (
    format_appointment,
    format_long_date,
    format_moment,
    format_number,
    format_partial_date,
)
from desktop_app.i18n.formatting import language_name as language_mid_sentence
from desktop_app.i18n.messages import (
    APPOINTMENT_CHANGE,
    REFERRAL_STATUS,
    failure_message,
    field_message,
    removed_service_name,
)
from desktop_app.i18n.text import _, current_language, ngettext
from desktop_app.letters.directory import ServiceDirectory, default_directory
from desktop_app.letters.referral_letter import (
    LetterError,
    children_steuer_ids_not_known,
    steuer_ids_to_follow,
)
from desktop_app.letters.texts import copy_prints_note, default_letter_texts
from desktop_app.storage.db import Store
from desktop_app.ui.error_label import WarningLabel, with_error
from desktop_app.ui.help import end_cleanly, menu_path, menu_path_elsewhere, plain
from desktop_app.ui.person_page import PageNotice
from desktop_app.ui.save_dialog import ask_save_path, save_failed
from desktop_app.ui.tasks import DialogSave
from desktop_app.ui.widgets import (
    ROW_MARKS,
    CompactList,
    ErrorLabel,
    FittedLabel,
    FittedWarningLabel,
    HangingRowsDelegate,
    KeepsInput,
    WrappingDelegate,
    ask_to_confirm,
    focus_shown,
    language_name,
    record_table,
    tab_buttons_as_shown,
    width_for_columns,
    within_screen,
)
from desktop_app.usecases import reference
from desktop_app.usecases import referrals as uc
from desktop_app.usecases import sync as sync_uc

try:  # QtPdf ships as its own wheel (PySide6-Pdf) from PySide6 6.12 on
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    HAVE_QTPDF = True
except ImportError:  # pragma: no cover - depends on the installed wheels
    HAVE_QTPDF = False

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: Set to a file path to print into a PDF file without the print dialog (tests, offscreen).
PRINT_TO_PDF_ENV = "WELCOME_DESK_PRINT_TO_PDF"
# Print's keys (Ctrl+P): the letter preview prints the letter, the main window opens the queue.
PRINT_KEY = QKeySequence.StandardKey.Print
#: Pages are painted at this resolution at most; enough for text, small enough to be quick.
MAX_PRINT_DPI = 300
CLIENT_LANGUAGES = languages.client_languages()


def status_label(status: ReferralStatus) -> str:
    return _(REFERRAL_STATUS[status.value])


def referral_status_text(referral: Referral) -> str:
    """Its status, and that it awaits an advisor's sign-off while a helper's draft."""
    status = status_label(referral.status)
    if not referral.signed_off and referral.status is not ReferralStatus.CLOSED:
        # a closed draft awaits nothing: it cannot be signed off (uc.sign_off)
        status = _("{status} – awaiting sign-off").format(status=status)
    return status


def service_name(service_id: str, store: Store, lang: str | None = None) -> str:
    """The service's name from the directory in force, else the shipped one (an old referral);
    a service in neither (a coordinator's own, taken out) by its id made readable, saying so."""
    return name_in(reference.service_directory(store), service_id, lang)


def name_in(directory: ServiceDirectory, service_id: str, lang: str | None = None) -> str:
    """``service_name`` with the directory in force read already (on a worker thread, say)."""
    service = directory.find(service_id) or default_directory().find(service_id)
    if service is None:
        return removed_service_name(service_id, lang)
    return service.name.get(lang or current_language())


def service_names(store: Store) -> Callable[[str], str]:
    """``service_name`` for the rows of one list: each service looked up once (a lookup reads
    the directory's revision, some 3 ms: 10 s for the demo's 3,139 follow-ups)."""
    return functools.cache(lambda service_id: service_name(service_id, store))


def reason_label(reason_id: str) -> str:
    reason = default_letter_texts().reasons.get(reason_id)
    return reason.label.get(current_language()) if reason else reason_id


def letter_error_message(exc: LetterError) -> str:
    try:
        return default_letter_texts().error_message(exc.key, current_language())
    except KeyError:
        return _("The letter cannot be made ({code}).").format(code=exc.key)


def _child_called(child: Child) -> str:
    """A child as the refer dialog names it: by the name recorded, else by the birth date
    (or year) as recorded; "?" where neither is."""
    return child.name or format_partial_date(child.birth) or "?"


def _to_follow_text(own: bool, children: Sequence[Child]) -> str:
    """What the refer dialog says of the Steuer-IDs the letter will say are still to come
    (the person's ``own``, the ``children``'s); "" where none is."""
    count = len(children)
    if own and children:
        text = ngettext(
            "The letter will say that the Steuer-IDs of the person and of one child "
            "({children}) have not come yet and will be handed in later, as the "
            "life-situation check says.",
            "The letter will say that the Steuer-IDs of the person and of the children "
            "({children}) have not come yet and will be handed in later, as the "
            "life-situation check says.",
            count,
        )
    elif children:
        text = ngettext(
            "The letter will say that the Steuer-ID of one child ({children}) has not come "
            "yet and will be handed in later, as the life-situation check says.",
            "The letter will say that the Steuer-IDs of the children ({children}) have not "
            "come yet and will be handed in later, as the life-situation check says.",
            count,
        )
    elif own:
        text = _(
            "The letter will say that the person has not received the Steuer-ID yet and "
            "will hand it in later, as the life-situation check says."
        )
    else:
        return ""
    return text.format(children=", ".join(_child_called(c) for c in children))


def _asked_text(children: Sequence[Child]) -> str:
    """What the refer dialog says of the children whose Steuer-ID the letter asks for although
    the life-situation check does not say whether they have one; "" where there are none."""
    if not children:
        return ""
    return ngettext(
        "The letter will ask for the Steuer-ID of one child ({children}): the life-situation "
        "check does not say whether it has one.",
        "The letter will ask for the Steuer-IDs of the children ({children}): the "
        "life-situation check does not say whether they have one.",
        len(children),
    ).format(children=", ".join(_child_called(c) for c in children))


def default_client_language(person: Person) -> str:
    """The person's own language when the letters exist in it (Bulgarian, Romanian, any
    added), else German."""
    return languages.persons_language(person.languages) or languages.LETTERS_LANGUAGE


def _date(value: dt.date | dt.datetime | None) -> str:
    """A short date in the UI language (14.03.2026 / 14.03.2026 г.), with the time if any."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return format_moment(value)
    return format_partial_date(value.isoformat())


def _item(text: str, data: Any = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def _place(table: QTableWidget, keys: Sequence[str]) -> tuple[str | None, int]:
    """The row selected (by ``keys``, one per row: its record's id) and the scroll position,
    to be kept when the list is filled anew (a sync brought changes: ``_restore_place``)."""
    row = table.currentRow()
    return (keys[row] if 0 <= row < len(keys) else None), table.verticalScrollBar().value()


def _restore_place(table: QTableWidget, keys: Sequence[str], place: tuple[str | None, int]) -> None:
    """The row of the record selected before selected again (rows above it may have come or
    gone), and the list scrolled as it was."""
    chosen, scroll = place
    if chosen is not None and chosen in keys:
        table.setCurrentCell(keys.index(chosen), max(table.currentColumn(), 0))
    table.verticalScrollBar().setValue(scroll)


@contextmanager
def _filling(table: QTableWidget) -> Iterator[None]:
    """The table filled anew within: its columns sized to their contents once, after the last
    cell. Sized on every cell set while shown, 200 follow-ups took 14 s to list (the demo's
    3,139 of 5,000 people: minutes, the window frozen)."""
    header = table.horizontalHeader()
    modes = [header.sectionResizeMode(i) for i in range(table.columnCount())]
    for i, mode in enumerate(modes):
        if mode is QHeaderView.ResizeMode.ResizeToContents:
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
    try:
        yield
    finally:
        for i, mode in enumerate(modes):
            header.setSectionResizeMode(i, mode)


def _table(columns: int, fill: int | None = None) -> QTableWidget:
    """A read-only list; column ``fill`` (if given) takes the room the others leave, its text
    elided: a service's full name ("Familienkasse Nordrhein-Westfalen Ost (каса за семейни
    помощи)") pushed the status and the language out of the follow-ups and the print queue.
    A record list as the others (``record_table``): Tab went from cell to cell, never on to
    the buttons. Its accessible name is set by each window's ``retranslate``."""
    table = record_table(QTableWidget(0, columns), "")
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if fill is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(fill, QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(False)  # elided within a word: more of the name shows
    table.setAlternatingRowColors(True)
    return table


# ------------------------------------------------------------------------------- printing


def choose_printer(parent: QWidget) -> QPrinter | None:
    """The printer the user chose, or a PDF file when ``WELCOME_DESK_PRINT_TO_PDF`` is set."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    target = os.environ.get(PRINT_TO_PDF_ENV)
    if target:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(target)
        printer.setResolution(150)
        return printer
    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        QMessageBox.information(parent, _("Print"), _("No printer is available here."))
        return None
    dialog = QPrintDialog(printer, parent)
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


def _load_pdf(pdf: bytes, owner: QWidget | None = None) -> Any:
    """A QPdfDocument reading from memory (a QBuffer); no file is involved."""
    document = QPdfDocument(owner) if owner is not None else QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return document


def print_letters(
    parent: QWidget,
    letters: Sequence[bytes],
    *,
    printer: QPrinter | None = None,
    progress: QProgressDialog | None = None,
) -> list[int]:
    """Print letters in one job with a progress dialog; the indexes of those printed.

    Pages are rendered from memory and painted onto the printer: no temporary files.
    """
    if not letters or not HAVE_QTPDF:
        return []
    printer = printer or choose_printer(parent)
    if printer is None:
        return []
    own = progress is None
    progress = progress or QProgressDialog(parent)
    progress.setLabelText(_("Printing letters…"))
    progress.setCancelButtonText(_("Cancel"))
    progress.setRange(0, len(letters))
    progress.setAutoReset(False)
    progress.setWindowTitle(_("Print"))
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setValue(0)
    painter = QPainter()
    if not painter.begin(printer):
        progress.hide()  # close() would cancel and reset the shown value
        if own:
            progress.deleteLater()
        QMessageBox.warning(parent, _("Print"), _("The printer could not be started."))
        return []
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    printed: list[int] = []
    first = True
    try:
        for index, pdf in enumerate(letters):
            if progress.wasCanceled():
                break
            progress.setLabelText(
                _("Printing letter {number} of {count}…").format(
                    number=format_number(index + 1), count=format_number(len(letters))
                )
            )
            document = _load_pdf(pdf)
            for page in range(document.pageCount()):
                if not first:
                    printer.newPage()
                first = False
                size = document.pagePointSize(page)
                pixels = QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72))
                image = document.render(page, pixels)
                target = painter.viewport()
                scaled = pixels.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(target.topLeft(), scaled), image)
            document.close()
            document.deleteLater()
            printed.append(index)
            progress.setValue(index + 1)
    finally:
        painter.end()
        progress.hide()  # close() would cancel and reset the shown value
        if own:  # one was left hidden in the letter's window for every print
            progress.deleteLater()
        # The keys go on to the letter: the hidden progress stayed the active window, so the
        # preview's Alt+letter and Ctrl+P did nothing after a print until it was clicked.
        parent.window().activateWindow()
    return printed


def save_letter(
    parent: QWidget, pdf: bytes, suggested: str, saved: Callable[[Path], None]
) -> QFileDialog:
    """Ask where to save the letter, without waiting; the one way a letter is written to disk.
    ``saved`` gets the file once it is written (nothing is written on Cancel). Where it cannot
    be written, the user is told why and may choose another place; the letter stays open."""
    title = _("Save letter as PDF")

    def write(path: Path) -> None:
        if not path.name.lower().endswith(".pdf"):  # "letter.v2": Qt adds no suffix to it
            path = path.with_name(path.name + ".pdf")
        try:
            write_file(path, pdf)
        except OSError as exc:
            what = _("The letter could not be saved as {path}.").format(path=path)
            again = functools.partial(save_letter, parent, pdf, path.name, saved)
            save_failed(parent, title, failure_message(exc, what), again)
            return
        saved(path)

    return ask_save_path(
        parent,
        title,
        suggested,
        write,
        name_filter=_("PDF files (*.pdf)"),
        suffix="pdf",
    )


# ------------------------------------------------------------------------------- Refer dialog


def sharing_text(consent: uc.SharingConsent | None, name: str, service: str = "") -> str:
    """What the referral to ``service`` (its name; "" while none is chosen) passes on, by
    the person's consent: the advisor sees it before the letter is made (a letter to the
    service only where the person agreed to their data going to that service)."""
    if consent is not None and consent.granted:
        when = format_partial_date(consent.given_on)
        if consent.covers:  # the service chosen, of those the consent may list
            return _(
                "{name} agreed on {date} to their data being passed on to: {service}. The "
                "letter to the service and their own sheet are printed."
            ).format(name=name, date=when, service=service or consent.shared_with)
        if not service:
            return _(
                "{name} agreed on {date} to their data being passed on to: {service}. A "
                "letter goes only to a service named there; for any other, only their own "
                "sheet is printed."
            ).format(name=name, date=when, service=consent.shared_with or "—")
        return _(
            "{name}'s consent of {date} names “{named}”, not {service}. Only their own sheet "
            "is printed; the service gets nothing from us. Record a consent that names "
            "{service} to print the letter to it too."
        ).format(name=name, date=when, named=consent.shared_with or "—", service=service)
    if consent is not None:
        return _(
            "{name} did not agree to their data being passed on to a service (consent form "
            "of {date}). Only their own sheet is printed; the service gets nothing from us."
        ).format(name=name, date=format_partial_date(consent.given_on))
    return _(
        "No consent of {name} to their data being passed on to a service is recorded. Only "
        "their own sheet is printed; the service gets nothing from us. Record the consent "
        "first to print the letter to the service too."
    ).format(name=name)


def sheet_only_reason(
    consent: uc.SharingConsent | None, service: str, *, not_known_since: dt.date | None = None
) -> str:
    """Why a referral to ``service`` (its German name, as the consent form names it) prints
    the person's own sheet only, by the consent that rules it: the preview said "did not agree
    … (or no consent is recorded)" also where the person had agreed, to another service.
    ``not_known_since``: the day a letter was given whose service's other names were not kept
    with it (``Letter.consent_not_known``): whether the consent names it is not known."""
    if consent is None:
        return _("No consent to their data being passed on to a service is recorded.")
    if not consent.granted:
        return _("They did not agree to their data being passed on to a service.")
    if not_known_since is not None:
        return _(
            "Their consent names “{named}”. Whether that is {service} is not known: the letter "
            "was given on {date}, before the other names of a service were kept with its "
            "letter; the service is no longer in the directory, and no record says that the "
            "letter to the service was given then. To print it, record a consent that names "
            "{service}."
        ).format(named=consent.shared_with, service=service, date=format_long_date(not_known_since))
    return _("Their consent names “{named}”, not {service}.").format(
        named=consent.shared_with, service=service
    )


def opening_hours_warning(service: Service, field: QDateTimeEdit) -> str:
    """The warning where the appointment in ``field`` lies outside the opening hours the
    directory has for ``service`` ("" where it does not, or the hours say nothing sure)."""
    when = field.dateTime().toPython()
    assert isinstance(when, dt.datetime)
    if not outside_opening_hours(service.opening_hours.get("de"), when):
        return ""
    return _(
        "This appointment is outside the opening hours of {service}: {hours}. "
        "Please check the date and time."
    ).format(
        service=service.name.get(current_language()),
        # "… 12:00 ч." ends the sentence with its own full stop
        hours=service.opening_hours.get(current_language()).removesuffix("."),
    )


def next_working_day(today: dt.date) -> dt.date:
    """The first day after ``today`` from Monday to Friday."""
    day = today + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def appointment_field(value: dt.datetime | None) -> QDateTimeEdit:
    """The date and time of an appointment, as the refer and the status dialog take it: the
    ``value`` given, else the next working day at 9:00 (a field left unticked beside it).
    Tomorrow was a Saturday on Fridays: ticking "Appointment agreed" warned at once that the
    service was closed."""
    field = QDateTimeEdit()
    field.setCalendarPopup(True)
    field.setDisplayFormat("dd.MM.yyyy HH:mm")
    if value is None:
        day = next_working_day(dt.date.today())
        field.setDateTime(QDateTime(QDate(day.year, day.month, day.day), QTime(9, 0)))
    else:
        field.setDateTime(
            QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute))
        )
    field.setAccessibleName(_("Date and time of the appointment"))
    return field


def appointment_value(field: QDateTimeEdit) -> dt.datetime:
    value = field.dateTime().toPython()
    assert isinstance(value, dt.datetime)
    return value.replace(second=0, microsecond=0)


class ServiceList(CompactList):
    """The refer dialog's services: typing a service's first letters in the list finds it,
    also where the arrow of a suggested service comes first (Qt's search compared the typing
    with "→ Jobcenter …" and found nothing)."""

    def __init__(self) -> None:
        super().__init__()
        self._typed = ""
        self._since = QElapsedTimer()

    def keyboardSearch(self, search: str) -> None:
        if not search:
            self._typed = ""
            return
        if not self._since.isValid() or self._since.elapsed() > (
            QApplication.keyboardInputInterval()
        ):
            self._typed = ""
        self._since.restart()
        self._typed += search
        typed = self._typed.casefold()
        count, current = self.count(), max(self.currentRow(), 0)
        # one letter (or the same again and again) goes on to the next row it begins, as Qt's
        if len(set(typed)) == 1:
            typed, current = typed[0], current + 1
        for step in range(count):
            row = (current + step) % count
            text = self.item(row).text()
            if len(text) > 2 and text[0] in ROW_MARKS and text[1] == " ":
                text = text[2:]
            if text.casefold().startswith(typed):
                self.setCurrentRow(row)
                self.scrollToItem(self.item(row))
                return


class ReferDialog(QDialog):
    """Choose service, reason, appointment, documents and language; issues the referral."""

    # Wide enough that the consent's warning, the service's address and the service names
    # take few lines: at 680 px, with the warning that the consent names other services, the
    # dialog was 718 to 734 px high in every language (700 are left on a 1366 × 768 screen);
    # at 940 px it is at most 686 px high with any service.
    OPENING_WIDTH = 940
    # The two lists' heights, and the least they take where the screen has no room for more:
    # with the consent's warning, a long service and the note that a sync changed its address
    # the dialog wanted 726 px, more than a 1366 × 768 or 1280 × 720 screen leaves, and the
    # buttons went below the screen's edge. Four documents and five services stay in view
    # (70 px: a list asks no less, for its scroll bar's arrows).
    SERVICES_HEIGHT, SERVICES_LEAST = 150, 96
    DOCUMENTS_HEIGHT, DOCUMENTS_LEAST = 110, 70

    referral_issued = Signal(object)  # Referral

    def __init__(self, window: MainWindow, person: Person) -> None:
        super().__init__(window)
        # The height the user gave the dialog by hand (0: none): it shrinks back no lower.
        self.hand_height = 0
        self._fitted = QSize()  # the size fit_height asked for last
        self.window_ = window
        self.person = person
        self.directory = reference.service_directory(window.session.store)
        self.texts = default_letter_texts()
        # the person's latest life situation and skills check: the usual documents they cannot
        # have are left out, as issue_referral leaves them out
        self.facts = uc.document_facts(window.session.store, window.session.user, person.id)
        self.setWindowTitle(
            _("Refer {name}").format(name=f"{person.given_name} {person.family_name}")
        )
        self.setMinimumWidth(680)
        lang = current_language()

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search a service by name or topic"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.services = ServiceList()
        self.services.setMinimumHeight(self.SERVICES_HEIGHT)
        # a long name wraps under the name, not under the arrow of a suggested service
        self.services_delegate = HangingRowsDelegate(self.services)
        self.services.setItemDelegate(self.services_delegate)
        self.services.currentItemChanged.connect(self._on_service_changed)
        # as tall as its lines: in the form, a plain label took its hint's three lines (48 px)
        # for an address of one, with a gap above and below it
        self.service_info = FittedLabel()
        self.service_info.setStyleSheet("color: #555;")
        # A sync brought another directory while the dialog was open: said under the service,
        # as tall as its lines (a WarningLabel's row took its narrow hint, 28 px blank below)
        self.directory_notice = FittedWarningLabel()

        self.reason = QComboBox()
        # Shown while it lists nothing: its reasons are the chosen service's.
        self.reason.setPlaceholderText(_("Choose a service first"))
        self.reason.currentIndexChanged.connect(self._on_reason_changed)
        self.reason_note = QPlainTextEdit()
        self.reason_note.setMaximumHeight(60)
        self.reason_note.setTabChangesFocus(True)  # Tab leaves the note, as everywhere else
        self.reason_note.setPlaceholderText(_("Your own words for the letter (optional)"))
        # With the "other" reason, where the note (German) is left off the person's copy.
        self.note_hint = FittedLabel()
        self.note_hint.setStyleSheet("color: #555;")

        self.has_appointment = QCheckBox(_("Appointment agreed"))
        self.appointment = appointment_field(None)
        self.appointment.setEnabled(False)
        self.has_appointment.toggled.connect(self.appointment.setEnabled)
        self.hours_warning = WarningLabel()
        self.has_appointment.toggled.connect(self._check_opening_hours)
        self.appointment.dateTimeChanged.connect(self._check_opening_hours)
        appointment_row = QHBoxLayout()
        appointment_row.addWidget(self.has_appointment)
        appointment_row.addWidget(self.appointment, 1)

        self.contact = QLineEdit()
        self.contact.setPlaceholderText(_("e.g. Ms Schäfer, room 204"))

        self.documents = CompactList()
        self.documents.setMinimumHeight(self.DOCUMENTS_HEIGHT)
        for wrapped in (self.services, self.documents):
            # long service names and documents wrap instead of hiding behind a scroll bar
            wrapped.setWordWrap(True)
            wrapped.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            wrapped.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.new_document = QLineEdit()
        self.new_document.setPlaceholderText(_("Another document"))
        self.new_document.setAccessibleName(_("Another document"))
        self.new_document.returnPressed.connect(self._on_add_document_clicked)
        self.add_button = QPushButton(_("&Add"))
        self.add_button.clicked.connect(self._on_add_document_clicked)
        self.remove_button = QPushButton(_("R&emove"))
        self.remove_button.clicked.connect(self._on_remove_document_clicked)
        for button in (self.add_button, self.remove_button):
            # Enter is for "Create letter": an auto-default button took it once focus passed
            button.setAutoDefault(False)
            button.setDefault(False)
        self.documents.itemChanged.connect(self._show_tax_id_note)
        # What the letter will say of a Steuer-ID still to come (the person's, a child's), so
        # that the advisor is not surprised by it in the letter.
        self.tax_id_note = FittedLabel()
        self.tax_id_note.setStyleSheet("color: #555;")
        documents_row = QHBoxLayout()
        documents_row.addWidget(self.new_document, 1)
        documents_row.addWidget(self.add_button)
        documents_row.addWidget(self.remove_button)

        self.client_lang = QComboBox()
        for code in CLIENT_LANGUAGES:
            self.client_lang.addItem(language_name(code, lang), code)
        self.client_lang.setCurrentIndex(CLIENT_LANGUAGES.index(default_client_language(person)))
        self.client_lang.currentIndexChanged.connect(self._show_note_hint)

        self.errors = {
            name: ErrorLabel()
            for name in (
                "person",
                "service",
                "reason",
                "reason_note",
                "appointment",
                "contact_person",
                "documents",
                "client_lang",
                "letter",
            )
        }
        self.services.setAccessibleName(_("Services found"))
        form = QFormLayout()

        def label(text: str, buddy: QWidget) -> QLabel:
            widget = QLabel(text)
            widget.setBuddy(buddy)
            # A check box keeps its own text as its name, as in the status dialog: named by
            # its row ("Appointment"), a screen reader left out what ticking it says.
            if not isinstance(buddy, QCheckBox):
                buddy.setAccessibleName(text.replace("&", "").rstrip(":").strip())
            return widget

        errors = self.errors
        form.addRow(label(_("&Service:"), self.search), self.search)
        form.addRow("", with_error(self.services, errors["service"]))
        form.addRow("", self.service_info)
        # hidden while no service is chosen: its empty row took the form's spacing twice and
        # the label's height, a gap of some 30 px above "Reason"
        form.setRowVisible(self.service_info, False)
        form.addRow("", self.directory_notice)
        form.setRowVisible(self.directory_notice, False)
        self.form = form
        form.addRow(label(_("&Reason:"), self.reason), with_error(self.reason, errors["reason"]))
        form.addRow(
            label(_("&Note:"), self.reason_note),
            with_error(self.reason_note, errors["reason_note"]),
        )
        form.addRow("", self.note_hint)
        form.setRowVisible(self.note_hint, False)  # no gap while it says nothing
        form.addRow(
            label(_("A&ppointment:"), self.has_appointment),
            with_error(with_error(appointment_row, errors["appointment"]), self.hours_warning),
        )
        form.addRow(
            label(_("&Contact person:"), self.contact),
            with_error(self.contact, errors["contact_person"]),
        )
        form.addRow(label(_("&Documents to bring:"), self.documents), self.documents)
        form.addRow("", with_error(documents_row, errors["documents"]))
        form.addRow("", self.tax_id_note)
        form.setRowVisible(self.tax_id_note, False)  # no gap while it says nothing
        form.addRow(
            label(_("&Language of the person's copy:"), self.client_lang),
            with_error(self.client_lang, errors["client_lang"]),
        )

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(
            _("Create le&tter"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.issue)
        self.save = DialogSave(self, self.buttons)
        # Escape pressed by reflex threw away the service chosen and all typed for the letter
        self.keeps_input = KeepsInput(self, self._entered)
        self.buttons.rejected.connect(self.keeps_input.cancel)
        # Read once: which service the letter may go to is worked out as services are chosen.
        self.decisions = uc.sharing_decisions(window.session.store, window.session.user, person.id)
        # The services of the next steps accepted at the end of the last forms: listed first,
        # marked with the arrow of the form's "→ Suggested next steps", and the first chosen,
        # so that "Finish and refer…" goes on with what was accepted (the advisor had to find
        # each service again in the directory). A note naming them above the list made the
        # dialog too tall for a laptop's screen beside the consent's warning.
        self.suggested_steps = uc.suggested_steps(
            window.session.store, window.session.user, person.id
        )
        self.suggested = [
            service
            for service_id in self.suggested_steps
            if (service := self.directory.find(service_id)) is not None
        ]
        self.consent_note = QLabel()
        self.consent_note.setWordWrap(True)
        self._show_consent(None)
        layout = QVBoxLayout(self)
        layout.addWidget(self.errors["person"])
        layout.addWidget(self.consent_note)
        layout.addLayout(form)
        layout.addWidget(self.errors["letter"])
        layout.addWidget(self.buttons)
        tab_buttons_as_shown(self.buttons)
        # only now, in the dialog: a default set before was not the dialog's, which then took
        # the first auto-default button in the focus chain ("Add")
        self.create_button.setDefault(True)
        self._fill_services("")
        if self.suggested:
            self.select_service(self.suggested[0].id)
        self.search.setFocus()
        # Its own width, not Qt's two thirds of the screen (on a small one it was 680 px).
        self._fitted = self.sizeHint()
        self.resize(self._fitted)
        # The directory read when the dialog opened went on showing the service's old address
        # after a sync brought a new one, and the letter then printed another than was shown.
        controller = getattr(window, "sync", None)
        if controller is not None:
            controller.sync_finished.connect(self._on_sync_finished)

    def sizeHint(self) -> QSize:
        """OPENING_WIDTH wide, as tall as the layout is at that width: Qt's own hint counts
        each wrapped label as if it were narrow and tall (the consent's warning six lines
        high), and with the service's longest texts the dialog wanted 734 px, more than a
        1366 × 768 screen has room for."""
        width = max(self.OPENING_WIDTH, self.minimumWidth())
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return super().sizeHint()
        return QSize(width, layout.heightForWidth(width))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Qt opens a dialog at most two thirds of the screen high, and no lower than its
        # layout's minimum, which counts the wrapped consent note as if it were one line wide:
        # on a 768 px screen (and offscreen) "Reason" lay over the service list until a chosen
        # service grew the dialog, and every field then jumped.
        self.fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height, layout = event.size().height(), self.layout()
        if not self.isVisible() or height == self._fitted.height():
            return  # a size fit_height asked for
        need = layout.heightForWidth(self.width()) if layout is not None else 0
        if height > need:
            self.hand_height = height  # room beyond what the fields need: the user's
        elif height < event.oldSize().height():
            self.hand_height = 0  # made smaller by hand: as tall as the fields need
        # Grown to no more than the fields need is no hand's: a message shown under a field
        # grows the dialog so (``make_room``), and taken for the user's height it kept the
        # dialog from shrinking back once the message had gone, blank above the buttons.

    def fit_height(self) -> None:
        """As tall as the layout needs at the dialog's width, or as the user made it by hand
        if taller: a service with a long description, documents or consent warning grew the
        dialog, and it kept that height for a shorter one, with gaps between the fields."""
        layout = self.layout()
        if layout is None or not self.isVisible():  # opened at its size hint, fitted on show
            return
        width = self.width()
        need = self._lists_fitted(layout, width)
        height = max(need, self.minimumSizeHint().height(), self.hand_height)
        if height != self.height():
            self._fitted = QSize(width, height)
            self.resize(self._fitted)

    def _lists_fitted(self, layout: QLayout, width: int) -> int:
        """The height the layout needs at ``width``, the service and document lists no taller
        than the screen leaves room for (their usual heights where it has room)."""
        # the documents' first: a service's three or four fit in less, and the services are
        # what is chosen from
        lists = (
            (self.documents, self.DOCUMENTS_HEIGHT, self.DOCUMENTS_LEAST),
            (self.services, self.SERVICES_HEIGHT, self.SERVICES_LEAST),
        )
        for widget, usual, _least in lists:
            widget.setMinimumHeight(usual)
        layout.activate()
        need = layout.heightForWidth(width) if layout.hasHeightForWidth() else 0
        over = need - within_screen(self, QSize(width, need)).height()
        for widget, usual, least in lists:
            if over <= 0:
                break
            given = min(over, usual - least)
            widget.setMinimumHeight(usual - given)
            over -= given
            layout.activate()
            need = layout.heightForWidth(width) if layout.hasHeightForWidth() else 0
        return need

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the new-document field adds the document (returnPressed); the line edit
        # passes it on too, where it would create the letter at once.
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.focusWidget() is self.new_document:
            event.accept()
            return
        searching = self.focusWidget() is self.search
        typed = searching and bool(self.search.text().strip())
        if enter and typed and not self.service_id() and self.services.count():
            # A search finding several chose none, and Enter only said the service was
            # missing: it chooses the first found now, as a completion list does, and the
            # typing stays in the search so the choice is seen (and changed by the arrows)
            # before a second Enter makes the letter. Not with nothing typed: the first of
            # the whole directory is no choice.
            self.services.setCurrentRow(0)
            self.services.scrollToItem(self.services.currentItem())
            event.accept()
            return
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()), 0)
        if step and searching and self.services.count():
            # The arrows choose among the services found while the typing goes on, as in a
            # completion list: a search finding several chose none, and Enter then refused.
            row = self.services.currentRow()
            row = 0 if row < 0 else min(max(row + step, 0), self.services.count() - 1)
            self.services.setCurrentRow(row)
            event.accept()
            return
        super().keyPressEvent(event)

    # --- services, reasons, documents ------------------------------------------------------
    def _fill_services(self, query: str) -> None:
        current = self.service_id()
        lang = current_language()
        self.services.blockSignals(True)
        self.services.clear()
        found = self.directory.search(query)
        first = [service for service in self.suggested if service in found]
        for service in first + [service for service in found if service not in first]:
            text = service.name.get(lang)
            if service.german_name not in text:
                text += f" — {service.german_name}"
            topics = ", ".join(self.directory.topics[t].get(lang) for t in service.topics)
            accepted = _("Next step accepted, not referred yet") if service in first else ""
            if accepted:
                text = f"→ {text}"
                topics = f"{accepted}\n{topics}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, service.id)
            item.setToolTip(topics)
            if accepted:  # what the arrow says, for a screen reader
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, accepted)
            self.services.addItem(item)
            if service.id == current:
                self.services.setCurrentItem(item)
        self.services.blockSignals(False)
        if self.services.currentItem() is None and self.services.count() == 1:
            self.services.setCurrentRow(0)
        elif self.service_id() != current:
            # the service chosen is no longer found, so none is chosen: its address, reasons
            # and documents went on showing (the list was cleared without a word)
            self._on_service_changed(None, None)

    def _on_search_text_changed(self, text: str) -> None:
        self._fill_services(text)

    def service_id(self) -> str:
        item = self.services.currentItem() if hasattr(self, "services") else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def select_service(self, service_id: str) -> None:
        for row in range(self.services.count()):
            if self.services.item(row).data(Qt.ItemDataRole.UserRole) == service_id:
                self.services.setCurrentRow(row)
                return

    def _on_service_changed(self, current: QListWidgetItem | None, _previous: Any) -> None:
        service = self.directory.find(self.service_id()) if current is not None else None
        self.directory_notice.show_message("")  # said of the service chosen before
        self.form.setRowVisible(self.directory_notice, False)
        lang = current_language()
        self.reason.blockSignals(True)
        self.reason.clear()  # none chosen: the placeholder says to choose a service first
        if service is not None:
            self.reason.addItem(_("— please choose —"), "")
            for reason in self.texts.reasons_for(service.topics):
                self.reason.addItem(reason.label.get(lang), reason.id)
            # the reason of the next step accepted for it, else that of its main topic
            suggested = self.texts.reason_for_steps(
                self.suggested_steps.get(service.id, ()), service.topics
            ) or self.texts.suggested_reason(service.topics)
            if suggested is not None:  # else "please choose": no reason the service misfits
                self.reason.setCurrentIndex(self.reason.findData(suggested.id))
        self.reason.blockSignals(False)
        self._on_reason_changed()
        self.documents.clear()
        if service is not None:
            self.documents.blockSignals(True)  # one note for the whole list, below
            for document in documents_to_bring(service.documents, self.facts):
                self._add_document(self.directory.document_label(document, lang), document)
            self.documents.blockSignals(False)
            self.service_info.setText(self._service_info_text(service))
        else:
            self.service_info.setText("")
        self.form.setRowVisible(self.service_info, service is not None)
        self._show_consent(service)
        self.fit_height()  # its address and the consent's warning may wrap, or take fewer lines
        self.errors["service"].show_message("")
        self._check_opening_hours()
        self._show_tax_id_note()

    @staticmethod
    def _service_info_text(service: Service) -> str:
        """Where the service is and when it is open, as the person's copy will say."""
        parts = [
            ", ".join(service.address.lines()) or _("Address not known"),
            service.opening_hours.get(current_language()),
        ]
        if not service.address.street:
            # "Dortmund" alone looked like an address: the person's copy says the exact
            # address is not known yet and to ask us, and the advisor should know it
            parts.append(_("no street in the directory: the person's copy says to ask you"))
        return " · ".join(p for p in parts if p)

    def _on_sync_finished(self, result: object) -> None:
        """A sync that brought changes may have brought another service directory: read off
        the UI thread, then shown (``_show_directory``)."""
        if not (isinstance(result, sync_uc.SyncReport) and result.applied):
            return
        store = self.window_.session.store

        def read() -> ServiceDirectory:
            return reference.service_directory(store)

        def current(directory: ServiceDirectory) -> None:
            if shiboken6.isValid(self) and self.isVisible():
                self._show_directory(directory)

        self.window_.tasks.run(read, current, lambda _exc: None)

    def _show_directory(self, directory: ServiceDirectory) -> None:
        """The services listed anew from ``directory``; the chosen one's address and hours as
        they are now, said where they changed (the letter shows them so), or that it is gone.
        The reason, the documents and all typed stay as they are."""
        if directory is self.directory or directory.services == self.directory.services:
            return
        chosen, shown = self.service_id(), self.service_info.text()
        self.directory = directory
        self.suggested = [
            service
            for service_id in self.suggested_steps
            if (service := directory.find(service_id)) is not None
        ]
        self._fill_services(self.search.text())  # keeps the chosen one, where it is still in
        service = directory.find(chosen) if chosen else None
        text = ""
        if chosen and service is None:
            text = _(
                "The service directory was updated meanwhile: the service you chose is no "
                "longer in it. Please choose another."
            )
        elif service is not None:
            self.service_info.setText(self._service_info_text(service))
            self._show_consent(service)
            self._check_opening_hours()
            if self.service_info.text() != shown:
                text = _(
                    "The service directory was updated meanwhile: the address and opening "
                    "hours above are the new ones, as the letter will show them."
                )
        self.directory_notice.show_message(text)
        self.form.setRowVisible(self.directory_notice, bool(text))
        self.fit_height()

    def _check_opening_hours(self, *_args: object) -> None:
        """Warn (not block: the advisor may know better) where the appointment lies outside
        the opening hours the directory has for the service."""
        service = self.directory.find(self.service_id())
        text = ""
        if service is not None and self.has_appointment.isChecked():
            text = opening_hours_warning(service, self.appointment)
        self.hours_warning.show_message(text)
        # as tall as the fields need with it or without it, within the screen's room: grown
        # to make room for it only, the dialog stayed that tall once it had gone, and on a
        # 1280 × 720 screen it grew past the screen's edge
        self.fit_height()

    def _show_consent(self, service: Service | None) -> None:
        if service is None:  # the latest decision, and which services it names
            consent = self.decisions[0] if self.decisions else None
            letter = consent is not None and consent.granted
        else:
            consent = uc.consent_for(self.decisions, service)
            letter = consent is not None and consent.covers
        person = self.person
        name = service.german_name if service is not None else ""
        self.consent_note.setText(
            sharing_text(consent, f"{person.given_name} {person.family_name}", name)
        )
        # amber where only the sheet is printed, as the preview marks a draft
        self.consent_note.setStyleSheet("" if letter else "color: #8a5300; font-weight: bold;")

    def _on_reason_changed(self, _index: int = 0) -> None:
        if self.reason.currentData():  # "required" stayed under a reason chosen since
            self.errors["reason"].show_message("")
        other = self.reason.currentData() == OTHER_REASON
        self.reason_note.setPlaceholderText(
            _("Describe the reason in one sentence, in German (required)")
            if other
            else _("Your own words for the letter (optional)")
        )
        self._show_note_hint()

    def _show_note_hint(self, _index: int = 0) -> None:
        """With the "other" reason the note is the matter itself: say where the person's copy
        leaves it out (it is German; the copy would print it as if in her language)."""
        lang = str(self.client_lang.currentData())
        shown = self.reason.currentData() == OTHER_REASON and not copy_prints_note(lang)
        self.note_hint.setText(
            _(
                "Only in the German letter: the person's copy in {language} says instead that "
                "you discussed the matter with them."
            ).format(language=language_mid_sentence(lang))
            if shown
            else ""
        )
        if self.form.isRowVisible(self.note_hint) != shown:
            self.form.setRowVisible(self.note_hint, shown)
            self.fit_height()

    def _show_tax_id_note(self, *_args: object) -> None:
        """Say under the documents whose Steuer-ID the letter will say is still to come, as
        the documents ticked now make the letter (``steuer_ids_to_follow``): the person's, as
        the life-situation check says they have none, and the children's to the Familienkasse;
        and, in the same place, the children whose Steuer-ID the letter asks for although the
        check does not say whether they have one (``children_steuer_ids_not_known``), so that
        the advisor may ask the person now."""
        service = self.directory.find(self.service_id())
        documents = self.document_values()
        own, children = (
            steuer_ids_to_follow(service, documents, self.facts)
            if service is not None
            else (False, ())
        )
        not_known = (
            children_steuer_ids_not_known(service, documents, self.facts)
            if service is not None
            else ()
        )
        text = " ".join(t for t in (_to_follow_text(own, children), _asked_text(not_known)) if t)
        self.tax_id_note.setText(text)
        if self.form.isRowVisible(self.tax_id_note) != bool(text):
            self.form.setRowVisible(self.tax_id_note, bool(text))
            self.fit_height()

    def _add_document(self, label: str, value: str) -> None:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        self.documents.addItem(item)

    def _on_add_document_clicked(self) -> None:
        text = " ".join(self.new_document.text().split())
        if text:
            self._add_document(text, text)
            self.new_document.clear()

    def _on_remove_document_clicked(self) -> None:
        row = self.documents.currentRow()
        if row >= 0:
            self.documents.takeItem(row)

    def document_values(self) -> tuple[str, ...]:
        return tuple(
            str(self.documents.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.documents.count())
            if self.documents.item(i).checkState() == Qt.CheckState.Checked
        )

    def _entered(self) -> tuple[object, ...]:
        """What Cancel and Escape would throw away (``keeps_input``); not the search: a
        service looked for is quickly found again."""
        return (
            self.service_id(),
            self.reason.currentData(),
            self.reason_note.toPlainText(),
            self.has_appointment.isChecked(),
            self.appointment.dateTime(),
            self.contact.text(),
            self.document_values(),
            self.new_document.text(),
            self.client_lang.currentData(),
        )

    # --- issuing ----------------------------------------------------------------------------
    def _show_errors(self, errors: Sequence[FieldError]) -> None:
        for label in self.errors.values():
            label.show_message("")
        for error in errors:
            label = self.errors.get(error.field, self.errors["letter"])
            label.show_message(field_message(error))
        # within the screen's room, as the opening hours' warning (a message grows the dialog
        # past a short screen's edge, the buttons under it), and no taller once they went
        self.fit_height()
        focus: dict[str, QWidget] = {
            "service": self.search,
            "reason": self.reason,
            "reason_note": self.reason_note,
            "appointment": self.appointment,
            "contact_person": self.contact,
            "documents": self.documents,
        }
        if errors and errors[0].field in focus:
            focus_shown(focus[errors[0].field])

    def issue(self) -> None:
        """Issue the referral on a worker thread (``save``): the answer closes the dialog and
        announces the referral, or shows what to correct."""
        appointment: dt.datetime | None = None
        if self.has_appointment.isChecked():
            appointment = appointment_value(self.appointment)
        session = self.window_.session
        store, user, person_id = session.store, session.user, self.person.id
        service_id, reason = self.service_id(), str(self.reason.currentData() or "")
        contact, documents = self.contact.text(), self.document_values()
        client_lang, note = str(self.client_lang.currentData()), self.reason_note.toPlainText()
        self.save.start(
            lambda: uc.issue_referral(
                store,
                user,
                person_id,
                service_id,
                reason,
                appointment=appointment,
                contact_person=contact,
                documents=documents,
                client_lang=client_lang,
                reason_note=note,
            ),
            self._on_issued,
            self._on_issue_failed,
        )

    def _on_issued(self, referral: Referral) -> None:
        self._show_errors([])
        self.referral_issued.emit(referral)
        self.accept()

    def _on_issue_failed(self, exc: Exception) -> None:
        if not isinstance(exc, ValidationFailed):
            raise exc  # not one to correct here: the application's error handler
        self._show_errors(exc.errors)

    def reject(self) -> None:
        self.save.dismiss()
        super().reject()


# ------------------------------------------------------------------------------- preview


class LetterEvents(QObject):
    """The main window's notice board for letters: whatever queues, prints, removes or makes a
    queued letter again, anywhere in the window (a preview, Print all, a sync), says so here,
    and an open print-queue window lists the queue anew; a sign-off is said here too, for the
    person's referrals. A preview cannot tell them itself: it may be closed (and deleted)
    before its answer comes."""

    queue_changed = Signal()
    signed_off = Signal(object)  # Referral


def letter_events(window: QWidget) -> LetterEvents:
    """The letters' notice board of ``window`` (made the first time it is asked for)."""
    events = window.findChild(LetterEvents, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return events if events is not None else LetterEvents(window)


def changed_since_issue_text(letter: uc.Letter | uc.PrintJob) -> str:
    """One line where the directory describes the service of a letter given before otherwise
    now, or no longer has it: the letter shows what was given, a new referral the entry as it
    is. "" where not. The preview says it above the letter, the print queue of a reprint."""
    changed = letter.changed_since_issue
    if not changed or letter.issued_on is None:
        return ""
    date = format_long_date(letter.issued_on)
    if NOT_KEPT in changed:
        text = _(
            "The service is no longer in the directory. The letter shows it as it was given "
            "on {date}, but without what depends on the service's topics and the documents it "
            "asks for: those were not kept with the letter and are not known. No new referral "
            "can be made to it."
        )
    elif TAKEN_OUT in changed:
        text = _(
            "The service is no longer in the directory. The letter shows it as it was given "
            "on {date}; no new referral can be made to it."
        )
    elif changed == ("documents",):  # or the catalogue's labels of those it listed
        text = _(
            "The documents the service asks for, or their names, have changed since this "
            "letter was issued on {date}. The letter lists them as given then. For the new "
            "list, make a new referral."
        )
    elif changed == ("topics",):
        text = _(
            "The service's topics have changed since this letter was issued on {date}. The "
            "letter says of the person what it said then. For what the service handles now, "
            "make a new referral."
        )
    elif set(changed) == {"topics", "documents"}:
        text = _(
            "The service's topics and the documents it asks for have changed since this "
            "letter was issued on {date}. The letter shows them as given then. For the new "
            "ones, make a new referral."
        )
    elif changed == ("address",):
        text = _(
            "The service's address has changed since this letter was issued on {date}. The "
            "letter shows the address given then. For the new address, make a new referral."
        )
    elif "address" in changed:
        text = _(
            "The service's address and other details have changed since this letter was "
            "issued on {date}. The letter shows them as given then. For the new ones, make a "
            "new referral."
        )
    elif set(changed) <= {"name", "consent_names", "opening_hours", "contact", "languages"}:
        # the short names a consent may name the service by are among its names
        text = _(
            "The service's details (name, opening hours, contact or languages) have changed "
            "since this letter was issued on {date}. The letter shows them as given then. For "
            "the new ones, make a new referral."
        )
    else:  # some of those, and its topics or documents
        text = _(
            "The service's details, its topics or the documents it asks for have changed "
            "since this letter was issued on {date}. The letter shows them as given then. For "
            "the new ones, make a new referral."
        )
    return text.format(date=date)


class LetterPreview(QDialog):
    """The letter as it will print, shown from memory, with Print / Save / Queue."""

    loaded = Signal(bool)  # True when the letter could be rendered
    queued = Signal(str)  # print job id
    signed_off = Signal(object)  # Referral

    def __init__(
        self, window: MainWindow, referral: Referral, client_lang: str | None = None
    ) -> None:
        super().__init__(window)
        self.window_ = window
        self.referral = referral
        self.client_lang = client_lang or uc.referral_language(
            window.session.store, window.session.user, referral.id
        )
        self.pdf: bytes = b""
        #: the letter shown, with the fingerprint of what it was made from
        self.letter: uc.Letter | None = None
        self.document: Any = None
        # Without the person's consent to this service the letter to it is left out (usecase):
        # the letter made says whether it is in.
        self.sheet_only = False
        self.setWindowTitle(_("Referral letter {reference}").format(reference=referral.reference))
        self.resize(within_screen(self, QSize(760, 680)))  # the pages scroll
        self.message = QLabel(_("Preparing the letter…"))
        self.message.setWordWrap(True)
        self.language = QComboBox()
        for code in CLIENT_LANGUAGES:
            self.language.addItem(language_name(code), code)
        self.language.setCurrentIndex(max(self.language.findData(self.client_lang), 0))
        self.language.currentIndexChanged.connect(self._on_language_changed)
        top = QHBoxLayout()
        top.addStretch(1)
        language_label = QLabel(_("&Language of the person's copy:"))
        language_label.setBuddy(self.language)
        top.addWidget(language_label)
        top.addWidget(self.language)
        # Said when Print or Save found the letter changed since it was shown: it shows the
        # letter made again instead, to be looked at before it is printed.
        self.notice = WarningLabel()
        # Said of a letter given before whose service the directory describes otherwise now:
        # the letter shows what was given (uc.Letter.changed_since_issue).
        self.as_issued = WarningLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        # The message in a row of its own, the dialog's width: beside the language (some
        # 360 px in German) a helper's draft message took five lines and more.
        layout.addWidget(self.message)
        layout.addWidget(self.as_issued)
        layout.addWidget(self.notice)
        self.view: Any = None
        if HAVE_QTPDF:
            self.view = QPdfView(self)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.view.setAccessibleName(_("Letter"))  # what a screen reader calls it
            layout.addWidget(self.view, 1)
        else:
            layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = self.buttons.addButton(
            _("&Print…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_button = self.buttons.addButton(
            _("Save as P&DF…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.queue_button = self.buttons.addButton(
            _("Add to print &queue"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.sign_button = self.buttons.addButton(
            _("&Sign off"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.sign_button.setToolTip(
            _(
                "Prepared by a helper: as an advisor you confirm the referral, then it can be "
                "printed."
            )
        )
        # a closed draft cannot be signed off (uc.sign_off): its letter does not leave the app
        self.sign_button.setVisible(
            not referral.signed_off
            and referral.status is not ReferralStatus.CLOSED
            and allowed(window.session.user, Action.SIGN_REFERRAL)
        )
        self.sign_button.clicked.connect(self._on_sign_clicked)
        for button in (self.print_button, self.save_button, self.queue_button):
            button.setEnabled(False)
        self.print_button.clicked.connect(self._on_print_clicked)
        # Ctrl+P prints, as in any program (a greyed Print ignores it, as it does a click).
        QShortcut(PRINT_KEY, self, self.print_button.click)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.queue_button.clicked.connect(self._on_queue_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        tab_buttons_as_shown(self.buttons)
        self._generation = 0
        self._checking = False  # Print or Save is checking the letter is current
        self._queueing = False  # the letter shown is being queued, or is queued
        self._render()

    def _render(self) -> None:
        """Render the letter off the UI thread; a newer request makes older results stale."""
        self._generation += 1
        generation = self._generation
        self.pdf, self.letter = b"", None
        self._checking = False  # its answer is stale now: it prints or saves nothing
        self._queueing = False  # another letter (language): it may be queued too
        self.notice.show_message("")
        self.as_issued.show_message("")
        for button in (self.print_button, self.save_button, self.queue_button):
            button.setEnabled(False)
        self.queue_button.setText(_("Add to print &queue"))
        self.message.setText(_("Preparing the letter…"))
        self.message.setToolTip("")
        self.message.setStyleSheet("")
        store, referral_id, lang = self.window_.session.store, self.referral.id, self.client_lang
        user = self.window_.session.user

        def current() -> bool:
            # Closed before the letter was ready, the preview is gone (deleted on close): its
            # result went to a deleted dialog and raised.
            return shiboken6.isValid(self) and generation == self._generation

        self.window_.tasks.run(
            lambda: uc.make_letter(store, user, referral_id, lang),
            lambda letter: self._on_rendered(letter) if current() else None,
            lambda exc: self._on_render_failed(exc) if current() else None,
        )

    def _on_language_changed(self, _index: int) -> None:
        self.client_lang = str(self.language.currentData())
        self._render()

    def _on_rendered(self, letter: uc.Letter) -> None:
        self.letter, self.pdf = letter, letter.pdf
        self.as_issued.show_message(changed_since_issue_text(letter))
        # by the consent as it is now (it may have come or gone with a sync)
        self.sheet_only = not letter.to_service
        if HAVE_QTPDF:
            previous, self.document = self.document, _load_pdf(letter.pdf, self)
            self.view.setDocument(self.document)
            if previous is not None:
                previous.deleteLater()
            pages = self.document.pageCount()
            self.message.setText(
                ngettext("{count} page", "{count} pages", pages).format(count=format_number(pages))
            )
            if self.sheet_only:
                self.message.setText(
                    ngettext(
                        "{count} page: the person's own sheet only.",
                        "{count} pages: the person's own sheet only.",
                        pages,
                    ).format(count=format_number(pages))
                    + " "
                    + sheet_only_reason(
                        letter.consent,
                        letter.service_name,
                        not_known_since=letter.issued_on if letter.consent_not_known else None,
                    )
                )
        else:
            self.message.setText(
                _("The preview needs the Qt PDF module; you can still save or queue the letter.")
            )
        if letter.closed:  # shown to be looked at; it leaves the app no more
            self._show_closed(
                _(
                    "This referral is closed. Its letter is only shown here: it is not "
                    "printed, saved or added to the print queue."
                )
            )
            self.loaded.emit(True)
            return
        if not self.referral.signed_off:
            text = _(
                "A draft: an advisor must sign this referral off before the letter can be "
                "printed or saved."
            )
            tip = ""
            if not allowed(self.window_.session.user, Action.SIGN_REFERRAL):
                # A helper has no Sign off button: where the draft waits, and where an advisor
                # finds it (it said only that an advisor must, and the helper was left to
                # wonder whether the draft was kept at all). Advisors find the drafts of
                # everyone in one list, not on each person's tab. Said in two or three lines
                # above the letter: it took seven or eight, the letter's top out of view; all
                # of it, with the path in German for the advisor the helper tells it to, in
                # the tooltip.
                tab = plain(_("Referrals"))
                tip = (
                    text
                    + " "
                    + _(
                        "It is kept in the person's “{tab}” tab. Advisors find it among the "
                        "letters to sign off, on this laptop or on theirs after a sync: under "
                        "{path}, or from the notice in the main window that says how many wait."
                    ).format(tab=tab, path=menu_path_elsewhere("&Person", "Letters to si&gn off…"))
                )
                text = _(
                    "A draft, kept in the “{tab}” tab: an advisor signs it off under {path}, "
                    "here or on their laptop after a sync. Then it can be printed."
                ).format(tab=tab, path=menu_path("&Person", "Letters to si&gn off…"))
            self.message.setText(text)
            self.message.setToolTip(tip)
            self.message.setStyleSheet("color: #8a5300;")
            self.loaded.emit(True)
            return
        self._enable_output()
        self.loaded.emit(True)

    def _show_closed(self, text: str) -> None:
        """The referral is closed: the letter stays on screen, and nothing of it leaves the
        app, not even a PDF for the file (why: ``uc.current_letter``), as the print queue
        withdraws a closed referral's letter."""
        for button in (self.print_button, self.save_button, self.queue_button):
            button.setEnabled(False)
        self.sign_button.setVisible(False)  # closed, a draft stays one (uc.sign_off refuses)
        self.notice.show_message(text)

    def _closed_meanwhile(self) -> None:
        self._show_closed(closed_meanwhile_text())

    def _enable_output(self) -> None:
        self.print_button.setEnabled(HAVE_QTPDF)
        self.save_button.setEnabled(True)
        self.queue_button.setEnabled(not self._queueing)

    def _on_render_failed(self, exc: Exception) -> None:
        if isinstance(exc, LetterError):
            text = letter_error_message(exc)
        elif isinstance(exc, uc.ReferralNotFound):  # erased meanwhile (a sync)
            text = _(
                "The letter cannot be made any more: the referral is no longer in the records "
                "(the person's data was erased)."
            )
        else:
            text = failure_message(exc, _("The letter could not be made."))
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;")
        self.loaded.emit(False)

    def _on_sign_clicked(self) -> None:
        store, user, referral_id = (
            self.window_.session.store,
            self.window_.session.user,
            self.referral.id,
        )
        self.sign_button.setEnabled(False)  # until the sign-off is stored (a sync may hold it)
        self.window_.record(
            lambda: uc.sign_off(store, user, referral_id), self._on_signed, self._on_sign_failed
        )

    def _on_signed(self, referral: Referral) -> None:
        self.window_.statusBar().showMessage(_("Referral signed off."), 5000)
        letter_events(self.window_).signed_off.emit(referral)  # also when closed meanwhile
        if not shiboken6.isValid(self):  # closed meanwhile (deleted on close)
            return
        self.referral = referral
        self.sign_button.setVisible(False)
        self.signed_off.emit(self.referral)
        self._render()

    def _on_sign_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):  # closed meanwhile (deleted on close)
            if isinstance(exc, uc.ReferralClosed):
                self.window_.statusBar().showMessage(closed_meanwhile_text(), 10000)
            else:
                self.window_._on_task_failed(exc)
            return
        if isinstance(exc, uc.ReferralClosed):  # here or by a sync, since the preview opened
            self._render()  # the letter as it is now: closed, no longer a draft to sign off
            return
        self.sign_button.setEnabled(True)
        self.window_._on_task_failed(exc)

    def _record(self, via: str, shown: uc.Letter) -> None:
        """That the letter ``shown`` went out (printed, saved) is written for the audit, in the
        window's order, off the UI thread; the first letter given, what it says of the service
        is kept with the referral (uc.record_letter_output)."""
        session, referral_id, lang = self.window_.session, self.referral.id, self.client_lang
        self.window_.record(
            lambda: uc.record_letter_output(
                session.store, session.user, referral_id, via, lang, shown=shown
            )
        )

    def _on_print_clicked(self) -> None:
        self._when_current(self._print)

    def _print(self) -> None:
        shown = self.letter  # the letter checked current (_when_current) is the one printed
        if print_letters(self, [self.pdf]) and shown is not None:
            self._record("print", shown)
            self.window_.statusBar().showMessage(_("Letter printed."), 5000)

    def suggested_file_name(self) -> str:
        """The reference number only, never the person's name: a file's name is seen in
        folder listings, recent-file lists and backups that the app's encryption does not
        reach, and the letter itself says whose it is (architecture.md, at rest 1)."""
        return f"{self.referral.reference}.pdf"

    def _on_save_clicked(self) -> None:
        self._when_current(self._save)

    def _when_current(self, then: Callable[[], None]) -> None:
        """Print or save the letter shown, once a check off the UI thread found it still
        current. Where the referral, the service's entry or the person's consent changed since
        it was made (a sync while the preview was open), the preview shows the letter made
        again and says so, and nothing leaves the app: the user prints what they have seen."""
        shown = self.letter
        if shown is None or self._checking:
            return
        self._checking = True
        for button in (self.print_button, self.save_button, self.queue_button):
            button.setEnabled(False)  # until the answer: one click, one letter
        generation = self._generation
        store, user = self.window_.session.store, self.window_.session.user

        def stale() -> bool:
            # closed meanwhile (deleted on close), or another language or a sign-off renders
            # the letter anew: the answer goes to nobody
            return (
                not shiboken6.isValid(self) or generation != self._generation or not self._checking
            )

        def checked(letter: uc.Letter) -> None:
            if stale():
                return
            self._checking = False
            if letter.pdf != shown.pdf:
                self._on_rendered(letter)
                self.notice.show_message(
                    _(
                        "The letter was made again: the referral, the service's details or the "
                        "person's consent changed since it was shown. Check it, then print or "
                        "save it."
                    )
                )
                return
            self.letter = letter
            self._enable_output()
            then()

        def failed(exc: Exception) -> None:
            if stale():
                return
            self._checking = False
            self.letter = None  # the letter shown cannot be made now: it does not leave
            if isinstance(exc, uc.ReferralClosed):  # here or by a sync, since it was shown
                self._closed_meanwhile()
                return
            self._on_render_failed(exc)

        self.window_.tasks.run(lambda: uc.current_letter(store, user, shown), checked, failed)

    def _save(self) -> None:
        # the letter saved is the one shown now: the file dialog does not wait, and another
        # language chosen meanwhile shows another letter
        shown = self.letter
        if shown is not None:
            save_letter(
                self,
                self.pdf,
                self.suggested_file_name(),
                lambda path: self._on_saved(path, shown),
            )

    def _on_saved(self, path: Path, shown: uc.Letter) -> None:
        self._record("pdf", shown)
        self.window_.statusBar().showMessage(
            _("Letter saved as {file}.").format(file=path.name), 5000
        )

    def _on_queue_clicked(self) -> None:
        session, referral_id, lang = self.window_.session, self.referral.id, self.client_lang
        self.queue_button.setEnabled(False)  # until the job is stored (a sync may hold it)
        self._queueing = True
        # The letter queued is the one of this generation: another language chosen meanwhile
        # shows another letter, whose button the answer must leave alone.
        generation = self._generation
        self.window_.record(
            # rendered again there: a sync may have changed the referral since the preview
            lambda: uc.queue_for_printing(session.store, session.user, referral_id, lang),
            lambda job: self._on_queued(job, generation),
            lambda exc: self._on_queue_failed(exc, generation),
        )

    def _on_queued(self, job: str, generation: int) -> None:
        self.window_.statusBar().showMessage(_("Letter added to the print queue."), 5000)
        letter_events(self.window_).queue_changed.emit()  # also when the preview was closed
        if not shiboken6.isValid(self):  # closed meanwhile (deleted on close)
            return
        if generation == self._generation:
            self.queue_button.setText(_("In the print queue"))
        self.queued.emit(job)

    def _on_queue_failed(self, exc: Exception, generation: int) -> None:
        valid = shiboken6.isValid(self)  # else closed meanwhile (deleted on close)
        if isinstance(exc, uc.ReferralClosed):  # closed for the letter in any language
            if valid:
                self._closed_meanwhile()
            else:
                self.window_.statusBar().showMessage(closed_meanwhile_text(), 10000)
            return
        if not valid:
            self.window_._on_task_failed(exc)
            return
        if generation == self._generation:  # else the new letter's button is as it should be
            self._queueing = False
            self.queue_button.setEnabled(True)
        self.window_._on_task_failed(exc)


def closed_meanwhile_text() -> str:
    return _(
        "The referral was closed meanwhile (here or on another laptop). The letter is not "
        "printed, saved or added to the print queue."
    )


# ------------------------------------------------------------------------------- status


def history_lines(store: Store, user: Any, referral: Referral) -> list[str]:
    """Every status step of ``referral``, oldest first: date, status, who, outcome, what it did
    to the appointment. Read as part of the person's referrals, whose view was logged."""
    lines: list[str] = []
    before: ReferralStatus | None = None
    steps = uc.status_history(store, user, referral.id, log_view=False)
    # A helper's referral signed off later: who answers for its letter, and since when, among
    # the steps (an advisor's own is signed off as it is issued, which its first step says).
    # Told apart by what the referral says it was issued as, not by the sign-off's time and
    # name: a draft signed off within the second by an advisor of the helper's name looked
    # like an advisor's own.
    signed_at = referral.signed_off_at
    sign_off = signed_at is not None and referral.issued_as_draft
    for step, laptop in zip(steps, uc.step_laptops(store, steps), strict=True):
        if sign_off and signed_at is not None and signed_at < step.at:
            lines.append(_signed_off_line(referral))
            sign_off = False
        what = status_label(step.status)
        if step.appointment_change:
            moved = appointment_step(step.appointment_change, step.appointment)
            # a step that only moved the appointment says that, not the status again
            what = moved if step.status is before else f"{what} · {moved}"
        line = f"{_date(step.at)}  {what}"
        if step.by and laptop:
            who = _("{user}, laptop “{laptop}”").format(user=step.by, laptop=laptop)
            line += f" ({who})"
        elif step.by:
            line += f" ({step.by})"
        if step.outcome:
            line += f": {step.outcome}"
        lines.append(line)
        before = step.status
    if sign_off:
        lines.append(_signed_off_line(referral))
    return lines


def _signed_off_line(referral: Referral) -> str:
    signed = _("Letter signed off")
    line = f"{_date(referral.signed_off_at)}  {signed}"
    return f"{line} ({referral.signed_off_by})" if referral.signed_off_by else line


def appointment_step(change: str, appointment: dt.datetime | None) -> str:
    """What a history step did to the appointment, in the UI language."""
    when = format_appointment(appointment) if appointment is not None else ""
    return _(APPOINTMENT_CHANGE[change]).format(when=when)


class StatusDialog(QDialog):
    """Move a referral on: new status, outcome, the appointment (often arranged only after the
    letter was issued), next follow-up date."""

    def __init__(self, parent: QWidget, store: Store, referral: Referral, user: Any) -> None:
        super().__init__(parent)
        self.store = store
        self.referral = referral
        self.user = user
        self.setWindowTitle(_("Referral status"))
        order = list(ReferralStatus)
        self.status = QComboBox()
        for status in order[order.index(referral.status) :]:
            self.status.addItem(status_label(status), status.value)
        # Opened on the status it has: on the next one, Enter alone moved an attended referral
        # on to "Outcome noted" with no outcome, and an advisor who only moved the follow-up
        # date had to choose the status it had again first.
        self.status.setCurrentIndex(0)
        self.outcome = QPlainTextEdit(referral.outcome)
        self.outcome.setMaximumHeight(80)
        self.outcome.setTabChangesFocus(True)  # Tab leaves the note, as everywhere else
        self.has_follow_up = QCheckBox(_("&Follow up on"))
        self.follow_up = QDateEdit()
        self.follow_up.setCalendarPopup(True)
        self.follow_up.setDisplayFormat("dd.MM.yyyy")
        # Named by the check box beside it, which a screen reader does not relate to it.
        self.follow_up.setAccessibleName(_("Follow-up date"))
        start = referral.follow_up or dt.date.today() + dt.timedelta(days=14)
        self.follow_up.setDate(QDate(start.year, start.month, start.day))
        self.has_follow_up.setChecked(referral.follow_up is not None)
        self.follow_up.setEnabled(referral.follow_up is not None)
        self.has_follow_up.toggled.connect(self.follow_up.setEnabled)
        # A date the user picks here is theirs: a later appointment no longer moves it.
        self._follow_up_typed = False
        # So is the tick: a status chosen afterwards no longer sets it (``_on_status_chosen``).
        self._follow_up_ticked = False
        self.has_follow_up.toggled.connect(self._on_follow_up_ticked)
        self._proposing = False
        # what the proposal starts from each time, so that it follows the appointment as it
        # is typed (tomorrow at 9:00 when ticked, then the date meant) and goes back unticked
        self._follow_up_start = start
        self.follow_up.dateChanged.connect(self._on_follow_up_edited)
        row = QHBoxLayout()
        row.addWidget(self.has_follow_up)
        row.addWidget(self.follow_up, 1)
        # As the refer dialog takes it; unticked, the referral has no appointment (yet).
        self.has_appointment = QCheckBox(_("Appointment agreed"))
        self.appointment = appointment_field(referral.appointment)
        self.has_appointment.setChecked(referral.appointment is not None)
        self.appointment.setEnabled(referral.appointment is not None)
        self.has_appointment.toggled.connect(self.appointment.setEnabled)
        self.no_date = QLabel(_("Date not known yet"))
        self.no_date.setStyleSheet("color: #555;")
        self.service = reference.service_directory(store).find(referral.service_id)
        self.hours_warning = WarningLabel()
        self.has_appointment.toggled.connect(self._on_appointment_changed)
        self.appointment.dateTimeChanged.connect(self._on_appointment_changed)
        self.status.currentIndexChanged.connect(self._on_appointment_changed)
        self.has_appointment.toggled.connect(self._propose_follow_up)
        self.appointment.dateTimeChanged.connect(self._propose_follow_up)
        self.has_follow_up.toggled.connect(self._propose_follow_up)
        appointment_row = QHBoxLayout()
        appointment_row.addWidget(self.has_appointment)
        appointment_row.addWidget(self.appointment, 1)
        appointment_row.addWidget(self.no_date)
        appointment_label = QLabel(_("A&ppointment:"))
        appointment_label.setBuddy(self.has_appointment)
        self.has_appointment.setAccessibleName(_("Appointment agreed"))
        self.error = ErrorLabel()
        # The steps so far, here too: the status cell's tooltip showed them to the mouse only.
        steps = history_lines(store, user, referral)
        self.history = QLabel("\n".join(steps))
        self.history.setWordWrap(True)
        # A step with its appointment ("Appointment moved to Thu, 10 Dec 2026, 13:30") on one
        # line where the screen has room: wrapped at the dialog's narrow width it read as two.
        metrics = self.history.fontMetrics()
        longest = max((metrics.horizontalAdvance(step) for step in steps), default=0)
        self.history.setMinimumWidth(min(longest + 2, metrics.averageCharWidth() * 100))
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        # Not a buddy: the history takes no focus, a key of its label would lead nowhere.
        form.addRow(QLabel(_("History:")), self.history)
        form.addRow(_("&Status:"), self.status)
        # "Outcome noted" with none written is refused here, at the field (uc.change_status).
        self.outcome_error = ErrorLabel()
        outcome_label = QLabel(_("&Outcome:"))
        outcome_label.setBuddy(self.outcome)  # a row of a layout gets no buddy of its own
        form.addRow(outcome_label, with_error(self.outcome, self.outcome_error))
        # The warning in the appointment's row, under it: a row of its own took the form's
        # spacing besides its own height (see with_error).
        form.addRow(appointment_label, with_error(appointment_row, self.hours_warning))
        form.addRow("", row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.apply)
        self.save = DialogSave(self, self.buttons)
        # Escape pressed by reflex threw away the outcome just typed
        self.keeps_input = KeepsInput(self, self._entered)
        self.buttons.rejected.connect(self.keeps_input.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(f"{referral.reference} · {service_name(referral.service_id, store)}")
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._on_appointment_changed()
        self.status.currentIndexChanged.connect(self._on_status_chosen)
        self._on_status_chosen()
        # Ticking "Appointment agreed" on a referral only issued moves the status to
        # "Appointment made" with it, unless the user chose a status here: with the dialog
        # opening on the status it has, an advisor who noted the date the job centre gave
        # saved it as still "issued" (the follow-ups list and the report's counts with it).
        self._status_by_tick = False
        self._status_picked = False
        self.status.activated.connect(self._on_status_picked)
        self.has_appointment.toggled.connect(self._on_appointment_ticked)
        # Saved as it was opened, nothing is written: no step repeating the status in the
        # history, no new revision to sync.
        self._opened_with = self._entered()

    def sizeHint(self) -> QSize:
        """As tall as the layout is at the hint's width: Qt's own hint counts the wrapped
        opening-hours warning as if it were narrow, and in Bulgarian its three lines stood
        over a gap of some 40 px before the follow-up."""
        hint = super().sizeHint()
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return hint
        return QSize(hint.width(), layout.heightForWidth(hint.width()))

    def _entered(self) -> tuple[object, ...]:
        """What Cancel and Escape would throw away (``keeps_input``)."""
        return (
            self.status.currentData(),
            self.outcome.toPlainText(),
            self.has_appointment.isChecked(),
            self.appointment.dateTime(),
            self.has_follow_up.isChecked(),
            self.follow_up.date(),
        )

    def set_status(self, status: ReferralStatus) -> None:
        self.status.setCurrentIndex(max(self.status.findData(status.value), 0))

    def _on_appointment_changed(self, *_args: object) -> None:
        """The status "Appointment made" with no date ticked is allowed (the date may come
        later): said beside the field; an appointment outside the service's hours is warned
        about."""
        agreed = self.has_appointment.isChecked()
        # Only while the appointment is what is awaited: attended or closed, a missing date is
        # history (a closed referral may never have had one), not something still to come.
        status = ReferralStatus(str(self.status.currentData()))
        made = status is ReferralStatus.APPOINTMENT_MADE
        self.no_date.setVisible(made and not agreed)
        text = ""
        # Nor is an attended appointment to be checked against the opening hours: "Please
        # check the date and time" stood under one that had taken place.
        ahead = status in (ReferralStatus.ISSUED, ReferralStatus.APPOINTMENT_MADE)
        if agreed and ahead and self.service is not None:
            text = opening_hours_warning(self.service, self.appointment)
        shown = self.hours_warning.isVisibleTo(self)
        self.hours_warning.show_message(text)
        if shown and not text:
            # The room the warning took goes again (a Saturday passed on the way to the date
            # meant left a gap between the appointment and the follow-up).
            layout = self.layout()
            if layout is None:
                return
            layout.activate()
            need = (
                layout.heightForWidth(self.width())
                if layout.hasHeightForWidth()
                else layout.sizeHint().height()
            )
            if self.height() > need:
                self.resize(self.width(), need)

    def _on_follow_up_edited(self, _date: QDate) -> None:
        if not self._proposing:
            self._follow_up_typed = True

    def _on_follow_up_ticked(self, _ticked: bool) -> None:
        if not self._proposing:
            self._follow_up_ticked = True

    def _on_status_picked(self, *_args: object) -> None:
        self._status_picked = True  # the user's own choice (``activated``: never by the code)

    def _on_appointment_ticked(self, agreed: bool) -> None:
        """A date agreed for a referral only issued: "Appointment made" is chosen with it (and
        unchosen with the tick), never over a status the user picked in this dialog."""
        if self._status_picked or self.referral.status is not ReferralStatus.ISSUED:
            return
        if agreed and self.status.currentData() == ReferralStatus.ISSUED.value:
            self._status_by_tick = True
            self.status.setCurrentIndex(self.status.findData(ReferralStatus.APPOINTMENT_MADE.value))
        elif not agreed and self._status_by_tick:
            self._status_by_tick = False
            self.status.setCurrentIndex(self.status.findData(ReferralStatus.ISSUED.value))

    def _on_status_chosen(self, *_args: object) -> None:
        """With the outcome noted, a follow-up whose day has come is done: unticked, unless
        the user ticked or unticked it here. It stayed ticked at its past day, and a referral
        whose outcome a coordinator had just recorded from the follow-ups due stayed among
        them, as overdue as before (and in the report's overdue count)."""
        if self._follow_up_ticked or not self.referral.follow_up_due(dt.date.today()):
            return
        # Only as the outcome is noted now: one noted before, whose follow-up the user kept
        # ticked to hear again, keeps it as it is (the dialog opens on the status it has).
        noted = (
            self.status.currentData() == ReferralStatus.OUTCOME_NOTED.value
            and self.referral.status is not ReferralStatus.OUTCOME_NOTED
        )
        self._proposing = True
        try:
            self.has_follow_up.setChecked(not noted)
        finally:
            self._proposing = False

    def _propose_follow_up(self, *_args: object) -> None:
        """An appointment set or moved past the (ticked) follow-up date: propose the date the
        referral would have got had the appointment been known at issue, in the field, where
        the user can still change it; never over a date they picked in this dialog."""
        if not self.has_follow_up.isChecked() or self._follow_up_typed:
            return
        proposed = self._follow_up_start
        if self.has_appointment.isChecked():
            appointment = appointment_value(self.appointment)
            if proposed < appointment.date():
                proposed = default_follow_up(self.referral.created_at, appointment)
        self._proposing = True
        try:
            self.follow_up.setDate(QDate(proposed.year, proposed.month, proposed.day))
        finally:
            self._proposing = False

    def apply(self) -> None:
        """Change the status on a worker thread (``save``): the answer closes the dialog, or
        shows what to correct. Nothing changed: closed, nothing written."""
        if self._entered() == self._opened_with:
            self.accept()
            return
        follow_up = None
        if self.has_follow_up.isChecked():
            value = self.follow_up.date().toPython()
            assert isinstance(value, dt.date)
            follow_up = value
        appointment = None
        if self.has_appointment.isChecked():
            appointment = appointment_value(self.appointment)
        store, user, shown = self.store, self.user, self.referral
        status, outcome = ReferralStatus(str(self.status.currentData())), self.outcome.toPlainText()
        self.save.start(
            lambda: uc.change_status(
                store,
                user,
                shown.id,
                status,
                outcome,
                follow_up=follow_up,
                clear_follow_up=follow_up is None,
                appointment=appointment,
                clear_appointment=appointment is None,
                base=shown,  # what a sync changed meanwhile and the user did not stays
            ),
            self._on_changed,
            self._on_change_failed,
        )

    def _on_changed(self, changed: Referral) -> None:
        self.referral = changed
        self.accept()

    def _on_change_failed(self, exc: Exception) -> None:
        self.outcome_error.show_message("")
        self.error.show_message("")
        if isinstance(exc, ValidationFailed):
            error = exc.errors[0]
            if error.field == "outcome":
                self.outcome_error.show_message(field_message(error))
                self.outcome.setFocus()
                return
            self.error.show_message(field_message(error))
            if error.field == "appointment":
                self.appointment.setFocus()
        elif isinstance(exc, ReferralStatusError):
            self.error.show_message(_("A referral's status cannot go back."))
        else:
            raise exc  # not one to correct here: the application's error handler

    def reject(self) -> None:
        self.save.dismiss()
        super().reject()


# ------------------------------------------------------------------------------- person tab

#: An outcome on the referrals tab is cut after this many characters (whole in the tooltip
#: and the status dialog's history): two lines of the tab at 1024 px, in Bulgarian too.
OUTCOME_CHARS = 100


def outcome_line(outcome: str, most: int = OUTCOME_CHARS) -> str:
    """``outcome`` on one line (its lines joined), cut with "…" after ``most`` characters."""
    line = " ".join(outcome.split())
    return line if len(line) <= most else line[: most - 1].rstrip() + "…"


class ReferralsTab(QWidget):
    """The person's referrals with status and follow-up, newest first."""

    # The service first, then the appointment: at 1100 px the tab is some 420 px wide, and with
    # the status and the dates first the service was cut to "Jobc…" or out of sight, the rows
    # told apart only by scrolling. Service (at most SERVICE_WIDTH) and appointment fit it in
    # all four languages; the status and the rest follow.
    #
    # The status must be read too, and at 1100 px only some 40 px of it were left ("Изда…",
    # "Резу…"). It wraps within its column (two lines for "Резултатът е отбелязан", three with
    # "– очаква одобрение"), and the service gives way for it, down to SERVICE_MIN_WIDTH, which
    # still tells the services apart ("Familienkasse Nord…"): service, appointment and status
    # are then in view together in all four languages. Shorter status words would have had to
    # differ from those of the status dialog and the history, and still did not fit beside the
    # sign-off note. With more room every column has its own width again.
    #
    # At 1366 px the issue date and the reason were read only by scrolling sideways. Where the
    # room allows all six with the service at SERVICE_MIN_WIDTH (elided, whole in its
    # tooltip), the status at its longest word, the appointment's time under its date and the
    # reason at REASON_MIN_WIDTH, all six are in view. The room left goes to the reason up to
    # its longest word (it wraps; at 70 px on one line it read "Kranke…"), then to the status
    # and the reason up to two lines each (REASON_LINES), then unwraps the status, the
    # appointment and the reason, then widens the service. The dates are as wide as their
    # headers: in Bulgarian "Проследяване" (113 px for dates of 95) left the reason 20 px short
    # of two lines ("Изясняване на / здравната …"); the catalog has "Проверка" for it.
    SERVICE, APPOINTMENT, STATUS, FOLLOW_UP, ISSUED, REASON = range(6)
    SERVICE_WIDTH = 240
    SERVICE_MIN_WIDTH = 150
    REASON_MIN_WIDTH = 70
    # A reason makes its row at most two lines tall, its end then "…" (whole in its tooltip):
    # wrapped at its longest word it made rows three and four lines tall in Bulgarian and
    # Romanian, and a page with more above its tabs showed barely five referrals at 1366 px.
    REASON_LINES = 2

    def __init__(self, feature: ReferralsFeature) -> None:
        super().__init__()
        self.feature = feature
        self.person: Person | None = None
        self.referrals: list[Referral] = []
        self.table = _table(6)
        # the service's name elided at SERVICE_WIDTH (whole in its tooltip), not stretched;
        # the status's width set by _fit_columns, its text wrapped
        header = self.table.horizontalHeader()
        for column in (self.SERVICE, self.APPOINTMENT, self.STATUS, self.REASON):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)  # the reason's width is _fit_columns' too
        self.status_delegate = WrappingDelegate(self.table)
        self.table.setItemDelegateForColumn(self.STATUS, self.status_delegate)
        # Where six columns are in view, the reason wraps at its longest word and the
        # appointment's time may go under its date (see _fit_columns).
        self.reason_delegate = WrappingDelegate(self.table, most_lines=self.REASON_LINES)
        self.table.setItemDelegateForColumn(self.REASON, self.reason_delegate)
        self.appointment_delegate = WrappingDelegate(self.table)
        self.table.setItemDelegateForColumn(self.APPOINTMENT, self.appointment_delegate)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(rows.defaultSectionSize())  # one line as tall as before
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.table.viewport().installEventFilter(self)
        # activated: a double click, and Enter on the row (which did nothing; the status
        # could only be changed with the button below, two Tabs away)
        self.table.activated.connect(lambda _index: self._on_status_clicked())
        self.status_button = QPushButton()
        self.status_button.clicked.connect(self._on_status_clicked)
        self.letter_button = QPushButton()
        self.letter_button.clicked.connect(self._on_letter_clicked)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        # The latest outcome of the referral chosen, under the list: it was in the status
        # cell's tooltip only (the mouse's) and in the status dialog's history. A column of
        # its own found no room beside the six at 1024 px; the row's cells say it to a
        # screen reader (``_leave_out``), and this line to everyone.
        self.outcome = FittedLabel()
        self.outcome.setObjectName("referral_outcome")
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.currentCellChanged.connect(self._show_outcome)
        # The note has a line of its own: beside the buttons it made the tab (and the person's
        # page) some 560 px wide in Bulgarian, squeezing the people list.
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.status_button)
        buttons.addWidget(self.letter_button)
        layout = QVBoxLayout(self)
        # the tab's frame is the table's margin: its 18 px are the reason's (see _fit_columns)
        layout.setContentsMargins(0, layout.contentsMargins().top(), 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.outcome)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [_("Service"), _("Appointment"), _("Status"), _("Follow-up"), _("Issued"), _("Reason")]
        )
        self.table.setAccessibleName(_("Referrals"))
        self.status_button.setText(_("Change &status…"))
        self.letter_button.setText(_("Show le&tter…"))
        self.empty.setText(_("No referrals yet."))
        self.refresh(self.person)

    def refresh(self, person: Person | None, *, log_view: bool = False) -> None:
        """Show the person's referrals; ``log_view`` when the person was just opened (one
        audit entry per opening, not per re-display)."""
        # The same person again (a sync or a status change): the referral selected stays.
        same = person is not None and self.person is not None and person.id == self.person.id
        place = _place(self.table, [r.id for r in self.referrals]) if same else (None, 0)
        self.person = person
        session = self.feature.window.session
        self.referrals = (
            uc.referrals_of(session.store, session.user, person.id, log_view=False)
            if person
            else []
        )
        if log_view and person is not None:  # written off the UI thread
            self.feature.window.log_view("referrals", person.id, {"count": len(self.referrals)})
        self.table.setRowCount(len(self.referrals))
        for row, referral in enumerate(self.referrals):
            values = (
                service_name(referral.service_id, self.feature.window.session.store),
                _date(referral.appointment),
                referral_status_text(referral),
                _date(referral.follow_up),
                _date(referral.created_at.date()),
                reason_label(referral.reason),
            )
            for column, text in enumerate(values):
                cell = _item(text, referral.id)
                cell.setToolTip(self._history(referral) if column == self.STATUS else text)
                self.table.setItem(row, column, cell)
        self._fit_columns()
        self.empty.setVisible(not self.referrals)
        has = bool(self.referrals)
        self.status_button.setEnabled(has)
        self.letter_button.setEnabled(has)
        _restore_place(self.table, [r.id for r in self.referrals], place)
        if has and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._show_outcome()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The table's room, not the tab's: it is laid out only once the tab is first shown,
        # and a scroll bar coming or going changes it too.
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit_columns()
        return False

    def _fit_columns(self) -> None:
        """The service's name at most SERVICE_WIDTH wide, elided (whole in its tooltip): at its
        full length ("Familienkasse Nordrhein-Westfalen Ost (casa pentru alocații familiale)")
        it filled the person's page and hid everything after it. The status as wide as its
        longest text, or as the room left beside the service (at SERVICE_MIN_WIDTH), the
        appointment and, where it fits, the follow-up, wrapped there, never narrower than its
        longest word. Where all six columns fit (see the class's note), all six are in view,
        the reason wrapped, at least as wide as its longest word where the room allows, its
        rows at most REASON_LINES tall."""
        table = self.table
        header = table.horizontalHeader()
        table.resizeColumnToContents(self.SERVICE)
        table.resizeColumnToContents(self.APPOINTMENT)
        service = min(table.columnWidth(self.SERVICE), self.SERVICE_WIDTH)
        appointment = table.columnWidth(self.APPOINTMENT)

        def texts(column: int) -> list[str]:
            return [
                cell.text() for row in range(table.rowCount()) if (cell := table.item(row, column))
            ]

        statuses, reasons = texts(self.STATUS), texts(self.REASON)
        whole, word = self.status_delegate.widths(statuses)
        narrowest = max(word, header.sectionSizeHint(self.STATUS))
        # The appointment's time may go under its date, the reason wraps: at REASON_MIN_WIDTH
        # on one line it was cut to "Kranke…", "Integra…" at 1366 px. Its longest word is
        # what it needs to be read.
        reason_whole, reason_word = self.reason_delegate.widths(reasons)
        appointment_least = max(
            self.appointment_delegate.widths(texts(self.APPOINTMENT))[1],
            header.sectionSizeHint(self.APPOINTMENT),
        )

        def wanted(column: int) -> int:
            """As its contents and header want, also while it is hidden (a hidden section's
            size hint is 0: the follow-up was reckoned as wide as its dates, and shown again
            at its header's width it pushed the table's edge out, scrolled sideways)."""
            return max(
                table.sizeHintForColumn(column),
                header.sectionSizeHint(column),
                header.sectionSizeFromContents(column).width(),
            )

        follow_up = wanted(self.FOLLOW_UP)
        dates = follow_up + wanted(self.ISSUED)
        free = table.viewport().width() - dates - self.SERVICE_MIN_WIDTH - narrowest
        free -= appointment_least + self.REASON_MIN_WIDTH
        if free >= 0:  # all six in view; what is left goes to each in turn
            # shown again first: a column's own width (its header's, its dates') once shown
            self._leave_out(set())
            free += dates - table.columnWidth(self.FOLLOW_UP) - table.columnWidth(self.ISSUED)
            widths = {self.REASON: self.REASON_MIN_WIDTH, self.APPOINTMENT: appointment_least}
            widths |= {self.STATUS: narrowest, self.SERVICE: self.SERVICE_MIN_WIDTH}

            def widen(column: int, width: int, most: int) -> int:
                more = min(most, max(0, width - widths[column]))
                widths[column] += more
                return more

            free -= widen(self.REASON, reason_word, free)
            # Then the status and the reason in two lines each, the reason whole where the
            # room allows: at its longest word it made rows three and four lines tall in
            # Bulgarian and Romanian.
            lines = self.REASON_LINES
            free -= widen(self.STATUS, self.status_delegate.lines_width(statuses, lines), free)
            free -= widen(self.REASON, self.reason_delegate.lines_width(reasons, lines), free)
            # The status on one line first, where the reason keeps half its length on a line
            # beside it; else they share the rest (the reason at its longest word made its
            # rows five lines tall in Romanian).
            unwrapped = free - max(0, whole - widths[self.STATUS])
            if unwrapped >= reason_whole // 2 - widths[self.REASON]:
                free -= widen(self.STATUS, whole, free)
            else:
                free -= widen(self.STATUS, whole, free // 2)
            free -= widen(self.APPOINTMENT, appointment, free)
            free -= widen(self.REASON, reason_whole, free)
            free -= widen(self.STATUS, whole, free)
            free -= widen(self.SERVICE, service, free)
            widths[self.REASON] += free
            for column, width in widths.items():
                table.setColumnWidth(column, width)
            return
        # Narrower (1100 px: some 430 px for the table): service, appointment and status, and
        # the follow-up date where it fits beside them; the columns that do not fit are left
        # out and said in the row's tooltips. They were to the right of the table's edge, read
        # only by scrolling sideways, in Bulgarian even the status's last pixels.
        room = table.viewport().width() - self.SERVICE_MIN_WIDTH
        if room - appointment < narrowest:  # the time under its date (below 1100 px)
            appointment = appointment_least
        room -= appointment
        # The follow-up date too where it fits beside the status at its longest word: at
        # 1366 px the status took it all and the date was cut ("Nachverfolgu…", "Просл…").
        left_out = {self.ISSUED, self.REASON}
        if room - follow_up >= narrowest:
            room -= follow_up
        else:
            left_out.add(self.FOLLOW_UP)
        status = max(narrowest, min(whole, room))
        service = max(self.SERVICE_MIN_WIDTH, min(service, room + self.SERVICE_MIN_WIDTH - status))
        table.setColumnWidth(self.SERVICE, service)
        table.setColumnWidth(self.APPOINTMENT, appointment)
        table.setColumnWidth(self.STATUS, status)
        self._leave_out(left_out)
        if self.FOLLOW_UP not in left_out:  # as reckoned, not as wide as when it was hidden
            table.setColumnWidth(self.FOLLOW_UP, follow_up)

    def _leave_out(self, columns: set[int]) -> None:
        """Hide ``columns`` (none: all shown) and say what they held in the tooltips of the
        row's service and appointment cells, so that nothing is read only by scrolling; a
        screen reader reads it, and the referral's latest outcome, as the service cell's
        description."""
        table = self.table
        for column in range(table.columnCount()):
            if table.isColumnHidden(column) != (column in columns):
                table.setColumnHidden(column, column in columns)
        for row in range(table.rowCount()):
            lines = [
                f"{header.text()}: {item.text()}"
                for column in sorted(columns)
                if (header := table.horizontalHeaderItem(column))
                and (item := table.item(row, column))
            ]
            for column in (self.SERVICE, self.APPOINTMENT):
                item = table.item(row, column)
                if item is not None and item.toolTip() != "\n".join([item.text(), *lines]):
                    item.setToolTip("\n".join([item.text(), *lines]))
            # The latest outcome too, to a screen reader (to the eye: under the list, and in
            # the status cell's tooltip with the history).
            if row < len(self.referrals) and (outcome := self.referrals[row].outcome):
                lines.append(_("Outcome: {outcome}").format(outcome=outcome_line(outcome)))
            service = table.item(row, self.SERVICE)
            described = Qt.ItemDataRole.AccessibleDescriptionRole
            if service is not None and service.data(described) != "\n".join(lines):
                service.setData(described, "\n".join(lines))

    def selected(self) -> Referral | None:
        row = self.table.currentRow()
        return self.referrals[row] if 0 <= row < len(self.referrals) else None

    def _show_outcome(self, *_args: object) -> None:
        """The chosen referral's latest outcome under the list, on one or two lines (whole in
        the tooltip); shown while any of the person's referrals has one, so that the list
        does not jump as the rows are gone through."""
        referral = self.selected()
        outcome = referral.outcome if referral is not None else ""
        if outcome:
            text = _("Outcome: {outcome}").format(outcome=outcome_line(outcome))
        else:
            text = _("Outcome: none noted yet")
        self.outcome.setText(text)
        self.outcome.setToolTip(outcome)
        self.outcome.setAccessibleName(text)
        self.outcome.setVisible(any(r.outcome for r in self.referrals))

    def _history(self, referral: Referral) -> str:
        """Every status step with date and advisor, for the status cell's tooltip."""
        session = self.feature.window.session
        header = f"{referral.reference} · {reason_label(referral.reason)}"
        return "\n".join([header, *history_lines(session.store, session.user, referral)])

    def _on_status_clicked(self) -> None:
        referral = self.selected()
        if referral is not None:
            self.feature.open_status_dialog(referral)

    def _on_letter_clicked(self) -> None:
        referral = self.selected()
        if referral is not None:
            self.feature.open_preview(referral)


# ------------------------------------------------------------------------------- windows


class PrintQueueWindow(QDialog):
    """Letters waiting for a printer; printed in one go with a progress bar."""

    preparing = Signal(int, int)  # Print all: letters fetched (made again) so far, of how many
    printed = Signal(int)  # Print all done and marked: how many letters were printed

    def __init__(self, feature: ReferralsFeature) -> None:
        super().__init__(feature.window)
        self.feature = feature
        self.jobs: list[uc.PrintJob] = []
        self.progress: QProgressDialog | None = None
        self.resize(1000, 420)  # as the follow-ups: the letter column needs room too
        self.table = _table(6, fill=2)
        self.info = QLabel()
        self.info.setWordWrap(True)
        # Said of a reprint of a letter given before whose service the directory describes
        # otherwise now, or no longer has (as the preview says it): it prints what was given.
        self.as_issued = WarningLabel()
        self.notice = WarningLabel()
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_all)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self._updating = self._update_again = False
        #: the people whose view in this window is in the audit log since it was opened: the
        #: queue listed anew while it is open (a sync, a letter queued) logs only newcomers
        self._logged: set[str] = set()
        #: from Print all until the letters printed are marked: another click starts nothing
        self._printing = self._stop_preparing = False
        self.question: QMessageBox | None = None  # Remove's, while it is open
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.as_issued)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        tab_buttons_as_shown(self.buttons)  # Tab went from the list to Close, then Print all
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Print queue"))
        self.table.setAccessibleName(self.windowTitle())
        self.table.setHorizontalHeaderLabels(
            [_("Queued"), _("Person"), _("Service"), _("Language"), _("Reference"), _("Letter")]
        )
        self.print_button.setText(_("&Print all…"))
        self.remove_button.setText(_("&Remove"))
        self.refresh()

    def refresh(self) -> None:
        """List the queue, then render again, off the UI thread, the letters whose referral
        changed since they were queued (an appointment made meanwhile, here or by a sync), and
        list again where one came out different."""
        self.show_jobs()
        if self._updating:  # once it is done: what changed since it began
            self._update_again = True
            return
        if not any(not job.closed for job in self.jobs):
            return
        self._updating, self._update_again = True, False
        session = self.feature.window.session

        def updated(count: int) -> None:
            self._updating = False
            if self._update_again:
                self.refresh()
            elif count:  # the same list, some letters made again: no new view of it
                self.show_jobs(log_view=False)

        def failed(exc: Exception) -> None:
            self._updating = False
            self.feature.window._on_task_failed(exc)

        self.feature.window.record(
            lambda: uc.update_queued_letters(session.store, session.user), updated, failed
        )

    def show_jobs(self, *, log_view: bool = True) -> None:
        session = self.feature.window.session
        self.jobs = uc.print_queue(
            session.store, session.user, log_view=log_view, logged=self._logged
        )
        if log_view:
            self._logged.update(job.person_id for job in self.jobs if job.person_id)
        name_of = service_names(session.store)
        reprints: list[str] = []
        with _filling(self.table):
            self.table.setRowCount(len(self.jobs))
            for row, job in enumerate(self.jobs):
                letter, why = self._letter_state(job)
                given = "" if job.closed else changed_since_issue_text(job)
                if given:
                    why = f"{why}\n{given}"
                    reprints.append(f"{job.reference}: {given}")
                values = (
                    _date(job.created_at),
                    job.person_name,
                    name_of(job.service_id),
                    language_name(job.client_lang),
                    job.reference,
                    letter,
                )
                for column, text in enumerate(values):
                    cell = _item(text, job.id)
                    # the service's name may be elided; the letter's state says why
                    cell.setToolTip(why if column == 5 and why else text)
                    self.table.setItem(row, column, cell)
        self.as_issued.show_message("\n".join(self._reprint_lines(reprints)))
        # Those that print and those that do not are counted apart: "1 letter waiting to be
        # printed. 1 of them is not printed …" said of one letter read as if of two.
        closed = sum(job.closed for job in self.jobs)
        waiting = len(self.jobs) - closed
        parts = []
        if waiting:
            parts.append(
                ngettext(
                    "{count} letter waiting to be printed.",
                    "{count} letters waiting to be printed.",
                    waiting,
                ).format(count=format_number(waiting))
            )
        if closed:
            parts.append(
                ngettext(
                    "{count} letter is not printed: its referral was closed after it was queued.",
                    "{count} letters are not printed: their referrals were closed after they "
                    "were queued.",
                    closed,
                ).format(count=format_number(closed))
            )
        if not parts:
            parts.append(_("The print queue is empty."))
            if not allowed(session.user, Action.SIGN_REFERRAL):
                # A helper at an outreach point looked here for the letters just prepared,
                # drafts that cannot be queued yet, and was told only that it is empty. Where
                # the advisors find them to sign off (the path in German too: it is told).
                path = menu_path_elsewhere("&Person", "Letters to si&gn off…")
                said = _(
                    "The letters of the referrals you prepare can be added here once an "
                    "advisor has signed them off: advisors find them under {path}."
                ).format(path=path)
                parts.append(end_cleanly(said))  # "…." where the path ends the sentence
        self.info.setText(" ".join(parts))
        self.print_button.setEnabled(closed < len(self.jobs) and HAVE_QTPDF and not self._printing)
        self.remove_button.setEnabled(bool(self.jobs) and not self._printing)

    #: How many reprints the line below the list names (the newest); the others are counted.
    #: Each is a long sentence: a queue of letters given before that all moved (the job
    #: centre's new address) pushed the list and the buttons out of the window.
    REPRINTS_NAMED = 3

    @classmethod
    def _reprint_lines(cls, reprints: list[str]) -> list[str]:
        """The lines said of the queue's reprints (``reprints``, oldest first, as the list):
        the newest first, up to ``REPRINTS_NAMED``, and how many more (their tooltips in the
        list say what changed)."""
        named = reprints[::-1][: cls.REPRINTS_NAMED]
        more = len(reprints) - len(named)
        if more:
            named.append(
                ngettext(
                    "… and {count} more letter given before whose service changed too (see "
                    "the list).",
                    "… and {count} more letters given before whose service changed too (see "
                    "the list).",
                    more,
                ).format(count=format_number(more))
            )
        return named

    @staticmethod
    def _letter_state(job: uc.PrintJob) -> tuple[str, str]:
        """What the letter column says of ``job``, and why (its tooltip)."""
        if job.closed:
            return _("Not printed: referral closed"), _(
                "The referral was closed after the letter was queued, so the letter is not "
                "printed. Remove it from the queue."
            )
        if job.updated_at is not None:
            return _("Updated {when}").format(when=_date(job.updated_at)), _(
                "The referral changed after the letter was queued (an appointment, the "
                "service's address, …): the letter was made again and prints as it is now."
            )
        # An empty column headed "Letter" read as if the letter were missing.
        return _("Ready to print"), _("The letter prints as it was made when it was queued.")

    def print_all(self) -> None:
        """Print every letter that may be printed, each as it is now: the letters are fetched,
        and made again where their referral changed (some 60 ms each), off the UI thread one
        after another, with progress; then printed in one job (``printed`` says how many once
        they are marked). One whose referral was closed meanwhile is left, and said so. Until
        the printed letters are marked, Print all starts nothing: none is printed twice."""
        if self._printing or not self.jobs:
            return
        self._printing, self._stop_preparing = True, False
        self.print_button.setEnabled(False)
        self.remove_button.setEnabled(False)  # a letter removed meanwhile would be printed
        store, user = self.feature.window.session.store, self.feature.window.session.user
        pending = list(self.jobs)
        ready: list[tuple[uc.PrintJob, uc.QueuedLetter]] = []
        skipped: list[str] = []
        if self.progress is not None:  # the last print's, kept for what it showed
            self.progress.deleteLater()  # a hidden one was left for every Print all
        progress = self.progress = QProgressDialog(self)
        progress.setWindowTitle(_("Print"))
        progress.setCancelButtonText(_("Cancel"))
        progress.setRange(0, len(pending))
        progress.setAutoReset(False)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)  # a few letters are ready before it would show
        progress.canceled.connect(self._stop_printing)

        def fetch(index: int) -> None:
            if self._stop_preparing or progress.wasCanceled():
                progress.hide()  # close() would cancel and reset the shown value
                self._done_printing(0)
                return
            if index == len(pending):
                self._print_prepared(ready, skipped)
                return
            job = pending[index]
            progress.setLabelText(
                _("Preparing letter {number} of {count}…").format(
                    number=format_number(index + 1), count=format_number(len(pending))
                )
            )

            def fetched(letter: uc.QueuedLetter) -> None:
                ready.append((job, letter))
                advance()

            def failed(exc: Exception) -> None:
                if isinstance(exc, (uc.LetterWithdrawn, uc.ReferralNotFound)):
                    # closed (or erased) meanwhile
                    skipped.append(
                        _("{reference}: not printed, the referral was closed.").format(
                            reference=job.reference
                        )
                    )
                elif isinstance(exc, LetterError):
                    skipped.append(f"{job.reference}: {letter_error_message(exc)}")
                else:  # the store: the application's error handler says so
                    progress.hide()
                    self._done_printing(0)
                    self.feature.window._on_task_failed(exc)
                    return
                advance()

            def advance() -> None:
                if not (self._stop_preparing or progress.wasCanceled()):
                    progress.setValue(index + 1)
                self.preparing.emit(index + 1, len(pending))
                fetch(index + 1)

            # in the window's order of writes: a letter made again is kept in its job
            self.feature.window.record(
                lambda: uc.print_job_letter(store, user, job.id), fetched, failed
            )

        fetch(0)

    def _stop_printing(self) -> None:
        """Cancel while the letters are prepared (or the window closed): nothing is printed."""
        self._stop_preparing = True

    def _print_prepared(
        self, ready: list[tuple[uc.PrintJob, uc.QueuedLetter]], skipped: list[str]
    ) -> None:
        self.notice.show_message("\n".join(skipped))
        if not ready:
            if self.progress is not None:
                self.progress.hide()
            self._done_printing(0)
            return
        store, user = self.feature.window.session.store, self.feature.window.session.user
        printed = print_letters(
            self, [letter.pdf for _job, letter in ready], progress=self.progress
        )
        # each with what the letter printed says of the service: a sync while the print dialog
        # was open may have made the job's letter again since (refresh)
        done = [(ready[index][0].id, ready[index][1]) for index in printed]

        def mark() -> None:
            for job_id, letter in done:
                uc.mark_printed(
                    store, user, job_id, shown=letter.as_given, to_service=letter.to_service
                )

        def marked(_none: None) -> None:
            self._done_printing(len(done))

        def mark_failed(exc: Exception) -> None:
            self._done_printing(0)  # what was marked stays marked; the rest waits
            self.feature.window._on_task_failed(exc)

        self.feature.window.record(mark, marked, mark_failed)
        if printed:
            self.feature.window.statusBar().showMessage(
                ngettext(
                    "{count} letter printed.", "{count} letters printed.", len(printed)
                ).format(count=format_number(len(printed))),
                5000,
            )

    def _done_printing(self, count: int) -> None:
        self._printing = False
        self.show_jobs(log_view=False)  # the same queue, less what was printed
        self.printed.emit(count)

    def reject(self) -> None:
        self._stop_printing()  # closed (or locked) while the letters are prepared
        self._logged.clear()  # opened again, it is another view
        super().reject()

    def _on_remove_clicked(self) -> None:
        """Remove the chosen letter, after asking whose it is: a letter removed by a slip
        (Remove beside Print all, or Alt+R for Alt+P) was gone unasked, and the person left
        without it. As elsewhere a removal asks (an entry in a form, a service, an account),
        Cancel the default: nothing in the app is undone later. A letter whose referral was
        closed is not printed anyway: it goes unasked."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.jobs) or self.question is not None:
            return
        job = self.jobs[row]
        if job.closed:
            self._remove(job.id)
            return

        def answered(remove: bool) -> None:
            self.question = None
            if remove:
                self._remove(job.id)

        service = service_names(self.feature.window.session.store)(job.service_id)
        self.question = ask_to_confirm(
            self,
            _("Remove the letter?"),
            _(
                "Remove the letter for {person} to {service} ({reference}) from the print "
                "queue? It will not be printed. The referral stays as it is."
            ).format(person=job.person_name or "—", service=service, reference=job.reference),
            _("Remove"),
            answered,
        )

    def _remove(self, job_id: str) -> None:
        session = self.feature.window.session
        self.remove_button.setEnabled(False)  # until it is removed

        def remove_failed(exc: Exception) -> None:
            # not an audit write's failure: the window's own sentence would say it was one
            self.remove_button.setEnabled(True)
            what = _("The letter could not be removed from the print queue.")
            self.feature.window._on_task_failed(exc, what)

        self.feature.window.record(
            lambda: uc.remove_from_queue(session.store, session.user, job_id),
            lambda _none: self.show_jobs(),
            remove_failed,
        )


class FollowUpsWindow(QDialog):
    """Referrals whose follow-up date has come: who to call, on which number, about which
    service; what came of it is recorded from here."""

    # The phone beside the name: the advisor calls down the list, and had to open each
    # person's page to find the number.
    FOLLOW_UP, PERSON, PHONE, SERVICE, STATUS, APPOINTMENT, REFERENCE = range(7)

    def __init__(self, feature: ReferralsFeature) -> None:
        super().__init__(feature.window)
        self.feature = feature
        self.due: list[uc.FollowUp] = []
        #: the people whose view in this window is in the audit log since it was opened: the
        #: list listed anew while it is open (a sync, a status changed) logs only newcomers
        self._logged: set[str] = set()
        self.table = _table(7, fill=self.SERVICE)
        self.table.doubleClicked.connect(lambda _index: self._on_open_clicked())
        self.info = QLabel()
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self._on_open_clicked)
        # What came of the call, recorded from the list: it took "Open person", the referrals
        # tab, the row found again and its "Change status…", for each call of the morning.
        self.status_button = QPushButton()
        self.status_button.clicked.connect(self._on_status_clicked)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.status_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        tab_buttons_as_shown(self.buttons)  # Tab went from the list to Close, then Open person
        # Enter on a row opens its person: Close was the default, and Enter closed the list.
        # (Set once the button is in the dialog: before, no dialog takes it as its default.)
        self.open_button.setDefault(True)
        self._name_parts()
        self.refresh()  # made as it is opened: listed, a view of the people it names
        # As wide as the columns want, within a laptop's 1100 px: at a fixed 980 px a long
        # service's name was cut to half its length in Bulgarian with room to spare.
        self.resize(width_for_columns(self, self.table), 440)

    def retranslate(self) -> None:
        self._name_parts()
        # Closed, it is listed anew when it is opened: listed now, it would log a view of
        # the people it names that nobody saw.
        if self.isVisible():
            self.refresh()

    def _name_parts(self) -> None:
        self.setWindowTitle(_("Follow-ups due"))
        self.table.setAccessibleName(self.windowTitle())
        self.table.setHorizontalHeaderLabels(
            [
                _("Follow-up"),
                _("Person"),
                _("Phone"),
                _("Service"),
                _("Status"),
                _("Appointment"),
                _("Reference"),
            ]
        )
        self.open_button.setText(_("&Open person"))
        self.status_button.setText(_("Change &status…"))

    def refresh(self, today: dt.date | None = None) -> None:
        """List the follow-ups due. Each person it names is a view in the audit log (with
        their phone), once while the window is open: listed anew meanwhile (a sync, a status
        changed, another language), only newcomers are logged."""
        session = self.feature.window.session
        place = _place(self.table, [f.referral.id for f in self.due])
        self.due = uc.follow_ups_due(
            session.store, session.user, today or dt.date.today(), logged=self._logged
        )
        self._logged |= {f.referral.person_id for f in self.due}
        name_of = service_names(session.store)
        with _filling(self.table):
            self.table.setRowCount(len(self.due))
            for row, item in enumerate(self.due):
                r = item.referral
                values = (
                    _date(r.follow_up),
                    item.person_name,
                    phone_text(item),
                    name_of(r.service_id),
                    status_label(r.status),
                    _date(r.appointment),
                    r.reference,
                )
                for column, text in enumerate(values):
                    cell = _item(text, r.person_id)
                    cell.setToolTip(text)  # the service's name may be elided
                    if column == self.PHONE and item.phone_in_conflict:
                        said = phone_conflict_text(item)
                        cell.setToolTip(said)
                        cell.setData(Qt.ItemDataRole.AccessibleTextRole, said)
                    self.table.setItem(row, column, cell)
        self.info.setText(
            ngettext(
                "{count} referral needs a follow-up.",
                "{count} referrals need a follow-up.",
                len(self.due),
            ).format(count=format_number(len(self.due)))
            if self.due
            else _("No follow-ups are due.")
        )
        self.open_button.setEnabled(bool(self.due))
        self.status_button.setEnabled(bool(self.due))
        _restore_place(self.table, [f.referral.id for f in self.due], place)

    def reject(self) -> None:
        self._logged.clear()  # opened again, it is another view
        super().reject()

    def _on_open_clicked(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.due):
            self.feature.window.open_person(self.due[row].referral.person_id)

    def _on_status_clicked(self) -> None:
        """The status dialog of the row's referral, over this list: saved, the list is
        listed anew (``ReferralsFeature._on_status_changed``), a referral done leaves it."""
        row = self.table.currentRow()
        if 0 <= row < len(self.due):
            self.feature.open_status_dialog(self.due[row].referral, self)


def _both_numbers(item: uc.FollowUp) -> str:
    return _("{kept} or {other}").format(
        kept=item.person_phone or "—", other=item.phone_in_conflict
    )


def phone_text(item: uc.FollowUp) -> str:
    """The follow-up's phone as listed: "—" for none, as the person's page says; both numbers,
    marked, where two laptops changed it differently and nobody decided yet (the record's
    alone was listed, as if it were sure, and the call may go to a number no longer hers)."""
    if item.phone_in_conflict:
        return f"⚠ {_both_numbers(item)}"
    return item.person_phone or "—"


def phone_conflict_text(item: uc.FollowUp) -> str:
    """What the mark of a phone in conflict means, and where it is decided."""
    return _(
        "The phone was changed differently on two laptops and is not decided yet: "
        "{numbers}. Decide it on the person's page."
    ).format(numbers=_both_numbers(item))


class SignOffWindow(QDialog):
    """The helpers' referrals waiting for an advisor's sign-off, of every person: each
    letter read and signed off from here. They were found only on each person's referrals
    tab, and the advisor had to know whose page to open."""

    ISSUED, PERSON, SERVICE, REASON, PREPARED_BY, REFERENCE = range(6)

    def __init__(self, feature: ReferralsFeature) -> None:
        super().__init__(feature.window)
        self.feature = feature
        self.waiting: list[uc.AwaitingSignOff] = []
        self._logged: set[str] = set()  # the people whose view this window logged
        self.table = _table(6, fill=self.SERVICE)
        self.table.doubleClicked.connect(lambda _index: self._on_letter_clicked())
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.letter_button = QPushButton()
        self.letter_button.clicked.connect(self._on_letter_clicked)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self._on_open_clicked)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.letter_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        tab_buttons_as_shown(self.buttons)
        # Enter on a row shows its letter, where it is signed off (Close took Enter).
        self.letter_button.setDefault(True)
        self._sized = False  # fitted to its columns once they are first filled
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Letters awaiting sign-off"))
        self.table.setAccessibleName(self.windowTitle())
        self.table.setHorizontalHeaderLabels(
            [_("Issued"), _("Person"), _("Service"), _("Reason"), _("Prepared by"), _("Reference")]
        )
        self.letter_button.setText(_("Show le&tter…"))
        self.open_button.setText(_("&Open person"))
        if self.waiting:
            self.refresh(log_view=False)

    def refresh(self, *, log_view: bool = True) -> None:
        session = self.feature.window.session
        if session.store.closed:  # locked away, another user, a restore: nothing to list
            return
        place = _place(self.table, [w.referral.id for w in self.waiting])
        self.waiting = uc.awaiting_sign_off(
            session.store, session.user, log_view=log_view, logged=self._logged
        )
        self._logged |= {w.referral.person_id for w in self.waiting}
        name_of = service_names(session.store)
        with _filling(self.table):
            self.table.setRowCount(len(self.waiting))
            for row, item in enumerate(self.waiting):
                r = item.referral
                values = (
                    _date(r.created_at),
                    item.person_name,
                    name_of(r.service_id),
                    reason_label(r.reason),
                    r.advisor_name,
                    r.reference,
                )
                for column, text in enumerate(values):
                    cell = _item(text, r.person_id)
                    cell.setToolTip(text)  # a service's name may be elided
                    self.table.setItem(row, column, cell)
        self.info.setText(
            ngettext(
                "{count} letter prepared by a helper awaits your sign-off. Show it, read it "
                "and sign it off there.",
                "{count} letters prepared by helpers await your sign-off. Show each, read it "
                "and sign it off there.",
                len(self.waiting),
            ).format(count=format_number(len(self.waiting)))
            if self.waiting
            else _("No letters await sign-off.")
        )
        self.letter_button.setEnabled(bool(self.waiting))
        self.open_button.setEnabled(bool(self.waiting))
        _restore_place(self.table, [w.referral.id for w in self.waiting], place)
        if self.waiting and self.table.currentRow() < 0:
            self.table.selectRow(0)
        if not self._sized:
            # As wide as the columns want (within a laptop's width), once they are filled:
            # made empty, it opened 500 px wide, the service and the helper's name cut off.
            self._sized = True
            self.resize(width_for_columns(self, self.table), 440)

    def selected(self) -> uc.AwaitingSignOff | None:
        row = self.table.currentRow()
        return self.waiting[row] if 0 <= row < len(self.waiting) else None

    def reject(self) -> None:
        # Opened again, it is another view (as the print queue's and the follow-ups'): it
        # logged the people it named only the first time it was opened in a session.
        self._logged.clear()
        super().reject()

    def _on_letter_clicked(self) -> None:
        """The letter's preview over this list, with its Sign off: signed, the list is
        listed anew (``ReferralsFeature``: ``letter_events.signed_off``)."""
        chosen = self.selected()
        if chosen is not None:
            self.feature.open_preview(chosen.referral)

    def _on_open_clicked(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.feature.window.open_person(chosen.referral.person_id)


# ------------------------------------------------------------------------------- feature


class ReferralsFeature:
    """Wires the referral screens into the main window (see ``install``)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.refer_button = QPushButton()
        self.refer_button.clicked.connect(self.open_refer_dialog)
        window.person_page.add_action_button(self.refer_button)
        self.refer_action = QAction(window)
        self.refer_action.triggered.connect(self.open_refer_dialog)
        self.follow_ups_action = QAction(window)
        self.follow_ups_action.triggered.connect(self.open_follow_ups)
        window.person_menu.addAction(self.refer_action)
        window.person_menu.addAction(self.follow_ups_action)
        # The helpers' drafts, of every person, for an advisor to sign off: a helper is not
        # offered it (signing off is not theirs).
        self.sign_off_action = QAction(window)
        self.sign_off_action.triggered.connect(self.open_sign_off)
        self.sign_off_action.setVisible(allowed(window.session.user, Action.SIGN_REFERRAL))
        window.person_menu.addAction(self.sign_off_action)
        self.queue_action = QAction(window)
        # Ctrl+P, where letters are printed: the main window prints nothing of its own.
        self.queue_action.setShortcut(PRINT_KEY)
        self.queue_action.triggered.connect(self.open_print_queue)
        window.file_menu.insertAction(window.quit_action, self.queue_action)
        self.tab = ReferralsTab(self)
        window.person_page.add_tab(self.tab, lambda: _("Referrals"))
        # Where nobody is opened yet (a morning's start), how many follow-ups are due and the
        # way to them: they were found only in the Person menu, nothing said there were any.
        self.due_notice = PageNotice(_("Follow-ups due"))
        self.due_notice.setObjectName("follow_ups_due")
        self.due_notice.button.clicked.connect(self.open_follow_ups)
        window.person_page.add_notice(self.due_notice)
        # Where nobody is opened yet, how many letters wait for the advisor's sign-off.
        self.sign_off_notice = PageNotice(_("Letters awaiting sign-off"))
        self.sign_off_notice.setObjectName("letters_awaiting_sign_off")
        self.sign_off_notice.button.clicked.connect(self.open_sign_off)
        window.person_page.add_notice(self.sign_off_notice)
        window.person_page.person_changed.connect(self._on_person_changed)
        # the same person read again (a sync brought changes): no new view to log
        window.person_page.person_reread.connect(self.tab.refresh)
        window.retranslated.connect(self.retranslate)
        self.queue_window: PrintQueueWindow | None = None
        self.letter_events = letter_events(window)
        self.letter_events.queue_changed.connect(self._on_queue_changed)
        self.letter_events.signed_off.connect(
            lambda signed: self._on_status_changed(signed.person_id)
        )
        # the sync controller is installed after this feature
        window.features_ready.connect(self._follow_syncs)
        window.person_data_saved.connect(self._on_window_person_data_saved)
        self.dialog: ReferDialog | None = None
        self.preview: LetterPreview | None = None
        self.follow_ups_window: FollowUpsWindow | None = None
        self._due_generation = 0  # counts the counts asked for: only the latest is shown
        self._due_count = (0, 0)  # as last counted: follow-ups due, letters awaiting sign-off
        self.sign_off_window: SignOffWindow | None = None
        self.retranslate()
        self._on_person_changed(window.person_page.person)

    def retranslate(self) -> None:
        self.refer_button.setText(_("&Refer…"))
        self.refer_action.setText(_("Re&fer…"))
        self.follow_ups_action.setText(_("Follow-ups &due…"))
        self.queue_action.setText(_("Print q&ueue…"))
        self.due_notice.setAccessibleName(_("Follow-ups due"))
        self.due_notice.button.setText(_("Follow-ups &due…"))
        self.sign_off_action.setText(_("Letters to si&gn off…"))
        self.sign_off_notice.setAccessibleName(_("Letters awaiting sign-off"))
        self.sign_off_notice.button.setText(_("Letters to si&gn off…"))
        self._show_due_count()
        self.tab.retranslate()
        for window in (self.queue_window, self.follow_ups_window, self.sign_off_window):
            if window is not None:
                window.retranslate()

    def _on_person_changed(self, person: Person | None) -> None:
        self.refer_action.setEnabled(person is not None)
        self.tab.refresh(person, log_view=True)
        self._show_due_count()

    def _show_due_count(self) -> None:
        """The notices of the follow-ups due and of the helpers' letters awaiting sign-off, on
        the page while nobody is opened (counts, no names: they are read with nobody's record
        open). Counted on a worker (a page shown and every sync finished counted on the UI
        thread, while a sync may hold the store); the latest count asked for, of the window's
        store as it is then, is the one shown."""
        self._due_generation += 1
        generation, session = self._due_generation, self.window.session
        store, user = session.store, session.user
        # The window's store closed (locked away, another user, a restore, quitting): a page
        # shown or a sync finished after it is not counted (raised in the event loop before).
        if self.window.person_page.person is not None or store.closed:
            self._show_due_notice(0, 0)
            return
        self._show_due_notice(*self._due_count)  # as counted last (a language switch)

        def counted(counts: tuple[int, int]) -> None:
            # A person opened, the store closed or another in its place meanwhile: not theirs.
            # (A count that ran into the closed store is dropped by the task runner.)
            if generation != self._due_generation or store.closed:
                return
            if self.window.session.store is not store:
                return
            self._due_count = counts
            self._show_due_notice(*counts)

        def count() -> tuple[int, int]:
            due = uc.count_follow_ups_due(store, user, dt.date.today())
            return due, uc.count_awaiting_sign_off(store, user)

        self.window.tasks.run(count, counted, self._on_due_count_failed)

    def _on_due_count_failed(self, exc: Exception) -> None:
        # The notice is a hint: it stays as it was, the next page shown or sync counts again.
        log.warning("counting the follow-ups due failed: %s", type(exc).__name__)

    def _show_due_notice(self, count: int, waiting: int) -> None:
        if count:
            self.due_notice.text.setText(
                ngettext(
                    "{count} referral needs a follow-up.",
                    "{count} referrals need a follow-up.",
                    count,
                ).format(count=format_number(count))
            )
        self.due_notice.setVisible(count > 0)
        if waiting:
            self.sign_off_notice.text.setText(
                ngettext(
                    "{count} letter prepared by a helper awaits your sign-off.",
                    "{count} letters prepared by helpers await your sign-off.",
                    waiting,
                ).format(count=format_number(waiting))
            )
        self.sign_off_notice.setVisible(waiting > 0)

    def open_refer_dialog(self) -> ReferDialog | None:
        person = self.window.person_page.person
        if person is None:
            return None
        dialog = ReferDialog(self.window, person)
        dialog.referral_issued.connect(self._on_referral_issued)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _on_referral_issued(self, referral: Referral) -> None:
        self.tab.refresh(self.window.person_page.person)
        self.window.person_data_saved.emit(referral.person_id)  # the summary lists it
        # A helper's referral is a draft: "issued" had them think the letter could go out.
        text = (
            _("Referral {reference} issued.")
            if referral.signed_off
            else _("Referral {reference} saved as a draft for an advisor to sign off.")
        )
        self.window.statusBar().showMessage(text.format(reference=referral.reference), 5000)
        self.preview = self.open_preview(referral)

    def open_preview(self, referral: Referral, client_lang: str | None = None) -> LetterPreview:
        preview = LetterPreview(self.window, referral, client_lang)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.open()
        self.preview = preview
        return preview

    def open_status_dialog(self, referral: Referral, parent: QWidget | None = None) -> StatusDialog:
        """``parent``: the window it opens over (the main window's by default)."""
        session = self.window.session
        dialog = StatusDialog(parent or self.window, session.store, referral, session.user)
        dialog.accepted.connect(lambda: self._on_status_changed(dialog.referral.person_id))
        dialog.open()
        return dialog

    def _on_status_changed(self, person_id: str) -> None:
        self.tab.refresh(self.window.person_page.person)
        self.window.person_data_saved.emit(person_id)
        self._refresh_windows()
        self._show_due_count()

    def _on_window_person_data_saved(self, _person_id: str) -> None:
        """A change about a person stored on this laptop (a status changed here, a phone
        conflict decided, the personal data edited): an open follow-ups list lists anew, its
        phones too; it kept "⚠" and both numbers of a conflict decided meanwhile. A closed
        one is listed anew when it is opened (listing it logs a view)."""
        if self.follow_ups_window is not None and self.follow_ups_window.isVisible():
            self.follow_ups_window.refresh()

    def _refresh_windows(self) -> None:
        """The print queue and the letters to sign off, open, listed anew (the follow-ups:
        ``_on_window_person_data_saved``, as the change is said)."""
        self._on_queue_changed()
        # a closed one is listed anew when it is opened (listing it logs a view)
        if self.sign_off_window is not None and self.sign_off_window.isVisible():
            self.sign_off_window.refresh()

    def _on_queue_changed(self) -> None:
        """An open queue window lists the queue anew. A closed one is left as it is: listing
        it logs a view of the people it names, which nobody saw (opening it lists it)."""
        if self.queue_window is not None and self.queue_window.isVisible():
            self.queue_window.refresh()

    def _follow_syncs(self) -> None:
        controller = getattr(self.window, "sync", None)
        if controller is not None:
            controller.sync_finished.connect(self._on_sync_finished)

    def _on_sync_finished(self, result: object) -> None:
        """A sync that brought changes may have closed a queued letter's referral or changed
        what the letter shows (an appointment, the person's name): the open queue says so."""
        if isinstance(result, sync_uc.SyncReport) and result.applied:
            self.letter_events.queue_changed.emit()
            # An open follow-ups list too (a referral closed, a follow-up set); one closed is
            # listed anew when it is opened. The person's tab: ``PersonPage.person_reread``.
            if self.follow_ups_window is not None and self.follow_ups_window.isVisible():
                self.follow_ups_window.refresh()
            # a helper's drafts brought by the sync, or signed off on another laptop
            if self.sign_off_window is not None and self.sign_off_window.isVisible():
                self.sign_off_window.refresh()
            self._show_due_count()

    def open_print_queue(self) -> PrintQueueWindow:
        if self.queue_window is None:
            self.queue_window = PrintQueueWindow(self)
        self.queue_window.refresh()
        self.queue_window.show()
        self.queue_window.raise_()
        return self.queue_window

    def open_sign_off(self) -> SignOffWindow:
        if self.sign_off_window is None:
            self.sign_off_window = SignOffWindow(self)
        self.sign_off_window.refresh()
        self.sign_off_window.show()
        self.sign_off_window.raise_()
        return self.sign_off_window

    def open_follow_ups(self) -> FollowUpsWindow:
        if self.follow_ups_window is None:
            self.follow_ups_window = FollowUpsWindow(self)  # listed as it is made
        else:
            self.follow_ups_window.refresh()
        self.follow_ups_window.show()
        self.follow_ups_window.raise_()
        return self.follow_ups_window


def install(window: MainWindow) -> None:
    """Refer button and menu entries, the Referrals tab, the print queue and follow-ups."""
    window.referrals = ReferralsFeature(window)  # type: ignore[attr-defined]


__all__ = ["ReferralsFeature", "install"]
