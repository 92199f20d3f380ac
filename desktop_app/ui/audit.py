"""The coordinator's audit log window: who read or changed which record when, and whether the
log's hash chain is intact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Action, allowed
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import (
    format_long_date,
    format_moment,
    format_number,
    format_partial_date,
    language_name,
)
from desktop_app.i18n.messages import FIELD_NAMES, REFERRAL_STATUS
from desktop_app.i18n.text import N_, _, current_language, ngettext
from desktop_app.ui.accounts import ROLE_NAMES as _ROLE_NAMES
from desktop_app.ui.accounts import staff_label
from desktop_app.ui.admin import admin_menu
from desktop_app.ui.case_access import KIND_LABELS as SECTION_NAMES
from desktop_app.ui.error_label import ErrorLabel, with_error
from desktop_app.ui.widgets import (
    FRAME_ROOM,
    reachable_text,
    record_table,
    width_for_columns,
    within_screen,
)
from desktop_app.usecases import audit, people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, accounts_ever
from desktop_app.usecases.reports import TABLE_TITLES, parse_period, period_label, row_label

if TYPE_CHECKING:
    from desktop_app.storage.db import Store
    from desktop_app.storage.people_sql import PersonListEntry
    from desktop_app.ui.main_window import MainWindow

# The entry's id on a row's first cell: the entry selected stays selected when the log is
# listed anew after a sync.
ENTRY_ID = Qt.ItemDataRole.UserRole + 1

ACTION_NAMES = {
    "view": N_("viewed"),
    "create": N_("created"),
    "change": N_("changed"),
    "print": N_("printed"),
    "export": N_("exported"),
    "erase": N_("erased"),
    "login": N_("logged in"),
    "login_recovery": N_("logged in with recovery code"),
    "open_case": N_("opened to helper"),
    "add_user": N_("user added"),
    "remove_user": N_("user removed"),
    "change_password": N_("password changed"),
    "backup": N_("backup made"),
    "publish": N_("published to all laptops"),
    "sign_off": N_("signed off"),
    "approve_laptop": N_("laptop approved"),
    "revoke_laptop": N_("laptop revoked"),
    "change_laptop_role": N_("laptop's role lowered"),
    "issue_enrollment_code": N_("enrollment code for a new laptop issued"),
    "rotate_key": N_("team key renewed"),
    "confirm_coordinator": N_("coordinator's laptop confirmed"),
    "change_server": N_("sync server address changed"),
    "change_retention": N_("retention period changed"),
    "decide": N_("conflict decided"),
    "distinct": N_("recorded as a different person"),
    "merge_kept": N_("another entry merged into this one"),
    "merged_away": N_("merged into another entry"),
    "receive_request": N_("request about their data recorded"),
    "answer_request": N_("request about their data answered"),
}
KIND_NAMES = {
    "person": N_("person"),
    "user": N_("user"),
    "store": N_("store"),
    # the record id of these is the person's id; the details name the visit or referral
    "visit": N_("visit"),
    "visits": N_("visit history"),
    "consent": N_("consent"),
    "referral": N_("referral"),
    "referrals": N_("referral list"),
    "letter": N_("referral letter"),
    "print_queue": N_("print queue"),
    "sign_off_queue": N_("letters awaiting sign-off"),
    "follow_ups": N_("list of follow-ups due"),
    "reference": N_("service directory or forms"),
    "device": N_("laptop"),
    "enrollment_code": N_("enrollment code"),
    "quick_contact": N_("quick contact"),
    "case_opening": N_("section opened to a helper"),
    "person_import": N_("people import"),
    "report_cases": N_("people behind a report figure"),
    "data_request": N_("request about personal data"),
}

# The action of a letter's "print" entry that only put it in the print queue (details "via").
QUEUED = N_("queued for printing")
# The action of a letter's "print" entry that saved it as a PDF file: nothing was printed.
SAVED_AS_PDF = N_("saved as PDF")
# The role before of a laptop's role chosen for the first time (``sync_uc.NO_ROLE_BEFORE``).
NO_ROLE_BEFORE = N_("no role chosen")
# The action of that entry: nothing was lowered, a laptop with none was given its first role.
ROLE_CHOSEN = N_("laptop's role chosen")


def action_name(action: str, details: Mapping[str, object]) -> str:
    """An entry's action in the reader's words. A role change whose role before was none
    (``sync_uc.NO_ROLE_BEFORE``) is a role chosen for the first time, not one lowered."""
    if action == "change_laptop_role" and details.get("previous_role") == sync_uc.NO_ROLE_BEFORE:
        return _(ROLE_CHOSEN)
    if action == "print" and details.get("via") == "queue":
        # Put in the print queue, not printed: it was listed as "printed · print queue".
        return _(QUEUED)
    if action == "print" and details.get("via") == "pdf":
        return _(SAVED_AS_PDF)
    return _(ACTION_NAMES[action]) if action in ACTION_NAMES else action


# What an entry's details name, in the reader's words (anything else is shown by its key).
DETAIL_NAMES = {
    "visit_id": N_("visit"),
    "referral_id": N_("referral"),
    "helper_id": N_("helper"),
    "key_id": N_("team key"),
    "server_url": N_("server address"),
    "conflict": N_("conflict"),
    "other_entry": N_("other entry"),
    "form": N_("form"),
    "revision": N_("version"),
    "service": N_("service"),
    "lang": N_("language"),
    "via": N_("via"),
    "reprint": N_("printed again"),
    # Whether the letter to the service went with the person's sheet (``referrals.TO_SERVICE``).
    "to_service": N_("letter to the service"),
    "letters": N_("letters"),
    "kind": N_("what"),
    "opened": N_("opened"),
    "name": N_("name"),
    "role": N_("role"),
    "previous_role": N_("role before"),
    # A laptop approved or its role changed: whether the server counts it as a coordinator's
    # after it (``sync_uc.SERVER_COORDINATOR``), beside the role its keys were wrapped for.
    "server_coordinator": N_("coordinator's laptop on the server"),
    # A role change begun on this laptop, broken off, and finished from another laptop.
    "finished_elsewhere": N_("finished on another laptop"),
    "retention_years": N_("retention period (years)"),
    "previous_retention_years": N_("retention period before"),
    "fingerprint": N_("fingerprint"),
    "given": N_("laptops given the key"),
    "skipped": N_("laptops skipped"),
    "purposes": N_("purposes"),
    "field": N_("field"),
    "fields": N_("fields"),
    "people": N_("people"),
    "import_count": N_("people imported"),
    "count": N_("entries"),
    "period": N_("period"),
    "figure": N_("figure"),
    "row": N_("row"),
    "remote": N_("from another laptop"),
    # An erasure or a merge from another laptop: the laptop it was made on
    # (``data_rights.ERASED_ON``).
    "laptop": N_("laptop"),
    "visits": N_("visits"),
    "consents": N_("consents"),
    "referrals": N_("referrals"),
    "conflicts": N_("conflicts"),
    "drafts": N_("forms not yet finished"),
    "drafts_carried": N_("unfinished forms kept beside its own"),
    "case_openings": N_("sections opened to helpers"),
    "distinct_people": N_("entries recorded as other people"),
    "merges": N_("entries merged into it"),
    "search_tokens": N_("search entries"),
    "part": N_("part viewed"),
    "services": N_("services"),
    "files": N_("files"),
    "forms": N_("forms"),
    "status": N_("status"),
    "appointment": N_("appointment"),
    # Why a laptop was revoked, as the coordinator wrote it (``sync.revoke_device``).
    "note": N_("note"),
    # A request about personal data (``data_rights``): its reference, dates, and why it was
    # answered without the program's answer (a correction request: "nothing to correct").
    "request": N_("request reference"),
    "received": N_("received on"),
    "answered": N_("answered on"),
    "reason": N_("reason"),
    # Entries since the reason stays out of the log: that one was given, kept in the register.
    "reason_given": N_("reason"),
    # Until when an enrollment code joins a laptop (``sync.issue_enrollment_code``).
    "valid_until": N_("valid until"),
}


# The order a reader takes an entry's details in: what happened first (the status set, the
# purposes agreed, the service, the form, the fields), then how many and how; the ids of the
# records it concerns last. The entries store their details with sorted keys (they are hashed
# into the chain), so a status change read "referral: 3f2a… · status: Appointment made".
# Keys not named here keep their stored order, between the two.
DETAIL_ORDER = (
    "status",
    "appointment",
    "purposes",
    "service",
    "form",
    "field",
    "fields",
    "role",
    "previous_role",
    "server_coordinator",
    "finished_elsewhere",
    "retention_years",
    "previous_retention_years",
    "kind",
    "helper_id",
    "opened",
    "name",
    "valid_until",
    "server_url",
    "fingerprint",
    "part",
    "period",
    "figure",
    "row",
    "people",
    "import_count",
    "count",
    "letters",
    "given",
    "skipped",
    "remote",
    "laptop",
    "via",
    "lang",
    "reprint",
    "to_service",
)
# Which records an entry concerns: shown after what was done to them.
DETAIL_IDS = ("referral_id", "visit_id", "conflict", "other_entry", "revision", "key_id")


def _detail_rank(key: str) -> int:
    if key in DETAIL_ORDER:
        return DETAIL_ORDER.index(key)
    if key in DETAIL_IDS:
        return len(DETAIL_ORDER) + 1 + DETAIL_IDS.index(key)
    return len(DETAIL_ORDER)


# How a letter left the program (details "via"), in the reader's words: the log showed the
# codes ("via: queue", "language: ro").
VIA_NAMES = {
    "print": N_("printer"),
    "pdf": N_("PDF file"),
    "queue": N_("print queue"),
    "queue_print": N_("printing from the print queue"),
}


# What an entry's "part" names (a view of part of a record).
PART_NAMES = {"status_history": N_("status history")}
# What a status change did to the appointment (details "appointment": that it moved, not when).
APPOINTMENT_NAMES = {"set": N_("date set"), "cleared": N_("date removed")}
# What was published to all laptops (details "name").
PUBLICATION_NAMES = {"services": N_("service directory"), "forms": N_("forms")}


def _form_title(form_id: str) -> str:
    """The shipped form's title in the UI language; the id of a form it does not ship."""
    from desktop_app.ui.visits import form_title
    from desktop_app.usecases.visits import UnknownForm

    try:
        return form_title(form_id)
    except UnknownForm:
        return form_id


