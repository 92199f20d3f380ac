"""A referral to a coordinator's own service that another laptop took out of the directory, as
its lists show it: named by its id made readable, saying it is no longer in the directory."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from desktop_app.i18n.messages import removed_service_name
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as ui
from desktop_app.usecases import directory_edit, reference
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.pdf_text import pdf_text
from tests.ui.conftest import cell
from tests.ui.test_referrals_ui import _person, _window, needs_qtpdf, print_all

TAFEL = "tafel_dortmund_e_v"


def test_a_service_taken_out_is_named_readably_in_every_language() -> None:
    assert removed_service_name(TAFEL, "de") == (
        "Tafel Dortmund E V (nicht mehr im Verzeichnis der Stellen)"
    )
    assert removed_service_name(TAFEL, "bg") == (
        "Tafel Dortmund E V (вече не е в указателя на службите)"
    )
    assert removed_service_name(TAFEL, "ro") == (
        "Tafel Dortmund E V (nu mai este în registrul de servicii)"
    )
    assert removed_service_name("beratung_nord_2", "en") == (
        "Beratung Nord 2 (no longer in the directory)"
    )


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_lists_name_a_service_taken_out_on_another_laptop_readably(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """The coordinator's own "Tafel Dortmund e.V." was referred to here, then taken out of the
    directory on a laptop that held no referral to it: the person's referrals, the follow-ups
    and the print queue showed ``tafel_dortmund_e_v``."""
    draft = directory_edit.ServiceDraft(name={"de": "Tafel Dortmund e.V."}, topics=("housing",))
    files, ident = directory_edit.edited_files(session.store, draft)
    assert ident == TAFEL
    directory_edit.publish_edit(session.store, session.user, files, "")
    person = _person(session, sharing="")
    issued = dt.datetime.now() - dt.timedelta(days=30)  # its follow-up is due
    referral = uc.issue_referral(
        session.store, session.user, person.id, TAFEL, "housing_emergency", now=issued
    )
    uc.queue_for_printing(session.store, session.user, referral.id)
    # what a sync brings from the other laptop: the directory without it
    without = directory_edit.removed_files(session.store, TAFEL)
    reference.publish_directory(session.store, session.user, without, "")
    assert reference.service_directory(session.store).find(TAFEL) is None

    set_language(lang)
    shown = removed_service_name(TAFEL, lang)
    _win, feature = _window(qtbot, session, person)
    tab = feature.tab
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1)
    assert cell(tab.table, 0, 0).text() == shown
    follow_ups = feature.open_follow_ups()
    assert follow_ups.table.rowCount() == 1
    assert cell(follow_ups.table, 0, follow_ups.SERVICE).text() == shown
    queue = feature.open_print_queue()
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1)
    assert cell(queue.table, 0, 2).text() == shown


@needs_qtpdf
def test_a_queued_letter_to_a_service_taken_out_prints_as_it_was_queued(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two letters queued, then their services taken out of the directory: the job centre,
    whose street the coordinator had corrected, here; the coordinator's own Tafel on another
    laptop (a sync). The queue promises each "prints as it was made when it was queued", yet
    printing made the job centre's letter again from the shipped entry (the old street, and
    the queue said "updated"), and refused the Tafel's ("taken out of the directory")."""
    jobcenter = directory_edit.draft_of(reference.service_directory(session.store).get("jobcenter"))
    shipped_street = jobcenter.street
    jobcenter.street = "Königswall 99"
    files, _ident = directory_edit.edited_files(session.store, jobcenter)
    directory_edit.publish_edit(session.store, session.user, files, "")
    tafel = directory_edit.ServiceDraft(
        name={"de": "Tafel Dortmund e.V."},
        topics=("housing",),
        street="Tafelweg 1",
        postcode="44137",
        city="Dortmund",
    )
    files, ident = directory_edit.edited_files(session.store, tafel)
    assert ident == TAFEL
    directory_edit.publish_edit(session.store, session.user, files, "")
    person = _person(session)
    for service, reason in (("jobcenter", "buergergeld"), (TAFEL, "housing_emergency")):
        referral = uc.issue_referral(session.store, session.user, person.id, service, reason)
        uc.queue_for_printing(session.store, session.user, referral.id)
    # The job centre taken out here; the Tafel as a sync brings it (here it is refused while
    # a referral goes to it).
    without = directory_edit.removed_files(session.store, "jobcenter")
    directory_edit.publish_edit(session.store, session.user, without, "")
    without = directory_edit.removed_files(session.store, TAFEL)
    reference.publish_directory(session.store, session.user, without, "")

    set_language("de")
    _win, feature = _window(qtbot, session, person)
    queue = feature.open_print_queue()
    qtbot.waitUntil(lambda: queue.table.rowCount() == 2)
    assert uc.update_queued_letters(session.store, session.user) == 0
    assert [cell(queue.table, row, 5).text() for row in range(2)] == ["Druckbereit"] * 2
    # What prints: the letters as queued (the printer's copy holds their pages as images).
    letters = [uc.print_job_pdf(session.store, session.user, job.id) for job in queue.jobs]
    text = " ".join(pdf_text(pdf) for pdf in letters)
    assert "Königswall 99" in text and shipped_street not in text
    assert "Tafelweg 1" in text and "44137 Dortmund" in text
    out = tmp_path / "printed.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    assert print_all(qtbot, queue) == 2
    assert queue.notice.text() == ""
    pages = sum(len(PdfReader(io.BytesIO(pdf)).pages) for pdf in letters)
    assert len(PdfReader(out).pages) == pages
    qtbot.waitUntil(lambda: queue.table.rowCount() == 0, timeout=30_000)
