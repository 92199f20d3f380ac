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
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import RESTRICTED_KINDS, Action, allowed
from desktop_app.domain.person import Person
from desktop_app.domain.users import Role
from desktop_app.i18n.text import N_, _
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
        if not self.helpers:
            layout.addWidget(QLabel(_("There are no helper accounts on this laptop.")))
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        helper_title = _("Integration helper")
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
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(520, 160 + 28 * len(self.helpers))

    def apply(self) -> int:
        """Open or close what changed; the number of changes."""
        store, user, changes = self.session.store, self.session.user, 0
        for (helper_id, kind), box in self.boxes.items():
            was = kind in self.before.get(helper_id, frozenset())
            if box.isChecked() == was:
                continue
            if box.isChecked():
                access.open_case_to_helper(store, user, self.person.id, helper_id, kind)
            else:
                access.close_case_to_helper(store, user, self.person.id, helper_id, kind)
            changes += 1
        self.accept()
        return changes


def install(window: MainWindow) -> None:
    if not allowed(window.session.user, Action.OPEN_CASE_TO_HELPER):
        return
    button = QPushButton()
    button.setObjectName("open_to_helpers")
    window.person_page.add_action_button(button)

    def on_clicked() -> None:
        person = window.person_page.person
        if person is None:
            return
        dialog = CaseAccessDialog(window.session, person, window)
        dialog.accepted.connect(
            lambda: window.statusBar().showMessage(_("Access for helpers saved."), 5000)
        )
        window.case_access_dialog = dialog  # type: ignore[attr-defined]
        dialog.open()

    button.clicked.connect(on_clicked)

    def retranslate() -> None:
        button.setText(_("Open to helpers…"))

    window.retranslated.connect(retranslate)
    retranslate()
