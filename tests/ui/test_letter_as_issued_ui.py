"""A letter printed from the preview, reopened from the person's referrals tab after the job
centre moved: the preview shows the letter as given (the old address) and says in one line, in
the UI language, that the address changed since it was issued and that a new referral gives the
new one; the print queue says the same of a reprint queued. A letter not given yet says nothing.
A letter of a service taken out of the directory since shows as given and says so. Real widgets,
real encrypted store, real PDFs."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as ui
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.pdf_text import pdf_pages
from tests.ui.conftest import cell
from tests.ui.test_referrals_ui import _preview_of_new_referral, _wait_loaded, needs_qtpdf
from tests.unit.test_service_as_issued import NEW_STREET, OLD_STREET, _moved


def _reopened(qtbot: QtBot, feature: ui.ReferralsFeature) -> ui.LetterPreview:
    """The referral's letter opened again with "Show letter…" on the referrals tab."""
    feature.tab.table.selectRow(0)
    feature.tab.letter_button.click()
    preview = _wait_loaded(qtbot, feature)
    qtbot.waitUntil(lambda: preview.letter is not None, timeout=10000)
    return preview


def _printed(
    qtbot: QtBot, preview: ui.LetterPreview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> bytes:
    """The letter printed from the preview (to a PDF in ``tmp_path``), once the referral keeps
    what it said of the service (written off the UI thread): the letter given."""
    out = tmp_path / "printed.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    preview.print_button.click()
    qtbot.waitUntil(out.exists, timeout=10000)
    session, referral_id = preview.window_.session, preview.referral.id
    qtbot.waitUntil(
        lambda: uc.get_referral(session.store, session.user, referral_id, log_view=False)
        .service_as_issued is not None,
        timeout=10000,
    )  # fmt: skip
    return preview.pdf


def _shot(qtbot: QtBot, preview: ui.LetterPreview, path: Path) -> None:
    """A screenshot to look at; where one is asked for (``WELCOME_DESK_SHOTS``) the PDF view
    is given a moment to draw its pages (it renders them on a thread of its own)."""
    if os.environ.get("WELCOME_DESK_SHOTS"):
        qtbot.wait(500)
    preview.grab().save(str(path))


@needs_qtpdf
def test_a_letter_reopened_after_the_service_moved_says_it_shows_the_address_given(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    shots: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_language("de")
    _, _referral, window, feature, preview = _preview_of_new_referral(
        qtbot, session, "jobcenter", "buergergeld", client_lang="bg"
    )
    assert not preview.as_issued.isVisibleTo(preview)  # not given yet: nothing to say
    _printed(qtbot, preview, tmp_path, monkeypatch)
    preview.close()
    _moved(session, tmp_path / "moved")

    preview = _reopened(qtbot, feature)
    letter_page, copy_page = pdf_pages(preview.pdf)[:2]
    assert OLD_STREET in letter_page and OLD_STREET in copy_page
    assert NEW_STREET not in letter_page + copy_page
    day = format_long_date(dt.date.today(), "de")
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=5000)
    assert preview.as_issued.text() == (
        f"Die Anschrift der Stelle hat sich geändert, seit dieses Schreiben am {day} "
        "ausgestellt wurde. Das Schreiben zeigt die damals angegebene Anschrift. Für die neue "
        "Anschrift erstellen Sie bitte eine neue Vermittlung."
    )
    assert preview.print_button.isEnabled()  # it may be printed again, as given
    _shot(qtbot, preview, shots / "asissued-preview-de.png")
    preview.close()

    # in Bulgarian, another language of the copy: the same line, the copy as given
    set_language("bg")
    preview = _reopened(qtbot, feature)
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=5000)
    # the date ("7 декември 2026 г.") not at a sentence's end: no "г.."
    assert preview.as_issued.text().startswith(
        f"Откакто това писмо е издадено на {format_long_date(dt.date.today(), 'bg')}, адресът "
        "на службата е променен. "
    )
    preview.language.setCurrentIndex(preview.language.findData("ro"))
    qtbot.waitUntil(
        lambda: preview.letter is not None and preview.letter.lang == "ro", timeout=10000
    )
    assert "Recepția de la parter" in pdf_pages(preview.pdf)[1]
    assert preview.as_issued.isVisibleTo(preview)
    _shot(qtbot, preview, shots / "asissued-preview-bg.png")
    preview.close()
    assert window is not None


