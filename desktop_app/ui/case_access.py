"""An advisor opens a person's restricted sections (health details, notes on exploitation) to
chosen helper accounts, or closes them again. The change is audited and syncs to the other
laptops like every record (kind ``case_opening``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import RESTRICTED_KINDS, Action, allowed
from desktop_app.domain.person import Person
from desktop_app.domain.users import Role
from desktop_app.i18n.messages import error_message, failure_message
from desktop_app.i18n.text import N_, _
from desktop_app.ui.error_label import ErrorLabel
from desktop_app.ui.tasks import DialogSave
from desktop_app.ui.widgets import KeepsInput
from desktop_app.usecases import access
from desktop_app.usecases.accounts import Session, list_users

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

KIND_LABELS = {"health": N_("Health details"), "exploitation": N_("Notes on exploitation")}


class CaseAccessDialog(QDialog):
    """One row per helper account, one check box per restriction kind."""

    def __init__(self, session: Session, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.person = person
        self.setWindowTitle(_("Open restricted sections to helpers"))
        self.helpers = [u for u in list_users(session.store) if u.role == Role.HELPER]
        self.before = access.openings_of(session.store, session.user, person.id)
        intro = QLabel(
            _(
                "Helpers do not see health details or notes on exploitation. Tick what a "
                "helper may read and fill in for {name}. Every change is written to the "
                "audit log."
            ).format(name=f"{person.given_name} {person.family_name}")
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        self.boxes: dict[tuple[str, str], QCheckBox] = {}
        # Without helpers: the note and Close, not an empty table's headings above a Save that
        # saves nothing.
        if not self.helpers:
            layout.addWidget(QLabel(_("There are no helper accounts on this laptop.")))
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        helper_title = _("Integration helper")
        if self.helpers:
            grid.addWidget(QLabel(f"<b>{helper_title}</b>"), 0, 0)
            for column, kind in enumerate(RESTRICTED_KINDS, start=1):
                grid.addWidget(QLabel(f"<b>{_(KIND_LABELS[kind])}</b>"), 0, column)
        for row, helper in enumerate(self.helpers, start=1):
            grid.addWidget(QLabel(helper.display_name), row, 0)
            for column, kind in enumerate(RESTRICTED_KINDS, start=1):
                box = QCheckBox()
                box.setObjectName(f"open:{helper.account}:{kind}")
                box.setAccessibleName(f"{helper.display_name}: {_(KIND_LABELS[kind])}")
                box.setChecked(kind in self.before.get(helper.id, frozenset()))
                grid.addWidget(box, row, column)
                self.boxes[(helper.id, kind)] = box
        layout.addLayout(grid)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
            if self.helpers
            else QDialogButtonBox.StandardButton.Close
        )
        self.buttons = buttons
        buttons.accepted.connect(self.apply)
        # Escape pressed by reflex threw away the boxes ticked for the helpers.
        self.keeps_input = KeepsInput(self, self.changes)
        buttons.rejected.connect(self.keeps_input.cancel)
        self.save = DialogSave(self, buttons)
        # Beside Save, where the user is: a failure went to the application's error handler,
        # which only logs, and the dialog stayed open with nothing said.
        self.error = ErrorLabel()
        layout.addStretch(1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 160 + 28 * len(self.helpers))

    def changes(self) -> list[tuple[str, str, bool]]:
        """(helper id, kind, open) for every box changed since the dialog opened."""
        return [
            (helper_id, kind, box.isChecked())
            for (helper_id, kind), box in self.boxes.items()
            if box.isChecked() != (kind in self.before.get(helper_id, frozenset()))
        ]

    def apply(self) -> None:
        """Open or close what changed, on a worker thread; the dialog closes when it is done."""
        store, user, person_id, changes = (
            self.session.store,
            self.session.user,
            self.person.id,
            self.changes(),
        )

        def store_changes() -> int:
            return access.set_openings(store, user, person_id, changes)

        self.error.show_message("")
        self.save.start(store_changes, lambda _count: self.accept(), self._on_failed)

    def _on_failed(self, exc: Exception) -> None:
        # The store busy (a sync), the disk full, a helper removed or the person erased
        # meanwhile …: all changes are one transaction, so none of them was saved.
        what = _("The access for helpers could not be saved.")
        if isinstance(exc, access.HelperRemoved):
            self.error.show_message(f"{what} {error_message(exc.code)}")
        else:
            self.error.show_message(failure_message(exc, what))

    def reject(self) -> None:
        self.save.dismiss()
        super().reject()


def install(window: MainWindow) -> None:
    if not allowed(window.session.user, Action.OPEN_CASE_TO_HELPER):
        return

    def open_dialog(person: Person) -> None:
        dialog = CaseAccessDialog(window.session, person, window)
        dialog.accepted.connect(
            lambda: window.statusBar().showMessage(_("Access for helpers saved."), 5000)
        )
        window.case_access_dialog = dialog  # type: ignore[attr-defined]
        dialog.open()

    window.person_page.add_more_action(
        "open_to_helpers", lambda: _("Open to &helpers…"), open_dialog
    )
