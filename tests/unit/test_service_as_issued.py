"""A referral keeps what its letter said of the service when it was first given to the person
(``referrals.service_as_issued``, migration ``service_as_issued``): a letter reopened after the
directory changed shows what was given, a new referral the entry in force, a queued letter not
given yet follows the directory. Written once (the first print or PDF, or the queued letter
printed), synced with the referral (sent only once there is one: a laptop of the version before
keeps such a referral for its update), read back through real SQLCipher stores."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desktop_app.domain.person import Person
from desktop_app.domain.service import ServiceAsIssued
from desktop_app.letters.directory import default_directory
from desktop_app.storage.layout import SCHEMA_HEAD
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.referrals_models import PrintJobRow, ReferralRow
from desktop_app.sync.kinds import SERVICE_AS_ISSUED
from desktop_app.sync.merge import FieldState, RecordState, merge
from desktop_app.sync.records import ADAPTERS, NEWER_VERSION, ToSave
from desktop_app.usecases import reference
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import PASSWORD, downgrade_store, record_sharing_consent
from tests.pdf_text import pdf_pages, pdf_text
from tests.unit.conftest import sent_record, version_before
from tests.unit.test_referrals import NOW, _issue, _person

GIVEN = NOW.date()  # 25 November 2026
MOVED = dt.datetime(2026, 12, 3, 9, 0)
OLD_STREET, NEW_STREET = "Steinstraße 39", "Königswall 20"
OLD_NOTE_RO, NEW_NOTE_RO = "Recepția de la parter", "Clădirea B, etajul 2"


def _moved(session: Session, folder: Path, street: str = NEW_STREET) -> None:
    """The coordinator publishes the job centre at a new address, with a new building note."""
    reference.export_directory(session.store, session.user, folder)
    entry = folder / "jobcenter.yaml"
    data = entry.read_text(encoding="utf-8")
    data = re.sub(r"  street: .*", f"  street: {street}", data, count=1)
    data = data.replace('postcode: "44147"', 'postcode: "44137"')
    data = re.sub(r"    de: Eingangszone im Erdgeschoss", "    de: Haus B, 2. Etage", data)
    data = data.replace(OLD_NOTE_RO, NEW_NOTE_RO)
    entry.write_text(data, encoding="utf-8")
    reference.publish_directory_folder(session.store, session.user, folder)


def _jobcenter(session: Session, lang: str = "ro") -> uc.Referral:
    return _issue(session, _person(session), service_id="jobcenter", reason="buergergeld",
                  client_lang=lang)  # fmt: skip


def _given(session: Session, referral_id: str, via: str = "print") -> uc.Letter:
    """The letter shown in the preview, then printed (or saved) on the day of issue."""
    letter = uc.make_letter(session.store, session.user, referral_id)
    uc.record_letter_output(
        session.store, session.user, referral_id, via, letter.lang, shown=letter,
        today=GIVEN,
    )  # fmt: skip
    return letter


def _jobcenter_as_given(documents: tuple[str, ...]) -> ServiceAsIssued:
    """The shipped job centre as a letter of a referral asking for ``documents`` keeps it: with
    the catalogue's labels of those and of the job centre's own documents."""
    directory = default_directory()
    entry = directory.get("jobcenter")
    ids = [*documents, *entry.documents]
    return ServiceAsIssued.of(entry, GIVEN, {i: directory.documents[i] for i in ids})


def _revision(session: Session, referral_id: str) -> tuple[int, str, int]:
    """The referral's revision, its stored service as issued, and its outbox entries."""
    with session.store.reading() as db:
        row = db.get(ReferralRow, referral_id)
        assert row is not None
        queued = db.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.record_id == referral_id)
        )
        return row.revision, row.service_as_issued, int(queued or 0)


def test_a_letter_reopened_after_the_service_moved_shows_the_address_given(
    session: Session, tmp_path: Path
) -> None:
    """Given on 25 November, the job centre moved on 3 December: the letter reopened shows the
    address and building note given (the German letter's window and the Romanian copy), says
    what changed and since when; a new referral to the job centre shows the new address."""
    old = _jobcenter(session)
    given = _given(session, old.id)
    assert OLD_STREET in pdf_text(given.pdf)
    _moved(session, tmp_path / "moved")

    reopened = uc.make_letter(session.store, session.user, old.id)
    letter_page, copy_page = pdf_pages(reopened.pdf)[:2]
    for page in (letter_page, copy_page):
        assert OLD_STREET in page and "44147 Dortmund" in page
        assert NEW_STREET not in page and "44137" not in page
    assert OLD_NOTE_RO in copy_page and NEW_NOTE_RO not in copy_page
    assert "Datum: 25. November 2026" in letter_page  # dated the day of issue, as before
    assert reopened.pdf == given.pdf  # the same letter as given
    assert reopened.changed_since_issue == ("address",)
    assert reopened.issued_on == GIVEN
    # printed again: still what was given, and nothing changes on the referral
    before = _revision(session, old.id)
    assert uc.current_letter(session.store, session.user, reopened) is reopened
    _given(session, old.id, via="pdf")
    assert _revision(session, old.id) == before

    new = _jobcenter(session)
    fresh = uc.make_letter(session.store, session.user, new.id)
    letter_page, copy_page = pdf_pages(fresh.pdf)[:2]
    for page in (letter_page, copy_page):
        assert NEW_STREET in page and "44137 Dortmund" in page and OLD_STREET not in page
    assert NEW_NOTE_RO in copy_page
    assert fresh.changed_since_issue == () and fresh.issued_on is None


