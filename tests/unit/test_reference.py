"""The service directory a coordinator publishes: checked, stored, audited, refused to others."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.users import Role
from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.messages import directory_problem
from desktop_app.i18n.text import set_language
from desktop_app.letters.directory import DirectoryError, default_directory
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.reference_models import ReferenceRow
from desktop_app.usecases import accounts, audit, reference
from desktop_app.usecases.accounts import Session

PASSWORD = "correct horse 42"


def _edited(session: Session, tmp_path: Path, phone: str = "0231 842-1234") -> Path:
    folder = tmp_path / "edit"
    assert (
        reference.export_directory(session.store, session.user, folder)
        == len(default_directory().services) + 1
    )  # plus catalogue.yaml
    job = folder / "jobcenter.yaml"
    text = re.sub(r"phone: .*", f"phone: {phone}", job.read_text(encoding="utf-8"), count=1)
    job.write_text(text, encoding="utf-8")
    return folder


def test_the_shipped_directory_applies_until_something_is_published(session: Session) -> None:
    assert reference.published_directory(session.store) is None
    assert reference.service_directory(session.store) is default_directory()


def test_a_published_directory_is_in_force_stored_once_queued_and_audited(
    session: Session, tmp_path: Path
) -> None:
    folder = _edited(session, tmp_path)
    done = reference.publish_directory_folder(session.store, session.user, folder, " new  phone ")
    assert (done.note, done.publisher, done.revision) == ("new phone", "Anna Schmidt", 1)
    assert reference.service_directory(session.store).get("jobcenter").contact.phone == (
        "0231 842-1234"
    )
    # A second publication changes the same record (one per name), with a higher revision.
    folder2 = _edited(session, tmp_path / "2", phone="0231 842-5555")
    assert reference.publish_directory_folder(session.store, session.user, folder2).revision == 2
    assert reference.service_directory(session.store).get("jobcenter").contact.phone == (
        "0231 842-5555"
    )
    with session.store.reading() as db:
        rows = db.scalars(select(ReferenceRow)).all()
        assert [r.id for r in rows] == [reference.reference_id(reference.SERVICES)]
        queued = db.scalars(select(OutboxRow).where(OutboxRow.record_kind == "reference")).all()
        assert [q.revision for q in queued] == [1, 2]
    entries = [e for e in audit.list_entries(session.store, session.user) if e.action == "publish"]
    assert len(entries) == 2 and entries[0].details["services"] == len(default_directory().services)
    assert audit.verify_chain(session.store) == []


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.HELPER])
def test_only_coordinators_publish_or_export(session: Session, tmp_path: Path, role: Role) -> None:
    folder = _edited(session, tmp_path)
    accounts.add_user(session, "bea", "Bea", role, PASSWORD)
    other = accounts.log_in(session.store.paths.data_dir, "bea", PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            reference.publish_directory_folder(other.store, other.user, folder)
        with pytest.raises(PermissionDenied):
            reference.export_directory(other.store, other.user, tmp_path / "x")
        assert not (tmp_path / "x").exists()
    finally:
        other.close()
    assert reference.published_directory(session.store) is None


def test_a_broken_folder_is_refused_with_the_file_and_entry_named(
    session: Session, tmp_path: Path
) -> None:
    folder = _edited(session, tmp_path)
    vhs = folder / "vhs.yaml"
    vhs.write_text(vhs.read_text(encoding="utf-8").replace("id: vhs", "id: vhs2"), "utf-8")
    with pytest.raises(DirectoryError) as caught:
        reference.publish_directory_folder(session.store, session.user, folder)
    assert reference.published_directory(session.store) is None
    set_language("de")
    message = directory_problem(caught.value.file.name, caught.value.where, caught.value.code)
    assert message.startswith("vhs.yaml") and "Dateiname" in message


def test_unsafe_file_names_and_non_empty_export_folders_are_refused(
    session: Session, tmp_path: Path
) -> None:
    files = reference.shipped_directory_files()
    with pytest.raises(reference.PublishRefused) as caught:
        reference.publish_directory(session.store, session.user, {**files, "../evil.yaml": "x"})
    assert caught.value.code == "bad_file_name"
    folder = _edited(session, tmp_path)
    with pytest.raises(reference.PublishRefused) as caught:
        reference.export_directory(session.store, session.user, folder)
    assert caught.value.code == "folder_not_empty"


def test_export_gives_back_what_was_published(session: Session, tmp_path: Path) -> None:
    folder = _edited(session, tmp_path)
    reference.publish_directory_folder(session.store, session.user, folder)
    again = tmp_path / "again"
    reference.export_directory(session.store, session.user, again)
    assert "0231 842-1234" in (again / "jobcenter.yaml").read_text(encoding="utf-8")


def test_the_exported_files_say_how_entries_are_changed(session: Session, tmp_path: Path) -> None:
    """The header of jobcenter.yaml said "the app lets them edit every entry": it has no editor
    of entries. The shipped files, and an export of a publication made from the old ones, say
    what is true: export, edit the files, publish the folder."""
    shipped = reference.shipped_directory_files()
    true = 'export the directory ("Export\n# for editing…"), edit these files, and publish'
    assert true in shipped["jobcenter.yaml"]
    folder = tmp_path / "shipped"
    reference.export_directory(session.store, session.user, folder)
    for file in folder.glob("*.yaml"):
        assert "edit every entry" not in file.read_text(encoding="utf-8"), file.name
    assert true in (folder / "jobcenter.yaml").read_text(encoding="utf-8")
    # a publication made from an export of the version that shipped the line
    lines = shipped["jobcenter.yaml"].split("\n")
    untrue = (
        "# coordinator before the directory goes into use (the app lets them edit every entry)."
    )
    old = "\n".join([lines[0], untrue, *lines[3:]])
    assert "edit every entry" in old
    reference.publish_directory(session.store, session.user, {**shipped, "jobcenter.yaml": old})
    again = tmp_path / "again"
    reference.export_directory(session.store, session.user, again)
    exported = (again / "jobcenter.yaml").read_text(encoding="utf-8")
    assert "edit every entry" not in exported and true in exported
    assert exported == shipped["jobcenter.yaml"]


def test_a_damaged_publication_falls_back_to_the_shipped_directory(
    session: Session, tmp_path: Path
) -> None:
    reference.publish_directory_folder(session.store, session.user, _edited(session, tmp_path))
    with session.store.transaction() as db:
        row = db.scalars(select(ReferenceRow)).one()
        data = json.loads(row.content)
        data["files"]["jobcenter.yaml"] = "id: [unclosed"
        row.content = json.dumps(data)
        row.revision += 1
    assert reference.published_directory(session.store) is None
    assert reference.service_directory(session.store) is default_directory()


def test_new_letters_use_the_published_directory_and_old_ones_still_print(
    session: Session, tmp_path: Path
) -> None:
    import io

    import pypdf

    from desktop_app.domain.person import PersonDraft
    from desktop_app.usecases import people, referrals

    person = people.register_person(
        session.store, session.user, PersonDraft("Ана", "Петрова", "1990"), confirm_duplicates=True
    )

    def letter_text(service_id: str, reason: str) -> tuple[str, str]:
        issued = referrals.issue_referral(
            session.store, session.user, person.id, service_id=service_id, reason=reason
        )
        return issued.id, text_of(issued.id)

    def text_of(referral_id: str) -> str:
        pdf = referrals.render_letter(session.store, session.user, referral_id, "de")
        return " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    vhs_id, vhs = letter_text("vhs", "integration_course")
    assert "Volkshochschule" in vhs
    folder = _edited(session, tmp_path, phone="0231 842-4242")
    (folder / "vhs.yaml").unlink()  # a service taken out of the directory
    reference.publish_directory_folder(session.store, session.user, folder)
    assert "0231 842-4242" in letter_text("jobcenter", "buergergeld")[1]
    with pytest.raises(ValidationFailed):
        letter_text("vhs", "integration_course")  # no new referrals to a service taken out
    assert "Volkshochschule" in text_of(vhs_id)  # an earlier letter still prints


def test_reports_name_services_as_the_published_directory_does(
    session: Session, tmp_path: Path
) -> None:
    """A service a coordinator added is named in the dashboard, the CSV and the PDF by its
    published name, in the report's language, not by its id."""
    import datetime as dt
    import io

    import pypdf

    from desktop_app.domain.person import PersonDraft
    from desktop_app.reports.exports import to_csv
    from desktop_app.reports.pdf import render_pdf
    from desktop_app.usecases import people, referrals, reports

    folder = _edited(session, tmp_path)
    text = (folder / "jobcenter.yaml").read_text(encoding="utf-8")
    text = text.replace("id: jobcenter", "id: nordstadt_hub", 1)
    text = text.replace("de: Jobcenter Dortmund\n", "de: Beratungsladen Nordstadt\n", 1)
    text = text.replace(
        "bg: Jobcenter Dortmund (Джобцентър, служба за заетост и социални помощи)\n",
        "bg: Консултантски център Нордщат\n",
        1,
    )
    (folder / "nordstadt_hub.yaml").write_text(text, encoding="utf-8")
    reference.publish_directory_folder(session.store, session.user, folder)
    person = people.register_person(
        session.store, session.user, PersonDraft("Ана", "Петрова", "1990"), confirm_duplicates=True
    )
    referrals.issue_referral(
        session.store, session.user, person.id, service_id="nordstadt_hub", reason="buergergeld"
    )
    period = reports.parse_period(str(dt.date.today().year))
    report = reports.build_report(session.store, session.user, period)
    table = next(t for t in report.tables if t.key == "referrals")
    assert [r.key for r in table.rows] == ["nordstadt_hub"]
    assert table.label("nordstadt_hub", "de") == "Beratungsladen Nordstadt"
    assert table.label("nordstadt_hub", "bg") == "Консултантски център Нордщат"
    assert "Beratungsladen Nordstadt" in to_csv(report, "de")
    assert "nordstadt_hub" not in to_csv(report, "de")
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(report, "bg")))
    assert "Консултантски център Нордщат" in " ".join(p.extract_text() or "" for p in pdf.pages)


