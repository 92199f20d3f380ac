"""The person's page: what is known about a person, and the actions and tabs of features."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from desktop_app.domain.person import Person
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import _
from desktop_app.ui.error_label import WARNING_BACKGROUND, WARNING_BORDER
from desktop_app.ui.person_dialog import SEX_OPTIONS
from desktop_app.ui.widgets import country_names, language_names, tab_through


class FlowLayout(QLayout):
    """Widgets side by side, wrapping to the next row where the width ends (by their real
    widths, so a long German label takes the room it needs and a short one no more)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)

    def insert_widget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not ((w := i.widget()) and w.isHidden())]

    def _spacing(self, orientation: Qt.Orientation) -> int:
        if self.spacing() >= 0:
            return self.spacing()
        parent = self.parentWidget()
        if parent is None:
            return 6
        return parent.style().layoutSpacing(
            QSizePolicy.ControlType.PushButton, QSizePolicy.ControlType.PushButton, orientation
        )

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        dx, dy = self._spacing(Qt.Orientation.Horizontal), self._spacing(Qt.Orientation.Vertical)
        x, y, row_height = area.x(), area.y(), 0
        for item in self._visible():
            hint = item.sizeHint().boundedTo(QSize(area.width(), item.sizeHint().height()))
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, row_height = area.x(), y + row_height + dy, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + dx
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + m.bottom()