def test_a_queued_letter_follows_the_directory_until_it_is_printed_then_stays(
    session: Session, tmp_path: Path
) -> None:
    """Queueing gives nothing: the queued letter is made again with the new address (last
    sitting's behaviour). Printed from the queue, the referral keeps the address it printed,
    dated the day it was printed; a later move leaves its letter as printed."""
    referral = _jobcenter(session, "bg")
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    assert _revision(session, referral.id)[1] == ""  # queued is not given
    _moved(session, tmp_path / "moved")
    assert uc.update_queued_letters(session.store, session.user, now=MOVED) == 1
    printed = pdf_text(uc.print_job_pdf(session.store, session.user, job))
    assert NEW_STREET in printed and OLD_STREET not in printed
    uc.mark_printed(session.store, session.user, job, at=MOVED)
    kept = ServiceAsIssued.from_data(json.loads(_revision(session, referral.id)[1]))
    assert kept is not None and kept.issued_on == MOVED.date()
    assert kept.address.street == NEW_STREET

    _moved(session, tmp_path / "again", street="Kampstraße 1")
    reopened = uc.make_letter(session.store, session.user, referral.id)
    assert NEW_STREET in pdf_text(reopened.pdf) and "Kampstraße 1" not in pdf_text(reopened.pdf)
    assert reopened.changed_since_issue == ("address",) and reopened.issued_on == MOVED.date()


def test_it_is_written_once_with_every_language_and_read_back_from_the_store(
    session: Session, data_dir: Path, tmp_path: Path
) -> None:
    """The first print writes it (a new revision that syncs), with the entry's texts in every
    language it has; a later print or PDF leaves it as it is, also after the directory
    changed. The store closed and opened again reads it back."""
    referral = _jobcenter(session)
    revision, stored, queued = _revision(session, referral.id)
    assert stored == ""
    _given(session, referral.id)
    after = _revision(session, referral.id)
    assert after[0] == revision + 1 and after[2] == queued + 1 and after[1]
    _moved(session, tmp_path / "moved")
    _given(session, referral.id, via="pdf")
    assert _revision(session, referral.id) == after

    session.close()
    again = log_in(data_dir, "anna", PASSWORD)
    try:
        kept = uc.get_referral(again.store, again.user, referral.id).service_as_issued
        assert kept == _jobcenter_as_given(referral.documents)
        assert kept.topics == default_directory().get("jobcenter").topics
        assert set(kept.document_labels) == set(referral.documents)  # the job centre's own
        assert all(
            set(label.texts) == {"de", "bg", "ro", "en"} for label in kept.document_labels.values()
        )
        assert set(kept.name.texts) == set(kept.opening_hours.texts) == {"de", "bg", "ro", "en"}
        assert kept.address.extra.get("bg") == "Информация на партерния етаж"
        assert kept.contact.phone == "0231 842-0" and kept.languages == ("de", "en")
    finally:
        again.close()


