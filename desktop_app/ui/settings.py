"""Settings screen: UI language, idle lock, sync server address (per laptop), the letterhead,
the supervisory authority and data protection officer named to the person, and the retention
period.

The language and the idle lock live in QSettings under the keys below; the letterhead, the
data protection contacts and the server address this laptop syncs with live in the encrypted
store (``usecases.settings``, ``usecases.sync``). Feature module: ``install(window)`` adds
"Settings…" to the File menu.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.referral import Organisation
from desktop_app.domain.validation import FieldError, ValidationFailed
from desktop_app.i18n.messages import sync_message
from desktop_app.i18n.text import LANGUAGE_NAMES, LANGUAGES, N_, _, current_language, ngettext
from desktop_app.ui.help import end_cleanly, menu_path
from desktop_app.ui.save_dialog import ask_open_path
from desktop_app.ui.tasks import DialogSave
from desktop_app.ui.widgets import ErrorLabel, KeepsInput, reachable_text
from desktop_app.usecases import reference
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

KEY_LANGUAGE = "ui/language"
KEY_IDLE_LOCK = "security/idle_lock_minutes"
# Said in the settings and in the status bar's tooltip of a laptop that has not joined.
# Said to a coordinator on a laptop of a team: where the letterhead and the contacts they save
# apply (``usecases.settings.save_organisation_settings``).
SHARED_NOTE = N_(
    "The letterhead with its logo and the data protection contacts saved here go to every "
    "laptop of the team at the next sync."
)
LOCAL_NOTE = N_(
    "This laptop cannot give the letterhead and the data protection contacts to the team: "
    "saved here, they apply on this laptop only, until a coordinator's laptop publishes "
    "newer ones."
)
NOT_JOINED_NOTE = N_("This laptop has not joined a sync server yet. To join one, choose {menu}.")


def not_joined_note() -> str:
    """Where a laptop that has not joined joins one (its menu path), as one plain sentence."""
    menu = menu_path("&File", "&Join an organisation…")
    return end_cleanly(_(NOT_JOINED_NOTE).format(menu=menu))


# What the first-run wizard was given to join with when it was cancelled before the laptop
# registered: the join dialog starts from it.
KEY_JOIN_SERVER = "sync/join_server"
KEY_JOIN_NAME = "sync/join_name"
# the labels' column, in average characters: most labels on one line, the longest on two
LABEL_COLUMN_CHARS = 30
# left of the screen's free room for the dialog's title bar and frame (as the visit window's)
FRAME_ROOM = QSize(20, 40)
# The dialog's least height: the buttons and a third of the content or so, which scrolls.
MINIMUM_HEIGHT = 360


def idle_lock_minutes(settings: QSettings | None = None) -> int:
    """Minutes without input before the app locks (default 5); read by the security feature."""
    value = (settings or QSettings()).value(KEY_IDLE_LOCK, store_settings.IDLE_LOCK_DEFAULT)
    try:
        minutes = int(str(value))
    except ValueError:
        return store_settings.IDLE_LOCK_DEFAULT
    if store_settings.idle_lock_error(minutes) is not None:
        return store_settings.IDLE_LOCK_DEFAULT
    return minutes


def label_column(form: QFormLayout, labels: list[QLabel]) -> None:
    """Give ``form``'s labels a column of one width, wrapping the longer ones: sized to its
    longest label, the column took the fields' room in Romanian ("Al doilea rând (numele
    proiectului)" left 282 px to the fields, English 342) and set the letterhead's fields apart
    from the laptop's above them. Every language now has fields of one width, in line."""
    for label in labels:
        label.setWordWrap(True)
        label.setFixedWidth(LABEL_COLUMN_CHARS * label.fontMetrics().averageCharWidth())
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)