def test_directory_changes_name_each_service_changed_added_and_taken_out(
    session: Session,
) -> None:
    """What a directory's notice names (``ui.publication_notice``): by the entries, not by the
    note, which tells only its own publication's change."""
    shipped = default_directory()
    files = reference.shipped_directory_files()
    files["jobcenter.yaml"] = files["jobcenter.yaml"].replace("0231 842-0", "0231 842-1")
    files["school.yaml"] = (
        files["vhs.yaml"]
        .replace("id: vhs", "id: school")
        .replace("de: Volkshochschule Dortmund", "de: Sprachschule Brücke")
    )
    del files["familienkasse.yaml"]
    assert not reference.published_here(session.store, reference.SERVICES)
    reference.publish_directory(session.store, session.user, files, "")
    assert reference.published_here(session.store, reference.SERVICES)
    now = reference.service_directory(session.store)
    changes = reference.directory_changes(shipped, now)
    assert changes == reference.DirectoryChanges(
        changed=("Jobcenter Dortmund",),
        added=("Sprachschule Brücke",),
        removed=("Familienkasse Nordrhein-Westfalen Ost",),
    )
    assert reference.directory_changes(now, now) == reference.DirectoryChanges()


def test_each_publication_carries_the_ones_before_it_newest_first(session: Session) -> None:
    """A publication replaced the one before (one record per name), and its note went with it:
    a user away for two publications saw only the last one's. The record carries the ones
    before it now (who, when, the note), up to MAX_HISTORY, so that every laptop shows them."""
    files = reference.shipped_directory_files()
    assert reference.publication_history(session.store, reference.SERVICES) == []
    accounts.add_user(session, "bea", "Bea Braun", Role.COORDINATOR, PASSWORD)
    bea = accounts.log_in(session.store.paths.data_dir, "bea", PASSWORD)
    try:
        reference.publish_directory(session.store, session.user, files, "first")
        reference.publish_directory(bea.store, bea.user, files, "")
        reference.publish_directory(session.store, session.user, files, " third  one ")
    finally:
        bea.close()
    history = reference.publication_history(session.store, reference.SERVICES)
    assert [(e.publisher, e.note) for e in history] == [
        ("Anna Schmidt", "third one"),
        ("Bea Braun", ""),
        ("Anna Schmidt", "first"),
    ]
    assert history[0].published_at >= history[1].published_at >= history[2].published_at
    published = reference.published_directory(session.store)
    assert published is not None and published.note == "third one"  # as before
    # the forms keep their own
    assert reference.publication_history(session.store, reference.FORMS) == []
    for n in range(reference.MAX_HISTORY + 5):
        reference.publish_directory(session.store, session.user, files, f"change {n}")
    history = reference.publication_history(session.store, reference.SERVICES)
    assert len(history) == reference.MAX_HISTORY
    assert history[0].note == f"change {reference.MAX_HISTORY + 4}"
    assert history[-1].note == "change 5"  # the oldest went