def test_it_syncs_only_once_given_so_the_version_before_reads_the_others(
    session: Session,
) -> None:
    """Not given: the record has no such field, and the version before stores it. Given: the
    field travels; the version before keeps that referral for its update (``NewerRecord``,
    deferred, not refused). Another laptop's referral arriving with it here shows its letter
    as given there."""
    waiting = _jobcenter(session)
    given = _jobcenter(session)
    _given(session, given.id)
    not_given = sent_record(session, "referral", waiting.id)
    sent = sent_record(session, "referral", given.id)
    assert SERVICE_AS_ISSUED not in not_given.fields
    shown = ServiceAsIssued.from_data(json.loads(str(sent.fields[SERVICE_AS_ISSUED].value)))
    assert shown == _jobcenter_as_given(given.documents)
    with session.store.transaction() as db:
        refused = version_before("referral", SERVICE_AS_ISSUED).save_many(
            db, session.store, [ToSave(not_given, 9, "x"), ToSave(sent, 9, "x")]
        )
    assert refused == {sent.id: NEWER_VERSION}

    # From another laptop, which gave the waiting one at an address this laptop never had.
    elsewhere = ServiceAsIssued.of(default_directory().get("jobcenter"), GIVEN)
    elsewhere = ServiceAsIssued(
        GIVEN, elsewhere.name, type(elsewhere.address)("Hohe Straße 5", "44139", "Dortmund"),
        elsewhere.opening_hours, elsewhere.contact, elsewhere.languages,
    )  # fmt: skip
    value = json.dumps(elsewhere.to_data(), ensure_ascii=False, sort_keys=True)
    clock = f"9999999999999-00000-{'b' * 8}"
    fields = {**not_given.fields, SERVICE_AS_ISSUED: FieldState(value, clock)}
    arriving = RecordState("referral", waiting.id, fields)
    with session.store.transaction() as db:
        assert ADAPTERS["referral"].save_many(db, session.store, [ToSave(arriving, 3, "x")]) == {}
    letter = uc.make_letter(session.store, session.user, waiting.id)
    assert "Hohe Straße 5" in pdf_text(letter.pdf) and OLD_STREET not in pdf_text(letter.pdf)
    assert letter.changed_since_issue == ("address",)


def test_two_laptops_that_each_gave_the_letter_keep_the_later_without_a_conflict() -> None:
    adapter = ADAPTERS["referral"]
    base = {"service_id": FieldState("jobcenter", "0001-00000-a")}

    def state(value: str, clock: str) -> RecordState:
        return RecordState("referral", "r1", {**base, SERVICE_AS_ISSUED: FieldState(value, clock)})

    ours, theirs = (
        state('{"issued_on": "2026-11-25"}', "0005-00000-a"),
        state('{"issued_on": "2026-11-26"}', "0007-00000-b"),
    )
    for local, incoming in ((ours, theirs), (theirs, ours)):
        result = merge(local, incoming, "a", last_writer_wins=adapter.last_writer_wins)
        assert result.state.fields[SERVICE_AS_ISSUED].value == '{"issued_on": "2026-11-26"}'
        assert result.conflicts == ()
    # a laptop of the version before sends the referral without it: it stays
    without = RecordState("referral", "r1", dict(base))
    assert (
        merge(ours, without, "a").state.fields[SERVICE_AS_ISSUED] == ours.fields[SERVICE_AS_ISSUED]
    )


def test_the_migration_adds_the_columns_and_a_referral_given_before_shows_todays_entry(
    session: Session, data_dir: Path, tmp_path: Path
) -> None:
    """A store of the version before (downgraded: the columns go) with a referral given and a
    letter queued: upgraded, neither keeps anything (the letter given before this version
    shows the entry in force, as before, and says nothing of a change it cannot know)."""
    referral = _jobcenter(session)
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    downgrade_store(session.store, "data_request_reason")
    with session.store.engine.connect() as conn:
        columns = {r[1] for r in conn.execute(text("PRAGMA table_info(referrals)"))}
        queue_columns = {r[1] for r in conn.execute(text("PRAGMA table_info(print_queue)"))}
    assert SERVICE_AS_ISSUED not in columns and "service" not in queue_columns
    session.close()
    session = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        with session.store.reading() as db:
            assert db.scalar(text("SELECT version_num FROM alembic_version")) == SCHEMA_HEAD
            row = db.get(ReferralRow, referral.id)
            queued = db.get(PrintJobRow, job)
            assert row is not None and row.service_as_issued == ""
            assert queued is not None and queued.service == ""
        _moved(session, tmp_path / "moved")
        letter = uc.make_letter(session.store, session.user, referral.id)
        assert NEW_STREET in pdf_text(letter.pdf)
        assert letter.changed_since_issue == () and letter.issued_on is None
        # printed from the queue now (made again with the new address): that is kept
        assert NEW_STREET in pdf_text(uc.print_job_pdf(session.store, session.user, job))
        uc.mark_printed(session.store, session.user, job, at=MOVED)
        kept = uc.get_referral(session.store, session.user, referral.id).service_as_issued
        assert kept is not None and kept.address.street == NEW_STREET
    finally:
        session.close()


def _nord(session: Session) -> str:
    """The coordinator adds a service of their own (not shipped with the app)."""
    from desktop_app.usecases import directory_edit

    draft = directory_edit.ServiceDraft(
        name={"de": "Beratung Nord", "bg": "Консултации Север", "ro": "Consiliere Nord"},
        topics=("housing",),
        street="Nordstraße 12",
        postcode="44145",
        city="Dortmund",
        opening_hours={"de": "Di 9:00–12:00 Uhr", "bg": "вт. 9:00–12:00 ч."},
        phone="0231 50-7",
        documents=("id_card", "registration"),
        consent_names=("Nordberatung",),
    )
    files, ident = directory_edit.edited_files(session.store, draft)
    directory_edit.publish_edit(session.store, session.user, files, "")
    return ident


