"""On the person's page: others likely to be the same person, and the way to them.

Registering warns about a likely duplicate, but two laptops offline cannot warn each other: a
helper at one outreach point and a helper at another register the same man, and after the sync
both entries stand side by side. The page of each names the other, so that whoever opens one
sees the other before recording anything more. Two people can share a name and a birth date
(cousins, father and son): an advisor records that they are different people, and then neither
page names the other (``usecases.duplicates``); a helper sees why she cannot. Where they are one
person, an advisor merges the two (``usecases.merges``, ``MergeDialog``): the one with the
smaller id is kept, whichever page she started from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout

from desktop_app.domain.permissions import Action, allowed
from desktop_app.i18n.text import _
from desktop_app.ui.merge_dialog import MergeDialog, entry_label
from desktop_app.ui.person_dialog import entry_text
from desktop_app.ui.person_page import FlowLayout, PageNotice
from desktop_app.ui.widgets import ask_to_confirm
from desktop_app.usecases import duplicates, merges, people

if TYPE_CHECKING:
    from desktop_app.domain.person import Person
    from desktop_app.storage.people_repo import PersonListEntry
    from desktop_app.ui.sync_status import SyncController


class DuplicateNotice(PageNotice):
    """Names the others registered with the same name (in any script) and date of birth."""

    def __init__(self, controller: SyncController) -> None:
        super().__init__("duplicates notice")
        self.controller = controller
        self.person: Person | None = None
        self.others: list[PersonListEntry] = []
        self.button.clicked.connect(self._on_open_clicked)
        # Decides for the entry "Open the other entry" leads to: the first one named.
        self.different_button = QPushButton()
        self.different_button.setObjectName("not_the_same_person")
        self.different_button.clicked.connect(self._on_different_clicked)
        # Merges the entry "Open the other entry" leads to into this one.
        self.merge_button = QPushButton()
        self.merge_button.setObjectName("merge_entries")
        self.merge_button.clicked.connect(self._on_merge_clicked)
        # The text above, the buttons under it: beside it, they left the names some 100 px
        # at 1100 px, six lines in Bulgarian. The buttons wrap where the page ends: in one row
        # they made the page 640 px wide at the least, and the people list gave way to it at
        # 1100 px, its names and headers cut ("Dimitrova-…", "Geburtsdat…").
        row = self.layout()
        assert isinstance(row, QHBoxLayout)  # PageNotice's: the text, then its button
        row.removeWidget(self.text)
        row.removeWidget(self.button)
        column, buttons = QVBoxLayout(), FlowLayout()
        column.addWidget(self.text)
        for button in (self.button, self.different_button, self.merge_button):
            buttons.addWidget(button)
        column.addLayout(buttons)
        row.addLayout(column, 1)
        self.question: QMessageBox | None = None
        self.merge_dialog: MergeDialog | None = None

    def show_for(self, person: Person | None) -> None:
        another = getattr(person, "id", None) != getattr(self.person, "id", None)
        self.person = person
        if another:  # nothing said of the new one before it is looked up
            self._show(person, [])
        self.refresh()

    def refresh(self) -> None:
        """Looked up on a worker thread: it compares the names of all born that day, some
        7 ms with 5,000 people (and more for a year alone), too long for every page opened."""
        store, person = self.controller.store, self.person
        if person is None or store.closed:
            self._show(person, [])
            return
        self.controller.window.tasks.run(
            lambda: people.possible_duplicates(store, person),
            lambda found: self._show(person, found),
            lambda _exc: self._show(person, []),  # the store closed or busy: said next time
        )

    def _show(self, person: Person | None, others: list[PersonListEntry]) -> None:
        if person is not self.person:  # another person opened meanwhile: theirs follows
            return
        self.others = others
        self.setVisible(bool(others))
        self.retranslate()

    def may_decide(self) -> bool:
        return allowed(self.controller.window.session.user, Action.DECIDE_DUPLICATES)

    def retranslate(self) -> None:
        names = "; ".join(entry_text(entry) for entry in self.others)
        # bg dates end in 'г.': the sentence's own full stop ends it once.
        text = _("This person may also be registered as: {names}.").format(
            names=names.removesuffix(".")
        )
        may_decide = self.may_decide()
        if not may_decide:  # as the conflicts dialog says why a helper's choices are grey
            text += " " + _("An advisor decides whether they are the same person.")
        self.text.setText(text)
        self.button.setText(_("Open the other entr&y"))
        self.different_button.setText(_("&Not the same person"))
        self.different_button.setEnabled(may_decide)
        self.merge_button.setText(_("Mer&ge entries…"))
        self.merge_button.setEnabled(may_decide)
        # Why both are grey for a helper, or what each does.
        refused = _("Your account may not decide this. An advisor decides.")
        for button, does in (
            (
                self.different_button,
                _("Record that this person and the first entry named are different people."),
            ),
            (
                self.merge_button,
                _("Merge this entry and the first entry named: one entry, one history."),
            ),
        ):
            button.setToolTip(does if may_decide else refused)

    def _on_open_clicked(self) -> None:
        # Their row selected in the list, as "Open person" does (the search as the user left
        # it): the page alone left the list on the first entry's row beside the other's page.
        if self.others:
            self.controller.window.open_person(self.others[0].id)

    def _on_different_clicked(self) -> None:
        """Asks once, then records the decision for this person and the first entry named."""
        person, others = self.person, self.others
        if person is None or not others or not self.may_decide():
            return
        other = others[0]

        def answered(go_ahead: bool) -> None:
            self.question = None
            if go_ahead and self.person is person:
                self._record(person, other)

        self.question = ask_to_confirm(
            self.window(),
            _("Not the same person"),
            _(
                "Record that “{this}” and “{other}” are two different people? Neither entry "
                "will name the other any more, on this laptop and, after the next sync, on "
                "every laptop of the team."
            ).format(this=entry_label(person), other=entry_text(other)),
            _("Record as different people"),
            answered,
        )

    def _record(self, person: Person, other: PersonListEntry) -> None:
        store, user = self.controller.store, self.controller.window.session.user
        self.different_button.setEnabled(False)  # until the notice is looked up again
        self.controller.window.tasks.run(
            lambda: duplicates.mark_different_people(store, user, person.id, other.id),
            lambda _recorded: self.refresh(),
            lambda _exc: self.refresh(),  # erased meanwhile, or the store closed: as it is now
        )

    def _on_merge_clicked(self) -> None:
        """Both entries side by side (read on a worker thread), to merge the first entry named
        into this one."""
        person, others = self.person, self.others
        if person is None or not others or not self.may_decide() or self.merge_dialog:
            return
        store, user = self.controller.store, self.controller.window.session.user
        other = others[0].id
        self.controller.window.tasks.run(
            lambda: merges.preview(store, user, person.id, other),
            lambda shown: self._ask_to_merge(person, shown),
            lambda _exc: self.refresh(),  # erased or merged meanwhile: as it is now
        )

    def _ask_to_merge(self, person: Person, shown: merges.MergePreview) -> None:
        if self.person is not person:  # another page opened meanwhile
            return
        dialog = MergeDialog(shown, self.window(), page_id=person.id)
        self.merge_dialog = dialog

        def answered(result: int) -> None:
            self.merge_dialog = None
            if result == MergeDialog.DialogCode.Accepted and self.person is person:
                self._merge(person, shown, dialog.take_other())
            dialog.deleteLater()

        dialog.finished.connect(answered)
        dialog.open()

    def _merge(
        self, person: Person, shown: merges.MergePreview, take_other: frozenset[str]
    ) -> None:
        """Merge the two entries; the window then shows the one kept, also where the page
        open was the other's."""
        kept, other = shown.kept.person.id, shown.merged.person.id
        window = self.controller.window
        store, user = self.controller.store, window.session.user
        self.merge_button.setEnabled(False)  # until the notice is looked up again
        window.statusBar().showMessage(_("Merging…"))

        def merged(_moved: dict[str, int]) -> None:
            # The entry it named is gone: the notice goes at once. Left to the look-up on a
            # worker, the page shown after the merge named the entry merged away a moment on.
            self._show(self.person, [])
            window.reload_all()
            window.show_person(kept)
            # Laid out now, not when the event loop comes to it: the page photographed as the
            # merge ended had an empty band where the notice had been.
            page_layout = window.person_page.layout()
            if page_layout is not None:
                page_layout.activate()
            window.person_data_saved.emit(kept)
            window.statusBar().showMessage(_("The two entries were merged into one."), 5000)

        def failed(exc: Exception) -> None:
            window.statusBar().clearMessage()
            self.refresh()  # erased or merged meanwhile, or the store closed: as it is now
            # Said why: "Merging…" went, and nothing told the advisor that nothing happened.
            window._on_task_failed(exc, _("The entries were not merged."))

        window.tasks.run(
            lambda: merges.merge_people(store, user, kept, other, take_other),
            merged,
            failed,
        )


def install_duplicates_notice(controller: SyncController) -> DuplicateNotice:
    """The notice on the person's page, checked again whenever a sync brings people."""
    window = controller.window
    notice = DuplicateNotice(controller)
    window.person_page.add_notice(notice)
    window.person_page.person_changed.connect(notice.show_for)
    controller.sync_finished.connect(lambda _result: notice.refresh())
    window.person_data_saved.connect(lambda _person_id: notice.refresh())
    window.retranslated.connect(notice.retranslate)
    notice.show_for(window.person_page.person)
    return notice