def test_a_publication_without_a_history_or_with_a_damaged_entry_still_lists_the_rest(
    session: Session,
) -> None:
    """One made by a version before the history is listed alone; an entry of another shape
    (a synced record is anyone's) is passed over, the others are listed."""
    files = reference.shipped_directory_files()
    reference.publish_directory(session.store, session.user, files, "in force")
    record_id = reference.reference_id(reference.SERVICES)
    with session.store.transaction() as db:
        row = db.get(ReferenceRow, record_id)
        assert row is not None
        data = json.loads(row.content)
        assert data["history"] == []
        del data["history"]
        row.content = json.dumps(data)
    (only,) = reference.publication_history(session.store, reference.SERVICES)
    assert only.note == "in force"
    with session.store.transaction() as db:
        row = db.get(ReferenceRow, record_id)
        assert row is not None
        data["history"] = [
            {"publisher": "Bea", "published_at": "2026-11-02T10:00:00+00:00", "note": "ok"},
            {"publisher": 7, "published_at": "2026-11-01T10:00:00+00:00", "note": "bad"},
            {"publisher": "Cem", "published_at": "yesterday", "note": "bad"},
            "not an entry",
            {"publisher": "Dan", "published_at": "2026-10-01T10:00:00+00:00", "note": "x" * 900},
        ]
        row.content = json.dumps(data)
    history = reference.publication_history(session.store, reference.SERVICES)
    assert [e.publisher for e in history] == ["Anna Schmidt", "Bea", "Dan"]
    assert len(history[2].note) == reference.MAX_NOTE
    # the next publication carries on what could be read
    reference.publish_directory(session.store, session.user, files, "next")
    history = reference.publication_history(session.store, reference.SERVICES)
    assert [e.note for e in history][:3] == ["next", "in force", "ok"]