def _taken_out(session: Session, ident: str) -> None:
    from desktop_app.usecases import directory_edit

    removed = directory_edit.removed_files(session.store, ident)
    directory_edit.publish_edit(session.store, session.user, removed, "")
    assert reference.service_directory(session.store).find(ident) is None
    assert default_directory().find(ident) is None  # not shipped: no fallback


def test_a_letter_given_of_a_service_taken_out_since_shows_again_as_given(
    session: Session,
) -> None:
    """A coordinator's own service, a referral to it given (the person agreed to a consent
    naming it by its short name), then the service taken out (by another laptop, which held
    no referral to it): the letter reopened is the one given (it raised LetterError,
    "letter.service_unknown"), with the letter to the service (the consent still names it by
    the name kept) and says the service is no longer in the directory. A new referral to it
    is refused."""
    from desktop_app.domain.service import TAKEN_OUT
    from desktop_app.domain.validation import ValidationFailed

    ident = _nord(session)
    person = _person(session, sharing="")
    record_sharing_consent(session, person.id, named="Nordberatung")
    referral = _issue(session, person, service_id=ident, reason="housing_emergency",
                      client_lang="bg")  # fmt: skip
    given = _given(session, referral.id)
    assert given.to_service
    letter_page, copy_page = pdf_pages(given.pdf)[:2]
    assert "Nordstraße 12" in letter_page and "вт. 9:00–12:00 ч." in copy_page
    _taken_out(session, ident)

    reopened = uc.make_letter(session.store, session.user, referral.id)
    assert reopened.pdf == given.pdf
    assert reopened.to_service and reopened.service_name == "Beratung Nord"
    assert reopened.changed_since_issue == (TAKEN_OUT,) and reopened.issued_on == GIVEN
    # printed again (the preview's check, then the audit): still the letter given
    assert uc.current_letter(session.store, session.user, reopened).pdf == given.pdf
    before = _revision(session, referral.id)
    uc.record_letter_output(
        session.store, session.user, referral.id, "pdf", "bg", shown=reopened, today=GIVEN
    )
    assert _revision(session, referral.id)[:2] == before[:2]
    with pytest.raises(ValidationFailed):
        _issue(session, person, service_id=ident, reason="housing_emergency")


def _first_version(session: Session, referral_id: str) -> ServiceAsIssued:
    """The referral's snapshot as a laptop of the first version wrote it (another laptop of
    that evening's version): name, address, hours, contact and languages only."""
    with session.store.transaction() as db:
        row = db.get(ReferralRow, referral_id)
        assert row is not None
        data = json.loads(row.service_as_issued)
        assert {"topics", "documents", "document_labels", "consent_names"} <= set(data)
        for key in ("topics", "documents", "document_labels", "consent_names"):
            del data[key]
        row.service_as_issued = json.dumps(data)
    kept = uc.get_referral(session.store, session.user, referral_id).service_as_issued
    assert kept is not None and not kept.whole
    return kept


def test_a_first_version_snapshot_without_its_entry_shows_again_and_says_what_is_not_known(
    session: Session,
) -> None:
    """A snapshot written before the topics and documents were kept: the letter takes them
    from the directory, as it did. Once the service is taken out of every directory, the
    letter is still shown (it raised LetterError, "letter.service_unknown"): made from what
    the snapshot keeps (the address and the hours given, the letter to the service where the
    consent names it by a name kept), without what the topics and documents put into it; the
    preview and the print queue say the service is gone and those parts are not known."""
    from desktop_app.domain.service import NOT_KEPT, TAKEN_OUT

    ident = _nord(session)
    person = _person(session, sharing="")
    record_sharing_consent(session, person.id, named="Beratung Nord")
    referral = _issue(session, person, service_id=ident, reason="housing_emergency",
                      client_lang="bg")  # fmt: skip
    given = _given(session, referral.id)
    kept = _first_version(session, referral.id)
    assert kept.address.street == "Nordstraße 12"
    reopened = uc.make_letter(session.store, session.user, referral.id)
    assert reopened.pdf == given.pdf  # the parts it lacks from the entry in force
    assert reopened.changed_since_issue == ()  # the parts it lacks are not compared
    _taken_out(session, ident)

    reopened = uc.make_letter(session.store, session.user, referral.id)
    letter_page, copy_page = pdf_pages(reopened.pdf)[:2]
    assert "Nordstraße 12" in letter_page and "Beratung Nord" in letter_page
    assert "вт. 9:00–12:00 ч." in copy_page and "0231 50-7" in copy_page
    assert reopened.to_service and reopened.issued_on == GIVEN
    assert reopened.service is not None
    assert (reopened.service.topics, reopened.service.documents) == ((), ())
    assert reopened.changed_since_issue == (TAKEN_OUT, NOT_KEPT)
    # printed again (the preview's check, then the audit): nothing changes on the referral
    assert uc.current_letter(session.store, session.user, reopened).pdf == reopened.pdf
    before = _revision(session, referral.id)
    uc.record_letter_output(
        session.store, session.user, referral.id, "print", "bg", shown=reopened, today=GIVEN
    )
    assert _revision(session, referral.id)[:2] == before[:2]
    # queued for a reprint: the queue says the same, and it prints
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    (listed,) = [j for j in uc.print_queue(session.store, session.user) if j.id == job]
    assert (listed.issued_on, listed.changed_since_issue) == (GIVEN, (TAKEN_OUT, NOT_KEPT))
    assert uc.print_job_pdf(session.store, session.user, job) == reopened.pdf