class LetterheadForm(QWidget):
    """The organisation's name, address, phone, e-mail and logo, with messages at the field."""

    FIELDS = ("name", "subtitle", "address_lines", "phone", "email", "logo_path")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.subtitle = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setMaximumHeight(70)
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.logo = QLineEdit()
        self.logo_button = QPushButton()
        self.logo_button.clicked.connect(self._on_logo_clicked)
        self.errors = {name: ErrorLabel() for name in self.FIELDS}
        self.labels = {name: QLabel() for name in self.FIELDS}
        widgets: dict[str, QWidget] = {
            "name": self.name,
            "subtitle": self.subtitle,
            "address_lines": self.address,
            "phone": self.phone,
            "email": self.email,
        }
        logo_row = QWidget()
        row = QHBoxLayout(logo_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.logo)
        row.addWidget(self.logo_button)
        widgets["logo_path"] = logo_row
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for name in self.FIELDS:
            self.labels[name].setBuddy(self.logo if name == "logo_path" else widgets[name])
            form.addRow(self.labels[name], widgets[name])
            # The message in a row of its own under its field, which the form leaves out while
            # it is hidden: in a box with the field, the form sized the row by the message's
            # two-line hint (the address squeezed, a gap under the E-mail) and kept that room a
            # round of events after the message went (the Logo row 40 px under the E-mail).
            form.setWidget(form.rowCount(), QFormLayout.ItemRole.FieldRole, self.errors[name])
        label_column(form, list(self.labels.values()))
        # A message stays until the field is edited: it then describes an older value.
        for name, edit in (
            ("name", self.name),
            ("subtitle", self.subtitle),
            ("phone", self.phone),
            ("email", self.email),
            ("logo_path", self.logo),
        ):
            edit.textChanged.connect(lambda _t, n=name: self.errors[n].show_message(""))
        self.address.textChanged.connect(lambda: self.errors["address_lines"].show_message(""))
        self.retranslate()

    def retranslate(self) -> None:
        texts = {
            "name": _("&Organisation name"),
            "subtitle": _("S&econd line (programme)"),
            "address_lines": _("&Address (one line each)"),
            "phone": _("&Phone"),
            "email": _("E-&mail"),
            "logo_path": _("Lo&go (PNG or JPEG)"),
        }
        for name, text in texts.items():
            self.labels[name].setText(text)
        for name, edit in (
            ("name", self.name),
            ("subtitle", self.subtitle),
            ("address_lines", self.address),
            ("phone", self.phone),
            ("email", self.email),
            ("logo_path", self.logo),
        ):
            edit.setAccessibleName(texts[name].replace("&", ""))
        self.logo_button.setText(_("&Choose…"))

    def _on_logo_clicked(self) -> None:
        ask_open_path(
            self,
            _("Logo (PNG or JPEG)"),
            lambda path: self.logo.setText(str(path)),
            name_filter=_("Images (*.png *.jpg *.jpeg)"),
        )

    def set_organisation(self, org: Organisation) -> None:
        self.name.setText(org.name)
        self.subtitle.setText(org.subtitle)
        self.address.setPlainText("\n".join(org.address_lines))
        self.phone.setText(org.phone)
        self.email.setText(org.email)
        self.logo.setText(org.logo_path or "")
        for field in (self.name, self.subtitle, self.phone, self.email, self.logo):
            field.setCursorPosition(0)  # a long text shows its start, not its end

    def organisation(self, web: str = "") -> Organisation:
        return Organisation(
            name=self.name.text(),
            subtitle=self.subtitle.text(),
            address_lines=tuple(self.address.toPlainText().splitlines()),
            phone=self.phone.text(),
            email=self.email.text(),
            web=web,
            logo_path=self.logo.text() or None,
        )

    def show_errors(self, errors: list[FieldError]) -> None:
        for label in self.errors.values():
            label.show_message("")
        for error in errors:
            if error.field in self.errors:
                self.errors[error.field].show_message(store_settings.describe(error))