def _queue_shot(qtbot: QtBot, queue: ui.PrintQueueWindow, path: Path) -> None:
    if os.environ.get("WELCOME_DESK_SHOTS"):
        qtbot.wait(200)
    queue.grab().save(str(path))


def test_the_print_queue_says_a_reprint_shows_the_service_as_given(
    qtbot: QtBot, session: Session, tmp_path: Path, shots: Path
) -> None:
    """A letter given, the job centre moved, the letter queued again to be reprinted: the
    print queue says below the list, by the reference, what the preview says (the same line)
    and the letter column's tooltip too; a letter queued that was not given says nothing.
    German, then Bulgarian."""
    set_language("de")
    _, referral, window, feature, preview = _preview_of_new_referral(
        qtbot, session, "jobcenter", "buergergeld", client_lang="ro"
    )
    shown = preview.letter
    assert shown is not None
    preview.close()
    today = dt.date.today()
    uc.record_letter_output(
        session.store, session.user, referral.id, "print", "ro", shown=shown, today=today
    )
    waiting = uc.issue_referral(
        session.store, session.user, referral.person_id, "jobcenter", "job_search"
    )
    _moved(session, tmp_path / "moved")
    for queued in (referral, waiting):
        uc.queue_for_printing(session.store, session.user, queued.id)

    queue = feature.open_print_queue()
    qtbot.waitUntil(lambda: queue.as_issued.isVisibleTo(queue), timeout=5000)
    reopened = uc.make_letter(session.store, session.user, referral.id)
    line = ui.changed_since_issue_text(reopened)  # the preview's line
    assert line.startswith("Die Anschrift der Stelle hat sich geändert, seit dieses Schreiben am")
    assert queue.as_issued.text() == f"{referral.reference}: {line}"  # one line: one reprint
    row = next(r for r, job in enumerate(queue.jobs) if job.referral_id == referral.id)
    assert cell(queue.table, row, 5).toolTip().endswith(line)
    assert line not in cell(queue.table, 1 - row, 5).toolTip()
    _queue_shot(qtbot, queue, shots / "asissued-queue-de.png")

    window.switch_language("bg")  # with the queue open: it follows
    assert queue.windowTitle() == "Опашка за печат"
    assert queue.as_issued.text() == (
        f"{referral.reference}: Откакто това писмо е издадено на "
        f"{format_long_date(today, 'bg')}, адресът на службата е променен. Писмото показва "
        "адреса, даден тогава. За новия адрес направете ново насочване."
    )
    _queue_shot(qtbot, queue, shots / "asissued-queue-bg.png")
    # printed as given
    reprint = uc.print_job_pdf(session.store, session.user, queue.jobs[row].id)
    assert OLD_STREET in pdf_pages(reprint)[0] and NEW_STREET not in pdf_pages(reprint)[0]
    queue.close()


def test_the_print_queue_names_the_three_newest_reprints_and_counts_the_others(
    qtbot: QtBot, session: Session, tmp_path: Path, shots: Path
) -> None:
    """Five letters given, the job centre moved, all five queued again to be reprinted: below
    the list the queue names the three queued last, newest first, and says how many more (it
    named all five, a long sentence each, and pushed the list and buttons out of the window);
    each letter's tooltip still says what changed. German, then Bulgarian."""
    from tests.unit.test_service_as_issued import _given

    set_language("de")
    person, first, window, feature, preview = _preview_of_new_referral(
        qtbot, session, "jobcenter", "buergergeld", client_lang="ro"
    )
    preview.close()
    referrals = [first] + [
        uc.issue_referral(session.store, session.user, person.id, "jobcenter", "job_search")
        for _ in range(4)
    ]
    for referral in referrals:
        _given(session, referral.id)
    _moved(session, tmp_path / "moved")
    start = dt.datetime(2026, 12, 7, 9, 0)
    for minutes, referral in enumerate(referrals):
        uc.queue_for_printing(
            session.store, session.user, referral.id, now=start + dt.timedelta(minutes=minutes)
        )

    queue = feature.open_print_queue()
    qtbot.waitUntil(lambda: queue.as_issued.isVisibleTo(queue), timeout=5000)
    line = ui.changed_since_issue_text(uc.make_letter(session.store, session.user, first.id))
    newest = [r.reference for r in referrals[::-1][:3]]
    assert queue.as_issued.text().split("\n") == [
        *(f"{reference}: {line}" for reference in newest),
        "… und 2 weitere bereits ausgestellte Schreiben, deren Stelle sich ebenfalls geändert "
        "hat (siehe Liste).",
    ]
    for row in range(queue.table.rowCount()):  # each says it in its tooltip still
        assert cell(queue.table, row, 5).toolTip().endswith(line)
    _queue_shot(qtbot, queue, shots / "asissued-queue-capped-de.png")

    window.switch_language("bg")
    lines = queue.as_issued.text().split("\n")
    assert len(lines) == 4 and lines[0].startswith(f"{newest[0]}: Откакто това писмо")
    assert lines[3] == (
        "… и още 2 вече издадени писма, чиито служби също са променени (вижте списъка)."
    )
    _queue_shot(qtbot, queue, shots / "asissued-queue-capped-bg.png")
    queue.close()