def test_a_stored_publication_read_later_is_what_the_store_said_when_it_was_read(
    session: Session,
) -> None:
    """``stored_publication`` keeps the record as it was (the notice's view of the window's
    start); parsed later (``directory_of``, ``forms_of``) it gives what ``published_directory``,
    ``service_directory``, ``published_forms`` and ``forms_in_force`` said then, also after
    another publication replaced it."""
    from tests.unit.test_reference_forms import raised_version
    from tests.unit.test_reference_unusable import _shipped

    store = session.store
    assert reference.stored_publication(store, reference.SERVICES) is None
    assert reference.directory_of(None) == (None, default_directory())
    assert reference.forms_of(None) == (None, reference.shipped_forms())
    files = reference.shipped_directory_files()
    files["jobcenter.yaml"] = files["jobcenter.yaml"].replace("Steinstraße 39", "Königswall 21")
    reference.publish_directory(store, session.user, files, "Jobcenter")
    forms = _shipped("forms")
    forms["skills_check.yaml"] = raised_version(forms["skills_check.yaml"])
    reference.publish_forms(store, session.user, forms, "Kompetenzcheck")
    directory = reference.stored_publication(store, reference.SERVICES)
    form_record = reference.stored_publication(store, reference.FORMS)
    assert directory is not None and form_record is not None
    assert directory.device_id == store.device_id
    then = (reference.published_directory(store), reference.service_directory(store))
    forms_then = (reference.published_forms(store), reference.forms_in_force(store))
    reference.publish_directory(store, session.user, reference.shipped_directory_files(), "")
    assert reference.directory_of(directory) == then
    published_forms, in_force = reference.forms_of(form_record)
    assert published_forms == forms_then[0]
    # (parsed again: alike in every field, not in the caches a definition keeps)
    assert {k: f.model_dump() for k, f in in_force.items()} == {
        k: f.model_dump() for k, f in forms_then[1].items()
    }
    assert forms_then[1]["skills_check"].version == 3
    assert reference.directory_of(directory) != reference.directory_of(
        reference.stored_publication(store, reference.SERVICES)
    )
    # one this laptop cannot use: no publication, the shipped data
    damaged = reference.StoredPublication(reference.SERVICES, 9, "x", '{"files": 1}')
    assert reference.directory_of(damaged) == (None, default_directory())
    assert reference.forms_of(damaged) == (None, reference.shipped_forms())