def test_a_first_version_snapshot_of_a_shipped_service_taken_out_takes_the_shipped_entry(
    session: Session, tmp_path: Path
) -> None:
    """The job centre taken out of the publication: a first-version snapshot's letter takes
    the parts it lacks from the shipped entry, as it did (they are known: no ``NOT_KEPT``)."""
    from desktop_app.domain.service import TAKEN_OUT
    from desktop_app.usecases import directory_edit

    referral = _jobcenter(session)
    given = _given(session, referral.id)
    _first_version(session, referral.id)
    removed = directory_edit.removed_files(session.store, "jobcenter")
    directory_edit.publish_edit(session.store, session.user, removed, "")
    assert reference.service_directory(session.store).find("jobcenter") is None
    reopened = uc.make_letter(session.store, session.user, referral.id)
    assert reopened.pdf == given.pdf
    assert reopened.changed_since_issue == (TAKEN_OUT,)


def _familienkasse_changed(session: Session, folder: Path) -> None:
    """The coordinator publishes the Familienkasse without the Steuer-ID among its documents,
    and the catalogue with the Steuer-ID named otherwise."""
    reference.export_directory(session.store, session.user, folder)
    entry = folder / "familienkasse.yaml"
    data = entry.read_text(encoding="utf-8").replace("registration, tax_id,", "registration,")
    entry.write_text(data, encoding="utf-8")
    catalogue = folder / "catalogue.yaml"
    data = catalogue.read_text(encoding="utf-8")
    data = data.replace(
        "de: Steuer-Identifikationsnummer (Steuer-ID)", "de: Steuerliche Identifikationsnummer"
    )
    catalogue.write_text(data, encoding="utf-8")
    reference.publish_directory_folder(session.store, session.user, folder)
    shown = reference.service_directory(session.store)
    assert "tax_id" not in shown.get("familienkasse").documents
    assert shown.document_label("tax_id", "de") == "Steuerliche Identifikationsnummer"