@needs_qtpdf
def test_a_letter_of_a_service_taken_out_since_is_shown_as_given_and_says_so(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    shots: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A coordinator's own service, its letter printed from the preview, the service taken
    out of the directory: reopened, the preview shows the letter as given (it said the letter
    could not be made) and says in one line that the service is no longer in the directory.
    German, then Bulgarian."""
    from tests.unit.test_service_as_issued import _nord, _taken_out

    set_language("de")
    ident = _nord(session)
    _, _referral, _window, feature, preview = _preview_of_new_referral(
        qtbot, session, ident, "housing_emergency", client_lang="bg"
    )
    given = _printed(qtbot, preview, tmp_path, monkeypatch)
    preview.close()
    _taken_out(session, ident)

    preview = _reopened(qtbot, feature)
    assert preview.pdf == given
    assert "Nordstraße 12" in pdf_pages(preview.pdf)[-1]
    day = format_long_date(dt.date.today(), "de")
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=5000)
    assert preview.as_issued.text() == (
        "Die Stelle ist nicht mehr im Verzeichnis der Stellen. Das Schreiben zeigt sie so, wie "
        f"sie am {day} angegeben wurde; eine neue Vermittlung an sie ist nicht möglich."
    )
    assert preview.print_button.isEnabled()
    _shot(qtbot, preview, shots / "asissued-taken-out-de.png")
    preview.close()

    set_language("bg")
    preview = _reopened(qtbot, feature)
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=5000)
    assert preview.as_issued.text().startswith(
        "Службата вече не е в указателя на службите. Писмото я показва така, както е била "
        f"посочена на {format_long_date(dt.date.today(), 'bg')}; "
    )
    _shot(qtbot, preview, shots / "asissued-taken-out-bg.png")
    (shots / "asissued-taken-out.pdf").write_bytes(preview.pdf)
    preview.close()


@needs_qtpdf
def test_a_letter_reopened_after_the_services_documents_changed_says_so(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    shots: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A letter to the Familienkasse printed from the preview, then the Familienkasse's
    documents list changed (nothing else): reopened, the letter is the one given and the
    preview says the documents the service asks for changed since (it said nothing: only the
    name, address, hours, contact and languages were compared). German, then Bulgarian."""
    from tests.unit.test_service_as_issued import _familienkasse_changed

    set_language("de")
    _, _referral, _window, feature, preview = _preview_of_new_referral(
        qtbot, session, "familienkasse", "kindergeld", client_lang="bg"
    )
    given = _printed(qtbot, preview, tmp_path, monkeypatch)
    preview.close()
    _familienkasse_changed(session, tmp_path / "changed")

    preview = _reopened(qtbot, feature)
    assert preview.pdf == given
    day = format_long_date(dt.date.today(), "de")
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=5000)
    assert preview.as_issued.text() == (
        "Die Unterlagen, die die Stelle verlangt, oder ihre Bezeichnungen haben sich geändert, "
        f"seit dieses Schreiben am {day} ausgestellt wurde. Das Schreiben führt sie so auf, wie "
        "sie damals angegeben wurden. Für die neue Liste erstellen Sie bitte eine neue "
        "Vermittlung."
    )
    _shot(qtbot, preview, shots / "asissued-documents-de.png")
    preview.close()

    set_language("bg")
    preview = _reopened(qtbot, feature)
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=5000)
    assert preview.as_issued.text() == (
        f"Откакто това писмо е издадено на {format_long_date(dt.date.today(), 'bg')}, "
        "документите, които службата изисква, или наименованията им са променени. Писмото ги "
        "изброява така, както са дадени тогава. За новия списък направете ново насочване."
    )
    _shot(qtbot, preview, shots / "asissued-documents-bg.png")
    preview.close()