class DetailReader:
    """Reads entries' details in the UI language: the codes they store (consent purposes,
    roles, services, fields, report figures) by the names the screens give them. The stored
    entries stay as they were written (they are hashed into the chain); only the display
    names them. Labels looked up once per reader, not per row."""

    def __init__(
        self,
        store: Store | None = None,
        users: Mapping[str, str] | None = None,
        laptops: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.users = users or {}  # user id -> name, as the "User" column shows them
        self.laptops = laptops or {}  # store id -> the laptop's name in the team's records
        self._purposes: dict[str, str] | None = None
        self._services: dict[str, str] = {}

    def purpose(self, code: str) -> str:
        """As the consent dialog names it ("Beratung", not "advice")."""
        if self._purposes is None:
            from desktop_app.forms import label as pick
            from desktop_app.usecases import visits

            try:
                definition = visits.form(visits.CONSENT_FORM, self.store)
            except visits.UnknownForm:
                self._purposes = {}
            else:
                lang = current_language()
                self._purposes = {p.id: pick(p.label, lang) for p in definition.purposes}
        return self._purposes.get(code, code)

    def service(self, code: str) -> str:
        if code not in self._services:
            if self.store is None:
                from desktop_app.letters.directory import default_directory

                found = default_directory().find(code)
                self._services[code] = found.name.get(current_language()) if found else code
            else:
                from desktop_app.ui.referrals import service_name

                self._services[code] = service_name(code, self.store)
        return self._services[code]

    def value(self, key: str, value: object, details: Mapping[str, object]) -> str:
        if key == "reason_given" and value is True:
            # Its text is the register's (the person's erasure removes it there), not the log's.
            return _("given, kept in the register of requests")
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, int):
            return format_number(value)
        if not isinstance(value, str):
            return str(value)
        if key == "via" and value in VIA_NAMES:
            return _(VIA_NAMES[value])
        if key == "lang":
            return language_name(value)  # the code itself where it has no name
        if key == "form":
            return _form_title(value)
        if key == "purposes":
            return ", ".join(self.purpose(p) for p in value.split(",") if p)
        if key in ("role", "previous_role") and value in set(Role):
            return _(_ROLE_NAMES[Role(value)])
        if key == "previous_role" and value == sync_uc.NO_ROLE_BEFORE:
            # Approved before laptops had roles: every right, but no role chosen.
            return _(NO_ROLE_BEFORE)
        if key == "kind" and value in SECTION_NAMES:  # a section opened to a helper
            return _(SECTION_NAMES[value])
        if key == "kind" and details.keys() & {"request", "received", "answered"}:
            from desktop_app.ui.data_rights import REQUEST_KIND_NAMES

            # A request about personal data: a copy, a correction, an erasure.
            return _(REQUEST_KIND_NAMES[value]) if value in REQUEST_KIND_NAMES else value
        if key in ("received", "answered"):
            try:
                return format_long_date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if key == "service":
            return self.service(value)
        if key == "helper_id" and value in self.users:
            return self.users[value]
        if key == "laptop":  # by its name; one no team record names by its id's start
            return self.laptops.get(value) or value[:8]
        if key == "part" and value in PART_NAMES:
            return _(PART_NAMES[value])
        if key == "status" and value in REFERRAL_STATUS:
            return _(REFERRAL_STATUS[value])
        if key == "appointment" and value in APPOINTMENT_NAMES:
            return _(APPOINTMENT_NAMES[value])
        if key == "valid_until":
            return _moment(value)
        if key == "name" and value in PUBLICATION_NAMES:
            return _(PUBLICATION_NAMES[value])
        if key in ("field", "fields"):
            return ", ".join(_field_name(f) for f in value.split(",") if f)
        if key == "period":
            return _period_name(value)
        if key == "figure":
            return _(TABLE_TITLES[value]) if value in TABLE_TITLES else value
        if key == "row" and isinstance(figure := details.get("figure"), str):
            return row_label(figure, value, current_language())
        return value

    def text(self, details: Mapping[str, object]) -> str:
        """An entry's details as "people imported: 5.000 · remote: yes" in the UI language."""
        parts = []
        # sorted() is stable: keys of equal rank (those not named) keep their stored order.
        for key, value in sorted(details.items(), key=lambda item: _detail_rank(item[0])):
            name = _(DETAIL_NAMES[key]) if key in DETAIL_NAMES else key
            parts.append(f"{name}: {self.value(key, value, details)}")
        return " · ".join(parts)