def test_a_letter_reopened_after_the_services_documents_changed_lists_the_old_ones(
    session: Session, tmp_path: Path
) -> None:
    """Letters to the Familienkasse given, then its documents list changed (no Steuer-ID) and
    the Steuer-ID's label too: reopened, the letter lists the documents as given (the
    Steuer-ID asked for the child too, under its old name) and its facts block says as given
    that the other child's Steuer-ID follows; new referrals follow the new list."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    def familienkasse(child_tax_id: str) -> uc.Referral:
        person = _person(session)
        answers = {**full_life_situation(), "sex": "male", "tax_id": "yes"}
        answers["children"] = [{**answers["children"][0], "child_tax_id": child_tax_id}]
        visits.finish_visit(
            session.store, session.user, person.id, "life_situation", answers, today=GIVEN
        )
        return _issue(session, person, service_id="familienkasse", reason="kindergeld")

    def letter_of(referral: uc.Referral) -> str:
        pdf = uc.make_letter(session.store, session.user, referral.id).pdf
        return " ".join(pdf_pages(pdf)[0].split())  # the letter to the service

    asked, to_follow = familienkasse("yes"), familienkasse("no")
    documents = "Steuer-Identifikationsnummer (Steuer-ID) – auch für das Kind (8 Jahre)"
    follows = "lebt im Haushalt, Steuer-ID wird nachgereicht"
    given = {r.id: _given(session, r.id).pdf for r in (asked, to_follow)}
    assert documents in letter_of(asked) and follows in letter_of(to_follow)
    _familienkasse_changed(session, tmp_path / "changed")

    assert documents in letter_of(asked)
    assert follows in letter_of(to_follow)
    for referral in (asked, to_follow):
        reopened = uc.make_letter(session.store, session.user, referral.id)
        assert reopened.pdf == given[referral.id]
        # its documents list changed: said, though the letter shows what was given
        assert reopened.changed_since_issue == ("documents",)
    again = familienkasse("yes")
    assert "tax_id" not in again.documents
    fresh = letter_of(again)
    assert "auch für das Kind" not in fresh and "Steuer-Identifikationsnummer" not in fresh


def test_what_is_kept_is_the_letter_given_never_a_guess_from_the_directory(
    session: Session, tmp_path: Path
) -> None:
    """The letter shown, then the job centre's move arriving (a sync) before Print: the
    referral keeps what the letter printed said, not the entry in force. Without the letter
    there is nothing to keep and nothing is guessed: the call is refused (it took the entry in
    force), as is a letter of another referral."""
    referral, other = _jobcenter(session), _jobcenter(session)
    shown = uc.make_letter(session.store, session.user, referral.id)
    _moved(session, tmp_path / "moved")
    with pytest.raises(TypeError):
        uc.record_letter_output(  # type: ignore[call-arg]
            session.store, session.user, referral.id, "print", "ro"
        )
    with pytest.raises(ValueError, match="not of"):
        uc.record_letter_output(
            session.store, session.user, other.id, "print", "ro", shown=shown, today=GIVEN
        )
    assert _revision(session, referral.id)[1] == _revision(session, other.id)[1] == ""
    uc.record_letter_output(
        session.store, session.user, referral.id, "print", "ro", shown=shown, today=GIVEN
    )
    kept = uc.get_referral(session.store, session.user, referral.id).service_as_issued
    assert kept is not None and kept.address.street == OLD_STREET and kept.issued_on == GIVEN


def test_the_print_queue_says_what_changed_since_a_queued_reprint_was_given(
    session: Session, tmp_path: Path
) -> None:
    """A letter given, queued again to be reprinted after the move: its job says when it was
    given and that the address changed since (as the preview does); a letter not given yet
    says nothing; a service taken out since says so."""
    from desktop_app.domain.service import TAKEN_OUT

    given, waiting = _jobcenter(session), _jobcenter(session)
    _given(session, given.id)
    _moved(session, tmp_path / "moved")
    jobs = [uc.queue_for_printing(session.store, session.user, r.id) for r in (given, waiting)]
    ident = _nord(session)
    nord = _issue(session, _person(session), service_id=ident, reason="housing_emergency")
    _given(session, nord.id)
    jobs.append(uc.queue_for_printing(session.store, session.user, nord.id))
    _taken_out(session, ident)
    listed = {j.id: j for j in uc.print_queue(session.store, session.user)}
    assert [(listed[j].issued_on, listed[j].changed_since_issue) for j in jobs] == [
        (GIVEN, ("address",)),
        (None, ()),
        (GIVEN, (TAKEN_OUT,)),
    ]
    # the queued reprint prints as given
    reprint = pdf_text(uc.print_job_pdf(session.store, session.user, jobs[0]))
    assert OLD_STREET in reprint and NEW_STREET not in reprint


def test_a_letter_printed_from_the_queue_keeps_what_it_printed_if_remade_meanwhile(
    session: Session, tmp_path: Path
) -> None:
    """Print all fetched the queued letter (the old address); while the print dialog was open a
    sync brought the job centre's move and the open queue made the letter again. Marked
    printed with what the letter printed said (``QueuedLetter.as_given``), the referral keeps
    the old address: the job's own, made again, never went to the printer."""
    referral = _jobcenter(session, "bg")
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    fetched = uc.print_job_letter(session.store, session.user, job)
    assert OLD_STREET in pdf_text(fetched.pdf)
    assert fetched.as_given is not None and fetched.as_given.address.street == OLD_STREET
    _moved(session, tmp_path / "moved")
    assert uc.update_queued_letters(session.store, session.user, now=MOVED) == 1
    uc.mark_printed(session.store, session.user, job, at=MOVED, shown=fetched.as_given)
    kept = uc.get_referral(session.store, session.user, referral.id).service_as_issued
    assert kept is not None and kept.address.street == OLD_STREET
    assert kept.issued_on == MOVED.date()
    reopened = uc.make_letter(session.store, session.user, referral.id)
    assert reopened.pdf == fetched.pdf and reopened.changed_since_issue == ("address",)