@needs_qtpdf
def test_a_first_version_letter_of_a_service_taken_out_shows_and_says_what_is_not_known(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    """A letter given whose referral keeps a first-version snapshot (no topics, no documents),
    its service (a coordinator's own) taken out since: the preview shows the letter (it said
    it could not be made, "letter.service_unknown") with the address given, and says the
    service is gone and what depended on its topics and documents is not known. German, then
    Bulgarian."""
    from tests.unit.test_service_as_issued import (
        GIVEN,
        _first_version,
        _given,
        _nord,
        _taken_out,
    )

    set_language("de")
    ident = _nord(session)
    _, referral, _window, feature, preview = _preview_of_new_referral(
        qtbot, session, ident, "housing_emergency", client_lang="bg"
    )
    preview.close()
    _given(session, referral.id)
    _first_version(session, referral.id)
    _taken_out(session, ident)

    preview = _reopened(qtbot, feature)
    assert "Nordstraße 12" in pdf_pages(preview.pdf)[0]
    day = format_long_date(GIVEN, "de")
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=5000)
    assert preview.as_issued.text().startswith(
        "Die Stelle ist nicht mehr im Verzeichnis der Stellen. Das Schreiben zeigt sie so, wie "
        f"sie am {day} angegeben wurde, aber ohne das, was von den Themen der Stelle und den "
        "von ihr verlangten Unterlagen abhängt: "
    )
    assert preview.print_button.isEnabled()  # shown again, and may be printed again
    _shot(qtbot, preview, shots / "asissued-not-kept-de.png")
    preview.close()

    set_language("bg")
    preview = _reopened(qtbot, feature)
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=5000)
    assert preview.as_issued.text().startswith(
        "Службата вече не е в указателя на службите. Писмото я показва така, както е била "
        f"посочена на {format_long_date(GIVEN, 'bg')}, но без това, което зависи "
        "от темите на службата и от документите, които тя изисква: "
    )
    _shot(qtbot, preview, shots / "asissued-not-kept-bg.png")
    preview.close()


def _preview_of(
    qtbot: QtBot, session: Session, person: Person, referral_id: str
) -> ui.LetterPreview:
    """The person shown in the main window and their referral's letter opened, loaded."""
    from tests.ui.test_referrals_ui import _window

    _main, feature = _window(qtbot, session, person)
    (referral,) = [
        r for r in uc.referrals_of(session.store, session.user, person.id) if r.id == referral_id
    ]
    feature.open_preview(referral)
    preview = _wait_loaded(qtbot, feature)
    qtbot.waitUntil(lambda: preview.letter is not None, timeout=10000)
    return preview