def _moment(text: str) -> str:
    """A stored ISO time (UTC) as the reader's clock and language say it; as stored if none."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_moment(moment)


def _field_name(field: str) -> str:
    return _(FIELD_NAMES[field]) if field in FIELD_NAMES else field


def _period_name(text: str) -> str:
    """The report's period as the report names it ("Oktober 2026"), its code if not one."""
    try:
        return period_label(parse_period(text), current_language())
    except ValueError:
        return text


def detail_text(details: Mapping[str, object], store: Store | None = None) -> str:
    """An entry's details as "people imported: 5.000 · remote: yes" in the UI language."""
    return DetailReader(store).text(details)


# A match's person id, on its row of the person field's completions.
PERSON_ID = Qt.ItemDataRole.UserRole + 2
# How many people the person field offers: enough for a family name shared by many.
PERSON_MATCHES = 20


def person_line(entry: PersonListEntry) -> str:
    """A match as the people list tells people apart: "Петров, Иван (01.02.1990)"."""
    name = ", ".join(part for part in (entry.family_name, entry.given_name) if part)
    born = format_partial_date(entry.date_of_birth) if entry.date_of_birth else ""
    return f"{name} ({born})" if born else name


def person_hint() -> str:
    """The person field's placeholder, in the UI language at the time."""
    return _("Name or date of birth")