def test_changes_to_the_topics_or_documents_alone_are_said_and_not_of_a_first_version() -> None:
    """The entry's topics or documents changed since the letter was given, and nothing else:
    said (the preview's line names them); a first-version snapshot, which keeps neither and
    takes them from the entry, says nothing of them."""
    from dataclasses import replace

    entry = default_directory().get("familienkasse")
    given = ServiceAsIssued.of(entry, GIVEN)
    assert given.changed_in(entry) == ()
    fewer = tuple(d for d in entry.documents if d != "tax_id")
    assert given.changed_in(replace(entry, documents=fewer)) == ("documents",)
    assert given.changed_in(replace(entry, topics=entry.topics[::-1])) == ("topics",)
    both = replace(entry, topics=("housing",), documents=fewer)
    assert given.changed_in(both) == ("topics", "documents")
    first = ServiceAsIssued.from_data(
        {k: v for k, v in given.to_data().items() if k not in {"topics", "documents"}}
    )
    assert first is not None and not first.whole
    assert first.changed_in(both) == ()


def _given_from_the_queue(session: Session, referral_id: str, *, say: bool) -> None:
    """The letter queued, then printed with Print all on the day of issue: its audit entry
    says whether the letter to the service went with it (``say``), or, as a letter printed
    as it was queued (and every entry of the versions before), nothing of it."""
    job = uc.queue_for_printing(session.store, session.user, referral_id)
    queued = uc.print_job_letter(session.store, session.user, job)
    assert queued.to_service is True
    uc.mark_printed(
        session.store, session.user, job, at=NOW, shown=queued.as_given,
        to_service=queued.to_service if say else None,
    )  # fmt: skip


def _giving_entries(session: Session, person_id: str) -> list[dict[str, object]]:
    from desktop_app.storage.audit_models import AuditRow

    with session.store.reading() as db:
        details = db.scalars(
            select(AuditRow.details)
            .where(AuditRow.record_id == person_id, AuditRow.record_kind == "letter")
            .where(AuditRow.action == "print")
            .order_by(AuditRow.at)
        )
        return [json.loads(d) for d in details]


def _nord_by_its_short_name(session: Session) -> tuple[str, Person, uc.Referral]:
    """The coordinator's own Beratung Nord, a person whose consent names it only by its short
    name ("Nordberatung"), and a referral to it (the person's copy in Bulgarian)."""
    ident = _nord(session)
    person = _person(session, sharing="")
    record_sharing_consent(session, person.id, named="Nordberatung")
    referral = _issue(session, person, service_id=ident, reason="housing_emergency",
                      client_lang="bg")  # fmt: skip
    return ident, person, referral


def _to_the_service(pdf: bytes) -> bool:
    """Whether the letter to the service is in ``pdf`` (read back with pypdf), not the
    person's sheet alone (which says in Bulgarian that the service got nothing)."""
    text = " ".join(" ".join(pdf_pages(pdf)).split())
    alone = "Тази служба не е получила от нас данни за Вас" in text
    letter = "Sehr geehrte" in text and "einverstanden" in text
    assert alone != letter, text
    return letter


@pytest.mark.parametrize("via", ["print", "queue_print"])
def test_a_first_version_letter_given_to_a_service_named_by_its_short_name_still_goes_to_it(
    session: Session, via: str
) -> None:
    """A letter to Beratung Nord given with the letter to the service (the person's consent
    names it "Nordberatung", a short name its entry had then), its referral's snapshot of the
    first version (without the short names), the service then taken out of the directory:
    reopened, the consent no longer names it by the names kept, and the letter shrank to the
    person's sheet. The letter given decides: its audit entry says the letter to the service
    went with it, so the consent covered it then, and the decisions stand as then. A refusal
    since withdraws it, as any."""
    ident, person, referral = _nord_by_its_short_name(session)
    person_id = person.id
    if via == "print":
        given = _given(session, referral.id)
        assert given.to_service
    else:
        _given_from_the_queue(session, referral.id, say=True)
    assert _giving_entries(session, person_id)[-1]["to_service"] is True
    _first_version(session, referral.id)
    _taken_out(session, ident)

    reopened = uc.make_letter(session.store, session.user, referral.id)
    assert reopened.to_service and not reopened.consent_not_known
    assert reopened.consent is not None and reopened.consent.shared_with == "Nordberatung"
    assert _to_the_service(reopened.pdf)
    assert "Nordstraße 12" in pdf_pages(reopened.pdf)[0]
    # printed again: the same letter, and its entry says so in turn
    assert uc.current_letter(session.store, session.user, reopened).pdf == reopened.pdf
    uc.record_letter_output(
        session.store, session.user, referral.id, "print", "bg", shown=reopened, today=GIVEN
    )
    assert _giving_entries(session, person_id)[-1]["to_service"] is True
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    assert _to_the_service(uc.print_job_pdf(session.store, session.user, job))
    # a consent added since for another service leaves it so
    record_sharing_consent(session, person_id, named="Jobcenter")
    assert uc.make_letter(session.store, session.user, referral.id).to_service

    record_sharing_consent(session, person_id, decision="refused")
    refused = uc.make_letter(session.store, session.user, referral.id)
    assert not refused.to_service and not refused.consent_not_known
    assert refused.consent is not None and not refused.consent.granted
    assert not _to_the_service(refused.pdf)