class SettingsDialog(QDialog):
    """Edits the settings; ``saved`` is emitted after everything was stored.

    Everyone may change the language of the program (it is personal); the letterhead, the idle
    lock time and the server address are shown read-only to anyone but a coordinator. The server
    address is the one this laptop syncs with; a laptop that has not joined an organisation has
    none to change (it joins with one), and the dialog says where to join instead. On a laptop
    of a team, a coordinator is told whether the letterhead and the data protection contacts
    they save go to the team's laptops or (a laptop that may not publish) stay on this one.
    """

    saved = Signal()

    def __init__(
        self, session: Session, settings: QSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings or QSettings()
        self._web = ""
        self.chosen_language = current_language()
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.idle_lock = QSpinBox()
        self.idle_lock.setRange(store_settings.IDLE_LOCK_MIN, store_settings.IDLE_LOCK_MAX)
        # Read when the dialog opens; the sync reads it from the store at each round.
        self.joined_server = sync_uc.server_url(session.store)
        self.server_changed = False  # saved a new address: the window syncs there at once
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://sync.example.org")
        self.server.setVisible(bool(self.joined_server))
        self.server_error = ErrorLabel()
        self.server.textChanged.connect(lambda _t: self.server_error.show_message(""))
        self.not_joined_note = reachable_text(QLabel())
        self.not_joined_note.setWordWrap(True)
        self.not_joined_note.setTextFormat(Qt.TextFormat.RichText)
        self.not_joined_note.setVisible(not self.joined_server)
        self.letterhead = LetterheadForm()
        self.letterhead_box = QGroupBox()
        QVBoxLayout(self.letterhead_box).addWidget(self.letterhead)
        # Named in a person's copy of their data as where they can complain (Art. 77 GDPR).
        self.authority = QLineEdit()
        self.authority.setMaxLength(store_settings.SUPERVISORY_MAX)
        self.authority_error = ErrorLabel()
        self.authority.textChanged.connect(lambda _t: self.authority_error.show_message(""))
        self.authority_label = QLabel()
        self.authority_label.setBuddy(self.authority)
        # Named in the copy and in the consent texts as whom the person can ask (Art. 13 GDPR).
        self.dpo = QLineEdit()
        self.dpo.setMaxLength(store_settings.DPO_MAX)
        self.dpo_error = ErrorLabel()
        self.dpo.textChanged.connect(lambda _t: self.dpo_error.show_message(""))
        self.dpo_label = QLabel()
        self.dpo_label.setBuddy(self.dpo)
        # How long after the last contact the retention list offers a person for erasure, and
        # what the consent texts and the data copy tell the person (Art. 13(2)(a) GDPR).
        self.retention = QSpinBox()
        self.retention.setRange(store_settings.RETENTION_MIN, store_settings.RETENTION_MAX)
        self.retention.valueChanged.connect(self._on_retention_value_changed)
        self.retention_label = QLabel()
        self.retention_label.setBuddy(self.retention)
        self.retention_note = reachable_text(QLabel())
        self.retention_note.setWordWrap(True)
        self.data_copy_box = QGroupBox()
        data_copy = QFormLayout(self.data_copy_box)
        data_copy.addRow(self.authority_label, self.authority)
        data_copy.setWidget(1, QFormLayout.ItemRole.FieldRole, self.authority_error)
        data_copy.setWidget(2, QFormLayout.ItemRole.LabelRole, self.dpo_label)
        data_copy.setWidget(2, QFormLayout.ItemRole.FieldRole, self.dpo)
        data_copy.setWidget(3, QFormLayout.ItemRole.FieldRole, self.dpo_error)
        data_copy.setWidget(4, QFormLayout.ItemRole.LabelRole, self.retention_label)
        data_copy.setWidget(4, QFormLayout.ItemRole.FieldRole, self.retention)
        # Under both columns: beside the labels' column it took four lines (Romanian), and the
        # dialog grew past the 700 px a 768 px screen has room for.
        data_copy.setWidget(5, QFormLayout.ItemRole.SpanningRole, self.retention_note)
        label_column(data_copy, [self.authority_label, self.dpo_label, self.retention_label])
        self.labels = {k: QLabel() for k in ("language", "idle_lock", "server")}
        self.labels["language"].setBuddy(self.language)
        self.labels["idle_lock"].setBuddy(self.idle_lock)
        self.labels["server"].setBuddy(self.server if self.joined_server else self.not_joined_note)
        self.store_error = ErrorLabel()
        self.may_change_shared = store_settings.may_change_shared_settings(session.user)
        self.role_note = reachable_text(QLabel())
        self.role_note.setWordWrap(True)
        self.role_note.setContentsMargins(0, 0, 0, 6)  # apart from the first group's title
        self.role_note.setVisible(not self.may_change_shared)
        # Where a coordinator's letterhead and contacts apply: the team's laptops, or (a laptop
        # that may not publish) this one only. A laptop that has not joined has no team yet.
        self.publishes = (
            bool(self.joined_server) and reference.publish_refusal(session.store) is None
        )
        self.sharing_note = reachable_text(QLabel())
        self.sharing_note.setWordWrap(True)
        self.sharing_note.setVisible(self.may_change_shared and bool(self.joined_server))
        for widget in (self.idle_lock, self.server, self.letterhead, self.authority, self.dpo):
            widget.setEnabled(self.may_change_shared)
        self.authority_label.setEnabled(self.may_change_shared)
        self.dpo_label.setEnabled(self.may_change_shared)
        self.retention.setEnabled(self.may_change_shared)
        self.retention_label.setEnabled(self.may_change_shared)
        # Their labels greyed with them, as the letterhead's are: a label shown usable offered
        # an Alt+letter that led nowhere (Qt does not focus a disabled buddy).
        self.labels["idle_lock"].setEnabled(self.may_change_shared)
        if self.joined_server:  # else its label leads to the note on joining, readable by all
            self.labels["server"].setEnabled(self.may_change_shared)
        laptop = QGroupBox()
        self.laptop_box = laptop
        form = QFormLayout(laptop)
        form.addRow(self.labels["language"], self.language)
        form.addRow(self.labels["idle_lock"], self.idle_lock)
        server_box = QVBoxLayout()
        server_box.addWidget(self.server)
        server_box.addWidget(self.not_joined_note)
        server_box.addWidget(self.server_error)
        form.addRow(self.labels["server"], server_box)
        label_column(form, list(self.labels.values()))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_save_clicked)
        # Escape pressed by reflex threw away a letterhead typed in, a new server address.
        self.keeps_input = KeepsInput(self, self._entered)
        self.buttons.rejected.connect(self.keeps_input.cancel)
        self.save = DialogSave(self, self.buttons)
        # Everything but the buttons scrolls: with the retention period's row the Romanian
        # dialog on a joined laptop wants 691 px, and on a screen with less room (1280 x 720:
        # about 650 px) it opened taller than the screen, Save and Cancel below its edge.
        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(self.role_note)
        content.addWidget(laptop)
        content.addWidget(self.sharing_note)
        content.addWidget(self.letterhead_box)
        content.addWidget(self.data_copy_box)
        content.addWidget(self.store_error)
        self.fields_area = QScrollArea()
        self.fields_area.setWidgetResizable(True)
        self.fields_area.setFrameShape(QFrame.Shape.NoFrame)
        self.fields_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a stop of its own for Tab: its fields are, and each scrolls into sight.
        self.fields_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fields_area.setWidget(self.content)
        # A field reached by its access key scrolls into sight too (Qt scrolls only for Tab).
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields_area, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)  # the fields about 370 px beside the labels' column
        # A helper's dialog opened in its note (the first stop for Tab, a text cursor blinking
        # at its end); the note stays a Shift+Tab away, as a screen reader reads it.
        self.language.setFocus()
        self.load()
        self.retranslate()
        self.setMinimumHeight(self.minimumSizeHint().height())
        self._fit_to_screen()
        self._fitted_as_shown = False

    def _fit_to_screen(self) -> None:
        # As tall as it wants where the screen has room (Qt opens a dialog at most two thirds
        # of the screen tall, and the Romanian letterhead's second label was cut to one line),
        # on a smaller screen as tall as the room, scrolling; the labels keep their lines.
        room = self.screen().availableGeometry().height() - FRAME_ROOM.height()
        hint = self.sizeHint()
        self.resize(hint.width(), max(min(hint.height(), room), self.minimumSizeHint().height()))

    def showEvent(self, event: QShowEvent) -> None:
        # Measured again as first shown: the style's fonts and margins are final only now
        # (16 px more in Romanian, which scrolled on a screen with room).
        if not self._fitted_as_shown:
            self._fitted_as_shown = True
            self._fit_to_screen()
        super().showEvent(event)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.content.isAncestorOf(new):
            self.fields_area.ensureWidgetVisible(new, 0, 8)

    def sizeHint(self) -> QSize:
        # As tall as the wrapped labels are at the width the dialog opens with (Qt measured
        # them at the layout's own narrower width, and the logo's row took the 30 to 50 px
        # too many), with the buttons below: the scroll area has no height of its own.
        width = max(super().sizeHint().width(), self.minimumWidth())
        return QSize(width, self._height_for(width))

    def minimumSizeHint(self) -> QSize:
        # Less tall than its content, which scrolls; at least the buttons and a few lines.
        hint = super().minimumSizeHint()
        return QSize(
            hint.width(),
            max(
                hint.height(),
                min(MINIMUM_HEIGHT, self._height_for(max(hint.width(), self.minimumWidth()))),
            ),
        )

    def _height_for(self, width: int) -> int:
        """The whole dialog's height at ``width``: the content at its width (wrapped labels
        whole), the buttons, the spacing and margins between."""
        layout = self.layout()
        inner = self.content.layout()
        if layout is None or inner is None:
            return super().sizeHint().height()
        margins = layout.contentsMargins()
        content = inner.totalHeightForWidth(width - margins.left() - margins.right())
        buttons = self.buttons.sizeHint().height()
        return margins.top() + content + layout.spacing() + buttons + margins.bottom()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Settings"))
        self.laptop_box.setTitle(_("This laptop"))
        self.letterhead_box.setTitle(_("Letterhead of referral letters"))
        self.data_copy_box.setTitle(_("Data protection: what the person is told"))
        self.authority_label.setText(_("Data protection supervisory au&thority"))
        self.authority.setAccessibleName(_("Data protection supervisory authority"))
        self.authority.setPlaceholderText(_("Name and address, as the person's copy names it"))
        self.dpo_label.setText(_("Data protection o&fficer (name and contact)"))
        self.dpo.setAccessibleName(_("Data protection officer (name and contact)"))
        self.dpo.setPlaceholderText(_("Name, e-mail or phone"))
        # Where it is said, and that empty names none: too long for the placeholder, which
        # a field 370 px wide cut off in German and Bulgarian.
        where = _(
            "Named in a person's data copy and in the consent texts as whom to ask about their "
            "data. Leave it empty if the organisation has no data protection officer."
        )
        self.dpo.setToolTip(where)
        self.dpo.setAccessibleDescription(where)
        self.retention_label.setText(_("&Retention period"))
        self.retention.setAccessibleName(_("Retention period"))
        self._on_retention_value_changed(self.retention.value())
        decides = _(
            "People without contact for this long are listed for a coordinator to erase. The "
            "person is told this period."
        )
        self.retention_note.setText(decides)
        self.retention.setAccessibleDescription(decides)
        self.labels["language"].setText(_("&Language of the program"))
        self.labels["idle_lock"].setText(_("Loc&k after minutes without use"))
        self.labels["server"].setText(_("S&ync server address"))
        self.idle_lock.setSuffix(" " + _("min"))
        self.server.setAccessibleName(_("Sync server address"))
        # The menu path in bold, as the Help guide shows it; its "…" ends the sentence.
        menu = menu_path("&File", "&Join an organisation…")
        note = _(NOT_JOINED_NOTE)
        shown = html.escape(note).format(menu=f"<b>{html.escape(menu)}</b>")
        self.not_joined_note.setText(end_cleanly(shown))
        self.not_joined_note.setAccessibleName(not_joined_note())
        self.role_note.setText(
            _(
                "Only a coordinator can change the lock time, the server address, the "
                "letterhead, the data protection contacts and the retention period."
            )
        )
        self.sharing_note.setText(_(SHARED_NOTE if self.publishes else LOCAL_NOTE))
        # Qt ships no Romanian catalogue for its own buttons: name them ourselves.
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("&Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.letterhead.retranslate()

    def load(self) -> None:
        self.language.setCurrentIndex(max(self.language.findData(current_language()), 0))
        self.idle_lock.setValue(idle_lock_minutes(self.settings))
        self.server.setText(self.joined_server)
        self.server.setCursorPosition(0)
        org = store_settings.get_letterhead(self.session.store)
        self._web = org.web
        self.letterhead.set_organisation(org)
        self.authority.setText(store_settings.get_supervisory_authority(self.session.store))
        self.authority.setCursorPosition(0)
        self.dpo.setText(store_settings.get_data_protection_officer(self.session.store))
        self.dpo.setCursorPosition(0)
        self.retention.setValue(store_settings.get_retention_years(self.session.store))

    def _entered(self) -> tuple[object, ...]:
        """What Cancel and Escape would throw away (``keeps_input``)."""
        return (
            self.language.currentIndex(),
            self.idle_lock.value(),
            self.server.text(),
            self.letterhead.organisation(self._web),
            self.authority.text(),
            self.dpo.text(),
            self.retention.value(),
        )

    def _on_retention_value_changed(self, years: int) -> None:
        # "1 an", "2 ani": the unit agrees with the number shown.
        self.retention.setSuffix(" " + ngettext("year", "years", years))

    def _on_save_clicked(self) -> None:
        if not self.may_change_shared:
            self._store_preferences()  # the language only: the rest is read-only here
            return
        new_server = self._new_server_url()
        org = self.letterhead.organisation(self._web)
        errors = store_settings.letterhead_errors(store_settings.clean_letterhead(org))
        self.letterhead.show_errors(errors)
        authority = self.authority.text()
        authority_error = store_settings.supervisory_authority_error(authority)
        self.authority_error.show_message(
            store_settings.describe(authority_error) if authority_error else ""
        )
        dpo = self.dpo.text()
        dpo_error = store_settings.data_protection_officer_error(dpo)
        self.dpo_error.show_message(store_settings.describe(dpo_error) if dpo_error else "")
        if self.server_error.text() or errors or authority_error or dpo_error:
            return
        store, user = self.session.store, self.session.user
        years = self.retention.value()

        def store_shared() -> bool:  # off the UI thread
            store_settings.save_organisation_settings(
                store, user, org, authority, dpo, retention_years=years
            )
            if new_server is None:
                return False
            sync_uc.change_server_url(store, user, new_server)
            return True

        self.save.start(store_shared, self._on_letterhead_stored, self._on_letterhead_failed)

    def _new_server_url(self) -> str | None:
        """The address typed, if it is another than the one this laptop syncs with (None if
        not, or if it has joined none); a message at the field if joining would refuse it."""
        self.server_error.show_message("")
        text = self.server.text()
        if not self.joined_server or text.strip() == self.joined_server:
            return None
        try:
            url = sync_uc.check_server_url(text)
        except sync_uc.SyncSetupError as exc:
            self.server_error.show_message(sync_message(exc.code))
            return None
        return None if url == self.joined_server else url

    def reject(self) -> None:
        self.save.dismiss()
        super().reject()

    def _on_letterhead_failed(self, exc: Exception) -> None:
        if isinstance(exc, sync_uc.SyncSetupError):  # the address, after the letterhead
            self.server_error.show_message(sync_message(exc.code))
            return
        if not isinstance(exc, ValidationFailed):
            raise exc  # the application's error handler
        self.letterhead.show_errors(exc.errors)  # a logo file removed meanwhile, or no picture
        for error in exc.errors:
            if error.field == "supervisory_authority":
                self.authority_error.show_message(store_settings.describe(error))
            elif error.field == "data_protection_officer":
                self.dpo_error.show_message(store_settings.describe(error))

    def _on_letterhead_stored(self, server_changed: bool) -> None:
        self.server_changed = server_changed
        self._store_preferences()

    def _store_preferences(self) -> None:
        """Write this laptop's values: the language always, the rest for a coordinator."""
        # Asked again at the write, of the non-Qt rule, not of the widgets' state.
        if store_settings.may_change_shared_settings(self.session.user):
            self.settings.setValue(KEY_IDLE_LOCK, self.idle_lock.value())
        lang = str(self.language.currentData())
        self.settings.setValue(KEY_LANGUAGE, lang)
        self.settings.sync()
        self.chosen_language = lang
        self.saved.emit()
        self.accept()


def install(window: MainWindow) -> None:
    action = QAction(window)
    window.file_menu.insertAction(window.quit_action, action)
    window.file_menu.insertSeparator(window.quit_action)

    def open_dialog() -> None:
        dialog = SettingsDialog(window.session, parent=window)
        window.settings_dialog = dialog  # type: ignore[attr-defined]  # for tests

        def on_saved() -> None:
            if hasattr(window, "locker"):  # the idle time takes effect now, not at next start
                from desktop_app.ui.lock import apply_idle_minutes

                apply_idle_minutes(window)
            sync = getattr(window, "sync", None)
            if dialog.server_changed and sync is not None:
                sync.start_anew()  # the status bar says soon whether the new address answers
            if dialog.chosen_language != current_language():
                window.switch_language(dialog.chosen_language)

        dialog.saved.connect(on_saved)
        dialog.open()

    def retranslate() -> None:
        action.setText(_("S&ettings…"))

    action.triggered.connect(open_dialog)
    window.retranslated.connect(retranslate)
    window.settings_action = action  # type: ignore[attr-defined]
    retranslate()