class PersonField(QLineEdit):
    """Finds a person for the log's filter by part of their name (any script: "Petrov" finds
    "Петров") or date of birth, through the people search; Down chooses among the matches,
    Enter takes the one chosen. Like the people list it shows names only and logs no view:
    a list of names is not a look at anyone's record (opening one is). Enter without a match
    chosen takes the only one, or offers the matches with the first chosen."""

    chosen = Signal(str)  # the person's id
    not_found = Signal(str)  # Enter on a text that matches nobody: the text

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._taken = ""  # the line of the person chosen last, as the field shows it
        self.setClearButtonEnabled(True)
        self.matches = QStandardItemModel(self)
        self.finder = QCompleter(self.matches, self)
        # The search has filtered (and transliterated) already: the completer's own prefix
        # filter would drop "Петров" for "Petrov".
        self.finder.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.finder.setMaxVisibleItems(10)
        self.setCompleter(self.finder)
        # The index overload: two people may share a line (the same name and date of birth).
        self.finder.activated[QModelIndex].connect(self._take)  # type: ignore[index]
        self.textEdited.connect(self._search)
        self.returnPressed.connect(self._on_enter)

    def _take(self, index: QModelIndex) -> None:
        person_id = index.data(PERSON_ID)
        if not person_id:
            return
        # The line also where the field had lost the focus (Qt's line edit takes a
        # completion's text only while it has the focus).
        self._taken = index.data(Qt.ItemDataRole.DisplayRole)
        self.setText(self._taken)
        self.chosen.emit(person_id)

    def _on_enter(self) -> None:
        """Enter after typing "Petrov": the log of the only match; of several, none taken
        unasked (the wrong person's log is easily mistaken for theirs): the choice offered."""
        if self.text() == self._taken:
            return
        if not self.matches.rowCount():
            if self.text().strip():
                self.not_found.emit(self.text().strip())
            return
        if self.matches.rowCount() == 1:
            self._take(self.matches.index(0, 0))
            return
        # After the completer's own handling of this Enter, which closes its list; not at all
        # where the field is gone by then (the window closed straight after the Enter).
        QTimer.singleShot(0, self, self._offer)

    def _offer(self) -> None:
        self.finder.complete()
        self._matches_list().setCurrentIndex(self.finder.completionModel().index(0, 0))

    def _matches_list(self) -> QAbstractItemView:
        popup = self.finder.popup()
        assert popup is not None  # made with the completer
        return popup

    def show_person(self, line: str) -> None:
        """The person whose log is shown, set from outside (the person page): their line as
        if chosen among the matches, so Enter does not offer them again."""
        self._taken = line
        self.setText(line)

    def _search(self, text: str) -> None:
        self._taken = ""  # edited: no longer the line of the person chosen, Enter takes again
        self.matches.clear()
        query = text.strip()
        if not query:
            self._matches_list().hide()
            return
        for entry in people.search_people(self.store, query, PERSON_MATCHES):
            item = QStandardItem(person_line(entry))
            item.setData(entry.id, PERSON_ID)
            self.matches.appendRow(item)
        if self.matches.rowCount():
            self.finder.complete()
        else:
            self._matches_list().hide()