def test_a_first_version_letter_whose_giving_says_nothing_of_it_says_why_the_sheet_is_alone(
    session: Session,
) -> None:
    """The same letter printed as it was queued (or by a version before the audit entry said
    whether the letter to the service went with it): nothing says the consent "Nordberatung"
    covered Beratung Nord, so the person's sheet is shown alone, and the letter says that
    whether the consent names the service is not known (not that it names another one). A
    consent that names it by its name kept covers it again."""
    ident, person, referral = _nord_by_its_short_name(session)
    person_id = person.id
    _given_from_the_queue(session, referral.id, say=False)
    assert all("to_service" not in entry for entry in _giving_entries(session, person_id))
    _first_version(session, referral.id)
    _taken_out(session, ident)

    reopened = uc.make_letter(session.store, session.user, referral.id)
    assert not reopened.to_service and reopened.consent_not_known
    assert reopened.consent is not None and reopened.consent.shared_with == "Nordberatung"
    assert reopened.issued_on == GIVEN
    assert not _to_the_service(reopened.pdf)

    record_sharing_consent(session, person_id, named="Beratung Nord")
    covered = uc.make_letter(session.store, session.user, referral.id)
    assert covered.to_service and not covered.consent_not_known
    assert _to_the_service(covered.pdf)


def test_a_document_renamed_or_a_short_name_changed_since_is_a_change() -> None:
    """``changed_in`` compares the labels of the documents the letter listed (the catalogue
    in force's) and the short names a consent may name the service by, where kept: a label
    changed or gone is a change of its documents, a short name one of its short names. A
    first-version snapshot, which keeps neither, says nothing of them."""
    from dataclasses import replace

    from desktop_app.domain.service import LocalizedText

    directory = default_directory()
    entry = directory.get("familienkasse")
    labels = {i: directory.documents[i] for i in entry.documents}
    given = ServiceAsIssued.of(entry, GIVEN, labels)
    catalogue = dict(directory.documents)
    assert given.changed_in(entry, catalogue) == ()
    renamed = {**catalogue, "tax_id": LocalizedText({"de": "Steuerliche Identifikationsnummer"})}
    assert given.changed_in(entry, renamed) == ("documents",)
    assert given.changed_in(entry) == ()  # no catalogue given: not compared
    gone = {i: label for i, label in catalogue.items() if i != "tax_id"}
    assert given.changed_in(entry, gone) == ("documents",)
    other_names = replace(entry, consent_names=("Kindergeldkasse",))
    assert given.changed_in(other_names, catalogue) == ("consent_names",)
    first = ServiceAsIssued.from_data(
        {
            k: v
            for k, v in given.to_data().items()
            if k not in {"topics", "documents", "consent_names", "document_labels"}
        }
    )
    assert first is not None and first.consent_names is None
    assert first.changed_in(other_names, renamed) == ()


def _steuer_id_renamed(session: Session, folder: Path) -> None:
    """The coordinator publishes the catalogue with the Steuer-ID named otherwise in German,
    nothing else changed."""
    reference.export_directory(session.store, session.user, folder)
    catalogue = folder / "catalogue.yaml"
    data = catalogue.read_text(encoding="utf-8")
    old = "de: Steuer-Identifikationsnummer (Steuer-ID)"
    assert old in data
    catalogue.write_text(
        data.replace(old, "de: Steuerliche Identifikationsnummer"), encoding="utf-8"
    )
    reference.publish_directory_folder(session.store, session.user, folder)


def test_a_letter_reopened_after_a_document_it_lists_was_renamed_says_so(
    session: Session, tmp_path: Path
) -> None:
    """The Steuer-ID renamed in the published catalogue, nothing else: a letter to the
    Familienkasse given before lists it under the name given, and says its documents changed
    since (it said nothing)."""
    referral = _issue(session, _person(session), service_id="familienkasse", reason="kindergeld")
    assert "tax_id" in referral.documents
    given = _given(session, referral.id)
    _steuer_id_renamed(session, tmp_path / "renamed")

    reopened = uc.make_letter(session.store, session.user, referral.id)
    assert reopened.pdf == given.pdf
    assert "Steuer-Identifikationsnummer (Steuer-ID)" in pdf_pages(reopened.pdf)[0]
    assert reopened.changed_since_issue == ("documents",)
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    (listed,) = [j for j in uc.print_queue(session.store, session.user) if j.id == job]
    assert listed.changed_since_issue == ("documents",)