class PageNotice(QWidget):
    """A feature's notice under the person's name (``PersonPage.add_notice``): a line of text
    and the button that leads on, on a warning's background; hidden until the feature shows
    it. ``name`` is read out by screen readers."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            f"{type(self).__name__} {{ background: {WARNING_BACKGROUND}; "
            f"border: 1px solid {WARNING_BORDER}; }}"
        )
        self.setAccessibleName(name)
        self.hide()


class PersonPage(QWidget):
    """The person's page: facts, actions (buttons added by features) and tabs (visits …).

    Empty with a hint when nobody is selected. ``person_changed`` tells the tabs to refresh.
    """

    person_changed = Signal(object)  # Person | None
    # The person shown, read again because a sync brought changes: the tabs show them as they
    # are now, keeping what is selected, and log no view (the person was not opened again).
    person_reread = Signal(object)  # Person

    FIELDS = ("name", "date_of_birth", "sex", "nationality", "languages", "phone", "notes")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: the input Tab comes from to the page (the window's people list); None: the page
        #: alone in its window, Tab starts at its first control
        self.tab_after: QWidget | None = None
        self.person: Person | None = None
        self.erased_name = ""  # of the person shown until a sync erased them (``show_erased``)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The name as the ID document spells it, under the name where it is written otherwise
        # ("Gueorguieva" under "Георгиева"): what letters to offices carry.
        self.id_name = QLabel()
        self.id_name.setObjectName("id_document_name")
        self.id_name.setWordWrap(True)
        self.id_name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.id_name.hide()
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
        # The frequent actions are buttons that wrap by their widths; the rarer ones (export,
        # erase, open to helpers, access log) wait in "More…", so the people list keeps room.
        self.actions_row = FlowLayout()
        self.more_menu = QMenu(self)
        self.more_button = QPushButton()
        self.more_button.setObjectName("more_actions")
        self.more_button.setMenu(self.more_menu)
        self.more_button.hide()
        self._more_separator: QAction | None = None
        self.actions_row.insert_widget(0, self.more_button)
        self.tabs = QTabWidget()
        self.tabs.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.id_name)
        self.notices = QVBoxLayout()  # features' notices about the person (conflicts …)
        layout.addLayout(self.notices)
        layout.addWidget(self.hint)
        layout.addLayout(self.form)
        layout.addLayout(self.actions_row)
        layout.addWidget(self.tabs, 1)
        self._action_buttons: list[QPushButton] = []
        self._action_texts: list[tuple[QPushButton | QAction, Callable[[], str]]] = []
        self._tab_titles: list[tuple[QWidget, Callable[[], str]]] = []
        self._stretch = QWidget()
        layout.addWidget(self._stretch, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setAccessibleName(_("Person details"))
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
        self.hint.setText(
            _(
                "{name} was erased on another laptop (received with the last sync). "
                "Search for a person or register a new one (Ctrl+N)."
            ).format(name=self.erased_name)
            if self.erased_name
            else _("Search for a person or register a new one (Ctrl+N).")
        )
        for widget, title in self._tab_titles:
            self.tabs.setTabText(self.tabs.indexOf(widget), title())
        for button, label in self._action_texts:
            button.setText(label())
        self.more_button.setText(_("&More…"))
        self.more_button.setToolTip(_("Export, erase, open to helpers, access log"))
        self.more_button.setAccessibleName(_("More actions on this person"))
        # The same person shown again in the new language: re-read, not opened (opening logs a
        # view of their visits and referrals, and nobody opened anything)
        self._show(self.person, reread=True)

    def add_action_button(self, button: QPushButton) -> None:
        """A feature's action on the selected person (e.g. "Start visit"); shown with a person."""
        self.actions_row.insert_widget(len(self._action_buttons), button)  # before "More…"
        self._action_buttons.append(button)
        button.setVisible(self.person is not None)
        self._order_tabs()

    def add_person_action(
        self, name: str, text: Callable[[], str], act: Callable[[Person], object]
    ) -> QPushButton:
        """An action button on the person shown: ``act`` gets them when it is clicked.

        ``name`` is the button's object name; ``text`` gives its label in the language in use.
        """
        button = QPushButton(text())
        button.setObjectName(name)
        self._action_texts.append((button, text))
        button.clicked.connect(self._on_person_shown(act))
        self.add_action_button(button)
        return button

    def _on_person_shown(self, act: Callable[[Person], object]) -> Callable[[], None]:
        """A slot that hands ``act`` the person shown when it fires (nothing if nobody is)."""

        def slot() -> None:
            if self.person is not None:
                act(self.person)

        return slot

    def add_more_action(
        self,
        name: str,
        text: Callable[[], str],
        act: Callable[[Person], object],
        *,
        destructive: bool = False,
    ) -> QAction:
        """A rarer action on the person shown, in the "More…" menu (``text`` with an access
        key of its own in that menu); ``act`` gets the person when it is chosen. Destructive
        ones (erasing) come last, apart, so that they are not chosen by a slip."""
        action = QAction(text(), self.more_menu)
        action.setObjectName(name)
        self._action_texts.append((action, text))
        action.triggered.connect(self._on_person_shown(act))
        if destructive:
            if self._more_separator is None:
                self._more_separator = self.more_menu.addSeparator()
            self.more_menu.addAction(action)
        elif self._more_separator is None:
            self.more_menu.addAction(action)
        else:
            self.more_menu.insertAction(self._more_separator, action)
        self._update_visibility()
        return action

    def add_notice(self, widget: QWidget) -> None:
        """A feature's notice under the person's name; the feature shows and hides it."""
        self.notices.addWidget(widget)
        self._order_tabs()

    def add_tab(self, widget: QWidget, title: Callable[[], str]) -> None:
        """A feature's tab on the person's page; ``title`` is called again on language change."""
        self.tabs.addTab(widget, title())
        self._tab_titles.append((widget, title))
        self._update_visibility()
        self._order_tabs()

    def _order_tabs(self) -> None:
        """Tab in the order shown: the notices, the action buttons, More…, the tabs. Each went
        where its feature made it (More… and the tabs before the buttons above them, a
        conflict's Decide… last, after the tabs' contents)."""
        order = self.tab_order()
        # From where the page starts: the input before it (the people list, ``tab_after``), as
        # the window says, not found by walking the focus chain back (PySide6 then takes the
        # widget returned for a child of the one asked, and the garbage collector crashed on
        # such tangled parents: see GroupEditor._tab_to).
        before = self.tab_after if self.tab_after is not None else order.pop(0)
        tab_through(before, order)

    def focus_first_control(self) -> None:
        """The keyboard to the page's first control in its Tab order that can take it (a
        notice's button, else the first action): after a dialog about the person shown, such
        as a correction of their data, which left it where the dialog was opened from (the
        search box, when opened by its access key from there)."""
        for widget in self.tab_order():
            if (
                widget.isVisibleTo(self)
                and widget.isEnabled()
                and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
            ):
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def tab_order(self) -> list[QWidget]:
        """The page's controls in the order Tab goes through them: the notices' controls,
        the action buttons, More…, the tabs (hidden ones included)."""
        items = [self.notices.itemAt(i) for i in range(self.notices.count())]
        notices = [item.widget() for item in items if item is not None]
        order: list[QWidget] = [
            inner
            for notice in notices
            if notice is not None
            for inner in notice.findChildren(QWidget)
            if inner.focusPolicy() != Qt.FocusPolicy.NoFocus
        ]
        return [*order, *self._action_buttons, self.more_button, self.tabs]

    def _update_visibility(self) -> None:
        shown = self.person is not None
        for button in self._action_buttons:
            button.setVisible(shown)
        self.more_button.setVisible(shown and not self.more_menu.isEmpty())
        tabs = shown and self.tabs.count() > 0
        self.tabs.setVisible(tabs)
        # Not tabs.isVisible(): false in a hidden window (the lock, a start), filler kept.
        self._stretch.setVisible(not tabs)

    def show_erased(self) -> None:
        """The person shown was erased by a sync: the page says so and shows nobody."""
        if self.person is not None:
            self.erased_name = f"{self.person.given_name} {self.person.family_name}"
        self._show(None)
        self.retranslate()

    def show_person(self, person: Person | None, *, reread: bool = False) -> None:
        """``person`` opened (``person_changed``); ``reread``: the one shown, read again
        after a sync (``person_reread``)."""
        self.erased_name = ""
        if person is not None and reread and self.person is not None:
            self._show(person, reread=True)
        else:
            self._show(person)
        self.hint.setText(_("Search for a person or register a new one (Ctrl+N)."))

    def _show(self, person: Person | None, *, reread: bool = False) -> None:
        self.person = person
        self.hint.setVisible(person is None)
        for key in self.values:
            self.labels[key].setVisible(person is not None)
            self.values[key].setVisible(person is not None)
        self._update_visibility()
        self.id_name.setVisible(person is not None and person.id_name_differs)
        if person is None:
            self.title.setText("")
            self.person_changed.emit(None)
            return
        self.title.setText(f"{person.given_name} {person.family_name}")
        self.id_name.setText(
            _("As on the ID document: {name}").format(name=person.id_document_name)
            if person.id_name_differs
            else ""
        )
        sexes = dict(SEX_OPTIONS)
        self.values["date_of_birth"].setText(format_partial_date(person.date_of_birth) or "—")
        self.values["sex"].setText(_(sexes[person.sex.value]) if person.sex else "—")
        self.values["nationality"].setText(
            country_names().get(person.nationality, person.nationality) or "—"
        )
        self.values["languages"].setText(language_names(person.languages) or "—")
        self.values["phone"].setText(person.phone or "—")
        self.values["notes"].setText(person.notes or "—")
        self.setAccessibleDescription(
            "\n".join(t for t in (self.title.text(), self.id_name.text()) if t)
        )
        if reread:
            self.person_reread.emit(person)
        else:
            self.person_changed.emit(person)