class AuditWindow(QDialog):
    """Filters (a person by name or record id, user, action, dates), the entries newest first,
    the chain check."""

    WHEN, USER, ACTION, RECORD, RECORD_ID, DETAILS = range(6)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Audit log"))
        # Removed accounts too: their entries stay, and were told by an id ("69de5ffe").
        ever = accounts_ever(session.store)
        self.users = {
            u.id: _("{name} (account removed)").format(name=u.display_name)
            if removed
            else u.display_name
            for u, removed in ever
        }
        # Their roles now (no higher than the laptop's): an entry made in another says so.
        self.roles = {u.id: u.role.value for u, _removed in ever}
        self.laptops = audit.laptop_names(session.store, session.user)
        self.devices: dict[str, str] = {}  # read anew at each listing: a sync brings laptops
        self.person = PersonField(session.store)
        self.person.setPlaceholderText(person_hint())
        self.person.setToolTip(
            _("Part of a name or a date of birth; choose the person with Down, then Enter.")
        )
        self.person.chosen.connect(self._on_person_chosen)
        # Enter on a name that matches nobody did nothing: the whole log stayed under the
        # name, as if it were that person's. Said under the field, gone once it is edited.
        self.person_error = ErrorLabel()
        self.person.not_found.connect(self._on_person_not_found)
        self.person.textEdited.connect(self._on_person_edited)
        self.record = QLineEdit()
        self.record.setClearButtonEnabled(True)
        # An erased person's name is gone from every laptop; the log keeps their record's id.
        self.record.setToolTip(
            _(
                "The id of the record. Also finds the entries about a person whose record was "
                "erased: their name is gone, the log keeps the id."
            )
        )
        self.record.textEdited.connect(self._on_record_edited)
        self.user = QComboBox()
        self.user.addItem(_("Everyone"), "")
        for user_id, name in sorted(self.users.items(), key=lambda kv: kv[1]):
            self.user.addItem(name, user_id)
        self.action = QComboBox()
        self.action.addItem(_("All actions"), "")
        for code, name in ACTION_NAMES.items():
            self.action.addItem(_(name), code)
        today = QDate.currentDate()
        self.since, self.until = QDateEdit(today.addDays(-30)), QDateEdit(today)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
        self.show_button = QPushButton(_("&Show"))
        self.show_button.clicked.connect(self.refresh)
        self.verify_button = QPushButton(_("&Check the chain"))
        self.verify_button.clicked.connect(self.verify)
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.count = QLabel()

        form = QFormLayout()
        labels = (
            (_("Person (&name)"), self.person),
            (_("&Record id (person)"), self.record),
            (_("&User"), self.user),
            (_("&Action"), self.action),
        )
        for text, widget in labels:
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            form.addRow(
                label, with_error(widget, self.person_error) if widget is self.person else widget
            )
        dates = QHBoxLayout()
        dates.addWidget(self.since)
        dates.addWidget(QLabel("–"))
        dates.addWidget(self.until)
        dates.addStretch(1)
        self.since.setAccessibleName(_("From"))
        self.until.setAccessibleName(_("To"))
        period = QLabel(_("P&eriod"))
        period.setBuddy(self.since)  # its key leads to the first date
        form.addRow(period, dates)

        self.model = QStandardItemModel(self)
        self.table = record_table(QTableView(), _("Audit log"))
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Long details elided within the line (whole in their tooltip): wrapped, a row one line
        # high showed "purposes: …" with the rest on a second line out of sight.
        self.table.setWordWrap(False)
        # The chosen entry's details whole, wrapped under the list: at 1100 px the column left
        # them a few words wide, and a tooltip is read by mouse only, a word at a time.
        self.detail = reachable_text(QLabel())
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # names and notes as written
        self.detail.setAccessibleName(_("Details"))
        self.detail.setFrameShape(QFrame.Shape.StyledPanel)
        self.detail.setMargin(4)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)

        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.verify_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.chain)
        self.refresh()
        self.verify()
        # As wide as the entries' columns want, within the screen's free room (as the visit
        # window opens): at most 1024 px, it left a 1366 px screen's room unused and the
        # details behind a scroll bar; at 980 px before, they were cut short with room to spare.
        # As tall as the free room too: 600 px showed some 14 entries of a log read page by page
        # on a 768 px screen with 128 px unused below.
        room = self.screen().availableGeometry().size() - FRAME_ROOM
        self.resize(
            within_screen(
                self, QSize(width_for_columns(self, self.table, room.width()), room.height())
            )
        )

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        """The details of the entry chosen in the list, whole (the column elides them)."""
        item = self.model.item(current.row(), self.DETAILS) if current.isValid() else None
        if item is None:
            self.detail.setText(_("Choose an entry: its details are shown here in full."))
            self.detail.setEnabled(False)
            return
        self.detail.setText(item.text() or "–")
        self.detail.setEnabled(True)

    def _on_person_chosen(self, person_id: str) -> None:
        """The log of the person chosen among the matches (by their id), all of it, as the
        person page's "Access log" shows it: "who looked at my data?" asks for every year."""
        self.filter_person(person_id)

    def _on_person_not_found(self, text: str) -> None:
        self.person_error.show_message(
            _("Nobody here matches “{text}”: type part of a name or a date of birth.").format(
                text=text
            )
        )

    def _on_person_edited(self, _text: str) -> None:
        """The chosen person's name edited (another name typed over it, or taken out): the
        whole log again at once, not that person's still under a name no longer theirs,
        until a person is chosen among the matches."""
        self.person_error.show_message("")
        if self.record.text():
            self.record.clear()
            self.person.setPlaceholderText(person_hint())
            self.refresh()

    def _on_record_edited(self, _text: str) -> None:
        """Another id typed: the name (or the erased person's note) no longer says whose."""
        self.person.clear()
        self.person_error.show_message("")
        self.person.setPlaceholderText(person_hint())

    def show_person_log(self, person_id: str) -> None:
        """The log of the person the person page shows, all of it, with their name in the
        person field ("Petrov, Ivan (14.03.1985)"): the id alone did not say whose log it
        was. The name read as the people list reads it, logging no view (opening the log
        is not a look at the record). An erased person's name is gone: the field says so."""
        entry, erased = people.list_entry(self.session.store, person_id)
        if entry is not None:
            self.person.show_person(person_line(entry))
            self.person.setPlaceholderText(person_hint())
        else:
            self.person.show_person("")
            self.person.setPlaceholderText(
                _("The person was erased: their name is gone.") if erased else person_hint()
            )
        self.filter_person(person_id)

    def filter_person(self, person_id: str) -> None:
        self.record.setText(person_id)
        self.since.setDate(QDate(2000, 1, 1))
        self.refresh()

    def after_sync(self, result: object) -> None:
        """A sync that brought changes brings the other laptops' entries: listed anew with the
        filters as set, the entry selected and the scroll position kept (listing the log
        logs nothing: it is not a look at a person)."""
        if isinstance(result, sync_uc.SyncReport) and result.applied and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        current = self.table.currentIndex()
        chosen = self.model.item(current.row(), 0) if current.isValid() else None
        chosen_id = chosen.data(ENTRY_ID) if chosen is not None else None
        scroll = self.table.verticalScrollBar().value()
        entries = audit.list_entries(
            self.session.store,
            self.session.user,
            record_id=self.record.text().strip() or None,
            user_id=self.user.currentData() or None,
            action=self.action.currentData() or None,
            since=self.since.date().toPython(),  # type: ignore[arg-type]
            until=self.until.date().toPython(),  # type: ignore[arg-type]
        )
        self.devices = audit.device_names(self.session.store, self.session.user)
        self.model.clear()
        self.model.setHorizontalHeaderLabels(
            [_("When"), _("User"), _("Action"), _("Record"), _("Record id"), _("Details")]
        )
        # The details take the width the other columns leave (the columns are made anew with
        # the model's): as wide as their longest, they ran behind a horizontal scroll bar.
        self.table.horizontalHeader().setSectionResizeMode(
            self.DETAILS, QHeaderView.ResizeMode.Stretch
        )
        # names looked up once for all the rows
        reader = DetailReader(self.session.store, self.users, self.laptops)
        for e in entries:
            # The day as every screen writes it (English too: "5 Dec 2026", not "05.12.2026").
            moment = e.when.astimezone()
            when = format_moment(moment, seconds=True)
            details = reader.text(e.details)
            if e.record_kind == "user" and e.record_id != e.user_id and e.record_id in self.users:
                # whose account was added or removed: the record id alone did not say (one's
                # own, logging in, is the "User" column's)
                account = f"{_('Account')}: {self.users[e.record_id]}"
                details = f"{account} · {details}" if details else account
            record = _(KIND_NAMES[e.record_kind]) if e.record_kind in KIND_NAMES else e.record_kind
            if e.record_kind == "device" and e.record_id in self.devices:
                # Which laptop was approved, revoked or renewed the key: by its id alone the
                # coordinator could not find the stolen laptop's entry.
                record = _("laptop “{name}”").format(name=self.devices[e.record_id])
            elif e.record_kind == "enrollment_code" and e.record_id in self.devices:
                # The laptop that asked the server for the code (its name given, in the details,
                # is the new laptop's).
                record = _("enrollment code from laptop “{name}”").format(
                    name=self.devices[e.record_id]
                )
            cells = [
                when,
                self._user_name(e),
                action_name(e.action, e.details),
                record,
                e.record_id,
                details,
            ]
            row = [QStandardItem(text) for text in cells]
            row[0].setData(e.device_id, Qt.ItemDataRole.ToolTipRole)
            row[5].setToolTip(details)  # the details may be elided
            row[0].setData(e.id, ENTRY_ID)
            self.model.appendRow(row)
            if e.id == chosen_id:
                self.table.setCurrentIndex(self.model.index(self.model.rowCount() - 1, 0))
        self.table.verticalScrollBar().setValue(scroll)
        self._show_detail(self.table.currentIndex())  # the entry kept, or none any more
        self.count.setText(
            ngettext("{count} entry", "{count} entries", len(entries)).format(
                count=format_number(len(entries))
            )
        )

    def _user_name(self, entry: audit.AuditEntry) -> str:
        """The user's name where they have an account on this laptop (with the role the entry
        carries where the account has another now); else their id, the role
        the entry carries and the laptop they worked on (the accounts of other laptops do not
        sync, their names are not known here): "dfee83c6 (Advisor, Hafen)". The id alone
        did not tell the coordinator whose entry it was."""
        name = self.users.get(entry.user_id)
        if name is not None:
            if entry.role is not None and entry.role != self.roles.get(entry.user_id):
                # The role it worked with then: the account's now is another (added again in
                # another role, or the laptop's role lowered since).
                return f"{name} ({_(_ROLE_NAMES[Role(entry.role)])})"
            return name
        # An erasure or a merge arriving from another laptop is in this laptop's chain: its
        # user worked on the laptop its details name.
        laptop = entry.details.get("laptop")
        where = laptop if isinstance(laptop, str) else entry.device_id
        return staff_label(entry.user_id, entry.role, self.laptops.get(where, ""))

    def verify(self) -> None:
        problems = audit.verify_chain(self.session.store)
        if not problems:
            self.chain.setText(_("The audit log is intact: no entry was changed or removed."))
            self.chain.setStyleSheet("color: #1b5e20;")
        else:
            self.chain.setText(
                ngettext(
                    "The audit log was tampered with: {count} problem, at entry {seq}.",
                    "The audit log was tampered with: {count} problems, first at entry {seq}.",
                    len(problems),
                ).format(count=format_number(len(problems)), seq=problems[0].seq)
            )
            self.chain.setStyleSheet("color: #b00020; font-weight: bold;")


def open_audit_window(window: MainWindow, person_id: str | None = None) -> AuditWindow:
    dialog = AuditWindow(window.session, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if person_id:
        dialog.show_person_log(person_id)
    controller = getattr(window, "sync", None)  # None without the sync feature
    if controller is not None:
        controller.sync_finished.connect(dialog.after_sync)
    dialog.show()
    return dialog


def install(window: MainWindow) -> None:
    if not allowed(window.session.user, Action.VIEW_AUDIT):
        return
    action = QAction(window)
    action.triggered.connect(lambda: open_audit_window(window))
    admin_menu(window).addAction(action)
    window.person_page.add_more_action(
        "access_log", lambda: _("&Access log"), lambda person: open_audit_window(window, person.id)
    )

    def retranslate() -> None:
        action.setText(_("&Audit log…"))

    window.retranslated.connect(retranslate)
    retranslate()
