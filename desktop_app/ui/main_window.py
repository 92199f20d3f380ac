"""Main window: people list with type-ahead search, person details, language menu."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.domain.person import Person
from desktop_app.i18n.formatting import format_number, format_partial_date
from desktop_app.i18n.text import (
    LANGUAGE_NAMES,
    LANGUAGES,
    _,
    current_language,
    ngettext,
    set_language,
)
from desktop_app.storage.people_repo import PersonListEntry
from desktop_app.ui.people_model import PeopleTableModel
from desktop_app.ui.person_dialog import SEX_OPTIONS, RegisterPersonDialog
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import country_names, language_name
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session

SEARCH_DEBOUNCE_MS = 25


class PersonDetails(QWidget):
    """The details of the selected person; empty with a hint when nobody is selected."""

    FIELDS = ("name", "date_of_birth", "sex", "nationality", "languages", "phone", "notes")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person: Person | None = None
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.form = QFormLayout()
        self.labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in self.FIELDS[1:]:
            label, value = QLabel(), QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.labels[key], self.values[key] = label, value
            self.form.addRow(label, value)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.setAccessibleName("person details")
        self.retranslate()

    def retranslate(self) -> None:
        texts = {
            "date_of_birth": _("Date of birth"),
            "sex": _("Sex / gender"),
            "nationality": _("Nationality"),
            "languages": _("Languages spoken"),
            "phone": _("Phone"),
            "notes": _("Notes"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text + ":")
        self.hint.setText(_("Search for a person or register a new one (Ctrl+N)."))
        self.show_person(self.person)

    def show_person(self, person: Person | None) -> None:
        self.person = person
        self.hint.setVisible(person is None)
        for key in self.values:
            self.labels[key].setVisible(person is not None)
            self.values[key].setVisible(person is not None)
        if person is None:
            self.title.setText("")
            return
        self.title.setText(f"{person.given_name} {person.family_name}")
        sexes = dict(SEX_OPTIONS)
        self.values["date_of_birth"].setText(format_partial_date(person.date_of_birth) or "—")
        self.values["sex"].setText(_(sexes[person.sex.value]) if person.sex else "—")
        self.values["nationality"].setText(
            country_names().get(person.nationality, person.nationality) or "—"
        )
        self.values["languages"].setText(
            ", ".join(language_name(c) for c in person.languages) or "—"
        )
        self.values["phone"].setText(person.phone or "—")
        self.values["notes"].setText(person.notes or "—")
        self.setAccessibleDescription(self.title.text())


class MainWindow(QMainWindow):
    search_finished = Signal(int)  # number of results shown

    def __init__(self, session: Session, *, demo: bool = False) -> None:
        super().__init__()
        self.session = session
        self.demo = demo
        self.tasks = TaskRunner(self)
        self._search_generation = 0
        self._total = 0

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self.search_timer.timeout.connect(self._on_search_timer_timeout)
        self.result_label = QLabel()

        self.model = PeopleTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((170, 150, 110, 110)):
            self.table.setColumnWidth(column, width)
        self.table.setAlternatingRowColors(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.details = PersonDetails()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.result_label)
        left_layout.addWidget(self.table)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)
        self.status_user = QLabel()
        self.statusBar().addPermanentWidget(self.status_user)

        self._build_menus()
        self.retranslate()
        self.resize(1100, 680)
        self.reload_all()
        self.search.setFocus()

    # --- menus ---------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.open_register_dialog)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addActions([self.new_action, self.quit_action])

        self.edit_menu = bar.addMenu("")
        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self._on_find_triggered)
        self.edit_menu.addAction(self.find_action)

        self.language_menu = bar.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in LANGUAGES:
            action = QAction(LANGUAGE_NAMES[code], self, checkable=True)
            action.setData(code)
            action.setChecked(code == current_language())
            action.triggered.connect(lambda _checked=False, c=code: self.switch_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._on_about_triggered)
        self.help_menu.addAction(self.about_action)

    def switch_language(self, lang: str) -> None:
        set_language(lang)
        self.language_actions[lang].setChecked(True)
        self.retranslate()

    def retranslate(self) -> None:
        title = _("Welcome Desk")
        if self.demo:
            title += " — " + _("DEMO (generated data, not saved)")
        self.setWindowTitle(title)
        self.file_menu.setTitle(_("&File"))
        self.new_action.setText(_("&Register person…"))
        self.quit_action.setText(_("&Quit"))
        self.edit_menu.setTitle(_("&Edit"))
        self.find_action.setText(_("&Find person"))
        self.language_menu.setTitle(_("&Language"))
        self.help_menu.setTitle(_("&Help"))
        self.about_action.setText(_("&About Welcome Desk"))
        self.search.setPlaceholderText(
            _("Find a person: name in any alphabet, date of birth or phone (Ctrl+F)")
        )
        self.search.setAccessibleName(_("Find a person"))
        self.table.setAccessibleName(_("People"))
        self.status_user.setText(_("Logged in: {name}").format(name=self.session.user.display_name))
        self.model.retranslate()
        self.details.retranslate()
        self._update_result_label()

    # --- list and search -----------------------------------------------------------------
    def reload_all(self) -> None:
        store = self.session.store
        self._total = people.count_people(store)
        self.model.show_all(
            self._total, lambda offset, limit: people.list_people(store, offset, limit)
        )
        self._update_result_label()

    def _update_result_label(self) -> None:
        if self.model.is_search_result():
            n = self.model.rowCount()
            text = _("{count} found").format(count=format_number(n)) if n else _("Nobody found.")
        else:
            text = ngettext(
                "{count} person registered", "{count} people registered", self._total
            ).format(count=format_number(self._total))
        self.result_label.setText(text)

    def _on_search_text_changed(self, _text: str) -> None:
        self.search_timer.start()

    def _on_search_return_pressed(self) -> None:
        self.search_timer.stop()
        self._on_search_timer_timeout()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _on_search_timer_timeout(self) -> None:
        query = self.search.text().strip()
        self._search_generation += 1
        generation = self._search_generation
        if not query:
            self.reload_all()
            self.search_finished.emit(self.model.rowCount())
            return
        store = self.session.store
        self.tasks.run(
            lambda: people.search_people(store, query),
            lambda result: self._on_search_done(generation, result),
            self._on_task_failed,
        )

    def _on_search_done(self, generation: int, result: list[PersonListEntry]) -> None:
        if generation != self._search_generation:
            return  # a newer keystroke already asked again
        self.model.show_results(result)
        self._update_result_label()
        self.search_finished.emit(len(result))

    def _on_task_failed(self, exc: Exception) -> None:
        QMessageBox.warning(
            self,
            _("Welcome Desk"),
            _("The action failed: {error}").format(error=type(exc).__name__),
        )

    def _on_find_triggered(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.model.entry(current.row()) if current.isValid() else None
        self.show_person(entry.id if entry else None)

    def show_person(self, person_id: str | None) -> None:
        person = people.get_person(self.session.store, person_id) if person_id else None
        self.details.show_person(person)

    # --- registering ---------------------------------------------------------------------
    def open_register_dialog(self) -> RegisterPersonDialog:
        dialog = RegisterPersonDialog(self.session.store, self.session.user.id, self)
        dialog.person_registered.connect(self._on_dialog_person_registered)
        dialog.open_existing.connect(self._on_dialog_open_existing)
        dialog.open()
        return dialog

    def _on_dialog_person_registered(self, person: Person) -> None:
        self._total += 1
        self.search.setText(f"{person.family_name} {person.given_name}")
        self._on_search_timer_timeout()
        self.details.show_person(person)
        self.statusBar().showMessage(
            _("{name} registered.").format(name=f"{person.given_name} {person.family_name}"), 5000
        )

    def _on_dialog_open_existing(self, person_id: str) -> None:
        self.show_person(person_id)

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            _("About Welcome Desk"),
            _("Welcome Desk {version}: open advice sessions, offline and encrypted.").format(
                version=__version__
            ),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.tasks.wait(3000)
        super().closeEvent(event)