@needs_qtpdf
@pytest.mark.parametrize("said", [True, False], ids=["given-to-the-service", "not-said"])
def test_a_first_version_letter_to_a_service_named_by_its_short_name(
    qtbot: QtBot, session: Session, shots: Path, said: bool
) -> None:
    """A letter to Beratung Nord given while the person's consent named it "Nordberatung" (a
    short name), its referral's snapshot of the first version, the service taken out since.
    Where the audit entry of the letter given says the letter to the service went with it,
    the preview shows that letter again (it shrank to the person's sheet). Where nothing says
    so, the sheet alone, and the line below says precisely why: whether the consent names the
    service is not known (it said the consent names "Nordberatung", not Beratung Nord, as if
    it named another service). German, then Bulgarian."""
    from tests.unit.test_service_as_issued import (
        GIVEN,
        _first_version,
        _given,
        _given_from_the_queue,
        _nord_by_its_short_name,
        _taken_out,
        _to_the_service,
    )

    set_language("de")
    ident, person, referral = _nord_by_its_short_name(session)
    if said:
        _given(session, referral.id)
    else:
        _given_from_the_queue(session, referral.id, say=False)
    _first_version(session, referral.id)
    _taken_out(session, ident)

    preview = _preview_of(qtbot, session, person, referral.id)
    assert preview.letter is not None
    assert _to_the_service(preview.pdf) is said
    assert preview.sheet_only is not said
    name = "shortname-given" if said else "shortname-not-said"
    if said:
        assert "Sehr geehrte" in pdf_pages(preview.pdf)[0]
        assert "Nordstraße 12" in pdf_pages(preview.pdf)[0]
        assert "sheet" not in preview.message.text() and "Blatt" not in preview.message.text()
        assert preview.print_button.isEnabled()
        # the log reads what the letter given says of it
        from desktop_app.ui.audit import detail_text
        from tests.unit.test_service_as_issued import _giving_entries

        given = detail_text(_giving_entries(session, person.id)[0])
        assert "Schreiben an die Stelle: ja" in given, given
        _shot(qtbot, preview, shots / f"asissued-{name}-de.png")
        (shots / f"asissued-{name}.pdf").write_bytes(preview.pdf)  # to look at, rendered
        preview.close()
        return
    day = format_long_date(GIVEN, "de")
    assert preview.message.text().endswith(
        "Die Einwilligung nennt „Nordberatung“. Ob damit Beratung Nord gemeint ist, ist nicht "
        f"bekannt: Das Schreiben wurde am {day} ausgegeben, bevor die weiteren Namen einer "
        "Stelle mit ihrem Schreiben aufbewahrt wurden; die Stelle ist nicht mehr im Verzeichnis "
        "der Stellen, und nichts hält fest, dass das Schreiben an die Stelle damals mitgegeben "
        "wurde. Um es zu drucken, erfassen Sie eine Einwilligung, die Beratung Nord nennt."
    ), preview.message.text()
    _shot(qtbot, preview, shots / f"asissued-{name}-de.png")
    (shots / f"asissued-{name}.pdf").write_bytes(preview.pdf)
    preview.close()

    set_language("bg")
    preview = _preview_of(qtbot, session, person, referral.id)
    assert preview.message.text().endswith(
        "Съгласието посочва „Nordberatung“. Не е известно дали това е Beratung Nord: писмото е "
        f"дадено на {format_long_date(GIVEN, 'bg')}, преди другите имена на една служба да се "
        "запазват с писмото ѝ; службата вече не е в указателя на службите и никъде не е "
        "записано, че тогава е дадено и писмото до службата. За да го отпечатате, запишете "
        "съгласие, което посочва Beratung Nord."
    ), preview.message.text()
    _shot(qtbot, preview, shots / f"asissued-{name}-bg.png")
    preview.close()


@needs_qtpdf
def test_a_letter_reopened_after_a_document_it_lists_was_renamed_says_so(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    shots: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A letter to the Familienkasse printed from the preview, then only the Steuer-ID's label
    changed in the catalogue: reopened, the letter is the one given (the old label) and the
    preview says the documents or their names changed since (it said nothing: the labels
    were not compared). German, Romanian and English."""
    from tests.unit.test_service_as_issued import _steuer_id_renamed

    set_language("de")
    _, _referral, _window, feature, preview = _preview_of_new_referral(
        qtbot, session, "familienkasse", "kindergeld", client_lang="bg"
    )
    given = _printed(qtbot, preview, tmp_path, monkeypatch)
    preview.close()
    _steuer_id_renamed(session, tmp_path / "renamed")

    expected = {
        "de": "Die Unterlagen, die die Stelle verlangt, oder ihre Bezeichnungen haben sich "
        "geändert, seit dieses Schreiben am {date} ausgestellt wurde.",
        "ro": "Documentele cerute de serviciu sau denumirile lor s-au schimbat de când această "
        "scrisoare a fost emisă, pe {date}.",
        "en": "The documents the service asks for, or their names, have changed since this "
        "letter was issued on {date}.",
    }
    for lang, start in expected.items():
        set_language(lang)
        shown = _reopened(qtbot, feature)
        assert shown.pdf == given
        assert "Steuer-Identifikationsnummer (Steuer-ID)" in pdf_pages(shown.pdf)[0]
        qtbot.waitUntil(lambda: shown.as_issued.isVisibleTo(shown), timeout=5000)  # noqa: B023
        day = format_long_date(dt.date.today(), lang)
        assert shown.as_issued.text().startswith(start.format(date=day))
        _shot(qtbot, shown, shots / f"asissued-renamed-{lang}.png")
        shown.close()
