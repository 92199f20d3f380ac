"""Idle lock: after some minutes without input the main window shows only a lock screen.

While locked, nothing personal is on screen or in the window's models: the people list and
the person's page are emptied, menus are hidden, forms and dialogs are hidden (and shown
again, as they were, after unlocking) and meanwhile are no windows of the system (nothing of
them in its list of windows or its accessibility tree), any other window is closed. Unlocking
needs the same user's password (with the same growing wait as logging in); "Switch user"
logs out and shows the login dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QInputEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.i18n.messages import error_message
from desktop_app.i18n.text import _
from desktop_app.storage.keyslots import KeySlotError, LoginDelayed
from desktop_app.ui.error_label import CapsLockNote
from desktop_app.ui.settings import KEY_IDLE_LOCK, idle_lock_minutes
from desktop_app.ui.widgets import ErrorLabel
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import verify_password

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

IDLE_MINUTES_DEFAULT = store_settings.IDLE_LOCK_DEFAULT
# The key the settings dialog writes. This module had its own ("security/idle_minutes"), so the
# time chosen in the settings never reached the lock; that old value is ignored on purpose, as
# anyone could set it (up to 120 minutes) through File → Lock after…, and removed at start-up
# (ui.application.drop_stale_settings).
SETTING = KEY_IDLE_LOCK
_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}
LOCK_KEYS = QKeySequence("Ctrl+L")
_Cursor = tuple[int, int, int]  # a line's cursor position, selection start and length


class _Kept(NamedTuple):
    """A form or dialog hidden while locked, and what it is shown again with."""

    widget: QWidget
    focus: QWidget | None  # the widget that had its focus
    cursor: _Cursor | None  # that line's cursor and selection
    title: str  # its window title (often with a person's name)


def idle_minutes() -> int:
    return idle_lock_minutes(QSettings())


def own_password_message(code: str) -> str:
    """The message for a refused password of the user logged in, where only a password was
    typed: "The account name or password is not correct" sent them looking for an account
    name field on the lock screen."""
    if code == "wrong_password":
        return _("The password is not correct.")
    return error_message(code)


class LockScreen(QWidget):
    """What the window shows while locked: who is logged in, a password field, two buttons."""

    unlock_requested = Signal(str)
    switch_user_requested = Signal()

    def __init__(self, user_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who = QLabel()
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._user_name = user_name
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        # Centred, it took its size hint: some 140 px, a third of a passphrase in view.
        self.password.setMinimumWidth(280)
        self.password.setMaximumWidth(320)
        self.password.returnPressed.connect(self._on_unlock_clicked)
        self.caps_lock = CapsLockNote(self.password)
        self.caps_lock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error = ErrorLabel()
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Why it locked, where it was not the idle time (``show_reason``): a msgid.
        self.reason = QLabel()
        self.reason.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reason.setWordWrap(True)
        self.reason.hide()
        self._reason = ""
        self.unlock_button = QPushButton()
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._on_unlock_clicked)
        self.switch_button = QPushButton()
        self.switch_button.clicked.connect(self.switch_user_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addWidget(self.who)
        layout.addWidget(self.reason)
        layout.addSpacing(12)
        layout.addWidget(self.password, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caps_lock)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addStretch(3)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Welcome Desk is locked"))
        self.who.setText(
            _("Logged in: {name}. Enter your password to continue.").format(name=self._user_name)
        )
        self.password.setPlaceholderText(_("Password"))
        self.password.setAccessibleName(_("Password"))
        self.unlock_button.setText(_("&Unlock"))
        self.switch_button.setText(_("&Switch user"))
        self.reason.setText(_(self._reason) if self._reason else "")
        self.caps_lock.retranslate()

    def show_reason(self, msgid: str) -> None:
        """Why the window locked (``msgid``, said in the current language), below who is
        logged in: locked at once while someone typed, it must not look like a fault."""
        self._reason = msgid
        self.reason.setVisible(bool(msgid))
        self.retranslate()

    def _on_unlock_clicked(self) -> None:
        self.unlock_requested.emit(self.password.text())
        self.password.clear()


class Locker(QObject):
    """Watches the application's input; locks ``window`` after ``idle_ms`` without any."""

    locked_changed = Signal(bool)

    def __init__(self, window: MainWindow, idle_ms: int) -> None:
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(idle_ms)
        self.timer.timeout.connect(self.lock)
        self.screen: LockScreen | None = None
        self._content: QWidget | None = None
        self._hidden_docks: list[QDockWidget] = []
        self._disabled_actions: list[QAction] = []
        self._search_text = ""
        self._person_id = ""
        # Hidden while locked: shown again on unlock
        self._kept: list[_Kept] = []
        self._active: QWidget | None = None
        self._focus: QWidget | None = None  # the window's own, for the keyboard after unlocking
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the program passes here: the type check first (a tenth of the cost of
        # asking a paint or timer event its type, which PySide6 makes an enum of).
        if isinstance(event, QInputEvent) and event.type() in _INPUT_EVENTS and not self.is_locked:
            self.timer.start()
            # "Lock now" is the main window's: its shortcut did nothing in a form or dialog, the
            # window a helper stepping away was typing in.
            if isinstance(event, QKeyEvent) and QKeySequence(event.keyCombination()) == LOCK_KEYS:
                self.lock()
                return True
        return False

    def lock(self) -> None:
        window = self.window
        if self.is_locked:
            return
        self.timer.stop()
        self._active = QApplication.activeWindow()
        self._focus = window.focusWidget()
        for widget in QApplication.topLevelWidgets():
            if widget is window or not widget.isVisible():
                continue
            if _kept_through_lock(widget):
                # Closed, a form or dialog lost the user's place in it (and a dialog what was
                # typed): hidden, it shows nothing and comes back as it was.
                focus = widget.focusWidget()
                self._kept.append(_Kept(widget, focus, _cursor_of(focus), widget.windowTitle()))
                _conceal(widget, window.windowTitle())
                continue
            if isinstance(widget, QDialog):
                widget.reject()
            widget.close()
        for dock in window.findChildren(QDockWidget):
            if dock.isVisible():
                dock.hide()
                self._hidden_docks.append(dock)
        # Empty what holds names, so neither the screen nor the models show anyone.
        self._search_text = window.search.text()
        shown = window.person_page.person
        self._person_id = shown.id if shown is not None else ""
        window.search.blockSignals(True)
        window.search.clear()
        window.search.blockSignals(False)
        window.model.show_results([])
        window.person_page.show_person(None)
        window.statusBar().clearMessage()
        window.menuBar().hide()
        # Shortcuts (Ctrl+N …) must not open anything behind the lock screen.
        for action in window.findChildren(QAction):
            if action.isEnabled():
                action.setEnabled(False)
                self._disabled_actions.append(action)
        content = window.takeCentralWidget()
        if content is not None:
            content.hide()
        self._content = content
        self.screen = LockScreen(window.session.user.display_name)
        self.screen.unlock_requested.connect(self._on_unlock_requested)
        self.screen.switch_user_requested.connect(self._on_switch_user_requested)
        self.screen.switch_button.setVisible(not window.demo)
        window.setCentralWidget(self.screen)
        if self._active is not None:
            # One of this program's windows had the keyboard (not some other program's): the
            # lock screen takes it, also when that was a form or dialog hidden or closed above;
            # the window under it was left inactive, and the password typed went nowhere.
            window.activateWindow()
        self.screen.password.setFocus()
        self.locked_changed.emit(True)

    def _on_unlock_requested(self, password: str) -> None:
        assert self.screen is not None
        try:
            verify_password(self.window.session, password)
        except LoginDelayed as exc:
            from desktop_app.ui.login import delay_message

            self.screen.error.show_message(delay_message(exc.seconds))
            return
        except KeySlotError as exc:
            self.screen.error.show_message(own_password_message(exc.code))
            return
        self.unlock()

    def unlock(self) -> None:
        window = self.window
        if self.screen is None or self._content is None:
            return
        window.takeCentralWidget()
        self.screen.deleteLater()
        self.screen = None
        window.setCentralWidget(self._content)
        self._content.show()
        self._content = None
        window.menuBar().show()
        for action in self._disabled_actions:
            action.setEnabled(True)
        self._disabled_actions.clear()
        for dock in self._hidden_docks:
            dock.show()
        self._hidden_docks.clear()
        window.search.setText(self._search_text)  # searches again, as if typed
        if not self._search_text:
            window.reload_all()
        if self._person_id:
            window.show_person(self._person_id)  # on screen again: a view, as when opened
            self._person_id = ""
        self._show_kept()
        self.timer.start()
        self.locked_changed.emit(False)

    def _show_kept(self) -> None:
        """The forms and dialogs hidden by the lock, shown again (a dialog before those opened
        from it), the one in use active, with the focus where it was."""
        kept, self._kept = self._kept, []
        active, self._active = self._active, None
        own, self._focus = self._focus, None
        alive = [k for k in kept if isValid(k.widget)]
        for k in sorted(alive, key=lambda k: _depth(k.widget)):
            k.widget.setWindowTitle(k.title)
            k.widget.show()
        for widget, focus, cursor, _title in alive:
            if widget is active:
                widget.raise_()
                widget.activateWindow()
            if focus is not None and isValid(focus):
                focus.setFocus()
                if isinstance(focus, QLineEdit) and cursor is not None:
                    # A dialog shown selects its focused line's whole text (as if tabbed into),
                    # and the next key typed replaced it: "3" became "0", not "30".
                    position, start, length = cursor
                    if length:
                        focus.setSelection(start, length)
                    else:
                        focus.deselect()
                        focus.setCursorPosition(position)
        if not any(k.widget is active for k in alive):
            # The lock screen's password field had the focus, and went: nothing had it, and
            # the keyboard reached nothing until a click.
            # Where it was, or the search box where that is gone (a button of the person page
            # emptied by the lock).
            window = self.window
            window.activateWindow()
            usable = (
                own is not None
                and isValid(own)
                and window.isAncestorOf(own)
                and own.isVisibleTo(window)
                and own.isEnabled()
            )
            target = own if usable and own is not None else window.search
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_kept(self) -> None:
        """Close what the lock hid, as its own Close does (a form keeps its draft): before
        another user's login closes this window's store."""
        kept, self._kept = self._kept, []
        for k in kept:
            widget = k.widget
            if not isValid(widget):
                continue
            if isinstance(widget, QDialog):
                widget.reject()
            widget.close()

    def _on_switch_user_requested(self) -> None:
        from desktop_app.ui.login import LoginDialog
        from desktop_app.ui.main_window import MainWindow, put_in_place, show_window

        window = self.window
        data_dir = window.session.store.paths.data_dir
        window.wait_for_background()
        window.hide()
        dialog = LoginDialog(data_dir)
        accepted = dialog.exec()
        if accepted and dialog.session is not None:
            self.close_kept()
            window.wait_for_background()
            window.session.close()
            new = MainWindow(dialog.session)
            show_window(new, in_place_of=window)
            put_in_place(window, new)
            window.close()
            # The window's content (the list, the person's page and the features' tabs), taken
            # out for the lock screen, has no parent: it would outlive the window's deletion
            # and keep it alive (its widgets' connections refer back to the window).
            content, self._content = self._content, None
            if content is not None:
                content.deleteLater()
        else:
            window.show()  # still locked: cancelling the switch opens nothing


def _kept_through_lock(widget: QWidget) -> bool:
    """Whether ``widget`` is hidden by the lock rather than closed: a form or dialog the user
    works in. A dialog that blocks the whole program (a question waiting for its answer in a
    nested event loop) is answered with Cancel and closed, as are other windows."""
    return (
        isinstance(widget, QDialog)
        and widget.windowModality() is not Qt.WindowModality.ApplicationModal
    )


def _conceal(widget: QWidget, title: str) -> None:
    """Hide ``widget`` so that nothing of it can be read while locked. Hidden, a window stayed
    in the system's list of windows with its title (a person's name, for any program to
    read), and its fields in the accessibility tree (what was typed too): its title gives way
    to ``title``, and its native window goes (shown again, it gets a new one, where it was)."""
    widget.setWindowTitle(title)
    widget.hide()
    widget.destroy()


def _cursor_of(widget: QWidget | None) -> _Cursor | None:
    """A line's cursor position and selection (start, length); None for any other widget."""
    if not isinstance(widget, QLineEdit):
        return None
    selected = widget.hasSelectedText()
    return (
        widget.cursorPosition(),
        widget.selectionStart() if selected else 0,
        widget.selectionLength() if selected else 0,
    )


def _depth(widget: QWidget) -> int:
    """How many widgets ``widget`` lies under (a dialog's parent comes before it)."""
    depth, parent = 0, widget.parentWidget()
    while parent is not None:
        depth, parent = depth + 1, parent.parentWidget()
    return depth


def set_idle_minutes(window: MainWindow, minutes: int) -> None:
    """Store the idle time for this laptop's user and apply it at once (coordinator only:
    ``PermissionDenied`` otherwise, or a helper could keep the laptop unlocked for hours)."""
    store_settings.require_change_shared_settings(window.session.user)
    QSettings().setValue(SETTING, minutes)
    apply_idle_minutes(window)


def apply_idle_minutes(window: MainWindow) -> None:
    """Let the running lock timer use the stored idle time (after the settings were saved)."""
    locker: Locker = window.locker  # type: ignore[attr-defined]
    locker.timer.setInterval(idle_minutes() * 60_000)
    if not locker.is_locked:
        locker.timer.start()


def _ask_idle_minutes(window: MainWindow) -> None:
    from PySide6.QtWidgets import QInputDialog

    minutes, ok = QInputDialog.getInt(
        window,
        _("Lock after"),
        _("Lock Welcome Desk after this many minutes without input:"),
        idle_minutes(),
        store_settings.IDLE_LOCK_MIN,
        store_settings.IDLE_LOCK_MAX,
    )
    if ok:
        set_idle_minutes(window, minutes)


def install(window: MainWindow) -> None:
    window.locker = Locker(window, idle_minutes() * 60_000)  # type: ignore[attr-defined]
    action = QAction(window)
    action.setShortcut(LOCK_KEYS)
    action.triggered.connect(window.locker.lock)  # type: ignore[attr-defined]
    window.file_menu.insertAction(window.quit_action, action)
    window.addAction(action)
    idle_action = QAction(window)
    idle_action.triggered.connect(lambda: _ask_idle_minutes(window))
    # Only a coordinator sets the idle time; the others' menu does not offer it.
    idle_action.setVisible(store_settings.may_change_shared_settings(window.session.user))
    window.file_menu.insertAction(window.quit_action, idle_action)
    window.idle_lock_action = idle_action  # type: ignore[attr-defined]  # for tests

    def retranslate() -> None:
        action.setText(_("&Lock now"))
        idle_action.setText(_("Lock &after…"))
        locker: Locker = window.locker  # type: ignore[attr-defined]
        if locker.screen is not None:
            locker.screen.retranslate()

    window.retranslated.connect(retranslate)
    retranslate()
