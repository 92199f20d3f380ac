"""On the person's page: others likely to be the same person, and the way to them.

Registering warns about a likely duplicate, but two laptops offline cannot warn each other: a
helper at one outreach point and a helper at another register the same man, and after the sync
both entries stand side by side. The page of each names the other, so that whoever opens one
sees the other before recording anything more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.i18n.text import _
from desktop_app.ui.person_dialog import entry_text
from desktop_app.ui.person_page import PageNotice
from desktop_app.usecases import people

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

    def retranslate(self) -> None:
        self.text.setText(
            _("This person may also be registered as: {names}.").format(
                names="; ".join(entry_text(entry) for entry in self.others)
            )
        )
        self.button.setText(_("Open the o&ther entry"))

    def _on_open_clicked(self) -> None:
        if self.others:
            self.controller.window.show_person(self.others[0].id)


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
